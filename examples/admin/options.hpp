#pragma once
// The command line of kflow-admin, parsed without any I/O so that every mistake becomes one
// message naming the argument at fault.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace admin_example {

/// What kflow-admin was asked to do.
enum class command {
    topics,       ///< ensure the topics of --spec FILE, then print lag (the default)
    acls_ensure,  ///< `acls ensure FILE`: make the cluster's ACLs match an ACL spec
};

struct options {
    command what = command::topics;
    std::string bootstrap;  ///< empty: KAFKA_BOOTSTRAP_SERVERS, else an embedded mock cluster
    std::string spec_file;  ///< the topic spec (--spec) or the ACL spec (acls ensure FILE)
    bool apply = false;     ///< also add partitions and alter configs that differ
    std::vector<std::string> groups;  ///< consumer groups whose lag to print
    bool dry_run = false;             ///< acls ensure: plan only, change nothing
    bool prune = false;               ///< acls ensure: delete the spec's principals' other bindings
    bool help = false;
};

/// Either options, or the reason the command line was refused.
struct parse_result {
    std::optional<options> parsed;
    std::string error;
};

inline constexpr std::string_view usage_text =
    R"(usage: kflow-admin --spec FILE [--bootstrap HOST:PORT] [--apply] [--group G]... [--help]
       kflow-admin acls ensure FILE [--bootstrap HOST:PORT] [--dry-run] [--prune]

Makes a cluster's topics match a JSON spec file, then prints consumer lag; or, with
`acls ensure`, makes its ACLs match a JSON ACL spec.

  --spec FILE            topics to ensure: {"topics": [{"name": ..., "partitions": ...,
                         "replication_factor": ..., "configs": {...}}, ...]}
  --bootstrap HOST:PORT  the cluster (default: KAFKA_BOOTSTRAP_SERVERS, with the other
                         KAFKA_* settings). Without either, kflow-admin runs an embedded mock
                         cluster, creates the spec's topics there, produces records and
                         commits offsets for a demo group, so that every step runs anywhere
  --apply                also add partitions and change configs that differ from the spec
                         (missing topics are always created; nothing is ever deleted)
  --group G              print the lag of consumer group G per partition; repeatable
  -h, --help             show this help and exit

acls ensure FILE         ACLs to ensure: {"acls": [{"principal": "User:app", "host": "*",
                         "resource_type": "topic", "resource_name": "orders",
                         "pattern_type": "literal", "operations": ["read"],
                         "permission": "allow"}, ...]}. Creates the bindings that are
                         missing; never deletes one unless --prune
  --dry-run              print the plan (to create, to delete, present, kept) and change
                         nothing
  --prune                also delete the bindings of the spec's principals that the spec does
                         not declare (the spec becomes authoritative for those principals)
  Without --bootstrap or KAFKA_BOOTSTRAP_SERVERS the embedded mock cluster is used, which has
  no ACL APIs: the command then fails at its first request, describe_acls, and says so.

Exit status: 0 when no topic failed or still differs and every lag could be read (configs
that could not be read back are reported, not counted as failures), or every ACL is as
specified (after a dry run: nothing was due); 1 when a topic could not be described, created
or changed, still differs, or a lag could not be read, or when ACLs could not be described,
created or deleted, or a dry run found changes due; 2 on a bad argument or spec file.
)";

/// Parses argv[1..]: `--spec FILE`, `--bootstrap HOST:PORT`, `--apply`, `--group G`,
/// `-h`/`--help`; or `acls ensure FILE` with `--bootstrap`, `--dry-run`, `--prune`. Values may
/// also be given as `--opt=value`.
[[nodiscard]] inline parse_result parse_options(const std::vector<std::string_view>& args) {
    options out;
    const auto fail = [](std::string why) { return parse_result{std::nullopt, std::move(why)}; };
    std::size_t first = 0;
    if (!args.empty() && args[0] == "acls") {
        if (args.size() < 2 || args[1] != "ensure")
            return fail("acls takes one subcommand: acls ensure FILE [--dry-run] [--prune]");
        out.what = command::acls_ensure;
        first = 2;
    }
    const bool acls = out.what == command::acls_ensure;
    for (std::size_t i = first; i < args.size(); ++i) {
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
        } else if (acls && (arg == "--dry-run" || arg == "--prune")) {
            if (inline_value)
                return fail(std::string(arg) + " takes no value");
            (arg == "--dry-run" ? out.dry_run : out.prune) = true;
        } else if (acls && !arg.starts_with("-")) {
            if (!out.spec_file.empty())
                return fail("acls ensure takes one FILE, got '" + out.spec_file + "' and '" +
                            std::string(arg) + "'");
            out.spec_file = arg;
        } else if (acls && arg != "--bootstrap") {
            return fail("unknown argument '" + std::string(args[i]) +
                        "' for acls ensure (it takes FILE, --bootstrap, --dry-run, --prune)");
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
        return fail(acls ? "acls ensure needs a FILE" : "--spec FILE is required");
    return {std::move(out), {}};
}

}  // namespace admin_example
