// The config builder: every value checked by librdkafka when set, clear errors, secrets never
// printed; and config_from_env(): the variable -> property mapping, what it skips and rejects.
#include <kflow/config.hpp>
#include <kflow/env_config.hpp>
#include <kflow/security.hpp>

#include <kflow/admin/config.hpp>
#include <kflow/consumer_config.hpp>
#include <kflow/producer.hpp>
#include <kflow/producer_config.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <concepts>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

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

/// What validate() throws; fails the test when the config passes.
template <class Config>
std::string validation_error(const Config& config) {
    try {
        config.validate();
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::errc::invalid_config);
        return e.what();
    }
    FAIL("validate() accepted the config");
    return {};
}

/// The security.protocol librdkafka gets for a client built from `config`.
template <class Config>
std::string protocol_given_to_librdkafka(const Config& config) {
    const auto conf = config.native_copy();
    char value[64] = {0};
    std::size_t size = sizeof value;
    REQUIRE(rd_kafka_conf_get(conf.get(), "security.protocol", value, &size) == RD_KAFKA_CONF_OK);
    std::string protocol(value);
    for (char& ch : protocol)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return protocol;
}

/// A .env file with `contents`, removed when the test ends.
class env_file {
  public:
    explicit env_file(std::string_view contents)
        : path_(std::filesystem::temp_directory_path() /
                (kflow::testing::unique_name("kflow-env") + ".env")) {
        std::ofstream(path_, std::ios::binary) << contents;
    }
    env_file(const env_file&) = delete;
    env_file& operator=(const env_file&) = delete;
    ~env_file() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

  private:
    std::filesystem::path path_;
};

/// What config_from_env_file(path) throws; fails the test when it does not throw.
std::string from_env_file_error(const std::filesystem::path& path) {
    try {
        (void)kflow::config_from_env_file(path);
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::errc::invalid_config);
        return e.what();
    }
    FAIL("config_from_env_file accepted " << path);
    return {};
}

/// A variable prefix no other test and no process variable uses.
std::string unique_prefix(std::string_view name) {
    std::string prefix = kflow::testing::unique_name(name);
    for (char& ch : prefix)
        ch = ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return prefix + '_';
}

/// A producer config that keeps librdkafka's connection attempts out of the test output.
kflow::producer_config quiet_producer(const kflow::client_config& base) {
    kflow::producer_config config(base);
    config.on_log([](const kflow::log_entry&) {}).on_error([](const auto&) {});
    return config;
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

TEST_CASE("typed transactional settings map to their librdkafka properties", "[config]") {
    kflow::consumer_config consumer;
    consumer.isolation_level(kflow::isolation::read_uncommitted);
    CHECK(consumer.get("isolation.level") == "read_uncommitted");
    consumer.isolation_level(kflow::isolation::read_committed);
    CHECK(consumer.get("isolation.level") == "read_committed");

    kflow::producer_config producer;
    CHECK(producer.init_transactions_timeout() == std::chrono::seconds(30));
    producer.transactional_id("orders-0").init_transactions_timeout(std::chrono::seconds(0));
    CHECK(producer.get("transactional.id") == "orders-0");
    CHECK(producer.init_transactions_timeout() == std::chrono::milliseconds(0));
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

TEST_CASE("a key with a NUL byte is rejected, never set under another name",
          "[config][redaction]") {
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

// -- Aliases -------------------------------------------------------------------------------------

TEST_CASE("from_env reads KAFKA_USERNAME, KAFKA_PASSWORD and KAFKA_CA_CERT as aliases",
          "[config][env][alias]") {
    const auto config = kflow::config_from_env({
        {"KAFKA_BOOTSTRAP_SERVERS", "broker:9093"},
        {"KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"},
        {"KAFKA_USERNAME", "app"},
        {"KAFKA_PASSWORD", "alias-pw"},
        {"KAFKA_CA_CERT", "/etc/kafka/ca.pem"},
    });
    CHECK(config.properties() == properties{{"bootstrap.servers", "broker:9093"},
                                            {"sasl.mechanism", "SCRAM-SHA-512"},
                                            {"sasl.password", "alias-pw"},
                                            {"sasl.username", "app"},
                                            {"ssl.ca.location", "/etc/kafka/ca.pem"}});
    CHECK(config.ignored_variables().empty());
    CHECK(config.used_variables() ==
          std::vector<std::string>{"KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SASL_MECHANISM",
                                   "KAFKA_USERNAME", "KAFKA_PASSWORD", "KAFKA_CA_CERT"});
    CHECK(config.security_protocol() == "SASL_SSL");  // inferred: credentials and a CA
    CHECK_THAT(printed(config), !Contains("alias-pw"));

    // Under another prefix, the aliases follow it.
    const auto prefixed = kflow::config_from_env(
        {{"BILLING_USERNAME", "billing"}, {"KAFKA_USERNAME", "someone-else"}}, "BILLING_");
    CHECK(prefixed.properties() == properties{{"sasl.username", "billing"}});
}

TEST_CASE("an alias agreeing with its canonical variable is read; a disagreeing one is an error",
          "[config][env][alias][redaction]") {
    const auto same = kflow::config_from_env({{"KAFKA_SASL_USERNAME", "app"},
                                              {"KAFKA_USERNAME", "app"},
                                              {"KAFKA_SASL_PASSWORD", "pw-1"},
                                              {"KAFKA_PASSWORD", "pw-1"}});
    CHECK(same.get("sasl.username") == "app");
    CHECK(same.get("sasl.password") == "pw-1");
    CHECK(same.used_variables() == std::vector<std::string>{"KAFKA_SASL_PASSWORD",
                                                            "KAFKA_SASL_USERNAME", "KAFKA_USERNAME",
                                                            "KAFKA_PASSWORD"});

    const auto password =
        from_env_error({{"KAFKA_SASL_PASSWORD", "canonical-pw"}, {"KAFKA_PASSWORD", "alias-pw"}});
    CHECK(password.code() == kflow::errc::invalid_config);
    CHECK_THAT(password.what(), Contains("KAFKA_SASL_PASSWORD"));
    CHECK_THAT(password.what(), Contains("KAFKA_PASSWORD"));
    CHECK_THAT(password.what(), !Contains("canonical-pw"));
    CHECK_THAT(password.what(), !Contains("alias-pw"));

    const auto user =
        from_env_error({{"KAFKA_USERNAME", "app"}, {"CONFLUENT_API_KEY", "ABCDEFGHIJ"}});
    CHECK_THAT(user.what(), Contains("KAFKA_USERNAME"));
    CHECK_THAT(user.what(), Contains("CONFLUENT_API_KEY"));
    CHECK_THAT(user.what(), !Contains("ABCDEFGHIJ"));

    const auto ca =
        from_env_error({{"KAFKA_SSL_CA_LOCATION", "/etc/a.pem"}, {"KAFKA_CA_CERT", "/etc/b.pem"}});
    CHECK_THAT(ca.what(), Contains("KAFKA_SSL_CA_LOCATION and KAFKA_CA_CERT"));
}

TEST_CASE("KAFKA_CA_CERT is a path: PEM text there is refused, pointing at KAFKA_SSL_CA_PEM",
          "[config][env][alias]") {
    const auto e = from_env_error({{"KAFKA_CA_CERT", "-----BEGIN CERTIFICATE-----\nMIIB"}});
    CHECK_THAT(e.what(), Contains("KAFKA_CA_CERT"));
    CHECK_THAT(e.what(), Contains("KAFKA_SSL_CA_PEM"));
    CHECK_THAT(e.what(), !Contains("MIIB"));
}

TEST_CASE("CONFLUENT_API_KEY and CONFLUENT_API_SECRET mean SASL_SSL with PLAIN",
          "[config][env][alias]") {
    const auto config = kflow::config_from_env({{"KAFKA_BOOTSTRAP_SERVERS", "pkc:9092"},
                                                {"CONFLUENT_API_KEY", "KEY123"},
                                                {"CONFLUENT_API_SECRET", "cc-secret"}});
    CHECK(config.properties() == properties{{"bootstrap.servers", "pkc:9092"},
                                            {"sasl.mechanism", "PLAIN"},
                                            {"sasl.password", "cc-secret"},
                                            {"sasl.username", "KEY123"},
                                            {"security.protocol", "SASL_SSL"}});
    CHECK(config.used_variables() == std::vector<std::string>{"KAFKA_BOOTSTRAP_SERVERS",
                                                              "CONFLUENT_API_KEY",
                                                              "CONFLUENT_API_SECRET"});
    CHECK_THAT(printed(config), !Contains("cc-secret"));

    // A protocol and a mechanism that are set are kept.
    const auto explicit_choice =
        kflow::config_from_env({{"KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"},
                                {"KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"},
                                {"CONFLUENT_API_KEY", "KEY123"},
                                {"CONFLUENT_API_SECRET", "cc-secret"}});
    CHECK(explicit_choice.get("security.protocol") == "SASL_PLAINTEXT");
    CHECK(explicit_choice.get("sasl.mechanism") == "SCRAM-SHA-512");

    // Another prefix isolates the application from them.
    const auto isolated =
        kflow::config_from_env({{"CONFLUENT_API_KEY", "KEY123"}, {"APP_CLIENT_ID", "app"}}, "APP_");
    CHECK(isolated.properties() == properties{{"client.id", "app"}});
}

// -- .env files ----------------------------------------------------------------------------------

TEST_CASE("config_from_env_file reads KEY=value lines with comments, export and quotes",
          "[config][env][env-file]") {
    const env_file file(
        "# a comment\n"
        "\n"
        "KAFKA_BOOTSTRAP_SERVERS=broker:9093\n"
        "export KAFKA_CLIENT_ID=billing   # the application's name\n"
        "  KAFKA_SASL_USERNAME  =  app\n"
        "KAFKA_SASL_PASSWORD=\"pw with # and \\\" inside\"  # comment\n"
        "KAFKA_SASL_MECHANISM='PLAIN'\r\n"
        "KAFKA_SSL_CA_LOCATION='C:\\certs\\ca.pem'\n"
        "KAFKA_SSL_KEY_PASSWORD=ab#cd\n"
        "KAFKA_HOME=/opt/kafka\n"
        "KAFKA_SOCKET_TIMEOUT_MS=\n"
        "\t# an indented comment\n");
    const auto config = kflow::config_from_env_file(file.path());
    CHECK(config.properties() == properties{{"bootstrap.servers", "broker:9093"},
                                            {"client.id", "billing"},
                                            {"sasl.mechanism", "PLAIN"},
                                            {"sasl.password", "pw with # and \" inside"},
                                            {"sasl.username", "app"},
                                            {"ssl.ca.location", "C:\\certs\\ca.pem"},
                                            {"ssl.key.password", "ab#cd"}});
    CHECK(config.ignored_variables() == std::vector<std::string>{"KAFKA_HOME"});
    CHECK(config.security_protocol() == "SASL_SSL");
}

TEST_CASE("the process environment wins over the env file", "[config][env][env-file]") {
    const std::string prefix = unique_prefix("KFLOW_ENV_FILE");
    const env_file file(prefix + "CLIENT_ID=from-file\n" + prefix +
                        "BOOTSTRAP_SERVERS=file:9092\n" + prefix + "SOCKET_TIMEOUT_MS=5000\n");
    REQUIRE(::setenv((prefix + "CLIENT_ID").c_str(), "from-process", 1) == 0);
    REQUIRE(::setenv((prefix + "SOCKET_TIMEOUT_MS").c_str(), "", 1) == 0);  // empty: unset
    const auto config = kflow::config_from_env_file(file.path(), prefix);
    ::unsetenv((prefix + "CLIENT_ID").c_str());
    ::unsetenv((prefix + "SOCKET_TIMEOUT_MS").c_str());
    CHECK(config.properties() == properties{{"bootstrap.servers", "file:9092"},
                                            {"client.id", "from-process"},
                                            {"socket.timeout.ms", "5000"}});
}

TEST_CASE("a malformed env file line is an error naming the file and line, not the value",
          "[config][env][env-file][redaction]") {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"KAFKA_CLIENT_ID=a\nno-equals-sign-s3cr3t\n", "line 2: expected KEY=value"},
        {"\n\nKAFKA SASL PASSWORD=s3cr3t\n", "line 3: the name before '=' is not a variable name"},
        {"=s3cr3t\n", "line 1: the name before '=' is not a variable name"},
        {"KAFKA_SASL_PASSWORD=\"s3cr3t\n", "line 1: the value's closing quote is missing"},
        {"KAFKA_SASL_PASSWORD='s3cr3t' s3cr3t\n", "line 1: text after the value's closing quote"},
    };
    for (const auto& [contents, reason] : cases) {
        INFO(reason);
        const env_file file(contents);
        const std::string message = from_env_file_error(file.path());
        CHECK_THAT(message, Contains("env file " + file.path().string() + ", " + reason));
        CHECK_THAT(message, !Contains("s3cr3t"));
    }
}

TEST_CASE("a missing or unreadable env file is an error naming the path",
          "[config][env][env-file]") {
    const auto missing = std::filesystem::temp_directory_path() /
                         (kflow::testing::unique_name("kflow-missing") + ".env");
    const std::string message = from_env_file_error(missing);
    CHECK_THAT(message, Contains("env file " + missing.string()));
    CHECK_THAT(message, Contains("cannot be read"));

    const auto directory = from_env_file_error(std::filesystem::temp_directory_path());
    CHECK_THAT(directory, Contains("is a directory"));
}

// -- SCRAM ---------------------------------------------------------------------------------------

TEST_CASE("a bare SCRAM mechanism means SCRAM-SHA-256; SCRAM-SHA-512 stays as asked",
          "[config][scram]") {
    kflow::client_config builder;
    builder.set("sasl.mechanism", "SCRAM");
    CHECK(builder.get("sasl.mechanism") == "SCRAM-SHA-256");
    builder.set("sasl.mechanisms", "scram");  // librdkafka's alias, any case
    CHECK(builder.get("sasl.mechanisms") == "SCRAM-SHA-256");
    builder.set("sasl.mechanism", "SCRAM-SHA-512");
    CHECK(builder.get("sasl.mechanism") == "SCRAM-SHA-512");

    CHECK(kflow::sasl_scram{}.mechanism == kflow::scram_mechanism::sha256);

    const auto env = kflow::config_from_env({{"KAFKA_SASL_MECHANISM", "SCRAM"},
                                             {"KAFKA_SASL_USERNAME", "app"},
                                             {"KAFKA_SASL_PASSWORD", "pw"}});
    CHECK(env.get("sasl.mechanism") == "SCRAM-SHA-256");
    // librdkafka itself refuses "SCRAM" when a client is created; kflow's SCRAM-SHA-256 is taken.
    kflow::client_config base(env);
    base.bootstrap_servers("127.0.0.1:9");
    CHECK_NOTHROW(kflow::producer<std::string, std::string>{quiet_producer(base)});
}

// -- Contradictions and inference ----------------------------------------------------------------

TEST_CASE("SASL settings with security.protocol PLAINTEXT or SSL are an error naming the keys",
          "[config][security-check]") {
    for (const char* protocol : {"PLAINTEXT", "SSL", "plaintext"}) {
        INFO(protocol);
        kflow::client_config config;
        config.set("security.protocol", protocol)
            .set("sasl.username", "app")
            .set("sasl.password", "never-shown");
        const std::string message = validation_error(config);
        CHECK_THAT(message, Contains("sasl.password, sasl.username are set"));
        CHECK_THAT(message, Contains("does no SASL"));
        CHECK_THAT(message, !Contains("never-shown"));
    }
    kflow::client_config mechanism_only;
    mechanism_only.set("security.protocol", "SSL").set("sasl.mechanism", "PLAIN");
    CHECK_THAT(validation_error(mechanism_only), Contains("sasl.mechanism is set"));
    CHECK_THAT(validation_error(mechanism_only), Contains("security.protocol=SASL_SSL"));

    const auto env = from_env_error({{"KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"},
                                     {"KAFKA_SASL_MECHANISM", "PLAIN"},
                                     {"KAFKA_SASL_USERNAME", "app"}});
    CHECK_THAT(env.what(), Contains("config_from_env"));
    CHECK_THAT(env.what(), Contains("sasl.mechanism, sasl.username are set"));
}

TEST_CASE("TLS material with security.protocol PLAINTEXT or SASL_PLAINTEXT is an error",
          "[config][security-check]") {
    for (const auto& [key, value] :
         std::vector<std::pair<std::string, std::string>>{{"ssl.ca.location", "/ca.pem"},
                                                          {"ssl.certificate.location", "/c.pem"},
                                                          {"ssl.key.location", "/k.pem"},
                                                          {"ssl.ca.pem", "PEM"},
                                                          {"ssl.keystore.location", "/k.p12"}}) {
        for (const char* protocol : {"PLAINTEXT", "SASL_PLAINTEXT"}) {
            INFO(key << " with " << protocol);
            kflow::client_config config;
            config.set("security.protocol", protocol).set(key, value);
            const std::string message = validation_error(config);
            CHECK_THAT(message, Contains(key + " is set but security.protocol is " + protocol));
            CHECK_THAT(message, Contains("does no TLS"));
        }
    }
    kflow::client_config accepted;
    accepted.set("security.protocol", "SASL_SSL")
        .set("ssl.ca.location", "/ca.pem")
        .set("sasl.mechanism", "PLAIN");
    CHECK_NOTHROW(accepted.validate());
}

TEST_CASE("without security.protocol, SASL settings mean SASL_SSL and TLS files alone SSL",
          "[config][security-check]") {
    kflow::client_config plain;
    plain.bootstrap_servers("b:9092");
    CHECK(plain.security_protocol() == "PLAINTEXT");
    CHECK(protocol_given_to_librdkafka(plain) == "PLAINTEXT");

    kflow::client_config sasl;
    sasl.set("sasl.mechanism", "PLAIN").set("sasl.username", "u").set("sasl.password", "p");
    CHECK(sasl.security_protocol() == "SASL_SSL");
    CHECK(protocol_given_to_librdkafka(sasl) == "SASL_SSL");
    CHECK_FALSE(sasl.contains("security.protocol"));  // inferred, not set on the builder

    kflow::client_config tls;
    tls.set("ssl.ca.location", "/ca.pem");
    CHECK(tls.security_protocol() == "SSL");
    CHECK(protocol_given_to_librdkafka(tls) == "SSL");

    kflow::client_config both(tls);
    both.set("sasl.mechanism", "SCRAM-SHA-512");
    CHECK(both.security_protocol() == "SASL_SSL");

    // A plaintext SASL listener is asked for explicitly.
    kflow::client_config explicit_plaintext(sasl);
    explicit_plaintext.set("security.protocol", "SASL_PLAINTEXT");
    CHECK(protocol_given_to_librdkafka(explicit_plaintext) == "SASL_PLAINTEXT");

    // Producer, consumer and admin configs all get the inferred protocol.
    CHECK(protocol_given_to_librdkafka(kflow::producer_config(sasl)) == "SASL_SSL");
    CHECK(protocol_given_to_librdkafka(kflow::consumer_config(tls)) == "SSL");
    CHECK(protocol_given_to_librdkafka(kflow::admin_config(sasl)) == "SASL_SSL");
}

TEST_CASE("every kind of client refuses a contradictory config before it is created",
          "[config][security-check]") {
    kflow::client_config base;
    base.bootstrap_servers("127.0.0.1:9")
        .set("security.protocol", "PLAINTEXT")
        .set("sasl.username", "app");
    // Producer: through its constructor.
    try {
        kflow::producer<std::string, std::string> producer(quiet_producer(base));
        FAIL("the producer was created");
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::errc::invalid_config);
        CHECK_THAT(e.what(), Contains("invalid security configuration: sasl.username is set"));
    }
    // Consumer and admin clients create theirs from native_copy(), which validates.
    kflow::consumer_config consumer(base);
    consumer.group_id("g");
    CHECK_THROWS_WITH(consumer.native_copy(), Contains("sasl.username is set"));
    CHECK_THROWS_WITH(kflow::admin_config(base).native_copy(), Contains("sasl.username is set"));
}

// -- Strict TLS ----------------------------------------------------------------------------------

TEST_CASE("require_tls refuses a client without verified TLS, at once", "[config][strict-tls]") {
    kflow::client_config base;
    base.bootstrap_servers("127.0.0.1:9").require_tls();
    CHECK(base.tls_required());
    CHECK(kflow::producer_config(base).tls_required());  // kept by every copy
    CHECK_FALSE(base.contains("require.tls"));           // not a librdkafka property
    CHECK_THAT(validation_error(base), Contains("TLS is required"));
    CHECK_THAT(validation_error(base), Contains("security.protocol is PLAINTEXT (not set)"));

    const auto start = std::chrono::steady_clock::now();
    try {
        kflow::producer<std::string, std::string> producer(quiet_producer(base));
        FAIL("the producer was created");
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::errc::invalid_config);
        CHECK_THAT(e.what(), Contains("TLS is required"));
    }
    CHECK(std::chrono::steady_clock::now() - start < 1s);  // no connection attempt

    for (const char* protocol : {"PLAINTEXT", "SASL_PLAINTEXT"}) {
        kflow::client_config plaintext(base);
        plaintext.set("security.protocol", protocol);
        CHECK_THAT(validation_error(plaintext),
                   Contains(std::string("security.protocol is ") + protocol));
    }

    kflow::client_config no_verification(base);
    no_verification.set("security.protocol", "SSL")
        .set("enable.ssl.certificate.verification", "false");
    CHECK_THAT(validation_error(no_verification), Contains("enable.ssl.certificate.verification"));

    kflow::client_config no_hostname(base);
    no_hostname.set("security.protocol", "SASL_SSL")
        .set("sasl.mechanism", "PLAIN")
        .set("ssl.endpoint.identification.algorithm", "none");
    CHECK_THAT(validation_error(no_hostname), Contains("ssl.endpoint.identification.algorithm"));

    kflow::client_config off(no_hostname);
    off.require_tls(false);
    CHECK_NOTHROW(off.validate());
}

TEST_CASE("require_tls accepts SSL and SASL_SSL with verification, and the client is created",
          "[config][strict-tls]") {
    kflow::client_config tls;
    tls.bootstrap_servers("127.0.0.1:9")
        .require_tls()
        .security({.tls = kflow::tls_settings{}, .sasl = std::nullopt});
    CHECK_NOTHROW(tls.validate());
    CHECK_NOTHROW(kflow::producer<std::string, std::string>{quiet_producer(tls)});

    kflow::client_config sasl_ssl;
    sasl_ssl.bootstrap_servers("127.0.0.1:9")
        .require_tls()
        .set("sasl.mechanism", "SCRAM-SHA-512")
        .set("sasl.username", "u")
        .set("sasl.password", "p");  // SASL_SSL inferred
    CHECK_FALSE(sasl_ssl.security_problem().has_value());
    CHECK_NOTHROW(kflow::admin_config(sasl_ssl).native_copy());
}

TEST_CASE("KFLOW_REQUIRE_TLS turns on require_tls from the environment and env files",
          "[config][strict-tls][env]") {
    for (const char* on : {"1", "true", "yes", "TRUE", "Yes"}) {
        INFO(on);
        const auto config = kflow::config_from_env({{"KFLOW_REQUIRE_TLS", on}});
        CHECK(config.tls_required());
        CHECK(config.used_variables() == std::vector<std::string>{"KFLOW_REQUIRE_TLS"});
        CHECK(config.properties().empty());
    }
    for (const char* off : {"0", "false", "no", ""}) {
        INFO(off);
        CHECK_FALSE(kflow::config_from_env({{"KFLOW_REQUIRE_TLS", off}}).tls_required());
    }
    // Whatever the prefix, also one that KFLOW_REQUIRE_TLS itself starts with.
    CHECK(kflow::config_from_env({{"KFLOW_REQUIRE_TLS", "1"}}, "KFLOW_").tls_required());
    CHECK(kflow::config_from_env({{"KFLOW_REQUIRE_TLS", "1"}}, "APP_").tls_required());

    const auto bad = from_env_error({{"KFLOW_REQUIRE_TLS", "maybe"}});
    CHECK_THAT(bad.what(), Contains("KFLOW_REQUIRE_TLS"));

    // Checked when the client is created, so settings added to the result count.
    auto env = kflow::config_from_env(
        {{"KFLOW_REQUIRE_TLS", "1"}, {"KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9"}});
    CHECK_THAT(validation_error(env), Contains("TLS is required"));
    env.set("security.protocol", "SSL");
    CHECK_NOTHROW(env.validate());

    const env_file file("KFLOW_REQUIRE_TLS=yes\nKAFKA_SECURITY_PROTOCOL=PLAINTEXT\n");
    const auto from_file = kflow::config_from_env_file(file.path());
    CHECK(from_file.tls_required());
    CHECK_THAT(validation_error(from_file), Contains("security.protocol is PLAINTEXT"));
}
