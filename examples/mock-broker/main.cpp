// kflow-mock-broker: librdkafka's mock Kafka cluster as a process of its own, so that any Kafka
// client (kflow, kcat, kafka-python, Java, ...) can talk to it over 127.0.0.1.
//
//   $ kflow-mock-broker --brokers 3 --topic orders:6:3
//   bootstrap=127.0.0.1:39031,127.0.0.1:41735,127.0.0.1:36541
//
// It runs until SIGINT or SIGTERM (or the `quit` command with --commands), then stops the
// cluster and exits 0. --port gives the brokers fixed ports, --rtt-ms, --broker-down-after and
// --commands inject faults: see options.hpp's usage text.

#include "commands.hpp"
#include "line_reader.hpp"
#include "options.hpp"
#include "relay.hpp"

#include <kflow/testing/mock_cluster.hpp>

#include <pthread.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <exception>
#include <iostream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

// What `quit` sends with the SIGTERM it queues to this process, to tell it from a real one.
constexpr int quit_signal_value = 0x717569;  // "qui"

/// The signals that stop the broker, blocked in every thread so only sigwaitinfo() receives them.
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

/// Whole lines on standard output, flushed at once: the bootstrap line, command answers and
/// events come from different threads, and scripts wait for each as it happens.
class stdout_lines {
  public:
    void write(std::string_view line) {
        const std::lock_guard lock(mutex_);
        std::cout << line << std::endl;
    }

  private:
    std::mutex mutex_;
};

/// The ports in "127.0.0.1:p1,127.0.0.1:p2,...", in broker id order (the mock lists its
/// brokers as it created them, ids 1..N).
std::vector<int> ports_of(std::string_view bootstrap) {
    std::vector<int> out;
    while (!bootstrap.empty()) {
        const auto comma = bootstrap.find(',');
        const auto address = bootstrap.substr(0, comma);
        const auto colon = address.rfind(':');
        const auto port = colon == std::string_view::npos
                              ? std::nullopt
                              : mock_broker::detail::parse_int(address.substr(colon + 1), 1, 65535);
        if (!port)
            throw std::runtime_error("unexpected mock bootstrap address '" + std::string(address) +
                                     "'");
        out.push_back(*port);
        bootstrap =
            comma == std::string_view::npos ? std::string_view{} : bootstrap.substr(comma + 1);
    }
    return out;
}

/// --broker-down-after: waits for the delay (or a stop), then takes the broker down.
std::jthread start_down_timer(const mock_broker::down_after_spec& spec,
                              kflow::testing::mock_cluster& cluster, stdout_lines& out) {
    return std::jthread([spec, &cluster, &out](std::stop_token stop) {
        std::mutex mutex;
        std::condition_variable_any cv;
        std::unique_lock lock(mutex);
        // Only a stop wakes it before the deadline: then the broker is shutting down anyway.
        if (cv.wait_for(lock, stop, spec.delay, [] { return false; }) || stop.stop_requested())
            return;
        const std::string id = std::to_string(spec.broker_id);
        try {
            cluster.broker_down(spec.broker_id);
        } catch (const std::exception& e) {
            std::cerr << "kflow-mock-broker: --broker-down-after: " << e.what() << '\n';
            return;
        }
        out.write("event: broker " + id + " down");
        std::cerr << "kflow-mock-broker: broker " << id << " down (--broker-down-after)\n";
    });
}

/// --commands: reads standard input on a thread of its own until its end or stop().
class command_loop {
  public:
    command_loop(kflow::testing::mock_cluster& cluster, stdout_lines& out)
        : reader_(STDIN_FILENO), runner_(cluster), thread_([this, &out] { run(out); }) {}

    command_loop(const command_loop&) = delete;
    command_loop& operator=(const command_loop&) = delete;

    // Joined before the cluster the commands act on is destroyed.
    ~command_loop() {
        reader_.stop();
        thread_.join();
    }

  private:
    void run(stdout_lines& out) {
        while (auto line = reader_.next()) {
            const auto outcome = runner_.run(*line);
            if (outcome.answer.empty())
                continue;
            out.write(outcome.answer);
            std::cerr << "kflow-mock-broker: command '" << *line << "': " << outcome.answer << '\n';
            if (outcome.quit) {
                // main() is in sigwaitinfo(): a queued SIGTERM carrying our value wakes it, and
                // tells it the stop was asked for here.
                sigval value{};
                value.sival_int = quit_signal_value;
                sigqueue(getpid(), SIGTERM, value);
                return;
            }
        }
        // The end of the commands is not the end of the broker: a harness that closes its end of
        // the pipe (or never writes) still stops it with a signal or `quit`, as without
        // --commands.
        std::cerr << "kflow-mock-broker: standard input ended; serving until SIGINT or SIGTERM\n";
    }

    mock_broker::line_reader reader_;
    mock_broker::command_runner runner_;
    std::thread thread_;  // last: started once the members it uses exist
};

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
    // sigwaitinfo() below: no handler runs inside a librdkafka thread, and nothing polls.
    const sigset_t stop = stop_signals();
    if (const int err = pthread_sigmask(SIG_BLOCK, &stop, nullptr); err != 0) {
        std::cerr << "kflow-mock-broker: cannot block signals: " << std::strerror(err) << '\n';
        return exit_failed;
    }
    // A client that goes away mid-response must never kill the broker.
    std::signal(SIGPIPE, SIG_IGN);

    try {
        // The fixed ports are taken first, so that the mock's ephemeral ones cannot be among
        // them and a port in use fails before anything starts.
        std::optional<mock_broker::tcp_relay> relay;
        std::vector<int> fixed_ports;
        if (opts.port) {
            for (int i = 0; i < opts.brokers; ++i)
                fixed_ports.push_back(*opts.port + i);
            relay.emplace(fixed_ports);
        }

        kflow::testing::mock_cluster cluster(opts.brokers);
        for (const auto& t : opts.topics) {
            cluster.create_topic(t.name, t.partitions, t.replication_factor);
        }
        if (opts.rtt_ms) {
            cluster.set_round_trip_time(kflow::testing::mock_cluster::all_brokers,
                                        std::chrono::milliseconds(*opts.rtt_ms));
        }

        std::string bootstrap = cluster.bootstrap_servers();
        if (relay) {
            const auto real_ports = ports_of(bootstrap);
            if (real_ports.size() != fixed_ports.size())
                throw std::runtime_error("the mock lists " + std::to_string(real_ports.size()) +
                                         " broker(s), not " + std::to_string(fixed_ports.size()));
            relay->start(real_ports);
            bootstrap.clear();
            for (const int port : fixed_ports)
                bootstrap += (bootstrap.empty() ? "" : ",") + ("127.0.0.1:" + std::to_string(port));
            std::cerr << "kflow-mock-broker: fixed ports relay to the brokers' own ports, which "
                         "Metadata advertises: "
                      << cluster.bootstrap_servers() << '\n';
        }

        stdout_lines out;
        // The first line is the contract with scripts and tests: written and flushed at once.
        out.write("bootstrap=" + bootstrap);
        std::cerr << "kflow-mock-broker: serving " << describe(opts)
                  << (opts.commands ? "; commands on standard input" : "")
                  << "; stop with SIGINT or SIGTERM\n";

        // Declared after the cluster, so destroyed (stopped and joined) before it.
        std::jthread down_timer;
        if (opts.broker_down_after)
            down_timer = start_down_timer(*opts.broker_down_after, cluster, out);
        std::optional<command_loop> commands;
        if (opts.commands)
            commands.emplace(cluster, out);

        siginfo_t info{};
        if (sigwaitinfo(&stop, &info) < 0) {
            std::cerr << "kflow-mock-broker: sigwaitinfo failed: " << std::strerror(errno) << '\n';
            return exit_failed;
        }
        const bool quit = info.si_code == SI_QUEUE && info.si_pid == getpid() &&
                          info.si_value.sival_int == quit_signal_value;
        std::cerr << "kflow-mock-broker: "
                  << (quit                      ? "quit command"
                      : info.si_signo == SIGINT ? "SIGINT"
                                                : "SIGTERM")
                  << " received, stopping\n";
    } catch (const std::exception& e) {
        std::cerr << "kflow-mock-broker: " << e.what() << '\n';
        return exit_failed;
    }
    return exit_ok;
}
