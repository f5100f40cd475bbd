// kflow-secure-connection: checks a secured connection to a Kafka platform. It builds the
// client configuration with kflow's preset for the platform (--platform), credentials taken
// from the environment, prints it with every secret as [redacted], then produces one record to
// --topic and reads it back within --timeout. A failure ends the run with one line naming its
// kind: authentication_failed, tls_handshake_failed, authorization_failed, timed_out.
//
// kflow's default security_failure_policy::fail makes a refused password or a failed TLS
// handshake final for the client at once, so a wrong setting is reported within a second, not
// after librdkafka's 5-minute message timeout.
//
// --platform mock (the default) runs the round trip against an embedded plaintext mock cluster:
// librdkafka's mock has no TLS or SASL listener, so the presets need a real platform.

#include "options.hpp"
#include "platforms.hpp"

#include <kflow.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr const char* program = "kflow-secure-connection";

/// Why the round trip failed: the error and where.
struct failure {
    std::error_code code;
    std::string what;
};

/// The last error librdkafka reported for a client, to explain a timeout (an unreachable
/// broker, a refused connection). Written from the polling thread; read after the poll.
struct last_error {
    std::mutex mutex;
    std::string message;

    void record(const kflow::error_info& e) {
        const std::lock_guard lock(mutex);
        message = e.message;
    }
    std::string get() {
        const std::lock_guard lock(mutex);
        return message;
    }
};

/// The kind of failure, as the one-line report names it, and what to check.
std::pair<std::string, std::string> classify(const std::error_code& code) {
    if (code == kflow::errc::authentication_failed) {
        return {"authentication_failed",
                "the broker refused the credentials or the SASL mechanism (check the user, "
                "password or API key and the mechanism the listener offers)"};
    }
    if (code == kflow::errc::tls_handshake_failed) {
        return {"tls_handshake_failed",
                "TLS certificate or handshake failure (check the CA, the broker's certificate "
                "and host name, the client certificate, and that the port speaks TLS)"};
    }
    if (code == std::errc::permission_denied) {
        return {"authorization_failed",
                "authenticated, but an ACL refuses this principal the topic, group or cluster"};
    }
    if (code == std::errc::timed_out) {
        return {"timed_out", "no answer within the deadline (is the bootstrap address reachable?)"};
    }
    if (code == kflow::errc::invalid_config)
        return {"invalid_config", "the configuration was rejected"};
    return {"error", code.message()};
}

std::string one_line(std::string text) {
    for (char& c : text) {
        if (c == '\n' || c == '\r')
            c = ' ';
    }
    return text;
}

int report(const failure& f, const std::string& context) {
    const auto [kind, hint] = classify(f.code);
    std::string line = std::string(program) + ": FAILED: " + kind + ": " + f.what;
    if (!context.empty())
        line += " (last error: " + context + ")";
    line += " -- " + hint;
    std::cerr << one_line(line) << '\n';
    return EXIT_FAILURE;
}

std::chrono::milliseconds remaining(clock_type::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    return std::max(left, 1ms);
}

/// Produces one record and reads it back from where it was stored, by `deadline`.
std::optional<failure> round_trip(const kflow::client_config& connection, const std::string& topic,
                                  clock_type::time_point deadline, last_error& heard) {
    const std::string key = kflow::testing::unique_name("check");
    const std::string value = "kflow-secure-connection check " + key;

    std::optional<kflow::record_metadata> stored;
    {
        kflow::producer_config config(connection);
        config.delivery_timeout(remaining(deadline)).on_error([&](const kflow::error_info& e) {
            heard.record(e);
        });
        if (!connection.contains("client.id"))  // KAFKA_CLIENT_ID wins
            config.client_id(program);
        kflow::producer<std::string, std::string> producer(config);
        std::error_code delivery;
        producer.send({topic, key, value},
                      [&](std::error_code ec, const kflow::record_metadata& md) {
                          if (ec)
                              delivery = ec;
                          else
                              stored = md;
                      });
        kflow::error_info flushed;
        producer.flush(remaining(deadline), flushed);
        if (!stored) {
            if (flushed)
                return failure{flushed.code, "producing to '" + topic + "': " + flushed.message};
            if (delivery)
                return failure{delivery, "producing to '" + topic + "': " + delivery.message()};
            return failure{kflow::errc::timed_out, "producing to '" + topic + "': no answer"};
        }
    }
    std::cout << program << ": produced to " << topic << " [" << stored->partition << "] @ "
              << stored->offset << '\n';

    kflow::consumer_config config(connection);
    config.group_id(kflow::testing::unique_name(program))
        .enable_auto_commit(false)
        .fetch_wait_max(100ms)
        .close_timeout(2s)
        .on_error([&](const kflow::error_info& e) { heard.record(e); });
    if (!connection.contains("client.id"))
        config.client_id(program);
    kflow::consumer<std::string, std::string> consumer(config);
    consumer.assign({kflow::topic_partition_offset(topic, stored->partition, stored->offset)});
    try {
        while (clock_type::now() < deadline) {
            for (const auto& record :
                 consumer.poll_batch(16, std::min(remaining(deadline), 200ms))) {
                if (record.key == key && record.value == value) {
                    std::cout << program << ": consumed it back from " << topic << " ["
                              << record.partition << "] @ " << record.offset << '\n';
                    return std::nullopt;
                }
            }
        }
    } catch (const kflow::kafka_error& e) {
        return failure{e.code(), std::string("consuming from '") + topic + "': " + e.what()};
    }
    return failure{kflow::errc::timed_out,
                   "consuming from '" + topic + "': the record was not read back in time"};
}

/// Adds the KAFKA_* settings the preset does not make (client.id, debug, ...); the preset's own
/// win, and a KAFKA_* variable that disagrees with one is named (never its value).
void add_other_settings(kflow::client_config& config, const kflow::env_config& from_env) {
    for (const auto& [key, value] : from_env.properties()) {
        if (!config.contains(key)) {
            config.set(key, value);
        } else if (config.get(key) != value) {
            std::cerr << program << ": note: the preset's " << key
                      << " is kept; the KAFKA_* variable for it is ignored\n";
        }
    }
    if (from_env.tls_required())
        config.require_tls();
}

}  // namespace

int main(int argc, char** argv) try {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    const auto parsed = example::parse_options(args);
    if (!parsed.parsed) {
        std::cerr << program << ": " << parsed.error << '\n' << example::usage_text;
        return 2;
    }
    const example::options& opt = *parsed.parsed;
    if (opt.help) {
        std::cout << example::usage_text;
        return EXIT_SUCCESS;
    }
    if (opt.help_platforms) {
        for (const auto& p : example::platforms)
            std::cout << p.name << ": " << p.description << "\n    reads: " << p.variables << '\n';
        std::cout << "Every platform but mock also takes the other KAFKA_* variables "
                     "(KAFKA_CLIENT_ID, KAFKA_DEBUG, KFLOW_REQUIRE_TLS, ...).\n";
        return EXIT_SUCCESS;
    }
    const example::platform* platform = example::find_platform(opt.platform);
    if (platform == nullptr) {
        std::cerr << program << ": --platform '" << opt.platform
                  << "': unknown (see --help-platforms)\n";
        return 2;
    }

    // Declared first, so that it outlives every client that talks to it.
    std::unique_ptr<kflow::testing::mock_cluster> embedded;
    const bool mock = platform->name == "mock";
    std::string bootstrap = opt.bootstrap;
    if (mock || opt.against_mock) {
        embedded = std::make_unique<kflow::testing::mock_cluster>(1);
        embedded->create_topic(opt.topic, 1);
        bootstrap = embedded->bootstrap_servers();
    }

    kflow::client_config config;
    try {
        if (mock) {
            // Plaintext only: the KAFKA_* settings are for a real platform.
            config = kflow::presets::apache_kafka(bootstrap);
        } else {
            config = example::preset_from_env(platform->name, bootstrap);
            add_other_settings(config, kflow::config_from_env());
            config.validate();
        }
    } catch (const example::missing_setting& e) {
        std::cerr << program << ": " << e.what() << '\n';
        return 2;
    } catch (const kflow::kafka_error& e) {
        // kflow's messages show secrets as [redacted].
        std::cerr << program << ": cannot build the configuration: " << e.what() << '\n';
        return 2;
    }

    std::cout << program << ": platform " << platform->name << ": " << platform->description
              << '\n';
    if (mock) {
        std::cout << program << ": embedded mock Kafka cluster at " << bootstrap
                  << " (plaintext: no TLS, no SASL; the other platforms need a real one)\n";
    } else if (opt.against_mock) {
        std::cout << program << ": pointed at an embedded plaintext mock Kafka cluster at "
                  << bootstrap << ": expect a security failure\n";
    }
    std::cout << program << ": security.protocol " << config.security_protocol()
              << ", configuration (secrets redacted):\n"
              << config;
    if (platform->name == "aws-msk-iam") {
        std::cout << "(OAUTHBEARER token from "
                  << (example::env("MSK_IAM_TOKEN_COMMAND") ? "MSK_IAM_TOKEN_COMMAND"
                                                            : "MSK_IAM_TOKEN")
                  << ", not shown)\n";
    }
    if (opt.print_config)
        return EXIT_SUCCESS;

    std::cout << program << ": round trip on " << opt.topic << " within " << opt.timeout_seconds
              << " s\n"
              << std::flush;
    last_error heard;
    const auto start = clock_type::now();
    const auto deadline = start + std::chrono::seconds(opt.timeout_seconds);
    if (const auto failed = round_trip(config, opt.topic, deadline, heard)) {
        const bool timed_out = failed->code == std::errc::timed_out;
        return report(*failed, timed_out ? heard.get() : std::string());
    }
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
    std::cout << program << ": OK: connected to " << platform->name
              << " and round-tripped a record in " << took.count() << " ms\n";
    return EXIT_SUCCESS;
} catch (const kflow::kafka_error& e) {
    return report({e.code(), e.what()}, {});
} catch (const std::exception& e) {
    std::cerr << program << ": FAILED: error: " << one_line(e.what()) << '\n';
    return EXIT_FAILURE;
}
