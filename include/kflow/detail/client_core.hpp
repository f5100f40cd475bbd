#pragma once
// The non-template owner of one rd_kafka_t, shared by producer, consumer and admin cores.
//
// It wires the application callbacks (errors, logs, statistics, OAUTHBEARER refresh) to
// librdkafka's C callbacks. librdkafka invokes them from inside rd_kafka_poll() and friends, on
// the thread that polls; kflow's trampolines never let an exception unwind through librdkafka's
// C frames: they park it in an exception_slot that the polling call rethrows once librdkafka has
// returned.

#include <kflow/callbacks.hpp>
#include <kflow/detail/handles.hpp>
#include <kflow/error.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kflow::detail {

/// The first exception thrown by application code that librdkafka called through C.
class exception_slot {
  public:
    void capture(std::exception_ptr e) noexcept {
        const std::lock_guard lock(mutex_);
        if (!first_) {
            first_ = std::move(e);
            parked_.store(true, std::memory_order_release);
        }
    }
    /// Rethrows (and clears) the parked exception, if any. Every poll calls this: when nothing
    /// is parked it is one atomic load, not a lock.
    void rethrow_if_any() {
        if (!parked_.load(std::memory_order_acquire))
            return;
        std::exception_ptr e;
        {
            const std::lock_guard lock(mutex_);
            e = std::exchange(first_, nullptr);
            parked_.store(false, std::memory_order_relaxed);
        }
        if (e)
            std::rethrow_exception(e);
    }

  private:
    std::mutex mutex_;
    std::exception_ptr first_;
    std::atomic<bool> parked_{false};
};

/// Runs `f` and parks whatever it throws: the body of every C trampoline.
template <class F>
void guarded(exception_slot& slot, F&& f) noexcept {
    try {
        std::forward<F>(f)();
    } catch (...) {
        slot.capture(std::current_exception());
    }
}

inline int to_timeout_ms(std::chrono::milliseconds t) noexcept {
    if (t.count() < 0)
        return -1;
    if (t.count() > std::numeric_limits<int>::max())
        return std::numeric_limits<int>::max();
    return static_cast<int>(t.count());
}

class client_core {
  public:
    /// Creates the client from a prepared conf. The conf stays ours until rd_kafka_new succeeds
    /// (librdkafka only takes it on success), so a failed creation leaks nothing.
    client_core(rd_kafka_type_t type, conf_handle conf, client_callbacks callbacks)
        : callbacks_(std::move(callbacks)) {
        rd_kafka_conf_set_opaque(conf.get(), this);
        if (callbacks_.on_error)
            rd_kafka_conf_set_error_cb(conf.get(), &on_error_trampoline);
        if (callbacks_.on_statistics)
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
    }

    client_core(const client_core&) = delete;
    client_core& operator=(const client_core&) = delete;
    virtual ~client_core() = default;

    [[nodiscard]] rd_kafka_t* native() const noexcept { return handle_.get(); }
    [[nodiscard]] std::string name() const { return rd_kafka_name(handle_.get()); }

    /// Exceptions from application callbacks, rethrown by the call that served them.
    [[nodiscard]] exception_slot& callback_errors() noexcept { return callback_errors_; }
    [[nodiscard]] const client_callbacks& callbacks() const noexcept { return callbacks_; }

    /// Serves the main queue (delivery reports, errors, logs, statistics, token refresh) for up
    /// to `timeout`; returns the number of events served.
    int serve(std::chrono::milliseconds timeout) {
        const int served = rd_kafka_poll(handle_.get(), to_timeout_ms(timeout));
        callback_errors_.rethrow_if_any();
        return served;
    }

    /// The client's fatal error, if it has one.
    [[nodiscard]] error_info fatal_error() const {
        char reason[512] = {0};
        const auto err = rd_kafka_fatal_error(handle_.get(), reason, sizeof reason);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            return {};
        return {make_error_code(err), reason, {true, false, false}};
    }

    static client_core& from_opaque(void* opaque) noexcept {
        return *static_cast<client_core*>(opaque);
    }

  protected:
    /// Releases the handle first, for owners that must destroy with special flags.
    kafka_handle& handle() noexcept { return handle_; }

  private:
    static void on_error_trampoline(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
        auto& self = from_opaque(opaque);
        guarded(self.callback_errors_, [&] {
            error_info info{make_error_code(static_cast<rd_kafka_resp_err_t>(err)), reason, {}};
            if (err == RD_KAFKA_RESP_ERR__FATAL) {
                char fatal_reason[512] = {0};
                const auto code = rd_kafka_fatal_error(rk, fatal_reason, sizeof fatal_reason);
                info = {make_error_code(code), fatal_reason, {true, false, false}};
            }
            self.callbacks_.on_error(info);
        });
    }

    static void on_log_trampoline(const rd_kafka_t* rk, int level, const char* facility,
                                  const char* message) {
        void* opaque = rd_kafka_opaque(rk);
        if (opaque == nullptr)
            return;  // during creation, before the opaque is reachable
        auto& self = from_opaque(opaque);
        guarded(self.callback_errors_, [&] {
            self.callbacks_.on_log(log_entry{level, facility, message});
        });
    }

    static int on_stats_trampoline(rd_kafka_t*, char* json, std::size_t len, void* opaque) {
        auto& self = from_opaque(opaque);
        guarded(self.callback_errors_,
                [&] { self.callbacks_.on_statistics(std::string_view(json, len)); });
        return 0;  // librdkafka frees the JSON
    }

    static void on_oauth_trampoline(rd_kafka_t* rk, const char* oauth_config, void* opaque) {
        auto& self = from_opaque(opaque);
        try {
            const oauthbearer_token token =
                self.callbacks_.oauthbearer_token_refresh(oauth_config ? oauth_config : "");
            std::vector<const char*> ext;
            for (const auto& [k, v] : token.extensions) {
                ext.push_back(k.c_str());
                ext.push_back(v.c_str());
            }
            const auto lifetime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                         token.expiry.time_since_epoch())
                                         .count();
            char errstr[512] = {0};
            if (rd_kafka_oauthbearer_set_token(
                    rk, token.value.c_str(), lifetime_ms, token.principal.c_str(), ext.data(),
                    ext.size(), errstr, sizeof errstr) != RD_KAFKA_RESP_ERR_NO_ERROR) {
                rd_kafka_oauthbearer_set_token_failure(rk, errstr);
            }
        } catch (const std::exception& e) {
            rd_kafka_oauthbearer_set_token_failure(rk, e.what());
        } catch (...) {
            rd_kafka_oauthbearer_set_token_failure(rk, "token refresh callback threw");
        }
    }

    client_callbacks callbacks_;
    exception_slot callback_errors_;
    kafka_handle handle_;
};

}  // namespace kflow::detail
