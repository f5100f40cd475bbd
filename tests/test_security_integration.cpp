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
// its variables fails, naming them and the tag that leaves it out. By default [sasl] (a round
// trip; a wrong password) needs KFLOW_TEST_SASL_*, and [tls] (a round trip; an untrusted CA)
// needs KFLOW_TEST_TLS or KFLOW_TEST_SSL_*. For a listener with only one of the two, leave the
// other out: `test_security_integration "~[tls]"`.
//
// The cases that need a cluster set up for them are programs of their own, each skipped unless
// its variables are set: test_security_noacl_integration (a user without ACLs) and
// test_security_mtls_integration (a listener that requires client certificates).
#include "security_integration_support.hpp"

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
using namespace security_test;
using Catch::Matchers::Contains;

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
