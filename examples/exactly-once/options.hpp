#pragma once
// The command line of kflow-exactly-once, parsed without I/O: every mistake becomes one message
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
    std::string group = "kflow-exactly-once";
    /// Empty: KAFKA_TRANSACTIONAL_ID when set, else default_transactional_id.
    std::string transactional_id;
    /// Input records to process before stopping; 0: until SIGINT or SIGTERM; std::nullopt:
    /// everything seeded on the embedded mock cluster, until a signal on a real one.
    std::optional<int> max_records;
    int batch = 16;        ///< input records per transaction at most
    int inject_abort = 0;  ///< embedded mock only: the commit of this transaction fails; 0: none
    bool help = false;
};

inline constexpr std::string_view default_transactional_id = "kflow-exactly-once-0";

struct parse_result {
    std::optional<options> parsed;
    std::string error;
};

inline constexpr std::string_view usage_text =
    R"(usage: kflow-exactly-once [--bootstrap HOST:PORT] [--input TOPIC] [--output TOPIC]
                         [--dead-letter TOPIC] [--group ID] [--transactional-id ID]
                         [--max-records N] [--batch M] [--inject-abort T]

Consume-transform-produce exactly once: reads JSON orders from the input topic and,
in one Kafka transaction per batch, writes each order's total to the output topic
(key = customer), parks records that are not orders or that the rules reject in the
dead-letter topic, and commits the batch's input offsets. A transaction that fails
is aborted and its batch read again. Stops after N records or on SIGINT/SIGTERM.

  --bootstrap HOST:PORT    the cluster (default: KAFKA_BOOTSTRAP_SERVERS, with the other
                           KAFKA_* settings; without either, an embedded mock cluster
                           seeded with 20 orders, 2 malformed records and 1 rejected order)
  --input TOPIC            orders to read (default orders)
  --output TOPIC           totals to write (default order-totals)
  --dead-letter TOPIC      records that cannot be settled (default orders-dead-letter)
  --group ID               consumer group (default kflow-exactly-once)
  --transactional-id ID    this instance's transactional id: its own for each instance
                           running at once, the same after a restart (default:
                           KAFKA_TRANSACTIONAL_ID, else kflow-exactly-once-0)
  --max-records N          input records to process, 0..1000000; 0: until a signal
                           (default: all that were seeded on the embedded mock cluster,
                           until a signal on a real one)
  --batch M                input records per transaction at most, 1..10000 (default 16)
  --inject-abort T         embedded mock cluster only: make the commit of transaction T
                           fail, to show the abort, rewind and redo (default 0: none)
  -h, --help               show this help and exit

Exit status: 0 after a clean stop with every record read written to the output or the
dead-letter topic, 1 on an error, 2 on a bad argument.
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
        if (name == "--transactional-id")
            return &out.transactional_id;
        return nullptr;
    };
    struct number_option {
        std::string_view name;
        int min;
        int max;
    };
    const auto number = [](std::string_view name) -> std::optional<number_option> {
        if (name == "--max-records")
            return number_option{name, 0, 1000000};
        if (name == "--batch")
            return number_option{name, 1, 10000};
        if (name == "--inject-abort")
            return number_option{name, 0, 1000000};
        return std::nullopt;
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view name = args[i];
        if (name == "-h" || name == "--help") {
            out.help = true;
            continue;
        }
        std::string* text = text_option(name);
        const auto numeric = number(name);
        if (text == nullptr && !numeric)
            return fail("unknown argument '" + std::string(name) + "'");
        if (i + 1 == args.size())
            return fail(std::string(name) + " needs a value");
        const std::string_view value = args[++i];
        if (text != nullptr) {
            if (value.empty())
                return fail(std::string(name) + " must not be empty");
            *text = std::string(value);
            continue;
        }
        const auto n = parse_int(value, numeric->min, numeric->max);
        if (!n) {
            return fail(std::string(name) + " '" + std::string(value) + "': must be " +
                        std::to_string(numeric->min) + ".." + std::to_string(numeric->max));
        }
        if (name == "--max-records")
            out.max_records = *n;
        else if (name == "--batch")
            out.batch = *n;
        else
            out.inject_abort = *n;
    }
    if (out.input == out.output || out.input == out.dead_letter) {
        return fail("--input '" + out.input +
                    "' must differ from --output and --dead-letter: the pipeline would read "
                    "its own output");
    }
    return {out, {}};
}

}  // namespace example
