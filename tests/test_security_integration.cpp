// Security against a real cluster: SASL and TLS connections that work, and the failures an
// application must hear of promptly. With kflow's default security_failure_policy::fail a refused
// password or TLS handshake fails the client's calls at once, so every failure case checks that
// it reached the application within `prompt` (10 s), not after message.timeout.ms.
//
// Without KFLOW_TEST_BOOTSTRAP the program exits with 77 and ctest reports it Skipped
// (tests/integration_main.cpp). With it, these variables describe the secured listener:
//   KFLOW_TEST_BOOTSTRAP            bootstrap servers of the secured listener
//   KFLOW_TEST_SASL_MECHANISM       PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (enables SASL)
//   KFLOW_TEST_SASL_USERNAME, KFLOW_TEST_SASL_PASSWORD   a user allowed to use the topic
//   KFLOW_TEST_TLS=1                TLS with the system's CAs, or set any of:
//   KFLOW_TEST_SSL_CA_LOCATION, KFLOW_TEST_SSL_CERTIFICATE_LOCATION,
//   KFLOW_TEST_SSL_KEY_LOCATION, KFLOW_TEST_SSL_KEY_PASSWORD
//   KFLOW_TEST_SSL_NO_HOSTNAME_CHECK=1   for brokers whose certificates do not name their host
//   KFLOW_TEST_TOPIC                an existing topic, when the cluster does not auto-create
//   KFLOW_TEST_SASL_NOACL_USERNAME, KFLOW_TEST_SASL_NOACL_PASSWORD   a user the cluster knows
//                                   (same mechanism) who has no ACL at all: [noacl] only
//
// Catch2 v2 cannot skip a test case at run time, so a case never returns early: one that lacks
// its variables fails, naming them and the tag that leaves it out. Which cases run:
// - By default: [sasl] (a round trip; a wrong password) needs KFLOW_TEST_SASL_*, and [tls]
//   (a round trip; an untrusted CA) needs KFLOW_TEST_TLS or KFLOW_TEST_SSL_*. For a listener with
//   only one of the two, leave the other out: `test_security_integration "~[tls]"`, or run
//   `ctest -E test_security_integration` when KFLOW_TEST_BOOTSTRAP names a cluster without a
//   secured listener (for the other *_integration tests).
// - Hidden ([.]), because they need a cluster set up for them, and run by naming their tag:
//   [noacl] needs the KFLOW_TEST_SASL_NOACL_* user;
//   [mtls] needs KFLOW_TEST_SSL_CERTIFICATE_LOCATION and KFLOW_TEST_SSL_KEY_LOCATION and a
//   listener that requires client certificates (ssl.client.auth=required), which no variable can
//   tell: against one that does not, the case without a certificate would fail.
//   `test_security_integration "[noacl],[mtls]"` runs all three; `"*"` runs every case.
#include <kflow/consumer.hpp>
#include <kflow/consumer_config.hpp>
#include <kflow/producer.hpp>
#include <kflow/producer_config.hpp>
#include <kflow/security.hpp>
#include <kflow/testing/helpers.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using clock_type = std::chrono::steady_clock;

namespace {

/// How soon a security failure must reach the application. The broker refuses within
/// milliseconds; this absorbs a slow network, and is far below any librdkafka timeout.
constexpr auto prompt = 10s;

/// A self-signed CA that signed no broker's certificate (CN=kflow-untrusted-test-ca, EC P-256,
/// valid until 2126): `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes
/// -days 36500 -subj /CN=kflow-untrusted-test-ca`. Its key was thrown away.
constexpr const char* untrusted_ca_pem = R"(-----BEGIN CERTIFICATE-----
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

double seconds_since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// A file removed when the test ends.
class temp_file {
  public:
    explicit temp_file(std::string_view contents)
        : path_(std::filesystem::temp_directory_path() /
                (kflow::testing::unique_name("kflow-security") + ".pem")) {
        std::ofstream(path_) << contents;
    }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
    ~temp_file() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    [[nodiscard]] std::string path() const { return path_.string(); }

  private:
    std::filesystem::path path_;
};

std::optional<std::string> env(const char* name) {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0')
        return v;
    return std::nullopt;
}

/// The value of `name`; fails the test case, saying how to leave it out, when it is not set.
std::string required_env(const char* name, std::string_view tag) {
    const auto value = env(name);
    if (!value)
        FAIL(name << " is not set: set it, or leave out the cases tagged " << tag);
    return *value;
}

std::string bootstrap() {
    const auto servers = kflow::testing::real_cluster_bootstrap();
    REQUIRE(servers);  // integration_main exits before any case without it
    return *servers;
}

/// The topic the cases use: KFLOW_TEST_TOPIC, else a new one the cluster creates on first use.
std::string test_topic() {
    return env("KFLOW_TEST_TOPIC").value_or(kflow::testing::unique_name("kflow-secured"));
}

/// TLS settings from KFLOW_TEST_SSL_* / KFLOW_TEST_TLS, if any are set.
std::optional<kflow::tls_settings> tls_from_test_env() {
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
kflow::tls_settings required_tls(std::string_view tag) {
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
kflow::sasl_settings required_sasl(std::string_view tag,
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
std::optional<kflow::sasl_settings> sasl_if_configured(std::string_view tag) {
    if (!env("KFLOW_TEST_SASL_MECHANISM"))
        return std::nullopt;
    return required_sasl(tag);
}

kflow::producer_config producer_for(const kflow::security& settings) {
    auto cfg = kflow::testing::test_producer_config(bootstrap());
    cfg.security(settings);
    return cfg;
}

kflow::consumer_config consumer_for(const kflow::security& settings) {
    auto cfg = kflow::testing::test_consumer_config(bootstrap(),
                                                    kflow::testing::unique_name("kflow-secured"));
    cfg.security(settings);
    return cfg;
}

/// Produces one record with `settings` and reads it back.
void secured_round_trip(const kflow::security& settings) {
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

send_outcome send_one(const kflow::security& settings, const std::string& topic) {
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
bool holds(const std::vector<kflow::error_info>& errors, rd_kafka_resp_err_t code) {
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

poll_outcome first_poll_error(const kflow::security& settings, const std::string& topic) {
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

}  // namespace

/// Skips the program (integration_main.cpp) against a cluster given without any security
/// setting: its default cases test a SASL or TLS listener.
std::optional<std::string> integration_prerequisites_missing() {
    if (env("KFLOW_TEST_SASL_MECHANISM") || tls_from_test_env())
        return std::nullopt;
    return "KFLOW_TEST_BOOTSTRAP is set, but neither KFLOW_TEST_SASL_MECHANISM nor KFLOW_TEST_TLS "
           "/ "
           "KFLOW_TEST_SSL_*: these cases test a secured listener";
}

// -- SASL (default run; needs KFLOW_TEST_SASL_*) --------------------------------------------------

TEST_CASE("SASL: a record produced and read back with KFLOW_TEST_SASL_MECHANISM",
          "[security][sasl][integration]") {
    const auto sasl = required_sasl("[sasl]");
    secured_round_trip({.tls = tls_from_test_env(), .sasl = sasl});
}

TEST_CASE("SASL: a wrong password fails flush and poll with authentication_failed within 10 s",
          "[security][sasl][integration]") {
    const kflow::security wrong{.tls = tls_from_test_env(),
                                .sasl = required_sasl("[sasl]", "KFLOW_TEST_SASL_USERNAME",
                                                      "KFLOW_TEST_SASL_PASSWORD", "-wrong")};
    const auto topic = test_topic();

    const auto sent = send_one(wrong, topic);
    INFO("producer: after " << sent.seconds << " s, flush: '" << sent.flushed.message << "'");
    CHECK(sent.seconds < std::chrono::duration<double>(prompt).count());
    CHECK(sent.flushed.code == kflow::errc::authentication_failed);
    REQUIRE(sent.delivered);
    CHECK(*sent.delivered == kflow::errc::authentication_failed);
    // on_error still hears librdkafka's own report.
    CHECK(holds(sent.heard, RD_KAFKA_RESP_ERR__AUTHENTICATION));

    const auto polled = first_poll_error(wrong, topic);
    REQUIRE(polled.error);
    INFO("consumer: after " << polled.seconds << " s, poll: '" << polled.error->message << "'");
    CHECK(polled.seconds < std::chrono::duration<double>(prompt).count());
    CHECK(polled.error->code == kflow::errc::authentication_failed);
}

// -- TLS (default run; needs KFLOW_TEST_TLS or KFLOW_TEST_SSL_*) ----------------------------------

TEST_CASE("TLS: a record produced and read back over TLS", "[security][tls][integration]") {
    const auto tls = required_tls("[tls]");
    secured_round_trip({.tls = tls, .sasl = sasl_if_configured("[tls]")});
}

TEST_CASE(
    "TLS: a broker certificate from an untrusted CA fails with tls_handshake_failed "
    "within 10 s",
    "[security][tls][integration]") {
    auto tls = required_tls("[tls]");
    const temp_file untrusted_ca(untrusted_ca_pem);
    tls.ca_location = untrusted_ca.path();
    tls.ca_pem.clear();
    // SASL as the listener wants it, so that only the CA is wrong (the handshake comes first).
    const kflow::security settings{.tls = tls, .sasl = sasl_if_configured("[tls]")};
    const auto topic = test_topic();

    const auto sent = send_one(settings, topic);
    INFO("producer: after " << sent.seconds << " s, flush: '" << sent.flushed.message << "'");
    CHECK(sent.seconds < std::chrono::duration<double>(prompt).count());
    CHECK(sent.flushed.code == kflow::errc::tls_handshake_failed);
    // OpenSSL's reason, through librdkafka's message: the application learns why.
    CHECK_THAT(sent.flushed.message, Contains("certificate verify failed"));
    REQUIRE(sent.delivered);
    CHECK(*sent.delivered == kflow::errc::tls_handshake_failed);
    CHECK(holds(sent.heard, RD_KAFKA_RESP_ERR__SSL));

    const auto polled = first_poll_error(settings, topic);
    REQUIRE(polled.error);
    INFO("consumer: after " << polled.seconds << " s, poll: '" << polled.error->message << "'");
    CHECK(polled.seconds < std::chrono::duration<double>(prompt).count());
    CHECK(polled.error->code == kflow::errc::tls_handshake_failed);
}

// -- Hidden: clusters set up for them -------------------------------------------------------------

TEST_CASE("SASL: a user without ACLs is refused the topic on send and on consume, naming it",
          "[.][noacl][security][sasl][integration]") {
    const kflow::security settings{
        .tls = tls_from_test_env(),
        .sasl = required_sasl("[noacl]", "KFLOW_TEST_SASL_NOACL_USERNAME",
                              "KFLOW_TEST_SASL_NOACL_PASSWORD")};
    // The broker refuses a topic the user may not describe whether it exists or not.
    const auto topic = test_topic();

    SECTION("send") {
        const auto start = clock_type::now();
        // kflow's defaults, idempotence included: what an application gets. (Should the broker
        // refuse InitProducerId first, the record's report is CLUSTER_AUTHORIZATION_FAILED, also
        // permission_denied.)
        kflow::producer<std::string, std::string> producer(producer_for(settings));
        std::optional<std::error_code> delivered;
        kflow::record_metadata metadata;
        producer.send({topic, "k", "v"}, [&](std::error_code ec, const kflow::record_metadata& md) {
            delivered = ec;
            metadata = md;
        });
        kflow::error_info flushed;
        producer.flush(3 * prompt, flushed);
        const double took = seconds_since(start);
        REQUIRE(delivered);
        INFO("after " << took << " s, delivery: '" << delivered->message() << "', flush: '"
                      << flushed.message << "'");
        CHECK(took < std::chrono::duration<double>(prompt).count());
        CHECK(*delivered == std::errc::permission_denied);
        // Authorization, not authentication: the user's password was right.
        CHECK(*delivered == kflow::make_error_code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
        CHECK(metadata.topic == topic);

        // librdkafka now holds the topic as refused: the next send fails at once, naming it.
        kflow::error_info refused;
        producer.send({topic, "k", "again"}, refused);
        INFO("send after: '" << refused.message << "'");
        CHECK(refused == std::errc::permission_denied);
        CHECK_THAT(refused.message, Contains(topic));
    }

    SECTION("consume") {
        // Assigned, not subscribed: a subscription waits for the group, which this user may not
        // join either (GROUP_AUTHORIZATION_FAILED, naming no topic).
        const auto start = clock_type::now();
        kflow::consumer<std::string, std::string> consumer(consumer_for(settings));
        consumer.assign({{topic, 0, kflow::offsets::beginning}});
        const auto names_topic = [&](const kflow::error_info& e) {
            return e.message.find(topic) != std::string::npos;
        };
        const auto errors = poll_errors_until(consumer, names_topic, 3 * prompt);
        const double took = seconds_since(start);
        INFO("after " << took << " s");
        REQUIRE_FALSE(errors.empty());
        for (const auto& e : errors) {
            INFO("poll: '" << e.message << "'");
            // The group's refusal may come first; every one is an authorization error.
            CHECK(e == std::errc::permission_denied);
            CHECK(e != kflow::errc::authentication_failed);
        }
        CHECK(names_topic(errors.back()));
        CHECK(errors.back().code ==
              kflow::make_error_code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
        CHECK(took < std::chrono::duration<double>(prompt).count());
    }
}

namespace {

/// The TLS settings of KFLOW_TEST_SSL_* for the [mtls] cases, which need a client certificate.
kflow::tls_settings required_mtls() {
    (void)required_env("KFLOW_TEST_SSL_CERTIFICATE_LOCATION", "[mtls]");
    (void)required_env("KFLOW_TEST_SSL_KEY_LOCATION", "[mtls]");
    return required_tls("[mtls]");
}

}  // namespace

TEST_CASE("mTLS: a record produced and read back with the client certificate",
          "[.][mtls][security][tls][integration]") {
    secured_round_trip({.tls = required_mtls(), .sasl = sasl_if_configured("[mtls]")});
}

// What librdkafka 2.0.2 (with OpenSSL 3) reports depends on the TLS version; both were seen with
// `openssl s_server -Verify 1` standing in for a broker with ssl.client.auth=required:
// - TLS 1.2: the broker ends the handshake, librdkafka reports __SSL "SSL handshake failed:
//   ... sslv3 alert handshake failure" in state SSL_HANDSHAKE: tls_handshake_failed, at once.
// - TLS 1.3 (OpenSSL's and Java 11+ brokers' choice): the client's side of the handshake ends
//   before the broker checks for a certificate, and the broker's alert arrives with the first
//   response: __TRANSPORT "Receive failed: ... tlsv13 alert certificate required" in state
//   APIVERSION_QUERY. kflow classifies that alert as tls_handshake_failed too
//   (security_failure_kind).
TEST_CASE(
    "mTLS: without the client certificate the broker's refusal reaches the application "
    "within 10 s",
    "[.][mtls][security][tls][integration]") {
    auto without = required_mtls();
    without.certificate_location.clear();
    without.key_location.clear();
    without.key_password.clear();
    const auto sent =
        send_one({.tls = without, .sasl = sasl_if_configured("[mtls]")}, test_topic());
    INFO("after " << sent.seconds << " s, flush: '" << sent.flushed.message << "'");
    CHECK(sent.seconds < std::chrono::duration<double>(prompt).count());
    CHECK((sent.flushed.code == kflow::errc::tls_handshake_failed ||
           sent.flushed.code == kflow::errc::authentication_failed));
    REQUIRE(sent.delivered);
    CHECK(*sent.delivered == sent.flushed.code);
}
