// Every completion token with every async operation, end to end on the mock cluster: the
// default token and asio::use_awaitable under co_await, plain callbacks (on their associated
// executor, never a librdkafka thread), asio::deferred, asio::use_future and asio::as_tuple.
#include <kflow/async.hpp>

#include "async_test_support.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/strand.hpp>

#include <future>
#include <optional>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using kflow_test::io_thread;
using kflow_test::on_librdkafka_thread;
using kflow_test::produce;
using kflow_test::run_on;
using string_producer = kflow::async_producer<std::string, std::string>;
using string_consumer = kflow::async_consumer<std::string, std::string>;

namespace {

/// Where a callback ran, and what it got.
template <class T>
struct callback_result {
    boost::system::error_code ec;
    std::optional<T> value;
    std::thread::id thread;
    bool on_librdkafka_thread = true;
};

/// A callback that records into a promise where it ran and what it got.
template <class T>
auto recording_callback(std::promise<callback_result<T>>& done) {
    return [&done](boost::system::error_code ec, T value) {
        done.set_value({ec, std::move(value), std::this_thread::get_id(), on_librdkafka_thread()});
    };
}

inline auto recording_callback(std::promise<callback_result<int>>& done) {
    return [&done](boost::system::error_code ec) {
        done.set_value({ec, 0, std::this_thread::get_id(), on_librdkafka_thread()});
    };
}

template <class E>
boost::system::error_code boost_code(E e) {
    return boost::system::error_code(kflow::make_error_code(e));
}

kflow::consumer_config consumer_config(const mock_cluster& cluster) {
    return kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g"));
}

}  // namespace

TEST_CASE("async_send completes with every token kind", "[async][tokens][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("tokens-send");
    cluster.create_topic(topic, 1);
    io_thread ctx;
    io_thread other;
    string_producer producer(ctx.executor(),
                             kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    std::int64_t next = 0;

    SECTION("default token, use_awaitable, deferred and as_tuple under co_await") {
        run_on(ctx, [&]() -> asio::awaitable<void> {
            kflow::record_metadata md = co_await producer.async_send({topic, "k", "v"});
            CHECK(md.offset == next++);
            md = co_await producer.async_send({topic, "k", "v"}, asio::use_awaitable);
            CHECK(md.offset == next++);
            auto deferred = producer.async_send({topic, "k", "v"}, asio::deferred);
            md = co_await std::move(deferred);
            CHECK(md.offset == next++);
            auto [ec, md2] = co_await producer.async_send({topic, "k", "v"},
                                                          asio::as_tuple(asio::use_awaitable));
            CHECK_FALSE(ec);
            CHECK(md2.offset == next++);
            CHECK(md2.topic == topic);
        });
    }
    SECTION("a callback runs on its associated executor, not on a librdkafka thread") {
        std::promise<callback_result<kflow::record_metadata>> done;
        producer.async_send({topic, "k", "v"},
                            asio::bind_executor(other.executor(), recording_callback(done)));
        auto r = done.get_future().get();
        CHECK_FALSE(r.ec);
        CHECK(r.value->offset == 0);
        CHECK(r.thread == other.id());
        CHECK_FALSE(r.on_librdkafka_thread);

        // Unbound, it runs on the producer's executor.
        std::promise<callback_result<kflow::record_metadata>> done2;
        producer.async_send({topic, "k", "v"}, recording_callback(done2));
        auto r2 = done2.get_future().get();
        CHECK(r2.value->offset == 1);
        CHECK(r2.thread == ctx.id());

        // Bound to a strand, it runs inside that strand.
        auto strand = asio::make_strand(ctx.executor());
        std::promise<bool> in_strand;
        producer.async_send(
            {topic, "k", "v"},
            asio::bind_executor(strand, [&](boost::system::error_code, kflow::record_metadata) {
                in_strand.set_value(strand.running_in_this_thread());
            }));
        CHECK(in_strand.get_future().get());
    }
    SECTION("use_future, with the io_context running on another thread") {
        std::future<kflow::record_metadata> f =
            producer.async_send({topic, "k", "v"}, asio::use_future);
        CHECK(f.get().offset == 0);
    }
    SECTION("a deferred send launched after the producer was moved") {
        auto op = producer.async_send({topic, "k", "moved"}, asio::deferred);
        string_producer moved(std::move(producer));
        std::promise<callback_result<kflow::record_metadata>> done;
        std::move(op)(recording_callback(done));
        auto r = done.get_future().get();
        CHECK_FALSE(r.ec);
        CHECK(r.value->offset == 0);
    }
}

TEST_CASE("async_send errors: as_tuple gives the code, co_await throws kafka_error",
          "[async][tokens][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("tokens-send-err");
    cluster.create_topic(topic, 1);
    io_thread ctx;
    string_producer producer(ctx.executor(),
                             kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    run_on(ctx, [&]() -> asio::awaitable<void> {
        co_await producer.async_send({topic, "k", "first"});  // learns the partition count
        auto [ec, md] = co_await producer.async_send({topic, "k", "v", {}, 7},
                                                     asio::as_tuple(asio::use_awaitable));
        CHECK(ec == boost_code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION));
        CHECK(md.offset < 0);
        try {
            co_await producer.async_send({topic, "k", "v", {}, 7});
            FAIL("sending to partition 7 of a one-partition topic must fail");
        } catch (const kflow::kafka_error& e) {
            CHECK(e.code() == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION));
            CHECK(std::string(e.what()).find(topic) != std::string::npos);
            CHECK_FALSE(e.is_fatal());
        }
        // asio::use_awaitable throws Boost's system_error with the same code.
        try {
            co_await producer.async_send({topic, "k", "v", {}, 7}, asio::use_awaitable);
            FAIL("sending to partition 7 must fail");
        } catch (const boost::system::system_error& e) {
            CHECK(e.code() == boost_code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION));
        }
    });
    // The error also reaches a plain callback and a future.
    std::promise<callback_result<kflow::record_metadata>> done;
    producer.async_send({topic, "k", "v", {}, 7}, recording_callback(done));
    CHECK(done.get_future().get().ec == boost_code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION));
    auto f = producer.async_send({topic, "k", "v", {}, 7}, asio::use_future);
    CHECK_THROWS_AS(f.get(), boost::system::system_error);
}

TEST_CASE("async_flush completes with every token kind", "[async][tokens][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("tokens-flush");
    cluster.create_topic(topic, 1);
    io_thread ctx;
    io_thread other;
    string_producer producer(ctx.executor(),
                             kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    // Each flush must wait for the sends before it: count the deliveries seen when it completes.
    std::atomic<int> delivered{0};
    auto send_some = [&] {
        for (int i = 0; i < 20; ++i) {
            producer.async_send({topic, "k", "v"},
                                [&](boost::system::error_code ec, kflow::record_metadata) {
                                    if (!ec)
                                        ++delivered;
                                });
        }
    };
    run_on(ctx, [&]() -> asio::awaitable<void> {
        send_some();
        co_await producer.async_flush();
        CHECK(delivered == 20);
        send_some();
        co_await producer.async_flush(asio::use_awaitable);
        CHECK(delivered == 40);
        send_some();
        co_await producer.async_flush(asio::deferred);
        CHECK(delivered == 60);
        send_some();
        auto [ec] = co_await producer.async_flush(asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec);
        CHECK(delivered == 80);
    });
    send_some();
    std::promise<callback_result<int>> done;
    producer.async_flush(asio::bind_executor(other.executor(), recording_callback(done)));
    auto r = done.get_future().get();
    CHECK_FALSE(r.ec);
    CHECK(r.thread == other.id());
    CHECK_FALSE(r.on_librdkafka_thread);
    CHECK(delivered == 100);
    send_some();
    producer.async_flush(asio::use_future).get();
    CHECK(delivered == 120);
    CHECK(producer.in_flight() == 0);
}

TEST_CASE("async_receive completes with every token kind", "[async][tokens][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("tokens-recv");
    cluster.create_topic(topic, 1);
    produce(cluster, topic, 8);
    io_thread ctx;
    io_thread other;
    string_consumer consumer(ctx.executor(), consumer_config(cluster));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});

    run_on(ctx, [&]() -> asio::awaitable<void> {
        auto r = co_await consumer.async_receive();
        CHECK(r.value == "v0");
        r = co_await consumer.async_receive(asio::use_awaitable);
        CHECK(r.value == "v1");
        auto deferred = consumer.async_receive(asio::deferred);
        r = co_await std::move(deferred);
        CHECK(r.value == "v2");
        auto [ec, r2] = co_await consumer.async_receive(asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec);
        CHECK(r2.value == "v3");
        CHECK(r2.offset == 3);
    });
    std::promise<callback_result<string_consumer::record_type>> done;
    consumer.async_receive(asio::bind_executor(other.executor(), recording_callback(done)));
    auto r = done.get_future().get();
    CHECK_FALSE(r.ec);
    CHECK(r.value->value == "v4");
    CHECK(r.thread == other.id());
    CHECK_FALSE(r.on_librdkafka_thread);

    CHECK(consumer.async_receive(asio::use_future).get().value == "v5");

    // A deferred receive launched after the consumer was moved.
    auto op = consumer.async_receive(asio::deferred);
    string_consumer moved(std::move(consumer));
    std::promise<callback_result<string_consumer::record_type>> done2;
    std::move(op)(recording_callback(done2));
    auto r2 = done2.get_future().get();
    CHECK_FALSE(r2.ec);
    CHECK(r2.value->value == "v6");
    CHECK(r2.thread == ctx.id());
    moved.async_close(5s, asio::use_future).get();
}

TEST_CASE("async_receive errors: as_tuple gives the code, co_await throws",
          "[async][tokens][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("tokens-recv-err");
    cluster.create_topic(topic, 1);
    produce(cluster, topic, 2);  // "v0", "v1" are not 4-byte integers
    io_thread ctx;
    kflow::async_consumer<std::string, std::int32_t> consumer(ctx.executor(),
                                                              consumer_config(cluster));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    run_on(ctx, [&]() -> asio::awaitable<void> {
        auto [ec, r] = co_await consumer.async_receive(asio::as_tuple(asio::use_awaitable));
        CHECK(ec == boost_code(kflow::errc::deserialization_failed));
        REQUIRE(consumer.last_failure() != nullptr);
        CHECK(consumer.last_failure()->record.offset == 0);
        try {
            (void)co_await consumer.async_receive();
            FAIL("the second record cannot be deserialized either");
        } catch (const kflow::deserialization_error& e) {
            CHECK(e.code() == kflow::make_error_code(kflow::errc::deserialization_failed));
            CHECK(e.record().offset == 1);
            CHECK(e.record().topic == topic);
        }
        co_await consumer.async_close(5s);
        // After close, receives fail with errc::closed: a kafka_error under co_await.
        try {
            (void)co_await consumer.async_receive();
            FAIL("receive after close must fail");
        } catch (const kflow::kafka_error& e) {
            CHECK(e.code() == kflow::make_error_code(kflow::errc::closed));
            CHECK(std::string(e.what()).find("closed") != std::string::npos);
        }
        auto [ec2, r2] = co_await consumer.async_receive(asio::as_tuple(asio::use_awaitable));
        CHECK(ec2 == boost_code(kflow::errc::closed));
    });
}

TEST_CASE("async_receive_batch completes with every token kind",
          "[async][tokens][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("tokens-batch");
    cluster.create_topic(topic, 1);
    constexpr int total = 60;
    produce(cluster, topic, total);
    io_thread ctx;
    io_thread other;
    string_consumer consumer(ctx.executor(), consumer_config(cluster));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    std::vector<std::string> values;
    auto take = [&](const std::vector<string_consumer::record_type>& batch) {
        CHECK_FALSE(batch.empty());
        CHECK(batch.size() <= 5);
        for (const auto& r : batch)
            values.push_back(r.value);
    };

    run_on(ctx, [&]() -> asio::awaitable<void> {
        take(co_await consumer.async_receive_batch(5));
        take(co_await consumer.async_receive_batch(5, asio::use_awaitable));
        auto deferred = consumer.async_receive_batch(5, asio::deferred);
        take(co_await std::move(deferred));
        auto [ec, batch] =
            co_await consumer.async_receive_batch(5, asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec);
        take(batch);
        // max 0 is a caller's mistake, reported as one.
        auto [ec0, none] =
            co_await consumer.async_receive_batch(0, asio::as_tuple(asio::use_awaitable));
        CHECK(ec0 == boost::system::errc::invalid_argument);
        CHECK(none.empty());
        try {
            (void)co_await consumer.async_receive_batch(0);
            FAIL("max 0 must fail");
        } catch (const kflow::kafka_error& e) {
            CHECK(e.code() == std::errc::invalid_argument);
            CHECK(std::string(e.what()).find("max") != std::string::npos);
        }
    });
    std::promise<callback_result<std::vector<string_consumer::record_type>>> done;
    consumer.async_receive_batch(5,
                                 asio::bind_executor(other.executor(), recording_callback(done)));
    auto r = done.get_future().get();
    CHECK_FALSE(r.ec);
    CHECK(r.thread == other.id());
    CHECK_FALSE(r.on_librdkafka_thread);
    take(*r.value);
    while (values.size() < total)
        take(consumer.async_receive_batch(5, asio::use_future).get());
    REQUIRE(values.size() == total);
    for (int i = 0; i < total; ++i)
        CHECK(values[static_cast<std::size_t>(i)] == "v" + std::to_string(i));
}

TEST_CASE("async_commit, all three forms, with every token kind",
          "[async][tokens][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("tokens-commit");
    cluster.create_topic(topic, 1);
    produce(cluster, topic, 10);
    io_thread ctx;
    io_thread other;
    auto config = consumer_config(cluster);
    config.enable_auto_commit(false);
    string_consumer consumer(ctx.executor(), config);
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    auto committed = [&] {
        return consumer.async_committed({{topic, 0}}, 5s, asio::use_future).get().at(0).offset;
    };

    const std::vector<kflow::topic_partition_offset> five{{topic, 0, 5}};
    const std::vector<kflow::topic_partition_offset> six{{topic, 0, 6}};
    run_on(ctx, [&]() -> asio::awaitable<void> {
        auto r = co_await consumer.async_receive();
        co_await consumer.async_commit();  // r counts as handled once the application commits
        CHECK(committed() == 1);
        r = co_await consumer.async_receive();
        co_await consumer.async_commit(r, asio::use_awaitable);  // up to and including r
        CHECK(committed() == 2);
        auto deferred = consumer.async_commit(five, asio::deferred);
        co_await std::move(deferred);
        CHECK(committed() == 5);
        auto [ec] = co_await consumer.async_commit(six, asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec);
        CHECK(committed() == 6);
    });
    std::promise<callback_result<int>> done;
    consumer.async_commit(std::vector<kflow::topic_partition_offset>{{topic, 0, 7}},
                          asio::bind_executor(other.executor(), recording_callback(done)));
    auto r = done.get_future().get();
    CHECK_FALSE(r.ec);
    CHECK(r.thread == other.id());
    CHECK_FALSE(r.on_librdkafka_thread);
    CHECK(committed() == 7);
    consumer
        .async_commit(std::vector<kflow::topic_partition_offset>{{topic, 0, 8}}, asio::use_future)
        .get();
    CHECK(committed() == 8);

    // A broker error completes the commit with its code; under co_await it is thrown.
    // (The vectors are built outside the coroutine: g++ 12 miscompiles braced lists in one.)
    const std::vector<rd_kafka_resp_err_t> denied{RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED};
    const std::vector<kflow::topic_partition_offset> nine{{topic, 0, 9}};
    run_on(ctx, [&]() -> asio::awaitable<void> {
        cluster.push_request_errors(kflow::testing::api_key::offset_commit, denied);
        auto [ec] = co_await consumer.async_commit(nine, asio::as_tuple(asio::use_awaitable));
        CHECK(ec == boost_code(RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED));
        cluster.push_request_errors(kflow::testing::api_key::offset_commit, denied);
        try {
            co_await consumer.async_commit(nine);
            FAIL("the commit must fail");
        } catch (const kflow::kafka_error& e) {
            CHECK(e.code() == kflow::make_error_code(RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED));
            CHECK(std::string(e.what()).find("commit") != std::string::npos);
        }
    });
    CHECK(committed() == 8);
}

TEST_CASE("async_close completes with every token kind", "[async][tokens][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("tokens-close");
    cluster.create_topic(topic, 1);
    produce(cluster, topic, 1);
    io_thread ctx;
    io_thread other;
    auto make = [&] {
        auto c = std::make_unique<string_consumer>(ctx.executor(), consumer_config(cluster));
        c->assign({{topic, 0, kflow::offsets::beginning}});
        return c;
    };
    SECTION("co_await with each awaitable token") {
        auto a = make();
        auto b = make();
        auto c = make();
        auto d = make();
        run_on(ctx, [&]() -> asio::awaitable<void> {
            auto first = co_await a->async_receive();
            CHECK(first.value == "v0");
            co_await a->async_close(5s);
            co_await b->async_close(5s, asio::use_awaitable);
            auto deferred = c->async_close(5s, asio::deferred);
            co_await std::move(deferred);
            auto [ec] = co_await d->async_close(5s, asio::as_tuple(asio::use_awaitable));
            CHECK_FALSE(ec);
            // Closing again completes at once, successfully.
            co_await a->async_close(5s);
        });
        // Closed for good: a plain call fails with errc::closed.
        CHECK_THROWS_MATCHES(a->assign({}), kflow::kafka_error,
                             Catch::Predicate<kflow::kafka_error>([](const kflow::kafka_error& e) {
                                 return e.code() == kflow::errc::closed;
                             }));
    }
    SECTION("a callback on its executor, and use_future") {
        auto a = make();
        std::promise<callback_result<int>> done;
        a->async_close(5s, asio::bind_executor(other.executor(), recording_callback(done)));
        auto r = done.get_future().get();
        CHECK_FALSE(r.ec);
        CHECK(r.thread == other.id());
        CHECK_FALSE(r.on_librdkafka_thread);
        auto b = make();
        b->async_close(5s, asio::use_future).get();
        CHECK_THROWS_MATCHES(b->assign({}), kflow::kafka_error,
                             Catch::Predicate<kflow::kafka_error>([](const kflow::kafka_error& e) {
                                 return e.code() == kflow::errc::closed;
                             }));
    }
}

TEST_CASE("a send and a receive on one io_thread, with kflow::use_awaitable",
          "[async][tokens][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("docs");
    cluster.create_topic(topic, 1);
    io_thread ctx;
    string_producer producer(ctx.executor(),
                             kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    string_consumer consumer(ctx.executor(), consumer_config(cluster));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});

    run_on(ctx, [&]() -> asio::awaitable<void> {
        kflow::record_metadata md = co_await producer.async_send({topic, "k", "v"});
        auto r = co_await consumer.async_receive();
        co_await consumer.async_commit(r, asio::use_awaitable);  // up to and including r
        CHECK(r.offset == md.offset);
        CHECK(r.value == "v");
    });
}
