#pragma once
// Configuration builders.
//
// A config is an ordered set of librdkafka properties plus the application callbacks kflow wires
// to them. Every property is handed to librdkafka (rd_kafka_conf_set) the moment it is set, so a
// bad key or value fails at the line that set it, naming the key, the value (redacted when the
// key holds a secret) and librdkafka's reason. Printing a config never shows a secret.

#include <kflow/callbacks.hpp>
#include <kflow/detail/handles.hpp>
#include <kflow/detail/security_check.hpp>
#include <kflow/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace kflow {

/// True when a property's value is a secret that kflow never prints.
[[nodiscard]] inline bool is_secret_property(std::string_view key) noexcept {
    return key.find("password") != std::string_view::npos ||
           key.find("secret") != std::string_view::npos || key == "ssl.key.pem" ||
           key == "ssl_key" || key == "sasl.oauthbearer.config" ||
           key == "sasl.oauthbearer.assertion" || key == "sasl.oauthbearer.extensions";
}

/// How a secret is shown wherever kflow prints or reports a config value.
inline constexpr std::string_view redacted = "[redacted]";

struct security;  // kflow/security.hpp: TLS and SASL settings applied as one

/// The properties and callbacks shared by every kind of client. Derived builders add typed
/// setters; `Derived` makes every setter return the derived builder, so chains keep their type.
template <class Derived>
class basic_config {
  public:
    /// An empty config: every property at librdkafka's default, no callbacks.
    basic_config() : conf_(rd_kafka_conf_new()) {}
    /// An independent copy: the librdkafka conf is duplicated (rd_kafka_conf_dup), so setting
    /// a property on one copy leaves the other unchanged.
    basic_config(const basic_config& other)
        : conf_(rd_kafka_conf_dup(other.conf_.get())),
          properties_(other.properties_),
          callbacks_(other.callbacks_),
          require_tls_(other.require_tls_) {}
    /// Takes over the conf, properties and callbacks. The moved-from config holds no librdkafka
    /// conf: it may only be assigned to or destroyed.
    basic_config(basic_config&&) noexcept = default;
    /// Copy and move assignment in one (the argument is copied or moved, then swapped in).
    basic_config& operator=(basic_config other) noexcept {
        std::swap(conf_, other.conf_);
        std::swap(properties_, other.properties_);
        std::swap(callbacks_, other.callbacks_);
        std::swap(require_tls_, other.require_tls_);
        return *this;
    }
    ~basic_config() = default;

    /// Copies the properties and callbacks of any other config (e.g. a preset).
    template <class Other>
    explicit basic_config(const basic_config<Other>& other)
        : conf_(rd_kafka_conf_dup(other.native())),
          properties_(other.properties()),
          callbacks_(other.callbacks()),
          require_tls_(other.tls_required()) {}

    /// Sets any librdkafka property (see librdkafka's CONFIGURATION.md). Throws kafka_error with
    /// errc::invalid_config naming the key, the (redacted) value and librdkafka's reason.
    Derived& set(std::string_view key, std::string_view value) {
        if (auto reason = try_set(key, value)) {
            throw kafka_error(make_error_code(errc::invalid_config), *reason);
        }
        return self();
    }

    /// Like set(), but returns the reason instead of throwing; std::nullopt on success.
    [[nodiscard]] std::optional<std::string> try_set(std::string_view key, std::string_view value) {
        const std::string k(key);
        const std::string v = canonical_value(k, value);
        if (k.find('\0') != std::string::npos) {
            // librdkafka reads the key up to the NUL: it would set another property than the
            // one kflow records (and judges secret or not). The value is not shown: it may be.
            return "invalid config key '" + k.substr(0, k.find('\0')) +
                   "\\0...': a key must not contain a NUL byte";
        }
        char errstr[512] = {0};
        const auto res =
            rd_kafka_conf_set(conf_.get(), k.c_str(), v.c_str(), errstr, sizeof errstr);
        if (res != RD_KAFKA_CONF_OK) {
            std::string reason = errstr;
            // Some librdkafka reasons end in a newline; the message continues after them.
            while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) {
                reason.pop_back();
            }
            if (is_secret_property(key) && !v.empty()) {
                // librdkafka quotes the value in some messages: never let a secret through.
                // Search on after each replacement: the value may occur in "[redacted]".
                for (auto pos = reason.find(v); pos != std::string::npos;
                     pos = reason.find(v, pos + redacted.size())) {
                    reason.replace(pos, v.size(), redacted);
                }
            }
            return "invalid config '" + k + "'='" + display_value(k, v) + "': " + reason;
        }
        properties_.insert_or_assign(k, v);
        return std::nullopt;
    }

    /// The value set for `key` through this builder, if any (secrets included: do not print it).
    [[nodiscard]] std::optional<std::string> get(std::string_view key) const {
        if (auto it = properties_.find(std::string(key)); it != properties_.end())
            return it->second;
        return std::nullopt;
    }
    /// True when `key` was set through this builder; a property left at librdkafka's default
    /// is not contained.
    [[nodiscard]] bool contains(std::string_view key) const {
        return properties_.contains(std::string(key));
    }

    /// Every property set through this builder, in key order, with secrets in clear: for tests
    /// and for handing on, never for printing (use to_string()).
    [[nodiscard]] const std::map<std::string, std::string>& properties() const noexcept {
        return properties_;
    }

    /// `key=value` lines, secrets shown as [redacted].
    [[nodiscard]] std::string to_string() const {
        std::string out;
        for (const auto& [k, v] : properties_) {
            out += k;
            out += '=';
            out += display_value(k, v);
            out += '\n';
        }
        return out;
    }
    /// Writes to_string(): one `key=value` line per property, secrets shown as [redacted].
    friend std::ostream& operator<<(std::ostream& os, const basic_config& c) {
        return os << c.to_string();
    }

    // -- Properties every client has ----------------------------------------------------------

    /// `bootstrap.servers`: the brokers to connect to first, as a comma-separated `host:port`
    /// list (e.g. "kafka1:9092,kafka2:9092"); the rest of the cluster is learnt from them.
    Derived& bootstrap_servers(std::string_view servers) {
        return set("bootstrap.servers", servers);
    }
    /// `client.id`: the name brokers log the client under and apply client quotas to
    /// (librdkafka's default: "rdkafka").
    Derived& client_id(std::string_view id) { return set("client.id", id); }
    /// `socket.timeout.ms`: how long a network request may wait for the broker, in ms
    /// (librdkafka: 10 to 300000, default 60000). Out of range, throws kafka_error with
    /// errc::invalid_config.
    Derived& socket_timeout(std::chrono::milliseconds t) { return set_ms("socket.timeout.ms", t); }
    /// `statistics.interval.ms`: how often librdkafka emits its statistics JSON to
    /// on_statistics(), in ms, at a granularity of 1000 ms (0, the default, disables them;
    /// at most 86400000). Out of range, throws kafka_error with errc::invalid_config.
    Derived& statistics_interval(std::chrono::milliseconds t) {
        return set_ms("statistics.interval.ms", t);
    }
    /// librdkafka debug contexts, e.g. "broker,protocol" (see CONFIGURATION.md `debug`).
    Derived& debug(std::string_view contexts) { return set("debug", contexts); }
    /// TLS and SASL settings, checked for consistency and applied as one (see
    /// kflow/security.hpp, included at the end of this header).
    Derived& security(const kflow::security& settings);

    // -- Application callbacks (run on the thread that polls the client, never on librdkafka's) --

    /// Client-level errors (brokers down, authentication failures, fatal errors). Without a
    /// handler, they are logged (to on_log() when set, else as librdkafka logs).
    Derived& on_error(std::function<void(const error_info&)> f) {
        callbacks_.on_error = std::move(f);
        return self();
    }
    /// What the client does when a broker refuses its credentials or the TLS handshake fails:
    /// security_failure_policy::fail (the default) makes it final, reported at once by the
    /// client's calls; keep_retrying keeps librdkafka's reconnecting (kflow/security_failure.hpp).
    Derived& on_security_failure(security_failure_policy policy) {
        callbacks_.on_security_failure = policy;
        return self();
    }
    /// librdkafka's log lines; routed through the client's queue so they arrive on the polling
    /// thread, not on librdkafka's.
    Derived& on_log(std::function<void(const log_entry&)> f) {
        callbacks_.on_log = std::move(f);
        return self();
    }
    /// librdkafka's statistics JSON, every statistics.interval.ms. Picked for a callable taking
    /// std::string_view; one taking `const kflow::metrics::statistics&` picks the typed
    /// overload. A generic lambda (`auto` parameter) fits both and does not compile: name the
    /// parameter's type. Replaces an earlier raw callback; a typed one stays set beside it.
    Derived& on_statistics(std::function<void(std::string_view json)> f) {
        callbacks_.on_statistics = std::move(f);
        return self();
    }
    /// librdkafka's statistics, parsed (kflow/metrics/statistics.hpp), every
    /// statistics.interval.ms, on the thread that polls the client like the raw callback. The
    /// JSON is parsed only when this callback is set. A document that cannot be parsed goes to
    /// on_error() as errc::deserialization_failed (logged when on_error is not set) and this
    /// callback is skipped for it; what the callback throws reaches the poll, as for the raw
    /// one. Replaces an earlier typed callback; a raw one stays set beside it, and runs first.
    Derived& on_statistics(std::function<void(const metrics::statistics& stats)> f) {
        callbacks_.on_typed_statistics = std::move(f);
        return self();
    }
    /// Removes both statistics callbacks (raw and typed).
    Derived& on_statistics(std::nullptr_t) {
        callbacks_.on_statistics = nullptr;
        callbacks_.on_typed_statistics = nullptr;
        return self();
    }
    /// Lets `observer` see the client: its statistics, delivery reports and received records
    /// (kflow/metrics/client_observer.hpp), e.g. a kflow::metrics::prometheus_exporter. A second
    /// observer is called after the first. Turns librdkafka's statistics on every 5 s when
    /// statistics_interval() was not set (set it to 0 to keep them off).
    Derived& observe(std::shared_ptr<metrics::client_observer> observer) {
        if (!observer)
            return self();
        if (callbacks_.observer) {
            observer = std::make_shared<metrics::observer_pair>(std::move(callbacks_.observer),
                                                                std::move(observer));
        }
        callbacks_.observer = std::move(observer);
        if (!get("statistics.interval.ms"))
            set("statistics.interval.ms", "5000");
        return self();
    }
    /// SASL/OAUTHBEARER token source (e.g. AWS MSK IAM, a custom identity provider). Called
    /// when librdkafka needs a token; a thrown exception fails the refresh with its message.
    Derived& on_oauthbearer_token_refresh(std::function<oauthbearer_token(std::string_view)> f) {
        callbacks_.oauthbearer_token_refresh = std::move(f);
        return self();
    }

    /// The application callbacks set through this builder; kflow wires them to librdkafka
    /// when it creates a client.
    [[nodiscard]] const client_callbacks& callbacks() const noexcept { return callbacks_; }

    // -- Security as a whole ------------------------------------------------------------------

    /// Strict TLS, for production: creating a client is refused (kafka_error with
    /// errc::invalid_config) unless security.protocol is SSL or SASL_SSL, with certificate and
    /// hostname verification on. A kflow option, not a librdkafka property; config_from_env()
    /// turns it on for KFLOW_REQUIRE_TLS=1.
    Derived& require_tls(bool on = true) {
        require_tls_ = on;
        return self();
    }
    /// True when require_tls() is on.
    [[nodiscard]] bool tls_required() const noexcept { return require_tls_; }

    /// The security.protocol a client built from this config uses, in upper case: the one set;
    /// else SASL_SSL when a sasl.* property is set, SSL when TLS material is (ssl.ca.location,
    /// ssl.*.pem, ...); else PLAINTEXT.
    [[nodiscard]] std::string security_protocol() const {
        return detail::effective_security_protocol(properties_);
    }
    /// What makes the security settings contradict each other (SASL settings with a
    /// security.protocol that does no SASL, TLS material with one that does no TLS) or, under
    /// require_tls(), fall short of verified TLS; std::nullopt when nothing does.
    [[nodiscard]] std::optional<std::string> security_problem() const {
        return detail::security_problem(properties_, require_tls_);
    }
    /// Throws kafka_error(errc::invalid_config) with security_problem(). Every client's
    /// constructor runs it (through native_copy()) before creating the librdkafka client.
    void validate() const {
        if (auto problem = security_problem()) {
            throw kafka_error(make_error_code(errc::invalid_config),
                              "invalid security configuration: " + *problem);
        }
    }

    /// The validated librdkafka conf (kflow duplicates it when it creates a client).
    [[nodiscard]] const rd_kafka_conf_t* native() const noexcept { return conf_.get(); }
    /// An owned duplicate of the librdkafka conf (rd_kafka_conf_dup), for handing to
    /// rd_kafka_new; kflow takes one each time it creates a client. Runs validate() first, and
    /// sets the inferred security.protocol (security_protocol()) on the copy when none is set.
    [[nodiscard]] detail::conf_handle native_copy() const {
        validate();
        detail::conf_handle copy(rd_kafka_conf_dup(conf_.get()));
        if (const auto protocol = detail::inferred_security_protocol(properties_)) {
            char errstr[512] = {0};
            const std::string value(*protocol);
            if (rd_kafka_conf_set(copy.get(), "security.protocol", value.c_str(), errstr,
                                  sizeof errstr) != RD_KAFKA_CONF_OK) {
                throw kafka_error(make_error_code(errc::invalid_config),
                                  "invalid config 'security.protocol'='" + value + "': " + errstr);
            }
        }
        return copy;
    }

  protected:
    /// Sets a duration property given in milliseconds (a `*.ms` key), as set() does.
    Derived& set_ms(std::string_view key, std::chrono::milliseconds t) {
        return set(key, std::to_string(t.count()));
    }
    /// Sets a boolean property to "true" or "false", as set() does.
    Derived& set_bool(std::string_view key, bool on) { return set(key, on ? "true" : "false"); }
    /// This builder as the derived type, for setters to return.
    Derived& self() noexcept { return static_cast<Derived&>(*this); }

    /// `value` as it may be printed: [redacted] when `key` holds a secret
    /// (is_secret_property()), otherwise `value` itself.
    static std::string display_value(std::string_view key, std::string_view value) {
        return is_secret_property(key) ? std::string(redacted) : std::string(value);
    }

  private:
    /// A bare "SCRAM" mechanism means SCRAM-SHA-256 (librdkafka would refuse it when the
    /// client is created); every other value is kept as given.
    static std::string canonical_value(const std::string& key, std::string_view value) {
        if ((key == "sasl.mechanism" || key == "sasl.mechanisms") &&
            detail::upper_case(value) == "SCRAM") {
            return "SCRAM-SHA-256";
        }
        return std::string(value);
    }

    detail::conf_handle conf_;
    std::map<std::string, std::string> properties_;
    client_callbacks callbacks_;
    bool require_tls_ = false;
};

/// Properties common to every client: what presets, security builders and from_env() produce.
/// Producer, consumer and admin configs are built from one.
class client_config : public basic_config<client_config> {
  public:
    /// basic_config's constructors, including the copy from any other config.
    using basic_config::basic_config;
    /// An empty config: every property at librdkafka's default, no callbacks.
    client_config() = default;
};

}  // namespace kflow

// Defines basic_config::security(), so that it is there wherever a config is.
#include <kflow/security.hpp>
