#pragma once
// The command line of kflow-pipeline, parsed without I/O: every mistake becomes one message
// naming the argument at fault.

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace example {

struct options {
    std::string bootstrap;  ///< empty: KAFKA_BOOTSTRAP_SERVERS, else an embedded mock cluster
    std::string input = "orders";
    std::string output = "order-totals";
    std::string dead_letter = "orders-dead-letter";
    std::string group = "kflow-pipeline";
    int count = 20;  ///< orders to process before stopping; 0: until SIGINT or SIGTERM
    bool help = false;
};

struct parse_result {
    std::optional<options> parsed;
    std::string error;
};

inline constexpr std::string_view usage_text =
    R"(usage: kflow-pipeline [--bootstrap HOST:PORT] [--input TOPIC] [--output TOPIC]
                      [--dead-letter TOPIC] [--group ID] [--count N]

Consume-transform-produce: reads JSON orders from the input topic, writes each
order's total to the output topic (key = customer), parks records that are not
orders in the dead-letter topic, and commits the input only once the outputs are
delivered (at-least-once). Stops after N orders or on SIGINT/SIGTERM.

  --bootstrap HOST:PORT  the cluster (default: KAFKA_BOOTSTRAP_SERVERS, with the other
                         KAFKA_* settings; without either, an embedded mock cluster
                         seeded with 20 orders and one malformed record)
  --input TOPIC          orders to read (default orders)
  --output TOPIC         totals to write (default order-totals)
  --dead-letter TOPIC    records that are not orders (default orders-dead-letter)
  --group ID             consumer group (default kflow-pipeline)
  --count N              orders to process, 0..1000000; 0: until a signal (default 20)
  -h, --help             show this help and exit

Exit status: 0 after a clean stop, 1 on an error (nothing undelivered is committed),
2 on a bad argument.
)";

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
    const auto text_option = [&](std::string_view name) -> std::string* {
        if (name == "--bootstrap")
            return &out.bootstrap;
        if (name == "--input")
            return &out.input;
        if (name == "--output")
            return &out.output;
        if (name == "--dead-letter")
            return &out.dead_letter;
        if (name == "--group")
            return &out.group;
        return nullptr;
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view name = args[i];
        if (name == "-h" || name == "--help") {
            out.help = true;
            continue;
        }
        std::string* text = text_option(name);
        if (text == nullptr && name != "--count") {
            return fail("unknown argument '" + std::string(name) + "'");
        }
        if (i + 1 == args.size())
            return fail(std::string(name) + " needs a value");
        const std::string_view value = args[++i];
        if (text != nullptr) {
            if (value.empty())
                return fail(std::string(name) + " must not be empty");
            *text = std::string(value);
        } else if (const auto n = parse_int(value, 0, 1000000)) {
            out.count = *n;
        } else {
            return fail("--count '" + std::string(value) + "': must be 0..1000000");
        }
    }
    if (out.input == out.output || out.input == out.dead_letter) {
        return fail("--input '" + out.input +
                    "' must differ from --output and --dead-letter: the pipeline would read "
                    "its own output");
    }
    return {out, {}};
}

}  // namespace example
