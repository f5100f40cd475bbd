#pragma once
// What the security integration programs share (test_security_integration.cpp,
// test_security_noacl_integration.cpp, test_security_mtls_integration.cpp): the KFLOW_TEST_*
// variables that describe a secured listener, the clients built from them, and the outcomes the
// failure cases check. Each program needs a cluster set up its own way; integration_main.cpp
// skips a program whose variables are not set.

#include <kflow/consumer.hpp>
#include <kflow/consumer_config.hpp>
#include <kflow/producer.hpp>
#include <kflow/producer_config.hpp>
#include <kflow/security.hpp>
#include <kflow/testing/helpers.hpp>

#include <catch2/catch.hpp>

#include "temp_file.hpp"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace security_test {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

/// How soon a security failure must reach the application. The broker refuses within
/// milliseconds; this absorbs a slow network, and is far below any librdkafka timeout.
inline constexpr auto prompt = std::chrono::seconds(10);

/// A self-signed CA that signed no broker's certificate (CN=kflow-untrusted-test-ca, EC P-256,
/// valid until 2126): `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes
/// -days 36500 -subj /CN=kflow-untrusted-test-ca`. Its key was thrown away.
inline constexpr const char* untrusted_ca_pem = R"(-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUcpo8mn8WbPcUFXo2caWmkLVhfPAwCgYIKoZIzj0EAwIw
IjEgMB4GA1UEAwwXa2Zsb3ctdW50cnVzdGVkLXRlc3QtY2EwIBcNMjYxMjA1MDgx
MDU0WhgPMjEyNjExMTEwODEwNTRaMCIxIDAeBgNVBAMMF2tmbG93LXVudHJ1c3Rl
ZC10ZXN0LWNhMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKg77xKpKiQb82ahI
agnYq50SUzfzUosrP5z9qdJv/4IIxblzsGM9WaNvqzu8KTm2vPC+ACtQbWXt5WbG
w1C7m6NTMFEwHQYDVR0OBBYEFBlFOboZEm5VK4JNPMDqoNEBb0rYMB8GA1UdIwQY
MBaAFBlFOboZEm5VK4JNPMDqoNEBb0rYMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZI
zj0EAwIDSAAwRQIgFlqqKHyLnzoZX4R2P2D34TZeG0pQIqZ8rosJw72Z4SoCIQCC
4q8dKQD46Iviw5ZhuwhTzomc+wNtJ2iLhXA6gpT0mg==
-----END CERTIFICATE-----
)";

inline double seconds_since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

inline std::optional<std::string> env(const char* name) {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0')
        return v;
    return std::nullopt;
}

/// The value of `name`; fails the test case, saying how to leave it out, when it is not set.
inline std::string required_env(const char* name, std::string_view tag) {
    const auto value = env(name);
    if (!value)
        FAIL(name << " is not set: set it, or leave out the cases tagged " << tag);
    return *value;
}

inline std::string bootstrap() {
    const auto servers = kflow::testing::real_cluster_bootstrap();
    REQUIRE(servers);  // integration_main exits before any case without it
    return *servers;
}

/// The topic the cases use: KFLOW_TEST_TOPIC, else a new one the cluster creates on first use.
inline std::string test_topic() {
    return env("KFLOW_TEST_TOPIC").value_or(kflow::testing::unique_name("kflow-secured"));
}

/// TLS settings from KFLOW_TEST_SSL_* / KFLOW_TEST_TLS, if any are set.
inline std::optional<kflow::tls_settings> tls_from_test_env() {
    kflow::tls_settings tls;
    bool any = env("KFLOW_TEST_TLS").has_value();
    auto take = [&](const char* name, std::string& field) {
        if (auto v = env(name)) {
            field = *v;
            any = true;
        }
    };
    take("KFLOW_TEST_SSL_CA_LOCATION", tls.ca_location);
    take("KFLOW_TEST_SSL_CERTIFICATE_LOCATION", tls.certificate_location);
    take("KFLOW_TEST_SSL_KEY_LOCATION", tls.key_location);
    take("KFLOW_TEST_SSL_KEY_PASSWORD", tls.key_password);
    if (env("KFLOW_TEST_SSL_NO_HOSTNAME_CHECK"))
        tls.verify_hostname = false;
    if (!any)
        return std::nullopt;
    return tls;
}

/// The TLS settings of a case that needs a TLS listener; fails the case when none are set.
inline kflow::tls_settings required_tls(std::string_view tag) {
    auto tls = tls_from_test_env();
    if (!tls) {
        FAIL(
            "neither KFLOW_TEST_TLS nor any KFLOW_TEST_SSL_* is set: set them, or leave out the "
            "cases tagged "
            << tag);
    }
    return *tls;
}

/// SASL settings of KFLOW_TEST_SASL_MECHANISM with the user in `user_var` / `password_var`;
/// fails the case when any of them is not set. `password_suffix` makes the password wrong.
inline kflow::sasl_settings required_sasl(std::string_view tag,
                                          const char* user_var = "KFLOW_TEST_SASL_USERNAME",
                                          const char* password_var = "KFLOW_TEST_SASL_PASSWORD",
                                          std::string_view password_suffix = {}) {
    const auto mechanism = required_env("KFLOW_TEST_SASL_MECHANISM", tag);
    const auto user = required_env(user_var, tag);
    const auto password = required_env(password_var, tag) + std::string(password_suffix);
    if (mechanism == "PLAIN")
        return kflow::sasl_plain{user, password};
    if (mechanism == "SCRAM-SHA-256")
        return kflow::sasl_scram{kflow::scram_mechanism::sha256, user, password};
    if (mechanism == "SCRAM-SHA-512")
        return kflow::sasl_scram{kflow::scram_mechanism::sha512, user, password};
    FAIL("KFLOW_TEST_SASL_MECHANISM must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, not "
         << mechanism);
    throw std::logic_error("unreachable");
}

/// SASL settings from KFLOW_TEST_SASL_*, when a TLS case's listener also asks for SASL.
inline std::optional<kflow::sasl_settings> sasl_if_configured(std::string_view tag) {
    if (!env("KFLOW_TEST_SASL_MECHANISM"))
        return std::nullopt;
    return required_sasl(tag);
}

inline kflow::producer_config producer_for(const kflow::security& settings) {
    auto cfg = kflow::testing::test_producer_config(bootstrap());
    cfg.security(settings);
    return cfg;
}

inline kflow::consumer_config consumer_for(const kflow::security& settings) {
    auto cfg = kflow::testing::test_consumer_config(bootstrap(),
                                                    kflow::testing::unique_name("kflow-secured"));
    cfg.security(settings);
    return cfg;
}

/// Produces one record with `settings` and reads it back.
inline void secured_round_trip(const kflow::security& settings) {
    const auto topic = test_topic();
    const auto key = kflow::testing::unique_name("key");
    kflow::producer<std::string, std::string> producer(producer_for(settings));
    kflow::testing::send_and_wait(producer, {topic, key, "secured"}, 30s);

    kflow::consumer<std::string, std::string> consumer(consumer_for(settings));
    consumer.subscribe({topic});
    const auto record = kflow::testing::expect_record(consumer, {.key = key}, 30s);
    REQUIRE(record.has_value());
    CHECK(record->value == "secured");
}

/// What an application hears from a producer that sends one record and flushes.
struct send_outcome {
    std::optional<std::error_code> delivered;  ///< the record's delivery report
    kflow::record_metadata metadata;           ///< what the report says of the record
    kflow::error_info flushed;                 ///< what flush() returned
    double seconds = 0;                        ///< from the producer's creation to flush's return
    std::vector<kflow::error_info> heard;      ///< what on_error heard until then
};

/// What on_error hears, from whichever thread calls it, for as long as the producer lives.
struct heard_errors {
    std::mutex mutex;
    std::vector<kflow::error_info> errors;
};

inline send_outcome send_one(const kflow::security& settings, const std::string& topic) {
    send_outcome out;
    const auto start = clock_type::now();
    auto heard = std::make_shared<heard_errors>();
    auto cfg = producer_for(settings);
    cfg.on_error([heard](const kflow::error_info& e) {
        const std::lock_guard lock(heard->mutex);
        heard->errors.push_back(e);
    });
    kflow::producer<std::string, std::string> producer(cfg);
    producer.send({topic, "k", "v"}, [&out](std::error_code ec, const kflow::record_metadata& md) {
        out.delivered = ec;
        out.metadata = md;
    });
    // Longer than `prompt`, so that a slow report shows as a slow one rather than as a timeout.
    producer.flush(3 * prompt, out.flushed);
    out.seconds = seconds_since(start);
    const std::lock_guard lock(heard->mutex);
    out.heard = heard->errors;
    return out;
}

/// Whether `errors` holds librdkafka's `code`.
inline bool holds(const std::vector<kflow::error_info>& errors, rd_kafka_resp_err_t code) {
    for (const auto& e : errors) {
        if (e.code == kflow::make_error_code(code))
            return true;
    }
    return false;
}

/// Polls until poll() reports an error that `wanted` accepts, or `deadline` passes; returns
/// every error poll() reported, in order.
template <class Consumer, class Pred>
std::vector<kflow::error_info> poll_errors_until(Consumer& consumer, Pred wanted,
                                                 std::chrono::milliseconds deadline) {
    std::vector<kflow::error_info> errors;
    const auto until = clock_type::now() + deadline;
    while (clock_type::now() < until) {
        kflow::error_info err;
        (void)consumer.poll(100ms, err);
        if (err) {
            errors.push_back(err);
            if (wanted(err))
                break;
        }
    }
    return errors;
}

/// The first error a consumer that subscribes to `topic` reports from poll(), and how soon
/// after its creation.
struct poll_outcome {
    std::optional<kflow::error_info> error;
    double seconds = 0;
};

inline poll_outcome first_poll_error(const kflow::security& settings, const std::string& topic) {
    const auto start = clock_type::now();
    kflow::consumer<std::string, std::string> consumer(consumer_for(settings));
    consumer.subscribe({topic});
    const auto errors = poll_errors_until(
        consumer, [](const kflow::error_info&) { return true; }, 3 * prompt);
    poll_outcome out;
    out.seconds = seconds_since(start);
    if (!errors.empty())
        out.error = errors.front();
    return out;
}

}  // namespace security_test
