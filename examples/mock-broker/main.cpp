// kflow-mock-broker: librdkafka's mock Kafka cluster as a process of its own, so that any Kafka
// client (kflow, kcat, kafka-python, Java, ...) can talk to it over 127.0.0.1.
//
//   $ kflow-mock-broker --brokers 3 --topic orders:6:3
//   bootstrap=127.0.0.1:39031,127.0.0.1:41735,127.0.0.1:36541
//
// It runs until SIGINT or SIGTERM, then stops the cluster and exits 0.

#include "options.hpp"

#include <kflow/testing/mock_cluster.hpp>

#include <pthread.h>
#include <csignal>
#include <cstring>
#include <exception>
#include <iostream>
#include <string_view>
#include <vector>

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

/// The signals that stop the broker, blocked in every thread so only sigwait() receives them.
sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

std::string describe(const mock_broker::options& opts) {
    std::string out = std::to_string(opts.brokers) + " broker(s)";
    for (const auto& t : opts.topics) {
        out += ", topic " + t.name + " (" + std::to_string(t.partitions) + " partition(s), RF " +
               std::to_string(t.replication_factor) + ")";
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    const auto result = mock_broker::parse_options(args);
    if (!result.parsed) {
        std::cerr << "kflow-mock-broker: " << result.error << "\n\n" << mock_broker::usage_text;
        return exit_usage;
    }
    const auto& opts = *result.parsed;
    if (opts.help) {
        std::cout << mock_broker::usage_text;
        return exit_ok;
    }

    // librdkafka's threads inherit this mask, so a stop signal can only be taken by the
    // sigwait() below: no handler runs inside a librdkafka thread, and nothing polls.
    const sigset_t stop = stop_signals();
    if (const int err = pthread_sigmask(SIG_BLOCK, &stop, nullptr); err != 0) {
        std::cerr << "kflow-mock-broker: cannot block signals: " << std::strerror(err) << '\n';
        return exit_failed;
    }
    // A client that goes away mid-response must never kill the broker.
    std::signal(SIGPIPE, SIG_IGN);

    try {
        kflow::testing::mock_cluster cluster(opts.brokers);
        for (const auto& t : opts.topics) {
            cluster.create_topic(t.name, t.partitions, t.replication_factor);
        }
        // The first line is the contract with scripts and tests: flush it at once.
        std::cout << "bootstrap=" << cluster.bootstrap_servers() << std::endl;
        std::cerr << "kflow-mock-broker: serving " << describe(opts)
                  << "; stop with SIGINT or SIGTERM\n";

        int signal_number = 0;
        if (const int err = sigwait(&stop, &signal_number); err != 0) {
            std::cerr << "kflow-mock-broker: sigwait failed: " << std::strerror(err) << '\n';
            return exit_failed;
        }
        std::cerr << "kflow-mock-broker: " << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
                  << " received, stopping\n";
    } catch (const std::exception& e) {
        std::cerr << "kflow-mock-broker: " << e.what() << '\n';
        return exit_failed;
    }
    return exit_ok;
}
