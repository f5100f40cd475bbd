// Regression tests for the lifecycle defects found from outside: a consumer without a group, a
// moved-from or closed client, commits and closes that must stay bounded while the coordinator is
// gone, librdkafka's own commit failures, and a queue-full send that must not be dropped by
// another record's throwing callback. Each case failed (crashed, hung or lost a report) before
// its fix. Everything runs against the mock cluster over real sockets.
#include <kflow/consumer.hpp>

#include <kflow/async_consumer.hpp>
#include <kflow/async_producer.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/produce.hpp>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::produce_n;
using kflow::testing::unique_name;
using string_consumer = kflow::consumer<std::string, std::string>;
using string_producer = kflow::producer<std::string, std::string>;
using clock_type = std::chrono::steady_clock;

namespace {

/// The code of the kafka_error `f` throws; fails the test when it throws nothing.
template <class F>
std::error_code thrown_code(F&& f) {
    try {
        f();
    } catch (const kflow::kafka_error& e) {
        return e.code();
    }
    FAIL("expected a kafka_error");
    return {};
}

}  // namespace

TEST_CASE("a consumer without group.id is refused at construction, naming the key",
          "[consumer][config]") {
    kflow::consumer_config config;
    config.bootstrap_servers("127.0.0.1:1");
    try {
        string_consumer consumer(config);
        FAIL("expected construction to fail");
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::errc::invalid_config);
        CHECK_THAT(e.what(), Catch::StartsWith("group.id"));
    }
    config.group_id("");
    CHECK(thrown_code([&] { string_consumer consumer(config); }) == kflow::errc::invalid_config);
}

TEST_CASE("a moved-from consumer or producer fails with errc::closed instead of crashing",
          "[consumer][producer][lifecycle]") {
    mock_cluster cluster;
    SECTION("consumer") {
        string_consumer consumer(
            kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
        string_consumer taker(std::move(consumer));
        CHECK(taker.valid());
        CHECK_FALSE(consumer.valid());  // NOLINT(bugprone-use-after-move): the point of the test
        CHECK(consumer.native_handle() == nullptr);
        CHECK(thrown_code([&] { (void)consumer.poll(10ms); }) == kflow::errc::closed);
        CHECK(thrown_code([&] { consumer.subscribe({"t"}); }) == kflow::errc::closed);
        CHECK(thrown_code([&] { (void)consumer.assignment(); }) == kflow::errc::closed);
        CHECK(thrown_code([&] { consumer.close(); }) == kflow::errc::closed);
        kflow::error_info ec;
        consumer.commit(ec);
        CHECK(ec == kflow::errc::closed);
        consumer.close(ec);
        CHECK(ec == kflow::errc::closed);
    }
    SECTION("producer") {
        string_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
        string_producer taker(std::move(producer));
        CHECK(taker.valid());
        CHECK_FALSE(producer.valid());  // NOLINT(bugprone-use-after-move)
        CHECK(producer.in_flight() == 0);
        CHECK(producer.native_handle() == nullptr);
        CHECK(thrown_code([&] { producer.send({"t", "k", "v"}); }) == kflow::errc::closed);
        kflow::error_info ec;
        producer.send({"t", "k", "v"}, ec);
        CHECK(ec == kflow::errc::closed);
        producer.send({"t", "k", "v"}, [](std::error_code, const kflow::record_metadata&) {}, ec);
        CHECK(ec == kflow::errc::closed);
        kflow::error_info err;
        producer.flush(10ms, err);
        CHECK(err.code == kflow::errc::closed);
        CHECK(thrown_code([&] { producer.poll(); }) == kflow::errc::closed);
    }
}

TEST_CASE("a moved-from async producer or consumer fails with errc::closed instead of crashing",
          "[async][lifecycle]") {
    mock_cluster cluster;
    boost::asio::io_context io;
    SECTION("async_producer") {
        kflow::async_producer<std::string, std::string> producer(
            io.get_executor(), kflow::testing::test_producer_config(cluster.bootstrap_servers()));
        auto taker = std::move(producer);
        CHECK(taker.valid());
        CHECK_FALSE(producer.valid());  // NOLINT(bugprone-use-after-move): the point of the test
        CHECK(producer.in_flight() == 0);
        CHECK(producer.native_handle() == nullptr);
        CHECK_FALSE(producer.get_executor());
        const auto ignore = [](boost::system::error_code, const kflow::record_metadata&) {};
        CHECK(thrown_code([&] { producer.async_send({"t", "k", "v"}, ignore); }) ==
              kflow::errc::closed);
        CHECK(thrown_code([&] { producer.async_flush([](boost::system::error_code) {}); }) ==
              kflow::errc::closed);
        CHECK(thrown_code([&] { (void)producer.close(10ms); }) == kflow::errc::closed);
    }
    SECTION("async_consumer") {
        kflow::async_consumer<std::string, std::string> consumer(
            io.get_executor(),
            kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
        auto taker = std::move(consumer);
        CHECK(taker.valid());
        CHECK_FALSE(consumer.valid());  // NOLINT(bugprone-use-after-move)
        CHECK(consumer.native_handle() == nullptr);
        CHECK(thrown_code([&] { consumer.subscribe({"t"}); }) == kflow::errc::closed);
        CHECK(thrown_code([&] {
                  consumer.async_receive([](boost::system::error_code, const auto&) {});
              }) == kflow::errc::closed);
        CHECK(thrown_code([&] { consumer.async_commit([](boost::system::error_code) {}); }) ==
              kflow::errc::closed);
    }
}

TEST_CASE("every operation on a closed consumer fails at once with errc::closed",
          "[consumer][lifecycle][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("closed");
    cluster.create_topic(topic, 1);
    string_consumer consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    consumer.close();

    const auto start = clock_type::now();
    CHECK(thrown_code([&] { (void)consumer.poll(5s); }) == kflow::errc::closed);
    CHECK(thrown_code([&] { (void)consumer.poll_batch(10, 5s); }) == kflow::errc::closed);
    CHECK(clock_type::now() - start < 1s);  // no waiting out the poll's timeout

    CHECK(thrown_code([&] { consumer.commit(); }) == kflow::errc::closed);
    CHECK(thrown_code([&] { consumer.commit_async(); }) == kflow::errc::closed);
    CHECK(thrown_code([&] { consumer.subscribe({topic}); }) == kflow::errc::closed);
    CHECK(thrown_code([&] { consumer.assign({{topic, 0, 0}}); }) == kflow::errc::closed);
    CHECK(thrown_code([&] { consumer.unassign(); }) == kflow::errc::closed);
    CHECK(thrown_code([&] { consumer.seek({topic, 0, 0}); }) == kflow::errc::closed);
    CHECK(thrown_code([&] { consumer.pause({{topic, 0}}); }) == kflow::errc::closed);
    CHECK(thrown_code([&] { (void)consumer.committed({{topic, 0}}); }) == kflow::errc::closed);
    CHECK(thrown_code([&] { (void)consumer.watermarks({topic, 0}); }) == kflow::errc::closed);
    kflow::error_info ec;
    consumer.commit(ec);
    CHECK(ec == kflow::errc::closed);
    CHECK(consumer.assignment().empty());
    CHECK(consumer.subscription().empty());
    consumer.close(ec);  // closing again is a no-op
    CHECK_FALSE(ec);
}

TEST_CASE("a commit waits at most commit_timeout for a coordinator that is gone",
          "[consumer][commit][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("commit-timeout");
    cluster.create_topic(topic, 1);
    produce_n(cluster.bootstrap_servers(), topic, 3);
    auto config =
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g"));
    // The destructor runs with the brokers gone too: keep its close short.
    config.enable_auto_commit(false).commit_timeout(1s).close_timeout(1s);
    string_consumer consumer(config);
    consumer.subscribe({topic});
    REQUIRE(kflow::testing::consume_until(consumer, 3, 15s).size() == 3);
    cluster.broker_down(mock_cluster::all_brokers);

    const auto start = clock_type::now();
    kflow::error_info ec;
    consumer.commit(ec);
    const auto took = clock_type::now() - start;
    CHECK(ec == kflow::errc::timed_out);
    CHECK(took >= 900ms);
    CHECK(took < 1s + 1s);
}

TEST_CASE("close is bounded when the rebalance listener commits and the coordinator is gone",
          "[consumer][close][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("close-commit");
    cluster.create_topic(topic, 2);
    produce_n(cluster.bootstrap_servers(), topic, 4);
    auto config =
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g"));
    // commit_timeout longer than close_timeout: close's own deadline must cut the commit short.
    config.enable_auto_commit(false).close_timeout(3s).commit_timeout(30s);
    std::optional<string_consumer> consumer(std::in_place, config);
    std::atomic<int> revoked_commits{0};
    std::optional<std::error_code> revoke_commit_result;
    kflow::rebalance_listener listener;
    listener.on_revoked = [&](const std::vector<kflow::topic_partition>&) {
        ++revoked_commits;
        kflow::error_info ec;
        consumer->commit(ec);  // the pattern docs/consumer.md recommends
        revoke_commit_result = ec.code;
    };
    consumer->subscribe({topic}, listener);
    REQUIRE(kflow::testing::consume_until(*consumer, 4, 15s).size() == 4);
    cluster.broker_down(mock_cluster::all_brokers);

    const auto start = clock_type::now();
    kflow::error_info ec;
    consumer->close(ec);
    const auto took = clock_type::now() - start;
    CHECK(took < 3s + 1s);
    // The final commit did not happen, and close says so rather than succeeding.
    CHECK(ec == kflow::errc::timed_out);
    CHECK(revoked_commits == 1);
    REQUIRE(revoke_commit_result);
    CHECK(*revoke_commit_result == kflow::errc::timed_out);
}

TEST_CASE("a failed auto-commit reaches on_error", "[consumer][commit][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("auto-commit");
    cluster.create_topic(topic, 1);
    produce_n(cluster.bootstrap_servers(), topic, 3);
    std::mutex mutex;
    std::vector<kflow::error_info> errors;
    auto config =
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g"));
    config.enable_auto_commit(true).auto_commit_interval(100ms);
    config.on_error([&](const kflow::error_info& e) {
        const std::lock_guard lock(mutex);
        errors.push_back(e);
    });
    string_consumer consumer(config);
    consumer.subscribe({topic});
    REQUIRE(kflow::testing::consume_until(consumer, 3, 15s).size() == 3);
    // A non-retriable answer: librdkafka gives the commit up and reports it.
    cluster.push_request_errors(kflow::testing::api_key::offset_commit,
                                std::vector<rd_kafka_resp_err_t>(
                                    20, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));

    const auto until = clock_type::now() + 10s;
    bool reported = false;
    while (!reported && clock_type::now() < until) {
        (void)consumer.poll(100ms);  // the handled records are stored, auto-commit runs
        const std::lock_guard lock(mutex);
        for (const auto& e : errors) {
            if (e.message.find("auto-commit") != std::string::npos) {
                CHECK(e.code == std::error_code(kflow::make_error_code(
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)));
                reported = true;
            }
        }
    }
    CHECK(reported);
    cluster.clear_request_errors(kflow::testing::api_key::offset_commit);
}

TEST_CASE("a queue-full send is not dropped when another record's delivery callback throws",
          "[producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("queue-full");
    cluster.create_topic(topic, 1);
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    config.queue_buffering_max_messages(5).on_queue_full(kflow::queue_full_policy::wait, 10s);
    string_producer producer(config);

    constexpr int sends = 50;
    int reports = 0;
    int thrown_from_send = 0;
    for (int i = 0; i < sends; ++i) {
        try {
            producer.send({topic, "k", std::to_string(i)},
                          [&reports, i](std::error_code ec, const kflow::record_metadata&) {
                              CHECK_FALSE(ec);
                              ++reports;
                              if (i % 7 == 0)
                                  throw std::runtime_error("callback " + std::to_string(i));
                          });
        } catch (const std::runtime_error&) {
            ++thrown_from_send;  // a send must never end with another record's exception
        }
    }
    // The callbacks' exceptions come out of the calls that serve reports, one at a time.
    int thrown_later = 0;
    const auto until = clock_type::now() + 20s;
    while (producer.in_flight() > 0 && clock_type::now() < until) {
        try {
            { kflow::error_info unflushed; producer.flush(1s, unflushed); }
        } catch (const std::runtime_error&) {
            ++thrown_later;
        }
    }
    try {
        producer.poll();
    } catch (const std::runtime_error&) {
        ++thrown_later;
    }
    CHECK(thrown_from_send == 0);
    CHECK(reports == sends);
    CHECK(thrown_later >= 1);
}
