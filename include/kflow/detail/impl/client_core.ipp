#pragma once
// The out-of-line members of client_core: creation and the C callback trampolines.
// kflow/detail/client_core.hpp includes this file at its end in header-only mode; with
// KFLOW_SEPARATE_COMPILATION only kflow/src.hpp does (see kflow/detail/config.hpp).

#include <kflow/detail/client_core.hpp>
#include <kflow/metrics/statistics_json.hpp>

namespace kflow::detail {

client_core::client_core(rd_kafka_type_t type, conf_handle conf, client_callbacks callbacks)
    : callbacks_(std::move(callbacks)) {
    rd_kafka_conf_set_opaque(conf.get(), this);
    // Authentication and TLS failures reach a client only through the error callback (without
    // one librdkafka logs them), so every client has one; on_error_trampoline logs what no
    // on_error takes, as librdkafka would.
    rd_kafka_conf_set_error_cb(conf.get(), &on_error_trampoline);
    if (callbacks_.on_statistics || callbacks_.on_typed_statistics || callbacks_.observer)
        rd_kafka_conf_set_stats_cb(conf.get(), &on_stats_trampoline);
    if (callbacks_.oauthbearer_token_refresh) {
        rd_kafka_conf_set_oauthbearer_token_refresh_cb(conf.get(), &on_oauth_trampoline);
    }
    if (callbacks_.on_log) {
        // Logs go through the main queue so they are delivered on the polling thread.
        char errstr[256];
        rd_kafka_conf_set(conf.get(), "log.queue", "true", errstr, sizeof errstr);
        rd_kafka_conf_set_log_cb(conf.get(), &on_log_trampoline);
    }
    std::string group_id;
    if (callbacks_.observer && type == RD_KAFKA_CONSUMER) {
        char value[512] = {0};
        std::size_t size = sizeof value;
        if (rd_kafka_conf_get(conf.get(), "group.id", value, &size) == RD_KAFKA_CONF_OK)
            group_id = value;
    }
    char errstr[512] = {0};
    rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
    if (rk == nullptr) {
        throw kafka_error(make_error_code(errc::invalid_config),
                          std::string("cannot create client: ") + errstr);
    }
    (void)conf.release();  // rd_kafka_new took it
    handle_.reset(rk);
    if (callbacks_.on_log)
        rd_kafka_set_log_queue(rk, nullptr);
    if (callbacks_.observer) {
        observed_name_ = rd_kafka_name(rk);
        callbacks_.observer->on_client_created(
            {observed_name_, type == RD_KAFKA_PRODUCER ? "producer" : "consumer", group_id});
    }
}

error_info client_core::fatal_error() const {
    char reason[512] = {0};
    const auto err = rd_kafka_fatal_error(handle_.get(), reason, sizeof reason);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return {};
    return {make_error_code(err), reason, {true, false, false}};
}

error_info client_core::security_failure() const {
    const std::lock_guard lock(security_mutex_);
    return security_failure_;
}

bool client_core::record_security_failure(int err, const char* reason) {
    if (callbacks_.on_security_failure != security_failure_policy::fail)
        return false;
    const auto kind = security_failure_kind(err, reason != nullptr ? reason : "");
    if (!kind)
        return false;
    {
        const std::lock_guard lock(security_mutex_);
        if (security_failed_.load(std::memory_order_relaxed))
            return false;
        const auto code = make_error_code(*kind);
        security_failure_ = {code, code.message() + ": " + (reason != nullptr ? reason : ""), {}};
        security_failed_.store(true, std::memory_order_release);
    }
    purge_requested_.store(true, std::memory_order_release);
    return true;
}

void client_core::on_error_trampoline(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    auto& self = from_opaque(opaque);
    // The poll or flush that serves this error returns early, to report it at once.
    if (self.record_security_failure(err, reason))
        rd_kafka_yield(rk);
    guarded(self.callback_errors_, [&] {
        error_info info{make_error_code(static_cast<rd_kafka_resp_err_t>(err)), reason, {}};
        if (err == RD_KAFKA_RESP_ERR__FATAL) {
            char fatal_reason[512] = {0};
            const auto code = rd_kafka_fatal_error(rk, fatal_reason, sizeof fatal_reason);
            info = {make_error_code(code), fatal_reason, {true, false, false}};
        }
        if (self.deferring()) {
            self.defer([&self, rk, info] { self.report_error(rk, info); });
            return;
        }
        self.report_error(rk, info);
    });
}

void client_core::report_error(rd_kafka_t* rk, const error_info& info) {
    if (callbacks_.on_error) {
        callbacks_.on_error(info);
    } else if (callbacks_.on_log) {
        callbacks_.on_log(log_entry{3, "ERROR", info.message});
    } else {
        // As librdkafka itself logs an error no callback takes.
        const std::string line = name() + ": " + info.message;
        rd_kafka_log_print(rk, 3, "ERROR", line.c_str());
    }
}

void client_core::on_log_trampoline(const rd_kafka_t* rk, int level, const char* facility,
                                    const char* message) {
    void* opaque = rd_kafka_opaque(rk);
    if (opaque == nullptr)
        return;  // during creation, before the opaque is reachable
    auto& self = from_opaque(opaque);
    guarded(self.callback_errors_, [&] {
        if (self.deferring()) {
            self.defer([&self, entry = log_entry{level, facility, message}] {
                self.callbacks_.on_log(entry);
            });
            return;
        }
        self.callbacks_.on_log(log_entry{level, facility, message});
    });
}

int client_core::on_stats_trampoline(rd_kafka_t* rk, char* json, std::size_t len, void* opaque) {
    auto& self = from_opaque(opaque);
    const std::string_view text(json, len);
    if (self.deferring()) {
        guarded(self.callback_errors_, [&] {
            self.defer([&self, rk, copy = std::string(text)] { self.handle_statistics(rk, copy); });
        });
        return 0;  // librdkafka frees the JSON; the deferred call has its copy
    }
    self.handle_statistics(rk, text);
    return 0;  // librdkafka frees the JSON
}

void client_core::defer(std::function<void()> callback) {
    const std::lock_guard lock(deferred_mutex_);
    deferred_.push_back(std::move(callback));
    has_deferred_.store(true, std::memory_order_release);
}

void client_core::run_deferred_callbacks() {
    std::vector<std::function<void()>> ready;
    {
        const std::lock_guard lock(deferred_mutex_);
        ready.swap(deferred_);
        has_deferred_.store(false, std::memory_order_release);
    }
    for (auto& callback : ready)
        guarded(callback_errors_, callback);
}

void client_core::handle_statistics(rd_kafka_t* rk, std::string_view text) {
    auto& self = *this;
    if (self.callbacks_.on_statistics)
        guarded(self.callback_errors_, [&] { self.callbacks_.on_statistics(text); });
    if (self.callbacks_.on_typed_statistics || self.callbacks_.observer) {
        // Parsed only here, when a typed callback or an observer wants it. A document that does
        // not parse is a client-level problem for on_error, not an exception for the
        // application's poll: statistics are a side channel, and the next interval brings a new
        // document.
        guarded(self.callback_errors_, [&] {
            error_info err;
            const auto stats = metrics::parse_statistics(text, err);
            if (err) {
                self.report_error(rk, err);
                return;
            }
            if (self.callbacks_.on_typed_statistics)
                self.callbacks_.on_typed_statistics(stats);
            if (self.callbacks_.observer)
                self.callbacks_.observer->on_statistics(stats);
        });
    }
}

void client_core::on_oauth_trampoline(rd_kafka_t* rk, const char* oauth_config, void* opaque) {
    auto& self = from_opaque(opaque);
    if (self.deferring()) {
        // Refreshed from the owner's thread instead: setting the token later is fine, since
        // librdkafka asks again until it has one.
        guarded(self.callback_errors_, [&] {
            self.defer([rk, opaque, config = std::string(oauth_config ? oauth_config : "")] {
                on_oauth_trampoline(rk, config.c_str(), opaque);
            });
        });
        return;
    }
    try {
        const oauthbearer_token token =
            self.callbacks_.oauthbearer_token_refresh(oauth_config ? oauth_config : "");
        std::vector<const char*> ext;
        for (const auto& [k, v] : token.extensions) {
            ext.push_back(k.c_str());
            ext.push_back(v.c_str());
        }
        const auto lifetime_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(token.expiry.time_since_epoch())
                .count();
        char errstr[512] = {0};
        if (rd_kafka_oauthbearer_set_token(rk, token.value.c_str(), lifetime_ms,
                                           token.principal.c_str(), ext.data(), ext.size(), errstr,
                                           sizeof errstr) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_oauthbearer_set_token_failure(rk, errstr);
        }
    } catch (const std::exception& e) {
        rd_kafka_oauthbearer_set_token_failure(rk, e.what());
    } catch (...) {
        rd_kafka_oauthbearer_set_token_failure(rk, "token refresh callback threw");
    }
}

}  // namespace kflow::detail
