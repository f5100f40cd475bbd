#pragma once
// The timed region of a benchmark run, and deadlines that stretch under valgrind: what every
// benchmark that scripts/bench.sh --instructions runs under callgrind shares. Callgrind's
// instrumentation is switched on only inside a timed_region, so its counts cover the measured
// work and nothing of the set-up.

#include "bench_common.hpp"

#if __has_include(<valgrind/callgrind.h>) && !defined(KFLOW_BENCH_NO_CALLGRIND)
#include <valgrind/callgrind.h>
#define KFLOW_BENCH_CALLGRIND 1
#endif

#include <algorithm>
#include <chrono>
#include <cstdlib>

namespace kflow::bench {

/// How many times longer every deadline is than natively: under valgrind a run is 20 to 100
/// times slower, and a deadline that fires there would report a late message as lost.
/// KFLOW_BENCH_TIMEOUT_SCALE overrides it (for other slow tools).
inline double timeout_scale() {
    static const double scale = [] {
        if (const char* env = std::getenv("KFLOW_BENCH_TIMEOUT_SCALE")) {
            const double v = std::strtod(env, nullptr);
            if (v > 0)
                return v;
        }
#ifdef KFLOW_BENCH_CALLGRIND
        if (RUNNING_ON_VALGRIND)
            return 100.0;
#endif
        return 1.0;
    }();
    return scale;
}

/// `d` stretched by timeout_scale().
template <class Rep, class Period>
std::chrono::milliseconds scaled(std::chrono::duration<Rep, Period> d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d * timeout_scale());
}

/// `d` as the int milliseconds librdkafka's calls take, capped rather than overflowing.
inline int as_int_ms(std::chrono::milliseconds d) {
    return static_cast<int>(std::min<std::chrono::milliseconds::rep>(d.count(), 1 << 30));
}

/// The timed region of one run: wall clock, the calling thread's CPU time, and callgrind's
/// counters.
class timed_region {
  public:
    timed_region() {
#ifdef KFLOW_BENCH_CALLGRIND
        CALLGRIND_START_INSTRUMENTATION;
        CALLGRIND_ZERO_STATS;
#endif
        start_ = clock_type::now();
        cpu_start_ = thread_cpu_seconds();
    }

    /// Ends the region: call once, right after the run's last piece of measured work.
    run_result stop(std::size_t messages) {
        const auto result = measured(start_, cpu_start_, messages);
#ifdef KFLOW_BENCH_CALLGRIND
        CALLGRIND_DUMP_STATS_AT("timed");
        CALLGRIND_STOP_INSTRUMENTATION;
#endif
        return result;
    }

  private:
    clock_type::time_point start_;
    double cpu_start_ = 0;
};

}  // namespace kflow::bench
