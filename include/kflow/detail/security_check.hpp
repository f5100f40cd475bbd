#pragma once
// Which security.protocol a config's properties call for, and which combinations contradict
// each other. librdkafka only logs a warning for SASL credentials on a PLAINTEXT or SSL
// connection (and silently ignores TLS files on a plaintext one), so the client would connect
// without the security its configuration describes; kflow refuses such a config instead, before
// a client is created (basic_config::validate(), run by every client's constructor).

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kflow::detail {

/// The properties that give TLS material: with one of them, a connection is meant to use TLS.
inline constexpr std::string_view tls_material_properties[] = {
    "ssl.ca.location",  "ssl.ca.pem",  "ssl.certificate.location", "ssl.certificate.pem",
    "ssl.key.location", "ssl.key.pem", "ssl.keystore.location",
};

/// `value` in upper case: librdkafka reads security.protocol without regard to case.
[[nodiscard]] inline std::string upper_case(std::string_view value) {
    std::string out(value);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    return out;
}

/// The SASL properties set (any `sasl.*` key), in key order.
[[nodiscard]] inline std::vector<std::string> sasl_keys(
    const std::map<std::string, std::string>& properties) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : properties) {
        if (key.starts_with("sasl."))
            keys.push_back(key);
    }
    return keys;
}

/// The TLS material properties set, in key order.
[[nodiscard]] inline std::vector<std::string> tls_material_keys(
    const std::map<std::string, std::string>& properties) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : properties) {
        if (std::find(std::begin(tls_material_properties), std::end(tls_material_properties),
                      key) != std::end(tls_material_properties)) {
            keys.push_back(key);
        }
    }
    return keys;
}

/// "a, b, c".
[[nodiscard]] inline std::string joined(const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& key : keys) {
        if (!out.empty())
            out += ", ";
        out += key;
    }
    return out;
}

/// The security.protocol to use when none is set: SASL_SSL with any sasl.* property (secure by
/// default: a plaintext SASL listener must be asked for as SASL_PLAINTEXT), SSL with TLS
/// material alone, std::nullopt (librdkafka's PLAINTEXT) otherwise. std::nullopt too when
/// security.protocol is set.
[[nodiscard]] inline std::optional<std::string_view> inferred_security_protocol(
    const std::map<std::string, std::string>& properties) {
    if (properties.contains("security.protocol"))
        return std::nullopt;
    if (!sasl_keys(properties).empty())
        return "SASL_SSL";
    if (!tls_material_keys(properties).empty())
        return "SSL";
    return std::nullopt;
}

/// The security.protocol a client built from `properties` uses, in upper case: the one set, or
/// the inferred one, or PLAINTEXT.
[[nodiscard]] inline std::string effective_security_protocol(
    const std::map<std::string, std::string>& properties) {
    if (auto it = properties.find("security.protocol"); it != properties.end())
        return upper_case(it->second);
    return std::string(inferred_security_protocol(properties).value_or("PLAINTEXT"));
}

/// What contradicts itself in `properties`, or, with `require_tls`, what falls short of TLS
/// with verification; std::nullopt when nothing does. Names keys, never values (they may be
/// secrets), except security.protocol's and the verification switches'.
[[nodiscard]] inline std::optional<std::string> security_problem(
    const std::map<std::string, std::string>& properties, bool require_tls) {
    const auto protocol_it = properties.find("security.protocol");
    const bool protocol_set = protocol_it != properties.end();
    const std::string protocol = effective_security_protocol(properties);
    const bool uses_sasl = protocol.starts_with("SASL_");
    const bool uses_tls = protocol == "SSL" || protocol == "SASL_SSL";

    if (const auto keys = sasl_keys(properties); protocol_set && !uses_sasl && !keys.empty()) {
        return joined(keys) + (keys.size() == 1 ? " is" : " are") +
               " set but security.protocol is " + protocol +
               ", which does no SASL: set security.protocol=" +
               (uses_tls ? "SASL_SSL"
                         : "SASL_SSL (or SASL_PLAINTEXT for a plaintext SASL listener)") +
               ", or remove the SASL settings";
    }
    if (const auto keys = tls_material_keys(properties);
        protocol_set && !uses_tls && !keys.empty()) {
        return joined(keys) + (keys.size() == 1 ? " is" : " are") +
               " set but security.protocol is " + protocol + ", which does no TLS: set " +
               "security.protocol=" + (uses_sasl ? "SASL_SSL" : "SSL") +
               ", or remove the TLS settings";
    }
    if (!require_tls)
        return std::nullopt;
    if (!uses_tls) {
        return "TLS is required (require_tls, KFLOW_REQUIRE_TLS) but security.protocol is " +
               protocol + (protocol_set ? "" : " (not set)") +
               ": set security.protocol=SSL or SASL_SSL";
    }
    if (auto it = properties.find("enable.ssl.certificate.verification"); it != properties.end()) {
        const std::string on = upper_case(it->second);
        if (on != "TRUE" && on != "T" && on != "1") {
            return "TLS is required (require_tls, KFLOW_REQUIRE_TLS) but "
                   "enable.ssl.certificate.verification=" +
                   it->second + " accepts any broker certificate";
        }
    }
    if (auto it = properties.find("ssl.endpoint.identification.algorithm");
        it != properties.end() && upper_case(it->second) == "NONE") {
        return "TLS is required (require_tls, KFLOW_REQUIRE_TLS) but "
               "ssl.endpoint.identification.algorithm=none accepts a certificate that does not "
               "name the broker";
    }
    return std::nullopt;
}

}  // namespace kflow::detail
