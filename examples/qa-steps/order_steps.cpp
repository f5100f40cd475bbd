// kflow-qa-steps: a QA team's Kafka test steps, as Catch2 test cases that run in the order they
// are written here:
//
//   1. self-test: is Kafka reachable and healthy? (kflow::cluster_health within 5 s; the
//      report is printed when it is not)
//   2. a topic of this run's own (kflow::testing::scoped_topic), cleaned up at the end
//   3. a background collector, started before acting, recording everything on the topic
//   4. orders published with keys and headers
//   5. within 5 s: their content, headers and metadata (partition, offset, timestamp), each
//      failure naming the expected record, the closest record found and how it differs
//
// Copy it, replace step 4 by what your system under test does, and adjust the expectations.
// It runs on an embedded mock cluster, or on a real one when KAFKA_BOOTSTRAP_SERVERS is set
// (kafka_under_test.hpp).

#include "kafka_under_test.hpp"
#include "order.hpp"

#include <kflow.hpp>
#include <kflow/admin.hpp>
#include <kflow/testing/background_collector.hpp>
#include <kflow/testing/expect_records.hpp>
#include <kflow/testing/produce.hpp>
#include <kflow/testing/record_matchers.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

using order_producer = kflow::producer<std::string, qa::order>;
using order_collector = kflow::testing::background_collector<std::string, qa::order>;
using expected_order = kflow::testing::expected_record<std::string, qa::order>;

/// How long a published record may take to show up.
constexpr auto within = 5s;

}  // namespace

TEST_CASE("self-test: Kafka is reachable and healthy", "[qa][self-test]") {
    auto& kafka = qa::kafka_under_test::instance();
    // No topics named: every topic the cluster has is checked. On a shared cluster, name yours.
    const auto report = kflow::cluster_health(kafka.admin(), {.deadline = 5s, .topics = {}});
    INFO("cluster_health of " << kafka.bootstrap() << ":\n" << report);  // shown on failure
    REQUIRE(report.healthy());
}

SCENARIO("orders published with keys and headers arrive intact", "[qa][orders]") {
    auto& kafka = qa::kafka_under_test::instance();

    GIVEN("a topic of this run's own, with 3 partitions") {
        const auto orders = kafka.create_topic("qa-orders", 3);

        AND_GIVEN("a collector recording everything written to it from now on") {
            // Started before acting: a record written after this line is collected, whatever
            // its partition. It stops, and closes its consumer, at the end of the scope.
            order_collector collector(kafka.consumer_config(), orders);

            WHEN("three orders are published, keyed by customer, with a trace id header") {
                // The system under test would act here; this test publishes itself.
                order_producer producer(kafka.producer_config());
                const qa::order o1{"o-1", "alice", 1250};
                const qa::order o2{"o-2", "bob", 990};
                const qa::order o3{"o-3", "alice", 4200};
                const auto before = kflow::timestamp_clock::now();
                // Returns once the broker confirmed each: where it stored them, in this order.
                const auto delivered = kflow::testing::produce(
                    producer,
                    {{orders, o1.customer, o1, {{"trace-id", "qa-1"}, {"source", "qa-steps"}}},
                     {orders, o2.customer, o2, {{"trace-id", "qa-2"}, {"source", "qa-steps"}}},
                     {orders, o3.customer, o3, {{"trace-id", "qa-3"}, {"source", "qa-steps"}}}});
                // Kafka timestamps are whole milliseconds: between() rounds outwards.
                const auto sent = kflow::testing::between(before, kflow::timestamp_clock::now());

                THEN("each order arrives within 5 s with its key and value") {
                    const std::vector<expected_order> content{
                        {.name = "order o-1", .key = "alice", .value = o1},
                        {.name = "order o-2", .key = "bob", .value = o2},
                        {.name = "order o-3", .key = "alice", .value = o3},
                    };
                    REQUIRE(kflow::testing::expect_records(collector, content, within));

                    AND_THEN("each carries its headers") {
                        const std::vector<expected_order> headers{
                            {.name = "order o-1",
                             .value = o1,
                             .headers = {{"trace-id", "qa-1"}, {"source", "qa-steps"}}},
                            {.name = "order o-2",
                             .value = o2,
                             .headers = {{"trace-id", "qa-2"}, {"source", "qa-steps"}}},
                            {.name = "order o-3",
                             .value = o3,
                             .headers = {{"trace-id", "qa-3"}, {"source", "qa-steps"}}},
                        };
                        REQUIRE(kflow::testing::expect_records(collector, headers, within));

                        AND_THEN(
                            "each is where its delivery report says, stamped during the send") {
                            // .stored: topic, partition and offset as the delivery report said;
                            // .time: the record's timestamp between the send and its report.
                            const std::vector<expected_order> metadata{
                                {.name = "order o-1",
                                 .value = o1,
                                 .stored = delivered[0],
                                 .time = sent},
                                {.name = "order o-2",
                                 .value = o2,
                                 .stored = delivered[1],
                                 .time = sent},
                                {.name = "order o-3",
                                 .value = o3,
                                 .stored = delivered[2],
                                 .time = sent},
                            };
                            const auto found =
                                kflow::testing::expect_records(collector, metadata, within);
                            REQUIRE(found);

                            // One customer's orders share a partition, in the order sent.
                            const auto records = found.records();
                            CHECK(records[0].partition == records[2].partition);
                            CHECK(records[0].offset < records[2].offset);
                            // Nothing else was written to the topic.
                            CHECK(collector.size() == 3);
                        }
                    }
                }
            }
        }
    }
}

// Hidden ("[.]"): a plain run leaves it out. Run `kflow-qa-steps "[failure-demo]"` to see how a
// step fails: the expected record, the closest record found, and how it differs.
SCENARIO("failure demo: an order with the wrong trace id", "[.][qa][failure-demo]") {
    auto& kafka = qa::kafka_under_test::instance();
    GIVEN("a topic and a collector") {
        const auto orders = kafka.create_topic("qa-demo", 1);
        order_collector collector(kafka.consumer_config(), orders);
        WHEN("an order is published with trace id qa-1") {
            order_producer producer(kafka.producer_config());
            const qa::order o1{"o-1", "alice", 1250};
            kflow::testing::produce(producer, {{orders, "alice", o1, {{"trace-id", "qa-1"}}}});
            THEN("a check for trace id qa-7 fails, saying what it found instead") {
                const std::vector<expected_order> wrong{
                    {.name = "order o-1", .key = "alice", .headers = {{"trace-id", "qa-7"}}},
                };
                REQUIRE(kflow::testing::expect_records(collector, wrong, 1s));
            }
        }
    }
}
