#pragma once

#include <kflow/admin/options.hpp>
#include <kflow/config.hpp>

namespace kflow {

/// Admin client configuration: the common client properties (bootstrap.servers, security,
/// client.id, ...) plus the default admin_options, used by the client's own operations (those
/// made through admin_client::with() use the options given there).
///
/// The client copies it, so changing the config afterwards does not affect a client already
/// built from it. A bad key or value throws kafka_error (errc::invalid_config) from the setter;
/// a combination librdkafka rejects throws the same from the admin_client constructor.
class admin_config : public basic_config<admin_config> {
  public:
    /// An empty configuration: librdkafka's defaults, and admin_options() as default options
    /// (30 s request and operation timeouts). Set at least bootstrap_servers().
    admin_config() = default;
    /// Starts from shared client properties (a preset, from_env(), a security builder).
    explicit admin_config(const client_config& base) : basic_config(base) {}

    /// The options of the client's own operations (replaces all of them, including
    /// validate_only and require_stable_offsets).
    admin_config& default_options(const admin_options& options) {
        default_options_ = options;
        return *this;
    }
    /// The options the client's own operations will use; admin_client::defaults() returns the
    /// client's copy.
    [[nodiscard]] const admin_options& default_options() const noexcept { return default_options_; }

    /// The request timeout of the client's own operations (default 30 s).
    admin_config& request_timeout(std::chrono::milliseconds t) {
        default_options_.request_timeout = t;
        return *this;
    }
    /// The operation timeout of the client's own operations (default 30 s).
    admin_config& operation_timeout(std::chrono::milliseconds t) {
        default_options_.operation_timeout = t;
        return *this;
    }

  private:
    admin_options default_options_;
};

}  // namespace kflow
