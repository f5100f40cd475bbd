// Producer -> mock cluster -> consumer round trips over real sockets.
#include <kflow.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;

TEST_CASE("a string record with headers makes the round trip", "[producer][consumer][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("roundtrip");
    cluster.create_topic(topic, 3);

    kflow::producer<std::string, std::string> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    kflow::producer_record<std::string, std::string> rec{topic, "user-1", "hello"};
    rec.headers.add("trace-id", "abc123");
    const auto md = kflow::testing::send_and_wait(producer, rec);
    CHECK(md.topic == topic);
    CHECK(md.offset == 0);
    CHECK(md.persisted);

    kflow::consumer<std::string, std::string> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
    consumer.subscribe({topic});
    auto records = kflow::testing::consume_until(consumer, 1);
    REQUIRE(records.size() == 1);
    CHECK(records[0].key == "user-1");
    CHECK(records[0].value == "hello");
    CHECK(records[0].partition == md.partition);
    CHECK(records[0].headers.last("trace-id") == "abc123");
    CHECK(records[0].time_type == kflow::timestamp_type::create_time);
}

TEST_CASE("an empty key or value arrives empty; only null arrives as null",
          "[producer][consumer][mock][null]") {
    // An empty std::vector (or a default string_view) has no data pointer; librdkafka reads a
    // null pointer as Kafka's null, which for a value is a tombstone: a compacted topic would
    // delete the key. Empty must arrive as empty.
    using bytes = std::vector<std::byte>;
    using maybe_bytes = std::optional<bytes>;
    mock_cluster cluster(1);
    const auto topic = unique_name("empty-vs-null");
    cluster.create_topic(topic, 1);

    kflow::producer<maybe_bytes, maybe_bytes> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    kflow::testing::send_and_wait(producer, {topic, bytes{}, bytes{}});
    kflow::testing::send_and_wait(producer, {topic, std::nullopt, std::nullopt});
    kflow::producer<std::string_view, std::string_view> views(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    kflow::testing::send_and_wait(views, {topic, std::string_view{}, std::string_view{}});

    kflow::consumer<maybe_bytes, maybe_bytes> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
    consumer.subscribe({topic});
    const auto records = kflow::testing::consume_until(consumer, 3);
    REQUIRE(records.size() == 3);
    CHECK(records[0].key == bytes{});
    CHECK(records[0].value == bytes{});
    CHECK_FALSE(records[1].key.has_value());
    CHECK_FALSE(records[1].value.has_value());
    CHECK(records[2].key == bytes{});
    CHECK(records[2].value == bytes{});
}
