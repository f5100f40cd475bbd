// Security against a real cluster whose listener requires client certificates
// (ssl.client.auth=required): a record produced and read back with the client certificate, and
// the broker's refusal of a client without one reaching the application within 10 s.
//
// Whether a listener requires client certificates is nothing a client can ask, and against one
// that does not, the case without a certificate would fail; so the program reports Skipped
// unless, besides KFLOW_TEST_BOOTSTRAP (and KFLOW_TEST_SASL_* when the listener also asks for
// SASL), these are set:
//   KFLOW_TEST_SSL_CERTIFICATE_LOCATION, KFLOW_TEST_SSL_KEY_LOCATION   the client certificate
//   (KFLOW_TEST_SSL_CA_LOCATION, KFLOW_TEST_SSL_KEY_PASSWORD when needed)
//   KFLOW_TEST_SSL_CLIENT_AUTH_REQUIRED=1   the listener requires client certificates
#include "security_integration_support.hpp"

#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>
#include <kflow/security.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

using namespace std::chrono_literals;
using namespace security_test;

/// Skips the program (integration_main.cpp) unless an mTLS listener and a client certificate
/// are described.
std::optional<std::string> integration_prerequisites_missing() {
    for (const char* name : {"KFLOW_TEST_SSL_CERTIFICATE_LOCATION", "KFLOW_TEST_SSL_KEY_LOCATION",
                             "KFLOW_TEST_SSL_CLIENT_AUTH_REQUIRED"}) {
        if (!env(name))
            return std::string(name) +
                   " is not set: this program needs a listener that requires client certificates";
    }
    return std::nullopt;
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
          "[mtls][security][tls][integration]") {
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
    "[mtls][security][tls][integration]") {
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
