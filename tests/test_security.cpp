// Security settings: the exact librdkafka properties each one produces, the inconsistent
// combinations it rejects, redaction of every secret, librdkafka accepting (or refusing) the
// result when a client is created, and what reaches the wire.
//
// librdkafka's mock cluster has no TLS or SASL listener, so a secured client cannot complete a
// handshake with it: the tests here prove the settings up to the wire (a TLS handshake is
// attempted and fails against the plaintext mock; the OAUTHBEARER hook is called). Connecting
// to a secured cluster for real, and its failures, is tests/test_security_integration.cpp.
#include <kflow/security.hpp>

#include <kflow/producer.hpp>
#include <kflow/producer_config.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <catch2/catch.hpp>

#include "temp_file.hpp"

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using properties = std::map<std::string, std::string>;

namespace {

// A self-signed test-only certificate (CN=kflow-test, EC P-256, valid until 2126) and its key,
// the same key encrypted with the passphrase "kflow-test-only", and an unrelated key. Made with
// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500` and
// `openssl pkey -aes256`. Nothing but these tests trusts them.
constexpr const char* test_cert_pem = R"(-----BEGIN CERTIFICATE-----
MIIBgjCCASegAwIBAgIUSMgnzb5KxwjUWIptkJP9/iNO8FYwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKa2Zsb3ctdGVzdDAgFw0yNjExMjMwOTMxMjVaGA8yMTI2MTAz
MDA5MzEyNVowFTETMBEGA1UEAwwKa2Zsb3ctdGVzdDBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABJbR0GKgTIqlBply00c2XyuO3aATnEF27BZnQ7IbHqqt/fJNK0FB
FOlNsTpV52lHJXLGPwW/YP42zQFg9qZ3cmyjUzBRMB0GA1UdDgQWBBTed5Y9kiw2
Dtn0T+4Ym+7XkVJU7TAfBgNVHSMEGDAWgBTed5Y9kiw2Dtn0T+4Ym+7XkVJU7TAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQCrHqODeMCwHm0AQngq
H2f4cVtS0C0+XINrdkyEF9eiiAIhAJFG1mfppe0hrmwIe92upzisdXlmACZRM0I7
SVU6l9/4
-----END CERTIFICATE-----
)";

constexpr const char* test_key_pem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9u9AQkE4kDNNPyMV
zWHirKJcu0HL8AS0ovPikYCjb82hRANCAASW0dBioEyKpQaZctNHNl8rjt2gE5xB
duwWZ0OyGx6qrf3yTStBQRTpTbE6VedpRyVyxj8Fv2D+Ns0BYPamd3Js
-----END PRIVATE KEY-----
)";

constexpr const char* test_encrypted_key_pem = R"(-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgcmey19HFc+wICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEPv9XG+qsdZ5EYQ9a2eiezgEgZAw
/yxZXmS1jnnYRBKFgK7OqinuY2lyv1SW8pAU5YFFzQMB6NhncnVXCukjwCO403vQ
9V4JJjDKqVQCFTTOC5MgRFbrBGOxTbRJkEWiwJgIelsLjpsjYqcZTpRWWx5MzrJp
qZg6StkeeDq6wtquTnARYURvMH+zHo949V2n7EsVkFsojowulzcdcEyhbJomnk0=
-----END ENCRYPTED PRIVATE KEY-----
)";
constexpr const char* test_key_passphrase = "kflow-test-only";

constexpr const char* unrelated_key_pem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgaX37GFpmMkLytMHK
OmJmrO5Zhq2rB++pbYIgDJs4SHGhRANCAAQeZmKrnny6ipLlqOrYYC8E2ny+osoW
mKTRpraf+TGeWXQFidwqt1HYQFKh4F7zD9lLrEappadsj+Jp8YifXrqz
-----END PRIVATE KEY-----
)";

/// What applying `settings` throws; fails the test when it is accepted.
kflow::kafka_error rejection(const kflow::security& settings) {
    kflow::client_config config;
    try {
        config.security(settings);
    } catch (const kflow::kafka_error& e) {
        CHECK(config.properties().empty());  // all or nothing
        return e;
    }
    FAIL("the security settings were accepted");
    throw std::logic_error("unreachable");
}

kflow::client_config secured(const kflow::security& settings) {
    kflow::client_config config;
    config.security(settings);
    return config;
}

/// A producer config that keeps librdkafka's log lines (so they do not clutter the test output)
/// and its client errors, to look at after polling.
struct observed {
    std::mutex mutex;
    std::vector<kflow::error_info> errors;

    [[nodiscard]] std::vector<kflow::error_info> snapshot() {
        const std::lock_guard lock(mutex);
        return errors;
    }
};

kflow::producer_config observed_producer(const kflow::client_config& base,
                                         std::shared_ptr<observed> seen) {
    kflow::producer_config cfg(base);
    cfg.on_log([](const kflow::log_entry&) {}).on_error([seen](const kflow::error_info& e) {
        const std::lock_guard lock(seen->mutex);
        seen->errors.push_back(e);
    });
    return cfg;
}

/// Polls until `pred()` or the deadline; returns pred().
template <class Producer, class Pred>
bool poll_until(Producer& producer, Pred pred, std::chrono::milliseconds deadline = 10s) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!pred() && std::chrono::steady_clock::now() < until)
        producer.poll(50ms);
    return pred();
}

/// What creating a producer from `base` throws; fails the test when creation succeeds.
std::string creation_error(const kflow::client_config& base) {
    try {
        kflow::producer<std::string, std::string> producer(
            observed_producer(base, std::make_shared<observed>()));
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::errc::invalid_config);
        return e.what();
    }
    FAIL("librdkafka accepted the config");
    return {};
}

void create_producer(const kflow::client_config& base) {
    kflow::producer<std::string, std::string> producer(
        observed_producer(base, std::make_shared<observed>()));
    CHECK_FALSE(producer.name().empty());
}

}  // namespace

// -- The properties each setting produces ---------------------------------------------------------

TEST_CASE("security.protocol follows from TLS and SASL being present", "[security]") {
    const kflow::sasl_plain plain{"u", "p"};
    CHECK(secured({}).properties() == properties{{"security.protocol", "PLAINTEXT"}});
    CHECK(secured({.tls = kflow::tls_settings{}, .sasl = std::nullopt}).properties() ==
          properties{{"security.protocol", "SSL"},
                     {"enable.ssl.certificate.verification", "true"},
                     {"ssl.endpoint.identification.algorithm", "https"}});
    CHECK(secured({.tls = std::nullopt, .sasl = plain}).properties() ==
          properties{{"security.protocol", "SASL_PLAINTEXT"},
                     {"sasl.mechanism", "PLAIN"},
                     {"sasl.username", "u"},
                     {"sasl.password", "p"}});
    CHECK(secured({.tls = kflow::tls_settings{}, .sasl = plain}).properties() ==
          properties{{"security.protocol", "SASL_SSL"},
                     {"enable.ssl.certificate.verification", "true"},
                     {"ssl.endpoint.identification.algorithm", "https"},
                     {"sasl.mechanism", "PLAIN"},
                     {"sasl.username", "u"},
                     {"sasl.password", "p"}});
}

TEST_CASE("TLS with CA, client certificate and key files (mTLS)", "[security][tls]") {
    const kflow::tls_settings tls{.ca_location = "/etc/kafka/ca.pem",
                                  .certificate_location = "/etc/kafka/client.pem",
                                  .key_location = "/etc/kafka/client.key",
                                  .key_password = "key-pw"};
    CHECK(secured({.tls = tls, .sasl = std::nullopt}).properties() ==
          properties{{"security.protocol", "SSL"},
                     {"ssl.ca.location", "/etc/kafka/ca.pem"},
                     {"ssl.certificate.location", "/etc/kafka/client.pem"},
                     {"ssl.key.location", "/etc/kafka/client.key"},
                     {"ssl.key.password", "key-pw"},
                     {"enable.ssl.certificate.verification", "true"},
                     {"ssl.endpoint.identification.algorithm", "https"}});
}

TEST_CASE("TLS with CA, client certificate and key as PEM text", "[security][tls]") {
    const kflow::tls_settings tls{
        .ca_pem = test_cert_pem, .certificate_pem = test_cert_pem, .key_pem = test_key_pem};
    CHECK(secured({.tls = tls, .sasl = std::nullopt}).properties() ==
          properties{{"security.protocol", "SSL"},
                     {"ssl.ca.pem", test_cert_pem},
                     {"ssl.certificate.pem", test_cert_pem},
                     {"ssl.key.pem", test_key_pem},
                     {"enable.ssl.certificate.verification", "true"},
                     {"ssl.endpoint.identification.algorithm", "https"}});
}

TEST_CASE("verification is switched off only when asked for, both checks together",
          "[security][tls]") {
    const kflow::tls_settings off{.verify_certificate = false, .verify_hostname = false};
    CHECK(secured({.tls = off, .sasl = std::nullopt}).properties() ==
          properties{{"security.protocol", "SSL"},
                     {"enable.ssl.certificate.verification", "false"},
                     {"ssl.endpoint.identification.algorithm", "none"}});
    const kflow::tls_settings no_hostname{.verify_hostname = false};
    CHECK(secured({.tls = no_hostname, .sasl = std::nullopt}).properties() ==
          properties{{"security.protocol", "SSL"},
                     {"enable.ssl.certificate.verification", "true"},
                     {"ssl.endpoint.identification.algorithm", "none"}});
}

TEST_CASE("SCRAM-SHA-256 and SCRAM-SHA-512", "[security][sasl]") {
    CHECK(secured({.tls = std::nullopt,
                   .sasl = kflow::sasl_scram{kflow::scram_mechanism::sha256, "u", "p"}})
              .properties() == properties{{"security.protocol", "SASL_PLAINTEXT"},
                                          {"sasl.mechanism", "SCRAM-SHA-256"},
                                          {"sasl.username", "u"},
                                          {"sasl.password", "p"}});
    // SHA-256 unless told otherwise: a bare "SCRAM" means SCRAM-SHA-256 throughout kflow.
    CHECK(
        secured({.tls = std::nullopt, .sasl = kflow::sasl_scram{.username = "u", .password = "p"}})
            .get("sasl.mechanism") == "SCRAM-SHA-256");
}

TEST_CASE("GSSAPI with service name, principal, keytab, kinit command and relogin time",
          "[security][sasl]") {
    const kflow::sasl_gssapi kerberos{.service_name = "kafka-prod",
                                      .principal = "app@EXAMPLE.COM",
                                      .keytab = "/etc/app.keytab",
                                      .kinit_cmd = "kinit -k -t /etc/app.keytab app@EXAMPLE.COM",
                                      .min_time_before_relogin = 30s};
    CHECK(secured({.tls = kflow::tls_settings{}, .sasl = kerberos}).properties() ==
          properties{{"security.protocol", "SASL_SSL"},
                     {"enable.ssl.certificate.verification", "true"},
                     {"ssl.endpoint.identification.algorithm", "https"},
                     {"sasl.mechanism", "GSSAPI"},
                     {"sasl.kerberos.service.name", "kafka-prod"},
                     {"sasl.kerberos.principal", "app@EXAMPLE.COM"},
                     {"sasl.kerberos.keytab", "/etc/app.keytab"},
                     {"sasl.kerberos.kinit.cmd", "kinit -k -t /etc/app.keytab app@EXAMPLE.COM"},
                     {"sasl.kerberos.min.time.before.relogin", "30000"}});
    // Only what was given: librdkafka's defaults for the rest.
    CHECK(secured({.tls = std::nullopt, .sasl = kflow::sasl_gssapi{.keytab = "/k"}}).properties() ==
          properties{{"security.protocol", "SASL_PLAINTEXT"},
                     {"sasl.mechanism", "GSSAPI"},
                     {"sasl.kerberos.service.name", "kafka"},
                     {"sasl.kerberos.keytab", "/k"}});
}

TEST_CASE("OAUTHBEARER with an application token source installs the refresh hook",
          "[security][sasl][oauthbearer]") {
    const auto config =
        secured({.tls = kflow::tls_settings{},
                 .sasl = kflow::sasl_oauthbearer{
                     .token_source = [](std::string_view) { return kflow::oauthbearer_token{}; },
                     .config = "role=reader"}});
    CHECK(config.properties() == properties{{"security.protocol", "SASL_SSL"},
                                            {"enable.ssl.certificate.verification", "true"},
                                            {"ssl.endpoint.identification.algorithm", "https"},
                                            {"sasl.mechanism", "OAUTHBEARER"},
                                            {"sasl.oauthbearer.config", "role=reader"}});
    CHECK(static_cast<bool>(config.callbacks().oauthbearer_token_refresh));
}

TEST_CASE("OAUTHBEARER/OIDC client credentials: exact properties, or a clear 'unsupported'",
          "[security][sasl][oauthbearer]") {
    const kflow::sasl_oauthbearer_oidc oidc{
        .token_endpoint_url = "https://idp.example.com/oauth2/token",
        .client_id = "kflow-app",
        .client_secret = "oidc-s3cret",
        .scope = "kafka.read kafka.write",
        .extensions = {{"logicalCluster", "lkc-123"}, {"identityPoolId", "pool-9"}}};
    kflow::client_config config;
    config.client_id("before");
    if (kflow::oidc_supported()) {
        config.security({.tls = kflow::tls_settings{}, .sasl = oidc});
        CHECK(config.properties() ==
              properties{
                  {"client.id", "before"},
                  {"security.protocol", "SASL_SSL"},
                  {"enable.ssl.certificate.verification", "true"},
                  {"ssl.endpoint.identification.algorithm", "https"},
                  {"sasl.mechanism", "OAUTHBEARER"},
                  {"sasl.oauthbearer.method", "oidc"},
                  {"sasl.oauthbearer.token.endpoint.url", "https://idp.example.com/oauth2/token"},
                  {"sasl.oauthbearer.client.id", "kflow-app"},
                  {"sasl.oauthbearer.client.secret", "oidc-s3cret"},
                  {"sasl.oauthbearer.scope", "kafka.read kafka.write"},
                  {"sasl.oauthbearer.extensions", "identityPoolId=pool-9,logicalCluster=lkc-123"}});
        CHECK_THAT(config.to_string(), !Contains("oidc-s3cret"));
    } else {
        // Debian's librdkafka 2.0.2 is built without libcurl, which OIDC needs.
        try {
            config.security({.tls = kflow::tls_settings{}, .sasl = oidc});
            FAIL("OIDC settings were accepted by a librdkafka without OIDC");
        } catch (const kflow::kafka_error& e) {
            CHECK(e.code() == kflow::errc::unsupported_by_librdkafka);
            CHECK_THAT(e.what(), Contains("without OIDC support"));
            CHECK_THAT(e.what(), Contains("kflow::sasl_oauthbearer"));
            CHECK_THAT(e.what(), !Contains("oidc-s3cret"));
        }
        CHECK(config.properties() == properties{{"client.id", "before"}});
    }
}

// -- Inconsistent or incomplete settings ----------------------------------------------------------

TEST_CASE("inconsistent TLS settings are rejected naming the fields", "[security][tls]") {
    struct bad_case {
        const char* what;
        kflow::tls_settings tls;
        const char* message;
    };
    const std::vector<bad_case> cases{
        {"two CA sources", {.ca_location = "/ca.pem", .ca_pem = test_cert_pem}, "both ca_location"},
        {"two certificates",
         {.certificate_location = "/c.pem", .certificate_pem = test_cert_pem, .key_location = "/k"},
         "both certificate_location and certificate_pem"},
        {"two keys",
         {.certificate_location = "/c.pem", .key_location = "/k", .key_pem = test_key_pem},
         "both key_location and key_pem"},
        {"certificate without key", {.certificate_pem = test_cert_pem}, "without its private key"},
        {"key without certificate", {.key_location = "/k.pem"}, "without its certificate"},
        {"key password without key", {.key_password = "pw"}, "key_password is set but there is no"},
        {"hostname check without certificate check",
         {.verify_certificate = false},
         "verify_hostname is on but verify_certificate is off"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        const auto e = rejection({.tls = c.tls, .sasl = std::nullopt});
        CHECK(e.code() == kflow::errc::invalid_config);
        CHECK_THAT(e.what(), Contains("invalid security settings: tls:"));
        CHECK_THAT(e.what(), Contains(c.message));
        CHECK_THAT(e.what(), !Contains("BEGIN"));  // never quotes PEM text
    }
}

TEST_CASE("a SASL mechanism without its credentials is rejected", "[security][sasl]") {
    struct bad_case {
        kflow::sasl_settings sasl;
        const char* message;
    };
    const std::vector<bad_case> cases{
        {kflow::sasl_plain{"", "p"}, "sasl PLAIN: username is empty"},
        {kflow::sasl_plain{"u", ""}, "sasl PLAIN: password is empty"},
        {kflow::sasl_scram{kflow::scram_mechanism::sha256, "", "p"},
         "sasl SCRAM-SHA-256: username is empty"},
        {kflow::sasl_scram{.username = "u"}, "sasl SCRAM-SHA-256: password is empty"},
        {kflow::sasl_oauthbearer{}, "sasl OAUTHBEARER: no token_source"},
        {kflow::sasl_oauthbearer_oidc{.client_id = "id", .client_secret = "s"},
         "OIDC: token_endpoint_url is empty"},
        {kflow::sasl_oauthbearer_oidc{.token_endpoint_url = "https://idp/token",
                                      .client_secret = "s"},
         "OIDC: client_id is empty"},
        {kflow::sasl_oauthbearer_oidc{.token_endpoint_url = "https://idp/token", .client_id = "id"},
         "OIDC: client_secret is empty"},
        {kflow::sasl_oauthbearer_oidc{.token_endpoint_url = "https://idp/token",
                                      .client_id = "id",
                                      .client_secret = "s",
                                      .extensions = {{"a=b", "c"}}},
         "extension key 'a=b'"},
        {kflow::sasl_oauthbearer_oidc{.token_endpoint_url = "https://idp/token",
                                      .client_id = "id",
                                      .client_secret = "s",
                                      .extensions = {{"pool", "x,y"}}},
         "the value of extension 'pool' contains ','"},
        {kflow::sasl_gssapi{.service_name = "", .keytab = "/k"}, "sasl GSSAPI: service_name"},
        {kflow::sasl_gssapi{}, "sasl GSSAPI: set keytab"},
    };
    for (const auto& c : cases) {
        INFO(c.message);
        const auto e = rejection({.tls = kflow::tls_settings{}, .sasl = c.sasl});
        CHECK(e.code() == kflow::errc::invalid_config);
        CHECK_THAT(e.what(), Contains(c.message));
    }
}

TEST_CASE("validate() and problem() judge settings without a config", "[security]") {
    const kflow::security ok{.tls = kflow::tls_settings{}, .sasl = kflow::sasl_plain{"u", "p"}};
    CHECK_FALSE(ok.problem().has_value());
    CHECK_NOTHROW(ok.validate());
    CHECK(ok.protocol() == "SASL_SSL");

    const kflow::security bad{.tls = std::nullopt, .sasl = kflow::sasl_plain{"u", ""}};
    REQUIRE(bad.problem().has_value());
    CHECK_THAT(*bad.problem(), Contains("password is empty"));
    CHECK_THROWS_AS(bad.validate(), kflow::kafka_error);
}

TEST_CASE("a rejected security setting leaves a config as it was", "[security]") {
    kflow::producer_config config;
    config.bootstrap_servers("broker:9092").security({});
    const auto before = config.properties();
    CHECK_THROWS_AS(config.security({.tls = kflow::tls_settings{.key_pem = test_key_pem},
                                     .sasl = std::nullopt}),
                    kflow::kafka_error);
    CHECK(config.properties() == before);
}

// -- Redaction
// --------------------------------------------------------------------------------------

TEST_CASE("no secret of any security setting is printed", "[security][redaction]") {
    const std::string password = "sasl-pw-0001";
    const std::string key_password = "key-pw-0002";
    const std::string oauth_config = "token-config-0003";
    const auto tls = kflow::tls_settings{.ca_pem = test_cert_pem,
                                         .certificate_pem = test_cert_pem,
                                         .key_pem = test_encrypted_key_pem,
                                         .key_password = key_password};
    const std::vector<kflow::sasl_settings> mechanisms{
        kflow::sasl_plain{"u", password},
        kflow::sasl_scram{.username = "u", .password = password},
        kflow::sasl_oauthbearer{[](std::string_view) { return kflow::oauthbearer_token{}; },
                                oauth_config},
    };
    for (const auto& sasl : mechanisms) {
        const auto printed = secured({.tls = tls, .sasl = sasl}).to_string();
        CHECK_THAT(printed, !Contains(password));
        CHECK_THAT(printed, !Contains(key_password));
        CHECK_THAT(printed, !Contains(oauth_config));
        CHECK_THAT(printed, !Contains("ENCRYPTED PRIVATE KEY"));
        CHECK_THAT(printed, Contains("ssl.key.pem=[redacted]"));
        CHECK_THAT(printed, Contains("ssl.certificate.pem=-----BEGIN CERTIFICATE"));  // public
    }
}

// -- librdkafka accepts or refuses the result when a client is created --------------------------

TEST_CASE("a garbage CA PEM fails at client creation with librdkafka's reason",
          "[security][tls][creation]") {
    const auto config =
        secured({.tls = kflow::tls_settings{.ca_pem = "not a certificate"}, .sasl = std::nullopt});
    const auto message = creation_error(config);
    CHECK_THAT(message, Contains("cannot create client"));
    CHECK_THAT(message, Contains("ssl.ca.pem"));
}

TEST_CASE("a valid CA, client certificate and key as PEM are accepted",
          "[security][tls][creation]") {
    CHECK_NOTHROW(
        create_producer(secured({.tls = kflow::tls_settings{.ca_pem = test_cert_pem,
                                                            .certificate_pem = test_cert_pem,
                                                            .key_pem = test_key_pem},
                                 .sasl = std::nullopt})));
}

TEST_CASE("an encrypted key is accepted with its passphrase and refused without",
          "[security][tls][creation]") {
    auto with = [](std::string passphrase) {
        return secured({.tls = kflow::tls_settings{.certificate_pem = test_cert_pem,
                                                   .key_pem = test_encrypted_key_pem,
                                                   .key_password = std::move(passphrase)},
                        .sasl = std::nullopt});
    };
    CHECK_NOTHROW(create_producer(with(test_key_passphrase)));
    const auto wrong = creation_error(with("wrong-passphrase"));
    CHECK_THAT(wrong, Contains("ssl.key.pem"));
    CHECK_THAT(wrong, !Contains("wrong-passphrase"));
}

TEST_CASE("a key that does not match the certificate fails at creation",
          "[security][tls][creation]") {
    const auto message = creation_error(secured(
        {.tls = kflow::tls_settings{.certificate_pem = test_cert_pem, .key_pem = unrelated_key_pem},
         .sasl = std::nullopt}));
    CHECK_THAT(message, Contains("key values mismatch"));
}

TEST_CASE("CA, certificate and key files are read at creation; a missing file fails there",
          "[security][tls][creation]") {
    const temp_file cert(test_cert_pem);
    const temp_file key(test_key_pem);
    CHECK_NOTHROW(
        create_producer(secured({.tls = kflow::tls_settings{.ca_location = cert.path(),
                                                            .certificate_location = cert.path(),
                                                            .key_location = key.path()},
                                 .sasl = std::nullopt})));
    const auto missing = std::filesystem::temp_directory_path() /
                         (kflow::testing::unique_name("kflow-missing") + ".pem");
    const auto message = creation_error(secured(
        {.tls = kflow::tls_settings{.ca_location = missing.string()}, .sasl = std::nullopt}));
    CHECK_THAT(message, Contains("ssl.ca.location"));
}

TEST_CASE("librdkafka accepts each SASL mechanism kflow builds", "[security][sasl][creation]") {
    const std::vector<kflow::sasl_settings> mechanisms{
        kflow::sasl_plain{"u", "p"},
        kflow::sasl_scram{kflow::scram_mechanism::sha256, "u", "p"},
        kflow::sasl_scram{kflow::scram_mechanism::sha512, "u", "p"},
        kflow::sasl_oauthbearer{[](std::string_view) { return kflow::oauthbearer_token{}; }, {}},
        // A kinit command that succeeds: the test machine has no Kerberos.
        kflow::sasl_gssapi{.kinit_cmd = "true"},
    };
    for (const auto& sasl : mechanisms) {
        INFO("mechanism #" << sasl.index());
        CHECK_NOTHROW(create_producer(secured({.tls = kflow::tls_settings{}, .sasl = sasl})));
    }
}

TEST_CASE("why GSSAPI needs a keytab or a kinit command: librdkafka refuses it otherwise",
          "[security][sasl][creation]") {
    kflow::client_config raw;
    raw.set("security.protocol", "SASL_PLAINTEXT").set("sasl.mechanism", "GSSAPI");
    CHECK_THAT(creation_error(raw), Contains("sasl.kerberos.keytab"));
}

// -- Up to the wire (the mock cluster has no TLS or SASL listener) --------------------------------

TEST_CASE("a TLS client attempts a handshake: against the plaintext mock it fails visibly",
          "[security][tls][mock]") {
    kflow::testing::mock_cluster cluster(1);
    auto config =
        secured({.tls = kflow::tls_settings{.ca_pem = test_cert_pem}, .sasl = std::nullopt});
    config.bootstrap_servers(cluster.bootstrap_servers());
    auto seen = std::make_shared<observed>();
    kflow::producer<std::string, std::string> producer(observed_producer(config, seen));
    // The mock reads the TLS ClientHello as a malformed Kafka request and drops the connection:
    // librdkafka reports a transport failure in the SSL_HANDSHAKE state of an ssl:// broker,
    // never a silent plaintext connection.
    auto handshake_failed = [&]() -> std::optional<kflow::error_info> {
        for (const auto& e : seen->snapshot()) {
            if (e.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__TRANSPORT) &&
                e.message.find("SSL_HANDSHAKE") != std::string::npos) {
                return e;
            }
        }
        return std::nullopt;
    };
    REQUIRE(poll_until(producer, [&] { return handshake_failed().has_value(); }));
    CHECK_THAT(handshake_failed()->message, Contains("ssl://"));
}

TEST_CASE("each SASL mechanism goes to the wire: the mock refuses it as an authentication error",
          "[security][sasl][mock]") {
    kflow::testing::mock_cluster cluster(1);
    const auto token = [](std::string_view) {
        return kflow::oauthbearer_token{.value = "header.payload.signature",
                                        .expiry = std::chrono::system_clock::now() + 1h,
                                        .principal = "app",
                                        .extensions = {}};
    };
    const std::vector<std::pair<std::string, kflow::sasl_settings>> mechanisms{
        {"PLAIN", kflow::sasl_plain{"u", "p"}},
        {"SCRAM-SHA-256", kflow::sasl_scram{kflow::scram_mechanism::sha256, "u", "p"}},
        {"SCRAM-SHA-512", kflow::sasl_scram{kflow::scram_mechanism::sha512, "u", "p"}},
        {"OAUTHBEARER", kflow::sasl_oauthbearer{token, {}}},
    };
    for (const auto& [name, sasl] : mechanisms) {
        INFO(name);
        auto config = secured({.tls = std::nullopt, .sasl = sasl});
        config.bootstrap_servers(cluster.bootstrap_servers());
        auto seen = std::make_shared<observed>();
        kflow::producer<std::string, std::string> producer(observed_producer(config, seen));
        auto refused = [&]() -> std::optional<kflow::error_info> {
            for (const auto& e : seen->snapshot()) {
                if (e.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__AUTHENTICATION))
                    return e;
            }
            return std::nullopt;
        };
        REQUIRE(poll_until(producer, [&] { return refused().has_value(); }));
        // librdkafka 2.0.2 words it "SASL Handshake not supported by broker (required by
        // mechanism X)": the mechanism kflow configured is the one librdkafka tried.
        CHECK_THAT(refused()->message, Contains("mechanism " + name));
    }
}

TEST_CASE("the OAUTHBEARER hook is asked for a token with sasl.oauthbearer.config",
          "[security][sasl][oauthbearer][mock]") {
    kflow::testing::mock_cluster cluster(1);
    std::atomic<int> calls{0};
    std::string seen_config;
    auto config = secured({.tls = std::nullopt,
                           .sasl = kflow::sasl_oauthbearer{
                               .token_source =
                                   [&](std::string_view oauth_config) {
                                       seen_config = oauth_config;
                                       ++calls;
                                       return kflow::oauthbearer_token{
                                           .value = "header.payload.signature",
                                           .expiry = std::chrono::system_clock::now() + 1h,
                                           .principal = "app",
                                           .extensions = {{"traceId", "t-1"}}};
                                   },
                               .config = "audience=kafka"}});
    config.bootstrap_servers(cluster.bootstrap_servers());
    auto seen = std::make_shared<observed>();
    kflow::producer<std::string, std::string> producer(observed_producer(config, seen));
    REQUIRE(poll_until(producer, [&] { return calls.load() > 0; }));
    CHECK(seen_config == "audience=kafka");
}

TEST_CASE("a token source that throws fails the refresh with its message",
          "[security][sasl][oauthbearer][mock]") {
    kflow::testing::mock_cluster cluster(1);
    auto config = secured({.tls = std::nullopt,
                           .sasl = kflow::sasl_oauthbearer{
                               .token_source = [](std::string_view) -> kflow::oauthbearer_token {
                                   throw std::runtime_error("identity provider unreachable");
                               }}});
    config.bootstrap_servers(cluster.bootstrap_servers());
    auto seen = std::make_shared<observed>();
    kflow::producer<std::string, std::string> producer(observed_producer(config, seen));
    auto reported = [&] {
        for (const auto& e : seen->snapshot()) {
            if (e.message.find("identity provider unreachable") != std::string::npos)
                return true;
        }
        return false;
    };
    REQUIRE(poll_until(producer, reported));
}
