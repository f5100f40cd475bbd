// Transactions on the mock cluster: init/begin/commit/abort, the scoped transaction, offsets sent
// to a transaction, fencing, error classification, and read_committed consumers.
#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/transaction.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using kflow::testing::api_key;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;

namespace {

using string_producer = kflow::producer<std::string, std::string>;
using string_consumer = kflow::consumer<std::string, std::string>;

constexpr auto txn_timeout = 10s;

/// A transactional producer config for the mock (one partition per topic is enough here).
kflow::producer_config transactional_config(const mock_cluster& cluster, const std::string& id) {
    auto cfg = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    cfg.transactional_id(id).init_transactions_timeout(txn_timeout);
    return cfg;
}

/// The values of one partition's records, read from its beginning until `marker` arrived.
std::vector<std::string> read_until_marker(const mock_cluster& cluster, const std::string& topic,
                                           kflow::isolation isolation, const std::string& marker) {
    auto cfg =
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("reader"));
    cfg.isolation_level(isolation);
    string_consumer consumer(cfg);
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    std::vector<std::string> values;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto record = consumer.poll(50ms);
        if (!record)
            continue;
        values.push_back(record->value);
        if (record->value == marker)
            break;
    }
    return values;
}

void send_values(string_producer& producer, const std::string& topic,
                 const std::vector<std::string>& values) {
    for (const auto& v : values)
        producer.send({topic, "k", v});
}

}  // namespace

TEST_CASE("committed transactions are read; aborted records are purged", "[transactions]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("txn-visibility");
    cluster.create_topic(topic, 1);
    auto cfg = transactional_config(cluster, unique_name("txn"));
    // Records wait in librdkafka's queue until a commit flushes them, so the aborted ones are
    // purged before they reach the log: the mock does not hide records written and then
    // aborted from read_committed consumers (docs/transactions.md).
    cfg.linger(5s);
    string_producer producer(cfg);

    producer.begin_transaction();
    send_values(producer, topic, {"c1", "c2"});
    producer.commit_transaction(txn_timeout);
    CHECK(producer.in_flight() == 0);

    std::vector<std::error_code> aborted_reports;
    producer.begin_transaction();
    for (const char* v : {"a1", "a2"}) {
        producer.send({topic, "k", v}, [&](std::error_code ec, const kflow::record_metadata&) {
            aborted_reports.push_back(ec);
        });
    }
    producer.abort_transaction(txn_timeout);
    CHECK(aborted_reports ==
          std::vector<std::error_code>(2, kflow::make_error_code(RD_KAFKA_RESP_ERR__PURGE_QUEUE)));
    CHECK(producer.in_flight() == 0);

    {
        kflow::transaction txn(producer);
        send_values(producer, topic, {"end"});
        txn.commit(txn_timeout);
        CHECK_FALSE(txn.is_open());
    }

    const std::vector<std::string> committed{"c1", "c2", "end"};
    CHECK(read_until_marker(cluster, topic, kflow::isolation::read_committed, "end") == committed);
    CHECK(read_until_marker(cluster, topic, kflow::isolation::read_uncommitted, "end") ==
          committed);
}

TEST_CASE("a scoped transaction aborts when it is not committed", "[transactions]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("txn-scoped");
    cluster.create_topic(topic, 1);
    string_producer producer(transactional_config(cluster, unique_name("txn")));

    std::vector<std::error_code> reports;
    {
        kflow::transaction txn(producer);
        producer.send(
            {topic, "k", "never"},
            [&](std::error_code ec, const kflow::record_metadata&) { reports.push_back(ec); });
        CHECK(txn.is_open());
    }  // aborted here
    // Every record got its report, whether purged before it went out or written and aborted.
    CHECK(reports.size() == 1);
    CHECK(producer.in_flight() == 0);

    {
        kflow::transaction txn(producer);  // the producer is ready for another one
        send_values(producer, topic, {"end"});
        txn.commit(txn_timeout);
    }
    CHECK(read_until_marker(cluster, topic, kflow::isolation::read_committed, "end") ==
          std::vector<std::string>{"end"});
}

TEST_CASE("a send outside a transaction fails with a message that says what to call",
          "[transactions]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("txn-outside");
    string_producer producer(transactional_config(cluster, unique_name("txn")));

    kflow::error_info err;
    producer.send({topic, "k", "v"}, err);
    REQUIRE(err);
    CHECK(err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__STATE));
    CHECK_THAT(err.message,
               Catch::Contains("send outside a transaction: call begin_transaction() first"));
    CHECK_THROWS_WITH(producer.send({topic, "k", "v"}),
                      Catch::Contains("call begin_transaction() first"));

    SECTION("before init_transactions, it says so too") {
        auto cfg = transactional_config(cluster, unique_name("txn"));
        cfg.init_transactions_timeout(0ms);
        string_producer manual(cfg);
        manual.send({topic, "k", "v"}, err);
        CHECK_THAT(err.message, Catch::Contains("call init_transactions() and begin_transaction"));
        manual.init_transactions(txn_timeout);
        manual.begin_transaction();
        manual.send({topic, "k", "v"}, err);
        CHECK_FALSE(err);
        manual.commit_transaction(txn_timeout);
    }
}

TEST_CASE("transactional calls on a producer without a transactional id fail clearly",
          "[transactions]") {
    mock_cluster cluster(1);
    string_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    kflow::error_info err;
    producer.begin_transaction(err);
    REQUIRE(err);
    CHECK(err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__NOT_CONFIGURED));
    CHECK_THAT(err.message, Catch::Contains("begin_transaction: the producer has no "
                                            "transactional_id"));
    CHECK_THROWS_AS(producer.init_transactions(1s), kflow::kafka_error);
}

TEST_CASE("offsets go to a transaction with the consumer's group metadata", "[transactions]") {
    mock_cluster cluster(1);
    const auto input = unique_name("txn-in");
    const auto output = unique_name("txn-out");
    cluster.create_topic(input, 1);
    cluster.create_topic(output, 1);
    const auto group = unique_name("txn-group");
    string_producer producer(transactional_config(cluster, unique_name("txn")));

    auto consumer_cfg = kflow::testing::test_consumer_config(cluster.bootstrap_servers(), group);
    consumer_cfg.enable_auto_commit(false).isolation_level(kflow::isolation::read_committed);
    string_consumer consumer(consumer_cfg);
    consumer.assign({{input, 0, kflow::offsets::beginning}});
    const std::vector<kflow::topic_partition> input_partition{{input, 0}};

    const auto group_metadata = consumer.group_metadata();
    REQUIRE(group_metadata.valid());
    const kflow::consumer_group_metadata copied = group_metadata;  // an independent copy
    CHECK(copied.valid());
    CHECK(copied.get() != group_metadata.get());

    // librdkafka 2.0.2's mock answers TxnOffsetCommit without storing the offsets, so only the
    // abort side (nothing committed) can be checked here; a real cluster commits them with
    // the transaction.
    SECTION("commit") {
        producer.begin_transaction();
        send_values(producer, output, {"out"});
        producer.send_offsets_to_transaction({{input, 0, 7}}, copied, txn_timeout);
        producer.commit_transaction(txn_timeout);
    }
    SECTION("abort") {
        producer.begin_transaction();
        producer.send_offsets_to_transaction({{input, 0, 7}}, group_metadata, txn_timeout);
        producer.abort_transaction(txn_timeout);
        const auto committed = consumer.committed(input_partition, txn_timeout);
        REQUIRE(committed.size() == 1);
        CHECK(committed[0].offset == kflow::offsets::invalid);
    }
    SECTION("empty metadata is refused") {
        producer.begin_transaction();
        kflow::error_info err;
        producer.send_offsets_to_transaction({{input, 0, 7}}, kflow::consumer_group_metadata{},
                                             txn_timeout, err);
        CHECK(err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG));
        producer.abort_transaction(txn_timeout);
    }
    SECTION("a moved-from metadata is empty") {
        auto moved = group_metadata;
        const auto taken = std::move(moved);
        CHECK(taken.valid());
        CHECK_FALSE(moved.valid());  // NOLINT(bugprone-use-after-move): the state under test
    }
}

TEST_CASE("a fenced producer gets a fatal error; a new one with the same id goes on",
          "[transactions]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("txn-fenced");
    cluster.create_topic(topic, 1);
    const auto id = unique_name("txn");
    string_producer older(transactional_config(cluster, id));
    older.begin_transaction();
    send_values(older, topic, {"zombie"});

    // The mock gives a second producer with the same id a producer id of its own instead of
    // bumping the epoch, so it does not fence the first: the coordinator's answer to a fenced
    // producer is injected instead.
    cluster.push_request_errors(api_key::end_txn, {RD_KAFKA_RESP_ERR_PRODUCER_FENCED});
    try {
        older.commit_transaction(txn_timeout);
        FAIL("the fenced producer committed");
    } catch (const kflow::kafka_error& e) {
        INFO(e.what());
        CHECK(e.is_fatal());
        CHECK_THAT(e.what(), Catch::StartsWith("commit_transaction: "));
    }
    kflow::error_info err;
    older.begin_transaction(err);  // every later transactional call fails the same way
    CHECK(err.flags.fatal);

    string_producer newer(transactional_config(cluster, id));
    kflow::transaction txn(newer);
    send_values(newer, topic, {"end"});
    txn.commit(txn_timeout);
}

TEST_CASE("errors on EndTxn are classified as retriable or abortable", "[transactions]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("txn-endtxn");
    cluster.create_topic(topic, 1);
    string_producer producer(transactional_config(cluster, unique_name("txn")));

    SECTION("a retriable failure: commit again") {
        producer.begin_transaction();
        send_values(producer, topic, {"v"});
        // librdkafka retries COORDINATOR_LOAD_IN_PROGRESS itself until the commit times out:
        // push more of them than a short commit timeout can go through.
        cluster.push_request_errors(
            api_key::end_txn,
            std::vector<rd_kafka_resp_err_t>(100, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS));
        kflow::error_info err;
        producer.commit_transaction(500ms, err);
        INFO(err.message);
        REQUIRE(err);
        CHECK(err.flags.retriable);
        CHECK_FALSE(err.flags.fatal);
        CHECK_FALSE(err.flags.txn_requires_abort);
        cluster.clear_request_errors(api_key::end_txn);
        producer.commit_transaction(txn_timeout);
    }
    SECTION("an abortable failure: abort, then a new transaction") {
        producer.begin_transaction();
        send_values(producer, topic, {"v"});
        cluster.push_request_errors(api_key::end_txn, {RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID});
        try {
            producer.commit_transaction(txn_timeout);
            FAIL("the commit succeeded");
        } catch (const kflow::kafka_error& e) {
            INFO(e.what());
            CHECK_FALSE(e.is_fatal());
            CHECK(e.txn_requires_abort());
        }
        producer.abort_transaction(txn_timeout);
        kflow::transaction txn(producer);
        send_values(producer, topic, {"again"});
        txn.commit(txn_timeout);
    }
}

TEST_CASE("the constructor throws when init_transactions fails", "[transactions]") {
    mock_cluster cluster(1);
    cluster.push_request_errors(api_key::init_producer_id,
                                {RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED});
    try {
        string_producer producer(transactional_config(cluster, unique_name("txn")));
        FAIL("the producer was created");
    } catch (const kflow::kafka_error& e) {
        INFO(e.what());
        CHECK(e.code() ==
              kflow::make_error_code(RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        CHECK(e.is_fatal());
        CHECK_THAT(e.what(), Catch::StartsWith("init_transactions: "));
    }
}
