// A record that cannot be deserialized is never skipped silently: consumer::poll throws
// kflow::deserialization_error with its topic, partition, offset, the reason and its raw key and
// value bytes; the records after it keep coming; and the group's committed offset stays at the
// failed record until the application marks it handled. End to end against the mock cluster.
#include <kflow/deserialization_error.hpp>

#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/produce.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;

namespace shop {
struct order {
    int id = 0;
    std::string item;
    friend bool operator==(const order&, const order&) = default;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order, id, item)
}  // namespace shop

namespace {

using raw_producer = kflow::producer<std::string, kflow::bytes>;

kflow::bytes bytes_of(std::string_view text) {
    const auto b = std::as_bytes(std::span(text.data(), text.size()));
    return {b.begin(), b.end()};
}

/// Writes records with exactly these key and value bytes to partition 0 of `topic`, in order.
void produce_raw(const mock_cluster& cluster, const std::string& topic,
                 std::vector<raw_producer::record_type> records) {
    for (auto& r : records) {
        r.topic = topic;
        r.partition = 0;
    }
    raw_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    kflow::testing::produce(producer, records);
}

/// What one poll() gave: a record or a failure.
template <class Consumer>
struct outcome {
    std::optional<typename Consumer::record_type> record;
    std::optional<kflow::deserialization_failure> failure;
    std::error_code code;  ///< of the exception
    std::string what;      ///< of the exception
};

/// Polls until a record or a failure arrives; an empty outcome after the deadline.
template <class Consumer>
outcome<Consumer> next_outcome(Consumer& consumer, std::chrono::milliseconds deadline = 10s) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        try {
            if (auto r = consumer.poll(100ms))
                return {std::move(r), {}, {}, {}};
        } catch (const kflow::deserialization_error& e) {
            return {{}, e.failure(), e.code(), e.what()};
        }
    }
    return {};
}

std::int64_t committed_offset(const auto& consumer, const std::string& topic) {
    const auto committed = consumer.committed({{topic, 0}});
    REQUIRE(committed.size() == 1);
    return committed[0].offset;
}

}  // namespace

TEST_CASE("a value that is not JSON is reported with its coordinates and exact bytes",
          "[deserialization][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("orders");
    cluster.create_topic(topic, 1);
    raw_producer::record_type bad{{}, "k1", bytes_of(R"({"id": 2, "item": )")};
    bad.headers.add("source", "legacy-writer");
    produce_raw(cluster, topic,
                {{{}, "k0", bytes_of(R"({"id":1,"item":"pen"})")},
                 bad,
                 {{}, "k2", bytes_of(R"({"id":3,"item":"ink"})")}});

    const auto group = unique_name("g");
    kflow::consumer<std::string, shop::order> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), group));
    consumer.assign({{topic, 0, kflow::offsets::stored}});  // no commit yet: earliest

    const auto first = next_outcome(consumer);
    REQUIRE(first.record);
    CHECK(first.record->value == shop::order{1, "pen"});

    const auto failed = next_outcome(consumer);
    REQUIRE(failed.failure);
    const auto& f = *failed.failure;
    CHECK(failed.code == kflow::errc::deserialization_failed);
    CHECK(f.code == kflow::errc::deserialization_failed);
    CHECK(f.part == kflow::record_part::value);
    CHECK(f.record.topic == topic);
    CHECK(f.record.partition == 0);
    CHECK(f.record.offset == 1);
    CHECK(f.record.key == bytes_of("k1"));
    CHECK(f.record.value == bytes_of(R"({"id": 2, "item": )"));
    CHECK(f.record.headers.last("source") == "legacy-writer");
    CHECK(f.record.time_type == kflow::timestamp_type::create_time);
    CHECK_THAT(f.reason, Catch::Contains("parse error"));
    CHECK_THAT(failed.what,
               Catch::StartsWith("cannot deserialize value of " + topic + " [0] @ 1: "));

    SECTION("the records after it still arrive, and the commit holds at the failed record") {
        const auto third = next_outcome(consumer);
        REQUIRE(third.record);
        CHECK(third.record->offset == 2);
        CHECK(third.record->value == shop::order{3, "ink"});

        consumer.commit();
        CHECK(committed_offset(consumer, topic) == 1);
        // Polling on does not move it either.
        CHECK_FALSE(consumer.poll(50ms));
        consumer.commit();
        CHECK(committed_offset(consumer, topic) == 1);

        consumer.mark_handled(f);
        consumer.commit();
        CHECK(committed_offset(consumer, topic) == 3);
    }
    SECTION("unhandled, it is read again by the next member of the group") {
        consumer.commit();
        consumer.close();

        kflow::consumer<std::string, shop::order> successor(
            kflow::testing::test_consumer_config(cluster.bootstrap_servers(), group));
        successor.assign({{topic, 0, kflow::offsets::stored}});
        const auto again = next_outcome(successor);
        REQUIRE(again.failure);
        CHECK(again.failure->record.offset == 1);
        CHECK(again.failure->record.value == f.record.value);
    }
}

TEST_CASE("numbers of the wrong width, keys included, fail with the reason and the bytes",
          "[deserialization][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("counters");
    cluster.create_topic(topic, 1);
    const kflow::bytes one{std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1}};
    const kflow::bytes three_bytes{std::byte{0}, std::byte{0}, std::byte{1}};
    {
        kflow::producer<kflow::bytes, kflow::bytes> producer(
            kflow::testing::test_producer_config(cluster.bootstrap_servers()));
        producer.send({topic, one, three_bytes, {}, 0});  // value too short
        producer.send({topic, three_bytes, one, {}, 0});  // key too short
        producer.send({topic, one, one, {}, 0});
        producer.flush(10s);
    }
    kflow::consumer<std::int32_t, std::int32_t> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});

    const auto value_failure = next_outcome(consumer);
    REQUIRE(value_failure.failure);
    CHECK(value_failure.failure->part == kflow::record_part::value);
    CHECK(value_failure.failure->reason == "expected 4 big-endian bytes for int32, got 3");
    CHECK(value_failure.failure->record.value == three_bytes);
    CHECK(value_failure.failure->record.key == one);

    const auto key_failure = next_outcome(consumer);
    REQUIRE(key_failure.failure);
    CHECK(key_failure.failure->part == kflow::record_part::key);
    CHECK(key_failure.failure->record.offset == 1);
    CHECK(key_failure.failure->record.key == three_bytes);
    CHECK_THAT(key_failure.what, Catch::Contains("cannot deserialize key of " + topic));

    const auto good = next_outcome(consumer);
    REQUIRE(good.record);
    CHECK(good.record->key == 1);
    CHECK(good.record->value == 1);
}

TEST_CASE("a null value for a type without null is errc::unexpected_null; optional reads it",
          "[deserialization][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("nulls");
    cluster.create_topic(topic, 1);
    {
        kflow::producer<std::string, std::optional<std::int32_t>> producer(
            kflow::testing::test_producer_config(cluster.bootstrap_servers()));
        producer.send({topic, "gone", std::nullopt});
        producer.send({topic, "here", 5});
        producer.flush(10s);
    }

    kflow::consumer<std::string, std::int32_t> strict(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
    strict.assign({{topic, 0, kflow::offsets::beginning}});
    const auto null_value = next_outcome(strict);
    REQUIRE(null_value.failure);
    CHECK(null_value.code == kflow::errc::unexpected_null);
    CHECK(null_value.failure->part == kflow::record_part::value);
    CHECK(null_value.failure->record.value == std::nullopt);  // null, not empty
    CHECK(null_value.failure->record.key == bytes_of("gone"));
    const auto after = next_outcome(strict);
    REQUIRE(after.record);
    CHECK(after.record->value == 5);

    kflow::consumer<std::string, std::optional<std::int32_t>> lenient(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
    lenient.assign({{topic, 0, kflow::offsets::beginning}});
    const auto records = kflow::testing::consume_until(lenient, 2);
    REQUIRE(records.size() == 2);
    CHECK(records[0].value == std::nullopt);
    CHECK(records[1].value == 5);
}

TEST_CASE("poll_batch stops before a failure, throws it next, then goes on: nothing lost or twice",
          "[deserialization][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("batch");
    cluster.create_topic(topic, 1);
    auto good = [](int id) {
        return bytes_of(R"({"id":)" + std::to_string(id) + R"(,"item":"x"})");
    };
    produce_raw(cluster, topic,
                {{{}, "a", good(0)},
                 {{}, "b", good(1)},
                 {{}, "c", bytes_of("[1,2,3]")},  // JSON, but not an order
                 {{}, "d", good(3)},
                 {{}, "e", good(4)}});

    kflow::consumer<std::string, shop::order> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});

    // Five asked for: the first call returns as soon as librdkafka has all five, so the failed
    // record is inside the batch it fetched.
    const auto offsets_of = [](const auto& batch) {
        std::vector<std::int64_t> out;
        for (const auto& r : batch)
            out.push_back(r.offset);
        return out;
    };
    const auto first = consumer.poll_batch(5, 10s);
    CHECK(offsets_of(first) == std::vector<std::int64_t>{0, 1});

    std::optional<kflow::deserialization_failure> failure;
    try {
        const auto unexpected = consumer.poll_batch(5, 10s);
        FAIL_CHECK("no failure; got " << unexpected.size() << " records");
    } catch (const kflow::deserialization_error& e) {
        failure = e.failure();
    }
    REQUIRE(failure);
    CHECK(failure->record.offset == 2);
    CHECK(failure->record.value == bytes_of("[1,2,3]"));
    CHECK(failure->code == kflow::errc::deserialization_failed);

    const auto rest = consumer.poll_batch(5, 10s);
    CHECK(offsets_of(rest) == std::vector<std::int64_t>{3, 4});
    CHECK(rest.at(0).value == shop::order{3, "x"});
    CHECK(consumer.poll_batch(5, 100ms).empty());

    consumer.commit();
    CHECK(committed_offset(consumer, topic) == 2);
    consumer.mark_handled(*failure);
    consumer.commit();
    CHECK(committed_offset(consumer, topic) == 5);
}

TEST_CASE("records kflow holds after a cut-short batch stay back while their partition is paused",
          "[deserialization][consumer][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("paused-backlog");
    cluster.create_topic(topic, 1);
    auto good = [](int id) {
        return bytes_of(R"({"id":)" + std::to_string(id) + R"(,"item":"x"})");
    };
    produce_raw(cluster, topic,
                {{{}, "a", good(0)},
                 {{}, "b", bytes_of("[1,2,3]")},  // not an order: cuts the batch short
                 {{}, "c", good(2)}});
    kflow::consumer<std::string, shop::order> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});

    // All three come in one fetch; the batch stops before offset 1, which, with offset 2,
    // waits inside kflow rather than librdkafka.
    const auto first = consumer.poll_batch(3, 10s);
    REQUIRE(first.size() == 1);
    CHECK(first[0].offset == 0);

    consumer.pause({{topic, 0}});
    CHECK(consumer.poll_batch(3, 300ms).empty());

    consumer.resume({{topic, 0}});
    std::optional<kflow::deserialization_failure> failure;
    try {
        (void)consumer.poll_batch(3, 10s);
    } catch (const kflow::deserialization_error& e) {
        failure = e.failure();
    }
    REQUIRE(failure);
    CHECK(failure->record.offset == 1);
    const auto rest = consumer.poll_batch(3, 10s);
    REQUIRE(rest.size() == 1);
    CHECK(rest[0].offset == 2);
}

namespace {
/// A codec that throws something that is not a std::exception.
struct odd_thrower {
    [[nodiscard]] std::string deserialize(std::span<const std::byte> bytes) const {
        if (bytes.size() == 3)
            throw 3;
        return std::string(kflow::detail::as_text(bytes));
    }
};
}  // namespace

TEST_CASE("a deserializer throwing a non-std::exception is still a failure with the bytes",
          "[deserialization][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("odd");
    cluster.create_topic(topic, 1);
    produce_raw(cluster, topic, {{{}, "k", bytes_of("bad")}, {{}, "k", bytes_of("fine")}});

    kflow::consumer<std::string, std::string, kflow::serde<std::string>, odd_thrower> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    const auto failed = next_outcome(consumer);
    REQUIRE(failed.failure);
    CHECK(failed.failure->record.value == bytes_of("bad"));
    CHECK_THAT(failed.failure->reason, Catch::Contains("non-std::exception"));
    const auto next = next_outcome(consumer);
    REQUIRE(next.record);
    CHECK(next.record->value == "fine");
    consumer.commit();
    CHECK(committed_offset(consumer, topic) == 0);
}

TEST_CASE("the non-throwing poll reports a failed record through error_info and last_failure",
          "[consumer][deserialization][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("no-throw-poll");
    cluster.create_topic(topic, 1);
    produce_raw(cluster, topic,
                {{"", "k1", bytes_of(R"({"id":1,"item":"tea"})")},
                 {"", "k2", bytes_of("not json")},
                 {"", "k3", bytes_of(R"({"id":3,"item":"jam"})")}});
    auto config = kflow::testing::test_consumer_config(cluster.bootstrap_servers(),
                                                       unique_name("g"));
    config.enable_auto_commit(false);
    kflow::consumer<std::string, shop::order> consumer(config);
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    CHECK(consumer.last_failure() == nullptr);

    kflow::error_info err;
    std::vector<int> ids;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (ids.size() < 2 && std::chrono::steady_clock::now() < deadline) {
        auto record = consumer.poll(100ms, err);
        if (err) {
            CHECK(err == kflow::errc::deserialization_failed);
            CHECK_THAT(err.message, Catch::Contains(topic + " [0] @ 1"));
            REQUIRE(consumer.last_failure() != nullptr);
            CHECK(consumer.last_failure()->record.offset == 1);
            CHECK(consumer.last_failure()->record.value == bytes_of("not json"));
            consumer.mark_handled(*consumer.last_failure());
            continue;
        }
        if (record)
            ids.push_back(record->value.id);
    }
    CHECK(ids == std::vector<int>{1, 3});
    // Everything handled: the commit covers all three records.
    consumer.commit(err);
    CHECK_FALSE(err);
    CHECK(consumer.committed({{topic, 0}}).at(0).offset == 3);
}
