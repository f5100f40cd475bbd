// Authentication and TLS failures reach the application as errors, within seconds, over real
// sockets: a SASL client and a TLS client against the mock cluster's plaintext listener. The
// mock has no SASL or TLS listener (see docs/configuration.md, "Testing secured connections"), so
// a refused password is tested against a real broker by test_security's "SASL round trip
// against a real cluster"; librdkafka reports it with the same error code as these.
#include <kflow/async_consumer.hpp>
#include <kflow/async_producer.hpp>
#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/run_coroutine.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using clock_type = std::chrono::steady_clock;

namespace {

/// How soon a security failure must reach the application; the mock refuses within
/// milliseconds, so this only absorbs a busy machine.
constexpr auto prompt = 5s;

/// A SASL client against a listener without SASL: librdkafka fails the handshake at once.
template <class Config>
Config& with_sasl(Config& config) {
    config.set("security.protocol", "SASL_PLAINTEXT")
        .set("sasl.mechanism", "SCRAM-SHA-256")
        .set("sasl.username", "kflow")
        .set("sasl.password", "not-the-password");
    return config;
}

/// A TLS client against a plaintext listener.
template <class Config>
Config& with_tls(Config& config) {
    config.set("security.protocol", "SSL");
    return config;
}

double seconds_since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

}  // namespace

TEST_CASE("security failures are classified from librdkafka's client errors", "[security]") {
    using kflow::errc;
    using kflow::detail::security_failure_kind;
    CHECK(security_failure_kind(RD_KAFKA_RESP_ERR__AUTHENTICATION, "SASL authentication error") ==
          errc::authentication_failed);
    CHECK(security_failure_kind(RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, "") ==
          errc::authentication_failed);
    CHECK(security_failure_kind(RD_KAFKA_RESP_ERR__SSL,
                                "SSL handshake failed: certificate verify failed") ==
          errc::tls_handshake_failed);
    CHECK(security_failure_kind(RD_KAFKA_RESP_ERR__TRANSPORT,
                                "ssl://b:9093/bootstrap: Disconnected (after 4ms in state "
                                "SSL_HANDSHAKE)") == errc::tls_handshake_failed);
    // TLS 1.3: the broker refuses a missing client certificate after the handshake, with an
    // alert (librdkafka 2.0.2 with OpenSSL 3, as seen against a broker requiring mTLS).
    CHECK(security_failure_kind(RD_KAFKA_RESP_ERR__TRANSPORT,
                                "ssl://b:9093/bootstrap: Receive failed: error:0A00045C:SSL "
                                "routines::tlsv13 alert certificate required (after 3ms in state "
                                "APIVERSION_QUERY)") == errc::tls_handshake_failed);
    // A plain disconnect is not one: brokers restart.
    CHECK_FALSE(security_failure_kind(RD_KAFKA_RESP_ERR__TRANSPORT,
                                      "b:9092/1: Disconnected (after 10ms in state UP)"));
    CHECK_FALSE(security_failure_kind(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, "1/1 brokers are down"));
    // Broker-side authorization errors come per request with their own codes; all of them,
    // and an authentication failure, compare equal to std::errc::permission_denied.
    CHECK(make_error_code(errc::authentication_failed) == std::errc::permission_denied);
    CHECK(kflow::make_error_code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) ==
          std::errc::permission_denied);
    CHECK(make_error_code(errc::tls_handshake_failed).message() ==
          "TLS handshake with the broker failed");
}

TEST_CASE("a refused authentication fails the producer's messages, flush and later sends",
          "[security][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("auth-producer");
    cluster.create_topic(topic, 1);
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    std::vector<kflow::error_info> heard;
    const bool with_handler = GENERATE(false, true);
    if (with_handler)
        config.on_error([&](const kflow::error_info& e) { heard.push_back(e); });
    kflow::producer<std::string, std::string> producer(with_sasl(config));

    const auto start = clock_type::now();
    std::vector<std::error_code> delivered;
    for (int i = 0; i < 3; ++i) {
        producer.send(
            {topic, "k", "v" + std::to_string(i)},
            [&](std::error_code ec, const kflow::record_metadata&) { delivered.push_back(ec); });
    }
    kflow::error_info flushed;
    producer.flush(60s, flushed);
    INFO("flush: " << flushed.message);
    CHECK(seconds_since(start) < std::chrono::duration<double>(prompt).count());
    CHECK(flushed.code == kflow::errc::authentication_failed);
    CHECK_THAT(flushed.message,
               Catch::Contains("authentication with the broker failed") && Catch::Contains("SASL"));
    REQUIRE(delivered.size() == 3);
    for (const auto& ec : delivered)
        CHECK(ec == kflow::errc::authentication_failed);
    if (with_handler) {
        // on_error hears librdkafka's own report of it.
        REQUIRE_FALSE(heard.empty());
        CHECK(heard.front().code == kflow::make_error_code(RD_KAFKA_RESP_ERR__AUTHENTICATION));
    }

    // The failure is final: a later send is refused at once, naming it.
    try {
        producer.send({topic, "k", "after"});
        FAIL("a send after the failure was accepted");
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::errc::authentication_failed);
        CHECK_THAT(std::string(e.what()), Catch::Contains(topic));
    }
    kflow::error_info again;
    producer.flush(60s, again);
    CHECK(again.code == kflow::errc::authentication_failed);
}

TEST_CASE("a failed TLS handshake fails the producer's messages as tls_handshake_failed",
          "[security][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("tls-producer");
    cluster.create_topic(topic, 1);
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    kflow::producer<std::string, std::string> producer(with_tls(config));
    std::optional<std::error_code> delivered;
    const auto start = clock_type::now();
    producer.send({topic, "k", "v"},
                  [&](std::error_code ec, const kflow::record_metadata&) { delivered = ec; });
    kflow::error_info flushed;
    producer.flush(60s, flushed);
    INFO("flush: " << flushed.message);
    CHECK(seconds_since(start) < std::chrono::duration<double>(prompt).count());
    CHECK(flushed.code == kflow::errc::tls_handshake_failed);
    CHECK_THAT(flushed.message,
               Catch::Contains("SSL_HANDSHAKE") || Catch::Contains("SSL handshake"));
    REQUIRE(delivered);
    CHECK(*delivered == kflow::errc::tls_handshake_failed);
}

TEST_CASE("security_failure_policy::keep_retrying keeps librdkafka's retrying",
          "[security][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("auth-retry");
    cluster.create_topic(topic, 1);
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    std::atomic<int> auth_errors{0};
    config.on_security_failure(kflow::security_failure_policy::keep_retrying)
        .on_error([&](const kflow::error_info& e) {
            if (e.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__AUTHENTICATION))
                ++auth_errors;
        });
    kflow::producer<std::string, std::string> producer(with_sasl(config));
    std::optional<std::error_code> delivered;
    producer.send({topic, "k", "v"},
                  [&](std::error_code ec, const kflow::record_metadata&) { delivered = ec; });
    kflow::error_info flushed;
    producer.flush(1500ms, flushed);
    // The message waits for the broker to accept the credentials, as librdkafka does.
    CHECK(flushed.code == kflow::errc::timed_out);
    CHECK_FALSE(delivered);
    CHECK(auth_errors.load() > 0);
    // Still accepted.
    producer.send({topic, "k", "v2"});
    CHECK(producer.close(0ms) == 2);
}

TEST_CASE("a refused authentication is raised by the consumer's poll",
          "[security][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("auth-consumer");
    cluster.create_topic(topic, 1);
    auto config = kflow::testing::test_consumer_config(cluster.bootstrap_servers(),
                                                       unique_name("auth-group"));
    const bool with_handler = GENERATE(false, true);
    if (with_handler)
        config.on_error([](const kflow::error_info&) {});
    kflow::consumer<std::string, std::string> consumer(with_sasl(config));
    consumer.subscribe({topic});
    const auto start = clock_type::now();
    std::optional<kflow::kafka_error> raised;
    while (!raised && clock_type::now() - start < 2 * prompt) {
        try {
            (void)consumer.poll(200ms);
        } catch (const kflow::kafka_error& e) {
            raised = e;
        }
    }
    REQUIRE(raised);
    CHECK(raised->code() == kflow::errc::authentication_failed);
    CHECK(seconds_since(start) < std::chrono::duration<double>(prompt).count());
    // Final: the next poll raises it at once.
    const auto again = clock_type::now();
    CHECK_THROWS_AS(consumer.poll(10s), kflow::kafka_error);
    CHECK(seconds_since(again) < 1.0);
}

TEST_CASE("a refused authentication completes async_send, async_flush and async_receive with it",
          "[security][async][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("auth-async");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    auto producer_cfg = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    kflow::async_producer<std::string, std::string> producer(io.get_executor(),
                                                             with_sasl(producer_cfg));
    auto consumer_cfg = kflow::testing::test_consumer_config(cluster.bootstrap_servers(),
                                                             unique_name("auth-async-group"));
    kflow::async_consumer<std::string, std::string> consumer(io.get_executor(),
                                                             with_sasl(consumer_cfg));
    consumer.subscribe({topic});

    const auto start = clock_type::now();
    kflow::testing::run_coroutine(
        io,
        [&]() -> asio::awaitable<void> {
            auto [send_ec, md] = co_await producer.async_send({topic, "k", "v"},
                                                              asio::as_tuple(asio::use_awaitable));
            CHECK(send_ec == kflow::errc::authentication_failed);
            auto [flush_ec] = co_await producer.async_flush(asio::as_tuple(asio::use_awaitable));
            CHECK(flush_ec == kflow::errc::authentication_failed);
            auto [receive_ec, record] =
                co_await consumer.async_receive(asio::as_tuple(asio::use_awaitable));
            CHECK(receive_ec == kflow::errc::authentication_failed);
        },
        20s);
    CHECK(seconds_since(start) < std::chrono::duration<double>(2 * prompt).count());
}
