// async_producer: every completion token, queue-full waiting, cancellation, errors, idle exit.
#include <kflow/async_producer.hpp>
#include <kflow/consumer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <future>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using string_producer = kflow::async_producer<std::string, std::string>;

namespace {

/// Runs `f` as a coroutine on a fresh io_context until everything finished; rethrows.
template <class F>
void run_coroutine(asio::io_context& io, F f) {
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(f), [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure)
        std::rethrow_exception(failure);
}

}  // namespace

TEST_CASE("co_await async_send delivers and reports metadata", "[async][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("async-send");
    cluster.create_topic(topic, 2);
    asio::io_context io;
    string_producer producer(io.get_executor(),
                             kflow::testing::test_producer_config(cluster.bootstrap_servers()));

    run_coroutine(io, [&]() -> asio::awaitable<void> {
        kflow::record_metadata md = co_await producer.async_send({topic, "k", "v1", {}, 1});
        CHECK(md.topic == topic);
        CHECK(md.partition == 1);
        CHECK(md.offset == 0);
        CHECK(md.persisted);
        auto [ec, md2] = co_await producer.async_send({topic, "k", "v2", {}, 1},
                                                      asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec);
        CHECK(md2.offset == 1);
        auto md3 = co_await producer.async_send({topic, "k", "v3", {}, 1}, asio::deferred);
        CHECK(md3.offset == 2);
        md = co_await producer.async_send({topic, "k", "v4", {}, 1}, asio::use_awaitable);
        CHECK(md.offset == 3);
    });
    CHECK(producer.in_flight() == 0);
}

TEST_CASE("async_send with a callback and with use_future", "[async][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("async-cb");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    string_producer producer(io.get_executor(),
                             kflow::testing::test_producer_config(cluster.bootstrap_servers()));

    std::vector<std::int64_t> offsets;
    for (int i = 0; i < 100; ++i) {
        producer.async_send({topic, "k", std::to_string(i)},
                            [&](boost::system::error_code ec, const kflow::record_metadata& md) {
                                REQUIRE_FALSE(ec);
                                offsets.push_back(md.offset);
                            });
    }
    io.run();  // returns once every delivery completed: the bridge holds no work when idle
    REQUIRE(offsets.size() == 100);
    for (std::size_t i = 0; i < offsets.size(); ++i)
        CHECK(offsets[i] == static_cast<std::int64_t>(i));

    // use_future: the io_context runs on another thread.
    io.restart();
    auto guard = asio::make_work_guard(io);
    std::thread runner([&] { io.run(); });
    std::future<kflow::record_metadata> f =
        producer.async_send({topic, "k", "future"}, asio::use_future);
    CHECK(f.get().offset == 100);
    guard.reset();
    runner.join();
}

TEST_CASE("async_send errors throw kflow exceptions under the default token",
          "[async][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("async-err");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    string_producer producer(io.get_executor(),
                             kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    // Learn the partition count first, so a bad partition fails at once.
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        co_await producer.async_send({topic, "k", "first"});
        try {
            co_await producer.async_send({topic, "k", "v", {}, 7});
            FAIL("sending to a partition that does not exist must fail");
        } catch (const kflow::kafka_error& e) {
            CHECK(e.code() == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION));
            CHECK(std::string(e.what()).find(topic) != std::string::npos);
        }
        auto [ec, md] = co_await producer.async_send({topic, "k", "v", {}, 7},
                                                     asio::as_tuple(asio::use_awaitable));
        CHECK(ec == boost::system::error_code(
                        kflow::make_error_code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)));
    });
}

TEST_CASE("a full queue makes async_send wait for room without blocking",
          "[async][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("async-full");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    config.queue_buffering_max_messages(5);
    string_producer producer(io.get_executor(), config);

    std::vector<std::int64_t> offsets;
    int failures = 0;
    for (int i = 0; i < 50; ++i) {
        producer.async_send({topic, "k", std::to_string(i)},
                            [&](boost::system::error_code ec, const kflow::record_metadata& md) {
                                if (ec)
                                    ++failures;
                                else
                                    offsets.push_back(md.offset);
                            });
    }
    // 5 fit in librdkafka's queue; the rest wait in order and go out as reports free room.
    bool flushed = false;
    producer.async_flush([&](boost::system::error_code ec) { flushed = !ec; });
    io.run();
    CHECK(failures == 0);
    CHECK(flushed);
    REQUIRE(offsets.size() == 50);
    for (std::size_t i = 0; i < offsets.size(); ++i)
        CHECK(offsets[i] == static_cast<std::int64_t>(i));

    // A waiting send keeps its own copy of value bytes that were only borrowed for the call:
    // what went out is what each send was given.
    kflow::consumer<std::string, std::string> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("reader")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    const auto got = kflow::testing::consume_until(consumer, 50);
    REQUIRE(got.size() == 50);
    for (std::size_t i = 0; i < got.size(); ++i) {
        CHECK(got[i].key == "k");
        CHECK(got[i].value == std::to_string(i));
    }
}

TEST_CASE("async_flush with a timeout and async_close, when every message is delivered",
          "[async][producer][close][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("async-close");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    string_producer producer(io.get_executor(),
                             kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    int delivered = 0;
    const auto started = std::chrono::steady_clock::now();
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 10; ++i) {
            producer.async_send({topic, "k", std::to_string(i)},
                                [&](boost::system::error_code ec, const kflow::record_metadata&) {
                                    delivered += ec ? 0 : 1;
                                });
        }
        co_await producer.async_flush(20s);
        CHECK(delivered == 10);
        CHECK(producer.in_flight() == 0);
        co_await producer.async_close();  // the config's close_timeout
        // Closed: sends fail at once, with errc::closed.
        auto [ec, md] =
            co_await producer.async_send({topic, "k", "late"}, asio::as_tuple(asio::use_awaitable));
        CHECK(ec == kflow::errc::closed);
        // A second close completes at once.
        co_await producer.async_close(1s);
    });
    // The flush's 20 s deadline timer went with the flush: run() returned long before it.
    CHECK(std::chrono::steady_clock::now() - started < 15s);
}
