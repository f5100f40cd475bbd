// kflow-async-consumer: co_await async_receive / async_receive_batch in a consumer group.
// Records that are not orders are reported with their coordinates and raw bytes and marked
// handled; handled records are committed with async_commit; the consumer stops after N orders
// or on SIGINT/SIGTERM (the waiting receive is cancelled), commits, and closes with async_close.
//
//   kflow-async-consumer                              embedded mock cluster, seeded
//   kflow-async-consumer --bootstrap 127.0.0.1:9092   that cluster
//   KAFKA_BOOTSTRAP_SERVERS=broker:9092 kflow-async-consumer --count 0

#include "connection.hpp"
#include "options.hpp"
#include "order.hpp"
#include "stop_on_signal.hpp"

#include <kflow/async_consumer.hpp>
#include <kflow/producer.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using order_consumer = kflow::async_consumer<std::string, example::order>;

struct consume_stats {
    int orders = 0;
    int undeserializable = 0;
    int commits = 0;
    int failed_commits = 0;
};

/// Commit after this many handled records (and once more when stopping).
constexpr int commit_every = 10;

/// Up to 64 bytes, quoted, with anything unprintable as \xNN.
std::string printable(const std::optional<kflow::bytes>& raw) {
    if (!raw)
        return "null";
    std::string out = "\"";
    for (std::size_t i = 0; i < raw->size() && i < 64; ++i) {
        const auto c = static_cast<unsigned char>((*raw)[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    out += raw->size() > 64 ? "\"..." : "\"";
    return out;
}

void print(const order_consumer::record_type& record) {
    const example::order& order = record.value;
    std::cout << "  " << record.topic << " [" << record.partition << "] @ " << record.offset << "  "
              << order.order_id << " key=" << record.key << ", " << order.lines.size()
              << (order.lines.size() == 1 ? " line" : " lines") << ", total "
              << example::money(example::total_cents(order)) << '\n';
}

/// A record that is not an order: say where it is and what it holds, then let its partition
/// move past it. (An application might park it in a dead-letter topic first: see the pipeline
/// example.)
void skip(order_consumer& consumer, const kflow::deserialization_error& e, consume_stats& stats) {
    const kflow::raw_record& raw = e.record();
    std::cout << "  " << raw.topic << " [" << raw.partition << "] @ " << raw.offset
              << "  not an order, skipped: value " << printable(raw.value) << " ("
              << e.failure().reason << ")\n";
    consumer.mark_handled(e.failure());
    ++stats.undeserializable;
}

/// Commits what was handled. A failed commit is reported, not fatal: the next commit covers
/// the same records, and at worst they are read again after a restart (at-least-once).
asio::awaitable<void> commit(order_consumer& consumer, consume_stats& stats) {
    try {
        co_await consumer.async_commit();
        ++stats.commits;
        std::cout << "  committed (" << stats.orders + stats.undeserializable
                  << " records handled so far)\n";
    } catch (const kflow::kafka_error& e) {
        ++stats.failed_commits;
        std::cout << "  commit failed, will retry with the next one: " << e.what() << '\n';
    }
}

asio::awaitable<consume_stats> consume(order_consumer& consumer, const example::options& opts,
                                       example::stop_on_signal& stop) {
    consume_stats stats;
    int since_commit = 0;
    // kflow::use_awaitable's exceptions (deserialization_error with the raw bytes), plus the
    // signal's cancellation slot.
    const auto interruptible =
        kflow::throw_kafka_errors(asio::bind_cancellation_slot(stop.slot(), asio::use_awaitable));
    while (!stop.requested() && (opts.count == 0 || stats.orders < opts.count)) {
        std::vector<order_consumer::record_type> records;
        try {
            if (opts.batch == 1) {
                records.push_back(co_await consumer.async_receive(interruptible));
            } else {
                // Never more than what is left to read: the records beyond N stay unread and
                // uncommitted, for the next consumer of the group.
                const int wanted =
                    opts.count == 0 ? opts.batch : std::min(opts.batch, opts.count - stats.orders);
                records = co_await consumer.async_receive_batch(static_cast<std::size_t>(wanted),
                                                                interruptible);
            }
        } catch (const kflow::deserialization_error& e) {
            skip(consumer, e, stats);
            ++since_commit;
            continue;
        } catch (const kflow::kafka_error&) {
            if (stop.requested())
                break;  // the signal cancelled the receive
            throw;
        }
        for (const auto& record : records) {
            print(record);
            ++stats.orders;
            ++since_commit;
        }
        if (since_commit >= commit_every) {
            co_await commit(consumer, stats);
            since_commit = 0;
        }
    }
    if (stop.requested())
        std::cout << "  " << stop.signal_name() << ": stopping\n";
    stop.disarm();
    if (since_commit > 0)
        co_await commit(consumer, stats);
    co_await consumer.async_close(10s);  // leaves the group; bounded even if brokers are gone
    co_return stats;
}

/// The embedded cluster starts empty: give it 20 orders and, among them, one malformed record.
void seed(const std::string& bootstrap, const std::string& topic) {
    kflow::producer<std::string, std::string> producer(
        kflow::producer_config().bootstrap_servers(bootstrap).client_id(
            "kflow-async-consumer-seed"));
    for (int n = 0; n < 20; ++n) {
        const example::order order = example::sample_order(n);
        producer.send({topic, order.customer, nlohmann::json(order).dump()});
        if (n == 9)
            producer.send({topic, "mallory", "{\"order_id\": \"order-???\", oops"});
    }
    producer.flush(30s);  // throws kafka_error if the records are not all delivered by then
    std::cout << "  (seeded '" << topic << "' with 20 orders and 1 malformed record)\n";
}

}  // namespace

int main(int argc, char** argv) try {
    // Every line at once, also into a pipe or a log file: a long run is watched as it goes.
    std::cout << std::unitbuf;
    const auto parsed = example::parse_options({argv + 1, argv + argc});
    if (!parsed.parsed) {
        std::cerr << "kflow-async-consumer: " << parsed.error << "\n\n" << example::usage_text;
        return 2;
    }
    const example::options& opts = *parsed.parsed;
    if (opts.help) {
        std::cout << example::usage_text;
        return EXIT_SUCCESS;
    }

    auto cluster = example::connect("kflow-async-consumer", opts.bootstrap, {{opts.topic, 3}});
    if (cluster.embedded)
        seed(cluster.bootstrap, opts.topic);

    kflow::consumer_config config(cluster.config);
    config.client_id("kflow-async-consumer")
        .group_id(opts.group)
        .auto_offset_reset(kflow::offset_reset::earliest)
        .enable_auto_commit(false)  // commits are the application's: after records are handled
        // A fetch with nothing to return waits at most this long (default 500 ms): keeps a
        // small example responsive; the default suits throughput better.
        .fetch_wait_max(100ms);

    asio::io_context io;
    order_consumer consumer(io.get_executor(), config);
    consumer.subscribe({opts.topic});
    example::stop_on_signal stop(io.get_executor());
    std::cout << "Reading orders from '" << opts.topic << "' in group '" << opts.group << "', "
              << (opts.count == 0 ? std::string("until SIGINT or SIGTERM")
                                  : "until " + std::to_string(opts.count) + " orders")
              << (opts.batch == 1 ? ", one at a time"
                                  : ", in batches of up to " + std::to_string(opts.batch))
              << ":\n";

    consume_stats stats;
    std::exception_ptr failure;
    asio::co_spawn(io, consume(consumer, opts, stop), [&](std::exception_ptr e, consume_stats s) {
        failure = e;
        stats = s;
        stop.disarm();
    });
    io.run();
    if (failure)
        std::rethrow_exception(failure);

    std::cout << "kflow-async-consumer: " << stats.orders << " orders, " << stats.undeserializable
              << " undeserializable (skipped), " << stats.commits << " commits ("
              << stats.failed_commits << " failed), consumer closed\n";
    return EXIT_SUCCESS;
} catch (const std::exception& e) {
    std::cerr << "kflow-async-consumer: " << e.what() << '\n';
    return EXIT_FAILURE;
}
