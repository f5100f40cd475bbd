// The async clients' less travelled paths: rebalance events nobody waited for, cancelled
// rebalance waits, receives and commits that fail, closes that fail or give up, and sends that
// wait for room, fail to serialize or outlive their producer.
#include "async_test_support.hpp"

#include <kflow/async_consumer.hpp>
#include <kflow/async_producer.hpp>
#include <kflow/producer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using kflow_test::manual_commit_config;
using kflow_test::produce;
using kflow_test::thrown_code;
using string_consumer = kflow::async_consumer<std::string, std::string>;
using string_producer = kflow::async_producer<std::string, std::string>;
using offsets = std::vector<kflow::topic_partition_offset>;

namespace {

/// Runs the coroutine `f` on `io` until everything on `io` is done (30 s at most); rethrows.
template <class F>
void run_bounded(asio::io_context& io, F f) {
    std::exception_ptr failure;
    bool done = false;
    io.restart();
    asio::co_spawn(io, std::move(f), [&](std::exception_ptr e) {
        failure = e;
        done = true;
    });
    io.run_for(30s);
    REQUIRE(done);
    if (failure)
        std::rethrow_exception(failure);
}

boost::system::error_code kafka_code(rd_kafka_resp_err_t err) {
    return kflow::make_error_code(err);
}

/// A codec that refuses the value "poison" and borrows everything else.
struct borrowing_codec {
    [[nodiscard]] kflow::payload serialize(const std::string& v) const {
        if (v == "poison")
            throw std::invalid_argument("poison is not allowed");
        return kflow::payload::borrow(std::string_view(v));
    }
};

/// What the process writes to its standard error (file descriptor 2) while `f` runs.
template <class F>
std::string captured_stderr(F f) {
    std::fflush(stderr);
    std::FILE* file = std::tmpfile();
    REQUIRE(file != nullptr);
    const int saved = ::dup(2);
    ::dup2(::fileno(file), 2);
    f();
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::rewind(file);
    std::string out;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;)
        out.append(buffer, n);
    std::fclose(file);
    return out;
}

}  // namespace

TEST_CASE("rebalance events that came before anybody waited are kept; a cancelled wait ends once",
          "[async][consumer][rebalance][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("paths-events");
    cluster.create_topic(topic, 1);
    produce(cluster, topic, 2);
    asio::io_context io;
    string_consumer consumer(io.get_executor(), manual_commit_config(cluster));
    consumer.subscribe({topic}, kflow::rebalance_events);

    run_bounded(io, [&]() -> asio::awaitable<void> {
        // The assignment is served while the receive waits, with nobody asking for events.
        auto first = co_await consumer.async_receive();
        CHECK(first.value == "v0");
        auto assigned = co_await consumer.async_rebalance();
        CHECK(assigned.kind == kflow::rebalance_kind::assigned);
        CHECK(assigned.partitions == std::vector<kflow::topic_partition>{{topic, 0}});
    });

    // Nothing else happens in this group: the next wait only ends by cancellation.
    int calls = 0;
    boost::system::error_code result;
    asio::cancellation_signal cancel;
    consumer.async_rebalance(asio::bind_cancellation_slot(
        cancel.slot(), [&](boost::system::error_code ec, const kflow::rebalance_event&) {
            ++calls;
            result = ec;
        }));
    asio::steady_timer timer(io, 100ms);
    timer.async_wait([&](boost::system::error_code) {
        cancel.emit(asio::cancellation_type::terminal);
        cancel.emit(asio::cancellation_type::terminal);  // a second time: nothing left to cancel
    });
    io.restart();
    io.run_for(30s);
    CHECK(calls == 1);
    CHECK(result == asio::error::operation_aborted);

    run_bounded(io, [&]() -> asio::awaitable<void> {
        auto second = co_await consumer.async_receive();  // the wait took no record
        CHECK(second.value == "v1");
        co_await consumer.async_close(10s);
    });
    CHECK(calls == 1);
}

TEST_CASE("a receive fails with the consumer error it meets, and the consumer goes on",
          "[async][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("paths-reset");
    cluster.create_topic(topic, 1);
    produce(cluster, topic, 1);
    asio::io_context io;
    auto config = manual_commit_config(cluster);
    config.auto_offset_reset(kflow::offset_reset::error);  // and no on_error handler
    string_consumer consumer(io.get_executor(), config);
    consumer.assign({{topic, 0, kflow::offsets::stored}});  // the group has committed nothing

    run_bounded(io, [&]() -> asio::awaitable<void> {
        auto [ec, rec] = co_await consumer.async_receive(asio::as_tuple(asio::use_awaitable));
        CHECK(ec == kafka_code(RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET));
        CHECK(rec.value.empty());
        consumer.assign({{topic, 0, kflow::offsets::beginning}});
        auto r = co_await consumer.async_receive();
        CHECK(r.value == "v0");
        co_await consumer.async_close(10s);
    });
    // Once closed, assignment and subscription are refused with errc::closed.
    CHECK(thrown_code([&] {
              consumer.assign({{topic, 0, kflow::offsets::beginning}});
          }) == kflow::errc::closed);
    CHECK(thrown_code([&] { consumer.subscribe({topic}); }) == kflow::errc::closed);
}

TEST_CASE("a batch stops before a record that cannot be deserialized and loses none after it",
          "[async][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("paths-batch");
    cluster.create_topic(topic, 1);
    {
        // Four-byte values decode as integers; "xy" does not.
        kflow::producer<std::string, std::string> p(
            kflow::testing::test_producer_config(cluster.bootstrap_servers()));
        for (const char* v : {"\x00\x00\x00\x01", "\x00\x00\x00\x02", "xy", "\x00\x00\x00\x04"})
            p.send({topic, "k", std::string(v, v[0] == 'x' ? 2 : 4), {}, 0});
        p.flush(10s);
    }
    asio::io_context io;
    kflow::async_consumer<std::string, std::int32_t> consumer(io.get_executor(),
                                                              manual_commit_config(cluster));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});

    run_bounded(io, [&]() -> asio::awaitable<void> {
        std::vector<std::int32_t> before;
        boost::system::error_code ec;
        while (!ec) {
            auto [e, batch] =
                co_await consumer.async_receive_batch(10, asio::as_tuple(asio::use_awaitable));
            ec = e;
            CHECK((e ? batch.empty() : !batch.empty()));
            for (const auto& r : batch)
                before.push_back(r.value);
            REQUIRE(before.size() <= 2);
        }
        CHECK(ec == kflow::errc::deserialization_failed);
        CHECK(before == std::vector<std::int32_t>{1, 2});
        REQUIRE(consumer.last_failure() != nullptr);
        CHECK(consumer.last_failure()->record.offset == 2);
        consumer.mark_handled(*consumer.last_failure());
        auto rest = co_await consumer.async_receive_batch(10);
        REQUIRE(rest.size() == 1);
        CHECK(rest[0].value == 4);
        CHECK(rest[0].offset == 3);
        co_await consumer.async_close(10s);
    });
}

TEST_CASE("async_commit reports the first partition the broker rejected",
          "[async][consumer][commit][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("paths-commit");
    cluster.create_topic(topic, 1);
    produce(cluster, topic, 2);
    asio::io_context io;
    string_consumer consumer(io.get_executor(), manual_commit_config(cluster));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});

    run_bounded(io, [&]() -> asio::awaitable<void> {
        (void)co_await consumer.async_receive();
        // Partition 7 does not exist: the broker accepts partition 0 and rejects it.
        const offsets mixed{{topic, 0, 1}, {topic, 7, 1}};
        auto [ec] = co_await consumer.async_commit(mixed, asio::as_tuple(asio::use_awaitable));
        CHECK(ec == kafka_code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
        const std::vector<kflow::topic_partition> p0{{topic, 0}};
        auto committed = co_await consumer.async_committed(p0, 5s);
        CHECK(committed.at(0).offset == 1);  // the partition that exists was committed
        co_await consumer.async_close(10s);
    });
}

TEST_CASE("async_close reports a failed final auto-commit, or gives up after its timeout",
          "[async][consumer][close][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("paths-close");
    cluster.create_topic(topic, 1);
    produce(cluster, topic, 1);
    asio::io_context io;
    auto config =
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g"));
    string_consumer consumer(io.get_executor(), config);  // auto-commit on
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    const bool broker_slow = GENERATE(false, true);

    run_bounded(io, [&]() -> asio::awaitable<void> {
        auto r = co_await consumer.async_receive();
        CHECK(r.value == "v0");
        if (broker_slow) {
            cluster.set_round_trip_time(1, 2s);
            auto [ec] = co_await consumer.async_close(200ms, asio::as_tuple(asio::use_awaitable));
            CHECK(ec == kflow::errc::timed_out);
            co_return;
        }
        cluster.push_request_errors(kflow::testing::api_key::offset_commit,
                                    {RD_KAFKA_RESP_ERR_OFFSET_METADATA_TOO_LARGE,
                                     RD_KAFKA_RESP_ERR_OFFSET_METADATA_TOO_LARGE});
        try {
            co_await consumer.async_close(10s);
            FAIL("the final commit was refused: the close must say so");
        } catch (const kflow::kafka_error& e) {
            CHECK(e.code() == kafka_code(RD_KAFKA_RESP_ERR_OFFSET_METADATA_TOO_LARGE));
            CHECK(std::string(e.what()).find("final commit failed") != std::string::npos);
        }
    });
}

TEST_CASE("a record given back by a cancelled receive goes to the receive waiting behind it",
          "[async][cancel][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("paths-take-back");
    cluster.create_topic(topic, 1);
    produce(cluster, topic, 1);
    // The consumer runs on `io`, the first receive's handler on `handler_io`, which this test
    // holds still while the cancellation lands.
    asio::io_context io;
    asio::io_context handler_io;
    string_consumer consumer(io.get_executor(), manual_commit_config(cluster));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});

    int first_calls = 0;
    boost::system::error_code first_ec;
    asio::cancellation_signal cancel;
    consumer.async_receive(asio::bind_cancellation_slot(
        cancel.slot(), asio::bind_executor(handler_io, [&](boost::system::error_code ec,
                                                           const string_consumer::record_type&) {
            ++first_calls;
            first_ec = ec;
        })));
    io.run_for(30s);  // returns once the record is taken and on its way to handler_io
    REQUIRE(first_calls == 0);

    std::optional<boost::system::error_code> second_ec;
    std::vector<std::string> second_values;
    consumer.async_receive_batch(10, [&](boost::system::error_code ec, auto records) {
        second_ec = ec;
        for (auto& r : records)
            second_values.push_back(r.value);
    });
    cancel.emit(asio::cancellation_type::terminal);
    CHECK(handler_io.run_one() == 1);  // sees the cancellation, sends the record back
    io.restart();
    io.run_for(30s);  // the second receive waits, then gets the record given back
    handler_io.restart();
    handler_io.run_for(30s);
    CHECK(first_calls == 1);
    CHECK(first_ec == asio::error::operation_aborted);
    REQUIRE(second_ec.has_value());
    CHECK_FALSE(*second_ec);
    CHECK(second_values == std::vector<std::string>{"v0"});
}

TEST_CASE("a receive abandoned by its destroyed consumer is never completed, even if cancelled",
          "[async][cancel][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("paths-abandon");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    std::optional<string_consumer> consumer(std::in_place, io.get_executor(),
                                            manual_commit_config(cluster));
    consumer->assign({{topic, 0, kflow::offsets::beginning}});
    int calls = 0;
    asio::cancellation_signal cancel;
    consumer->async_receive(asio::bind_cancellation_slot(
        cancel.slot(),
        [&](boost::system::error_code, const string_consumer::record_type&) { ++calls; }));
    io.poll();  // the receive is registered, and waits: the topic is empty
    consumer.reset();
    cancel.emit(asio::cancellation_type::terminal);
    io.restart();
    io.run_for(30s);  // returns at once: nothing is left to run
    CHECK(calls == 0);
}

TEST_CASE("async sends that fail to serialize, wait for room, or outlive the wait",
          "[async][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("paths-send");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    config.queue_buffering_max_messages(1);
    kflow::async_producer<std::string, std::string, borrowing_codec, borrowing_codec> producer(
        io.get_executor(), config);
    run_bounded(io, [&]() -> asio::awaitable<void> {
        co_await producer.async_send({topic, "k", "first"});  // learns the partition count
        auto [ec, md] = co_await producer.async_send({topic, "k", "poison"},
                                                     asio::as_tuple(asio::use_awaitable));
        CHECK(ec == kflow::errc::serialization_failed);
        CHECK(md.offset < 0);
        // As the sync producer, the message says whether the key or the value failed.
        try {
            (void)co_await producer.async_send({topic, "k", "poison"});
            FAIL("a value that cannot be serialized was sent");
        } catch (const kflow::kafka_error& e) {
            CHECK(e.code() == kflow::errc::serialization_failed);
            CHECK_THAT(e.what(), Catch::Contains("cannot serialize value for '" + topic + "'"));
        }
    });

    std::map<std::string, boost::system::error_code> results;
    auto record = [&](std::string name) {
        return [&, name](boost::system::error_code ec, const kflow::record_metadata&) {
            CHECK(results.emplace(name, ec).second);
        };
    };
    asio::io_context handler_io;  // held still while the cancellations land
    asio::cancellation_signal cancel_send;
    asio::cancellation_signal cancel_flush;
    {
        // Borrowed keys, gone once each call returns: the sends that wait copy them.
        std::string key = "key-one";
        producer.async_send({topic, key, "one"}, record("one"));  // fills librdkafka's queue
        key = "key-two";
        producer.async_send(
            {topic, key, "two"},
            asio::bind_cancellation_slot(cancel_send.slot(),
                                         asio::bind_executor(handler_io, record("two"))));
        key = "key-bad";
        producer.async_send({topic, key, "bad", {}, 7}, record("bad"));  // no partition 7
        key = "key-three";
        producer.async_send({topic, key, "three"}, record("three"));
        key = "overwritten";
    }
    producer.async_flush(asio::bind_cancellation_slot(
        cancel_flush.slot(), asio::bind_executor(handler_io, [&](boost::system::error_code ec) {
            results.emplace("flush", ec);
        })));
    io.restart();
    io.run_for(30s);
    CHECK(results.size() == 3);
    // "two" and the flush are done, their handlers not run yet: cancelling now changes nothing.
    cancel_send.emit(asio::cancellation_type::terminal);
    cancel_flush.emit(asio::cancellation_type::terminal);
    handler_io.run_for(30s);
    REQUIRE(results.size() == 5);
    CHECK_FALSE(results.at("one"));
    CHECK_FALSE(results.at("two"));
    CHECK(results.at("bad") == kafka_code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION));
    CHECK_FALSE(results.at("three"));
    CHECK_FALSE(results.at("flush"));

    kflow::consumer<std::string, std::string> check(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("check")));
    check.assign({{topic, 0, kflow::offsets::beginning}});
    auto got = kflow::testing::consume_until(check, 4, 10s);
    REQUIRE(got.size() == 4);
    CHECK(got[1].key == "key-one");
    CHECK(got[2].key == "key-two");
    CHECK(got[3].key == "key-three");
}

TEST_CASE("closing an async producer fails the sends still waiting for room with errc::closed",
          "[async][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("paths-close-send");
    cluster.create_topic(topic, 1);
    cluster.broker_down(mock_cluster::all_brokers);  // nothing gets delivered
    asio::io_context io;
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    config.queue_buffering_max_messages(1);
    string_producer producer(io.get_executor(), config);

    std::map<std::string, boost::system::error_code> results;
    for (const char* name : {"one", "two", "three"}) {
        producer.async_send({topic, "k", name},
                            [&, n = std::string(name)](boost::system::error_code ec,
                                                       const kflow::record_metadata&) {
                                CHECK(results.emplace(n, ec).second);
                            });
    }
    CHECK(producer.close(200ms) == 3);
    io.run_for(30s);
    REQUIRE(results.size() == 3);
    CHECK(results.at("one"));  // purged from librdkafka's queue
    CHECK(results.at("two") == kflow::errc::closed);
    CHECK(results.at("three") == kflow::errc::closed);
}

TEST_CASE(
    "a sync producer refuses an unserializable key and, without on_error, reports "
    "undelivered records on stderr",
    "[producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("paths-sync");
    cluster.create_topic(topic, 1);
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    config.close_timeout(200ms);
    std::optional<kflow::producer<std::string, std::string, borrowing_codec>> producer(
        std::in_place, config);
    CHECK_THROWS_WITH(producer->send({topic, "poison", "v"}),
                      Catch::Contains("cannot serialize key"));
    cluster.broker_down(mock_cluster::all_brokers);
    producer->send({topic, "k", "stuck"});
    const auto captured = captured_stderr([&] { producer.reset(); });
    CHECK(captured.find("kflow: producer destroyed with 1 undelivered message(s)") !=
          std::string::npos);
}
