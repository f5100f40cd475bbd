// Presets: the exact librdkafka properties each one yields, the Event Hubs connection-string
// parser, redaction of every secret a preset holds, and librdkafka accepting each preset when a
// client is created.
#include <kflow/presets.hpp>

#include <kflow/consumer.hpp>
#include <kflow/consumer_config.hpp>
#include <kflow/producer.hpp>
#include <kflow/producer_config.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <sstream>
#include <string>

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using properties = std::map<std::string, std::string>;

namespace {

const properties tls_verification{{"enable.ssl.certificate.verification", "true"},
                                  {"ssl.endpoint.identification.algorithm", "https"}};

/// `a` with the entries of `b` added.
properties merged(properties a, const properties& b) {
    a.insert(b.begin(), b.end());
    return a;
}

std::string printed(const kflow::client_config& config) {
    std::ostringstream os;
    os << config;
    return os.str();
}

kflow::oauthbearer_token no_token(std::string_view) {
    return {};
}

/// What parsing `connection_string` throws; fails the test when it parses.
std::string parse_error(std::string_view connection_string) {
    try {
        (void)kflow::presets::parse_event_hubs_connection_string(connection_string);
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::errc::invalid_config);
        return e.what();
    }
    FAIL("the connection string was accepted");
    return {};
}

// A made-up key: real ones are 44 base64 characters ending in '='.
constexpr std::string_view sample_key = "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0wMDAwMDA=";
const std::string sample_connection_string =
    "Endpoint=sb://kflow-ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
    "SharedAccessKey=" +
    std::string(sample_key);

}  // namespace

TEST_CASE("Apache Kafka over plaintext", "[presets]") {
    CHECK(kflow::presets::apache_kafka("broker:9092").properties() ==
          properties{{"bootstrap.servers", "broker:9092"}, {"security.protocol", "PLAINTEXT"}});
}

TEST_CASE("Apache Kafka over TLS, and with SASL over TLS", "[presets]") {
    CHECK(kflow::presets::apache_kafka(
              "broker:9093",
              {.tls = kflow::tls_settings{.ca_location = "/ca.pem"}, .sasl = std::nullopt})
              .properties() == merged(tls_verification, {{"bootstrap.servers", "broker:9093"},
                                                         {"security.protocol", "SSL"},
                                                         {"ssl.ca.location", "/ca.pem"}}));
    CHECK(
        kflow::presets::apache_kafka(
            "broker:9094", {.tls = kflow::tls_settings{},
                            .sasl = kflow::sasl_scram{kflow::scram_mechanism::sha256, "app", "pw"}})
            .properties() == merged(tls_verification, {{"bootstrap.servers", "broker:9094"},
                                                       {"security.protocol", "SASL_SSL"},
                                                       {"sasl.mechanism", "SCRAM-SHA-256"},
                                                       {"sasl.username", "app"},
                                                       {"sasl.password", "pw"}}));
}

TEST_CASE("Confluent Cloud: API key and secret over SASL_SSL with PLAIN", "[presets]") {
    const auto config = kflow::presets::confluent_cloud(
        "pkc-abc12.eu-west-1.aws.confluent.cloud:9092", "ABCDEFGHIJKLMNOP", "cc-secret-0001");
    CHECK(config.properties() ==
          merged(tls_verification,
                 {{"bootstrap.servers", "pkc-abc12.eu-west-1.aws.confluent.cloud:9092"},
                  {"security.protocol", "SASL_SSL"},
                  {"sasl.mechanism", "PLAIN"},
                  {"sasl.username", "ABCDEFGHIJKLMNOP"},
                  {"sasl.password", "cc-secret-0001"}}));
    CHECK_THAT(printed(config), !Contains("cc-secret-0001"));
    CHECK_THAT(printed(config), Contains("sasl.username=ABCDEFGHIJKLMNOP"));
}

TEST_CASE("Redpanda, self-hosted and Cloud", "[presets]") {
    CHECK(kflow::presets::redpanda("redpanda:9092").properties() ==
          properties{{"bootstrap.servers", "redpanda:9092"}, {"security.protocol", "PLAINTEXT"}});
    const auto cloud = kflow::presets::redpanda_cloud("seed-1.redpanda.com:9092", "app", "rp-pw");
    CHECK(cloud.properties() ==
          merged(tls_verification, {{"bootstrap.servers", "seed-1.redpanda.com:9092"},
                                    {"security.protocol", "SASL_SSL"},
                                    {"sasl.mechanism", "SCRAM-SHA-256"},
                                    {"sasl.username", "app"},
                                    {"sasl.password", "rp-pw"}}));
    CHECK(
        kflow::presets::redpanda_cloud("seed:9092", "app", "rp-pw", kflow::scram_mechanism::sha512)
            .get("sasl.mechanism") == "SCRAM-SHA-512");
    CHECK_THAT(printed(cloud), !Contains("rp-pw"));
}

TEST_CASE("AWS MSK with SCRAM-SHA-512 over TLS", "[presets][msk]") {
    const auto config = kflow::presets::aws_msk_scram(
        "b-1.msk.abc.kafka.us-east-1.amazonaws.com:9096", "msk-user", "msk-pw");
    CHECK(config.properties() ==
          merged(tls_verification,
                 {{"bootstrap.servers", "b-1.msk.abc.kafka.us-east-1.amazonaws.com:9096"},
                  {"security.protocol", "SASL_SSL"},
                  {"sasl.mechanism", "SCRAM-SHA-512"},
                  {"sasl.username", "msk-user"},
                  {"sasl.password", "msk-pw"}}));
    CHECK_THAT(printed(config), !Contains("msk-pw"));
}

TEST_CASE("AWS MSK over TLS, and with mutual TLS", "[presets][msk]") {
    CHECK(kflow::presets::aws_msk_tls("b-1.msk:9094").properties() ==
          merged(tls_verification,
                 {{"bootstrap.servers", "b-1.msk:9094"}, {"security.protocol", "SSL"}}));
    const auto mtls =
        kflow::presets::aws_msk_tls("b-1.msk:9094", {.certificate_location = "/etc/msk/client.pem",
                                                     .key_location = "/etc/msk/client.key",
                                                     .key_password = "msk-key-pw"});
    CHECK(mtls.properties() ==
          merged(tls_verification, {{"bootstrap.servers", "b-1.msk:9094"},
                                    {"security.protocol", "SSL"},
                                    {"ssl.certificate.location", "/etc/msk/client.pem"},
                                    {"ssl.key.location", "/etc/msk/client.key"},
                                    {"ssl.key.password", "msk-key-pw"}}));
    CHECK_THAT(printed(mtls), !Contains("msk-key-pw"));
    CHECK_THROWS_WITH(kflow::presets::aws_msk_tls("b-1.msk:9094", {.key_location = "/k"}),
                      Contains("without its certificate"));
}

TEST_CASE("AWS MSK with IAM: OAUTHBEARER over TLS with the application's token source",
          "[presets][msk]") {
    const auto config = kflow::presets::aws_msk_iam("b-1.msk:9098", no_token);
    CHECK(config.properties() == merged(tls_verification, {{"bootstrap.servers", "b-1.msk:9098"},
                                                           {"security.protocol", "SASL_SSL"},
                                                           {"sasl.mechanism", "OAUTHBEARER"}}));
    CHECK(static_cast<bool>(config.callbacks().oauthbearer_token_refresh));
    CHECK_THROWS_WITH(kflow::presets::aws_msk_iam("b-1.msk:9098", {}), Contains("no token_source"));
}

TEST_CASE("Azure Event Hubs from a connection string", "[presets][event-hubs]") {
    const auto config = kflow::presets::azure_event_hubs(sample_connection_string);
    CHECK(config.properties() ==
          merged(tls_verification, {{"bootstrap.servers", "kflow-ns.servicebus.windows.net:9093"},
                                    {"security.protocol", "SASL_SSL"},
                                    {"sasl.mechanism", "PLAIN"},
                                    {"sasl.username", "$ConnectionString"},
                                    {"sasl.password", sample_connection_string},
                                    {"metadata.max.age.ms", "180000"},
                                    {"connections.max.idle.ms", "180000"},
                                    {"socket.keepalive.enable", "true"}}));
    CHECK_THAT(printed(config), !Contains(std::string(sample_key)));
    CHECK_THAT(printed(config), !Contains("SharedAccessKey"));
    CHECK_THAT(printed(config), Contains("sasl.password=[redacted]"));

    // A trailing newline (a connection string read from a file) is not part of the password.
    CHECK(kflow::presets::azure_event_hubs(sample_connection_string + "\n").get("sasl.password") ==
          sample_connection_string);
}

TEST_CASE("Event Hubs connection strings in their accepted forms", "[presets][event-hubs]") {
    using kflow::presets::parse_event_hubs_connection_string;
    const auto plain = parse_event_hubs_connection_string(sample_connection_string);
    CHECK(plain.namespace_host == "kflow-ns.servicebus.windows.net");
    CHECK(plain.bootstrap_servers == "kflow-ns.servicebus.windows.net:9093");

    // Event-hub level string with EntityPath, a trailing ';', other spacing and case.
    const auto entity = parse_event_hubs_connection_string(
        "endpoint=SB://kflow-ns.servicebus.windows.net;SharedAccessKeyName = send ; "
        "sharedaccesskey=abc==;EntityPath=orders;");
    CHECK(entity.bootstrap_servers == "kflow-ns.servicebus.windows.net:9093");

    // A shared access signature instead of a key name and key.
    const auto sas = parse_event_hubs_connection_string(
        "Endpoint=sb://kflow-ns.servicebus.windows.net/"
        ";SharedAccessSignature=SharedAccessSignature "
        "sr=x&sig=y&se=1&skn=send");
    CHECK(sas.namespace_host == "kflow-ns.servicebus.windows.net");
}

TEST_CASE("a malformed Event Hubs connection string is rejected naming what is wrong",
          "[presets][event-hubs]") {
    const std::string key = "SharedAccessKey=" + std::string(sample_key);
    CHECK_THAT(parse_error("SharedAccessKeyName=k;" + key), Contains("Endpoint is missing"));
    CHECK_THAT(parse_error("Endpoint=;SharedAccessKeyName=k;" + key),
               Contains("Endpoint is missing"));
    CHECK_THAT(
        parse_error("Endpoint=https://ns.servicebus.windows.net/;SharedAccessKeyName=k;" + key),
        Contains("does not start with sb://"));
    CHECK_THAT(parse_error("Endpoint=sb:///;SharedAccessKeyName=k;" + key),
               Contains("does not name a namespace host"));
    CHECK_THAT(parse_error("Endpoint=sb://ns.servicebus.windows.net/;" + key),
               Contains("SharedAccessKeyName is missing"));
    CHECK_THAT(parse_error("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k"),
               Contains("SharedAccessKey is missing"));
    CHECK_THAT(parse_error("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;"
                           "SharedAccessKey="),
               Contains("SharedAccessKey is missing"));
    CHECK_THAT(parse_error(""), Contains("Endpoint is missing"));

    // A field without '=' (here a key pasted without its name and without its trailing '='):
    // reported by position, never quoted, since it could be the key itself.
    const std::string bare_key(sample_key.substr(0, sample_key.size() - 1));
    const auto garbled =
        parse_error("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;" + bare_key);
    CHECK_THAT(garbled, Contains("field 3 is not of the form Name=Value"));
    CHECK_THAT(garbled, !Contains(bare_key));

    // The preset rejects the same, and the key never appears in the message.
    try {
        (void)kflow::presets::azure_event_hubs("Endpoint=sb://ns.servicebus.windows.net/;" + key);
        FAIL("accepted");
    } catch (const kflow::kafka_error& e) {
        CHECK_THAT(e.what(), Contains("SharedAccessKeyName is missing"));
        CHECK_THAT(e.what(), !Contains(std::string(sample_key)));
    }
}

TEST_CASE("producer and consumer configs built from a preset keep their safe defaults",
          "[presets]") {
    const auto preset = kflow::presets::confluent_cloud("pkc:9092", "key", "secret");
    const kflow::producer_config producer(preset);
    CHECK(producer.properties() ==
          merged(preset.properties(), {{"enable.idempotence", "true"}, {"acks", "all"}}));
    const kflow::consumer_config consumer(preset);
    CHECK(consumer.properties() ==
          merged(preset.properties(), {{"enable.auto.offset.store", "false"}}));
    CHECK_THAT(producer.to_string(), !Contains("=secret"));
    CHECK_THAT(consumer.to_string(), !Contains("=secret"));
}

TEST_CASE("librdkafka accepts every preset at client creation", "[presets][creation]") {
    const std::vector<std::pair<std::string, kflow::client_config>> presets{
        {"apache_kafka", kflow::presets::apache_kafka("127.0.0.1:9")},
        {"confluent_cloud", kflow::presets::confluent_cloud("127.0.0.1:9", "key", "secret")},
        {"redpanda_cloud", kflow::presets::redpanda_cloud("127.0.0.1:9", "user", "pw")},
        {"aws_msk_scram", kflow::presets::aws_msk_scram("127.0.0.1:9", "user", "pw")},
        {"aws_msk_tls", kflow::presets::aws_msk_tls("127.0.0.1:9")},
        {"aws_msk_iam", kflow::presets::aws_msk_iam("127.0.0.1:9", no_token)},
        {"azure_event_hubs", kflow::presets::azure_event_hubs(sample_connection_string)},
    };
    for (const auto& [name, preset] : presets) {
        INFO(name);
        kflow::producer_config producer_cfg(preset);
        // Keep librdkafka's connection attempts out of the test output.
        producer_cfg.on_log([](const kflow::log_entry&) {}).on_error([](const auto&) {});
        CHECK_NOTHROW(kflow::producer<std::string, std::string>{producer_cfg});
        kflow::consumer_config consumer_cfg(preset);
        consumer_cfg.group_id("g").on_log([](const kflow::log_entry&) {}).on_error([](const auto&) {
        });
        CHECK_NOTHROW(kflow::consumer<std::string, std::string>{consumer_cfg});
    }
}

TEST_CASE("MSK IAM asks the application for a signed token once the client starts",
          "[presets][msk][mock]") {
    kflow::testing::mock_cluster cluster(1);
    std::atomic<int> calls{0};
    kflow::producer_config cfg(
        kflow::presets::aws_msk_iam(cluster.bootstrap_servers(), [&](std::string_view) {
            ++calls;
            return kflow::oauthbearer_token{.value = "signed-by-the-application",
                                            .expiry = std::chrono::system_clock::now() + 15min,
                                            .principal = "arn:aws:iam::123456789012:role/app",
                                            .extensions = {}};
        }));
    cfg.on_log([](const kflow::log_entry&) {}).on_error([](const auto&) {});
    kflow::producer<std::string, std::string> producer(cfg);
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (calls.load() == 0 && std::chrono::steady_clock::now() < until)
        producer.poll(50ms);
    CHECK(calls.load() >= 1);
}
