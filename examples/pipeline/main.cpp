// kflow-pipeline: consume-transform-produce with at-least-once delivery.
//
// Reads orders from an input topic, writes each order's total to an output topic keyed by
// customer (so a customer's totals stay in order on one partition), and parks records that are
// not orders in a dead-letter topic with their raw bytes. The input offsets of a batch are
// committed only after every output of the batch was delivered: a crash before the commit
// means the batch is processed again after a restart, never lost (at-least-once; downstream
// sees a duplicate at worst). Exactly-once needs Kafka transactions (the outputs and the input
// offsets committed atomically): future work for kflow.

#include "connection.hpp"
#include "options.hpp"
#include "order.hpp"
#include "order_total.hpp"
#include "stop_on_signal.hpp"

#include <kflow/async_consumer.hpp>
#include <kflow/async_producer.hpp>
#include <kflow/producer.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using order_consumer = kflow::async_consumer<std::string, example::order>;
using total_producer = kflow::async_producer<std::string, example::order_total>;
// Dead letters keep the bytes exactly as they came, null key or value included.
using raw_producer =
    kflow::async_producer<std::optional<kflow::bytes>, std::optional<kflow::bytes>>;

/// Records taken from one receive at most: the unit of "deliver all, then commit".
constexpr std::size_t max_batch = 64;

struct pipeline_stats {
    int orders = 0;
    int totals_delivered = 0;
    int dead_letters = 0;
    int commits = 0;
    int failed_commits = 0;
};

struct clients {
    order_consumer& input;
    total_producer& output;
    raw_producer& dead_letter;
};

/// Transforms a batch, sends every output at once, and waits until all are delivered. Throws
/// when any is not: its input must not be committed.
asio::awaitable<void> transform_and_deliver(clients& c, const example::options& opts,
                                            const std::vector<order_consumer::record_type>& batch,
                                            pipeline_stats& stats) {
    using send_operation =
        decltype(c.output.async_send(std::declval<total_producer::record_type>(), asio::deferred));
    std::vector<send_operation> sends;
    std::vector<example::order_total> totals;
    for (const auto& in : batch) {
        totals.push_back(example::total_of(in.value));
        total_producer::record_type out(opts.output, in.key, totals.back());
        out.headers.add("source", in.topic + "/" + std::to_string(in.partition) + "/" +
                                      std::to_string(in.offset));
        if (totals.back().large)
            out.headers.add("review", "large-order");
        sends.push_back(c.output.async_send(std::move(out), asio::deferred));
    }
    // All sends in flight together; completes when the last delivery report is in.
    auto [completion_order, errors, delivered] =
        co_await asio::experimental::make_parallel_group(std::move(sends))
            .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);

    for (std::size_t i = 0; i < batch.size(); ++i) {
        const auto& in = batch[i];
        if (errors[i]) {
            throw kflow::kafka_error(errors[i], "total of " + in.value.order_id + " from " +
                                                    in.topic + " [" + std::to_string(in.partition) +
                                                    "] @ " + std::to_string(in.offset) +
                                                    " not delivered; its input stays uncommitted");
        }
        ++stats.totals_delivered;
        std::cout << "  " << in.topic << " [" << in.partition << "] @ " << in.offset << "  "
                  << in.value.order_id << " -> " << delivered[i].topic << " ["
                  << delivered[i].partition << "] @ " << delivered[i].offset << "  key=" << in.key
                  << " total " << example::money(totals[i].total_cents)
                  << (totals[i].large ? " (large)" : "") << '\n';
    }
    stats.orders += static_cast<int>(batch.size());
}

/// Parks a record that is not an order, raw, with where it came from and why; only once the
/// dead-letter topic has it does its input partition move past it.
asio::awaitable<void> dead_letter(clients& c, const example::options& opts,
                                  const kflow::deserialization_error& e, pipeline_stats& stats) {
    const kflow::raw_record& raw = e.record();
    raw_producer::record_type parked(opts.dead_letter, raw.key, raw.value, raw.headers);
    parked.headers
        .add("source",
             raw.topic + "/" + std::to_string(raw.partition) + "/" + std::to_string(raw.offset))
        .add("error", e.failure().reason);
    const kflow::record_metadata md = co_await c.dead_letter.async_send(std::move(parked));
    c.input.mark_handled(e.failure());
    ++stats.dead_letters;
    std::cout << "  " << raw.topic << " [" << raw.partition << "] @ " << raw.offset
              << "  not an order -> " << md.topic << " [" << md.partition << "] @ " << md.offset
              << " (" << e.failure().reason << ")\n";
}

/// Commits everything handled so far. A failed commit is not fatal: the next one covers the
/// same offsets, and at worst the records are processed again after a restart.
asio::awaitable<void> commit(order_consumer& input, pipeline_stats& stats) {
    try {
        co_await input.async_commit();
        ++stats.commits;
        std::cout << "  committed the input (" << stats.orders + stats.dead_letters
                  << " records, every output delivered)\n";
    } catch (const kflow::kafka_error& e) {
        ++stats.failed_commits;
        std::cout << "  commit failed, the next one covers it: " << e.what() << '\n';
    }
}

asio::awaitable<pipeline_stats> run(clients& c, const example::options& opts,
                                    example::stop_on_signal& stop) {
    pipeline_stats stats;
    const auto interruptible =
        kflow::throw_kafka_errors(asio::bind_cancellation_slot(stop.slot(), asio::use_awaitable));
    while (!stop.requested() && (opts.count == 0 || stats.orders < opts.count)) {
        const std::size_t wanted =
            opts.count == 0
                ? max_batch
                : std::min(max_batch, static_cast<std::size_t>(opts.count - stats.orders));
        std::vector<order_consumer::record_type> batch;
        std::optional<kflow::deserialization_error> not_an_order;
        try {
            batch = co_await c.input.async_receive_batch(wanted, interruptible);
        } catch (const kflow::deserialization_error& e) {
            not_an_order = e;  // parked below: a catch block cannot co_await
        } catch (const kflow::kafka_error&) {
            if (stop.requested())
                break;  // the signal cancelled the receive
            throw;
        }
        if (not_an_order) {
            co_await dead_letter(c, opts, *not_an_order, stats);
            continue;
        }
        co_await transform_and_deliver(c, opts, batch, stats);
        // Every output of the batch (and any dead letter before it) is delivered: now the
        // input may be committed.
        co_await commit(c.input, stats);
    }
    if (stop.requested())
        std::cout << "  " << stop.signal_name() << ": stopping\n";
    stop.disarm();
    co_await c.input.async_close(10s);
    co_return stats;
}

/// The embedded cluster starts empty: give it 20 orders and, among them, one malformed record.
void seed(const std::string& bootstrap, const std::string& topic) {
    kflow::producer<std::string, std::string> producer(
        kflow::producer_config().bootstrap_servers(bootstrap).client_id("kflow-pipeline-seed"));
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
        std::cerr << "kflow-pipeline: " << parsed.error << "\n\n" << example::usage_text;
        return 2;
    }
    const example::options& opts = *parsed.parsed;
    if (opts.help) {
        std::cout << example::usage_text;
        return EXIT_SUCCESS;
    }

    auto cluster = example::connect("kflow-pipeline", opts.bootstrap,
                                    {{opts.input, 3}, {opts.output, 3}, {opts.dead_letter, 1}});
    if (cluster.embedded)
        seed(cluster.bootstrap, opts.input);

    kflow::consumer_config consumer_config(cluster.config);
    consumer_config.client_id("kflow-pipeline")
        .group_id(opts.group)
        .auto_offset_reset(kflow::offset_reset::earliest)
        .enable_auto_commit(false)  // only after the outputs are delivered
        .fetch_wait_max(100ms);     // responsive on a quiet topic; the default suits throughput
    kflow::producer_config producer_config(cluster.config);  // idempotent, acks=all by default
    producer_config.client_id("kflow-pipeline").linger(5ms);

    asio::io_context io;
    order_consumer input(io.get_executor(), consumer_config);
    total_producer output(io.get_executor(), producer_config);
    raw_producer dead_letters(io.get_executor(), producer_config);
    input.subscribe({opts.input});
    example::stop_on_signal stop(io.get_executor());
    std::cout << "Pipeline " << opts.input << " -> " << opts.output << " (dead letters -> "
              << opts.dead_letter << "), group '" << opts.group << "', "
              << (opts.count == 0 ? std::string("until SIGINT or SIGTERM")
                                  : "until " + std::to_string(opts.count) + " orders")
              << ":\n";

    clients c{input, output, dead_letters};
    pipeline_stats stats;
    std::exception_ptr failure;
    asio::co_spawn(io, run(c, opts, stop), [&](std::exception_ptr e, pipeline_stats s) {
        failure = e;
        stats = s;
        stop.disarm();
    });
    io.run();
    if (failure)
        std::rethrow_exception(failure);

    std::cout << "kflow-pipeline: " << stats.orders << " orders in, " << stats.totals_delivered
              << " totals delivered, " << stats.dead_letters << " dead-lettered, " << stats.commits
              << " commits (" << stats.failed_commits << " failed), consumer closed\n";
    return EXIT_SUCCESS;
} catch (const std::exception& e) {
    std::cerr << "kflow-pipeline: " << e.what() << '\n';
    return EXIT_FAILURE;
}
