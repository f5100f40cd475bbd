// kflow::testing's helpers, each shown to succeed when it should and to fail, clearly, when it
// should: against kflow::testing::mock_cluster over real sockets. Consumers here are assigned
// partitions rather than subscribed, so no test waits for a group join.
#include <kflow/testing/helpers.hpp>

#include <kflow.hpp>
#include <kflow/serdes/optional.hpp>
#include <kflow/testing/describe.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;

namespace {

using string_producer = kflow::producer<std::string, std::string>;
using string_consumer = kflow::consumer<std::string, std::string>;
using string_record = kflow::producer_record<std::string, std::string>;

/// How long a test that expects a helper to fail gives the records that should arrive meanwhile.
/// Such a test waits all of it, so it is no longer than needed; but a consumer's first fetch can
/// take a second or more when CI runs two test programs at once on two cores.
constexpr auto arrival_deadline = 5s;
const std::string arrival_ms =
    std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(arrival_deadline).count());

/// A one-partition topic holding `values`, keyed "k-0", "k-1", ..., with a "seq" header.
std::string topic_with(mock_cluster& cluster, const std::vector<std::string>& values) {
    const auto topic = unique_name("helpers");
    cluster.create_topic(topic, 1);
    string_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto n = std::to_string(i);
        kflow::testing::send_and_wait(producer,
                                      {topic, "k-" + n, values[i], kflow::headers{{"seq", n}}});
    }
    return topic;
}

/// A consumer reading partition 0 of `topic` from the beginning, without a group join.
string_consumer reader(const mock_cluster& cluster, const std::string& topic) {
    string_consumer consumer(kflow::testing::test_consumer_config(cluster.bootstrap_servers(),
                                                                  unique_name("helpers-group")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    return consumer;
}

/// Sets an environment variable for one scope, then puts back what was there.
class scoped_env {
  public:
    scoped_env(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name))
            old_ = old;
        if (value != nullptr) {
            ::setenv(name, value, 1);
        } else {
            ::unsetenv(name);
        }
    }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;
    ~scoped_env() {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }

  private:
    const char* name_;
    std::optional<std::string> old_;
};

struct no_stream_operator {
    int x = 0;
    friend bool operator==(const no_stream_operator&, const no_stream_operator&) = default;
};

struct json_point {
    int x = 0;
    int y = 0;
};
void to_json(nlohmann::json& j, const json_point& p) {
    j = {{"x", p.x}, {"y", p.y}};
}

}  // namespace

TEST_CASE("unique_name starts with its prefix and never repeats", "[testing]") {
    std::set<std::string> names;
    for (int i = 0; i < 1000; ++i) {
        const auto name = unique_name("orders");
        CHECK(name.rfind("orders-", 0) == 0);
        names.insert(name);
    }
    CHECK(names.size() == 1000);
}

TEST_CASE("the test configs read from the beginning and return fetches quickly", "[testing]") {
    const auto consumer = kflow::testing::test_consumer_config("127.0.0.1:9092", "g");
    CHECK(consumer.get("bootstrap.servers") == "127.0.0.1:9092");
    CHECK(consumer.get("group.id") == "g");
    CHECK(consumer.get("auto.offset.reset") == "earliest");
    CHECK(consumer.get("fetch.wait.max.ms") == "10");
    const auto producer = kflow::testing::test_producer_config("127.0.0.1:9092");
    CHECK(producer.get("linger.ms") == "1");
}

TEST_CASE("send_and_wait returns the delivery report", "[testing]") {
    mock_cluster cluster;
    const auto topic = unique_name("sent");
    cluster.create_topic(topic, 1);
    string_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    const auto first = kflow::testing::send_and_wait(producer, {topic, "k", "one"});
    const auto second = kflow::testing::send_and_wait(producer, {topic, "k", "two"});
    CHECK(first.topic == topic);
    CHECK(first.partition == 0);
    CHECK(first.offset == 0);
    CHECK(second.offset == 1);
    CHECK(second.persisted);
}

TEST_CASE("send_and_wait throws the broker's error when delivery fails", "[testing]") {
    mock_cluster cluster;
    const auto topic = unique_name("refused");
    cluster.create_topic(topic, 1);
    string_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    cluster.push_request_errors(kflow::testing::api_key::produce,
                                {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE});
    try {
        kflow::testing::send_and_wait(producer, {topic, "k", "too large, says the broker"});
        FAIL("send_and_wait did not throw");
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::make_error_code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE));
        CHECK_THAT(e.what(), Contains("delivery to " + topic));
    }
}

TEST_CASE(
    "send_and_wait throws timed_out when no report comes before its deadline, and the "
    "late report is harmless",
    "[testing]") {
    mock_cluster cluster;
    const auto topic = unique_name("slow");
    cluster.create_topic(topic, 1);
    string_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    kflow::testing::send_and_wait(producer, {topic, "k", "warm-up"});  // connected, metadata known
    cluster.set_round_trip_time(mock_cluster::all_brokers, 1500ms);
    try {
        kflow::testing::send_and_wait(producer, {topic, "k", "late"}, 200ms);
        FAIL("send_and_wait did not throw");
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::make_error_code(kflow::errc::timed_out));
        CHECK_THAT(e.what(), Contains("no delivery report for a record to " + topic));
    }
    // The report still arrives after the helper returned, into state it keeps alive for it.
    CHECK_FALSE(producer.flush(10s));
    CHECK(producer.in_flight() == 0);
}

TEST_CASE("consume_until returns as soon as it has the records asked for", "[testing]") {
    mock_cluster cluster;
    const auto topic = topic_with(cluster, {"a", "b", "c"});
    auto consumer = reader(cluster, topic);
    const auto records = kflow::testing::consume_until(consumer, 3, 10s);
    REQUIRE(records.size() == 3);
    CHECK(records[0].value == "a");
    CHECK(records[2].value == "c");
    CHECK(records[2].offset == 2);
}

TEST_CASE("consume_until returns what arrived when the deadline passes first", "[testing]") {
    mock_cluster cluster;
    const auto topic = topic_with(cluster, {"a", "b"});
    auto consumer = reader(cluster, topic);
    const auto start = std::chrono::steady_clock::now();
    const auto records = kflow::testing::consume_until(consumer, 5, arrival_deadline);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(records.size() == 2);
    CHECK(took >= arrival_deadline);
    CHECK(took < arrival_deadline + 3s);  // bounded by the deadline, not by anything else
}

TEST_CASE("require_records returns exactly the records asked for", "[testing]") {
    mock_cluster cluster;
    const auto topic = topic_with(cluster, {"a", "b"});
    auto consumer = reader(cluster, topic);
    const auto records = kflow::testing::require_records(consumer, 2, 10s);
    REQUIRE(records.size() == 2);
    CHECK(records[1].value == "b");
}

TEST_CASE("require_records fails naming the count and listing what did arrive", "[testing]") {
    mock_cluster cluster;
    const auto topic = topic_with(cluster, {"only-one"});
    auto consumer = reader(cluster, topic);
    try {
        (void)kflow::testing::require_records(consumer, 3, arrival_deadline);
        FAIL("require_records did not throw");
    } catch (const kflow::testing::expectation_failed& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Contains("expected 3 record(s) within " + arrival_ms + " ms, got 1"));
        CHECK_THAT(what, Contains(topic + " [0] @ 0 key=\"k-0\" value=\"only-one\" "
                                          "headers={seq=\"0\"}"));
    }
}

TEST_CASE("expect_record finds the record matching every field given, skipping others",
          "[testing]") {
    mock_cluster cluster;
    const auto topic = topic_with(cluster, {"a", "b", "c", "d"});
    auto consumer = reader(cluster, topic);
    const auto found = kflow::testing::expect_record(
        consumer,
        {.key = "k-2", .value = "c", .headers = {{"seq", "2"}}, .topic = topic, .partition = 0},
        10s);
    REQUIRE(found);
    CHECK(found->offset == 2);
    CHECK(found.failure().empty());
    REQUIRE(found.skipped_count() == 2);  // "a" and "b" came first and did not match
    CHECK(found.skipped()[0].value == "a");
    CHECK(found.skipped()[1].value == "b");
    // The consumer goes on after the match: "d" is next.
    CHECK(kflow::testing::require_record(consumer, {}, 10s).value == "d");
}

TEST_CASE("expect_record fails listing the records that arrived instead", "[testing]") {
    mock_cluster cluster;
    const auto topic = topic_with(cluster, {"a", "b"});
    auto consumer = reader(cluster, topic);
    // The value matches record 1, the header value does not: no match.
    const auto result = kflow::testing::expect_record(
        consumer, {.value = "b", .headers = {{"seq", "7"}}}, arrival_deadline);
    REQUIRE_FALSE(result);
    CHECK(result.skipped_count() == 2);
    const auto& failure = result.failure();
    CHECK_THAT(failure, Contains("no record matching {value=\"b\" headers including "
                                 "{seq=\"7\"}} arrived within " +
                                 arrival_ms + " ms"));
    CHECK_THAT(failure, Contains("2 other record(s) arrived:"));
    CHECK_THAT(failure, Contains(topic + " [0] @ 0 key=\"k-0\" value=\"a\" headers={seq=\"0\"}"));
    CHECK_THAT(failure, Contains(topic + " [0] @ 1 key=\"k-1\" value=\"b\" headers={seq=\"1\"}"));

    // Printed (as Catch2 does for CHECK(expect_record(...))), it shows the same failure.
    std::ostringstream printed;
    printed << result;
    CHECK(printed.str() == failure);
    // Reading the missing record throws the failure instead of reading garbage.
    CHECK_THROWS_AS(result.value(), kflow::testing::expectation_failed);
    CHECK_THROWS_WITH(result->value, failure);
}

TEST_CASE("expect_record says so when nothing arrived at all", "[testing]") {
    mock_cluster cluster;
    const auto topic = unique_name("empty");
    cluster.create_topic(topic, 1);
    auto consumer = reader(cluster, topic);
    const auto result = kflow::testing::expect_record(consumer, {.key = "anything"}, 500ms);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.failure() ==
          "no record matching {key=\"anything\"} arrived within 500 ms; no record arrived at all");
}

TEST_CASE("require_record throws expectation_failed with the whole story", "[testing]") {
    mock_cluster cluster;
    const auto topic = topic_with(cluster, {"a"});
    auto consumer = reader(cluster, topic);
    CHECK_THROWS_WITH(
        kflow::testing::require_record(consumer, {.topic = "elsewhere"}, arrival_deadline),
        Contains("no record matching {topic=elsewhere} arrived within " + arrival_ms +
                 " ms; 1 other record(s) arrived:\n  " + topic +
                 " [0] @ 0 key=\"k-0\" value=\"a\""));
}

TEST_CASE("a failure message keeps the first 20 records and counts the rest", "[testing]") {
    mock_cluster cluster;
    std::vector<std::string> values;
    for (int i = 0; i < 25; ++i)
        values.push_back("v" + std::to_string(i));
    const auto topic = topic_with(cluster, values);
    auto consumer = reader(cluster, topic);
    // Wait for all 25 to be skipped: the key matches none of them.
    const auto result = kflow::testing::expect_record(consumer, {.key = "none"}, arrival_deadline);
    REQUIRE_FALSE(result);
    CHECK(result.skipped_count() == 25);
    CHECK(result.skipped().size() == 20);
    CHECK_THAT(result.failure(), Contains("25 other record(s) arrived, the first 20:"));
    CHECK_THAT(result.failure(), Contains("value=\"v19\""));
    CHECK_THAT(result.failure(), !Contains("value=\"v20\""));
}

TEST_CASE("record_expectation matches headers by name and value, null values included",
          "[testing]") {
    kflow::consumer_record<std::string, std::string> r;
    r.topic = "t";
    r.key = "k";
    r.value = "v";
    r.headers.add("tag", "a").add("tag", "b").add_null("trace");

    using expectation = kflow::testing::record_expectation<std::string, std::string>;
    CHECK(expectation{}.matches(r));
    CHECK(expectation{.headers = {{"tag", "b"}}}.matches(r));
    CHECK(expectation{.headers = {{"tag", "a"}, {"trace", std::nullopt}}}.matches(r));
    CHECK_FALSE(expectation{.headers = {{"tag", "c"}}}.matches(r));
    CHECK_FALSE(expectation{.headers = {{"trace", "x"}}}.matches(r));  // null is not "x"
    CHECK_FALSE(expectation{.key = "other"}.matches(r));
    CHECK_FALSE(expectation{.partition = 1}.matches(r));
    CHECK(expectation{}.describe() == "{any record}");
    CHECK(expectation{.headers = {{"trace", std::nullopt}}}.describe() ==
          "{headers including {trace=null}}");
}

TEST_CASE("describe_value shows text quoted, null as null, bytes by size, JSON types as JSON",
          "[testing]") {
    using kflow::testing::describe_value;
    CHECK(describe_value(std::string("x")) == "\"x\"");
    CHECK(describe_value(std::optional<std::string>()) == "null");
    CHECK(describe_value(std::optional<std::string>("y")) == "\"y\"");
    CHECK(describe_value(std::vector<std::byte>(3)) == "<3 bytes>");
    CHECK(describe_value(42) == "42");
    CHECK(describe_value(json_point{1, 2}) == R"({"x":1,"y":2})");
    CHECK(describe_value(no_stream_operator{}) == "<unprintable>");
}

TEST_CASE("expect_record works for optional keys and values (null keys)", "[testing]") {
    mock_cluster cluster;
    const auto topic = unique_name("nullable");
    cluster.create_topic(topic, 1);
    using nullable = std::optional<std::string>;
    kflow::producer<nullable, nullable> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    kflow::testing::send_and_wait(producer, {topic, std::nullopt, "no key"});
    kflow::consumer<nullable, nullable> consumer(kflow::testing::test_consumer_config(
        cluster.bootstrap_servers(), unique_name("nullable-group")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    const auto result =
        kflow::testing::expect_record(consumer, {.key = nullable("k")}, arrival_deadline);
    REQUIRE_FALSE(result);
    CHECK_THAT(result.failure(), Contains("key=null value=\"no key\""));
}

TEST_CASE("real_cluster_bootstrap reads KFLOW_TEST_BOOTSTRAP, and empty means unset", "[testing]") {
    {
        scoped_env env("KFLOW_TEST_BOOTSTRAP", "broker-1:9092,broker-2:9092");
        CHECK(kflow::testing::real_cluster_bootstrap() == "broker-1:9092,broker-2:9092");
    }
    {
        scoped_env env("KFLOW_TEST_BOOTSTRAP", "");
        CHECK_FALSE(kflow::testing::real_cluster_bootstrap());
    }
    {
        scoped_env env("KFLOW_TEST_BOOTSTRAP", nullptr);
        CHECK_FALSE(kflow::testing::real_cluster_bootstrap());
    }
}
