// async_consumer: receive, batches, commits, rebalance events, cancellation and close.
#include <kflow/async_consumer.hpp>
#include <kflow/async_producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include <future>
#include <memory>
#include <span>
#include <string_view>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using string_consumer = kflow::async_consumer<std::string, std::string>;

namespace {

template <class F>
void run_coroutine(asio::io_context& io, F f) {
    std::exception_ptr failure;
    bool done = false;
    asio::co_spawn(io, std::move(f), [&](std::exception_ptr e) {
        failure = e;
        done = true;
    });
    io.run();
    REQUIRE(done);
    if (failure)
        std::rethrow_exception(failure);
}

void produce(const mock_cluster& cluster, const std::string& topic, int count,
             std::int32_t partition = 0) {
    kflow::producer<std::string, std::string> p(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    for (int i = 0; i < count; ++i)
        p.send({topic, "k" + std::to_string(i), "v" + std::to_string(i), {}, partition});
    p.flush(10s);
}

}  // namespace

TEST_CASE("async_receive and async_receive_batch read records in order",
          "[async][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("async-recv");
    cluster.create_topic(topic, 1);
    produce(cluster, topic, 10);

    asio::io_context io;
    string_consumer consumer(io.get_executor(), kflow::testing::test_consumer_config(
                                                    cluster.bootstrap_servers(), unique_name("g")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        auto first = co_await consumer.async_receive();
        CHECK(first.value == "v0");
        CHECK(first.offset == 0);
        std::vector<kflow::consumer_record<std::string, std::string>> rest;
        while (rest.size() < 9) {
            auto batch = co_await consumer.async_receive_batch(4);
            CHECK(!batch.empty());
            CHECK(batch.size() <= 4);
            for (auto& r : batch)
                rest.push_back(std::move(r));
        }
        for (std::size_t i = 0; i < rest.size(); ++i)
            CHECK(rest[i].value == "v" + std::to_string(i + 1));
        co_await consumer.async_commit();
        co_await consumer.async_close(5s);
    });
}

TEST_CASE("cancelling async_receive loses no record", "[async][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("async-cancel");
    cluster.create_topic(topic, 1);

    asio::io_context io;
    string_consumer consumer(io.get_executor(), kflow::testing::test_consumer_config(
                                                    cluster.bootstrap_servers(), unique_name("g")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        // Nothing to read: the receive is cancelled while it waits.
        asio::cancellation_signal cancel;
        asio::steady_timer timer(io, 50ms);
        timer.async_wait(
            [&](boost::system::error_code) { cancel.emit(asio::cancellation_type::all); });
        auto [ec, rec] = co_await consumer.async_receive(
            asio::bind_cancellation_slot(cancel.slot(), asio::as_tuple(asio::use_awaitable)));
        CHECK(ec == asio::error::operation_aborted);
        produce(cluster, topic, 3);
        for (int i = 0; i < 3; ++i) {
            auto r = co_await consumer.async_receive();
            CHECK(r.value == "v" + std::to_string(i));
        }
        co_await consumer.async_close(5s);
    });
}

TEST_CASE("a record that cannot be deserialized throws deserialization_error under co_await",
          "[async][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("async-bad");
    cluster.create_topic(topic, 1);
    produce(cluster, topic, 1);  // "v0" is not a 4-byte integer

    asio::io_context io;
    kflow::async_consumer<std::string, std::int32_t> consumer(
        io.get_executor(),
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        try {
            (void)co_await consumer.async_receive();
            FAIL("expected a deserialization error");
        } catch (const kflow::deserialization_error& e) {
            CHECK(e.record().topic == topic);
            CHECK(e.record().offset == 0);
            REQUIRE(e.record().value.has_value());
            CHECK(e.record().value->size() == 2);
        }
        REQUIRE(consumer.last_failure() != nullptr);
        CHECK(consumer.last_failure()->record.offset == 0);
        co_await consumer.async_close(5s);
    });
}

TEST_CASE("a revocation waits for the application to commit",
          "[async][consumer][rebalance][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("async-rebalance");
    cluster.create_topic(topic, 2);
    produce(cluster, topic, 4, 0);
    produce(cluster, topic, 4, 1);
    const auto group = unique_name("g");

    asio::io_context io;
    auto config = kflow::testing::test_consumer_config(cluster.bootstrap_servers(), group);
    config.enable_auto_commit(false);
    string_consumer first(io.get_executor(), config);
    std::optional<string_consumer> second;
    first.subscribe({topic}, kflow::rebalance_events);

    run_coroutine(io, [&]() -> asio::awaitable<void> {
        auto assigned = co_await first.async_rebalance();
        CHECK(assigned.kind == kflow::rebalance_kind::assigned);
        CHECK(assigned.partitions.size() == 2);
        std::size_t read = 0;
        while (read < 8)
            read += (co_await first.async_receive_batch(8)).size();
        co_await first.async_commit();

        // A second member joins: the first hears of the revocation and keeps its partitions
        // until it asks for the next event.
        second.emplace(io.get_executor(), config);
        second->subscribe({topic}, kflow::rebalance_events);
        auto revoked = co_await first.async_rebalance();
        CHECK(revoked.kind == kflow::rebalance_kind::revoked);
        CHECK(first.assignment().size() == 2);  // still held
        // Kafka accepts commits of the current generation while a rebalance is pending; the
        // mock cluster answers REBALANCE_IN_PROGRESS instead (docs/mock-cluster.md).
        auto [ec] = co_await first.async_commit(asio::as_tuple(asio::use_awaitable));
        if (kflow::testing::real_cluster_bootstrap()) {
            CHECK_FALSE(ec);
        } else {
            CHECK((!ec || ec == boost::system::error_code(kflow::make_error_code(
                                    RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS))));
        }
        auto reassigned = co_await first.async_rebalance();  // releases the revoked partitions
        CHECK(reassigned.kind == kflow::rebalance_kind::assigned);
        CHECK(reassigned.partitions.size() == 1);
        const std::vector<kflow::topic_partition> both{{topic, 0}, {topic, 1}};
        auto committed = co_await first.async_committed(both, 5s);
        for (const auto& c : committed)
            CHECK(c.offset == 4);
        // The mock can start another round right after this one (a follower's early SyncGroup
        // is refused and it rejoins; docs/mock-cluster.md), and a LeaveGroup sent meanwhile waits
        // behind the held JoinGroup: close within the configured timeout, which allows for that.
        co_await first.async_close(config.close_timeout());
        // The first member's leave makes the second rejoin; rather than have its LeaveGroup wait
        // behind that JoinGroup too, close the second member once it owns both partitions.
        for (;;) {
            auto ev = co_await second->async_rebalance();
            if (ev.kind == kflow::rebalance_kind::assigned && ev.partitions.size() == 2)
                break;
        }
        co_await second->async_close(config.close_timeout());
    });
}

TEST_CASE("an async consumer of views hands out records that hold their messages",
          "[async][consumer][borrowed][mock]") {
    using view_consumer = kflow::async_consumer<std::string_view, std::span<const char>>;
    mock_cluster cluster;
    const auto topic = unique_name("async-views");
    cluster.create_topic(topic, 1);
    produce(cluster, topic, 10);

    asio::io_context io;
    auto consumer = std::make_unique<view_consumer>(
        io.get_executor(),
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
    consumer->assign({{topic, 0, kflow::offsets::beginning}});
    std::vector<view_consumer::record_type> kept;
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        auto first = co_await consumer->async_receive();
        CHECK(first.storage.holds_message());
        CHECK(first.topic == topic);
        kept.push_back(std::move(first));
        while (kept.size() < 10) {
            auto batch = co_await consumer->async_receive_batch(4);
            CHECK(!batch.empty());
            for (auto& r : batch) {
                CHECK(r.storage.holds_message());
                kept.push_back(std::move(r));
            }
        }
        co_await consumer->async_commit(kept.back());
    });
    // Destroyed without async_close, while its records live on: it closes at once, the client
    // goes with the last record. Each step is bounded, so a hang fails the test.
    auto destroyed = std::async(std::launch::async, [&] { consumer.reset(); });
    REQUIRE(destroyed.wait_for(30s) == std::future_status::ready);
    destroyed.get();
    for (std::size_t i = 0; i < kept.size(); ++i) {
        CHECK(kept[i].key == "k" + std::to_string(i));
        CHECK(std::string_view(kept[i].value.data(), kept[i].value.size()) ==
              "v" + std::to_string(i));
        CHECK(kept[i].offset == static_cast<std::int64_t>(i));
    }
    auto released = std::async(std::launch::async, [&] { kept.clear(); });
    REQUIRE(released.wait_for(30s) == std::future_status::ready);
    released.get();
}
