#pragma once
// Helpers for testing Kafka code against kflow::testing::mock_cluster (or a real cluster):
// configs tuned for fast tests, unique names, and "consume until" / "expect a record" steps that
// wait on records with a deadline, never a fixed sleep.

#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <unistd.h>
#include <optional>
#include <string>
#include <vector>

namespace kflow::testing {

/// A name no other test run uses: "<prefix>-<pid>-<counter>-<time>".
[[nodiscard]] inline std::string unique_name(std::string_view prefix) {
    static std::atomic<unsigned> counter{0};
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return std::string(prefix) + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter.fetch_add(1)) + "-" + std::to_string(now % 1000000007);
}

/// Producer settings for tests: short linger so a send goes out at once.
[[nodiscard]] inline producer_config test_producer_config(std::string_view bootstrap_servers) {
    producer_config cfg;
    cfg.bootstrap_servers(bootstrap_servers).linger(std::chrono::milliseconds(1));
    return cfg;
}

/// Consumer settings for tests: reads from the beginning, and fetches return within 10 ms
/// (the mock holds an empty fetch for the whole fetch.wait.max.ms, 500 ms by default).
[[nodiscard]] inline consumer_config test_consumer_config(std::string_view bootstrap_servers,
                                                          std::string_view group_id) {
    consumer_config cfg;
    cfg.bootstrap_servers(bootstrap_servers)
        .group_id(group_id)
        .auto_offset_reset(offset_reset::earliest)
        .fetch_wait_max(std::chrono::milliseconds(10))
        .session_timeout(std::chrono::seconds(6))
        .heartbeat_interval(std::chrono::milliseconds(500))
        .close_timeout(std::chrono::seconds(5));
    return cfg;
}

/// Polls until `count` records arrived or `deadline` passed; returns what arrived (check its
/// size). Deserialization failures propagate as deserialization_error.
template <class Consumer>
[[nodiscard]] auto consume_until(Consumer& consumer, std::size_t count,
                                 std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    std::vector<typename Consumer::record_type> out;
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (out.size() < count && std::chrono::steady_clock::now() < until) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        auto batch = consumer.poll_batch(count - out.size(),
                                         std::min(left, std::chrono::milliseconds(100)));
        for (auto& r : batch) out.push_back(std::move(r));
    }
    return out;
}

/// What a record must look like; unset fields match anything.
template <class K, class V>
struct record_expectation {
    // Default member initializers let tests name only what they check ({.value = "x"})
    // without -Wmissing-field-initializers.
    std::optional<K> key{};
    std::optional<V> value{};
    kflow::headers headers{};  ///< each of these must be present with this value
    std::optional<std::string> topic{};
    std::optional<std::int32_t> partition{};

    [[nodiscard]] bool matches(const consumer_record<K, V>& r) const {
        if (key && !(r.key == *key)) return false;
        if (value && !(r.value == *value)) return false;
        if (topic && r.topic != *topic) return false;
        if (partition && r.partition != *partition) return false;
        for (const auto& h : headers) {
            bool found = false;
            for (const auto& rh : r.headers) found = found || rh == h;
            if (!found) return false;
        }
        return true;
    }
};

/// Polls until a record matching `expected` arrives (returned) or `deadline` passes
/// (std::nullopt). Records that do not match are skipped.
template <class Consumer>
[[nodiscard]] std::optional<typename Consumer::record_type> expect_record(
    Consumer& consumer,
    const record_expectation<typename Consumer::key_type, typename Consumer::value_type>& expected,
    std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (auto r = consumer.poll(std::min(left, std::chrono::milliseconds(100)))) {
            if (expected.matches(*r)) return r;
        }
    }
    return std::nullopt;
}

/// Sends and waits for the delivery report; throws kafka_error if delivery failed.
template <class Producer>
record_metadata send_and_wait(Producer& producer, const typename Producer::record_type& record,
                              std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    std::optional<std::pair<std::error_code, record_metadata>> report;
    producer.send(record, [&](std::error_code ec, const record_metadata& md) {
        report.emplace(ec, md);
    });
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!report && std::chrono::steady_clock::now() < until) {
        producer.poll(std::chrono::milliseconds(50));
    }
    if (!report) throw kafka_error(make_error_code(errc::timed_out), "no delivery report");
    throw_if_error(report->first, "delivery to " + record.topic);
    return report->second;
}

/// The cluster to test against: KFLOW_TEST_BOOTSTRAP when set (a real cluster), else empty.
[[nodiscard]] inline std::optional<std::string> real_cluster_bootstrap() {
    if (const char* v = std::getenv("KFLOW_TEST_BOOTSTRAP"); v != nullptr && *v != '\0') return v;
    return std::nullopt;
}

}  // namespace kflow::testing
