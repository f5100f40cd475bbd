#pragma once
// The non-template owner of one rd_kafka_t, shared by producer, consumer and admin cores.
//
// It wires the application callbacks (errors, logs, statistics, OAUTHBEARER refresh) to
// librdkafka's C callbacks. librdkafka invokes them from inside rd_kafka_poll() and friends, on
// the thread that polls; kflow's trampolines never let an exception unwind through librdkafka's
// C frames: they park it in an exception_slot that the polling call rethrows once librdkafka has
// returned.

#include <kflow/callbacks.hpp>
#include <kflow/detail/config.hpp>
#include <kflow/detail/handles.hpp>
#include <kflow/error.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
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
    /// True when an exception waits for rethrow_if_any().
    [[nodiscard]] bool pending() const noexcept { return parked_.load(std::memory_order_acquire); }
    /// Rethrows (and clears) the parked exception, if any. Every poll calls this: when nothing
    /// is parked it is one atomic load, not a lock.
    void rethrow_if_any() {
        if (parked_.load(std::memory_order_acquire)) [[unlikely]]
            rethrow_parked();
    }

  private:
    [[gnu::noinline]] void rethrow_parked() {
        std::exception_ptr e;
        {
            const std::lock_guard lock(mutex_);
            e = std::exchange(first_, nullptr);
            parked_.store(false, std::memory_order_relaxed);
        }
        if (e)
            std::rethrow_exception(e);
    }

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
    KFLOW_DECL client_core(rd_kafka_type_t type, conf_handle conf, client_callbacks callbacks);

    client_core(const client_core&) = delete;
    client_core& operator=(const client_core&) = delete;
    virtual ~client_core() {
        if (callbacks_.observer) {
            try {
                callbacks_.observer->on_client_destroyed(observed_name_);
            } catch (...) {
                // A destructor reports nothing: the observer only loses this notice.
            }
        }
    }

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
    [[nodiscard]] KFLOW_DECL error_info fatal_error() const;

    /// True once an authentication or TLS handshake failure became the client's final state
    /// (security_failure_policy::fail). One atomic load: the send and fetch paths ask it.
    [[nodiscard]] bool security_failed() const noexcept {
        return security_failed_.load(std::memory_order_acquire);
    }
    /// That failure: errc::authentication_failed or errc::tls_handshake_failed, with
    /// librdkafka's reason. Empty while security_failed() is false.
    [[nodiscard]] KFLOW_DECL error_info security_failure() const;
    /// Records a client-level error if it is a security failure and the policy makes those
    /// final; returns true when this call recorded it (the first one).
    KFLOW_DECL bool record_security_failure(int err, const char* reason);
    /// True once, after a security failure was recorded: the caller then purges what the
    /// client still holds (outside librdkafka's callbacks, where purging is safe).
    [[nodiscard]] bool take_purge_request() noexcept {
        return purge_requested_.load(std::memory_order_relaxed) &&
               purge_requested_.exchange(false, std::memory_order_acq_rel);
    }

    /// While on, application callbacks served on the calling thread are kept instead of run,
    /// for run_deferred() on the thread that owns them: a blocking librdkafka call made on a
    /// kflow thread (an async transactional call) serves the queue there, and the application's
    /// callbacks must still run on its executor. Delivery reports are not affected (their
    /// trampolines only record results).
    void defer_callbacks_on_this_thread(bool on) noexcept {
        deferring_thread_.store(on ? std::this_thread::get_id() : std::thread::id(),
                                std::memory_order_release);
    }
    /// Runs the callbacks kept while deferring, in order; what they throw is parked in
    /// callback_errors() as usual.
    void run_deferred() {
        if (has_deferred_.load(std::memory_order_acquire)) [[unlikely]]
            run_deferred_callbacks();
    }

    static client_core& from_opaque(void* opaque) noexcept {
        return *static_cast<client_core*>(opaque);
    }

  protected:
    /// Releases the handle first, for owners that must destroy with special flags.
    kafka_handle& handle() noexcept { return handle_; }

  private:
    KFLOW_DECL static void on_error_trampoline(rd_kafka_t* rk, int err, const char* reason,
                                               void* opaque);

    KFLOW_DECL static void on_log_trampoline(const rd_kafka_t* rk, int level, const char* facility,
                                             const char* message);

    KFLOW_DECL static int on_stats_trampoline(rd_kafka_t* rk, char* json, std::size_t len,
                                              void* opaque);

    /// Hands a client-level error to on_error; without one, to on_log, else to librdkafka's
    /// log, as librdkafka itself logs an error no callback takes.
    KFLOW_DECL void report_error(rd_kafka_t* rk, const error_info& info);

    KFLOW_DECL static void on_oauth_trampoline(rd_kafka_t* rk, const char* oauth_config,
                                               void* opaque);

    /// True on the thread defer_callbacks_on_this_thread() named: keep the callback.
    [[nodiscard]] bool deferring() const noexcept {
        return deferring_thread_.load(std::memory_order_acquire) == std::this_thread::get_id();
    }
    /// Keeps `callback` for run_deferred().
    KFLOW_DECL void defer(std::function<void()> callback);
    KFLOW_DECL void run_deferred_callbacks();
    /// The statistics callbacks' work for one document (on_stats_trampoline, or deferred).
    KFLOW_DECL void handle_statistics(rd_kafka_t* rk, std::string_view text);

    client_callbacks callbacks_;
    std::atomic<std::thread::id> deferring_thread_{};
    std::mutex deferred_mutex_;
    std::vector<std::function<void()>> deferred_;  // guarded by deferred_mutex_
    std::atomic<bool> has_deferred_{false};
    std::string observed_name_;  ///< the handle's name, for the observer's last notice
    exception_slot callback_errors_;
    std::atomic<bool> security_failed_{false};
    std::atomic<bool> purge_requested_{false};
    mutable std::mutex security_mutex_;
    error_info security_failure_;  // guarded by security_mutex_
    kafka_handle handle_;
};

}  // namespace kflow::detail

#if !defined(KFLOW_SEPARATE_COMPILATION)
#include <kflow/detail/impl/client_core.ipp>
#endif
