#pragma once
// Admin client configuration: the common client properties plus the default admin_options.

#include <kflow/admin_options.hpp>
#include <kflow/config.hpp>

namespace kflow {

class admin_config : public basic_config<admin_config> {
  public:
    admin_config() = default;
    /// Starts from shared client properties (a preset, from_env(), a security builder).
    explicit admin_config(const client_config& base) : basic_config(base) {}

    /// The options used by calls that do not pass their own.
    admin_config& default_options(const admin_options& options) {
        default_options_ = options;
        return *this;
    }
    [[nodiscard]] const admin_options& default_options() const noexcept { return default_options_; }

    /// The request timeout of calls that do not pass their own admin_options (default 30 s).
    admin_config& request_timeout(std::chrono::milliseconds t) {
        default_options_.request_timeout = t;
        return *this;
    }
    /// The operation timeout of calls that do not pass their own admin_options (default 30 s).
    admin_config& operation_timeout(std::chrono::milliseconds t) {
        default_options_.operation_timeout = t;
        return *this;
    }

  private:
    admin_options default_options_;
};

}  // namespace kflow
