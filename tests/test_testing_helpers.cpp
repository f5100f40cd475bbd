// kflow::testing's helpers, each shown to succeed when it should and to fail, clearly, when it
// should: against kflow::testing::mock_cluster over real sockets. Consumers here are assigned
// partitions rather than subscribed, so no test waits for a group join.
#include <kflow/testing/helpers.hpp>

#include <kflow.hpp>
#include <kflow/serdes/optional.hpp>
#include <kflow/testing/describe.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/produce.hpp>
#include <kflow/testing/run_coroutine.hpp>
#include <kflow/testing/scoped_topic.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

namespace asio = boost::asio;
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
    std::vector<string_record> records;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto n = std::to_string(i);
        records.emplace_back(topic, "k-" + n, values[i], kflow::headers{{"seq", n}});
    }
    (void)kflow::testing::produce(producer, records);
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
    // The report still arrives after the helper returned, into state it keeps alive for it: the
    // next record's report comes after it (one partition, one connection).
    cluster.set_round_trip_time(mock_cluster::all_brokers, 0ms);
    CHECK(kflow::testing::send_and_wait(producer, {topic, "k", "after"}).offset == 2);
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

// -- run_coroutine ----------------------------------------------------------------------------

namespace {

/// Waits `delay` on the coroutine's own executor, then returns `value`.
asio::awaitable<int> later(std::chrono::milliseconds delay, int value) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
    co_return value;
}

/// An io_context run by a thread of its own, for run_coroutine's executor overload.
class running_io {
  public:
    running_io() : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
    running_io(const running_io&) = delete;
    running_io& operator=(const running_io&) = delete;
    ~running_io() {
        work_.reset();
        io_.stop();
        thread_.join();
    }
    [[nodiscard]] asio::io_context::executor_type executor() noexcept { return io_.get_executor(); }

  private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::thread thread_;
};

}  // namespace

TEST_CASE("run_coroutine returns the coroutine's value", "[testing][run_coroutine]") {
    asio::io_context io;
    SECTION("from a lambda returning an awaitable") {
        const int n = kflow::testing::run_coroutine(
            io, [&]() -> asio::awaitable<int> { co_return co_await later(10ms, 41) + 1; });
        CHECK(n == 42);
    }
    SECTION("from an awaitable") {
        CHECK(kflow::testing::run_coroutine(io, later(10ms, 7), 10s) == 7);
    }
    SECTION("of a move-only type, and of none") {
        auto owned = kflow::testing::run_coroutine(
            io,
            []() -> asio::awaitable<std::unique_ptr<int>> { co_return std::make_unique<int>(3); });
        REQUIRE(owned);
        CHECK(*owned == 3);
        bool ran = false;
        kflow::testing::run_coroutine(
            io, [&]() -> asio::awaitable<void> { ran = co_await later(1ms, 1) == 1; });
        CHECK(ran);
    }
    SECTION("twice on the same io_context, and leaves it ready to run") {
        CHECK(kflow::testing::run_coroutine(io, later(1ms, 1)) == 1);
        CHECK(kflow::testing::run_coroutine(io, later(1ms, 2)) == 2);
        bool posted = false;
        asio::post(io, [&] { posted = true; });
        io.run();
        CHECK(posted);
        CHECK(kflow::testing::run_coroutine(io, later(1ms, 3)) == 3);  // after io ran out of work
    }
}

TEST_CASE("run_coroutine rethrows the coroutine's exception", "[testing][run_coroutine]") {
    asio::io_context io;
    SECTION("one it throws itself") {
        CHECK_THROWS_WITH(kflow::testing::run_coroutine(io,
                                                        [&]() -> asio::awaitable<int> {
                                                            co_await later(1ms, 0);
                                                            throw std::runtime_error("no stock");
                                                        }),
                          "no stock");
    }
    SECTION("a kafka_error from an operation awaited with kflow::use_awaitable") {
        mock_cluster cluster;
        const kflow::testing::scoped_topic topic(cluster, "refused");
        kflow::async_producer<std::string, std::string> producer(
            io.get_executor(), kflow::testing::test_producer_config(cluster.bootstrap_servers()));
        cluster.push_request_errors(kflow::testing::api_key::produce,
                                    {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE});
        try {
            kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<kflow::record_metadata> {
                co_return co_await producer.async_send({topic, "k", "too large, says the broker"});
            });
            FAIL("run_coroutine did not rethrow");
        } catch (const kflow::kafka_error& e) {
            CHECK(e.code() == kflow::make_error_code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE));
        }
    }
}

TEST_CASE("run_coroutine's value comes from kflow::use_awaitable operations",
          "[testing][run_coroutine]") {
    mock_cluster cluster;
    const kflow::testing::scoped_topic topic(cluster, "awaited");
    asio::io_context io;
    kflow::async_producer<std::string, std::string> producer(
        io.get_executor(), kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    const auto md =
        kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<kflow::record_metadata> {
            co_await producer.async_send({topic, "k", "first"});
            co_return co_await producer.async_send({topic, "k", "second"}, kflow::use_awaitable);
        });
    CHECK(md.topic == topic.name());
    CHECK(md.offset == 1);
}

TEST_CASE("run_coroutine cancels a coroutine that misses its deadline and says so",
          "[testing][run_coroutine]") {
    asio::io_context io;
    bool ended = false;
    const auto start = std::chrono::steady_clock::now();
    try {
        kflow::testing::run_coroutine(
            io,
            [&]() -> asio::awaitable<void> {
                asio::steady_timer forever(co_await asio::this_coro::executor, 1h);
                try {
                    co_await forever.async_wait(asio::use_awaitable);
                } catch (...) {
                    ended = true;  // cancelled
                    throw;
                }
            },
            200ms);
        FAIL("run_coroutine did not throw");
    } catch (const kflow::testing::deadline_exceeded& e) {
        CHECK_THAT(e.what(), Contains("did not finish within its deadline of 200 ms"));
        CHECK_THAT(e.what(), Contains("it was cancelled and then ended with:"));
    }
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(ended);  // run_coroutine returned after the coroutine had ended: nothing left behind
    CHECK(took >= 200ms);
    CHECK(took < 200ms + kflow::testing::coroutine_cancel_grace);
    static_assert(
        std::is_base_of_v<kflow::testing::expectation_failed, kflow::testing::deadline_exceeded>);
}

TEST_CASE("run_coroutine gives up on a coroutine that ignores cancellation",
          "[testing][run_coroutine]") {
    asio::io_context io;
    CHECK_THROWS_WITH(
        kflow::testing::run_coroutine(
            io,
            [&]() -> asio::awaitable<void> {
                // From here on nothing this coroutine awaits can be cancelled.
                co_await asio::this_coro::reset_cancellation_state(
                    [](asio::cancellation_type) { return asio::cancellation_type::none; });
                asio::steady_timer forever(co_await asio::this_coro::executor, 1h);
                co_await forever.async_wait(asio::use_awaitable);
            },
            100ms),
        Contains("deadline of 100 ms") &&
            Contains("did not end within a further " +
                     std::to_string(kflow::testing::coroutine_cancel_grace.count()) + " ms"));
}

TEST_CASE("run_coroutine waits on a coroutine running on another thread's io_context",
          "[testing][run_coroutine]") {
    running_io other;
    SECTION("its value") {
        const auto on = kflow::testing::run_coroutine(other.executor(),
                                                      [&]() -> asio::awaitable<std::thread::id> {
                                                          co_await later(5ms, 0);
                                                          co_return std::this_thread::get_id();
                                                      });
        CHECK(on != std::this_thread::get_id());
    }
    SECTION("through a type-erased executor") {
        const asio::any_io_executor executor = other.executor();
        CHECK(kflow::testing::run_coroutine(executor, later(1ms, 5)) == 5);
    }
    SECTION("of a coroutine bound to the io_context's own executor type") {
        using io_executor = asio::io_context::executor_type;
        const auto n = kflow::testing::run_coroutine(
            other.executor(), []() -> asio::awaitable<int, io_executor> { co_return 9; });
        CHECK(n == 9);
    }
    SECTION("its exception") {
        CHECK_THROWS_WITH(
            kflow::testing::run_coroutine(other.executor(),
                                          [&]() -> asio::awaitable<void> {
                                              co_await later(1ms, 0);
                                              throw std::runtime_error("out of paper");
                                          }),
            "out of paper");
    }
    SECTION("its deadline") {
        CHECK_THROWS_AS(kflow::testing::run_coroutine(other.executor(), later(1h, 0), 100ms),
                        kflow::testing::deadline_exceeded);
    }
}

// -- produce, produce_n -----------------------------------------------------------------------

TEST_CASE("produce_n writes numbered records and returns where they were stored",
          "[testing][produce]") {
    mock_cluster cluster;
    const kflow::testing::scoped_topic topic(cluster, "numbered", 2);
    SECTION("key-i / value-i through a producer of the test's own") {
        string_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
        const auto stored = kflow::testing::produce_n(producer, topic, 3, {.partition = 1});
        REQUIRE(stored.size() == 3);
        for (std::size_t i = 0; i < stored.size(); ++i) {
            CHECK(stored[i].topic == topic.name());
            CHECK(stored[i].partition == 1);
            CHECK(stored[i].offset == static_cast<std::int64_t>(i));
            CHECK(stored[i].persisted);
        }
        string_consumer consumer(kflow::testing::test_consumer_config(
            cluster.bootstrap_servers(), unique_name("numbered-group")));
        consumer.assign({{topic, 1, kflow::offsets::beginning}});
        const auto records = kflow::testing::require_records(consumer, 3, 10s);
        CHECK(records[0].key == "key-0");
        CHECK(records[0].value == "value-0");
        CHECK(records[2].key == "key-2");
        CHECK(records[2].value == "value-2");
    }
    SECTION("named otherwise, through a producer of its own") {
        const auto stored = kflow::testing::produce_n(
            cluster.bootstrap_servers(), topic, 2,
            {.partition = 0, .key_prefix = "k", .value_prefix = "v", .first = 10});
        REQUIRE(stored.size() == 2);
        CHECK(stored[1].offset == 1);
        string_consumer consumer(kflow::testing::test_consumer_config(
            cluster.bootstrap_servers(), unique_name("numbered-group")));
        consumer.assign({{topic, 0, kflow::offsets::beginning}});
        const auto records = kflow::testing::require_records(consumer, 2, 10s);
        CHECK(records[0].key == "k10");
        CHECK(records[1].value == "v11");
    }
}

TEST_CASE("produce sends given records, or values, and returns their metadata in order",
          "[testing][produce]") {
    mock_cluster cluster;
    const kflow::testing::scoped_topic topic(cluster, "given");
    string_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    const auto first = kflow::testing::produce(
        producer, {{topic, "alice", "a"}, {topic, "bob", "b", kflow::headers{{"h", "1"}}}});
    REQUIRE(first.size() == 2);
    CHECK(first[0].offset == 0);
    CHECK(first[1].offset == 1);
    const auto second = kflow::testing::produce(producer, topic, {"c", "d", "e"});
    REQUIRE(second.size() == 3);
    CHECK(second[2].offset == 4);
    CHECK(kflow::testing::produce(producer, std::vector<string_record>{}).empty());
}

TEST_CASE("produce throws the broker's error naming the record that was refused",
          "[testing][produce]") {
    mock_cluster cluster;
    const kflow::testing::scoped_topic topic(cluster, "refused");
    string_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    cluster.push_request_errors(kflow::testing::api_key::produce,
                                {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE});
    try {
        (void)kflow::testing::produce_n(producer, topic, 1, {.partition = 0});
        FAIL("produce_n did not throw");
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::make_error_code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE));
        CHECK_THAT(e.what(), Contains("produce: 1 of 1 record(s) were not delivered, the first "
                                      "record 0 (key \"key-0\") to " +
                                      topic.name() + " [0]"));
    }
    // The producer is still usable, and nothing else is owed.
    CHECK(kflow::testing::produce_n(producer, topic, 1).size() == 1);
}

TEST_CASE("produce throws timed_out when reports miss its deadline", "[testing][produce]") {
    mock_cluster cluster;
    const kflow::testing::scoped_topic topic(cluster, "slow");
    string_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    (void)kflow::testing::produce_n(producer, topic, 1);  // connected, metadata known
    cluster.set_round_trip_time(mock_cluster::all_brokers, 1500ms);
    try {
        (void)kflow::testing::produce_n(producer, topic, 2, {.deadline = 200ms});
        FAIL("produce_n did not throw");
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::make_error_code(kflow::errc::timed_out));
        CHECK_THAT(e.what(), Contains("2 of 2 record(s) got no delivery report within 200 ms, "
                                      "the first record 0 (key \"key-0\") to " +
                                      topic.name()));
    }
    // The reports still arrive after produce gave up, into state it keeps alive for them: the
    // next record's report comes after theirs (one partition, one connection).
    cluster.set_round_trip_time(mock_cluster::all_brokers, 0ms);
    const auto next = kflow::testing::produce_n(producer, topic, 1, {.partition = 0});
    CHECK(next[0].offset == 3);
    CHECK(producer.in_flight() == 0);
}

// -- scoped_topic -----------------------------------------------------------------------------

TEST_CASE("scoped_topic creates a uniquely named topic with its partitions on the mock",
          "[testing][scoped_topic]") {
    mock_cluster cluster;
    const kflow::testing::scoped_topic orders(cluster, "orders", 3);
    const kflow::testing::scoped_topic other(cluster, "orders", 3);
    CHECK(orders.name().rfind("orders-", 0) == 0);
    CHECK(orders.name() != other.name());
    CHECK(orders.partitions() == 3);

    // The cluster shows it with 3 partitions; the mock would auto-create a missing topic with
    // 4, so the count tells it was scoped_topic that made it.
    kflow::admin_config cfg;
    cfg.bootstrap_servers(cluster.bootstrap_servers()).request_timeout(10s);
    kflow::admin_client admin(cfg);
    const auto described = admin.describe_topics({orders});
    REQUIRE(described.size() == 1);
    CHECK(described[0].partitions.size() == 3);

    // It stands in for its name wherever kflow or a test takes one.
    const std::string_view as_view = orders;
    const std::string& as_string = orders;
    CHECK(as_view == orders.name());
    CHECK(&as_string == &orders.name());
    CHECK(orders == orders.name());
    CHECK(orders.name() == orders);
    std::ostringstream printed;
    printed << orders;
    CHECK(printed.str() == orders.name());
    const string_record record{orders, "k", "v", {}, 2};
    CHECK(record.topic == orders.name());

    // Moved, it hands its name on and keeps none.
    kflow::testing::scoped_topic moved(cluster, "moved");
    const std::string name = moved.name();
    const kflow::testing::scoped_topic taken(std::move(moved));
    CHECK(taken.name() == name);
    CHECK(moved.name().empty());  // specified: a moved-from scoped_topic is empty
}

TEST_CASE("scoped_topic refuses what the mock refuses", "[testing][scoped_topic]") {
    mock_cluster cluster;
    CHECK_THROWS_AS(kflow::testing::scoped_topic(cluster, "none", 0), kflow::kafka_error);
    CHECK_THROWS_AS(kflow::testing::scoped_topic(cluster, "replicas", 1, 2), kflow::kafka_error);
}

TEST_CASE("scoped_topic through an admin_client needs a real cluster: the mock says why",
          "[testing][scoped_topic]") {
    mock_cluster cluster;
    kflow::admin_config cfg;
    cfg.bootstrap_servers(cluster.bootstrap_servers()).request_timeout(10s);
    kflow::admin_client admin(cfg);
    try {
        const kflow::testing::scoped_topic topic(admin, "admin-made", 2);
        FAIL("the mock created a topic through CreateTopics");
    } catch (const kflow::kafka_error& e) {
        CHECK_THAT(e.what(), Contains("scoped_topic: creating admin-made-"));
        CHECK_THAT(e.what(), Contains("CreateTopics"));
    }
}
