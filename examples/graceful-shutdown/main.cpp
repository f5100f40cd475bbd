// kflow-graceful-shutdown: a long-running consume-and-produce service that stops cleanly.
//
// It reads orders and emits a confirmation for each, until SIGINT or SIGTERM. Then, in this
// order, each step bounded in time:
//   1. stop consuming: the signal cancels the waiting receive (no record is lost by that);
//   2. flush the producer: every confirmation sent has its delivery report;
//   3. commit what was handled: only now, so that an order whose confirmation was not
//      delivered is read again after a restart (at-least-once);
//   4. close the consumer: leave the group, so its partitions move to the other members at
//      once rather than after the session timeout;
// then it prints a summary and exits 0 (1 when a step failed or ran out of time).

#include "confirmation.hpp"
#include "connection.hpp"
#include "options.hpp"
#include "order.hpp"
#include "stop_on_signal.hpp"

#include <kflow/async_consumer.hpp>
#include <kflow/async_producer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using order_consumer = kflow::async_consumer<std::string, example::order>;
using order_producer = kflow::async_producer<std::string, example::order>;
using confirmation_producer = kflow::async_producer<std::string, example::confirmation>;

/// Flush and commit after this many orders while running (and once more when stopping).
constexpr int commit_every = 25;
/// How long each shutdown step may take. An orchestrator's grace period (Kubernetes: 30 s by
/// default) must cover their sum.
constexpr auto flush_limit = 10s;
constexpr auto close_limit = 10s;

struct service_stats {
    int handled = 0;  ///< orders received and confirmed (sent)
    int skipped = 0;  ///< records that were not orders
    int delivered = 0;
    int failed = 0;
    int commits = 0;
    int committed_through = 0;  ///< orders handled when the last commit succeeded
    bool flushed = false;
    bool closed = false;
    std::chrono::milliseconds close_time{0};
    std::string stopped_by;
};

/// Waits until every confirmation sent has its delivery report, for at most `limit`. Returns
/// false when time ran out (or the flush failed); the confirmations then stay in flight.
asio::awaitable<bool> flush_within(confirmation_producer& producer,
                                   std::chrono::milliseconds limit) {
    auto [ec] = co_await producer.async_flush(limit, asio::as_tuple(asio::use_awaitable));
    co_return !ec;
}

asio::awaitable<void> commit(order_consumer& consumer, service_stats& stats) {
    try {
        co_await consumer.async_commit();
        ++stats.commits;
        stats.committed_through = stats.handled + stats.skipped;
        std::cout << "  committed " << stats.committed_through << " records\n";
    } catch (const kflow::kafka_error& e) {
        // Not fatal: the next commit covers the same records.
        std::cout << "  commit failed, the next one covers it: " << e.what() << '\n';
    }
}

/// Sends a confirmation without waiting for it: the delivery report only counts. Flushes
/// before each commit make sure no order is committed before its confirmation is delivered.
void confirm(confirmation_producer& producer, const example::options& opts,
             const order_consumer::record_type& in, service_stats& stats) {
    confirmation_producer::record_type out(opts.output, in.key, example::confirm(in.value));
    out.headers.add(
        "source", in.topic + "/" + std::to_string(in.partition) + "/" + std::to_string(in.offset));
    producer.async_send(std::move(out), [&stats, id = in.value.order_id](
                                            boost::system::error_code ec, kflow::record_metadata) {
        if (ec) {
            ++stats.failed;
            std::cerr << "  confirmation of " << id << " not delivered: " << ec.message() << '\n';
        } else {
            ++stats.delivered;
        }
    });
    ++stats.handled;
}

asio::awaitable<void> serve(order_consumer& consumer, confirmation_producer& producer,
                            const example::options& opts, example::stop_on_signal& stop,
                            service_stats& stats) {
    const auto interruptible =
        kflow::throw_kafka_errors(asio::bind_cancellation_slot(stop.slot(), asio::use_awaitable));
    while (!stop.requested()) {
        std::vector<order_consumer::record_type> batch;
        try {
            batch = co_await consumer.async_receive_batch(64, interruptible);
        } catch (const kflow::deserialization_error& e) {
            std::cout << "  skipped " << e.record().topic << " [" << e.record().partition << "] @ "
                      << e.record().offset << ": not an order\n";
            consumer.mark_handled(e.failure());
            ++stats.skipped;
            continue;
        } catch (const kflow::kafka_error&) {
            if (stop.requested())
                break;  // 1. the signal cancelled the receive
            throw;
        }
        const int before = stats.handled;
        for (const auto& record : batch)
            confirm(producer, opts, record, stats);
        if (stats.handled / 10 != before / 10) {
            std::cout << "  handled " << stats.handled << " orders so far\n";
        }
        if (stats.handled + stats.skipped - stats.committed_through >= commit_every &&
            co_await flush_within(producer, flush_limit)) {
            co_await commit(consumer, stats);
        }
    }
    stats.stopped_by = stop.requested() ? stop.signal_name() : "end of input";
    std::cout << "  " << stats.stopped_by << ": stopped consuming\n";
    stop.disarm();

    stats.flushed = co_await flush_within(producer, flush_limit);  // 2.
    if (stats.flushed) {
        std::cout << "  producer flushed: every confirmation has its delivery report\n";
        co_await commit(consumer, stats);  // 3.
    } else {
        std::cout << "  producer flush ran out of time with " << producer.in_flight()
                  << " confirmations outstanding: their orders stay uncommitted\n";
    }

    const auto close_start = std::chrono::steady_clock::now();  // 4.
    auto [ec] = co_await consumer.async_close(close_limit, asio::as_tuple(asio::use_awaitable));
    stats.close_time = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - close_start);
    stats.closed = !ec;
    if (ec)
        std::cout << "  consumer close: " << ec.message() << '\n';
}

/// Upstream traffic for the embedded cluster: an order every 50 ms until a stop signal.
asio::awaitable<void> feed(order_producer& producer, const std::string& topic,
                           const example::stop_on_signal& stop) {
    asio::steady_timer tick(co_await asio::this_coro::executor);
    for (int n = 0; !stop.requested(); ++n) {
        const example::order order = example::sample_order(n);
        order_producer::record_type record(topic, order.customer, order);
        co_await producer.async_send(std::move(record));
        tick.expires_after(50ms);
        co_await tick.async_wait(asio::use_awaitable);
    }
}

}  // namespace

int main(int argc, char** argv) try {
    // Every line at once, also into a pipe or a log file: a long run is watched as it goes.
    std::cout << std::unitbuf;
    const auto parsed = example::parse_options({argv + 1, argv + argc});
    if (!parsed.parsed) {
        std::cerr << "kflow-graceful-shutdown: " << parsed.error << "\n\n" << example::usage_text;
        return 2;
    }
    const example::options& opts = *parsed.parsed;
    if (opts.help) {
        std::cout << example::usage_text;
        return EXIT_SUCCESS;
    }

    auto cluster = example::connect("kflow-graceful-shutdown", opts.bootstrap,
                                    {{opts.input, 3}, {opts.output, 3}});
    kflow::consumer_config consumer_config(cluster.config);
    consumer_config.client_id("kflow-graceful-shutdown")
        .group_id(opts.group)
        .auto_offset_reset(kflow::offset_reset::earliest)
        .enable_auto_commit(false)  // commits follow flushes: see the top of this file
        .fetch_wait_max(100ms);     // responsive on a quiet topic; the default suits throughput
    kflow::producer_config producer_config(cluster.config);
    producer_config.client_id("kflow-graceful-shutdown").linger(5ms);

    service_stats stats;  // before the clients: delivery reports write to it
    asio::io_context io;
    order_consumer consumer(io.get_executor(), consumer_config);
    confirmation_producer producer(io.get_executor(), producer_config);
    std::optional<order_producer> upstream;
    consumer.subscribe({opts.input});
    example::stop_on_signal stop(io.get_executor());

    if (cluster.embedded) {
        upstream.emplace(io.get_executor(), producer_config);
        asio::co_spawn(io, feed(*upstream, opts.input, stop), [](std::exception_ptr e) {
            if (!e)
                return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& error) {
                std::cerr << "  feeding the embedded cluster stopped: " << error.what() << '\n';
            }
        });
    }
    std::cout << "Serving " << opts.input << " -> " << opts.output << " in group '" << opts.group
              << "' until SIGINT or SIGTERM:\n";

    std::exception_ptr failure;
    asio::co_spawn(io, serve(consumer, producer, opts, stop, stats), [&](std::exception_ptr e) {
        failure = e;
        stop.disarm();
    });
    io.run();
    if (failure)
        std::rethrow_exception(failure);

    const bool clean = stats.flushed && stats.failed == 0 && stats.closed;
    std::cout << "kflow-graceful-shutdown: " << stats.stopped_by << "; " << stats.handled
              << " orders handled, " << stats.skipped << " skipped; " << stats.delivered
              << " confirmations delivered, " << stats.failed << " failed; producer "
              << (stats.flushed ? "flushed" : "NOT flushed") << "; " << stats.commits
              << " commits, the last through " << stats.committed_through << " records; consumer "
              << (stats.closed ? "closed" : "NOT closed cleanly") << " in "
              << stats.close_time.count() << " ms\n";
    return clean ? EXIT_SUCCESS : EXIT_FAILURE;
} catch (const std::exception& e) {
    std::cerr << "kflow-graceful-shutdown: " << e.what() << '\n';
    return EXIT_FAILURE;
}
