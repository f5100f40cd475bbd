#pragma once
// kflow::metrics::counter: a value that only goes up (records sent, bytes received, errors).

#include <kflow/metrics/names.hpp>

#include <atomic>
#include <cmath>
#include <cstdint>

namespace kflow::metrics {

/// A Prometheus counter: a cumulative value that only goes up, starting at 0.
///
/// Updates are lock-free atomics (relaxed: a counter orders nothing else), so one counter can be
/// shared by any number of threads. Whole amounts, the usual case, are added to an integer, so
/// concurrent increments are exact and cost one atomic add; fractional amounts go to a double.
/// Obtain it once from family::with() and keep the reference: the look-up takes a lock, the
/// update does not.
class counter {
  public:
    /// A counter at 0.
    counter() = default;
    counter(const counter&) = delete;             ///< not copyable: threads share one counter
    counter& operator=(const counter&) = delete;  ///< not assignable

    /// Adds 1.
    void inc() noexcept { whole_.fetch_add(1, std::memory_order_relaxed); }

    /// Adds `amount`. Throws kafka_error (errc::invalid_config, which compares equal to
    /// std::errc::invalid_argument) when `amount` is negative, NaN or infinite: a counter never
    /// goes down, and a decrease would read as a restart of the process to Prometheus.
    void add(double amount) {
        if (!(amount >= 0) || std::isinf(amount))
            detail::throw_invalid_metric("a counter can only be increased by a finite amount >= 0");
        if (amount <= max_whole && amount == std::trunc(amount))
            whole_.fetch_add(static_cast<std::uint64_t>(amount), std::memory_order_relaxed);
        else
            fraction_.fetch_add(amount, std::memory_order_relaxed);
    }

    /// Sets the counter to `total`, for a counter that mirrors a total counted elsewhere (a
    /// figure from librdkafka's statistics, say) rather than one counted here with add(). A
    /// `total` below the current value reads as a counter reset to Prometheus, as when the
    /// client it mirrors was recreated. Not to be mixed with concurrent add() or inc() calls: the
    /// two would race. Throws kafka_error (errc::invalid_config) when `total` is negative, NaN or
    /// infinite.
    void set_total(double total) {
        if (!(total >= 0) || std::isinf(total))
            detail::throw_invalid_metric("a counter's total must be finite and >= 0");
        if (total <= max_whole && total == std::trunc(total)) {
            fraction_.store(0, std::memory_order_relaxed);
            whole_.store(static_cast<std::uint64_t>(total), std::memory_order_relaxed);
        } else {
            whole_.store(0, std::memory_order_relaxed);
            fraction_.store(total, std::memory_order_relaxed);
        }
    }

    /// The current value.
    [[nodiscard]] double value() const noexcept {
        return static_cast<double>(whole_.load(std::memory_order_relaxed)) +
               fraction_.load(std::memory_order_relaxed);
    }

  private:
    // Up to 2^53 every whole number is a double; beyond it the integer path would round.
    static constexpr double max_whole = 9007199254740992.0;

    std::atomic<std::uint64_t> whole_{0};
    std::atomic<double> fraction_{0};
};

}  // namespace kflow::metrics
