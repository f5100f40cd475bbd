#pragma once
// Ready-made client configs for common Kafka services. Each returns a kflow::client_config to
// hand to producer_config / consumer_config (which add their own safe defaults) or to refine
// with more setters:
//
//     kflow::producer_config cfg(kflow::presets::confluent_cloud(bootstrap, key, secret));
//
// Every preset turns on TLS certificate and hostname verification wherever TLS is used, and
// sets security.protocol explicitly, so printing a config shows how it connects.

#include <kflow/config.hpp>
#include <kflow/error.hpp>
#include <kflow/security.hpp>

#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace kflow::presets {

/// Apache Kafka (or any Kafka-compatible cluster) over plaintext: local and test clusters.
[[nodiscard]] inline client_config apache_kafka(std::string_view bootstrap_servers) {
    client_config c;
    c.bootstrap_servers(bootstrap_servers).security({});
    return c;
}

/// Apache Kafka with TLS and/or SASL, e.g. `{.tls = tls_settings{}, .sasl = sasl_scram{...}}`.
[[nodiscard]] inline client_config apache_kafka(std::string_view bootstrap_servers,
                                                const kflow::security& settings) {
    client_config c;
    c.bootstrap_servers(bootstrap_servers).security(settings);
    return c;
}

/// Confluent Cloud: an API key and secret over SASL_SSL with PLAIN.
[[nodiscard]] inline client_config confluent_cloud(std::string_view bootstrap_servers,
                                                   std::string_view api_key,
                                                   std::string_view api_secret) {
    return apache_kafka(
        bootstrap_servers,
        {.tls = tls_settings{}, .sasl = sasl_plain{std::string(api_key), std::string(api_secret)}});
}

/// Redpanda (self-hosted): speaks the Kafka protocol, so the same settings as apache_kafka.
[[nodiscard]] inline client_config redpanda(std::string_view bootstrap_servers,
                                            const kflow::security& settings = {}) {
    return apache_kafka(bootstrap_servers, settings);
}

/// Redpanda Cloud: SCRAM (SHA-256 unless the cluster says otherwise) over TLS.
[[nodiscard]] inline client_config redpanda_cloud(
    std::string_view bootstrap_servers, std::string_view username, std::string_view password,
    scram_mechanism mechanism = scram_mechanism::sha256) {
    return apache_kafka(bootstrap_servers, {.tls = tls_settings{},
                                            .sasl = sasl_scram{mechanism, std::string(username),
                                                               std::string(password)}});
}

/// Amazon MSK with SASL/SCRAM-SHA-512 over TLS (the brokers' port 9096). MSK's certificates
/// are signed by a public CA, so the system's trusted CAs verify them.
[[nodiscard]] inline client_config aws_msk_scram(std::string_view bootstrap_servers,
                                                 std::string_view username,
                                                 std::string_view password) {
    return apache_kafka(bootstrap_servers,
                        {.tls = tls_settings{},
                         .sasl = sasl_scram{scram_mechanism::sha512, std::string(username),
                                            std::string(password)}});
}

/// Amazon MSK over TLS (port 9094); with a client certificate and key in `tls`, mutual TLS
/// (MSK's "TLS client authentication" through AWS Private CA).
[[nodiscard]] inline client_config aws_msk_tls(std::string_view bootstrap_servers,
                                               tls_settings tls = {}) {
    return apache_kafka(bootstrap_servers, {.tls = std::move(tls), .sasl = std::nullopt});
}

/// Amazon MSK with IAM access control (port 9098): SASL_SSL with OAUTHBEARER, where
/// `token_source` returns a token signed with the application's AWS credentials (as the
/// aws-msk-iam-sasl-signer libraries produce). kflow does not sign tokens itself: it would need
/// the AWS SDK.
[[nodiscard]] inline client_config aws_msk_iam(std::string_view bootstrap_servers,
                                               oauthbearer_token_source token_source) {
    return apache_kafka(bootstrap_servers, {.tls = tls_settings{},
                                            .sasl = sasl_oauthbearer{std::move(token_source), {}}});
}

/// The parts of an Azure Event Hubs connection string kflow needs.
struct event_hubs_connection {
    std::string namespace_host{};     ///< e.g. "my-ns.servicebus.windows.net"
    std::string bootstrap_servers{};  ///< namespace_host + ":9093", the Kafka endpoint
};

namespace detail {

[[nodiscard]] inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

[[nodiscard]] inline std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

[[noreturn]] inline void bad_connection_string(const std::string& why) {
    // Never quote the string itself: it holds the shared access key.
    throw kafka_error(make_error_code(errc::invalid_config),
                      "invalid Azure Event Hubs connection string: " + why);
}

}  // namespace detail

/// Parses "Endpoint=sb://NS.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=..."
/// (a SharedAccessSignature may stand in for the key name and key; EntityPath and other fields
/// are allowed and ignored). Throws kafka_error(errc::invalid_config) naming what is missing or
/// malformed, without quoting the secret.
[[nodiscard]] inline event_hubs_connection parse_event_hubs_connection_string(
    std::string_view connection_string) {
    std::optional<std::string_view> endpoint;
    bool has_key_name = false;
    bool has_key = false;
    bool has_signature = false;
    std::size_t field = 0;
    for (std::string_view rest = connection_string; !rest.empty();) {
        const auto semicolon = rest.find(';');
        const std::string_view part = detail::trim(rest.substr(0, semicolon));
        rest =
            semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
        ++field;
        if (part.empty())
            continue;  // "a=b;;c=d" and a trailing ';' are common
        const auto eq = part.find('=');
        if (eq == std::string_view::npos) {
            detail::bad_connection_string("field " + std::to_string(field) +
                                          " is not of the form Name=Value");
        }
        const std::string_view name = detail::trim(part.substr(0, eq));
        const std::string_view value = detail::trim(part.substr(eq + 1));  // keys end in '='
        if (detail::iequals(name, "Endpoint")) {
            endpoint = value;
        } else if (detail::iequals(name, "SharedAccessKeyName")) {
            has_key_name = !value.empty();
        } else if (detail::iequals(name, "SharedAccessKey")) {
            has_key = !value.empty();
        } else if (detail::iequals(name, "SharedAccessSignature")) {
            has_signature = !value.empty();
        }
    }
    if (!endpoint || endpoint->empty())
        detail::bad_connection_string("Endpoint is missing");
    constexpr std::string_view scheme = "sb://";
    if (endpoint->size() < scheme.size() ||
        !detail::iequals(endpoint->substr(0, scheme.size()), scheme)) {
        detail::bad_connection_string("Endpoint '" + std::string(*endpoint) +
                                      "' does not start with sb://");
    }
    std::string_view host = endpoint->substr(scheme.size());
    while (!host.empty() && host.back() == '/')
        host.remove_suffix(1);
    if (host.empty() || host.find_first_of("/:") != std::string_view::npos) {
        detail::bad_connection_string(
            "Endpoint '" + std::string(*endpoint) +
            "' does not name a namespace host (sb://NAMESPACE.servicebus.windows.net/)");
    }
    if (!has_signature) {
        if (!has_key_name)
            detail::bad_connection_string("SharedAccessKeyName is missing");
        if (!has_key)
            detail::bad_connection_string("SharedAccessKey is missing");
    }
    return {std::string(host), std::string(host) + ":9093"};
}

/// Azure Event Hubs' Kafka endpoint from a namespace or event hub connection string: SASL_SSL
/// with PLAIN, username "$ConnectionString", password the whole connection string (a secret,
/// redacted when printed). Also sets what Microsoft recommends for librdkafka, because Azure
/// closes connections idle for more than 240 s: metadata.max.age.ms and connections.max.idle.ms
/// of 180000 and TCP keep-alives.
[[nodiscard]] inline client_config azure_event_hubs(std::string_view connection_string) {
    // A connection string read from a file often ends in a newline the service would reject.
    const std::string_view trimmed = detail::trim(connection_string);
    const auto parsed = parse_event_hubs_connection_string(trimmed);
    auto c = apache_kafka(
        parsed.bootstrap_servers,
        {.tls = tls_settings{}, .sasl = sasl_plain{"$ConnectionString", std::string(trimmed)}});
    c.set("metadata.max.age.ms", "180000")
        .set("connections.max.idle.ms", "180000")
        .set("socket.keepalive.enable", "true");
    return c;
}

}  // namespace kflow::presets
