#pragma once
// Security settings: TLS and one SASL mechanism, described as plain values, checked for
// consistency as a whole, then turned into librdkafka properties in one step.
//
//     auto cfg = kflow::client_config{}
//                    .bootstrap_servers("broker:9093")
//                    .security({.tls = kflow::tls_settings{.ca_location = "/etc/kafka/ca.pem"},
//                               .sasl = kflow::sasl_scram{.username = "app", .password = pw}});
//
// Why values first and properties second: a wrong combination (a client key without its
// certificate, SCRAM without a password, two CA sources) is caught with a message naming the
// fields, before librdkafka sees a half-configured client and fails at connect time, or not at all.
// Certificate and hostname verification are on unless switched off explicitly.

#include <kflow/callbacks.hpp>
#include <kflow/config.hpp>
#include <kflow/error.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kflow {

/// TLS to the brokers (security.protocol SSL, or SASL_SSL with a SASL mechanism). Empty strings
/// mean "not set". Without a CA, librdkafka uses the system's trusted CAs.
struct tls_settings {
    // Every member has an initializer so that designated initializers may leave any out
    // (GCC 12 warns about omitted members without one under -Wextra).
    std::string ca_location{};           ///< CA file or directory (ssl.ca.location)
    std::string ca_pem{};                ///< CA certificate(s) as PEM text (ssl.ca.pem)
    std::string certificate_location{};  ///< client certificate file (ssl.certificate.location)
    std::string certificate_pem{};       ///< client certificate as PEM text (ssl.certificate.pem)
    std::string key_location{};          ///< client private key file (ssl.key.location)
    std::string key_pem{};               ///< client private key as PEM (ssl.key.pem), secret
    std::string key_password{};          ///< passphrase of an encrypted key, secret
    /// Verify the broker's certificate chain (enable.ssl.certificate.verification).
    bool verify_certificate = true;
    /// Verify that the broker's certificate names the host connected to
    /// (ssl.endpoint.identification.algorithm=https). Needs verify_certificate.
    bool verify_hostname = true;
};

/// SASL/PLAIN: username and password, sent as they are, so use it over TLS.
struct sasl_plain {
    std::string username{};  ///< sasl.username; must not be empty
    std::string password{};  ///< sasl.password, must not be empty; secret
};

/// A SCRAM mechanism, numbered as Kafka numbers them (the SCRAM credential admin calls send
/// these numbers).
enum class scram_mechanism { sha256 = 1, sha512 = 2 };

/// "SCRAM-SHA-256", "SCRAM-SHA-512"; "unknown" for a number kflow does not know.
[[nodiscard]] constexpr std::string_view to_string(scram_mechanism m) noexcept {
    switch (m) {
        case scram_mechanism::sha256:
            return "SCRAM-SHA-256";
        case scram_mechanism::sha512:
            return "SCRAM-SHA-512";
    }
    return "unknown";
}

/// SASL/SCRAM-SHA-256 or SCRAM-SHA-512: the password never crosses the wire.
struct sasl_scram {
    /// sasl.mechanism: SCRAM-SHA-256 unless SHA-512 is asked for, as a bare "SCRAM" means
    /// everywhere in kflow. The user needs a SCRAM credential for this mechanism on the cluster
    /// (see admin_client::alter_user_scram_credentials).
    scram_mechanism mechanism = scram_mechanism::sha256;
    std::string username{};  ///< sasl.username; must not be empty
    std::string password{};  ///< sasl.password, must not be empty; secret
};

/// Produces an OAUTHBEARER token when librdkafka needs one; receives sasl.oauthbearer.config.
/// It runs on the thread that polls the client; a thrown exception fails that refresh, and
/// librdkafka retries later.
using oauthbearer_token_source = std::function<oauthbearer_token(std::string_view config)>;

/// SASL/OAUTHBEARER with tokens the application provides (its own identity provider, AWS MSK
/// IAM, ...), through the client's token-refresh hook.
struct sasl_oauthbearer {
    /// Called whenever librdkafka needs a token: when the client starts, and again before the
    /// current one expires. Must be set; installed as the client's oauthbearer_token_refresh.
    oauthbearer_token_source token_source{};
    std::string config{};  ///< handed to token_source (sasl.oauthbearer.config), secret
};

/// SASL/OAUTHBEARER where librdkafka itself fetches tokens from an OpenID Connect provider
/// with the client-credentials grant (sasl.oauthbearer.method=oidc). Needs a librdkafka built
/// with libcurl: see oidc_supported().
struct sasl_oauthbearer_oidc {
    std::string token_endpoint_url{};                 ///< sasl.oauthbearer.token.endpoint.url
    std::string client_id{};                          ///< sasl.oauthbearer.client.id
    std::string client_secret{};                      ///< sasl.oauthbearer.client.secret, secret
    std::string scope{};                              ///< sasl.oauthbearer.scope (optional)
    std::map<std::string, std::string> extensions{};  ///< sasl.oauthbearer.extensions (optional)
};

/// SASL/GSSAPI (Kerberos). librdkafka runs kinit_cmd at start-up and then periodically to keep
/// a ticket, so it needs either a keytab or a command of your own.
struct sasl_gssapi {
    std::string service_name = "kafka";  ///< the brokers' Kerberos service name
    std::string principal{};             ///< this client's principal (empty: "kafkaclient")
    std::string keytab{};                ///< sasl.kerberos.keytab
    std::string kinit_cmd{};             ///< sasl.kerberos.kinit.cmd (empty: librdkafka's)
    /// Minimum time between ticket refreshes; 0 turns automatic refresh off.
    std::optional<std::chrono::milliseconds> min_time_before_relogin{};
};

/// One SASL mechanism with its settings; the alternative held selects sasl.mechanism.
using sasl_settings =
    std::variant<sasl_plain, sasl_scram, sasl_oauthbearer, sasl_oauthbearer_oidc, sasl_gssapi>;

/// True when the linked librdkafka can fetch OIDC tokens itself (it was built with libcurl).
/// Debian's librdkafka 2.0.2 package is not: there, provide tokens with sasl_oauthbearer.
[[nodiscard]] inline bool oidc_supported() {
    detail::conf_handle probe(rd_kafka_conf_new());
    char errstr[256] = {0};
    return rd_kafka_conf_set(probe.get(), "sasl.oauthbearer.method", "oidc", errstr,
                             sizeof errstr) == RD_KAFKA_CONF_OK;
}

namespace detail {

[[nodiscard]] inline std::optional<std::string> tls_problem(const tls_settings& t) {
    if (!t.ca_location.empty() && !t.ca_pem.empty()) {
        return "tls: both ca_location (ssl.ca.location) and ca_pem (ssl.ca.pem) are set; give one";
    }
    if (!t.certificate_location.empty() && !t.certificate_pem.empty()) {
        return "tls: both certificate_location and certificate_pem are set; give one";
    }
    if (!t.key_location.empty() && !t.key_pem.empty()) {
        return "tls: both key_location and key_pem are set; give one";
    }
    const bool has_cert = !t.certificate_location.empty() || !t.certificate_pem.empty();
    const bool has_key = !t.key_location.empty() || !t.key_pem.empty();
    if (has_cert && !has_key) {
        return "tls: a client certificate without its private key (set key_location or "
               "key_pem for mTLS)";
    }
    if (has_key && !has_cert) {
        return "tls: a client private key without its certificate (set certificate_location or "
               "certificate_pem for mTLS)";
    }
    if (!t.key_password.empty() && !has_key) {
        return "tls: key_password is set but there is no private key";
    }
    if (t.verify_hostname && !t.verify_certificate) {
        return "tls: verify_hostname is on but verify_certificate is off; a hostname check "
               "without a verified certificate proves nothing, so turn both off explicitly";
    }
    return std::nullopt;
}

[[nodiscard]] inline std::optional<std::string> credentials_problem(std::string_view mechanism,
                                                                    const std::string& username,
                                                                    const std::string& password) {
    if (username.empty())
        return "sasl " + std::string(mechanism) + ": username is empty";
    if (password.empty())
        return "sasl " + std::string(mechanism) + ": password is empty";
    return std::nullopt;
}

[[nodiscard]] inline std::optional<std::string> sasl_problem(const sasl_plain& s) {
    return credentials_problem("PLAIN", s.username, s.password);
}
[[nodiscard]] inline std::optional<std::string> sasl_problem(const sasl_scram& s) {
    return credentials_problem(to_string(s.mechanism), s.username, s.password);
}
[[nodiscard]] inline std::optional<std::string> sasl_problem(const sasl_oauthbearer& s) {
    if (!s.token_source) {
        return "sasl OAUTHBEARER: no token_source; the application must provide tokens (or use "
               "sasl_oauthbearer_oidc)";
    }
    return std::nullopt;
}
[[nodiscard]] inline std::optional<std::string> sasl_problem(const sasl_oauthbearer_oidc& s) {
    if (s.token_endpoint_url.empty())
        return "sasl OAUTHBEARER/OIDC: token_endpoint_url is empty";
    if (s.client_id.empty())
        return "sasl OAUTHBEARER/OIDC: client_id is empty";
    if (s.client_secret.empty())
        return "sasl OAUTHBEARER/OIDC: client_secret is empty";
    for (const auto& [key, value] : s.extensions) {
        // librdkafka takes them as "k1=v1,k2=v2": these characters cannot be escaped.
        if (key.empty() || key.find_first_of("=,") != std::string::npos) {
            return "sasl OAUTHBEARER/OIDC: extension key '" + key +
                   "' is empty or contains '=' or ','";
        }
        if (value.find(',') != std::string::npos) {
            return "sasl OAUTHBEARER/OIDC: the value of extension '" + key + "' contains ','";
        }
    }
    return std::nullopt;
}
[[nodiscard]] inline std::optional<std::string> sasl_problem(const sasl_gssapi& s) {
    if (s.service_name.empty())
        return "sasl GSSAPI: service_name is empty";
    if (s.keytab.empty() && s.kinit_cmd.empty()) {
        // librdkafka's default kinit command needs the keytab and fails at client creation.
        return "sasl GSSAPI: set keytab (sasl.kerberos.keytab), or kinit_cmd "
               "(sasl.kerberos.kinit.cmd) when tickets come from elsewhere";
    }
    return std::nullopt;
}

template <class D>
void apply_tls(const tls_settings& t, basic_config<D>& c) {
    if (!t.ca_location.empty())
        c.set("ssl.ca.location", t.ca_location);
    if (!t.ca_pem.empty())
        c.set("ssl.ca.pem", t.ca_pem);
    if (!t.certificate_location.empty())
        c.set("ssl.certificate.location", t.certificate_location);
    if (!t.certificate_pem.empty())
        c.set("ssl.certificate.pem", t.certificate_pem);
    if (!t.key_location.empty())
        c.set("ssl.key.location", t.key_location);
    if (!t.key_pem.empty())
        c.set("ssl.key.pem", t.key_pem);
    if (!t.key_password.empty())
        c.set("ssl.key.password", t.key_password);
    // Set even where they match librdkafka's defaults: the intent is visible in to_string(),
    // and an older or differently built librdkafka cannot weaken them.
    c.set("enable.ssl.certificate.verification", t.verify_certificate ? "true" : "false");
    c.set("ssl.endpoint.identification.algorithm", t.verify_hostname ? "https" : "none");
}

template <class D>
void apply_sasl(const sasl_plain& s, basic_config<D>& c) {
    c.set("sasl.mechanism", "PLAIN").set("sasl.username", s.username);
    c.set("sasl.password", s.password);
}

template <class D>
void apply_sasl(const sasl_scram& s, basic_config<D>& c) {
    c.set("sasl.mechanism", to_string(s.mechanism)).set("sasl.username", s.username);
    c.set("sasl.password", s.password);
}

template <class D>
void apply_sasl(const sasl_oauthbearer& s, basic_config<D>& c) {
    c.set("sasl.mechanism", "OAUTHBEARER");
    if (!s.config.empty())
        c.set("sasl.oauthbearer.config", s.config);
    c.on_oauthbearer_token_refresh(s.token_source);
}

template <class D>
void apply_sasl(const sasl_oauthbearer_oidc& s, basic_config<D>& c) {
    if (!oidc_supported()) {
        throw kafka_error(make_error_code(errc::unsupported_by_librdkafka),
                          "sasl OAUTHBEARER/OIDC: the linked librdkafka " +
                              std::string(rd_kafka_version_str()) +
                              " was built without OIDC support (it needs libcurl); provide "
                              "tokens with kflow::sasl_oauthbearer instead");
    }
    c.set("sasl.mechanism", "OAUTHBEARER").set("sasl.oauthbearer.method", "oidc");
    c.set("sasl.oauthbearer.token.endpoint.url", s.token_endpoint_url);
    c.set("sasl.oauthbearer.client.id", s.client_id);
    c.set("sasl.oauthbearer.client.secret", s.client_secret);
    if (!s.scope.empty())
        c.set("sasl.oauthbearer.scope", s.scope);
    if (!s.extensions.empty()) {
        std::string joined;
        for (const auto& [key, value] : s.extensions) {
            if (!joined.empty())
                joined += ',';
            joined += key + '=' + value;
        }
        c.set("sasl.oauthbearer.extensions", joined);
    }
}

template <class D>
void apply_sasl(const sasl_gssapi& s, basic_config<D>& c) {
    c.set("sasl.mechanism", "GSSAPI").set("sasl.kerberos.service.name", s.service_name);
    if (!s.principal.empty())
        c.set("sasl.kerberos.principal", s.principal);
    if (!s.keytab.empty())
        c.set("sasl.kerberos.keytab", s.keytab);
    if (!s.kinit_cmd.empty())
        c.set("sasl.kerberos.kinit.cmd", s.kinit_cmd);
    if (s.min_time_before_relogin) {
        c.set("sasl.kerberos.min.time.before.relogin",
              std::to_string(s.min_time_before_relogin->count()));
    }
}

}  // namespace detail

/// Optional TLS plus an optional SASL mechanism; the pair decides security.protocol:
/// neither PLAINTEXT, TLS only SSL, SASL only SASL_PLAINTEXT, both SASL_SSL.
struct security {
    std::optional<tls_settings> tls{};    ///< TLS to the brokers; std::nullopt: plaintext
    std::optional<sasl_settings> sasl{};  ///< the SASL mechanism; std::nullopt: no SASL

    /// The security.protocol these settings select.
    [[nodiscard]] std::string_view protocol() const noexcept {
        if (tls)
            return sasl ? "SASL_SSL" : "SSL";
        return sasl ? "SASL_PLAINTEXT" : "PLAINTEXT";
    }

    /// What is inconsistent or missing, or std::nullopt when the settings can be applied.
    [[nodiscard]] std::optional<std::string> problem() const {
        if (tls) {
            if (auto p = detail::tls_problem(*tls))
                return p;
        }
        if (sasl) {
            return std::visit([](const auto& s) { return detail::sasl_problem(s); }, *sasl);
        }
        return std::nullopt;
    }

    /// Throws kafka_error(errc::invalid_config) naming what is inconsistent or missing.
    void validate() const {
        if (auto p = problem()) {
            throw kafka_error(make_error_code(errc::invalid_config),
                              "invalid security settings: " + *p);
        }
    }

    /// Validates, then sets security.protocol and the TLS/SASL properties on `config` (and the
    /// token-refresh hook for sasl_oauthbearer). All or nothing: if anything is rejected,
    /// `config` is left as it was.
    template <class D>
    void apply_to(basic_config<D>& config) const {
        validate();
        D staged(static_cast<const D&>(config));
        staged.set("security.protocol", protocol());
        if (tls)
            detail::apply_tls(*tls, staged);
        if (sasl)
            std::visit([&](const auto& s) { detail::apply_sasl(s, staged); }, *sasl);
        static_cast<D&>(config) = std::move(staged);
    }
};

template <class Derived>
Derived& basic_config<Derived>::security(const kflow::security& settings) {
    settings.apply_to(*this);
    return self();
}

}  // namespace kflow
