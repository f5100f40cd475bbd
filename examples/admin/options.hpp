#pragma once
// The command line of kflow-admin, parsed without any I/O so that every mistake becomes one
// message naming the argument at fault.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace admin_example {

struct options {
    std::string bootstrap;  ///< empty: run against an embedded mock cluster
    std::string spec_file;
    bool apply = false;               ///< also add partitions and alter configs that differ
    std::vector<std::string> groups;  ///< consumer groups whose lag to print
    bool help = false;
};

/// Either options, or the reason the command line was refused.
struct parse_result {
    std::optional<options> parsed;
    std::string error;
};

inline constexpr std::string_view usage_text =
    R"(usage: kflow-admin --spec FILE [--bootstrap HOST:PORT] [--apply] [--group G]... [--help]

Makes a cluster's topics match a JSON spec file, then prints consumer lag.

  --spec FILE            topics to ensure: {"topics": [{"name": ..., "partitions": ...,
                         "replication_factor": ..., "configs": {...}}, ...]}
  --bootstrap HOST:PORT  the cluster (bootstrap.servers). Without it, kflow-admin runs an
                         embedded mock cluster, creates the spec's topics there, produces
                         records and commits offsets for a demo group, so that every step
                         runs anywhere
  --apply                also add partitions and change configs that differ from the spec
                         (missing topics are always created; nothing is ever deleted)
  --group G              print the lag of consumer group G per partition; repeatable
  -h, --help             show this help and exit

Exit status: 0 when no topic failed or still differs and every lag could be read (configs
that could not be read back are reported, not counted as failures); 1 when a topic could not
be described, created or changed, still differs, or a lag could not be read; 2 on a bad
argument or spec file.
)";

/// Parses argv[1..]: `--spec FILE`, `--bootstrap HOST:PORT`, `--apply`, `--group G`,
/// `-h`/`--help`; values may also be given as `--opt=value`.
[[nodiscard]] inline parse_result parse_options(const std::vector<std::string_view>& args) {
    options out;
    const auto fail = [](std::string why) { return parse_result{std::nullopt, std::move(why)}; };
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        std::optional<std::string_view> inline_value;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            inline_value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        const auto value = [&]() -> std::optional<std::string_view> {
            if (inline_value)
                return inline_value;
            if (i + 1 < args.size())
                return args[++i];
            return std::nullopt;
        };
        if (arg == "-h" || arg == "--help") {
            out.help = true;
        } else if (arg == "--apply") {
            if (inline_value)
                return fail("--apply takes no value");
            out.apply = true;
        } else if (arg == "--spec" || arg == "--bootstrap" || arg == "--group") {
            const auto v = value();
            if (!v || v->empty())
                return fail(std::string(arg) + " needs a value");
            if (arg == "--spec") {
                if (!out.spec_file.empty())
                    return fail("--spec given twice");
                out.spec_file = *v;
            } else if (arg == "--bootstrap") {
                if (!out.bootstrap.empty())
                    return fail("--bootstrap given twice");
                out.bootstrap = *v;
            } else {
                out.groups.emplace_back(*v);
            }
        } else {
            return fail("unknown argument '" + std::string(args[i]) + "'");
        }
    }
    if (!out.help && out.spec_file.empty())
        return fail("--spec FILE is required");
    return {std::move(out), {}};
}

}  // namespace admin_example
