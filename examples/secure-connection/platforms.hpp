#pragma once
// One kflow preset per platform, filled from environment variables. A missing or malformed
// variable throws missing_setting naming the variable, never its value.

#include <kflow/presets.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace example {

/// A variable the platform needs is unset, or holds a value it cannot use.
struct missing_setting : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct platform {
    std::string_view name;
    std::string_view description;
    std::string_view variables;  ///< for --help-platforms
};

inline constexpr std::array<platform, 9> platforms{{
    {"mock", "an embedded mock Kafka cluster, plaintext (no TLS, no SASL)", "none"},
    {"apache-kafka-scram", "Apache Kafka, SASL/SCRAM over TLS: presets::apache_kafka",
     "KAFKA_BOOTSTRAP_SERVERS, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD; optional\n"
     "      KAFKA_SASL_MECHANISM (SCRAM-SHA-256, the default, or SCRAM-SHA-512),\n"
     "      KAFKA_SSL_CA_LOCATION (a private CA), KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT\n"
     "      (a listener without TLS: test clusters only)"},
    {"apache-kafka-mtls", "Apache Kafka, mutual TLS: presets::apache_kafka",
     "KAFKA_BOOTSTRAP_SERVERS, KAFKA_SSL_CERTIFICATE_LOCATION, KAFKA_SSL_KEY_LOCATION;\n"
     "      optional KAFKA_SSL_KEY_PASSWORD, KAFKA_SSL_CA_LOCATION"},
    {"confluent-cloud", "Confluent Cloud, SASL/PLAIN over TLS: presets::confluent_cloud",
     "KAFKA_BOOTSTRAP_SERVERS, CONFLUENT_API_KEY, CONFLUENT_API_SECRET"},
    {"redpanda", "Redpanda (Cloud), SASL/SCRAM over TLS: presets::redpanda_cloud",
     "KAFKA_BOOTSTRAP_SERVERS, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD; optional\n"
     "      KAFKA_SASL_MECHANISM (SCRAM-SHA-256, the default, or SCRAM-SHA-512),\n"
     "      KAFKA_SSL_CA_LOCATION, KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT (self-hosted\n"
     "      without TLS)"},
    {"aws-msk-scram", "Amazon MSK, SASL/SCRAM-SHA-512 over TLS (port 9096): presets::aws_msk_scram",
     "KAFKA_BOOTSTRAP_SERVERS, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD"},
    {"aws-msk-tls",
     "Amazon MSK over TLS (port 9094), mutual with a certificate: presets::aws_msk_tls",
     "KAFKA_BOOTSTRAP_SERVERS; optional KAFKA_SSL_CERTIFICATE_LOCATION and\n"
     "      KAFKA_SSL_KEY_LOCATION (both, for mTLS), KAFKA_SSL_KEY_PASSWORD, "
     "KAFKA_SSL_CA_LOCATION"},
    {"aws-msk-iam",
     "Amazon MSK with IAM, SASL/OAUTHBEARER over TLS (port 9098): presets::aws_msk_iam",
     "KAFKA_BOOTSTRAP_SERVERS and one of MSK_IAM_TOKEN_COMMAND (a command printing a signed\n"
     "      token on its first line and, optionally, its expiry in ms since the epoch on the\n"
     "      second; run at each refresh) or MSK_IAM_TOKEN (a signed token, used until it expires)"},
    {"azure-event-hubs", "Azure Event Hubs' Kafka endpoint: presets::azure_event_hubs",
     "EVENTHUBS_CONNECTION_STRING (Endpoint=sb://NAMESPACE.servicebus.windows.net/;\n"
     "      SharedAccessKeyName=...;SharedAccessKey=...)"},
}};

[[nodiscard]] inline const platform* find_platform(std::string_view name) {
    for (const auto& p : platforms) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

/// The variable's value; an empty variable counts as unset, as in kflow::config_from_env.
[[nodiscard]] inline std::optional<std::string> env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0')
        return std::nullopt;
    return std::string(value);
}

[[nodiscard]] inline std::string required(const char* name, std::string_view platform_name) {
    if (auto value = env(name))
        return *value;
    throw missing_setting(std::string(name) + " is not set (needed by --platform " +
                          std::string(platform_name) + ")");
}

/// KAFKA_SASL_MECHANISM as a SCRAM variant: SCRAM-SHA-256 unless SHA-512 is asked for.
[[nodiscard]] inline kflow::scram_mechanism scram_from_env() {
    const auto value = env("KAFKA_SASL_MECHANISM");
    if (!value || *value == "SCRAM" || *value == "SCRAM-SHA-256")
        return kflow::scram_mechanism::sha256;
    if (*value == "SCRAM-SHA-512")
        return kflow::scram_mechanism::sha512;
    throw missing_setting("KAFKA_SASL_MECHANISM='" + *value +
                          "': this platform takes SCRAM-SHA-256 or SCRAM-SHA-512");
}

/// TLS unless KAFKA_SECURITY_PROTOCOL asks for SASL_PLAINTEXT.
[[nodiscard]] inline bool sasl_over_tls_from_env() {
    const auto value = env("KAFKA_SECURITY_PROTOCOL");
    if (!value || *value == "SASL_SSL")
        return true;
    if (*value == "SASL_PLAINTEXT")
        return false;
    throw missing_setting("KAFKA_SECURITY_PROTOCOL='" + *value +
                          "': this platform takes SASL_SSL (the default) or SASL_PLAINTEXT");
}

[[nodiscard]] inline kflow::tls_settings tls_from_env(bool client_certificate_required,
                                                      std::string_view platform_name) {
    kflow::tls_settings tls;
    tls.ca_location = env("KAFKA_SSL_CA_LOCATION").value_or("");
    if (client_certificate_required) {
        tls.certificate_location = required("KAFKA_SSL_CERTIFICATE_LOCATION", platform_name);
        tls.key_location = required("KAFKA_SSL_KEY_LOCATION", platform_name);
    } else {
        tls.certificate_location = env("KAFKA_SSL_CERTIFICATE_LOCATION").value_or("");
        tls.key_location = env("KAFKA_SSL_KEY_LOCATION").value_or("");
    }
    tls.key_password = env("KAFKA_SSL_KEY_PASSWORD").value_or("");
    return tls;
}

/// Splits a token command's output: the token, then optionally the expiry (ms since epoch).
[[nodiscard]] inline kflow::oauthbearer_token token_from_text(const std::string& text) {
    const auto newline = text.find('\n');
    std::string value = text.substr(0, newline);
    while (!value.empty() && (value.back() == '\r' || value.back() == ' '))
        value.pop_back();
    if (value.empty())
        throw std::runtime_error("MSK IAM token: the token is empty");
    // Without an expiry, assume MSK's usual 15 minutes: librdkafka refreshes before then.
    auto expiry = std::chrono::system_clock::now() + std::chrono::minutes(15);
    if (newline != std::string::npos) {
        const std::string rest = text.substr(newline + 1);
        char* end = nullptr;
        const long long ms = std::strtoll(rest.c_str(), &end, 10);
        if (end != rest.c_str() && ms > 0)
            expiry = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
    }
    return {std::move(value), expiry, "kflow-secure-connection", {}};
}

/// Runs `command` and reads the token it prints. Its output is never echoed: it is a secret.
[[nodiscard]] inline kflow::oauthbearer_token token_from_command(const std::string& command) {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe)
        throw std::runtime_error("MSK IAM token: cannot run MSK_IAM_TOKEN_COMMAND");
    std::string out;
    std::array<char, 4096> buffer{};
    while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe.get()))
        out.append(buffer.data(), n);
    if (pclose(pipe.release()) != 0)
        throw std::runtime_error("MSK IAM token: MSK_IAM_TOKEN_COMMAND failed");
    return token_from_text(out);
}

/// The preset for `name`, its bootstrap servers `bootstrap` when not empty (else the
/// platform's variables say). Not for "mock".
[[nodiscard]] inline kflow::client_config preset_from_env(std::string_view name,
                                                          const std::string& bootstrap) {
    namespace presets = kflow::presets;
    const auto servers = [&] {
        return bootstrap.empty() ? required("KAFKA_BOOTSTRAP_SERVERS", name) : bootstrap;
    };
    // KAFKA_USERNAME and KAFKA_PASSWORD are the aliases config_from_env reads too.
    const auto either = [&](const char* canonical, const char* alias) {
        if (auto value = env(canonical))
            return *value;
        if (auto value = env(alias))
            return *value;
        return required(canonical, name);
    };
    const auto user = [&] { return either("KAFKA_SASL_USERNAME", "KAFKA_USERNAME"); };
    const auto password = [&] { return either("KAFKA_SASL_PASSWORD", "KAFKA_PASSWORD"); };
    if (name == "apache-kafka-scram" || name == "redpanda") {
        kflow::security settings{.tls = std::nullopt,
                                 .sasl = kflow::sasl_scram{scram_from_env(), user(), password()}};
        if (sasl_over_tls_from_env())
            settings.tls = tls_from_env(false, name);
        return name == "redpanda" ? presets::redpanda(servers(), settings)
                                  : presets::apache_kafka(servers(), settings);
    }
    if (name == "apache-kafka-mtls")
        return presets::apache_kafka(servers(), {.tls = tls_from_env(true, name), .sasl = {}});
    if (name == "confluent-cloud") {
        return presets::confluent_cloud(servers(), required("CONFLUENT_API_KEY", name),
                                        required("CONFLUENT_API_SECRET", name));
    }
    if (name == "aws-msk-scram")
        return presets::aws_msk_scram(servers(), user(), password());
    if (name == "aws-msk-tls")
        return presets::aws_msk_tls(servers(), tls_from_env(false, name));
    if (name == "aws-msk-iam") {
        kflow::oauthbearer_token_source source;
        if (auto command = env("MSK_IAM_TOKEN_COMMAND")) {
            source = [command = *command](std::string_view) { return token_from_command(command); };
        } else if (auto token = env("MSK_IAM_TOKEN")) {
            source = [token = *token](std::string_view) { return token_from_text(token); };
        } else {
            throw missing_setting(
                "neither MSK_IAM_TOKEN_COMMAND nor MSK_IAM_TOKEN is set (needed by --platform "
                "aws-msk-iam: kflow does not sign IAM tokens itself)");
        }
        return presets::aws_msk_iam(servers(), std::move(source));
    }
    if (name == "azure-event-hubs") {
        auto c = presets::azure_event_hubs(required("EVENTHUBS_CONNECTION_STRING", name));
        if (!bootstrap.empty())
            c.bootstrap_servers(bootstrap);
        return c;
    }
    throw missing_setting("unknown platform '" + std::string(name) + "'");
}

}  // namespace example
