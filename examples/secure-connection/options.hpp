#pragma once
// The command line of kflow-secure-connection, parsed without I/O: every mistake becomes one
// message naming the argument at fault.

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace example {

struct options {
    std::string platform = "mock";
    std::string topic = "kflow-secure-connection-check";
    std::string bootstrap;  ///< empty: the platform's own (KAFKA_BOOTSTRAP_SERVERS, ...)
    int timeout_seconds = 30;
    bool print_config = false;
    bool against_mock = false;  ///< point the preset at an embedded plaintext mock cluster
    bool help = false;
    bool help_platforms = false;
};

struct parse_result {
    std::optional<options> parsed;
    std::string error;
};

inline constexpr std::string_view usage_text =
    R"(usage: kflow-secure-connection [--platform NAME] [--topic TOPIC] [--timeout SECONDS]
                               [--bootstrap HOST:PORT | --against-mock] [--print-config]

Connects to a Kafka platform with kflow's preset for it, credentials taken from the
environment, prints the configuration (secrets shown as [redacted]), then produces one
record to TOPIC and reads it back, all within the timeout.

  --platform NAME        mock (default), apache-kafka-scram, apache-kafka-mtls,
                         confluent-cloud, redpanda, aws-msk-scram, aws-msk-tls,
                         aws-msk-iam, azure-event-hubs (see --help-platforms)
  --topic TOPIC          the topic of the round trip; it must exist unless the cluster
                         creates topics on first use (default kflow-secure-connection-check)
  --timeout SECONDS      the whole round trip's deadline, 1..600 (default 30)
  --bootstrap HOST:PORT  connect there instead of the platform's bootstrap servers
  --against-mock         point the preset at an embedded plaintext mock cluster instead: shows
                         how a TLS or SASL failure is reported
  --print-config         print the redacted configuration and exit without connecting
  --help-platforms       the environment variables each platform reads
  -h, --help             show this help and exit

Exit status: 0 when the record came back, 1 when the connection or the round trip failed
(the line says whether authentication, authorization or TLS failed), 2 on a bad argument,
a missing variable or a configuration that cannot be built.
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
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view name = args[i];
        if (name == "-h" || name == "--help") {
            out.help = true;
            continue;
        }
        if (name == "--help-platforms") {
            out.help_platforms = true;
            continue;
        }
        if (name == "--print-config") {
            out.print_config = true;
            continue;
        }
        if (name == "--against-mock") {
            out.against_mock = true;
            continue;
        }
        if (name != "--platform" && name != "--topic" && name != "--bootstrap" &&
            name != "--timeout") {
            return fail("unknown argument '" + std::string(name) + "'");
        }
        if (i + 1 == args.size())
            return fail(std::string(name) + " needs a value");
        const std::string_view value = args[++i];
        if (value.empty())
            return fail(std::string(name) + " must not be empty");
        if (name == "--platform") {
            out.platform = std::string(value);
        } else if (name == "--topic") {
            out.topic = std::string(value);
        } else if (name == "--bootstrap") {
            out.bootstrap = std::string(value);
        } else if (const auto n = parse_int(value, 1, 600)) {
            out.timeout_seconds = *n;
        } else {
            return fail("--timeout '" + std::string(value) + "': must be 1..600 seconds");
        }
    }
    if (out.against_mock && !out.bootstrap.empty())
        return fail("--against-mock and --bootstrap both say where to connect: give one");
    return {out, {}};
}

}  // namespace example
