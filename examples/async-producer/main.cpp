// kflow-async-producer: co_await async_send of keyed JSON orders with headers, several in
// flight at once, each delivery's metadata printed, then async_flush.
//
//   kflow-async-producer                                   embedded mock cluster
//   kflow-async-producer --bootstrap 127.0.0.1:9092        that cluster
//   KAFKA_BOOTSTRAP_SERVERS=broker:9092 kflow-async-producer
//
// Exits 0 only when every order was delivered.

#include "connection.hpp"
#include "options.hpp"
#include "order.hpp"

#include <kflow/async_producer.hpp>
#include <kflow/version.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using order_producer = kflow::async_producer<std::string, example::order>;

struct send_stats {
    int next = 0;  ///< the next order to send: shared by the senders, so each is sent once
    int delivered = 0;
    int failed = 0;
    int in_flight = 0;
    int peak_in_flight = 0;
};

void print_delivery(const example::order& order, const kflow::record_metadata& md) {
    std::cout << "  " << order.order_id << "  key=" << std::left << std::setw(8) << order.customer
              << std::right << " -> " << md.topic << " [" << md.partition << "] @ " << md.offset;
    if (md.time) {
        // What the broker reported: the producer's create time, or the broker's append time.
        std::cout << (md.time_type == kflow::timestamp_type::log_append_time ? "  appended "
                                                                             : "  created ")
                  << md.time->time_since_epoch().count() << " ms";
    }
    std::cout << "  (" << order.lines.size() << (order.lines.size() == 1 ? " line" : " lines")
              << ", total " << example::money(example::total_cents(order)) << ")\n";
}

/// One of `window` senders: sends the next unsent order, waits for its delivery, repeats. With
/// `window` of them running, that many sends are in flight at once, and librdkafka batches them.
/// Orders are taken in sequence, so each customer's orders reach its partition in order.
asio::awaitable<void> sender(order_producer& producer, const example::options& opts,
                             send_stats& stats) {
    while (stats.next < opts.count) {
        const example::order order = example::sample_order(stats.next++);
        // A named local, then co_await: see kflow/record.hpp on g++ 12 and temporaries.
        order_producer::record_type record(opts.topic, order.customer, order);
        record.headers.add("event-type", "order-placed")
            .add("content-type", "application/json")
            .add("producer", "kflow-async-producer");
        stats.peak_in_flight = std::max(stats.peak_in_flight, ++stats.in_flight);
        try {
            const kflow::record_metadata md = co_await producer.async_send(std::move(record));
            ++stats.delivered;
            print_delivery(order, md);
        } catch (const kflow::kafka_error& e) {
            ++stats.failed;
            std::cerr << "  " << order.order_id << " not delivered: " << e.what() << '\n';
        }
        --stats.in_flight;
    }
}

asio::awaitable<send_stats> send_all(order_producer& producer, const example::options& opts) {
    send_stats stats;
    const auto executor = co_await asio::this_coro::executor;
    std::vector<decltype(asio::co_spawn(executor, sender(producer, opts, stats), asio::deferred))>
        senders;
    for (int i = 0; i < opts.window; ++i) {
        senders.push_back(asio::co_spawn(executor, sender(producer, opts, stats), asio::deferred));
    }
    auto [completion_order, failures] =
        co_await asio::experimental::make_parallel_group(std::move(senders))
            .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    for (const auto& failure : failures) {
        if (failure)
            std::rethrow_exception(failure);
    }
    // Every send above was awaited, so nothing is outstanding here; an application that sends
    // with callbacks or detached coroutines flushes before it reports success or exits.
    co_await producer.async_flush();
    co_return stats;
}

}  // namespace

int main(int argc, char** argv) try {
    const auto parsed = example::parse_options({argv + 1, argv + argc});
    if (!parsed.parsed) {
        std::cerr << "kflow-async-producer: " << parsed.error << "\n\n" << example::usage_text;
        return 2;
    }
    const example::options& opts = *parsed.parsed;
    if (opts.help) {
        std::cout << example::usage_text;
        return EXIT_SUCCESS;
    }

    auto cluster = example::connect("kflow-async-producer", opts.bootstrap, {{opts.topic, 3}});
    kflow::producer_config config(cluster.config);
    config.client_id("kflow-async-producer")
        .linger(5ms)             // a few ms of batching: sends in flight together share a request
        .delivery_timeout(30s);  // an unreachable cluster fails the sends within 30 s

    asio::io_context io;
    order_producer producer(io.get_executor(), config);
    std::cout << "Sending " << opts.count << " orders to '" << opts.topic << "', up to "
              << opts.window << " in flight (kflow " << kflow::version_major << '.'
              << kflow::version_minor << '.' << kflow::version_patch << "):\n";

    send_stats stats;
    std::exception_ptr failure;
    asio::co_spawn(io, send_all(producer, opts), [&](std::exception_ptr e, send_stats s) {
        failure = e;
        stats = s;
    });
    io.run();
    if (failure)
        std::rethrow_exception(failure);

    std::cout << "kflow-async-producer: " << stats.delivered << " of " << opts.count
              << " delivered, " << stats.failed << " failed, at most " << stats.peak_in_flight
              << " in flight, producer flushed\n";
    return stats.delivered == opts.count ? EXIT_SUCCESS : EXIT_FAILURE;
} catch (const std::exception& e) {
    std::cerr << "kflow-async-producer: " << e.what() << '\n';
    return EXIT_FAILURE;
}
