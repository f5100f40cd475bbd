// The example of docs/testing.md, compiled and run with the suite so that the page stays true:
// the application's Kafka code (docs_testing_shop.hpp) tested in-process against
// kflow::testing::mock_cluster, with fault injection recipes. The same test against a real
// cluster is test_docs_testing_example_integration.cpp. docs/testing.md quotes this file between
// its "docs:" markers.

#include "docs_testing_shop.hpp"

// docs: test
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using kflow::testing::mock_cluster;

namespace {

using order_consumer = kflow::consumer<std::string, shop::order_placed>;

/// Reads every partition of `topic` from the beginning. assign() rather than subscribe(): no
/// group join, so no 3 s wait on the mock.
order_consumer read_all(const std::string& bootstrap, const std::string& topic, int partitions) {
    order_consumer consumer(kflow::testing::test_consumer_config(
        bootstrap, kflow::testing::unique_name("orders-check")));
    std::vector<kflow::topic_partition_offset> all;
    for (int p = 0; p < partitions; ++p)
        all.emplace_back(topic, p, kflow::offsets::beginning);
    consumer.assign(all);
    return consumer;
}

}  // namespace

TEST_CASE("an order is published keyed by customer, with its trace id", "[docs][orders]") {
    mock_cluster cluster;  // one broker on 127.0.0.1, gone at the end of the test
    cluster.create_topic("orders", 3);

    shop::order_publisher publisher(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()), "orders");
    const shop::order_placed order{"o-1", "alice", 1250};
    const auto stored = publisher.publish(order, "trace-42");

    auto consumer = read_all(cluster.bootstrap_servers(), "orders", 3);
    const auto record = kflow::testing::require_record(
        consumer, {.key = "alice", .value = order, .headers = {{"trace-id", "trace-42"}}}, 10s);
    // Where the broker says it stored the order is where a consumer finds it.
    CHECK(record.partition == stored.partition);
    CHECK(record.offset == stored.offset);
}
// docs: end

// docs: helpers
#include <kflow/testing/produce.hpp>
#include <kflow/testing/run_coroutine.hpp>
#include <kflow/testing/scoped_topic.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

TEST_CASE("records written by produce_n are read back by a coroutine", "[docs][helpers]") {
    mock_cluster cluster;
    // Named "orders-<unique>", with 2 partitions; it goes with the cluster (the mock cannot
    // delete topics).
    const kflow::testing::scoped_topic orders(cluster, "orders", 2);

    // key-0/value-0 to key-2/value-2 on partition 1, each confirmed by the broker.
    const auto stored =
        kflow::testing::produce_n(cluster.bootstrap_servers(), orders, 3, {.partition = 1});
    CHECK(stored.back().offset == 2);

    boost::asio::io_context io;
    kflow::async_consumer<std::string, std::string> consumer(
        io.get_executor(), kflow::testing::test_consumer_config(
                               cluster.bootstrap_servers(), kflow::testing::unique_name("check")));
    consumer.assign({{orders, 1, kflow::offsets::beginning}});
    // Runs io on this thread until the coroutine ends: its value is returned, its exception
    // rethrown, and a coroutine still waiting after 10 s is cancelled and the test fails.
    const auto values = kflow::testing::run_coroutine(
        io,
        [&]() -> boost::asio::awaitable<std::vector<std::string>> {
            std::vector<std::string> got;
            while (got.size() < 3) {
                const auto record = co_await consumer.async_receive();
                got.push_back(record.value);
            }
            co_return got;
        },
        10s);
    CHECK(values == std::vector<std::string>{"value-0", "value-1", "value-2"});
}
// docs: end

// docs: faults
TEST_CASE("an order published while the broker is down is delivered once it is back",
          "[docs][orders][fault]") {
    mock_cluster cluster;
    cluster.create_topic("orders", 1);
    shop::order_publisher publisher(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()), "orders");
    publisher.publish({"o-1", "alice", 100}, "t-1");  // connected, metadata known

    cluster.broker_down(1);
    CHECK_THROWS_AS(publisher.publish({"o-2", "bob", 200}, "t-2", 1s), kflow::kafka_error);
    cluster.broker_up(1);
    publisher.publish({"o-3", "carol", 300}, "t-3", 30s);  // flushes o-2 as well

    auto consumer = read_all(cluster.bootstrap_servers(), "orders", 1);
    const auto records = kflow::testing::require_records(consumer, 3, 10s);
    CHECK(records[1].value.order_id == "o-2");  // not lost, and stored once
    CHECK(records[2].value.order_id == "o-3");
}

TEST_CASE("a broker's refusal reaches the caller; transient errors are retried",
          "[docs][orders][fault]") {
    mock_cluster cluster;
    cluster.create_topic("orders", 1);
    shop::order_publisher publisher(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()), "orders");

    // The next Produce responses fail: one per request, in this order.
    cluster.push_request_errors(
        kflow::testing::api_key::produce,
        {RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS});
    const auto stored = publisher.publish({"o-1", "alice", 100}, "t-1");  // retried, then stored
    CHECK(stored.offset == 0);

    cluster.push_request_errors(kflow::testing::api_key::produce,
                                {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE});
    try {
        publisher.publish({"o-2", "bob", 200}, "t-2");
        FAIL("the broker refused o-2, but publish did not throw");
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::make_error_code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE));
    }
}

TEST_CASE("a broker slower than the delivery timeout fails the publish", "[docs][orders][fault]") {
    mock_cluster cluster;
    cluster.create_topic("orders", 1);
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    // Room for the first delivery (connection, producer id) even on a busy machine.
    config.delivery_timeout(3s);
    shop::order_publisher publisher(config, "orders");
    publisher.publish({"o-1", "alice", 100}, "t-1");

    cluster.set_round_trip_time(mock_cluster::all_brokers, 8s);  // every response 8 s late
    try {
        publisher.publish({"o-2", "bob", 200}, "t-2", 10s);
        FAIL("publish succeeded although the broker answered after the delivery timeout");
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == std::errc::timed_out);
    }
}

TEST_CASE("orders keep flowing when partition leadership moves", "[docs][orders][fault]") {
    mock_cluster cluster(2);
    cluster.create_topic("orders", 1, 2);
    shop::order_publisher publisher(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()), "orders");

    cluster.set_partition_leader("orders", 0, 1);
    publisher.publish({"o-1", "alice", 100}, "t-1");
    cluster.set_partition_leader("orders", 0, 2);  // the producer finds the new leader
    publisher.publish({"o-2", "bob", 200}, "t-2", 30s);

    auto consumer = read_all(cluster.bootstrap_servers(), "orders", 1);
    const auto records = kflow::testing::require_records(consumer, 2, 10s);
    CHECK(records[0].value.order_id == "o-1");
    CHECK(records[1].value.order_id == "o-2");
}
// docs: end
