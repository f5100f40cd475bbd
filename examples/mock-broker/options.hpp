#pragma once
// The command line of kflow-mock-broker, parsed without any I/O so that every mistake becomes one
// message naming the argument at fault.

#include <charconv>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mock_broker {

/// A topic to create before the bootstrap line is printed.
struct topic_spec {
    std::string name;
    int partitions = 1;
    int replication_factor = 1;
};

struct options {
    int brokers = 1;
    std::vector<topic_spec> topics;
    bool help = false;
};

/// Either options, or the reason the command line was refused.
struct parse_result {
    std::optional<options> parsed;
    std::string error;
};

inline constexpr std::string_view usage_text =
    R"(usage: kflow-mock-broker [--brokers N] [--topic NAME:PARTITIONS[:RF]]... [--help]

Runs librdkafka's mock Kafka cluster in this process until SIGINT or SIGTERM.
The first line on standard output is "bootstrap=HOST:PORT,..." (one address per
broker); point any Kafka client (kflow, kcat, kafka-python, ...) at it.

  --brokers N                   number of brokers, ids 1..N (default 1)
  --topic NAME:PARTITIONS[:RF]  create topic NAME with PARTITIONS partitions and
                                replication factor RF (default 1, at most N;
                                checked like a real cluster would, though
                                librdkafka 2.0.2's mock keeps one replica);
                                repeatable. Other topics are created on first
                                use with 4 partitions.
  -h, --help                    show this help and exit

Exit status: 0 after a clean stop, 2 on a bad argument, 1 if the cluster
cannot start.
)";

namespace detail {

// Limits that keep a typo (an extra zero) from opening thousands of sockets.
inline constexpr int max_brokers = 64;
inline constexpr int max_partitions = 10000;

/// A whole number in [min, max], or std::nullopt.
[[nodiscard]] inline std::optional<int> parse_int(std::string_view text, int min, int max) {
    int value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || value < min || value > max)
        return std::nullopt;
    return value;
}

/// Kafka's own rule for topic names: 1..249 of [a-zA-Z0-9._-].
[[nodiscard]] inline bool is_valid_topic_name(std::string_view name) {
    if (name.empty() || name.size() > 249 || name == "." || name == "..")
        return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

/// NAME:PARTITIONS[:RF]; `error` says what is wrong with `spec` when std::nullopt.
[[nodiscard]] inline std::optional<topic_spec> parse_topic(std::string_view spec,
                                                           std::string& error) {
    const auto fail = [&](const std::string& why) {
        error = "--topic '" + std::string(spec) + "': " + why;
        return std::nullopt;
    };
    const auto first = spec.find(':');
    if (first == std::string_view::npos)
        return fail("expected NAME:PARTITIONS[:RF]");
    const auto second = spec.find(':', first + 1);
    const std::string_view name = spec.substr(0, first);
    const std::string_view partitions = spec.substr(
        first + 1, second == std::string_view::npos ? std::string_view::npos : second - first - 1);
    if (!is_valid_topic_name(name)) {
        return fail("topic name must be 1-249 characters of a-z A-Z 0-9 . _ -");
    }
    topic_spec out{std::string(name), 1, 1};
    if (auto n = parse_int(partitions, 1, max_partitions)) {
        out.partitions = *n;
    } else {
        return fail("PARTITIONS must be a whole number from 1 to " +
                    std::to_string(max_partitions));
    }
    if (second != std::string_view::npos) {
        // The upper bound (the broker count) is checked once every argument is known.
        if (auto rf = parse_int(spec.substr(second + 1), 1, max_brokers)) {
            out.replication_factor = *rf;
        } else {
            return fail("RF must be a whole number from 1 to the broker count");
        }
    }
    return out;
}

}  // namespace detail

/// Parses argv[1..]: `--brokers N`, `--topic SPEC` (also as `--opt=value`), `-h`/`--help`.
[[nodiscard]] inline parse_result parse_options(const std::vector<std::string_view>& args) {
    options out;
    std::string error;
    const auto fail = [&](std::string why) { return parse_result{std::nullopt, std::move(why)}; };

    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (arg == "-h" || arg == "--help") {
            out.help = true;
            continue;
        }
        std::string_view name = arg;
        std::optional<std::string_view> value;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
        }
        if (name != "--brokers" && name != "--topic") {
            return fail("unknown argument '" + std::string(arg) + "'");
        }
        if (!value) {
            if (i + 1 == args.size())
                return fail(std::string(name) + " needs a value");
            value = args[++i];
        }
        if (name == "--brokers") {
            auto n = detail::parse_int(*value, 1, detail::max_brokers);
            if (!n) {
                return fail("--brokers '" + std::string(*value) +
                            "': must be a whole number from 1 to " +
                            std::to_string(detail::max_brokers));
            }
            out.brokers = *n;
        } else {
            auto topic = detail::parse_topic(*value, error);
            if (!topic)
                return fail(error);
            out.topics.push_back(std::move(*topic));
        }
    }

    std::set<std::string> seen;
    for (const auto& t : out.topics) {
        if (!seen.insert(t.name).second)
            return fail("--topic '" + t.name + "' given twice");
        if (t.replication_factor > out.brokers) {
            return fail("--topic '" + t.name + "': replication factor " +
                        std::to_string(t.replication_factor) + " exceeds the broker count " +
                        std::to_string(out.brokers) + " (--brokers)");
        }
    }
    return {std::move(out), {}};
}

}  // namespace mock_broker
