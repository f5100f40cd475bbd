// Per-operation cancellation: receives never lose a record, even one already taken from
// librdkafka when the cancellation hit; sends are withdrawn only while they wait for room.
#include <kflow/async.hpp>

#include "async_test_support.hpp"

#include <kflow/consumer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>

#include <future>
#include <map>
#include <optional>
#include <random>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace boost::asio::experimental::awaitable_operators;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using kflow_test::io_thread;
using kflow_test::produce;
using kflow_test::run_on;
using string_producer = kflow::async_producer<std::string, std::string>;
using string_consumer = kflow::async_consumer<std::string, std::string>;

namespace {

kflow::consumer_config manual_commit_config(const mock_cluster& cluster) {
    auto config =
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g"));
    config.enable_auto_commit(false);
    return config;
}

/// Every value in the topic's partition 0, read with the sync consumer.
std::vector<std::string> values_in(const mock_cluster& cluster, const std::string& topic,
                                   std::size_t expected) {
    kflow::consumer<std::string, std::string> c(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("check")));
    c.assign({{topic, 0, kflow::offsets::beginning}});
    std::vector<std::string> out;
    for (auto& r : kflow::testing::consume_until(c, expected, 10s))
        out.push_back(r.value);
    // Anything beyond what was expected shows up here too.
    for (auto& r : kflow::testing::consume_until(c, 1, 300ms))
        out.push_back(r.value);
    return out;
}

std::vector<std::string> numbered(const std::string& prefix, int count) {
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i)
        out.push_back(prefix + std::to_string(i));
    return out;
}

}  // namespace

TEST_CASE("cancelling a waiting async_receive takes nothing", "[async][cancel][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("cancel-wait");
    cluster.create_topic(topic, 1);
    io_thread ctx;
    string_consumer consumer(ctx.executor(), manual_commit_config(cluster));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    const auto type = GENERATE(asio::cancellation_type::terminal, asio::cancellation_type::partial,
                               asio::cancellation_type::total);

    run_on(ctx, [&]() -> asio::awaitable<void> {
        // Nothing to read: the receive is cancelled while it waits.
        asio::cancellation_signal cancel;
        asio::steady_timer timer(co_await asio::this_coro::executor, 50ms);
        timer.async_wait([&](boost::system::error_code) { cancel.emit(type); });
        auto [ec, r] = co_await consumer.async_receive(
            asio::bind_cancellation_slot(cancel.slot(), asio::as_tuple(asio::use_awaitable)));
        CHECK(ec == asio::error::operation_aborted);

        // The same for a batch.
        timer.expires_after(50ms);
        timer.async_wait([&](boost::system::error_code) { cancel.emit(type); });
        auto [ec2, batch] = co_await consumer.async_receive_batch(
            10, asio::bind_cancellation_slot(cancel.slot(), asio::as_tuple(asio::use_awaitable)));
        CHECK(ec2 == asio::error::operation_aborted);
        CHECK(batch.empty());
    });
    produce(cluster, topic, 3);
    run_on(ctx, [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
            auto r = co_await consumer.async_receive();
            CHECK(r.value == "v" + std::to_string(i));
        }
    });
}

TEST_CASE("async_receive || a timer: the timer wins while nothing arrives, nothing is lost",
          "[async][cancel][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("cancel-or");
    cluster.create_topic(topic, 1);
    io_thread ctx;
    string_consumer consumer(ctx.executor(), manual_commit_config(cluster));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});

    run_on(ctx, [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 100ms);
        auto first = co_await (consumer.async_receive() || timer.async_wait(asio::use_awaitable));
        CHECK(first.index() == 1);  // the timer
    });
    produce(cluster, topic, 5);
    run_on(ctx, [&]() -> asio::awaitable<void> {
        std::vector<std::string> got;
        while (got.size() < 5) {
            asio::steady_timer timer(co_await asio::this_coro::executor, 10s);
            auto r = co_await (consumer.async_receive() || timer.async_wait(asio::use_awaitable));
            REQUIRE(r.index() == 0);
            got.push_back(std::get<0>(r).value);
        }
        CHECK(got == numbered("v", 5));
    });
}

TEST_CASE("receive || receive with records ready on both sides: the loser's record is kept",
          "[async][cancel][consumer][mock]") {
    // Both sides of `||` are launched at once, and the result of the side that completes second
    // is thrown away. With records fetched already, both may complete in the same pass: the
    // losing receive must give its record back, so that the next receive reads it.
    mock_cluster cluster;
    const auto first_topic = unique_name("or-first");
    const auto second_topic = unique_name("or-second");
    cluster.create_topic(first_topic, 1);
    cluster.create_topic(second_topic, 1);
    produce(cluster, first_topic, 3);
    produce(cluster, second_topic, 3);
    io_thread ctx;
    string_consumer first(ctx.executor(), manual_commit_config(cluster));
    string_consumer second(ctx.executor(), manual_commit_config(cluster));
    first.assign({{first_topic, 0, kflow::offsets::beginning}});
    second.assign({{second_topic, 0, kflow::offsets::beginning}});
    run_on(ctx, [&]() -> asio::awaitable<void> {
        // v0 from each: the records after it come in the same fetch and wait, ready.
        const auto a = co_await first.async_receive();
        const auto b = co_await second.async_receive();
        CHECK(a.value == "v0");
        CHECK(b.value == "v0");

        auto either = co_await (first.async_receive() || second.async_receive());
        string_consumer& loser = either.index() == 0 ? second : first;
        const auto won =
            either.index() == 0 ? std::get<0>(std::move(either)) : std::get<1>(std::move(either));
        CHECK(won.value == "v1");
        const auto next = co_await loser.async_receive();
        CHECK(next.value == "v1");  // not v2: the record the loser had taken came back
    });
}

TEST_CASE("a record already taken for a cancelled receive goes to the next receive",
          "[async][cancel][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("cancel-taken");
    cluster.create_topic(topic, 1);
    produce(cluster, topic, 4);
    // The consumer runs on `io`, the handler on `handler_io`: the record is taken on the
    // consumer's strand, then travels to the handler's executor, which this test holds still
    // while the cancellation lands.
    asio::io_context io;
    asio::io_context handler_io;
    string_consumer consumer(io.get_executor(), manual_commit_config(cluster));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});

    std::optional<boost::system::error_code> result;
    std::size_t records_seen = 0;
    asio::cancellation_signal cancel;
    const bool batch = GENERATE(false, true);
    if (batch) {
        consumer.async_receive_batch(
            10, asio::bind_cancellation_slot(
                    cancel.slot(), asio::bind_executor(
                                       handler_io, [&](boost::system::error_code ec, auto records) {
                                           result = ec;
                                           records_seen = records.size();
                                       })));
    } else {
        consumer.async_receive(asio::bind_cancellation_slot(
            cancel.slot(),
            asio::bind_executor(handler_io, [&](boost::system::error_code ec, const auto& record) {
                result = ec;
                records_seen = record.value.empty() ? 0 : 1;
            })));
    }
    // run() returns once the receive has taken its records and handed its completion to
    // handler_io: nothing else keeps the consumer's io_context busy.
    io.run();
    REQUIRE_FALSE(result);
    cancel.emit(asio::cancellation_type::terminal);
    CHECK(handler_io.run_one() == 1);  // sees the cancellation, sends the records back
    REQUIRE_FALSE(result);
    io.restart();
    io.run();          // puts them back, then completes the receive
    handler_io.run();  // runs its handler
    REQUIRE(result);
    CHECK(*result == asio::error::operation_aborted);
    CHECK(records_seen == 0);

    // Nothing was handed to the application, so nothing is committed...
    io.restart();
    std::exception_ptr failure;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await consumer.async_commit();
            // (Built before the co_await: g++ 12 cannot keep a braced list alive across one.)
            const std::vector<kflow::topic_partition> p0{{topic, 0}};
            auto committed = co_await consumer.async_committed(p0, 5s);
            CHECK(committed.at(0).offset < 0);
            // ...and the next receives get every record, in order.
            std::vector<std::string> got;
            while (got.size() < 4) {
                for (auto& r : co_await consumer.async_receive_batch(10))
                    got.push_back(r.value);
            }
            CHECK(got == numbered("v", 4));
            co_await consumer.async_commit();
            committed = co_await consumer.async_committed(p0, 5s);
            CHECK(committed.at(0).offset == 4);
        },
        [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure)
        std::rethrow_exception(failure);
}

TEST_CASE("receives racing a short timer lose no record and keep the order",
          "[async][cancel][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("cancel-race");
    cluster.create_topic(topic, 1);
    constexpr int total = 400;
    produce(cluster, topic, total);
    // The consumer's strand and the coroutine run on different threads, so a record may be
    // taken just as the timer wins: it must come back for the next receive.
    io_thread consumer_ctx;
    io_thread coroutine_ctx;
    string_consumer consumer(consumer_ctx.executor(), manual_commit_config(cluster));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});

    std::vector<std::string> got;
    int timer_wins = 0;
    run_on(coroutine_ctx, [&]() -> asio::awaitable<void> {
        std::mt19937 rng(12345);
        std::uniform_int_distribution<int> delay_us(0, 300);
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (got.size() < total && std::chrono::steady_clock::now() < deadline) {
            asio::steady_timer timer(co_await asio::this_coro::executor,
                                     std::chrono::microseconds(delay_us(rng)));
            auto r = co_await (consumer.async_receive() || timer.async_wait(asio::use_awaitable));
            if (r.index() == 0) {
                got.push_back(std::get<0>(r).value);
            } else {
                ++timer_wins;
            }
        }
    });
    INFO("the timer won " << timer_wins << " times");
    CHECK(timer_wins > 0);
    CHECK(got == numbered("v", total));
}

TEST_CASE("cancelling a send that waits for room withdraws it", "[async][cancel][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("cancel-send");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    config.queue_buffering_max_messages(1);
    string_producer producer(io.get_executor(), config);

    std::vector<std::pair<std::string, boost::system::error_code>> results;
    std::vector<std::int64_t> offsets;
    auto record = [&](std::string name) {
        return [&, name](boost::system::error_code ec, const kflow::record_metadata& md) {
            results.emplace_back(name, ec);
            if (!ec)
                offsets.push_back(md.offset);
        };
    };
    asio::cancellation_signal cancel;
    producer.async_send({topic, "k", "one"}, record("one"));  // fills librdkafka's queue
    // The queue stays full until io runs and serves the first delivery report.
    producer.async_send({topic, "k", "two"},
                        asio::bind_cancellation_slot(cancel.slot(), record("two")));
    producer.async_send({topic, "k", "three"}, record("three"));
    cancel.emit(asio::cancellation_type::terminal);
    CHECK(results.empty());  // completions never run inside emit() or the initiation
    io.run();

    // "one" may complete before or after the withdrawn "two"; "three" comes after "one".
    REQUIRE(results.size() == 3);
    std::map<std::string, boost::system::error_code> by_name(results.begin(), results.end());
    CHECK(by_name.at("two") == asio::error::operation_aborted);
    CHECK_FALSE(by_name.at("one"));
    CHECK_FALSE(by_name.at("three"));
    CHECK(offsets == std::vector<std::int64_t>{0, 1});
    CHECK(values_in(cluster, topic, 2) == std::vector<std::string>{"one", "three"});
}

TEST_CASE("cancelling a send after its hand-off to librdkafka has no effect",
          "[async][cancel][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("cancel-sent");
    cluster.create_topic(topic, 1);
    io_thread ctx;
    string_producer producer(ctx.executor(),
                             kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    // As documented: once the message is with librdkafka (which async_send does before it
    // returns when there is room), cancellation has no effect; the operation reports the
    // delivery.
    asio::cancellation_signal cancel;
    std::promise<std::pair<boost::system::error_code, std::int64_t>> done;
    producer.async_send(
        {topic, "k", "sent"},
        asio::bind_cancellation_slot(
            cancel.slot(), [&](boost::system::error_code ec, const kflow::record_metadata& md) {
                done.set_value({ec, md.offset});
            }));
    cancel.emit(asio::cancellation_type::terminal);
    auto [ec, offset] = done.get_future().get();
    CHECK_FALSE(ec);
    CHECK(offset == 0);

    // The same as the loser of ||: the timer wins, the send goes out anyway.
    run_on(ctx, [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 0ms);
        (void)co_await (timer.async_wait(asio::use_awaitable) ||
                        producer.async_send({topic, "k", "raced"}));
        co_await producer.async_flush();
    });
    CHECK(values_in(cluster, topic, 2) == std::vector<std::string>{"sent", "raced"});
}

TEST_CASE("cancelling async_flush withdraws the wait, not the sends",
          "[async][cancel][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("cancel-flush");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    string_producer producer(io.get_executor(),
                             kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    int delivered = 0;
    for (int i = 0; i < 10; ++i) {
        producer.async_send({topic, "k", "v" + std::to_string(i)},
                            [&](boost::system::error_code ec, kflow::record_metadata) {
                                if (!ec)
                                    ++delivered;
                            });
    }
    asio::cancellation_signal cancel;
    std::optional<boost::system::error_code> flushed;
    producer.async_flush(asio::bind_cancellation_slot(
        cancel.slot(), [&](boost::system::error_code ec) { flushed = ec; }));
    cancel.emit(asio::cancellation_type::terminal);
    io.run();
    REQUIRE(flushed);
    CHECK(*flushed == asio::error::operation_aborted);
    CHECK(delivered == 10);
    CHECK(values_in(cluster, topic, 10) == numbered("v", 10));
}
