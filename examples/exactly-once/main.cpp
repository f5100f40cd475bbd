// kflow-exactly-once: consume-transform-produce with Kafka transactions.
//
// Reads orders from an input topic and, for each batch, in one transaction: writes each order's
// total to an output topic keyed by customer, parks the records that are not orders (they do not
// deserialize) or that the business rules reject in a dead-letter topic, and adds the batch's
// input offsets. The commit makes all of it take effect together, or none of it: a crash or a
// failed transaction means the batch is read again, and read_committed readers of the output
// never see a total twice (exactly-once). A failed transaction is aborted, the input rewound to
// the batch's first records, and the batch processed again.
//
// The loop never polls the consumer while a transaction is open: rebalance callbacks run inside
// poll, so no partition can change hands between reading a batch and committing its offsets.

#include "connection.hpp"
#include "options.hpp"
#include "order.hpp"
#include "order_check.hpp"
#include "order_total.hpp"
#include "signal_flag.hpp"

#include <kflow/consumed_offsets.hpp>
#include <kflow/consumer.hpp>
#include <kflow/dead_letter.hpp>
#include <kflow/producer.hpp>
#include <kflow/transaction.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using order_consumer = kflow::consumer<std::string, example::order>;
// One producer, transactional, writes the totals and the dead letters (as raw bytes).
using total_producer = kflow::producer<std::string, example::order_total>;
using order_record = order_consumer::record_type;

/// Bounds every transactional call, dead letter and seek.
constexpr auto kafka_timeout = 10s;
/// Transactions in a row that may fail before the program gives up.
constexpr int max_failures_in_a_row = 5;
/// On the embedded mock: how long without any input before the run counts as stuck.
constexpr auto embedded_idle_limit = 30s;

/// What one poll gave: records that deserialized, or a record that did not (poll_batch() ends a
/// batch before such a record and throws for it on the next call).
struct input_batch {
    std::vector<order_record> records;
    std::optional<kflow::deserialization_failure> failure;

    [[nodiscard]] bool empty() const { return records.empty() && !failure; }
    [[nodiscard]] std::size_t size() const { return records.size() + (failure ? 1 : 0); }

    /// Each partition's first offset in the batch: where to rewind to if its transaction fails.
    [[nodiscard]] std::vector<kflow::topic_partition_offset> starts() const {
        std::map<kflow::topic_partition, std::int64_t> first;
        const auto note = [&](const kflow::topic_partition_offset& at) {
            auto [it, inserted] = first.try_emplace(at.partition_id(), at.offset);
            if (!inserted)
                it->second = std::min(it->second, at.offset);
        };
        if (failure)
            note(failure->record.position());
        for (const auto& r : records)
            note(r.position());
        std::vector<kflow::topic_partition_offset> out;
        for (const auto& [tp, offset] : first)
            out.emplace_back(tp.topic, tp.partition, offset);
        return out;
    }
};

/// What a committed transaction wrote.
struct transaction_counts {
    int in = 0;                                          ///< input records it covered
    int out = 0;                                         ///< totals written
    int dead_letters = 0;                                ///< records parked
    std::vector<kflow::topic_partition_offset> offsets;  ///< the input offsets it committed
};

struct run_stats {
    int in = 0;
    int out = 0;
    int dead_letters = 0;
    int committed = 0;
    int aborted = 0;
};

std::string where(const std::string& topic, std::int32_t partition, std::int64_t offset) {
    return topic + " [" + std::to_string(partition) + "] @ " + std::to_string(offset);
}

std::string list(const std::vector<kflow::topic_partition_offset>& offsets) {
    std::string out;
    for (const auto& o : offsets)
        out += (out.empty() ? "" : ", ") + where(o.topic, o.partition, o.offset);
    return out;
}

/// Polls once: a batch of up to `max` records, a record that does not deserialize, or nothing.
input_batch poll(order_consumer& consumer, std::size_t max) {
    input_batch batch;
    try {
        batch.records = consumer.poll_batch(max, 100ms);
    } catch (const kflow::deserialization_error& e) {
        batch.failure = e.failure();
    }
    return batch;
}

/// Commits, trying again while the failure is retriable (the transaction is still intact).
void commit(kflow::transaction<total_producer>& txn) {
    for (int attempt = 1;; ++attempt) {
        try {
            txn.commit(kafka_timeout);
            return;
        } catch (const kflow::kafka_error& e) {
            if (e.is_fatal() || !e.is_retriable() || attempt == 3)
                throw;
            std::cout << "  commit did not complete (" << e.what() << "): committing again\n";
        }
    }
}

/// Processes `batch` in one transaction and commits it. Throws kafka_error when the
/// transaction failed; it is aborted by then (the scoped transaction's destructor), unless the
/// producer hit a fatal error.
transaction_counts process(total_producer& producer, order_consumer& consumer,
                           const example::options& opts, const input_batch& batch,
                           kflow::testing::mock_cluster* fail_this_commit) {
    kflow::transaction txn(producer, kafka_timeout);
    kflow::dead_letter_queue dlq(producer, opts.dead_letter);
    kflow::consumed_offsets handled;
    transaction_counts counts;

    if (batch.failure) {
        // Parked in this transaction, then marked handled on the consumer.
        const auto md = dlq.route(*batch.failure, consumer, kafka_timeout);
        handled.add(batch.failure->record);
        ++counts.dead_letters;
        const auto& raw = batch.failure->record;
        std::cout << "  " << where(raw.topic, raw.partition, raw.offset) << "  not an order -> "
                  << where(md.topic, md.partition, md.offset) << " (" << batch.failure->reason
                  << ")\n";
    }
    for (const auto& in : batch.records) {
        if (const auto reason = example::rejection_of(in.value)) {
            // The record as it was read (re-serialized by the codec that read it).
            const auto md = dlq.send(kflow::to_raw_record(in),
                                     kflow::dead_letter_cause::rejected(*reason), kafka_timeout);
            ++counts.dead_letters;
            std::cout << "  " << where(in.topic, in.partition, in.offset) << "  "
                      << in.value.order_id << " rejected (" << *reason << ") -> "
                      << where(md.topic, md.partition, md.offset) << '\n';
        } else {
            const example::order_total total = example::total_of(in.value);
            total_producer::record_type out(opts.output, in.key, total);
            out.headers.add("source", in.topic + "/" + std::to_string(in.partition) + "/" +
                                          std::to_string(in.offset));
            // Delivered by the commit, which fails (and the transaction with it) if it is not.
            producer.send(out);
            ++counts.out;
            std::cout << "  " << where(in.topic, in.partition, in.offset) << "  "
                      << in.value.order_id << " -> " << opts.output << "  key=" << in.key
                      << " total " << example::money(total.total_cents) << '\n';
        }
        handled.add(in);
    }
    counts.in = static_cast<int>(batch.size());
    counts.offsets = handled.next();
    // The group metadata of now: a rebalance since the poll makes the broker refuse it.
    producer.send_offsets_to_transaction(counts.offsets, consumer.group_metadata(), kafka_timeout);
    if (fail_this_commit != nullptr) {
        // The coordinator loses the producer id: an abortable failure, as after a broker
        // restart. Only the embedded mock cluster can be told to do this.
        fail_this_commit->push_request_errors(kflow::testing::api_key::end_txn,
                                              {RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID});
    }
    commit(txn);
    return counts;
}

/// Seeks each partition of a failed batch back to its first record, so that the batch is read
/// and processed again. A partition revoked meanwhile is skipped: its new owner starts from the
/// last committed offset, which is the same place.
void rewind(order_consumer& consumer, const std::vector<kflow::topic_partition_offset>& starts) {
    const auto assigned = consumer.assignment();
    for (const auto& at : starts) {
        if (std::find(assigned.begin(), assigned.end(), at.partition_id()) != assigned.end())
            consumer.seek(at, kafka_timeout);
    }
}

/// The embedded cluster starts empty: 20 orders and, among them, two records that are not
/// orders and one order the rules reject. Returns how many records it wrote.
int seed(const std::string& bootstrap, const std::string& topic) {
    kflow::producer<std::string, std::string> producer(
        kflow::producer_config().bootstrap_servers(bootstrap).client_id("kflow-exactly-once-seed"));
    int written = 0;
    const auto send = [&](const std::string& key, const std::string& value) {
        producer.send({topic, key, value});
        ++written;
    };
    for (int n = 0; n < 20; ++n) {
        const example::order order = example::sample_order(n);
        send(order.customer, nlohmann::json(order).dump());
        if (n == 4)
            send("mallory", "{\"order_id\": \"order-???\", oops");
        if (n == 11)
            send("erin", R"({"order_id": "order-1111", "customer": "erin"})");  // no lines
        if (n == 15) {
            example::order gift{"order-1115", "trent", {{"gift card", 0, 2500}}};
            send(gift.customer, nlohmann::json(gift).dump());
        }
    }
    producer.flush(30s);  // throws kafka_error if the records are not all delivered by then
    std::cout << "  (seeded '" << topic
              << "' with 20 orders, 2 malformed records and 1 order to reject)\n";
    return written;
}

}  // namespace

int main(int argc, char** argv) try {
    // Every line at once, also into a pipe or a log file: a long run is watched as it goes.
    std::cout << std::unitbuf;
    const auto parsed = example::parse_options({argv + 1, argv + argc});
    if (!parsed.parsed) {
        std::cerr << "kflow-exactly-once: " << parsed.error << "\n\n" << example::usage_text;
        return 2;
    }
    const example::options& opts = *parsed.parsed;
    if (opts.help) {
        std::cout << example::usage_text;
        return EXIT_SUCCESS;
    }

    auto cluster = example::connect("kflow-exactly-once", opts.bootstrap,
                                    {{opts.input, 3}, {opts.output, 3}, {opts.dead_letter, 1}});
    if (opts.inject_abort != 0 && !cluster.embedded) {
        std::cerr << "kflow-exactly-once: --inject-abort needs the embedded mock cluster\n";
        return 2;
    }
    int limit = opts.max_records.value_or(0);
    if (cluster.embedded) {
        const int seeded = seed(cluster.bootstrap, opts.input);
        limit = opts.max_records.value_or(seeded);
    }
    std::string transactional_id = opts.transactional_id;
    if (transactional_id.empty())
        transactional_id = cluster.config.get("transactional.id")
                               .value_or(std::string(example::default_transactional_id));

    kflow::consumer_config consumer_config(cluster.config);
    consumer_config.client_id("kflow-exactly-once")
        .group_id(opts.group)
        .auto_offset_reset(kflow::offset_reset::earliest)
        .enable_auto_commit(false)  // the offsets are committed by the transactions
        .isolation_level(kflow::isolation::read_committed)  // input from other transactions
        .fetch_wait_max(100ms);  // responsive on a quiet topic; the default suits throughput
    kflow::producer_config producer_config(cluster.config);
    producer_config.client_id("kflow-exactly-once")
        .transactional_id(transactional_id)
        .init_transactions_timeout(30s)
        .linger(5ms);

    order_consumer consumer(consumer_config);
    consumer.subscribe({opts.input});
    // Registers the transactional id, fencing an older instance with the same one.
    total_producer producer(producer_config);
    example::signal_flag stop;
    std::cout << "Exactly once " << opts.input << " -> " << opts.output << " (dead letters -> "
              << opts.dead_letter << "), group '" << opts.group << "', transactional id '"
              << transactional_id << "', "
              << (limit == 0 ? std::string("until SIGINT or SIGTERM")
                             : "until " + std::to_string(limit) + " records")
              << ":\n";

    run_stats stats;
    int failures_in_a_row = 0;
    int transactions = 0;
    auto last_input = std::chrono::steady_clock::now();
    while (!stop.requested() && (limit == 0 || stats.in < limit)) {
        const int wanted = limit == 0 ? opts.batch : std::min(opts.batch, limit - stats.in);
        const input_batch batch = poll(consumer, static_cast<std::size_t>(wanted));
        if (batch.empty()) {
            if (cluster.embedded &&
                std::chrono::steady_clock::now() - last_input > embedded_idle_limit) {
                throw kflow::kafka_error(kflow::make_error_code(kflow::errc::timed_out),
                                         "no input for 30 s, " + std::to_string(stats.in) + " of " +
                                             std::to_string(limit) + " records read");
            }
            continue;
        }
        last_input = std::chrono::steady_clock::now();
        const int number = ++transactions;
        const bool inject = cluster.embedded && number == opts.inject_abort;
        try {
            const transaction_counts done =
                process(producer, consumer, opts, batch, inject ? cluster.embedded.get() : nullptr);
            stats.in += done.in;
            stats.out += done.out;
            stats.dead_letters += done.dead_letters;
            ++stats.committed;
            failures_in_a_row = 0;
            std::cout << "  transaction " << number << " committed: " << done.in << " records ("
                      << done.out << " totals, " << done.dead_letters
                      << " dead letters), input offsets " << list(done.offsets) << '\n';
        } catch (const kflow::kafka_error& e) {
            ++stats.aborted;
            if (++failures_in_a_row > max_failures_in_a_row)
                throw;
            std::cout << "  transaction " << number << " aborted (" << e.what() << ")\n";
            if (e.is_fatal()) {
                // Typically fenced: a newer instance registered the same transactional id.
                // A new producer registers it again (and fences that one in turn); with one
                // instance per id, as intended, this happens only after a zombie's return.
                std::cout << "  fatal producer error: creating a new producer\n";
                producer = total_producer(producer_config);
            }
            const auto starts = batch.starts();
            rewind(consumer, starts);
            std::cout << "  rewound the input to " << list(starts) << " to process it again\n";
        }
    }
    if (stop.requested())
        std::cout << "  " << stop.signal_name() << ": stopping, no transaction open\n";
    consumer.close();
    producer.close();

    std::cout << "kflow-exactly-once: " << stats.in << " records in, " << stats.out
              << " totals out, " << stats.dead_letters << " dead letters; " << stats.committed
              << " transactions committed, " << stats.aborted << " aborted; consumer closed\n";
    if (stats.out + stats.dead_letters != stats.in) {
        std::cerr << "kflow-exactly-once: " << stats.in - stats.out - stats.dead_letters
                  << " records neither written nor parked\n";
        return EXIT_FAILURE;
    }
    if (cluster.embedded && stats.aborted > 0)
        std::cout << "  (the embedded mock writes no abort markers: what the aborted "
                     "transactions wrote stays visible there; see docs/transactions.md)\n";
    return EXIT_SUCCESS;
} catch (const std::exception& e) {
    std::cerr << "kflow-exactly-once: " << e.what() << '\n';
    return EXIT_FAILURE;
}
