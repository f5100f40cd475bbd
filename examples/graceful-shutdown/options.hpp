#pragma once
// The command line of kflow-graceful-shutdown, parsed without I/O: every mistake becomes one
// message naming the argument at fault.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace example {

struct options {
    std::string bootstrap;  ///< empty: KAFKA_BOOTSTRAP_SERVERS, else an embedded mock cluster
    std::string input = "orders";
    std::string output = "order-confirmations";
    std::string group = "kflow-graceful-shutdown";
    bool help = false;
};

struct parse_result {
    std::optional<options> parsed;
    std::string error;
};

inline constexpr std::string_view usage_text =
    R"(usage: kflow-graceful-shutdown [--bootstrap HOST:PORT] [--input TOPIC] [--output TOPIC]
                               [--group ID]

A long-running service: reads orders, emits a confirmation for each, until SIGINT or
SIGTERM. Then it stops consuming, flushes the confirmations, commits what it handled,
closes the consumer (each step bounded), prints a summary and exits 0.

  --bootstrap HOST:PORT  the cluster (default: KAFKA_BOOTSTRAP_SERVERS, with the other
                         KAFKA_* settings; without either, an embedded mock cluster fed
                         with an order every 50 ms)
  --input TOPIC          orders to read (default orders)
  --output TOPIC         confirmations to write (default order-confirmations)
  --group ID             consumer group (default kflow-graceful-shutdown)
  -h, --help             show this help and exit

Exit status: 0 after a clean shutdown, 1 when a step failed or ran out of time, 2 on a
bad argument.
)";

[[nodiscard]] inline parse_result parse_options(const std::vector<std::string_view>& args) {
    options out;
    const auto fail = [](std::string why) { return parse_result{std::nullopt, std::move(why)}; };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view name = args[i];
        if (name == "-h" || name == "--help") {
            out.help = true;
            continue;
        }
        std::string* target = name == "--bootstrap" ? &out.bootstrap
                              : name == "--input"   ? &out.input
                              : name == "--output"  ? &out.output
                              : name == "--group"   ? &out.group
                                                    : nullptr;
        if (target == nullptr)
            return fail("unknown argument '" + std::string(name) + "'");
        if (i + 1 == args.size())
            return fail(std::string(name) + " needs a value");
        const std::string_view value = args[++i];
        if (value.empty())
            return fail(std::string(name) + " must not be empty");
        *target = std::string(value);
    }
    if (out.input == out.output) {
        return fail("--input and --output are both '" + out.input +
                    "': the service would read its own confirmations");
    }
    return {out, {}};
}

}  // namespace example
