// Transactions on async_producer over the mock cluster: every transactional call with a
// completion token, the classification carried by kafka_error, offsets from an async_consumer's
// group metadata, callbacks staying on the executor while a call runs on the producer's worker
// thread, and destruction with a call pending.
#include <kflow/async_consumer.hpp>
#include <kflow/async_producer.hpp>
#include <kflow/async_transaction.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/run_coroutine.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
namespace asio = boost::asio;
using kflow::testing::api_key;
using kflow::testing::mock_cluster;
using kflow::testing::run_coroutine;
using kflow::testing::unique_name;

namespace {

using async_string_producer = kflow::async_producer<std::string, std::string>;

constexpr auto txn_timeout = 10s;

kflow::producer_config transactional_config(const mock_cluster& cluster, const std::string& id) {
    auto cfg = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    cfg.transactional_id(id);
    return cfg;
}

/// Values of partition 0 of `topic` from its beginning, until `count` arrived or 10 s passed.
std::vector<std::string> read_values(const mock_cluster& cluster, const std::string& topic,
                                     std::size_t count) {
    auto cfg =
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("reader"));
    kflow::consumer<std::string, std::string> consumer(cfg);
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    std::vector<std::string> values;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (values.size() < count && std::chrono::steady_clock::now() < deadline) {
        if (auto r = consumer.poll(50ms))
            values.push_back(r->value);
    }
    return values;
}

}  // namespace

TEST_CASE("an async transaction commits its records and completes on the executor",
          "[transactions][async]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("atxn");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    async_string_producer producer(io.get_executor(),
                                   transactional_config(cluster, unique_name("atxn")));

    run_coroutine(io, [&]() -> asio::awaitable<void> {
        co_await producer.async_init_transactions(txn_timeout);
        const auto io_thread = std::this_thread::get_id();
        co_await producer.async_begin_transaction();
        CHECK(std::this_thread::get_id() == io_thread);  // resumed on the executor
        for (int i = 0; i < 10; ++i)
            (void)co_await producer.async_send({topic, "k", "v" + std::to_string(i)});
        co_await producer.async_commit_transaction(txn_timeout);
        CHECK(std::this_thread::get_id() == io_thread);

        // Sends not awaited before the commit are delivered by it.
        co_await producer.async_begin_transaction();
        std::vector<std::future<kflow::record_metadata>> pending;
        for (int i = 10; i < 20; ++i) {
            producer.async_send({topic, "k", "v" + std::to_string(i)},
                                [](boost::system::error_code ec, const kflow::record_metadata&) {
                                    CHECK_FALSE(ec);
                                });
        }
        co_await producer.async_commit_transaction(txn_timeout);
        CHECK(producer.in_flight() == 0);
    });
    const auto values = read_values(cluster, topic, 20);
    REQUIRE(values.size() == 20);
    CHECK(values.front() == "v0");
    CHECK(values.back() == "v19");
}

TEST_CASE("an async abort purges undelivered records; a send outside a transaction fails",
          "[transactions][async]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("atxn-abort");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    async_string_producer producer(io.get_executor(),
                                   transactional_config(cluster, unique_name("atxn")));

    run_coroutine(io, [&]() -> asio::awaitable<void> {
        // Before init_transactions: the send says what to call.
        try {
            (void)co_await producer.async_send({topic, "k", "early"});
            FAIL("a send before init_transactions succeeded");
        } catch (const kflow::kafka_error& e) {
            CHECK_THAT(e.what(), Catch::Contains("init_transactions"));
        }
        co_await producer.async_init_transactions(txn_timeout);
        try {
            (void)co_await producer.async_send({topic, "k", "outside"});
            FAIL("a send outside a transaction succeeded");
        } catch (const kflow::kafka_error& e) {
            CHECK_THAT(e.what(), Catch::Contains("begin_transaction"));
        }

        // The mock's 300 ms round trip keeps the records queued when the abort comes.
        cluster.set_round_trip_time(1, 300ms);
        co_await producer.async_begin_transaction();
        std::atomic<int> purged{0};
        for (int i = 0; i < 5; ++i) {
            producer.async_send({topic, "k", "aborted"},
                                [&](boost::system::error_code ec, const kflow::record_metadata&) {
                                    if (ec)
                                        ++purged;
                                });
        }
        co_await producer.async_abort_transaction(txn_timeout);
        cluster.set_round_trip_time(1, 0ms);
        co_await producer.async_flush(txn_timeout);
        CHECK(purged.load() == 5);

        co_await producer.async_begin_transaction();
        (void)co_await producer.async_send({topic, "k", "committed"});
        co_await producer.async_commit_transaction(txn_timeout);
    });
    const auto values = read_values(cluster, topic, 1);
    REQUIRE(values.size() == 1);
    CHECK(values[0] == "committed");
}

TEST_CASE("async transactional errors keep their classification", "[transactions][async]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("atxn-errors");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    async_string_producer producer(io.get_executor(),
                                   transactional_config(cluster, unique_name("atxn")));

    run_coroutine(io, [&]() -> asio::awaitable<void> {
        co_await producer.async_init_transactions(txn_timeout);
        co_await producer.async_begin_transaction();
        (void)co_await producer.async_send({topic, "k", "v"});
        cluster.push_request_errors(api_key::end_txn, {RD_KAFKA_RESP_ERR_PRODUCER_FENCED});
        try {
            co_await producer.async_commit_transaction(txn_timeout);
            FAIL("a fenced producer committed");
        } catch (const kflow::kafka_error& e) {
            INFO(e.what());
            CHECK(e.is_fatal());
            CHECK_THAT(e.what(), Catch::StartsWith("commit_transaction: "));
        }
        // Any other token gets the error_code.
        boost::system::error_code ec;
        co_await producer.async_begin_transaction(asio::redirect_error(asio::use_awaitable, ec));
        CHECK(ec);
    });
}

TEST_CASE("async offsets go to a transaction with an async_consumer's group metadata",
          "[transactions][async]") {
    mock_cluster cluster(1);
    const auto input = unique_name("atxn-in");
    cluster.create_topic(input, 1);
    asio::io_context io;
    async_string_producer producer(io.get_executor(),
                                   transactional_config(cluster, unique_name("atxn")));
    auto consumer_cfg = kflow::testing::test_consumer_config(cluster.bootstrap_servers(),
                                                             unique_name("atxn-group"));
    consumer_cfg.enable_auto_commit(false);
    kflow::async_consumer<std::string, std::string> consumer(io.get_executor(), consumer_cfg);
    consumer.assign({{input, 0, kflow::offsets::beginning}});

    // Built outside the coroutine: g++ 12 mishandles braced temporaries inside co_await.
    const std::vector<kflow::topic_partition_offset> offsets{{input, 0, 3}};
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        co_await producer.async_init_transactions(txn_timeout);
        co_await producer.async_begin_transaction();
        co_await producer.async_send_offsets_to_transaction(offsets, consumer.group_metadata(),
                                                            txn_timeout);
        co_await producer.async_commit_transaction(txn_timeout);

        co_await producer.async_begin_transaction();
        try {
            co_await producer.async_send_offsets_to_transaction(
                offsets, kflow::consumer_group_metadata{}, txn_timeout);
            FAIL("empty group metadata was accepted");
        } catch (const kflow::kafka_error& e) {
            CHECK(e.code() == kflow::make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG));
        }
        co_await producer.async_abort_transaction(txn_timeout);
    });
}

TEST_CASE("callbacks stay on the executor while a transactional call serves the queue",
          "[transactions][async]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("atxn-cb");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    std::atomic<int> off_executor{0};
    std::atomic<int> documents{0};
    std::thread::id io_thread;
    auto cfg = transactional_config(cluster, unique_name("atxn"));
    cfg.statistics_interval(1000ms).on_statistics([&](std::string_view) {
        ++documents;
        if (std::this_thread::get_id() != io_thread)
            ++off_executor;
    });
    async_string_producer producer(io.get_executor(), cfg);

    run_coroutine(io, [&]() -> asio::awaitable<void> {
        io_thread = std::this_thread::get_id();
        co_await producer.async_init_transactions(txn_timeout);
        // Slow commits (300 ms round trips) keep the worker serving the queue while statistics
        // documents arrive every second.
        cluster.set_round_trip_time(1, 300ms);
        for (int t = 0; t < 3; ++t) {
            co_await producer.async_begin_transaction();
            producer.async_send({topic, "k", "v"},
                                [](boost::system::error_code, const kflow::record_metadata&) {});
            co_await producer.async_commit_transaction(txn_timeout);
        }
        cluster.set_round_trip_time(1, 0ms);
        // The documents deferred during the last call run on the executor's next drain.
        (void)co_await producer.async_next_statistics();
    });
    CHECK(documents.load() >= 2);
    CHECK(off_executor.load() == 0);
}

TEST_CASE("destroying an async_producer with transactional calls pending completes them",
          "[transactions][async]") {
    mock_cluster cluster(1);
    asio::io_context io;
    std::vector<boost::system::error_code> results;
    {
        async_string_producer producer(io.get_executor(),
                                       transactional_config(cluster, unique_name("atxn")));
        cluster.set_round_trip_time(1, 200ms);
        producer.async_init_transactions(
            txn_timeout, [&](boost::system::error_code ec) { results.push_back(ec); });
        producer.async_begin_transaction(
            [&](boost::system::error_code ec) { results.push_back(ec); });
    }  // waits for the running call, fails the other with errc::closed
    io.run_for(5s);
    REQUIRE(results.size() == 2);
    CHECK(results.back() == kflow::errc::closed);
}

TEST_CASE("an async commit includes sends still waiting for room in a full queue",
          "[transactions][async]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("atxn-full");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    auto cfg = transactional_config(cluster, unique_name("atxn"));
    cfg.queue_buffering_max_messages(4);
    async_string_producer producer(io.get_executor(), cfg);

    int delivered = 0;
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        co_await producer.async_init_transactions(txn_timeout);
        co_await producer.async_begin_transaction();
        for (int i = 0; i < 40; ++i) {
            producer.async_send({topic, "k", "v" + std::to_string(i)},
                                [&](boost::system::error_code ec, const kflow::record_metadata&) {
                                    CHECK_FALSE(ec);
                                    ++delivered;
                                });
        }
        co_await producer.async_commit_transaction(txn_timeout);
        CHECK(delivered == 40);  // every send completed before the commit did
    });
    CHECK(read_values(cluster, topic, 40).size() == 40);
}

TEST_CASE("in_transaction commits what its body sent, and aborts when the body throws",
          "[transactions][async]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("atxn-scoped");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    async_string_producer producer(io.get_executor(),
                                   transactional_config(cluster, unique_name("atxn")));

    int purged = 0;
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        co_await producer.async_init_transactions(txn_timeout);
        co_await kflow::in_transaction(producer, txn_timeout, [&]() -> asio::awaitable<void> {
            (void)co_await producer.async_send({topic, "k", "first"});
        });

        cluster.set_round_trip_time(1, 300ms);  // keeps the next record queued until the abort
        try {
            co_await kflow::in_transaction(producer, txn_timeout, [&]() -> asio::awaitable<void> {
                producer.async_send({topic, "k", "undone"}, [&](boost::system::error_code ec,
                                                                const kflow::record_metadata&) {
                    if (ec)
                        ++purged;
                });
                throw std::runtime_error("handler failed");
                co_return;
            });
            FAIL("in_transaction swallowed the body's exception");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()) == "handler failed");
        }
        cluster.set_round_trip_time(1, 0ms);
        co_await producer.async_flush(txn_timeout);

        co_await kflow::in_transaction(producer, txn_timeout, [&]() -> asio::awaitable<void> {
            (void)co_await producer.async_send({topic, "k", "last"});
        });
    });
    CHECK(purged == 1);
    const auto values = read_values(cluster, topic, 2);
    REQUIRE(values.size() == 2);
    CHECK(values[0] == "first");
    CHECK(values[1] == "last");
}
