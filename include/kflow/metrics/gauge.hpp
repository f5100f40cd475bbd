#pragma once
// kflow::metrics::gauge: a value that goes up and down (queue depth, consumer lag, connections).

#include <atomic>

namespace kflow::metrics {

/// A Prometheus gauge: a value that can be set, and go up and down; starts at 0.
///
/// Every operation is a lock-free atomic (relaxed: a gauge orders nothing else). Any double is
/// a valid value, NaN and the infinities included. Obtain it once from family::with() and keep
/// the reference: the look-up takes a lock, the update does not.
class gauge {
  public:
    /// A gauge at 0.
    gauge() = default;
    gauge(const gauge&) = delete;             ///< not copyable: threads share one gauge
    gauge& operator=(const gauge&) = delete;  ///< not assignable

    /// Sets the value to `value`.
    void set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
    /// Adds `amount` (which may be negative).
    void add(double amount) noexcept { value_.fetch_add(amount, std::memory_order_relaxed); }
    /// Subtracts `amount`.
    void sub(double amount) noexcept { value_.fetch_sub(amount, std::memory_order_relaxed); }
    /// Adds 1.
    void inc() noexcept { add(1); }
    /// Subtracts 1.
    void dec() noexcept { sub(1); }

    /// The current value.
    [[nodiscard]] double value() const noexcept { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<double> value_{0};
};

}  // namespace kflow::metrics
