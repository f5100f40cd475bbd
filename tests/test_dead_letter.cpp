// Dead letters on the mock cluster: a record that does not deserialize, or that the handler
// rejects, is parked on a dead-letter topic with its exact bytes, its own headers and the
// kflow.dlq.* headers saying where it came from and why; route() marks it handled only once the
// dead letter was delivered. Through a transactional producer (in the transaction that carries
// the input offsets), a plain one and an async_producer. Also consumed_offsets, the offsets a
// batch commits.
#include <kflow/async_producer.hpp>
#include <kflow/consumed_offsets.hpp>
#include <kflow/consumer.hpp>
#include <kflow/dead_letter.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/run_coroutine.hpp>
#include <kflow/transaction.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;

namespace {

namespace asio = boost::asio;
namespace dlh = kflow::dead_letter_header;

using bytes_producer = kflow::producer<std::string, kflow::bytes>;
using int_consumer = kflow::consumer<std::string, std::int32_t>;
using raw_consumer = kflow::consumer<std::optional<kflow::bytes>, std::optional<kflow::bytes>>;

kflow::bytes bytes_of(std::string_view text) {
    const auto b = std::as_bytes(std::span(text.data(), text.size()));
    return {b.begin(), b.end()};
}

/// 7 as Kafka's IntegerSerializer writes it.
const kflow::bytes seven{std::byte{0}, std::byte{0}, std::byte{0}, std::byte{7}};
/// Too short for an int32: fails to deserialize.
const kflow::bytes three_bytes{std::byte{1}, std::byte{2}, std::byte{3}};
/// The source records' create time: a fixed one, so the header's value is known.
const kflow::timestamp source_time{std::chrono::milliseconds(1'700'000'000'123)};

/// Writes `records` to partition 0 of `topic`, in order, each at source_time.
void produce(const mock_cluster& cluster, const std::string& topic,
             std::vector<bytes_producer::record_type> records) {
    bytes_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    for (auto& r : records) {
        r.topic = topic;
        r.partition = 0;
        r.time = source_time;
        producer.send(r);
    }
    producer.flush(10s);
}

kflow::consumer_config input_config(const mock_cluster& cluster, const std::string& group) {
    auto cfg = kflow::testing::test_consumer_config(cluster.bootstrap_servers(), group);
    cfg.enable_auto_commit(false).isolation_level(kflow::isolation::read_committed);
    return cfg;
}

/// Polls until a record fails to deserialize; fails the test if none does within 10 s.
kflow::deserialization_failure next_failure(int_consumer& consumer) {
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < until) {
        try {
            if (auto r = consumer.poll(50ms))
                FAIL("a record deserialized: offset " << r->offset);
        } catch (const kflow::deserialization_error& e) {
            return e.failure();
        }
    }
    FAIL("no deserialization failure within 10 s");
    return {};
}

/// The first record of partition 0 of `topic` at or after `offset`, read as raw bytes by a
/// read_committed consumer.
raw_consumer::record_type read_raw(const mock_cluster& cluster, const std::string& topic,
                                   std::int64_t offset = 0) {
    raw_consumer consumer(input_config(cluster, unique_name("dlq-reader")));
    consumer.assign({{topic, 0, offset}});
    return kflow::testing::require_record(consumer, {}, 10s);
}

std::string code_text(std::error_code code) {
    return std::string(code.category().name()) + ":" + std::to_string(code.value());
}

std::int64_t committed_offset(const int_consumer& consumer, const std::string& topic) {
    const auto committed = consumer.committed({{topic, 0}});
    REQUIRE(committed.size() == 1);
    return committed[0].offset;
}

/// The headers a dead letter of `source` carries after the source's own.
void check_dlq_headers(const kflow::headers& h, const std::string& topic, std::int64_t offset,
                       const std::string& stage, const std::string& error,
                       std::optional<std::string> error_code) {
    CHECK(h.last(dlh::topic) == topic);
    CHECK(h.last(dlh::partition) == "0");
    CHECK(h.last(dlh::offset) == std::to_string(offset));
    CHECK(h.last(dlh::timestamp) == std::to_string(source_time.time_since_epoch().count()));
    CHECK(h.last(dlh::stage) == stage);
    CHECK(h.last(dlh::error) == error);
    CHECK(h.contains(dlh::error_code) == error_code.has_value());
    if (error_code)
        CHECK(h.last(dlh::error_code) == *error_code);
}

}  // namespace

TEST_CASE("a record that does not deserialize is parked in the transaction that moves past it",
          "[dead_letter][transactions][mock]") {
    mock_cluster cluster(1);
    const auto input = unique_name("dlq-in");
    const auto dead = unique_name("dlq");
    cluster.create_topic(input, 1);
    cluster.create_topic(dead, 1);
    produce(cluster, input,
            {{{}, "k-bad", three_bytes, {{"origin", "legacy"}, {"trace", "t-1"}}},
             {{}, "k-good", seven}});

    const auto group = unique_name("dlq-group");
    int_consumer consumer(input_config(cluster, group));
    consumer.assign({{input, 0, kflow::offsets::beginning}});
    const kflow::deserialization_failure failure = next_failure(consumer);
    REQUIRE(failure.record.offset == 0);

    auto producer_cfg = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    producer_cfg.transactional_id(unique_name("dlq-txn")).init_transactions_timeout(10s);
    kflow::producer<std::string, std::string> producer(producer_cfg);
    kflow::dead_letter_queue dlq(producer, dead);
    CHECK(dlq.topic() == dead);

    kflow::consumed_offsets handled;
    kflow::record_metadata md;
    {
        kflow::transaction txn(producer);
        md = dlq.route(failure, consumer, 10s);
        handled.add(failure.record);
        producer.send_offsets_to_transaction(handled.next(), consumer.group_metadata(), 10s);
        txn.commit(10s);
    }
    CHECK(md.topic == dead);
    CHECK(md.partition == 0);
    CHECK(md.offset == 0);
    CHECK(handled.next() == std::vector<kflow::topic_partition_offset>{{input, 0, 1}});

    // The dead letter: the source's bytes, its headers, then where it came from and why.
    const auto parked = read_raw(cluster, dead);
    CHECK(parked.key == bytes_of("k-bad"));
    CHECK(parked.value == three_bytes);
    REQUIRE(parked.headers.size() >= 2);
    const std::vector<kflow::header> own(parked.headers.begin(),
                                         std::next(parked.headers.begin(), 2));
    CHECK(own == std::vector<kflow::header>{{"origin", "legacy"}, {"trace", "t-1"}});
    CHECK(parked.headers.size() == 2 + 7);
    check_dlq_headers(parked.headers, input, 0, "value", failure.describe(),
                      code_text(kflow::make_error_code(kflow::errc::deserialization_failed)));
    CHECK(failure.record.time == source_time);

    // The consumer moved past it: the next poll returns the following record.
    const auto next = kflow::testing::require_record(consumer, {}, 10s);
    CHECK(next.offset == 1);
    CHECK(next.key == "k-good");
    CHECK(next.value == 7);
    // route() marked the failure handled: the consumer's own commit is no longer held at it
    // (the mock stores no transactional offsets, so this is what can be seen of it here).
    consumer.commit();
    CHECK(committed_offset(consumer, input) == 2);
}

TEST_CASE("a plain producer parks a record the handler rejected, with the bytes it was read with",
          "[dead_letter][mock]") {
    mock_cluster cluster(1);
    const auto input = unique_name("dlq-in");
    const auto dead = unique_name("dlq");
    cluster.create_topic(input, 1);
    cluster.create_topic(dead, 1);
    produce(cluster, input, {{{}, "acct-1", seven, {{"h", "v"}}}, {{}, "acct-2", seven}});

    int_consumer consumer(input_config(cluster, unique_name("dlq-group")));
    consumer.assign({{input, 0, kflow::offsets::beginning}});
    const auto records = kflow::testing::require_records(consumer, 2, 10s);

    const kflow::raw_record raw = kflow::to_raw_record(records[0]);
    CHECK(raw.topic == input);
    CHECK(raw.partition == 0);
    CHECK(raw.offset == 0);
    CHECK(raw.key == bytes_of("acct-1"));
    CHECK(raw.value == seven);
    CHECK(raw.headers == kflow::headers{{"h", "v"}});
    CHECK(raw.time == source_time);
    CHECK(raw.time_type == kflow::timestamp_type::create_time);
    CHECK(raw.position() == kflow::topic_partition_offset{input, 0, 0});

    kflow::producer<int, int> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    kflow::dead_letter_queue dlq(producer, dead);
    const auto limit = std::make_error_code(std::errc::value_too_large);
    const auto first = dlq.send(raw, kflow::dead_letter_cause::rejected("over limit", limit), 10s);
    const auto second = dlq.send(kflow::to_raw_record(records[1]),
                                 kflow::dead_letter_cause::rejected("frozen account"), 10s);
    CHECK(first.offset == 0);
    CHECK(second.offset == 1);
    CHECK(first.persisted);

    const auto parked = read_raw(cluster, dead, 0);
    CHECK(parked.key == bytes_of("acct-1"));
    CHECK(parked.value == seven);
    CHECK(*parked.headers.begin() == kflow::header{"h", "v"});
    check_dlq_headers(parked.headers, input, 0, "handler", "over limit", code_text(limit));

    const auto parked2 = read_raw(cluster, dead, 1);
    CHECK(parked2.key == bytes_of("acct-2"));
    check_dlq_headers(parked2.headers, input, 1, "handler", "frozen account", std::nullopt);
}

TEST_CASE("an async_producer sends dead letters with async_send", "[dead_letter][async][mock]") {
    mock_cluster cluster(1);
    const auto dead = unique_name("dlq");
    cluster.create_topic(dead, 1);

    kflow::deserialization_failure failure;
    failure.record.topic = "orders";
    failure.record.partition = 2;
    failure.record.offset = 41;
    failure.record.key = std::nullopt;  // a null key stays null
    failure.record.value = bytes_of("{oops");
    failure.record.time = source_time;
    failure.part = kflow::record_part::value;
    failure.code = kflow::make_error_code(kflow::errc::deserialization_failed);
    failure.reason = "parse error";

    asio::io_context io;
    kflow::async_producer<std::string, std::string> producer(
        io.get_executor(), kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    kflow::dead_letter_queue dlq(producer, dead);

    const auto md =
        kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<kflow::record_metadata> {
            co_return co_await dlq.async_send(failure);
        });
    CHECK(md.topic == dead);
    CHECK(md.offset == 0);

    // With a callback: it runs on the io_context once the write is confirmed.
    std::optional<std::error_code> reported;
    kflow::record_metadata second;
    dlq.async_send(failure.record, kflow::dead_letter_cause::rejected("late"),
                   [&](std::error_code ec, const kflow::record_metadata& m) {
                       reported = ec;
                       second = m;
                   });
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (!reported && std::chrono::steady_clock::now() < until) {
        io.restart();
        io.run_one_for(100ms);
    }
    REQUIRE(reported);
    CHECK_FALSE(*reported);
    CHECK(second.offset == 1);

    const auto parked = read_raw(cluster, dead, 0);
    CHECK_FALSE(parked.key);
    CHECK(parked.value == bytes_of("{oops"));
    CHECK(parked.headers.last(dlh::topic) == "orders");
    CHECK(parked.headers.last(dlh::partition) == "2");
    CHECK(parked.headers.last(dlh::offset) == "41");
    CHECK(parked.headers.last(dlh::stage) == "value");
    CHECK(parked.headers.last(dlh::error) == failure.describe());
    const auto late = read_raw(cluster, dead, 1);
    CHECK(late.headers.last(dlh::stage) == "handler");
    CHECK(late.headers.last(dlh::error) == "late");
}

TEST_CASE("a dead letter that is not delivered throws, and its record stays unhandled",
          "[dead_letter][mock]") {
    mock_cluster cluster(1);
    const auto input = unique_name("dlq-in");
    cluster.create_topic(input, 1);
    produce(cluster, input, {{{}, "k-bad", three_bytes}, {{}, "k-good", seven}});
    int_consumer consumer(input_config(cluster, unique_name("dlq-group")));
    consumer.assign({{input, 0, kflow::offsets::beginning}});
    const auto failure = next_failure(consumer);

    // The dead-letter topic lives on another cluster, whose broker is down.
    mock_cluster dlq_cluster(1);
    const auto dead = unique_name("dlq");
    dlq_cluster.create_topic(dead, 1);
    dlq_cluster.broker_down(1);
    auto cfg = kflow::testing::test_producer_config(dlq_cluster.bootstrap_servers());
    // Quiet: the refused connections are the point here. A short reconnect backoff lets the
    // producer find the broker soon after broker_up().
    cfg.set("reconnect.backoff.max.ms", "100");
    cfg.delivery_timeout(1000ms)
        .on_error([](const kflow::error_info&) {})
        .on_log([](const kflow::log_entry&) {});
    kflow::producer<std::string, std::string> producer(cfg);
    kflow::dead_letter_queue dlq(producer, dead);

    // Not delivered within send()'s timeout: errc::timed_out (the record is still in flight).
    try {
        dlq.route(failure, consumer, 200ms);
        FAIL("route() returned");
    } catch (const kflow::kafka_error& e) {
        INFO(e.what());
        CHECK(e.code() == kflow::errc::timed_out);
    }
    // Failed by the producer (here its delivery timeout): that delivery error.
    try {
        dlq.route(failure, consumer, 10s);
        FAIL("route() returned");
    } catch (const kflow::kafka_error& e) {
        INFO(e.what());
        CHECK(e.code() == kflow::make_error_code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT));
        CHECK_THAT(e.what(), Catch::StartsWith("dead letter to '" + dead + "' not delivered"));
    }

    // Not marked handled: the consumer's commit stays held at the failed record, though the
    // record after it was read.
    const auto next = kflow::testing::require_record(consumer, {}, 10s);
    CHECK(next.offset == 1);
    consumer.commit();
    CHECK(committed_offset(consumer, input) == 0);

    // Once the dead-letter topic is back, routing it releases the partition. The producer may
    // need more than its 1 s delivery timeout to learn the partition's leader again (librdkafka
    // 2.12 backs its metadata requests off after the failures above): retry, as an application
    // would, within a deadline.
    dlq_cluster.broker_up(1);
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    for (;;) {
        try {
            dlq.route(failure, consumer, 10s);
            break;
        } catch (const kflow::kafka_error& e) {
            INFO(e.what());
            REQUIRE(e.code() == kflow::make_error_code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT));
            REQUIRE(std::chrono::steady_clock::now() < deadline);
        }
    }
    consumer.commit();
    CHECK(committed_offset(consumer, input) == 2);
}

TEST_CASE("consumed_offsets: per partition, the offset after the highest record handled",
          "[dead_letter][consumed_offsets]") {
    kflow::consumed_offsets handled;
    CHECK(handled.empty());
    CHECK(handled.next().empty());

    handled.add(kflow::topic_partition_offset{"b", 0, 5});
    handled.add(kflow::topic_partition_offset{"a", 1, 7});
    handled.add(kflow::topic_partition_offset{"a", 0, 3});
    handled.add(kflow::topic_partition_offset{"a", 1, 9});
    handled.add(kflow::topic_partition_offset{"a", 1, 8});  // lower: changes nothing
    handled.add(kflow::topic_partition_offset{"b", 0, 0});  // lower: changes nothing

    kflow::raw_record raw;
    raw.topic = "a";
    raw.partition = 0;
    raw.offset = 4;
    handled.add(raw);  // a dead letter's source counts like any record
    kflow::consumer_record<std::string, std::string> typed;
    typed.topic = "c";
    typed.partition = 2;
    typed.offset = 0;
    handled.add(typed);

    CHECK_FALSE(handled.empty());
    CHECK(handled.next() == std::vector<kflow::topic_partition_offset>{
                                {"a", 0, 5}, {"a", 1, 10}, {"b", 0, 6}, {"c", 2, 1}});

    handled.clear();
    CHECK(handled.empty());
    CHECK(handled.next().empty());
    handled.add(kflow::topic_partition_offset{"a", 1, 2});  // after clear(), lower is new again
    CHECK(handled.next() == std::vector<kflow::topic_partition_offset>{{"a", 1, 3}});
}
