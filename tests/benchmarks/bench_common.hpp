#pragma once
// What every kflow benchmark shares: command-line options, the librdkafka properties both sides
// use, a raw librdkafka client owner, alternating repetitions, medians, percentiles and the
// result table.
//
// Each benchmark compares kflow with the raw librdkafka C API in the same process, against the
// same mock cluster, with the same properties. Raw and kflow runs alternate (raw, kflow, raw,
// kflow, ...) so that drift in machine load hits both sides alike, and the table reports medians.

#include <kflow/detail/handles.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>

namespace kflow::bench {

using clock_type = std::chrono::steady_clock;

/// Thrown when a run did not do what it was asked (a message lost, an error reported): a
/// benchmark that measured the wrong thing must fail, not print a number.
class run_failed : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline void expect(bool condition, const char* what) {
    if (!condition)
        throw run_failed(what);
}

/// As above, building the message only on failure (checks sit in the measured loops).
template <std::invocable Describe>
void expect(bool condition, Describe&& describe) {
    if (!condition)
        throw run_failed(std::forward<Describe>(describe)());
}

struct options {
    std::size_t messages = 1'000'000;
    std::size_t value_size = 100;
    int repetitions = 5;
    bool quick = false;
    /// Latency benchmark: messages per second and seconds per repetition.
    int rate = 1000;
    double seconds = 5.0;
    /// Producer benchmarks: librdkafka's linger.ms for both sides.
    int linger_ms = 0;
    /// Runs only the scenarios whose name contains this text (for profiling one of them).
    std::string only;
    /// "raw" or "kflow" runs one side only (for profiling it); empty runs both.
    std::string side;

    [[nodiscard]] bool wants(std::string_view scenario) const {
        return only.empty() || scenario.find(only) != std::string_view::npos;
    }
};

/// Parses the flags every benchmark takes; unknown or malformed flags end the program with a
/// message naming them.
inline options parse_options(int argc, char** argv, std::string_view usage_extra = {}) {
    options o;
    bool messages_set = false;
    bool repetitions_set = false;
    bool seconds_set = false;
    const auto usage = [&](const std::string& problem) {
        if (!problem.empty())
            std::fprintf(stderr, "%s\n", problem.c_str());
        std::fprintf(stderr,
                     "usage: %s [--messages N] [--value-size BYTES] [--repetitions R] [--quick] "
                     "[--only SCENARIO] [--side raw|kflow]%.*s\n",
                     argv[0], static_cast<int>(usage_extra.size()), usage_extra.data());
        std::exit(problem.empty() ? 0 : 2);
    };
    const auto number = [&](int& i, std::string_view flag) -> double {
        if (i + 1 >= argc)
            usage(std::string(flag) + " needs a value");
        const std::string text = argv[++i];
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0' || v <= 0) {
            usage(std::string(flag) + " needs a positive number, got '" + text + "'");
        }
        return v;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--messages") {
            o.messages = static_cast<std::size_t>(number(i, arg));
            messages_set = true;
        } else if (arg == "--value-size") {
            o.value_size = static_cast<std::size_t>(number(i, arg));
        } else if (arg == "--repetitions") {
            o.repetitions = static_cast<int>(number(i, arg));
            repetitions_set = true;
        } else if (arg == "--rate") {
            o.rate = static_cast<int>(number(i, arg));
        } else if (arg == "--seconds") {
            o.seconds = number(i, arg);
            seconds_set = true;
        } else if (arg == "--linger-ms") {
            o.linger_ms = static_cast<int>(number(i, arg));
        } else if (arg == "--only") {
            if (i + 1 >= argc)
                usage("--only needs a scenario name (or part of one)");
            o.only = argv[++i];
        } else if (arg == "--side") {
            if (i + 1 >= argc || (std::string_view(argv[i + 1]) != "raw" &&
                                  std::string_view(argv[i + 1]) != "kflow")) {
                usage("--side needs 'raw' or 'kflow'");
            }
            o.side = argv[++i];
        } else if (arg == "--quick") {
            o.quick = true;
        } else if (arg == "--help" || arg == "-h") {
            usage({});
        } else {
            usage("unknown option '" + std::string(arg) + "'");
        }
    }
    if (o.quick) {  // a check that the benchmark still builds and runs, not a measurement
        if (!messages_set)
            o.messages = 20'000;
        if (!repetitions_set)
            o.repetitions = 1;
        if (!seconds_set)
            o.seconds = 0.5;
    }
    return o;
}

/// The same librdkafka properties for the raw client and for kflow's.
using properties = std::vector<std::pair<std::string, std::string>>;

/// A raw librdkafka client made from `props`; throws naming the property librdkafka refused.
inline detail::kafka_handle make_raw_client(
    rd_kafka_type_t type, const properties& props,
    const std::function<void(rd_kafka_conf_t*)>& extra = {}) {
    detail::conf_handle conf(rd_kafka_conf_new());
    char errstr[512];
    for (const auto& [key, value] : props) {
        if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK) {
            throw std::invalid_argument("raw client: " + key + "=" + value + ": " + errstr);
        }
    }
    if (extra)
        extra(conf.get());
    rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
    if (rk == nullptr)
        throw std::runtime_error(std::string("raw client: ") + errstr);
    (void)conf.release();  // rd_kafka_new took it
    return detail::kafka_handle(rk);
}

/// Applies `props` to a kflow config builder.
template <class Config>
Config& apply(Config& config, const properties& props) {
    for (const auto& [key, value] : props)
        config.set(key, value);
    return config;
}

[[nodiscard]] inline double seconds_since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// CPU time the calling thread has used. The application thread's CPU per message is kflow's
/// own cost, and unlike throughput it hardly depends on what else the machine is running.
[[nodiscard]] inline double thread_cpu_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// One measured run.
struct run_result {
    double messages_per_second = 0;
    double cpu_ns_per_message = 0;  ///< of the application thread (the one calling kflow)
};

[[nodiscard]] inline run_result measured(clock_type::time_point start, double cpu_start,
                                         std::size_t messages) {
    const double n = static_cast<double>(messages);
    return {n / seconds_since(start), (thread_cpu_seconds() - cpu_start) * 1e9 / n};
}

[[nodiscard]] inline double median(std::vector<double> v) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto mid = v.size() / 2;
    return v.size() % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/// The q-quantile (0..1) of `sorted`, nearest rank.
[[nodiscard]] inline double quantile(const std::vector<double>& sorted, double q) {
    if (sorted.empty())
        return 0;
    auto rank = static_cast<std::size_t>(q * static_cast<double>(sorted.size()));
    return sorted[std::min(rank, sorted.size() - 1)];
}

/// One row of a throughput table: each side's runs, one per repetition.
struct throughput_row {
    std::string scenario;
    std::string baseline;
    std::vector<run_result> raw;
    std::vector<run_result> kflow;
};

/// Runs `raw` and `kflow` alternately, `repetitions` times each, after one unmeasured warm-up
/// of each. Adds the row to `rows` unless the options
/// leave the scenario out.
inline void compare(std::vector<throughput_row>& rows, const options& opt, std::string scenario,
                    std::string baseline, const std::function<run_result()>& raw,
                    const std::function<run_result()>& kflow) {
    if (!opt.wants(scenario))
        return;
    throughput_row row{std::move(scenario), std::move(baseline), {}, {}};
    const auto side = [&](const std::function<run_result()>& run, std::string_view name) {
        return [&run, name, &opt] {
            return opt.side.empty() || opt.side == name ? run() : run_result{};
        };
    };
    const auto run_raw = side(raw, "raw");
    const auto run_kflow = side(kflow, "kflow");
    (void)run_raw();
    (void)run_kflow();
    for (int r = 0; r < opt.repetitions; ++r) {
        // Alternate which side goes first, so neither always runs on the warmer machine.
        if (r % 2 == 0) {
            row.raw.push_back(run_raw());
            row.kflow.push_back(run_kflow());
        } else {
            row.kflow.push_back(run_kflow());
            row.raw.push_back(run_raw());
        }
        std::fprintf(stderr, "  %s, repetition %d: raw %.0f msg/s, kflow %.0f msg/s\n",
                     row.scenario.c_str(), r + 1, row.raw.back().messages_per_second,
                     row.kflow.back().messages_per_second);
    }
    rows.push_back(std::move(row));
}

/// The median of one field over a side's runs.
[[nodiscard]] inline double median_of(const std::vector<run_result>& runs,
                                      double run_result::*field) {
    std::vector<double> v;
    for (const auto& r : runs)
        v.push_back(r.*field);
    return median(v);
}

inline void print_throughput_table(const std::vector<throughput_row>& rows) {
    std::printf(
        "\n| scenario | raw baseline | raw msg/s | kflow msg/s | kflow / raw "
        "| raw CPU ns/msg | kflow CPU ns/msg |\n");
    std::printf("|---|---|---:|---:|---:|---:|---:|\n");
    for (const auto& row : rows) {
        const double raw = median_of(row.raw, &run_result::messages_per_second);
        const double kf = median_of(row.kflow, &run_result::messages_per_second);
        std::printf("| %s | %s | %.0f | %.0f | %.3f | %.0f | %.0f |\n", row.scenario.c_str(),
                    row.baseline.c_str(), raw, kf, raw > 0 ? kf / raw : 0.0,
                    median_of(row.raw, &run_result::cpu_ns_per_message),
                    median_of(row.kflow, &run_result::cpu_ns_per_message));
    }
    std::fflush(stdout);
}

/// A value of `size` bytes that is not all zeros (so compression, if enabled, has work).
[[nodiscard]] inline std::string make_value(std::size_t size) {
    std::string v(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        v[i] = static_cast<char>('a' + i % 26);
    return v;
}

/// Runs a benchmark's body and turns a failed run into exit code 1 with the reason.
template <class F>
int run_main(F&& body) {
    try {
        body();
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "benchmark failed: %s\n", e.what());
        return 1;
    }
}

/// Runs the io_context until the spawned coroutine ends; rethrows what it threw.
template <class F>
void run_coroutine(boost::asio::io_context& io, F f) {
    std::exception_ptr failure;
    boost::asio::co_spawn(io, std::move(f), [&](std::exception_ptr e) { failure = e; });
    io.run();
    io.restart();
    if (failure)
        std::rethrow_exception(failure);
}

}  // namespace kflow::bench
