// The count of test_transaction_faults.cpp against a real cluster (KFLOW_TEST_BOOTSTRAP=host:port):
// 20,000 keyed records in transactions of 1,000, every fourth transaction first written to the
// log and aborted, then sent again, read back with a read_committed consumer: every record
// exactly once, none of an aborted attempt. Unlike on the mock, the reader keeps every record it
// is given: the broker's transaction markers are what hide the aborted ones. A real cluster
// cannot be made to fail on cue from here, so no fault is injected; the producer recovers from
// any the cluster raises as docs/transactions.md prescribes. Then a transaction left open by a
// destroyed producer: the next producer with the same transactional id aborts it, and a
// read_committed consumer never sees its records.
//
// Without KFLOW_TEST_BOOTSTRAP ctest reports the program Skipped (exit code 77,
// tests/integration_main.cpp). Security settings come from the KAFKA_* variables that
// kflow::config_from_env() reads (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM,
// KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL_CA_LOCATION, ...); KFLOW_TEST_BOOTSTRAP
// names the brokers. The cluster must allow transactions: a single broker needs
// transaction.state.log.replication.factor=1 and transaction.state.log.min.isr=1, and the user
// needs Write on the transactional ids and the topics it creates.
#include <kflow/admin/client.hpp>
#include <kflow/consumer.hpp>
#include <kflow/env_config.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using kflow::testing::unique_name;

namespace {

using string_producer = kflow::producer<std::string, std::string>;
using string_consumer = kflow::consumer<std::string, std::string>;
using clock_type = std::chrono::steady_clock;

constexpr auto txn_timeout = 60s;
constexpr std::string_view end_key = "end";

/// The KAFKA_* settings of this process, with KFLOW_TEST_BOOTSTRAP as the brokers.
kflow::client_config cluster_config() {
    const auto bootstrap = kflow::testing::real_cluster_bootstrap();
    REQUIRE(bootstrap);  // integration_main skips the program without one
    kflow::client_config cfg = kflow::config_from_env();
    cfg.bootstrap_servers(*bootstrap);
    return cfg;
}

kflow::producer_config transactional_config(const std::string& id) {
    kflow::producer_config cfg(cluster_config());
    cfg.transactional_id(id).init_transactions_timeout(txn_timeout).linger(5ms);
    return cfg;
}

string_consumer committed_reader(const std::string& topic, int partitions) {
    kflow::consumer_config cfg(cluster_config());
    cfg.group_id(unique_name("kflow-txn-reader"))
        .enable_auto_commit(false)
        .isolation_level(kflow::isolation::read_committed)
        .fetch_wait_max(100ms);
    string_consumer consumer(cfg);
    std::vector<kflow::topic_partition_offset> assignment;
    for (int p = 0; p < partitions; ++p)
        assignment.push_back({topic, p, kflow::offsets::beginning});
    consumer.assign(assignment);
    return consumer;
}

/// A topic of `partitions` for this run, deleted when the case ends.
class run_topic {
  public:
    explicit run_topic(int partitions)
        : admin_(kflow::admin_config(cluster_config())), name_(unique_name("kflow-txn")) {
        const auto brokers = static_cast<std::int16_t>(
            std::min<std::size_t>(3, admin_.describe_cluster().brokers.size()));
        kflow::throw_if_any_failed(
            admin_.create_topics({kflow::topic_spec(name_, partitions, brokers)}),
            "create the test's topic");
        // A new topic's metadata reaches every broker a moment later: wait until it is there.
        const auto until = clock_type::now() + 30s;
        for (;;) {
            kflow::error_info err;
            const auto described = admin_.describe_topics({name_}, err);
            if (!err && described.size() == 1 && described[0].ok() &&
                described[0].partitions.size() == static_cast<std::size_t>(partitions))
                break;
            REQUIRE(clock_type::now() < until);
            std::this_thread::sleep_for(200ms);  // metadata propagation raises no event
        }
    }
    run_topic(const run_topic&) = delete;
    run_topic& operator=(const run_topic&) = delete;
    ~run_topic() {
        kflow::error_info err;
        (void)admin_.delete_topics({name_}, err);
    }
    [[nodiscard]] const std::string& name() const { return name_; }

  private:
    kflow::admin_client admin_;
    std::string name_;
};

std::string key_name(std::size_t key) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "key-%02zu", key);
    return buf;
}

bool number(std::string_view text, std::size_t& n) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

TEST_CASE("transactions lose and duplicate nothing on a real cluster; aborted ones stay hidden",
          "[transactions][integration]") {
    constexpr int partitions = 4;
    constexpr std::size_t keys = 50;
    constexpr std::size_t per_txn = 1'000;
    constexpr std::size_t transactions = 20;
    constexpr std::size_t abort_every = 4;
    constexpr std::size_t records = per_txn * transactions;
    constexpr std::size_t per_key = records / keys;
    const run_topic topic(partitions);
    const auto started = clock_type::now();

    std::size_t committed = 0;
    std::size_t aborted = 0;
    std::size_t retried_commits = 0;
    std::set<std::size_t> aborted_attempts;
    std::size_t attempt = 0;
    {
        string_producer producer(transactional_config(unique_name("kflow-txn")));
        const auto ignore = [](std::error_code, const kflow::record_metadata&) {};
        // Transaction `txn` holds records txn*per_txn .. +per_txn-1 (the last, one end marker per
        // partition); record i is key i % keys, sequence number i / keys, value "seq:attempt".
        for (std::size_t txn = 0; txn <= transactions; ++txn) {
            const bool last = txn == transactions;
            for (int tries = 0;; ++tries) {
                INFO("transaction " << txn << ", attempt " << attempt);
                REQUIRE(tries < 5);
                ++attempt;
                kflow::error_info err;
                producer.begin_transaction(err);
                INFO(err.message);
                REQUIRE_FALSE(err);  // the attempt before committed or was aborted
                for (std::size_t i = 0; !err && !last && i < per_txn; ++i) {
                    const std::size_t n = txn * per_txn + i;
                    producer.send({topic.name(), key_name(n % keys),
                                   std::to_string(n / keys) + ":" + std::to_string(attempt)},
                                  ignore, err);
                }
                for (int p = 0; !err && last && p < partitions; ++p) {
                    producer.send({topic.name(), std::string(end_key), "end", {}, p}, ignore, err);
                }
                const bool send_refused = static_cast<bool>(err);
                if (!err && !last && tries == 0 && txn % abort_every == 1) {
                    // Written to the log, then aborted: only the abort marker hides these.
                    producer.flush(txn_timeout, err);
                    if (!err) {
                        producer.abort_transaction(txn_timeout);
                        aborted_attempts.insert(attempt);
                        ++aborted;
                        continue;
                    }
                }
                if (!err) {
                    producer.commit_transaction(txn_timeout, err);
                    for (int retries = 0; err && err.flags.retriable && !err.flags.fatal &&
                                          !err.flags.txn_requires_abort && retries < 5;
                         ++retries) {
                        ++retried_commits;
                        producer.commit_transaction(txn_timeout, err);
                    }
                }
                INFO(err.message);
                REQUIRE_FALSE(err.flags.fatal);
                if (!err) {
                    ++committed;
                    break;
                }
                // Abortable; or a send refused because the transaction already failed
                // ("Producing not allowed in transactional state AbortableError": librdkafka
                // flags a refused send with no classification). Either way: abort, and send
                // the same records again, as docs/transactions.md prescribes.
                REQUIRE((err.flags.txn_requires_abort ||
                         (send_refused &&
                          err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__STATE))));
                producer.abort_transaction(txn_timeout);
                aborted_attempts.insert(attempt);
                ++aborted;
            }
        }
        CHECK(producer.in_flight() == 0);
    }
    const auto produced = clock_type::now();

    // No filter: every record the read_committed consumer is given counts.
    auto consumer = committed_reader(topic.name(), partitions);
    std::vector<std::vector<unsigned>> seen(keys, std::vector<unsigned>(per_key, 0));
    std::vector<std::int64_t> last_seq(keys, -1);
    std::size_t read = 0, of_aborted = 0, duplicated = 0, out_of_order = 0, unrecognised = 0;
    std::size_t ends = 0;
    const auto until = clock_type::now() + 60s;
    while (ends < static_cast<std::size_t>(partitions) && clock_type::now() < until) {
        for (const auto& r : consumer.poll_batch(10'000, 100ms)) {
            if (r.key == end_key) {
                ++ends;
                continue;
            }
            ++read;
            const std::string_view key = r.key;
            const std::string_view value = r.value;
            const auto colon = value.find(':');
            std::size_t k = 0, seq = 0, from = 0;
            if (!key.starts_with("key-") || !number(key.substr(4), k) || k >= keys ||
                colon == std::string_view::npos || !number(value.substr(0, colon), seq) ||
                seq >= per_key || !number(value.substr(colon + 1), from)) {
                ++unrecognised;
                continue;
            }
            of_aborted += aborted_attempts.contains(from) ? 1 : 0;
            duplicated += ++seen[k][seq] > 1 ? 1 : 0;
            out_of_order += static_cast<std::int64_t>(seq) < last_seq[k] ? 1 : 0;
            last_seq[k] = std::max(last_seq[k], static_cast<std::int64_t>(seq));
        }
    }
    std::size_t lost = 0;
    for (const auto& per_seq : seen)
        lost += static_cast<std::size_t>(std::count(per_seq.begin(), per_seq.end(), 0U));
    const auto seconds = [](auto d) { return std::chrono::duration<double>(d).count(); };
    std::cout << "transactions (real cluster): " << records << " records, " << committed
              << " transactions committed, " << aborted << " attempts aborted, " << retried_commits
              << " commits retried; read " << read << " (" << of_aborted
              << " of aborted attempts), lost " << lost << ", duplicated " << duplicated
              << ", out of order " << out_of_order << ", unrecognised " << unrecognised
              << "; produced in " << seconds(produced - started) << " s, read in "
              << seconds(clock_type::now() - produced) << " s" << std::endl;

    CHECK(committed == transactions + 1);
    CHECK(aborted >= transactions / abort_every);
    CHECK(ends == static_cast<std::size_t>(partitions));
    CHECK(read == records);
    CHECK(of_aborted == 0);
    CHECK(lost == 0);
    CHECK(duplicated == 0);
    CHECK(out_of_order == 0);
    CHECK(unrecognised == 0);
}

TEST_CASE("a transaction left open is aborted by the next producer with the same id",
          "[transactions][integration]") {
    const run_topic topic(1);
    const auto id = unique_name("kflow-txn");
    {
        string_producer older(transactional_config(id));
        older.begin_transaction();
        for (int i = 0; i < 10; ++i)
            older.send({topic.name(), "abandoned", "abandoned-" + std::to_string(i)});
        older.flush(txn_timeout);  // in the log, in a transaction nobody ends
    }
    // init_transactions() in the constructor aborts the open transaction (a broker may answer
    // CONCURRENT_TRANSACTIONS until it has; librdkafka retries that within the timeout).
    string_producer newer(transactional_config(id));
    newer.begin_transaction();
    for (int i = 0; i < 20; ++i)
        newer.send({topic.name(), "committed", "committed-" + std::to_string(i)});
    newer.send({topic.name(), std::string(end_key), "end"});
    newer.commit_transaction(txn_timeout);

    auto consumer = committed_reader(topic.name(), 1);
    std::map<std::string, int> committed;
    std::size_t other = 0;
    bool end = false;
    const auto until = clock_type::now() + 60s;
    while (!end && clock_type::now() < until) {
        for (const auto& r : consumer.poll_batch(1000, 100ms)) {
            if (r.key == end_key)
                end = true;
            else if (r.key == "committed")
                ++committed[r.value];
            else
                ++other;  // the abandoned records, which the abort marker must hide
        }
    }
    REQUIRE(end);
    CHECK(other == 0);
    CHECK(committed.size() == 20);
    for (const auto& [value, n] : committed) {
        INFO(value);
        CHECK(n == 1);
    }
}
