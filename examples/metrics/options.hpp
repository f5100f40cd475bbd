#pragma once
// The command line of kflow-metrics-demo, parsed without I/O: every mistake becomes one message
// naming the argument at fault.

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace example {

struct options {
    std::string listen = "127.0.0.1";  ///< the address /metrics is served on
    int port = 0;                      ///< 0: an ephemeral port, printed on the first line
    std::string topic = "kflow-metrics-demo";
    std::string group = "kflow-metrics-demo";
    int interval_ms = 50;  ///< the producer sends a record this often
    int rate = 10;         ///< the consumer handles at most this many records per second
    bool help = false;
};

struct parse_result {
    std::optional<options> parsed;
    std::string error;
};

inline constexpr std::string_view usage_text =
    R"(usage: kflow-metrics-demo [--listen ADDRESS] [--port N] [--topic NAME] [--group ID]
                          [--interval MS] [--rate N]

A producer and a slower consumer in a group, both exported as Prometheus metrics at
http://ADDRESS:PORT/metrics, until SIGINT or SIGTERM. The first line of output is
metrics=<the URL>.

  --listen ADDRESS  address to serve /metrics on (default 127.0.0.1)
  --port N          port to serve /metrics on, 0..65535; 0 picks a free one (default 0)
  --topic NAME      topic to produce to and consume from (default kflow-metrics-demo)
  --group ID        the consumer's group (default kflow-metrics-demo)
  --interval MS     the producer sends a record every MS ms, 1..60000 (default 50)
  --rate N          the consumer handles at most N records per second, 1..100000
                    (default 10): below the producer's pace, so the group lags behind
  -h, --help        show this help and exit

Without KAFKA_BOOTSTRAP_SERVERS an embedded mock Kafka cluster is used, with the topic
created with 3 partitions; with it, that cluster (every KAFKA_* variable applies).

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
    struct number {
        std::string_view name;
        int* target;
        int min;
        int max;
    };
    const number numbers[] = {{"--port", &out.port, 0, 65535},
                              {"--interval", &out.interval_ms, 1, 60000},
                              {"--rate", &out.rate, 1, 100000}};
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view name = args[i];
        if (name == "-h" || name == "--help") {
            out.help = true;
            continue;
        }
        std::string* text = name == "--listen"  ? &out.listen
                            : name == "--topic" ? &out.topic
                            : name == "--group" ? &out.group
                                                : nullptr;
        const number* numeric = nullptr;
        for (const auto& n : numbers) {
            if (n.name == name)
                numeric = &n;
        }
        if (text == nullptr && numeric == nullptr)
            return fail("unknown argument '" + std::string(name) + "'");
        if (i + 1 == args.size())
            return fail(std::string(name) + " needs a value");
        const std::string_view value = args[++i];
        if (numeric != nullptr) {
            const auto n = parse_int(value, numeric->min, numeric->max);
            if (!n) {
                return fail(std::string(name) + " '" + std::string(value) + "': must be a whole " +
                            "number from " + std::to_string(numeric->min) + " to " +
                            std::to_string(numeric->max));
            }
            *numeric->target = *n;
            continue;
        }
        if (value.empty())
            return fail(std::string(name) + " needs a non-empty value");
        *text = std::string(value);
    }
    return {out, {}};
}

}  // namespace example
