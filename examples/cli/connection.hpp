#pragma once
// The connection every command shares: the KAFKA_* variables (kflow::config_from_env), then
// -b and each -X in order, as kcat takes them. Each client made from it reports its errors to
// one watch, which tells an unreachable cluster (exit status 3) from a failed operation (1).

#include "arguments.hpp"
#include "exit_status.hpp"

#include <kflow/config.hpp>
#include <kflow/env_config.hpp>
#include <kflow/error.hpp>

#include <librdkafka/rdkafka.h>

#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kflow_cli {

/// -b and -X, as given before the command.
struct connection_options {
    std::string bootstrap;                                        ///< -b; empty: the environment's
    std::vector<std::pair<std::string, std::string>> properties;  ///< -X KEY=VALUE, in order
};

/// What the clients' error callbacks saw of the cluster. Written from whichever thread serves a
/// client's events, read by the command after its operation returned.
class cluster_watch {
  public:
    /// Records one error a client reported, and tells the user on standard error: every
    /// error once, a connection failure only the first time (librdkafka retries them).
    void record(const kflow::error_info& e) {
        const std::lock_guard lock(mutex_);
        const bool kafka = e.code.category() == kflow::kafka_category();
        const auto code = static_cast<rd_kafka_resp_err_t>(e.code.value());
        if (kafka && code == RD_KAFKA_RESP_ERR__PARTITION_EOF)
            return;
        const bool connection =
            kafka && (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
                      code == RD_KAFKA_RESP_ERR__TRANSPORT || code == RD_KAFKA_RESP_ERR__RESOLVE);
        if (!connection || !connection_failed_)
            std::cerr << "kflow-cli: " << (e.message.empty() ? e.code.message() : e.message)
                      << '\n';
        if (connection) {
            connection_failed_ = true;
            last_connection_error_ = e.message;
        }
    }

    /// True when a connection to a broker failed (refused, reset, name not resolved).
    [[nodiscard]] bool connection_failed() const {
        const std::lock_guard lock(mutex_);
        return connection_failed_;
    }

    /// The last connection failure's message.
    [[nodiscard]] std::string last_connection_error() const {
        const std::lock_guard lock(mutex_);
        return last_connection_error_;
    }

  private:
    mutable std::mutex mutex_;
    bool connection_failed_ = false;
    std::string last_connection_error_;
};

/// The effective configuration and the watch its clients report to.
class connection {
  public:
    /// Builds the configuration; a bad variable or -X property is a usage_error naming it.
    explicit connection(const connection_options& options) {
        try {
            config_ = kflow::config_from_env();
            if (!options.bootstrap.empty())
                config_.bootstrap_servers(options.bootstrap);
            for (const auto& [key, value] : options.properties) {
                config_.set(key, value);
            }
        } catch (const kflow::kafka_error& e) {
            throw usage_error(e.what());
        }
    }

    /// The configuration as built: the environment, -b, -X.
    [[nodiscard]] const kflow::env_config& config() const noexcept { return config_; }

    /// The cluster's bootstrap servers; a usage_error when neither -b nor the environment names
    /// any.
    [[nodiscard]] std::string bootstrap() const {
        auto servers = config_.get("bootstrap.servers").value_or("");
        if (servers.empty()) {
            throw usage_error("no cluster: give -b HOST:PORT or set KAFKA_BOOTSTRAP_SERVERS");
        }
        return servers;
    }

    /// A config of type `Config` (producer_config, consumer_config, admin_config) with every
    /// property of this connection, named `client_id` unless -X or the environment named it,
    /// reporting its errors to the watch.
    template <class Config>
    [[nodiscard]] Config client(std::string_view client_id) const {
        (void)bootstrap();
        Config out(config_);
        if (!out.contains("client.id"))
            out.client_id(client_id);
        out.on_error([watch = watch_](const kflow::error_info& e) { watch->record(e); });
        return out;
    }

    /// What the clients saw of the cluster.
    [[nodiscard]] const cluster_watch& watch() const noexcept { return *watch_; }

    /// The failure for an operation that failed with `err`: unreachable (exit status 3) when it
    /// timed out or lost its connection and no broker could be reached, failed (1) otherwise.
    [[nodiscard]] command_failure failure(const std::string& what,
                                          const kflow::error_info& err) const {
        const bool unreachable =
            watch_->connection_failed() &&
            (err.code == std::errc::timed_out || err.code.value() == RD_KAFKA_RESP_ERR__TRANSPORT ||
             err.code.value() == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN);
        std::string message =
            what + ": " + (err.message.empty() ? err.code.message() : err.message);
        if (unreachable) {
            message += " (cluster unreachable: " + watch_->last_connection_error() + ")";
        }
        return {unreachable ? exit_status::unreachable : exit_status::failed, message};
    }

  private:
    kflow::env_config config_;
    std::shared_ptr<cluster_watch> watch_ = std::make_shared<cluster_watch>();
};

}  // namespace kflow_cli
