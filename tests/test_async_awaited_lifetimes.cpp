// A client destroyed while a coroutine awaits one of its operations, its io_context not run
// again (as after io_context::stop(), at an application's shutdown). Asio keeps an operation's
// initiation in the awaiting coroutine's frame until the operation completes; while that
// initiation held the client's shared state, and the state held the coroutine's handler, neither
// was ever destroyed: the consumer was not closed (nothing committed, the group not left) and
// librdkafka's threads ran on into the process's exit.
#include <kflow/async.hpp>

#include "async_test_support.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <librdkafka/rdkafka.h>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using string_consumer = kflow::async_consumer<std::string, std::string>;
using string_producer = kflow::async_producer<std::string, std::string>;

namespace {

/// Runs `io` until `done` holds; false if it ran out of work, or waited 15 s for one handler.
bool run_until(asio::io_context& io, const bool& done) {
    while (!done) {
        if (io.run_one_for(15s) == 0)
            return false;
    }
    return true;
}

/// A coroutine that handles one record, then awaits the next, with `token`.
template <class Token>
asio::awaitable<void> handle_one_then_await(string_consumer& consumer, Token token,
                                            bool& awaiting) {
    (void)co_await consumer.async_receive(token);
    awaiting = true;
    (void)co_await consumer.async_receive(token);  // nothing more comes
    FAIL("the second receive completed");
}

}  // namespace

TEMPLATE_TEST_CASE(
    "an async consumer destroyed while a coroutine awaits a receive is closed at once",
    "[async][lifecycle][mock]", kflow::use_awaitable_t, asio::use_awaitable_t<>) {
    mock_cluster cluster;
    const auto topic = unique_name("awaited");
    cluster.create_topic(topic, 1);
    kflow_test::produce(cluster, topic, 1);
    auto config =
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g"));
    // Only the close commits: stored offsets are the handled records', and the timer waits.
    config.enable_auto_commit(true).auto_commit_interval(60s);
    {
        asio::io_context io;
        auto consumer = std::make_unique<string_consumer>(io.get_executor(), config);
        consumer->assign({{topic, 0, kflow::offsets::beginning}});
        bool awaiting = false;
        asio::co_spawn(io, handle_one_then_await(*consumer, TestType{}, awaiting), asio::detached);
        REQUIRE(run_until(io, awaiting));
        io.poll();  // the second receive reaches the consumer's strand, and waits there

        consumer.reset();  // the io_context is not run again

        // Closed by the destructor: the handled record is committed.
        kflow::consumer<std::string, std::string> checker(config);
        const auto committed = checker.committed({{topic, 0}}, 5s);
        REQUIRE(committed.size() == 1);
        CHECK(committed.front().offset == 1);
    }  // the io_context destroys the suspended coroutine
}

TEMPLATE_TEST_CASE("an async producer destroyed while a coroutine awaits a send lets go of it",
                   "[async][lifecycle][mock]", kflow::use_awaitable_t, asio::use_awaitable_t<>) {
    std::optional<mock_cluster> cluster(std::in_place);
    const auto topic = unique_name("awaited");
    cluster->create_topic(topic, 1);
    asio::io_context io;
    auto producer = std::make_unique<string_producer>(
        io.get_executor(), kflow::testing::test_producer_config(cluster->bootstrap_servers()));
    bool sending = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            sending = true;
            (void)co_await producer->async_send({topic, "k", "v"}, TestType{});
        },
        asio::detached);
    REQUIRE(run_until(io, sending));

    producer.reset();  // closes (within close_timeout); the io_context is not run again
    cluster.reset();
    // Every librdkafka handle is gone, the producer's included, though the coroutine it would
    // have resumed still exists, suspended (the io_context destroys it when it goes).
    CHECK(rd_kafka_wait_destroyed(10000) == 0);
}
