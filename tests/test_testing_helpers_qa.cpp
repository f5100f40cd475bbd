// kflow::testing's QA steps: background_collector, expected_record / record_matches /
// match_records, and expect_records / require_records / expect_no_record. Each is shown to pass
// when it should and to fail with a message naming the difference when it should not; the
// collector runs against kflow::testing::mock_cluster over real sockets.
#include <kflow/testing/background_collector.hpp>
#include <kflow/testing/expect_records.hpp>
#include <kflow/testing/record_matchers.hpp>

#include <kflow.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/produce.hpp>
#include <kflow/testing/scoped_topic.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using kflow::testing::background_collector;
using kflow::testing::expected_record;
using kflow::testing::mock_cluster;
using kflow::testing::scoped_topic;

namespace {

using text_record = kflow::consumer_record<std::string, std::string>;
using text_expectation = expected_record<std::string, std::string>;
using text_producer = kflow::producer<std::string, std::string>;
using text_collector = background_collector<std::string, std::string>;

text_record make_record(std::string key, std::string value, kflow::headers headers = {},
                        std::int32_t partition = 0, std::int64_t offset = 0,
                        std::int64_t time_ms = 1'700'000'000'000) {
    text_record r;
    r.topic = "orders";
    r.partition = partition;
    r.offset = offset;
    r.key = std::move(key);
    r.value = std::move(value);
    r.headers = std::move(headers);
    r.time = kflow::timestamp(std::chrono::milliseconds(time_ms));
    r.time_type = kflow::timestamp_type::create_time;
    return r;
}

kflow::consumer_config collector_config(const mock_cluster& cluster) {
    return kflow::testing::test_consumer_config(cluster.bootstrap_servers(),
                                                kflow::testing::unique_name("qa-collector"));
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

// -- record_matchers.hpp, on records made by hand ---------------------------------------------

TEST_CASE("describe_time shows UTC to the millisecond", "[testing][qa][matchers]") {
    CHECK(kflow::testing::describe_time(kflow::timestamp(1'700'000'000'123ms)) ==
          "2023-11-14T22:13:20.123Z");
    CHECK(kflow::testing::describe_time(kflow::timestamp(-1ms)) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("between widens to whole milliseconds, plus the slack", "[testing][qa][matchers]") {
    const kflow::timestamp_clock::time_point from(1'000'000'500us);  // 1000000.5 ms
    const kflow::timestamp_clock::time_point to(1'000'002'100us);
    const auto range = kflow::testing::between(from, to);
    CHECK(range.from == kflow::timestamp(1'000'000ms));
    CHECK(range.to == kflow::timestamp(1'000'003ms));
    CHECK(range.contains(kflow::timestamp(1'000'000ms)));
    CHECK(range.contains(kflow::timestamp(1'000'003ms)));
    CHECK_FALSE(range.contains(kflow::timestamp(1'000'004ms)));
    const auto wide = kflow::testing::between(from, to, 10ms);
    CHECK(wide.from == kflow::timestamp(999'990ms));
    CHECK(wide.to == kflow::timestamp(1'000'013ms));
}

TEST_CASE("record_matches passes a record that meets every field set", "[testing][qa][matchers]") {
    const auto r = make_record("alice", "o-1", {{"trace-id", "t-1"}, {"source", "shop"}}, 2, 7);
    kflow::record_metadata stored;
    stored.topic = "orders";
    stored.partition = 2;
    stored.offset = 7;
    stored.time = r.time;
    stored.time_type = kflow::timestamp_type::create_time;
    const text_expectation expected{
        .name = "order o-1",
        .key = "alice",
        .value = "o-1",
        .headers = {{"trace-id", "t-1"}},
        .topic = "orders",
        .partition = 2,
        .offset = 7,
        .stored = stored,
        .time = kflow::testing::time_range{*r.time - 5ms, *r.time},
    };
    const auto match = kflow::testing::record_matches(r, expected);
    CHECK(match);
    CHECK(match.differences().empty());
    CHECK(contains(match.message(), "is order o-1 {key=\"alice\""));
    CHECK(kflow::testing::record_matches(r, text_expectation{}));  // nothing set: any record
}

TEST_CASE("record_matches names every difference, expected and found", "[testing][qa][matchers]") {
    const auto r = make_record("alice", "o-1", {{"trace-id", "t-9"}, {"trace-id", "t-8"}}, 1, 4,
                               1'700'000'000'100);
    kflow::record_metadata stored;
    stored.topic = "orders";
    stored.partition = 2;
    stored.offset = 7;
    const text_expectation expected{
        .name = "order o-1",
        .key = "bob",
        .value = "o-2",
        .headers = {{"trace-id", "t-1"}, {"source", "shop"}},
        .partition = 2,
        .stored = stored,
        .time = kflow::testing::time_range{kflow::timestamp(1'700'000'000'000ms),
                                           kflow::timestamp(1'700'000'000'040ms)},
    };
    const auto match = kflow::testing::record_matches(r, expected);
    REQUIRE_FALSE(match);
    const auto message = match.message();
    INFO(message);
    CHECK(match.differences().size() == 7);
    CHECK(contains(message, "record orders [1] @ 4 key=\"alice\""));
    CHECK(contains(message, "is not order o-1 {key=\"bob\""));
    CHECK(contains(message, "key: expected \"bob\", found \"alice\""));
    CHECK(contains(message, "value: expected \"o-2\", found \"o-1\""));
    CHECK(contains(message, "header trace-id: expected \"t-1\", found \"t-9\", \"t-8\""));
    CHECK(contains(message, "header source: expected \"shop\", found none"));
    CHECK(contains(message, "partition: expected 2, found 1"));
    CHECK(contains(message,
                   "position: expected orders [2] @ 7 (delivery report), found orders [1] @ 4"));
    CHECK(contains(message,
                   "timestamp: expected within [2023-11-14T22:13:20.000Z, "
                   "2023-11-14T22:13:20.040Z], found 2023-11-14T22:13:20.100Z (60 ms "
                   "after the range)"));
    // Printed as Catch2 prints it in a failed CHECK.
    std::ostringstream os;
    os << match;
    CHECK(os.str() == message);
}

TEST_CASE("a timestamp or a null header is compared exactly", "[testing][qa][matchers]") {
    auto r = make_record("k", "v", kflow::headers{}.add_null("deprecated"));
    r.time.reset();
    r.time_type = kflow::timestamp_type::not_available;
    kflow::record_metadata stored;
    stored.topic = "orders";
    stored.partition = 0;
    stored.offset = 0;
    stored.time = kflow::timestamp(5ms);
    stored.time_type = kflow::timestamp_type::create_time;
    r.time_type = kflow::timestamp_type::create_time;
    const text_expectation with_time{.stored = stored};
    CHECK(with_time.differences(r) ==
          std::vector<std::string>{
              "timestamp: expected 1970-01-01T00:00:00.005Z (delivery report), found none"});
    // A report's timestamp of another kind than the record's is not compared.
    stored.time_type = kflow::timestamp_type::log_append_time;
    CHECK(text_expectation{.stored = stored}.matches(r));
    const text_expectation null_header{.headers = kflow::headers{}.add_null("deprecated")};
    CHECK(null_header.matches(r));
    const text_expectation empty_header{.headers = {{"deprecated", ""}}};
    CHECK(empty_header.differences(r) ==
          std::vector<std::string>{"header deprecated: expected \"\", found null"});
}

TEST_CASE("match_records pairs each expectation with a record of its own",
          "[testing][qa][matchers]") {
    const std::vector<text_record> records{make_record("alice", "o-1", {}, 0, 0),
                                           make_record("bob", "o-2", {}, 1, 0)};
    SECTION("a loose expectation does not take the record a strict one needs") {
        // Greedy matching would give "any record" alice's record, leaving "alice" none.
        const auto m = kflow::testing::match_records<std::string, std::string>(
            records, {text_expectation{}, text_expectation{.key = "alice"}});
        REQUIRE(m);
        const auto got = m.records();
        CHECK(got[0].key == "bob");
        CHECK(got[1].key == "alice");
    }
    SECTION("two expectations met by one record only: the second is told so") {
        const auto m = kflow::testing::match_records<std::string, std::string>(
            records, {{.key = "alice"}, {.name = "alice again", .key = "alice"}});
        REQUIRE_FALSE(m);
        CHECK(m.missing() == 1);
        INFO(m.message());
        CHECK(contains(m.message(), "1 of 2 expected record(s) not found among 2 record(s):"));
        CHECK(contains(m.message(), "expected record 2 of 2: alice again {key=\"alice\"}"));
        CHECK(contains(m.message(), "matched expected record 1 as well"));
    }
    SECTION("a missing record: the closest one and how it differs") {
        const auto m = kflow::testing::match_records<std::string, std::string>(
            records, {{.key = "alice", .value = "o-1"}, {.key = "bob", .value = "o-3"}});
        REQUIRE_FALSE(m);
        INFO(m.message());
        CHECK_FALSE(m.matched()[1].has_value());
        CHECK(contains(m.message(),
                       "expected record 2 of 2: {key=\"bob\" value=\"o-3\"}\n"
                       "    closest: orders [1] @ 0 key=\"bob\" value=\"o-2\""));
        CHECK(contains(m.message(), "value: expected \"o-3\", found \"o-2\""));
        CHECK(contains(m.message(), "records seen:\n    orders [0] @ 0 key=\"alice\""));
    }
    SECTION("no record at all") {
        const auto m =
            kflow::testing::match_records<std::string, std::string>({}, {{.key = "alice"}});
        REQUIRE_FALSE(m);
        CHECK(contains(m.message(), "no record arrived at all"));
    }
}

// -- background_collector.hpp, on the mock ------------------------------------------------------

TEST_CASE("a collector sees the records written after it started, on every partition",
          "[testing][qa][collector]") {
    mock_cluster cluster;
    const scoped_topic topic(cluster, "qa-collect", 3);
    text_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    // Written before the collector: not collected (collect_from::now).
    kflow::testing::produce_n(producer, topic, 3, {.key_prefix = "early-"});

    text_collector collector(collector_config(cluster), topic);
    CHECK(collector.running());
    CHECK(collector.topic() == topic.name());
    std::vector<text_producer::record_type> records;
    for (int p = 0; p < 3; ++p)
        records.emplace_back(topic, "late-" + std::to_string(p), "v", kflow::headers{}, p);
    kflow::testing::produce(producer, records);

    const auto started = std::chrono::steady_clock::now();
    REQUIRE(collector.wait_for(3, 5s));
    CHECK(std::chrono::steady_clock::now() - started < 2s);  // woken, not timed out
    const auto got = collector.snapshot();
    REQUIRE(got.size() == 3);
    std::vector<std::int32_t> partitions;
    for (const auto& r : got) {
        CHECK(r.key.starts_with("late-"));
        partitions.push_back(r.partition);
    }
    std::sort(partitions.begin(), partitions.end());
    CHECK(partitions == std::vector<std::int32_t>{0, 1, 2});
    // Nothing more arrives: a wait for more ends at its timeout, false.
    const auto waited_from = std::chrono::steady_clock::now();
    CHECK_FALSE(collector.wait_for(4, 300ms));
    const auto waited = std::chrono::steady_clock::now() - waited_from;
    CHECK(waited >= 300ms);
    CHECK(waited < 3s);
    CHECK(collector.size() == 3);
    CHECK(collector.failure().empty());
    CHECK(collector.status() == "collected 3 record(s) from " + topic.name());
}

TEST_CASE("a collector from the beginning sees earlier records; stop ends it promptly",
          "[testing][qa][collector]") {
    mock_cluster cluster;
    const scoped_topic topic(cluster, "qa-collect", 1);
    kflow::testing::produce_n(cluster.bootstrap_servers(), topic, 4);

    text_collector collector(collector_config(cluster), topic.name(), 1,
                             {.from = kflow::testing::collect_from::beginning});
    REQUIRE(collector.wait_for(
        [](const std::vector<text_record>& r) { return !r.empty() && r.back().key == "key-3"; },
        5s));
    CHECK(collector.size() == 4);

    const auto stopping = std::chrono::steady_clock::now();
    collector.stop();
    CHECK(std::chrono::steady_clock::now() - stopping < 2s);
    CHECK_FALSE(collector.running());
    collector.stop();  // again: nothing to do
    CHECK(collector.snapshot().size() == 4);
    // A stopped collector answers at once.
    const auto asked = std::chrono::steady_clock::now();
    CHECK_FALSE(collector.wait_for(5, 10s));
    CHECK(std::chrono::steady_clock::now() - asked < 1s);
}

TEST_CASE("a collector keeps at most max_records and counts the rest", "[testing][qa][collector]") {
    mock_cluster cluster;
    const scoped_topic topic(cluster, "qa-collect", 1);
    text_collector collector(collector_config(cluster), topic, {.max_records = 3});
    kflow::testing::produce_n(cluster.bootstrap_servers(), topic, 5);
    REQUIRE(collector.wait_for(3, 5s));
    // The two records beyond the limit arrive in the same or a later batch.
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (collector.dropped() < 2 && std::chrono::steady_clock::now() < until)
        (void)collector.wait_for(4, 100ms);  // returns on its timeout: kept stays 3
    CHECK(collector.size() == 3);
    CHECK(collector.dropped() == 2);
    CHECK(contains(collector.status(), "2 more not kept (max_records)"));
}

TEST_CASE("a collector skips and counts records it cannot deserialize",
          "[testing][qa][collector]") {
    mock_cluster cluster;
    const scoped_topic topic(cluster, "qa-collect", 1);
    background_collector<std::string, std::int32_t> collector(collector_config(cluster), topic);
    kflow::testing::produce_n(cluster.bootstrap_servers(), topic, 1,
                              {.value_prefix = "not a 4-byte integer "});
    kflow::producer<std::string, std::int32_t> ints(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    kflow::testing::produce(ints, {{topic, "n", 42}});
    REQUIRE(collector.wait_for(1, 5s));
    CHECK(collector.snapshot().front().value == 42);
    CHECK(collector.undecodable() == 1);
    CHECK(contains(collector.failure(), "first undecodable record"));
    CHECK(collector.running());
}

TEST_CASE("a collector for a partition that does not exist fails to start, naming it",
          "[testing][qa][collector]") {
    mock_cluster cluster;
    const scoped_topic topic(cluster, "qa-collect", 1);
    try {
        text_collector collector(collector_config(cluster), topic.name(), 2,
                                 {.start_timeout = 500ms});
        FAIL("the collector started although partition 1 does not exist");
    } catch (const kflow::kafka_error& e) {
        INFO(e.what());
        CHECK(
            contains(e.what(), "the end of '" + topic.name() + "' [1] is not known within 500 ms"));
    }
}

TEST_CASE("snapshot and wait_for may be called from several threads while records arrive",
          "[testing][qa][collector]") {
    mock_cluster cluster;
    const scoped_topic topic(cluster, "qa-collect", 2);
    text_collector collector(collector_config(cluster), topic);
    std::atomic<bool> done{false};
    std::atomic<std::size_t> seen{0};
    std::thread reader([&] {
        while (!done) {
            const auto s = collector.snapshot();
            seen = std::max(seen.load(), s.size());
            (void)collector.wait_for(s.size() + 1, 20ms);
        }
    });
    kflow::testing::produce_n(cluster.bootstrap_servers(), topic, 50);
    CHECK(collector.wait_for(50, 5s));
    done = true;
    reader.join();
    CHECK(collector.size() == 50);
    CHECK(seen <= 50);
}

// -- expect_records.hpp: the QA steps end to end -------------------------------------------------

TEST_CASE("expect_records checks content, headers and metadata of records sent meanwhile",
          "[testing][qa][steps]") {
    mock_cluster cluster;
    const scoped_topic topic(cluster, "qa-orders", 3);
    text_collector collector(collector_config(cluster), topic);
    text_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));

    const auto before = kflow::timestamp_clock::now();
    const auto stored = kflow::testing::produce(
        producer, {{topic, "alice", "o-1", {{"trace-id", "t-1"}}},
                   {topic, "bob", "o-2", {{"trace-id", "t-2"}, {"source", "shop"}}}});
    const auto sent = kflow::testing::between(before, kflow::timestamp_clock::now());

    SECTION("every expected record arrives: returned in the order expected") {
        const auto got = kflow::testing::require_records(collector,
                                                         {{.name = "order o-2",
                                                           .key = "bob",
                                                           .value = "o-2",
                                                           .headers = {{"source", "shop"}},
                                                           .stored = stored[1],
                                                           .time = sent},
                                                          {.name = "order o-1",
                                                           .key = "alice",
                                                           .value = "o-1",
                                                           .headers = {{"trace-id", "t-1"}},
                                                           .stored = stored[0],
                                                           .time = sent}},
                                                         5s);
        REQUIRE(got.size() == 2);
        CHECK(got[0].key == "bob");
        CHECK(got[1].key == "alice");
        CHECK(got[1].offset == stored[0].offset);
        CHECK(got[1].time_type == kflow::timestamp_type::create_time);
        CHECK(kflow::testing::expect_records(collector, {{.key = "alice"}}, 1s));
    }
    SECTION("a wrong header fails within the deadline, naming the record and the difference") {
        const auto started = std::chrono::steady_clock::now();
        try {
            (void)kflow::testing::require_records(
                collector,
                {{.name = "order o-1", .key = "alice", .stored = stored[0]},
                 {.name = "order o-2", .key = "bob", .headers = {{"trace-id", "t-9"}}}},
                1000ms);
            FAIL("require_records passed although order o-2's trace id differs");
        } catch (const kflow::testing::expectation_failed& e) {
            const std::string message = e.what();
            INFO(message);
            CHECK(contains(message,
                           "1 of 2 expected record(s) not found among 2 record(s) "
                           "collected from " +
                               topic.name() + " within 1000 ms:"));
            CHECK(contains(message,
                           "expected record 2 of 2: order o-2 {key=\"bob\" headers "
                           "including {trace-id=\"t-9\"}}"));
            CHECK(contains(message, "closest: " + topic.name()));
            CHECK(contains(message, "header trace-id: expected \"t-9\", found \"t-2\""));
        }
        const auto took = std::chrono::steady_clock::now() - started;
        CHECK(took >= 1000ms);
        CHECK(took < 5s);
    }
    SECTION("a wrong offset names the delivery report's position and the one found") {
        auto elsewhere = stored[0];
        elsewhere.offset += 1;
        const auto result = kflow::testing::expect_records(
            collector, {{.key = "alice", .stored = elsewhere}}, 500ms);
        REQUIRE_FALSE(result);
        INFO(result.message());
        CHECK(contains(result.message(), "position: expected " + topic.name() + " [" +
                                             std::to_string(stored[0].partition) + "] @ " +
                                             std::to_string(stored[0].offset + 1) +
                                             " (delivery report), found " + topic.name() + " [" +
                                             std::to_string(stored[0].partition) + "] @ " +
                                             std::to_string(stored[0].offset)));
    }
    SECTION("expect_no_record passes when none arrives, and fails naming the one that did") {
        kflow::testing::expect_no_record(collector, {.key = "mallory"}, 200ms);
        try {
            kflow::testing::expect_no_record(collector, {.name = "bob's order", .key = "bob"}, 2s);
            FAIL("expect_no_record passed although bob's order arrived");
        } catch (const kflow::testing::expectation_failed& e) {
            INFO(e.what());
            CHECK(contains(e.what(), "expected no record matching bob's order {key=\"bob\"} on " +
                                         topic.name() +
                                         " for 2000 ms, but one arrived: " + topic.name()));
        }
    }
}
