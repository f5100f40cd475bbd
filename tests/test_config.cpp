// The config builder: every value checked by librdkafka when set, clear errors, secrets never
// printed; and config_from_env(): the variable -> property mapping, what it skips and rejects.
#include <kflow/config.hpp>
#include <kflow/env_config.hpp>
#include <kflow/security.hpp>

#include <kflow/consumer_config.hpp>
#include <kflow/producer.hpp>
#include <kflow/producer_config.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <catch2/catch.hpp>

#include <concepts>
#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>
#include <string>

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using properties = std::map<std::string, std::string>;

namespace {

/// What set(key, value) throws; fails the test when it does not throw a kafka_error.
kflow::kafka_error set_error(kflow::client_config& config, std::string_view key,
                             std::string_view value) {
    try {
        config.set(key, value);
    } catch (const kflow::kafka_error& e) {
        return e;
    }
    FAIL("set('" << key << "') was accepted");
    throw std::logic_error("unreachable");
}

/// What config_from_env(environment) throws; fails the test when it does not throw.
kflow::kafka_error from_env_error(const std::map<std::string, std::string>& environment,
                                  std::string_view prefix = "KAFKA_") {
    try {
        (void)kflow::config_from_env(environment, prefix);
    } catch (const kflow::kafka_error& e) {
        return e;
    }
    FAIL("config_from_env accepted the environment");
    throw std::logic_error("unreachable");
}

std::string printed(const kflow::client_config& config) {
    std::ostringstream os;
    os << config;
    return os.str();
}

}  // namespace

TEST_CASE("an accepted value is stored under the key it was set with", "[config]") {
    kflow::client_config config;
    config.bootstrap_servers("a:9092,b:9092").client_id("billing").set("compression.type", "lz4");
    CHECK(config.properties() == properties{{"bootstrap.servers", "a:9092,b:9092"},
                                            {"client.id", "billing"},
                                            {"compression.type", "lz4"}});
    CHECK(config.get("client.id") == "billing");
    CHECK_FALSE(config.get("group.id").has_value());
    CHECK(config.contains("compression.type"));
}

TEST_CASE("an unknown key is rejected naming the key and librdkafka's reason", "[config]") {
    kflow::client_config config;
    const auto e = set_error(config, "bootstrap.server", "a:9092");
    CHECK(e.code() == kflow::errc::invalid_config);
    CHECK(e.code() == std::errc::invalid_argument);
    CHECK_THAT(e.what(), Contains("'bootstrap.server'='a:9092'"));
    CHECK_THAT(e.what(), Contains("No such configuration property"));
    CHECK(config.properties().empty());
}

TEST_CASE("a value outside a property's enumeration is rejected", "[config]") {
    kflow::client_config config;
    const auto e = set_error(config, "security.protocol", "tls");
    CHECK(e.code() == kflow::errc::invalid_config);
    CHECK_THAT(e.what(), Contains("'security.protocol'='tls'"));
    CHECK_THAT(e.what(), Contains("Invalid value"));

    const auto acks = set_error(config, "acks", "most");
    // librdkafka names the canonical property an alias stands for.
    CHECK_THAT(acks.what(), Contains("'acks'='most'"));
    CHECK_THAT(acks.what(), Contains("request.required.acks"));
}

TEST_CASE("a number that is not one, or out of range, is rejected with the range", "[config]") {
    kflow::client_config config;
    const auto not_a_number = set_error(config, "socket.timeout.ms", "ten seconds");
    CHECK_THAT(not_a_number.what(), Contains("'socket.timeout.ms'='ten seconds'"));
    CHECK_THAT(not_a_number.what(), Contains("Invalid value"));

    const auto too_big = set_error(config, "socket.timeout.ms", "900000");
    CHECK_THAT(too_big.what(), Contains("outside allowed range 10..300000"));
    // librdkafka ends this reason with a newline; kflow's message does not carry it along.
    CHECK(std::string(too_big.what()).find('\n') == std::string::npos);

    const auto typed = [&] { config.socket_timeout(5ms); };
    CHECK_THROWS_AS(typed(), kflow::kafka_error);
    CHECK(config.properties().empty());
}

TEST_CASE("try_set reports the reason instead of throwing and leaves the config as it was",
          "[config]") {
    kflow::client_config config;
    config.client_id("kept");
    const auto reason = config.try_set("linger.ms", "-5");
    REQUIRE(reason.has_value());
    CHECK_THAT(*reason, Contains("'linger.ms'='-5'"));
    CHECK_FALSE(config.try_set("linger.ms", "5").has_value());
    CHECK(config.properties() == properties{{"client.id", "kept"}, {"linger.ms", "5"}});
}

TEST_CASE("a rejected secret value never appears in the error", "[config][redaction]") {
    kflow::client_config config;
    const std::string secret = "s3cr3t-Value-123";
    // A misspelt secret key: librdkafka does not know it, the key still marks a secret.
    const auto typo = set_error(config, "sasl.passwrd.secret", secret);
    CHECK_THAT(typo.what(), Contains("sasl.passwrd.secret"));
    CHECK_THAT(typo.what(), Contains(std::string(kflow::redacted)));
    CHECK_THAT(typo.what(), !Contains(secret));

    // The OIDC client secret: rejected by a librdkafka built without OIDC, accepted otherwise.
    if (auto reason = config.try_set("sasl.oauthbearer.client.secret", secret)) {
        CHECK_FALSE(kflow::oidc_supported());
        CHECK_THAT(*reason, Contains("sasl.oauthbearer.client.secret"));
        CHECK_THAT(*reason, !Contains(secret));
    } else {
        CHECK(kflow::oidc_supported());
        CHECK_THAT(printed(config), !Contains(secret));
    }
}

TEST_CASE("a rejected secret that is part of [redacted] is redacted, and returns",
          "[config][redaction]") {
    // Found by fuzz_env_config: the redaction searched from the start again after each
    // replacement, so a value found inside "[redacted]" itself looped forever.
    kflow::client_config config;
    for (const std::string secret : {"e", "d]", "act", "[redacted]"}) {
        const auto typo = set_error(config, "sasl.passwrd.secret", secret);
        CHECK_THAT(typo.what(), Contains("sasl.passwrd.secret"));
    }
}

TEST_CASE("a key with a NUL byte is rejected, never set under another name", "[config][redaction]") {
    // Found by fuzz_env_config: librdkafka reads the key up to the NUL and set ssl.key.pem,
    // while kflow recorded "ssl.key.pem\0", not a secret, and printed the value.
    kflow::client_config config;
    const std::string pem = "-----BEGIN PRIVATE KEY-----MIIEvQ";
    const auto e = set_error(config, std::string("ssl.key.pem\0", 12), pem);
    CHECK(e.code() == kflow::errc::invalid_config);
    CHECK_THAT(e.what(), Contains("NUL"));
    CHECK_THAT(e.what(), !Contains(pem));
    CHECK_FALSE(config.get("ssl.key.pem"));
    CHECK_THAT(printed(config), !Contains(pem));
}

TEST_CASE("every secret property is recognised as one", "[config][redaction]") {
    for (const char* key : {"sasl.password", "ssl.key.password", "ssl.keystore.password",
                            "ssl.key.pem", "sasl.oauthbearer.client.secret",
                            "sasl.oauthbearer.config", "sasl.oauthbearer.extensions"}) {
        INFO(key);
        CHECK(kflow::is_secret_property(key));
    }
    for (const char* key : {"sasl.username", "bootstrap.servers", "ssl.ca.pem",
                            "ssl.certificate.pem", "ssl.key.location", "sasl.oauthbearer.client.id",
                            "sasl.oauthbearer.token.endpoint.url"}) {
        INFO(key);
        CHECK_FALSE(kflow::is_secret_property(key));
    }
}

TEST_CASE("printing a config shows every secret as [redacted] and the rest as set",
          "[config][redaction]") {
    const std::map<std::string, std::string> secrets{
        {"sasl.password", "pw-1"},
        {"ssl.key.password", "pw-2"},
        {"ssl.keystore.password", "pw-3"},
        {"ssl.key.pem", "-----BEGIN PRIVATE KEY-----pw-4"},
        {"sasl.oauthbearer.config", "principal=pw-5"},
    };
    kflow::client_config config;
    config.bootstrap_servers("broker:9093").set("sasl.username", "app");
    for (const auto& [key, value] : secrets)
        config.set(key, value);

    const std::string text = printed(config);
    CHECK(text == config.to_string());
    for (const auto& [key, value] : secrets) {
        INFO(key);
        CHECK_THAT(text, Contains(key + "=[redacted]\n"));
        CHECK_THAT(text, !Contains(value));
        CHECK(config.get(key) == value);  // kept in clear for librdkafka
    }
    CHECK_THAT(text, Contains("bootstrap.servers=broker:9093\n"));
    CHECK_THAT(text, Contains("sasl.username=app\n"));
}

TEST_CASE("security() keeps the builder's own type through a chain", "[config][security]") {
    kflow::producer_config producer;
    STATIC_REQUIRE(std::same_as<decltype(producer.security({})), kflow::producer_config&>);
    producer.security({.tls = kflow::tls_settings{}, .sasl = std::nullopt}).linger(5ms);
    CHECK(producer.get("security.protocol") == "SSL");
    CHECK(producer.get("linger.ms") == "5");
    CHECK(producer.get("enable.idempotence") == "true");  // safe defaults untouched

    kflow::consumer_config consumer;
    STATIC_REQUIRE(std::same_as<decltype(consumer.security({})), kflow::consumer_config&>);
    consumer.security({}).group_id("g");
    CHECK(consumer.get("security.protocol") == "PLAINTEXT");
    CHECK(consumer.get("enable.auto.offset.store") == "false");
}

// -- config_from_env -----------------------------------------------------------------------------

TEST_CASE("from_env maps PREFIX_FOO_BAR to foo.bar", "[config][env]") {
    const auto config = kflow::config_from_env({
        {"KAFKA_BOOTSTRAP_SERVERS", "broker-1:9093,broker-2:9093"},
        {"KAFKA_SECURITY_PROTOCOL", "SASL_SSL"},
        {"KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"},
        {"KAFKA_SASL_USERNAME", "app"},
        {"KAFKA_SASL_PASSWORD", "pw"},
        {"KAFKA_SSL_CA_LOCATION", "/etc/kafka/ca.pem"},
        {"KAFKA_CLIENT_ID", "billing"},
        {"KAFKA_SOCKET_KEEPALIVE_ENABLE", "true"},
        {"KAFKA_LOG_LEVEL", "4"},  // librdkafka's only settable name with '_'
    });
    CHECK(config.properties() == properties{
                                     {"bootstrap.servers", "broker-1:9093,broker-2:9093"},
                                     {"client.id", "billing"},
                                     {"log_level", "4"},
                                     {"sasl.mechanism", "SCRAM-SHA-512"},
                                     {"sasl.password", "pw"},
                                     {"sasl.username", "app"},
                                     {"security.protocol", "SASL_SSL"},
                                     {"socket.keepalive.enable", "true"},
                                     {"ssl.ca.location", "/etc/kafka/ca.pem"},
                                 });
    CHECK(config.ignored_variables().empty());
}

TEST_CASE("from_env skips variables that name no librdkafka property and lists them",
          "[config][env]") {
    const auto config = kflow::config_from_env({
        {"KAFKA_HOME", "/opt/kafka"},
        {"KAFKA_OPTS", "-Djava.security.auth.login.config=/etc/jaas.conf"},
        {"KAFKA_HEAP_OPTS", "-Xmx1G"},
        {"KAFKA_BOOTSTRAP_SERVERS", "broker:9092"},
        {"KAFKA_", "no name after the prefix"},
        {"PATH", "/usr/bin"},
        {"MY_KAFKA_CLIENT_ID", "not under the prefix"},
    });
    CHECK(config.properties() == properties{{"bootstrap.servers", "broker:9092"}});
    CHECK(config.ignored_variables() ==
          std::vector<std::string>{"KAFKA_HEAP_OPTS", "KAFKA_HOME", "KAFKA_OPTS"});
}

TEST_CASE("from_env rejects a bad value for a known property naming the variable",
          "[config][env]") {
    const auto e = from_env_error(
        {{"KAFKA_BOOTSTRAP_SERVERS", "broker:9092"}, {"KAFKA_SOCKET_TIMEOUT_MS", "soon"}});
    CHECK(e.code() == kflow::errc::invalid_config);
    CHECK_THAT(e.what(), Contains("KAFKA_SOCKET_TIMEOUT_MS"));
    CHECK_THAT(e.what(), Contains("'socket.timeout.ms'='soon'"));

    // Kafka's scripts read KAFKA_DEBUG as a JVM switch; librdkafka reads `debug` as contexts.
    const auto debug = from_env_error({{"KAFKA_DEBUG", "y"}});
    CHECK_THAT(debug.what(), Contains("KAFKA_DEBUG"));
    CHECK_THAT(debug.what(), Contains("'debug'='y'"));
}

TEST_CASE("from_env never shows a secret variable's value", "[config][env][redaction]") {
    const std::string secret = "env-s3cr3t";
    const auto config = kflow::config_from_env(
        {{"KAFKA_SASL_PASSWORD", secret}, {"KAFKA_SSL_KEY_PASSWORD", secret + "-2"}});
    CHECK(config.get("sasl.password") == secret);
    CHECK_THAT(printed(config), !Contains(secret));

    std::map<std::string, std::string> environment{
        {"KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET", secret}};
    if (kflow::oidc_supported()) {
        CHECK_THAT(printed(kflow::config_from_env(environment)), !Contains(secret));
    } else {
        const auto e = from_env_error(environment);
        CHECK_THAT(e.what(), Contains("KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET"));
        CHECK_THAT(e.what(), Contains("not supported in this build"));
        CHECK_THAT(e.what(), !Contains(secret));
    }
}

TEST_CASE("from_env treats an empty variable as unset", "[config][env]") {
    const auto config = kflow::config_from_env(
        {{"KAFKA_BOOTSTRAP_SERVERS", "broker:9092"}, {"KAFKA_SOCKET_TIMEOUT_MS", ""}});
    CHECK(config.properties() == properties{{"bootstrap.servers", "broker:9092"}});
    CHECK(config.ignored_variables().empty());
}

TEST_CASE("from_env takes another prefix, and refuses an empty one", "[config][env]") {
    const auto config = kflow::config_from_env(
        {{"ORDERS_KAFKA_CLIENT_ID", "orders"}, {"KAFKA_CLIENT_ID", "someone-else"}},
        "ORDERS_KAFKA_");
    CHECK(config.properties() == properties{{"client.id", "orders"}});

    const auto e = from_env_error({{"CLIENT_ID", "x"}}, "");
    CHECK_THAT(e.what(), Contains("prefix must not be empty"));
}

TEST_CASE("from_env reads the process environment, and a producer runs on the result",
          "[config][env][mock]") {
    kflow::testing::mock_cluster cluster(1);
    const auto topic = kflow::testing::unique_name("env");
    cluster.create_topic(topic, 1);

    // A prefix of this test's own, so nothing else in the environment interferes.
    std::string prefix = kflow::testing::unique_name("KFLOW_ENV_TEST");
    for (char& ch : prefix)
        ch = ch == '-' ? '_' : static_cast<char>(std::toupper(ch));
    prefix += '_';
    REQUIRE(::setenv((prefix + "BOOTSTRAP_SERVERS").c_str(), cluster.bootstrap_servers().c_str(),
                     1) == 0);
    REQUIRE(::setenv((prefix + "CLIENT_ID").c_str(), "from-env", 1) == 0);
    REQUIRE(::setenv((prefix + "HOME").c_str(), "/nowhere", 1) == 0);

    const auto config = kflow::config_from_env(prefix);
    CHECK(config.properties() == properties{{"bootstrap.servers", cluster.bootstrap_servers()},
                                            {"client.id", "from-env"}});
    CHECK(config.ignored_variables() == std::vector<std::string>{prefix + "HOME"});

    kflow::producer_config producer_cfg(config);
    producer_cfg.linger(1ms);
    kflow::producer<std::string, std::string> producer(producer_cfg);
    CHECK_THAT(producer.name(), Contains("from-env"));
    const auto md = kflow::testing::send_and_wait(producer, {topic, "k", "v"});
    CHECK(md.topic == topic);
    CHECK(md.offset == 0);

    for (const char* name : {"BOOTSTRAP_SERVERS", "CLIENT_ID", "HOME"}) {
        ::unsetenv((prefix + name).c_str());
    }
}
