// The example of docs/testing.md against a real cluster: the test of
// test_docs_testing_example.cpp, end to end through a cluster's own topic. Set
// KFLOW_TEST_BOOTSTRAP (e.g. localhost:9092) to run; without it the program exits with 77 and
// ctest reports it Skipped. docs/testing.md quotes this file between its "docs:" markers.

#include "docs_testing_shop.hpp"

// docs: real
#include <kflow/admin/client.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/scoped_topic.hpp>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;

TEST_CASE("an order round trip on a real cluster", "[docs][orders][integration]") {
    // Set: without it, main() exits with 77 before any case runs (ctest: Skipped).
    const auto bootstrap = kflow::testing::real_cluster_bootstrap();
    REQUIRE(bootstrap);
    // A topic of this run's own: created, waited for until the cluster shows all its
    // partitions, and deleted at the end of the scope whatever happens.
    kflow::admin_client admin(kflow::admin_config().bootstrap_servers(*bootstrap));
    const kflow::testing::scoped_topic orders(admin, "orders", 3);
    const std::string& topic = orders.name();

    // The cluster reports the topic as created.
    const auto described = admin.describe_topics({topic});
    REQUIRE(described.size() == 1);
    CHECK(described[0].partitions.size() == 3);

    shop::order_publisher publisher(kflow::testing::test_producer_config(*bootstrap), topic);
    const shop::order_placed order{"o-1", "alice", 1250};
    const auto stored = publisher.publish(order, "trace-42", 30s);

    // Every partition from its beginning; assign() rather than subscribe(): no group join.
    kflow::consumer<std::string, shop::order_placed> consumer(kflow::testing::test_consumer_config(
        *bootstrap, kflow::testing::unique_name("orders-check")));
    consumer.assign({{topic, 0, kflow::offsets::beginning},
                     {topic, 1, kflow::offsets::beginning},
                     {topic, 2, kflow::offsets::beginning}});
    const auto record = kflow::testing::require_record(
        consumer, {.key = "alice", .value = order, .headers = {{"trace-id", "trace-42"}}}, 30s);
    CHECK(record.partition == stored.partition);
    CHECK(record.offset == stored.offset);
}
// docs: end
