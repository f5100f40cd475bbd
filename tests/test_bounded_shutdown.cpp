// Bounded shutdown with every broker gone: each close and destroy path of the async producer,
// the async consumer and the admin client finishes within its documented bound plus a stated
// margin (the sync producer's and consumer's are in test_producer, test_consumer and
// test_client_lifecycle). The margin (MARGIN below) absorbs scheduling on a loaded two-core
// machine; the bounds themselves are those the headers and docs state.
#include <kflow/admin/client.hpp>
#include <kflow/async_consumer.hpp>
#include <kflow/async_producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <future>
#include <optional>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto MARGIN = 750ms;

/// Time taken by `f`.
template <class F>
clock_type::duration timed(F&& f) {
    const auto start = clock_type::now();
    f();
    return clock_type::now() - start;
}

}  // namespace

TEST_CASE("the async producer's close and destructor are bounded with the brokers gone",
          "[async][producer][shutdown][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("shutdown");
    cluster.create_topic(topic, 1);
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    config.close_timeout(500ms);
    asio::io_context io;
    std::optional<kflow::async_producer<std::string, std::string>> producer(
        std::in_place, io.get_executor(), config);
    // Metadata first, so the records wait for the broker rather than for the topic.
    (void)producer->async_send({topic, "k", "warm-up"}, asio::use_future);
    io.run_for(5s);
    io.restart();
    cluster.broker_down(mock_cluster::all_brokers);
    int reports = 0;
    int failures = 0;
    for (int i = 0; i < 20; ++i) {
        producer->async_send({topic, "k", std::to_string(i)},
                             [&](boost::system::error_code ec, const kflow::record_metadata&) {
                                 ++reports;
                                 failures += ec ? 1 : 0;
                             });
    }
    SECTION("close(timeout): the timeout, then at most one second for the purged reports") {
        std::size_t undelivered = 0;
        const auto took = timed([&] { undelivered = producer->close(500ms); });
        CHECK(took < 500ms + 1s + MARGIN);
        CHECK(undelivered == 20);
    }
    SECTION("the destructor: close_timeout, then the same second") {
        const auto took = timed([&] { producer.reset(); });
        CHECK(took < 500ms + 1s + MARGIN);
    }
    SECTION("async_close(timeout): never blocks, completes within the timeout and a second") {
        std::optional<boost::system::error_code> closed;
        clock_type::duration took{};
        const auto start = clock_type::now();
        const auto initiation = timed([&] {
            producer->async_close(500ms, [&](boost::system::error_code ec) {
                took = clock_type::now() - start;
                closed = ec;
            });
        });
        CHECK(initiation < 50ms);
        // New sends fail at once once the close began.
        std::optional<boost::system::error_code> late;
        producer->async_send(
            {topic, "k", "late"},
            [&](boost::system::error_code ec, const kflow::record_metadata&) { late = ec; });
        io.run_for(500ms + 1s + MARGIN);
        io.restart();
        REQUIRE(closed.has_value());
        CHECK(*closed == kflow::errc::timed_out);
        CHECK(took < 500ms + 1s + MARGIN);
        REQUIRE(late.has_value());
        CHECK(*late == kflow::errc::closed);
        // Closed: the destructor does not wait again.
        CHECK(timed([&] { producer.reset(); }) < MARGIN);
    }
    SECTION("async_flush(timeout) gives up, and the messages stay in flight") {
        std::optional<boost::system::error_code> flushed;
        producer->async_flush(300ms, [&](boost::system::error_code ec) { flushed = ec; });
        io.run_for(300ms + MARGIN);
        io.restart();
        REQUIRE(flushed.has_value());
        CHECK(*flushed == kflow::errc::timed_out);
        CHECK(producer->in_flight() == 20);
        CHECK(reports == 0);
        (void)producer->close(0ms);
    }
    io.run_for(1s);  // the handlers of the failed sends
    CHECK(reports == 20);
    CHECK(failures == 20);
}

TEST_CASE("the async consumer's close is bounded with the brokers gone",
          "[async][consumer][shutdown][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("shutdown");
    cluster.create_topic(topic, 2);
    auto config =
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g"));
    config.close_timeout(1s);
    asio::io_context io;
    std::optional<kflow::async_consumer<std::string, std::string>> consumer(
        std::in_place, io.get_executor(), config);
    consumer->subscribe({topic});
    // Joined and assigned: a receive waits (nothing to read) while the group forms.
    auto pending = consumer->async_receive(asio::use_future);
    io.run_for(3s);
    io.restart();
    cluster.broker_down(mock_cluster::all_brokers);

    SECTION("async_close(timeout) completes with timed_out within the timeout") {
        std::future<void> closed;
        const auto took = timed([&] {
            closed = consumer->async_close(1s, asio::use_future);
            io.run_for(1s + MARGIN + 500ms);
        });
        REQUIRE(closed.wait_for(0s) == std::future_status::ready);
        CHECK(took < 1s + MARGIN + 500ms + 100ms);
        try {
            closed.get();
        } catch (const boost::system::system_error& e) {
            CHECK(e.code() == kflow::errc::timed_out);
        }
        // The waiting receive ended with the close.
        REQUIRE(pending.wait_for(0s) == std::future_status::ready);
        CHECK_THROWS(pending.get());
        // Destroying it afterwards waits at most for a commit already sent (session timeout).
        const auto destroyed = timed([&] { consumer.reset(); });
        CHECK(destroyed < 6s + MARGIN);
    }
    SECTION(
        "the destructor alone closes within close_timeout, then waits at most the session "
        "timeout for librdkafka's own commit") {
        const auto took = timed([&] { consumer.reset(); });
        CHECK(took < 1s + 6s + MARGIN);
    }
}

TEST_CASE("the admin client's destructor is bounded by an outstanding call's request timeout",
          "[admin][shutdown][mock]") {
    mock_cluster cluster;
    kflow::admin_config config;
    // describe_cluster is a blocking librdkafka call (metadata) run on the client's worker: it
    // cannot be interrupted, so destruction waits for it, at most its request timeout.
    config.bootstrap_servers(cluster.bootstrap_servers()).request_timeout(2s);
    asio::io_context io;
    std::optional<kflow::admin_client> admin(std::in_place, io.get_executor(), config);
    cluster.broker_down(mock_cluster::all_brokers);
    std::optional<boost::system::error_code> in_progress;
    std::optional<boost::system::error_code> queued;
    admin->async_describe_cluster(
        [&](boost::system::error_code ec, const kflow::cluster_description&) { in_progress = ec; });
    admin->async_describe_cluster(
        [&](boost::system::error_code ec, const kflow::cluster_description&) { queued = ec; });
    io.run_for(200ms);
    io.restart();
    const auto took = timed([&] { admin.reset(); });
    CHECK(took < 2s + MARGIN);
    io.run_for(1s);
    // The call in progress ended with its own error; the one behind it never started.
    REQUIRE(in_progress);
    CHECK(*in_progress);
    REQUIRE(queued);
    CHECK(*queued == kflow::errc::closed);
}
