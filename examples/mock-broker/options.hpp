#pragma once
// The command line of kflow-mock-broker, parsed without any I/O so that every mistake becomes one
// message naming the argument at fault.

#include <charconv>
#include <chrono>
#include <cstdint>
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

/// `--broker-down-after SECONDS[:ID]`: take broker `broker_id` down once `delay` has passed.
struct down_after_spec {
    std::chrono::milliseconds delay{0};
    int broker_id = 1;
};

struct options {
    int brokers = 1;
    std::vector<topic_spec> topics;
    /// `--port BASE`: broker i (1-based) is reached at 127.0.0.1:BASE+i-1 through a relay.
    std::optional<int> port;
    /// `--rtt-ms MS`: every broker's round-trip time.
    std::optional<int> rtt_ms;
    std::optional<down_after_spec> broker_down_after;
    /// `--commands`: read commands from standard input, one per line.
    bool commands = false;
    bool help = false;
};

/// Either options, or the reason the command line was refused.
struct parse_result {
    std::optional<options> parsed;
    std::string error;
};

inline constexpr std::string_view usage_text =
    R"(usage: kflow-mock-broker [--brokers N] [--topic NAME:PARTITIONS[:RF]]...
                         [--port BASE] [--rtt-ms MS] [--broker-down-after SECONDS[:ID]]
                         [--commands] [--help]

Runs librdkafka's mock Kafka cluster in this process until SIGINT or SIGTERM
(or the "quit" command). The first line on standard output is
"bootstrap=HOST:PORT,..." (one address per broker); point any Kafka client
(kflow, kcat, kafka-python, ...) at it.

  --brokers N                   number of brokers, ids 1..N (default 1)
  --topic NAME:PARTITIONS[:RF]  create topic NAME with PARTITIONS partitions and
                                replication factor RF (default 1, at most N;
                                checked like a real cluster would, though
                                librdkafka 2.0.2's mock keeps one replica);
                                repeatable. Other topics are created on first
                                use with 4 partitions.
  --port BASE                   fixed ports: broker i is also reachable at
                                127.0.0.1:BASE+i-1 (a relay to the port the mock
                                chose), and the bootstrap line lists these. The
                                Metadata the brokers send still advertises the
                                mock's own ports, which clients then use.
  --rtt-ms MS                   delay every broker's responses by MS
                                milliseconds (0 to 600000)
  --broker-down-after SECONDS[:ID]
                                take broker ID (default 1) down SECONDS after
                                start (a decimal number, 0 to 86400); prints
                                "event: broker ID down" on standard output
  --commands                    read commands from standard input, one a line;
                                each is answered with one line, "ok" or
                                "error: WHY" (see below)
  -h, --help                    show this help and exit

Commands (with --commands; ID is a broker id or "all"):
  down ID                       take a broker off the network: its connections
                                drop and new ones are closed at once
  up ID                         bring it back
  rtt ID MS                     delay a broker's responses by MS milliseconds
  error API CODE [CODE...]      the next responses to API, on any broker, fail
                                with these codes, one per request. API is a name
                                (produce, fetch, metadata, end_txn,
                                init_producer_id, ... or Produce, EndTxn, ...)
                                or a number; CODE an error name
                                (NOT_LEADER_FOR_PARTITION, ...) or a number
  topic NAME PARTITIONS [RF]    create a topic
  quit                          stop the cluster and exit 0
Empty lines and lines starting with "#" are ignored, unanswered. At the end of
standard input the broker keeps serving until SIGINT or SIGTERM. Besides the
answers, standard output carries the bootstrap line and lines starting with
"event: ", never in the middle of an answer.

Exit status: 0 after a clean stop (SIGINT, SIGTERM or "quit"), 2 on a bad
argument, 1 if the cluster cannot start (a --port already in use included).
)";

namespace detail {

// Limits that keep a typo (an extra zero) from opening thousands of sockets.
inline constexpr int max_brokers = 64;
inline constexpr int max_partitions = 10000;
inline constexpr int max_port = 65535;
inline constexpr int max_rtt_ms = 600000;
inline constexpr double max_down_after_s = 86400;

/// A whole number in [min, max], or std::nullopt.
[[nodiscard]] inline std::optional<int> parse_int(std::string_view text, int min, int max) {
    int value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || value < min || value > max)
        return std::nullopt;
    return value;
}

/// A decimal number of seconds in [0, max], as milliseconds, or std::nullopt.
[[nodiscard]] inline std::optional<std::chrono::milliseconds> parse_seconds(std::string_view text,
                                                                            double max) {
    double value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::fixed);
    // `!(value >= 0)` also refuses NaN, which from_chars does not produce in fixed format anyway.
    if (text.empty() || ec != std::errc{} || ptr != end || !(value >= 0) || value > max)
        return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(value * 1000 + 0.5));
}

/// SECONDS[:ID]; `error` says what is wrong with `spec` when std::nullopt.
[[nodiscard]] inline std::optional<down_after_spec> parse_down_after(std::string_view spec,
                                                                     std::string& error) {
    const auto colon = spec.find(':');
    down_after_spec out;
    if (auto delay = parse_seconds(spec.substr(0, colon), max_down_after_s)) {
        out.delay = *delay;
    } else {
        error = "--broker-down-after '" + std::string(spec) +
                "': SECONDS must be a number from 0 to 86400";
        return std::nullopt;
    }
    if (colon != std::string_view::npos) {
        // The upper bound (the broker count) is checked once every argument is known.
        if (auto id = parse_int(spec.substr(colon + 1), 1, max_brokers)) {
            out.broker_id = *id;
        } else {
            error = "--broker-down-after '" + std::string(spec) +
                    "': ID must be a broker id from 1 to the broker count";
            return std::nullopt;
        }
    }
    return out;
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

/// Parses argv[1..]: the options of usage_text, each also as `--opt=value`.
[[nodiscard]] inline parse_result parse_options(const std::vector<std::string_view>& args) {
    options out;
    std::string error;
    const auto fail = [&](std::string why) { return parse_result{std::nullopt, std::move(why)}; };
    const auto bad_int = [&](std::string_view name, std::string_view value, int min, int max) {
        return fail(std::string(name) + " '" + std::string(value) +
                    "': must be a whole number from " + std::to_string(min) + " to " +
                    std::to_string(max));
    };

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
        if (name == "--commands") {
            if (value)
                return fail("--commands takes no value");
            out.commands = true;
            continue;
        }
        if (name != "--brokers" && name != "--topic" && name != "--port" && name != "--rtt-ms" &&
            name != "--broker-down-after") {
            return fail("unknown argument '" + std::string(arg) + "'");
        }
        if (!value) {
            if (i + 1 == args.size())
                return fail(std::string(name) + " needs a value");
            value = args[++i];
        }
        if (name == "--brokers") {
            auto n = detail::parse_int(*value, 1, detail::max_brokers);
            if (!n)
                return bad_int(name, *value, 1, detail::max_brokers);
            out.brokers = *n;
        } else if (name == "--port") {
            // Port 0 would be the ephemeral port the mock already has: not a fixed one.
            auto port = detail::parse_int(*value, 1, detail::max_port);
            if (!port)
                return bad_int(name, *value, 1, detail::max_port);
            out.port = *port;
        } else if (name == "--rtt-ms") {
            auto rtt = detail::parse_int(*value, 0, detail::max_rtt_ms);
            if (!rtt)
                return bad_int(name, *value, 0, detail::max_rtt_ms);
            out.rtt_ms = *rtt;
        } else if (name == "--broker-down-after") {
            auto spec = detail::parse_down_after(*value, error);
            if (!spec)
                return fail(error);
            out.broker_down_after = *spec;
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
    if (out.port && *out.port + out.brokers - 1 > detail::max_port) {
        return fail("--port " + std::to_string(*out.port) + ": the last of " +
                    std::to_string(out.brokers) + " broker port(s) would be " +
                    std::to_string(*out.port + out.brokers - 1) + ", above " +
                    std::to_string(detail::max_port));
    }
    if (out.broker_down_after && out.broker_down_after->broker_id > out.brokers) {
        return fail("--broker-down-after: broker " +
                    std::to_string(out.broker_down_after->broker_id) +
                    " exceeds the broker count " + std::to_string(out.brokers) + " (--brokers)");
    }
    return {std::move(out), {}};
}

}  // namespace mock_broker
