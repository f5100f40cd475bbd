// kflow-metrics-demo: a producer and a slower consumer in a group, both watched by one
// kflow::metrics::prometheus_exporter, their metrics served at GET /metrics for Prometheus.
//
//   kflow-metrics-demo                          embedded mock cluster, /metrics on a free port
//   kflow-metrics-demo --port 9464              /metrics on 127.0.0.1:9464
//   KAFKA_BOOTSTRAP_SERVERS=broker:9092 kflow-metrics-demo --topic my-topic
//
// The first line of output is `metrics=http://ADDRESS:PORT/metrics`. The producer sends a
// record every 50 ms; the consumer handles at most 10 records a second and commits what it
// handled, so its group falls behind and kafka_consumer_lag_messages grows. SIGINT or SIGTERM
// stops both loops; the producer delivers what is in flight, the consumer commits, both close,
// and the program exits 0.
//
// Everything runs on one thread, in one io_context: the async clients (their delivery reports,
// records and statistics wake the io_context through librdkafka's queues, with no polling
// thread), the HTTP server, the pacing timers and the signal set.

#include "metrics_server.hpp"
#include "options.hpp"

#include <kflow/async_consumer.hpp>
#include <kflow/async_producer.hpp>
#include <kflow/env_config.hpp>
#include <kflow/metrics/prometheus.hpp>
#include <kflow/metrics/registry.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using producer_type = kflow::async_producer<std::string, std::string>;
using consumer_type = kflow::async_consumer<std::string, std::string>;

/// Both clients report statistics this often: each report updates the exported series.
constexpr auto statistics_every = 1s;
/// A progress line this often.
constexpr auto report_every = 10s;
/// Closing waits at most this long for deliveries, the last commit and leaving the group.
constexpr auto close_timeout = 10s;

struct produce_stats {
    std::uint64_t sent = 0;
    std::uint64_t delivered = 0;
    std::uint64_t failed = 0;
    std::error_code close_error;
};

struct consume_stats {
    std::uint64_t handled = 0;
    std::uint64_t skipped = 0;
    std::uint64_t commits = 0;
    std::uint64_t failed_commits = 0;
    std::error_code close_error;
};

/// The stop request: set by SIGINT/SIGTERM (or a loop that failed), it cancels what the loops
/// wait for, so that each ends at once, closes its client and returns.
struct stop_request {
    bool requested = false;
    const char* why = "";
    asio::steady_timer* send_timer = nullptr;  ///< the producer's pacing timer
    asio::cancellation_signal consumer;        ///< the consumer's receive or pacing wait
    example::metrics_server* server = nullptr;

    void operator()(const char* reason) {
        if (requested)
            return;
        requested = true;
        why = reason;
        std::cout << "  " << why << ": stopping\n";
        send_timer->cancel();
        consumer.emit(asio::cancellation_type::terminal);
        server->stop();
    }
};

/// Sends a small JSON reading every `interval`, keyed by one of six sensors (so the records
/// spread over the partitions, each sensor's in order on one). Delivery reports arrive in the
/// callback, on this io_context; the loop does not wait for them, only for its timer.
asio::awaitable<void> produce(producer_type& producer, const example::options& opts,
                              asio::steady_timer& timer, const stop_request& stop,
                              const consume_stats& consumed, produce_stats& stats) {
    const auto interval = std::chrono::milliseconds(opts.interval_ms);
    auto next = clock_type::now();
    auto next_report = next + report_every;
    while (!stop.requested) {
        const std::string sensor = "sensor-" + std::to_string(stats.sent % 6);
        const std::string value = "{\"sensor\":\"" + sensor +
                                  "\",\"seq\":" + std::to_string(stats.sent) +
                                  ",\"celsius\":" + std::to_string(18 + stats.sent % 9) + "}";
        producer.async_send({opts.topic, sensor, value},
                            [&stats](boost::system::error_code ec, const kflow::record_metadata&) {
                                if (!ec) {
                                    ++stats.delivered;
                                    return;
                                }
                                // The first few say why; the count says how many.
                                if (++stats.failed <= 5)
                                    std::cerr << "  not delivered: " << ec.message() << '\n';
                            });
        ++stats.sent;
        const auto now = clock_type::now();
        if (now >= next_report) {
            std::cout << "  sent " << stats.sent << " (" << stats.delivered << " delivered, "
                      << stats.failed << " failed), handled " << consumed.handled << ", "
                      << consumed.commits << " commits\n";
            next_report += report_every;
        }
        // A late wake-up (a busy machine) does not make the producer send in a burst.
        next = std::max(next + interval, now);
        timer.expires_at(next);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled by stop
    }
    // Delivers what is still in flight; purges what is left after the timeout.
    auto [ec] = co_await producer.async_close(close_timeout, asio::as_tuple(asio::use_awaitable));
    stats.close_error = ec;
}

/// Receives records one at a time and handles at most `opts.rate` a second (handling here is
/// only counting: the pace stands for slow work). What was handled is committed about once a
/// second, so the group's committed offsets, and its lag, move in steps.
asio::awaitable<void> consume(consumer_type& consumer, const example::options& opts,
                              stop_request& stop, consume_stats& stats) {
    const auto per_record = std::chrono::duration_cast<clock_type::duration>(1s) / opts.rate;
    asio::steady_timer pace(co_await asio::this_coro::executor);
    auto next = clock_type::now();
    auto last_commit = next;
    std::uint64_t since_commit = 0;

    auto commit = [&]() -> asio::awaitable<void> {
        auto [ec] = co_await consumer.async_commit(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            // Not fatal: the next commit covers the same records (at-least-once).
            ++stats.failed_commits;
            std::cerr << "  commit failed, the next one covers it: " << ec.message() << '\n';
        } else {
            ++stats.commits;
            since_commit = 0;
        }
        last_commit = clock_type::now();
    };

    while (!stop.requested) {
        auto [ec, record] = co_await consumer.async_receive(asio::bind_cancellation_slot(
            stop.consumer.slot(), asio::as_tuple(asio::use_awaitable)));
        if (ec) {
            if (stop.requested)
                break;  // the stop request cancelled the receive: no record was taken
            const std::error_code error = ec;
            if (error == kflow::errc::deserialization_failed ||
                error == kflow::errc::unexpected_null) {
                // A record of someone else's on a real cluster's topic: move past it.
                if (const auto failure = consumer.last_failure())
                    consumer.mark_handled(*failure);
                ++stats.skipped;
            } else {
                // librdkafka retries on its own; say so and wait a pace before asking again.
                std::cerr << "  receive: " << ec.message() << '\n';
            }
        } else {
            ++stats.handled;
            ++since_commit;
        }
        const auto now = clock_type::now();
        if (since_commit > 0 &&
            (since_commit >= static_cast<std::uint64_t>(opts.rate) || now - last_commit >= 1s))
            co_await commit();
        // At most `rate` records a second, without a burst after an idle spell.
        next = std::max(next + per_record, now);
        pace.expires_at(next);
        co_await pace.async_wait(asio::bind_cancellation_slot(stop.consumer.slot(),
                                                              asio::as_tuple(asio::use_awaitable)));
    }
    if (since_commit > 0)
        co_await commit();
    // Leaves the group; bounded even when the brokers are gone.
    auto [ec] = co_await consumer.async_close(close_timeout, asio::as_tuple(asio::use_awaitable));
    stats.close_error = ec;
}

const char* signal_name(int signal_number) {
    return signal_number == SIGINT ? "SIGINT" : signal_number == SIGTERM ? "SIGTERM" : "signal";
}

}  // namespace

int main(int argc, char** argv) try {
    // Every line at once, also into a pipe: the first one (the URL) is read by whoever started
    // the program.
    std::cout << std::unitbuf;
    const auto parsed = example::parse_options({argv + 1, argv + argc});
    if (!parsed.parsed) {
        std::cerr << "kflow-metrics-demo: " << parsed.error << "\n\n" << example::usage_text;
        return 2;
    }
    const example::options& opts = *parsed.parsed;
    if (opts.help) {
        std::cout << example::usage_text;
        return EXIT_SUCCESS;
    }
    boost::system::error_code bad_address;
    const auto address = asio::ip::make_address(opts.listen, bad_address);
    if (bad_address) {
        std::cerr << "kflow-metrics-demo: --listen '" << opts.listen << "': not an IP address\n\n"
                  << example::usage_text;
        return 2;
    }

    // Throws, naming the variable, when one holds a value librdkafka rejects.
    kflow::env_config from_env = kflow::config_from_env();
    // Declared first so that it outlives the clients that talk to it.
    std::optional<kflow::testing::mock_cluster> cluster;
    kflow::client_config connection;
    std::string where;
    if (!from_env.contains("bootstrap.servers")) {
        cluster.emplace(1);
        cluster->create_topic(opts.topic, 3);
        // The embedded cluster speaks plain TCP: KAFKA_* security settings do not apply.
        connection.bootstrap_servers(cluster->bootstrap_servers());
        where = "embedded mock Kafka cluster at " + cluster->bootstrap_servers();
    } else {
        connection = std::move(from_env);
        where = "Kafka cluster at " + *connection.get("bootstrap.servers");
    }

    // The registry outlives the clients: they remove their series from it when destroyed.
    kflow::metrics::registry registry;
    const auto exporter = std::make_shared<kflow::metrics::prometheus_exporter>(registry);

    asio::io_context io;
    std::optional<example::metrics_server> server;
    try {
        server.emplace(io.get_executor(),
                       asio::ip::tcp::endpoint(address, static_cast<unsigned short>(opts.port)),
                       registry);
    } catch (const boost::system::system_error& e) {
        std::cerr << "kflow-metrics-demo: cannot listen on " << opts.listen << " port " << opts.port
                  << ": " << e.code().message() << '\n';
        return EXIT_FAILURE;
    }
    // Before the URL is printed: whoever reads it may send a signal right away.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    // Declared before the clients, which complete their operations (and so call the loops'
    // handlers) at the latest when they are closed or destroyed.
    asio::steady_timer send_timer(io);
    stop_request stop;
    stop.send_timer = &send_timer;
    stop.server = &*server;
    produce_stats produced;
    consume_stats consumed;
    std::exception_ptr failure;

    kflow::producer_config producer_config(connection);
    producer_config.client_id("kflow-metrics-demo")
        .statistics_interval(statistics_every)
        .observe(exporter);
    kflow::consumer_config consumer_config(connection);
    consumer_config.client_id("kflow-metrics-demo")
        .group_id(opts.group)
        .auto_offset_reset(kflow::offset_reset::earliest)
        .enable_auto_commit(false)  // commits are the loop's: what it handled, once a second
        // A fetch with nothing to return waits at most this long (default 500 ms).
        .fetch_wait_max(100ms)
        .statistics_interval(statistics_every)
        .observe(exporter);  // the same exporter: one registry, one /metrics for both
    producer_type producer(io.get_executor(), producer_config);
    consumer_type consumer(io.get_executor(), consumer_config);
    consumer.subscribe({opts.topic});

    server->start();
    std::cout << "metrics=" << server->url() << std::endl;
    std::cout << "kflow-metrics-demo: " << where << '\n';
    std::cout << "kflow-metrics-demo: producing to '" << opts.topic << "' every "
              << opts.interval_ms << " ms, consuming in group '" << opts.group << "' at most "
              << opts.rate << " records/s, statistics every 1 s; SIGINT or SIGTERM stops\n";

    signals.async_wait([&stop](const boost::system::error_code& ec, int signal_number) {
        if (!ec)
            stop(signal_name(signal_number));
    });

    int running = 2;
    // A loop that ends: on a stop request, or on an exception, which stops the other one.
    const auto finished = [&](std::exception_ptr e) {
        if (e && !failure) {
            failure = e;
            stop("error");
        }
        if (--running == 0)
            signals.cancel();  // nothing left to stop: let io.run() return
    };
    asio::co_spawn(io, produce(producer, opts, send_timer, stop, consumed, produced), finished);
    asio::co_spawn(io, consume(consumer, opts, stop, consumed), finished);
    io.run();
    if (failure)
        std::rethrow_exception(failure);

    std::cout << "kflow-metrics-demo: " << stop.why << "; " << produced.sent << " sent, "
              << produced.delivered << " delivered, " << produced.failed << " failed; "
              << consumed.handled << " handled, " << consumed.commits << " commits ("
              << consumed.failed_commits << " failed); " << server->requests()
              << " HTTP requests served\n";
    bool clean = true;
    if (produced.close_error) {
        std::cerr << "kflow-metrics-demo: producer close: " << produced.close_error.message()
                  << '\n';
        clean = false;
    }
    if (consumed.close_error) {
        std::cerr << "kflow-metrics-demo: consumer close: " << consumed.close_error.message()
                  << '\n';
        clean = false;
    }
    if (clean)
        std::cout << "kflow-metrics-demo: producer and consumer closed\n";
    return clean ? EXIT_SUCCESS : EXIT_FAILURE;
} catch (const std::exception& e) {
    std::cerr << "kflow-metrics-demo: " << e.what() << '\n';
    return EXIT_FAILURE;
}
