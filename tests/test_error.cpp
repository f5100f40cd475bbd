// The error model: kafka and kflow categories, portable conditions, kafka_error and its flags
// from real librdkafka error objects, and exceptions thrown by application callbacks, which
// never unwind through librdkafka and reach the application from the call that polled.
#include <kflow/error.hpp>

#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>

using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using clock_type = std::chrono::steady_clock;

namespace {

/// An exception type of the application's own, to check it arrives unchanged.
struct app_failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + 1))
        ++n;
    return n;
}

/// Calls `poll()` until it throws app_failure (returned) or the deadline passes (std::nullopt).
template <class Poll>
std::optional<std::string> poll_until_app_failure(Poll poll, std::chrono::milliseconds deadline) {
    const auto until = clock_type::now() + deadline;
    while (clock_type::now() < until) {
        try {
            poll();
        } catch (const app_failure& e) {
            return e.what();
        }
    }
    return std::nullopt;
}

}  // namespace

// -- Categories and codes ---------------------------------------------------------------------

TEST_CASE("librdkafka's codes and kflow's own are two named categories", "[error]") {
    CHECK(std::string(kflow::kafka_category().name()) == "kafka");
    CHECK(std::string(kflow::client_category().name()) == "kflow");

    for (auto err : {RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__QUEUE_FULL,
                     RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_UNKNOWN}) {
        const auto ec = kflow::make_error_code(err);
        CHECK(ec.category() == kflow::kafka_category());
        CHECK(ec.value() == err);
        CHECK(ec.message() == rd_kafka_err2str(err));
    }
    CHECK(kflow::make_error_code(RD_KAFKA_RESP_ERR__TIMED_OUT).message() == "Local: Timed out");
    CHECK_FALSE(kflow::make_error_code(RD_KAFKA_RESP_ERR_NO_ERROR));

    // kflow::errc converts implicitly, as an error code enum does.
    const std::error_code closed = kflow::errc::closed;
    CHECK(closed.category() == kflow::client_category());
    CHECK(closed == kflow::make_error_code(kflow::errc::closed));
    CHECK(closed.message() == "client is closed");

    std::set<std::string> messages;
    for (int v = static_cast<int>(kflow::errc::serialization_failed);
         v <= static_cast<int>(kflow::errc::callback_failed); ++v) {
        const auto msg = kflow::make_error_code(static_cast<kflow::errc>(v)).message();
        CHECK(msg != "unknown kflow error");
        messages.insert(msg);
    }
    CHECK(messages.size() == static_cast<std::size_t>(kflow::errc::callback_failed));
    CHECK(std::error_code(999, kflow::client_category()).message() == "unknown kflow error");
}

TEST_CASE("portable conditions: a timeout is std::errc::timed_out whoever reported it", "[error]") {
    for (auto err : {RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
                     RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE}) {
        CAPTURE(rd_kafka_err2name(err));
        CHECK(kflow::make_error_code(err) == std::errc::timed_out);
    }
    CHECK(kflow::make_error_code(kflow::errc::timed_out) == std::errc::timed_out);
    // Equivalent conditions, yet distinct codes: the code still says who detected it.
    CHECK(kflow::make_error_code(RD_KAFKA_RESP_ERR__TIMED_OUT) !=
          kflow::make_error_code(kflow::errc::timed_out));

    CHECK(kflow::make_error_code(RD_KAFKA_RESP_ERR__QUEUE_FULL) != std::errc::timed_out);
    CHECK(kflow::make_error_code(kflow::errc::queue_full) != std::errc::timed_out);

    CHECK(kflow::make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG) == std::errc::invalid_argument);
    CHECK(kflow::make_error_code(kflow::errc::invalid_config) == std::errc::invalid_argument);
    CHECK(kflow::make_error_code(kflow::errc::unsupported_by_librdkafka) ==
          std::errc::function_not_supported);
    CHECK(kflow::make_error_code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) ==
          std::errc::permission_denied);

    // A code without a portable meaning is its own condition.
    const auto too_large = kflow::make_error_code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
    CHECK(too_large.default_error_condition().category() == kflow::kafka_category());
}

TEST_CASE("to_rdkafka_error gives back librdkafka's code, and only for librdkafka's codes",
          "[error]") {
    for (auto err : {RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__FATAL,
                     RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION}) {
        CHECK(kflow::to_rdkafka_error(kflow::make_error_code(err)) == err);
    }
    CHECK(kflow::to_rdkafka_error({}) == RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK(kflow::to_rdkafka_error(kflow::errc::timed_out) == RD_KAFKA_RESP_ERR_UNKNOWN);
    CHECK(kflow::to_rdkafka_error(std::make_error_code(std::errc::timed_out)) ==
          RD_KAFKA_RESP_ERR_UNKNOWN);
}

// -- kafka_error and error_info -----------------------------------------------------------------

static_assert(std::is_base_of_v<std::system_error, kflow::kafka_error>);
static_assert(std::is_nothrow_copy_constructible_v<kflow::kafka_error>);
static_assert(std::is_nothrow_copy_constructible_v<kflow::deserialization_error>);

TEST_CASE("kafka_error is a std::system_error whose what() says the context and the reason once",
          "[error]") {
    const auto ec = kflow::make_error_code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
    const std::string reason = ec.message();

    const kflow::kafka_error plain(ec, "cannot send to 'orders'");
    CHECK(std::string(plain.what()) == "cannot send to 'orders': " + reason);
    CHECK(plain.code() == ec);
    CHECK_FALSE(plain.is_fatal());

    // A context that already carries the reason does not get it twice.
    const kflow::kafka_error described(ec, "commit: " + reason);
    CHECK(occurrences(described.what(), reason) == 1);

    const kflow::kafka_error bare(ec);
    CHECK(std::string(bare.what()) == reason);

    const kflow::kafka_error flagged(ec, "x", {true, false, true});
    CHECK(flagged.is_fatal());
    CHECK_FALSE(flagged.is_retriable());
    CHECK(flagged.txn_requires_abort());

    try {
        kflow::throw_if_error(kflow::errc::closed, "send");
        FAIL("throw_if_error did not throw");
    } catch (const std::system_error& e) {  // catchable as the standard type
        CHECK(e.code() == kflow::errc::closed);
        CHECK(std::string(e.what()) == "send: client is closed");
    }
    CHECK_NOTHROW(kflow::throw_if_error({}, "nothing"));
}

TEST_CASE("error_info adopts an rd_kafka_error_t: code, message and flags", "[error]") {
    SECTION("librdkafka's no-error is an empty error_info") {
        const auto info = kflow::error_info::adopt(nullptr);
        CHECK_FALSE(info);
        CHECK_FALSE(info.code);
    }
    SECTION("an error made by rd_kafka_error_new") {
        const auto info = kflow::error_info::adopt(
            rd_kafka_error_new(RD_KAFKA_RESP_ERR__INVALID_ARG, "bad %s", "partition count"));
        REQUIRE(info);
        CHECK(info.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG));
        CHECK(info.message == "bad partition count");
        CHECK_FALSE(info.flags.fatal);
        CHECK_FALSE(info.flags.retriable);
        CHECK_FALSE(info.flags.txn_requires_abort);
        try {
            info.raise("create topic");
            FAIL("raise did not throw");
        } catch (const kflow::kafka_error& e) {
            CHECK(e.code() == std::errc::invalid_argument);
            CHECK(std::string(e.what()) ==
                  "create topic: bad partition count: " + info.code.message());
        }
    }
}

TEST_CASE("a fatal error reaches on_error flagged fatal, and makes send fail fatally",
          "[error][mock]") {
    mock_cluster cluster(1);
    std::vector<kflow::error_info> errors;
    auto cfg = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    cfg.on_error([&](const kflow::error_info& e) { errors.push_back(e); });
    kflow::producer<std::string, std::string> producer(cfg);

    // librdkafka's hook for raising a fatal error in tests (idempotent producers raise them for
    // broken sequence numbers, which the mock cannot provoke on demand).
    REQUIRE(rd_kafka_test_fatal_error(producer.native_handle(),
                                      RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                                      "sequence broken") == RD_KAFKA_RESP_ERR_NO_ERROR);
    const auto until = clock_type::now() + 10s;
    while (errors.empty() && clock_type::now() < until)
        producer.poll(50ms);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].flags.fatal);
    CHECK(errors[0].code == kflow::make_error_code(RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER));
    CHECK_THAT(errors[0].message, Catch::Contains("sequence broken"));

    try {
        producer.send({unique_name("fatal"), "k", "v"});
        FAIL("send after a fatal error succeeded");
    } catch (const kflow::kafka_error& e) {
        CHECK(e.is_fatal());
        CHECK(e.code() == kflow::make_error_code(RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER));
        CHECK_THAT(e.what(), Catch::Contains("sequence broken"));
    }
}

TEST_CASE("a transactional call that timed out is flagged retriable", "[error][mock]") {
    mock_cluster cluster(1);
    auto cfg = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    // The producer would call init_transactions itself; this test makes the call.
    cfg.transactional_id(unique_name("txn")).init_transactions_timeout(0ms);
    cluster.broker_down(1);  // no transaction coordinator to be found
    kflow::producer<std::string, std::string> producer(cfg);

    const auto info =
        kflow::error_info::adopt(rd_kafka_init_transactions(producer.native_handle(), 300));
    REQUIRE(info);
    CHECK(info.code == std::errc::timed_out);
    CHECK(info.flags.retriable);
    CHECK_FALSE(info.flags.fatal);
    CHECK_FALSE(info.flags.txn_requires_abort);
    cluster.broker_up(1);
}

TEST_CASE("a transaction whose records failed must be aborted, and the error says so",
          "[error][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("txn-topic");
    cluster.create_topic(topic, 1);
    auto cfg = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    // The producer would call init_transactions itself; this test makes the call.
    cfg.transactional_id(unique_name("txn")).init_transactions_timeout(0ms);
    kflow::producer<std::string, std::string> producer(cfg);
    rd_kafka_t* rk = producer.native_handle();

    REQUIRE_FALSE(kflow::error_info::adopt(rd_kafka_init_transactions(rk, 10000)));
    REQUIRE_FALSE(kflow::error_info::adopt(rd_kafka_begin_transaction(rk)));
    // The broker refuses the write: not retriable, so the transaction cannot commit.
    cluster.push_request_errors(kflow::testing::api_key::produce,
                                {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED});
    std::optional<std::error_code> delivery;
    producer.send({topic, "k", "v"},
                  [&](std::error_code ec, const kflow::record_metadata&) { delivery = ec; });

    const auto info = kflow::error_info::adopt(rd_kafka_commit_transaction(rk, 10000));
    REQUIRE(info);
    CHECK(info.flags.txn_requires_abort);
    CHECK_FALSE(info.flags.fatal);
    const auto until = clock_type::now() + 10s;
    while (!delivery && clock_type::now() < until)
        producer.poll(20ms);
    REQUIRE(delivery);
    CHECK(*delivery == std::errc::permission_denied);
    CHECK_FALSE(kflow::error_info::adopt(rd_kafka_abort_transaction(rk, 10000)));
}

// -- Exceptions from application callbacks --------------------------------------------------------

TEST_CASE("a delivery callback that throws: the exception reaches the polling thread",
          "[error][callbacks][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("dr-throw");
    cluster.create_topic(topic, 1);
    kflow::producer<std::string, std::string> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));

    const auto caller = std::this_thread::get_id();
    std::vector<std::int64_t> delivered;
    std::vector<std::thread::id> threads;
    for (std::string v : {"boom", "ok-1", "ok-2"}) {
        producer.send({topic, "k", v},
                      [&, v](std::error_code ec, const kflow::record_metadata& md) {
                          threads.push_back(std::this_thread::get_id());
                          CHECK_FALSE(ec);
                          delivered.push_back(md.offset);
                          if (v == "boom")
                              throw app_failure("delivery callback failed for " + v);
                      });
    }
    std::optional<std::string> caught;
    try {
        {
            kflow::error_info unflushed;
            producer.flush(10s, unflushed);
        }
    } catch (const app_failure& e) {
        caught = e.what();
    }
    REQUIRE(caught);
    CHECK(*caught == "delivery callback failed for boom");
    // The other reports were still served, on the caller's thread, and nothing is in flight.
    CHECK_NOTHROW(producer.flush(10s));
    CHECK(delivered == std::vector<std::int64_t>{0, 1, 2});
    for (const auto& t : threads)
        CHECK(t == caller);
    CHECK(producer.in_flight() == 0);

    // The producer is still usable.
    const auto md = kflow::testing::send_and_wait(producer, {topic, "k", "after"});
    CHECK(md.offset == 3);
}

TEST_CASE("a statistics callback that throws: the exception reaches the producer's poll",
          "[error][callbacks][mock]") {
    mock_cluster cluster(1);
    auto cfg = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    int calls = 0;
    std::string last_json;
    cfg.statistics_interval(50ms).on_statistics([&](std::string_view json) {
        ++calls;
        last_json = json;
        throw app_failure("statistics handler failed");
    });
    kflow::producer<std::string, std::string> producer(cfg);

    const auto caught = poll_until_app_failure([&] { producer.poll(50ms); }, 10s);
    REQUIRE(caught);
    CHECK(*caught == "statistics handler failed");
    CHECK(calls >= 1);
    CHECK_THAT(last_json, Catch::Contains("\"type\": \"producer\""));
    // Later statistics keep coming (the callback was not unhooked by the failure).
    const int before = calls;
    CHECK(poll_until_app_failure([&] { producer.poll(50ms); }, 10s));
    CHECK(calls > before);
}

TEST_CASE("an on_error or on_log handler that throws: the exception reaches poll",
          "[error][callbacks][mock]") {
    mock_cluster cluster(1);
    SECTION("on_error") {
        auto cfg = kflow::testing::test_producer_config(cluster.bootstrap_servers());
        cfg.on_error(
            [](const kflow::error_info& e) { throw app_failure("on_error failed: " + e.message); });
        kflow::producer<std::string, std::string> producer(cfg);
        REQUIRE(rd_kafka_test_fatal_error(producer.native_handle(),
                                          RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                                          "for on_error") == RD_KAFKA_RESP_ERR_NO_ERROR);
        const auto caught = poll_until_app_failure([&] { producer.poll(50ms); }, 10s);
        REQUIRE(caught);
        CHECK_THAT(*caught,
                   Catch::StartsWith("on_error failed: ") && Catch::Contains("for on_error"));
    }
    SECTION("on_log") {
        auto cfg = kflow::testing::test_producer_config(cluster.bootstrap_servers());
        cfg.debug("broker").on_log(
            [](const kflow::log_entry& e) { throw app_failure("on_log failed: " + e.facility); });
        kflow::producer<std::string, std::string> producer(cfg);
        const auto caught = poll_until_app_failure([&] { producer.poll(50ms); }, 10s);
        REQUIRE(caught);
        CHECK_THAT(*caught, Catch::StartsWith("on_log failed: "));
    }
}

TEST_CASE("a consumer's statistics callback that throws loses no record",
          "[error][callbacks][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("stats-consume");
    cluster.create_topic(topic, 1);
    constexpr int count = 300;
    {
        kflow::producer<std::string, std::string> producer(
            kflow::testing::test_producer_config(cluster.bootstrap_servers()));
        for (int i = 0; i < count; ++i)
            producer.send({topic, "k", std::to_string(i)});
        producer.flush(10s);
    }

    auto cfg = kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g"));
    // Small fetches, so records keep arriving while statistics fire every 10 ms.
    cfg.statistics_interval(10ms)
        .set("message.max.bytes", "1000")
        .set("fetch.max.bytes", "1000")
        .set("max.partition.fetch.bytes", "1000");
    int thrown = 0;
    cfg.on_statistics([&](std::string_view) { throw app_failure("statistics handler failed"); });
    kflow::consumer<std::string, std::string> consumer(cfg);
    consumer.assign({{topic, 0, kflow::offsets::beginning}});

    std::map<std::int64_t, int> seen;  // offset -> times delivered
    const auto until = clock_type::now() + 20s;
    while (seen.size() < count && clock_type::now() < until) {
        try {
            for (const auto& r : consumer.poll_batch(7, 20ms)) {
                ++seen[r.offset];
                CHECK(r.value == std::to_string(r.offset));
            }
        } catch (const app_failure&) {
            ++thrown;
        }
    }
    CHECK(thrown > 0);
    REQUIRE(seen.size() == count);
    for (const auto& [offset, times] : seen) {
        CAPTURE(offset);
        CHECK(times == 1);
    }
}

TEST_CASE("a rebalance listener that throws: the exception reaches poll, the assignment happens",
          "[error][callbacks][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("rebalance-throw");
    cluster.create_topic(topic, 2);
    {
        kflow::producer<std::string, std::string> producer(
            kflow::testing::test_producer_config(cluster.bootstrap_servers()));
        producer.send({topic, "a", "1", {}, 0});
        producer.send({topic, "b", "2", {}, 1});
        producer.flush(10s);
    }

    kflow::consumer<std::string, std::string> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
    int assigned_calls = 0;
    int revoked_calls = 0;
    kflow::rebalance_listener listener;
    listener.on_assigned = [&](const std::vector<kflow::topic_partition>& parts) {
        ++assigned_calls;
        throw app_failure("on_assigned failed for " + std::to_string(parts.size()) + " partitions");
    };
    listener.on_revoked = [&](const std::vector<kflow::topic_partition>&) {
        ++revoked_calls;
        throw app_failure("on_revoked failed");
    };
    consumer.subscribe({topic}, listener);

    std::vector<std::string> values;
    const auto caught = poll_until_app_failure(
        [&] {
            if (auto r = consumer.poll(100ms))
                values.push_back(r->value);
        },
        20s);
    REQUIRE(caught);
    CHECK(*caught == "on_assigned failed for 2 partitions");
    CHECK(assigned_calls == 1);
    // The listener's failure did not stop the assignment: both partitions are ours and read.
    CHECK(consumer.assignment().size() == 2);
    const auto rest = kflow::testing::consume_until(consumer, 2 - values.size());
    for (const auto& r : rest)
        values.push_back(r.value);
    std::sort(values.begin(), values.end());
    CHECK(values == std::vector<std::string>{"1", "2"});

    // A throwing on_revoked: the partitions are still given up.
    consumer.unsubscribe();
    const auto revoked = poll_until_app_failure([&] { (void)consumer.poll(100ms); }, 10s);
    REQUIRE(revoked);
    CHECK(*revoked == "on_revoked failed");
    CHECK(revoked_calls == 1);
    CHECK(consumer.assignment().empty());
}
