#pragma once
// kflow::metrics::histogram: observations (latencies, sizes) counted into buckets by upper bound.

#include <kflow/metrics/names.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace kflow::metrics {

/// Bucket upper bounds for latencies in seconds, from 0.5 ms to 10 s: 0.0005, 0.001, 0.0025,
/// 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 (and +Inf, which every histogram has).
[[nodiscard]] inline std::vector<double> default_latency_buckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

/// A histogram's state at one moment, as the text format exposes it.
struct histogram_snapshot {
    /// The finite upper bounds, ascending; the +Inf bucket is implied.
    std::vector<double> upper_bounds;
    /// For each bound, the number of observations <= it, then the +Inf bucket (all of them):
    /// one more element than upper_bounds.
    std::vector<std::uint64_t> cumulative_counts;
    double sum = 0;           ///< the sum of all observed values
    std::uint64_t count = 0;  ///< the number of observations: cumulative_counts.back()
};

namespace detail {

// The bounds as a histogram keeps them: finite, strictly ascending, without the +Inf bucket
// (accepted as the last bound, and dropped, since every histogram has it).
inline std::vector<double> checked_upper_bounds(std::vector<double> bounds) {
    if (!bounds.empty() && std::isinf(bounds.back()) && bounds.back() > 0)
        bounds.pop_back();
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        if (!std::isfinite(bounds[i]))
            throw_invalid_metric("histogram bucket bounds must be finite (+Inf is implied)");
        if (i > 0 && !(bounds[i - 1] < bounds[i]))
            throw_invalid_metric("histogram bucket bounds must be strictly ascending");
    }
    return bounds;
}

}  // namespace detail

/// A Prometheus histogram: counts observations into buckets by upper bound (a value lands in
/// the first bucket whose bound is >= it) and keeps their sum.
///
/// observe() is lock-free (a binary search over the bounds and two relaxed atomic adds), so one
/// histogram can be shared by any number of threads. Obtain it once from family::with() and keep
/// the reference: the look-up takes a lock, the observation does not. A snapshot taken while
/// other threads observe is consistent in its counts (count is the +Inf bucket) but its sum may
/// include an observation its buckets do not yet show, or miss one they do.
class histogram {
  public:
    /// A histogram with the given finite, strictly ascending bucket upper bounds (a last bound
    /// of +Inf is accepted and ignored: the +Inf bucket is always there). Throws kafka_error
    /// (errc::invalid_config) for bounds that are not finite or not strictly ascending.
    explicit histogram(std::vector<double> upper_bounds = default_latency_buckets())
        : bounds_(detail::checked_upper_bounds(std::move(upper_bounds))),
          buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}
    histogram(const histogram&) = delete;             ///< not copyable: threads share one
    histogram& operator=(const histogram&) = delete;  ///< not assignable

    /// Records `value`. Throws kafka_error (errc::invalid_config) when `value` is NaN, which no
    /// bucket can hold and which would make the sum NaN for good.
    void observe(double value) {
        if (std::isnan(value))
            detail::throw_invalid_metric("a histogram cannot observe NaN");
        const auto bucket = static_cast<std::size_t>(
            std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
        buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
        sum_.fetch_add(value, std::memory_order_relaxed);
    }

    /// Records a duration, in seconds (Prometheus' base unit of time).
    template <class Rep, class Period>
    void observe(std::chrono::duration<Rep, Period> elapsed) {
        observe(std::chrono::duration<double>(elapsed).count());
    }

    /// The finite bucket upper bounds, ascending.
    [[nodiscard]] const std::vector<double>& upper_bounds() const noexcept { return bounds_; }

    /// The counts, sum and count at this moment.
    [[nodiscard]] histogram_snapshot snapshot() const {
        histogram_snapshot out;
        out.upper_bounds = bounds_;
        out.cumulative_counts.reserve(bounds_.size() + 1);
        std::uint64_t running = 0;
        for (std::size_t i = 0; i <= bounds_.size(); ++i) {
            running += buckets_[i].load(std::memory_order_relaxed);
            out.cumulative_counts.push_back(running);
        }
        out.count = running;
        out.sum = sum_.load(std::memory_order_relaxed);
        return out;
    }

    /// The number of observations so far.
    [[nodiscard]] std::uint64_t count() const noexcept {
        std::uint64_t total = 0;
        for (std::size_t i = 0; i <= bounds_.size(); ++i)
            total += buckets_[i].load(std::memory_order_relaxed);
        return total;
    }

    /// The sum of the observations so far.
    [[nodiscard]] double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }

  private:
    std::vector<double> bounds_;
    // Per bucket, not cumulative: one add per observation. The last is the +Inf bucket. The
    // count is their sum, so it always equals the +Inf bucket of a snapshot.
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
    std::atomic<double> sum_{0};
};

}  // namespace kflow::metrics
