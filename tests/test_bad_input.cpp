// Bad input, as one table: for each kind of wrong input an application can hand kflow (or that
// can arrive from a topic), the error it gets names the problem, nothing crashes, and nothing
// else is lost: the good records sent and read around the bad one all arrive. Against the mock
// cluster over real sockets. The lifecycle cases (moved-from and closed clients, a consumer
// without a group) are in test_client_lifecycle.cpp.
#include <kflow/consumer.hpp>

#include <kflow/producer.hpp>
#include <kflow/serdes/json.hpp>
#include <kflow/serdes/none.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using string_producer = kflow::producer<std::string, std::string>;
using string_consumer = kflow::consumer<std::string, std::string>;

namespace {

struct order {
    int id = 0;
    std::string item;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order, id, item)

struct rejecting_codec {
    [[nodiscard]] kflow::payload serialize(const std::string& v) const {
        if (v == "poison")
            throw std::invalid_argument("poison is not allowed");
        return kflow::payload(v);
    }
};

/// What an operation reported: the error_code and message of the kafka_error it threw (empty
/// when it threw nothing).
struct outcome {
    std::error_code code;
    std::string message;
};

outcome run(const std::function<void()>& f) {
    try {
        f();
    } catch (const kflow::kafka_error& e) {
        return {e.code(), e.what()};
    }
    return {};
}

/// One row of the table: what goes wrong, what error it must give, and words the message must
/// contain so that the application can tell what was wrong.
struct bad_input_row {
    std::string name;
    std::function<outcome()> attempt;
    std::error_code expected;
    std::vector<std::string> message_names;
};

void check_row(const bad_input_row& row) {
    INFO("bad input: " << row.name);
    const outcome got = row.attempt();
    INFO("message: " << got.message);
    CHECK(got.code == row.expected);
    for (const auto& word : row.message_names)
        CHECK_THAT(got.message, Catch::Contains(word));
}

}  // namespace

TEST_CASE("bad input from the application: a named error, no crash, nothing else lost",
          "[bad-input][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("bad-input");
    cluster.create_topic(topic, 2);
    const auto bootstrap = cluster.bootstrap_servers();
    auto producer_config = kflow::testing::test_producer_config(bootstrap);
    kflow::producer<std::string, std::string, kflow::serde<std::string>, rejecting_codec>
        producer(producer_config);
    // Every good record sent between the bad ones must be delivered: counted here.
    int good_sent = 0;
    int good_delivered = 0;
    auto send_good = [&] {
        producer.send({topic, "good", std::to_string(good_sent++)},
                      [&](std::error_code ec, const kflow::record_metadata&) {
                          if (!ec)
                              ++good_delivered;
                      });
    };
    const auto invalid_config = kflow::make_error_code(kflow::errc::invalid_config);

    const std::vector<bad_input_row> rows = {
        {"an unknown configuration key",
         [] { return run([] { kflow::producer_config().set("no.such.key", "1"); }); },
         invalid_config,
         {"no.such.key"}},
        {"a configuration value of the wrong type",
         [] { return run([] { kflow::producer_config().set("linger.ms", "soon"); }); },
         invalid_config,
         {"linger.ms"}},
        {"a value the serializer rejects",
         [&] { return run([&] { producer.send({topic, "k", "poison"}); }); },
         kflow::make_error_code(kflow::errc::serialization_failed),
         {"value", topic, "poison is not allowed"}},
        {"a record larger than message.max.bytes",
         [&] {
             return run([&] { producer.send({topic, "k", std::string(2 * 1024 * 1024, 'x')}); });
         },
         kflow::make_error_code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE),
         {topic}},
        {"a partition the topic does not have",
         [&] {
             (void)kflow::testing::send_and_wait(producer, {topic, "k", "metadata first"});
             ++good_sent, ++good_delivered;
             return run([&] { producer.send({topic, "k", "v", {}, 7}); });
         },
         kflow::make_error_code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION),
         {topic}},
        {"a header name with a NUL byte (librdkafka would read it back cut short)",
         [&] {
             return run([&] {
                 producer.send({topic, "k", "v", {{std::string("trace\0id", 8), "1"}}});
             });
         },
         kflow::make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG),
         {"trace", "NUL"}},
        {"an empty topic name",
         [&] { return run([&] { producer.send({"", "k", "v"}); }); },
         kflow::make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG),
         {"topic name is empty"}},
    };
    for (const auto& row : rows) {
        send_good();
        check_row(row);
        send_good();
    }
    producer.flush(10s);
    CHECK(good_delivered == good_sent);
}

TEST_CASE("bad input from a topic: a named error with the raw bytes, and the records after it",
          "[bad-input][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("bad-records");
    cluster.create_topic(topic, 1);
    string_producer writer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    // good, malformed JSON, good, JSON of the wrong shape, good, a tombstone, good
    const std::vector<std::string> values = {
        R"({"id":1,"item":"tea"})", R"({"id":2,"item":)", R"({"id":3,"item":"jam"})",
        R"({"id":"four"})",         R"({"id":5,"item":"oat"})"};
    for (const auto& v : values)
        writer.send({topic, "k", v});
    writer.flush(10s);  // in this order, before the tombstone
    // kflow::none as a value type sends Kafka's null: a tombstone.
    kflow::producer<std::string, kflow::none> tombstones(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    tombstones.send({topic, "k", kflow::none{}});
    tombstones.flush(10s);
    writer.send({topic, "k", R"({"id":7,"item":"fig"})"});
    writer.flush(10s);

    kflow::consumer<std::string, order> consumer(kflow::testing::test_consumer_config(
        cluster.bootstrap_servers(), unique_name("g")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    std::vector<int> ids;
    struct failure_seen {
        std::int64_t offset;
        std::error_code code;
        bool has_value;
    };
    std::vector<failure_seen> failures;
    const auto until = std::chrono::steady_clock::now() + 15s;
    while (ids.size() + failures.size() < 7 && std::chrono::steady_clock::now() < until) {
        try {
            for (auto& r : consumer.poll_batch(10, 200ms))
                ids.push_back(r.value.id);
        } catch (const kflow::deserialization_error& e) {
            INFO(e.what());
            CHECK_THAT(e.what(), Catch::Contains(topic));
            CHECK_THAT(e.what(), Catch::Contains("value"));
            failures.push_back({e.record().offset, e.code(), e.record().value.has_value()});
            consumer.mark_handled(e.failure());
        }
    }
    CHECK(ids == std::vector<int>{1, 3, 5, 7});
    REQUIRE(failures.size() == 3);
    CHECK(failures[0].offset == 1);  // malformed JSON
    CHECK(failures[0].code == kflow::errc::deserialization_failed);
    CHECK(failures[0].has_value);
    CHECK(failures[1].offset == 3);  // JSON of another shape
    CHECK(failures[1].code == kflow::errc::deserialization_failed);
    CHECK(failures[2].offset == 5);  // a null value where order cannot be null
    CHECK(failures[2].code == kflow::errc::unexpected_null);
    CHECK_FALSE(failures[2].has_value);
}

TEST_CASE("bad input from a topic: a fixed-width number of the wrong size", "[bad-input][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("bad-int");
    cluster.create_topic(topic, 1);
    string_producer writer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    writer.send({topic, "abc", "v"});  // three bytes where an int32 key needs four
    writer.send({topic, "abcd", "v"});
    writer.flush(10s);

    kflow::consumer<std::int32_t, std::string> consumer(kflow::testing::test_consumer_config(
        cluster.bootstrap_servers(), unique_name("g")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    try {
        (void)kflow::testing::consume_until(consumer, 1, 10s);
        FAIL("a 3-byte int32 key was accepted");
    } catch (const kflow::deserialization_error& e) {
        CHECK(e.code() == kflow::errc::deserialization_failed);
        CHECK(e.failure().part == kflow::record_part::key);
        CHECK_THAT(e.what(), Catch::Contains("key"));
        consumer.mark_handled(e.failure());
    }
    const auto next = kflow::testing::consume_until(consumer, 1, 10s);
    REQUIRE(next.size() == 1);
    CHECK(next[0].offset == 1);
}

TEST_CASE("bad input: unreachable brokers give a bounded, named error", "[bad-input]") {
    // Nothing listens on port 1: connection refused at once, every time.
    auto config = kflow::testing::test_producer_config("127.0.0.1:1");
    config.delivery_timeout(1s);
    string_producer producer(config);
    std::optional<std::error_code> report;
    producer.send({"t", "k", "v"},
                  [&](std::error_code ec, const kflow::record_metadata&) { report = ec; });
    const auto start = std::chrono::steady_clock::now();
    { kflow::error_info unflushed; producer.flush(5s, unflushed); }
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    REQUIRE(report);
    CHECK(*report == std::errc::timed_out);
}
