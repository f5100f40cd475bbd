#pragma once
// The command line of kflow-async-consumer, parsed without I/O: every mistake becomes one
// message naming the argument at fault.

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace example {

struct options {
    std::string bootstrap;  ///< empty: KAFKA_BOOTSTRAP_SERVERS, else an embedded mock cluster
    std::string topic = "orders";
    std::string group = "kflow-async-consumer";
    int count = 20;  ///< orders to read before stopping; 0: until SIGINT or SIGTERM
    int batch = 16;  ///< 1: async_receive, one record at a time; more: async_receive_batch
    bool help = false;
};

struct parse_result {
    std::optional<options> parsed;
    std::string error;
};

inline constexpr std::string_view usage_text =
    R"(usage: kflow-async-consumer [--bootstrap HOST:PORT] [--topic NAME] [--group ID]
                            [--count N] [--batch M]

Reads JSON orders in a consumer group, reports records that are not orders (with their
raw bytes) and moves past them, commits as it goes, and stops after N orders or on
SIGINT/SIGTERM, then closes.

  --bootstrap HOST:PORT  the cluster (default: KAFKA_BOOTSTRAP_SERVERS, with the other
                         KAFKA_* settings; without either, an embedded mock cluster
                         seeded with 20 orders and one malformed record)
  --topic NAME           topic to read (default orders)
  --group ID             consumer group (default kflow-async-consumer); a group that
                         committed before resumes where it left off
  --count N              orders to read, 0..1000000; 0 reads until a signal (default 20)
  --batch M              records per receive, 1..10000; 1 uses async_receive, more
                         async_receive_batch (default 16)
  -h, --help             show this help and exit

Exit status: 0 after a clean stop, 1 on an error, 2 on a bad argument.
)";

/// A whole number in [min, max], or std::nullopt.
[[nodiscard]] inline std::optional<int> parse_int(std::string_view text, int min, int max) {
    int value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || value < min || value > max)
        return std::nullopt;
    return value;
}

[[nodiscard]] inline parse_result parse_options(const std::vector<std::string_view>& args) {
    options out;
    const auto fail = [](std::string why) { return parse_result{std::nullopt, std::move(why)}; };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view name = args[i];
        if (name == "-h" || name == "--help") {
            out.help = true;
            continue;
        }
        if (name != "--bootstrap" && name != "--topic" && name != "--group" && name != "--count" &&
            name != "--batch") {
            return fail("unknown argument '" + std::string(name) + "'");
        }
        if (i + 1 == args.size())
            return fail(std::string(name) + " needs a value");
        const std::string_view value = args[++i];
        if (name == "--count" || name == "--batch") {
            const int min = name == "--count" ? 0 : 1;
            const int max = name == "--count" ? 1000000 : 10000;
            const auto n = parse_int(value, min, max);
            if (!n) {
                return fail(std::string(name) + " '" + std::string(value) + "': must be " +
                            std::to_string(min) + ".." + std::to_string(max));
            }
            (name == "--count" ? out.count : out.batch) = *n;
            continue;
        }
        if (value.empty())
            return fail(std::string(name) + " must not be empty");
        (name == "--bootstrap" ? out.bootstrap
         : name == "--topic"   ? out.topic
                               : out.group) = std::string(value);
    }
    return {out, {}};
}

}  // namespace example
