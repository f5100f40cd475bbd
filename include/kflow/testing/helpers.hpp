#pragma once
// Helpers for testing Kafka code against kflow::testing::mock_cluster (or a real cluster):
// configs tuned for fast tests, unique names, and "consume until" / "expect a record" steps that
// wait on records with a deadline, never a fixed sleep.

#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/describe.hpp>
#include <kflow/testing/expectation_failed.hpp>

#include <unistd.h>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
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
/// The close timeout is kflow's default, 10 s: a close that overlaps a group rebalance sends its
/// LeaveGroup behind the member's pending JoinGroup, which a broker answers only when the round
/// ends, and librdkafka gives that LeaveGroup up to 5 s; a shorter timeout makes such a close
/// report `timed_out` although it would have finished.
[[nodiscard]] inline consumer_config test_consumer_config(std::string_view bootstrap_servers,
                                                          std::string_view group_id) {
    consumer_config cfg;
    cfg.bootstrap_servers(bootstrap_servers)
        .group_id(group_id)
        .auto_offset_reset(offset_reset::earliest)
        .fetch_wait_max(std::chrono::milliseconds(10))
        .session_timeout(std::chrono::seconds(6))
        .heartbeat_interval(std::chrono::milliseconds(500))
        .close_timeout(std::chrono::seconds(10));
    return cfg;
}

/// A consumer the polling steps below can read from: kflow::consumer<K, V>. (A
/// background_collector has steps of its own, in kflow/testing/expect_records.hpp.)
template <class C>
concept polling_consumer = requires(C& c, std::size_t n, std::chrono::milliseconds t) {
    typename C::record_type;
    c.poll(t);
    c.poll_batch(n, t);
};

/// Polls until `count` records arrived or `deadline` passed; returns what arrived (check its
/// size, or use require_records). Deserialization failures propagate as deserialization_error.
template <polling_consumer Consumer>
[[nodiscard]] auto consume_until(Consumer& consumer, std::size_t count,
                                 std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    std::vector<typename Consumer::record_type> out;
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (out.size() < count && std::chrono::steady_clock::now() < until) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        auto batch =
            consumer.poll_batch(count - out.size(), std::min(left, std::chrono::milliseconds(100)));
        for (auto& r : batch)
            out.push_back(std::move(r));
    }
    return out;
}

/// What a record must look like; unset fields match anything.
template <class K, class V>
struct record_expectation {
    // Default member initializers let tests name only what they check ({.value = "x"})
    // without -Wmissing-field-initializers.
    /// The key must equal this (compared with ==).
    std::optional<K> key{};
    /// The value must equal this (compared with ==).
    std::optional<V> value{};
    kflow::headers headers{};  ///< each of these must be present with this value
    /// The record must come from this topic.
    std::optional<std::string> topic{};
    /// The record must come from this partition.
    std::optional<std::int32_t> partition{};

    /// True when `r` meets every field that is set. Headers need only be present among the
    /// record's (other headers and order do not matter); a null header value matches only null.
    [[nodiscard]] bool matches(const consumer_record<K, V>& r) const {
        if (key && !(r.key == *key))
            return false;
        if (value && !(r.value == *value))
            return false;
        if (topic && r.topic != *topic)
            return false;
        if (partition && r.partition != *partition)
            return false;
        for (const auto& h : headers) {
            bool found = false;
            for (const auto& rh : r.headers)
                found = found || rh == h;
            if (!found)
                return false;
        }
        return true;
    }

    /// The fields this expectation checks, e.g. {key="k-1" headers⊇{source="shop"}}.
    [[nodiscard]] std::string describe() const {
        std::string out;
        const auto field = [&out](std::string text) {
            out += out.empty() ? "" : " ";
            out += std::move(text);
        };
        if (topic)
            field("topic=" + *topic);
        if (partition)
            field("partition=" + std::to_string(*partition));
        if (key)
            field("key=" + describe_value(*key));
        if (value)
            field("value=" + describe_value(*value));
        if (!headers.empty())
            field("headers including " + testing::describe(headers));
        return "{" + (out.empty() ? std::string("any record") : out) + "}";
    }
};

/// What expect_record found: the matching record, or why there is none (the expectation, the
/// deadline, and every record that arrived instead). Used like std::optional.
template <class Record>
class expect_result {
  public:
    /// At most this many non-matching records are kept for the failure message.
    static constexpr std::size_t max_kept = 20;

    /// True when a record matched.
    [[nodiscard]] bool has_value() const noexcept { return match_.has_value(); }
    /// has_value(), so `if (auto r = expect_record(...))` and CHECK(result) read naturally.
    [[nodiscard]] explicit operator bool() const noexcept { return has_value(); }
    /// The matching record; unlike std::optional, throws expectation_failed when there is none.
    [[nodiscard]] const Record& operator*() const { return value(); }
    /// Member access to the matching record; throws expectation_failed when there is none.
    [[nodiscard]] const Record* operator->() const { return &value(); }
    /// The matching record; throws expectation_failed with failure() when there is none.
    [[nodiscard]] const Record& value() const {
        if (!match_)
            throw expectation_failed(failure_);
        return *match_;
    }

    /// The records that arrived before the match, or before the deadline, and did not match
    /// (the first max_kept of them; skipped_count() has them all).
    [[nodiscard]] const std::vector<Record>& skipped() const noexcept { return skipped_; }
    /// How many non-matching records arrived, including those skipped() did not keep.
    [[nodiscard]] std::size_t skipped_count() const noexcept { return skipped_count_; }
    /// Empty when a record matched.
    [[nodiscard]] const std::string& failure() const noexcept { return failure_; }

    /// The match, or the failure: so CHECK(expect_record(...)) prints what went wrong.
    friend std::ostream& operator<<(std::ostream& os, const expect_result& r) {
        return os << (r.match_ ? testing::describe(*r.match_) : r.failure_);
    }

    /// Records a non-matching record (kept if fewer than max_kept are). For expect_record() and
    /// similar helpers that build a result.
    void skip(Record record) {
        if (skipped_.size() < max_kept)
            skipped_.push_back(std::move(record));
        ++skipped_count_;
    }
    /// Stores the record that matched.
    void set_match(Record record) { match_.emplace(std::move(record)); }
    /// Composes failure() from the expectation's description, the deadline (in ms) and the
    /// skipped records; call it after the last skip().
    void set_failure(const std::string& expected, std::chrono::milliseconds deadline) {
        failure_ = "no record matching " + expected + " arrived within " +
                   std::to_string(deadline.count()) + " ms";
        if (skipped_count_ == 0) {
            failure_ += "; no record arrived at all";
            return;
        }
        failure_ += "; " + std::to_string(skipped_count_) + " other record(s) arrived";
        if (skipped_count_ > skipped_.size()) {
            failure_ += ", the first " + std::to_string(skipped_.size());
        }
        failure_ += ":";
        for (const auto& r : skipped_)
            failure_ += "\n  " + testing::describe(r);
    }

  private:
    std::optional<Record> match_;
    std::vector<Record> skipped_;
    std::size_t skipped_count_ = 0;
    std::string failure_;
};

/// Polls until a record matching `expected` arrives or `deadline` passes. Records that do not
/// match are consumed and skipped; the result lists them when nothing matched (see
/// expect_result::failure()).
template <polling_consumer Consumer>
[[nodiscard]] expect_result<typename Consumer::record_type> expect_record(
    Consumer& consumer,
    const record_expectation<typename Consumer::key_type, typename Consumer::value_type>& expected,
    std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    expect_result<typename Consumer::record_type> result;
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (auto r = consumer.poll(std::min(left, std::chrono::milliseconds(100)))) {
            if (expected.matches(*r)) {
                result.set_match(std::move(*r));
                return result;
            }
            result.skip(std::move(*r));
        }
    }
    result.set_failure(expected.describe(), deadline);
    return result;
}

/// expect_record that returns the matching record, or throws expectation_failed saying what
/// was expected and listing what arrived instead.
template <polling_consumer Consumer>
typename Consumer::record_type require_record(
    Consumer& consumer,
    const record_expectation<typename Consumer::key_type, typename Consumer::value_type>& expected,
    std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    auto result = expect_record(consumer, expected, deadline);
    return result.value();
}

/// consume_until that returns exactly `count` records, or throws expectation_failed listing
/// the ones that did arrive.
template <polling_consumer Consumer>
std::vector<typename Consumer::record_type> require_records(
    Consumer& consumer, std::size_t count,
    std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    auto records = consume_until(consumer, count, deadline);
    if (records.size() == count)
        return records;
    std::string message = "expected " + std::to_string(count) + " record(s) within " +
                          std::to_string(deadline.count()) + " ms, got " +
                          std::to_string(records.size());
    message += records.empty() ? "" : ":";
    for (const auto& r : records)
        message += "\n  " + describe(r);
    throw expectation_failed(message);
}

/// Sends and waits for the delivery report; throws kafka_error if delivery failed.
template <class Producer>
record_metadata send_and_wait(Producer& producer, const typename Producer::record_type& record,
                              std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    // Shared with the callback: after a missed deadline the report still arrives later (from
    // a poll or the producer's close), when this frame is gone.
    auto report = std::make_shared<std::optional<std::pair<std::error_code, record_metadata>>>();
    producer.send(record, [report](std::error_code ec, const record_metadata& md) {
        report->emplace(ec, md);
    });
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!*report && std::chrono::steady_clock::now() < until) {
        producer.poll(std::chrono::milliseconds(50));
    }
    if (!*report) {
        throw kafka_error(make_error_code(errc::timed_out),
                          "no delivery report for a record to " + record.topic + " within " +
                              std::to_string(deadline.count()) + " ms");
    }
    throw_if_error((*report)->first, "delivery to " + record.topic);
    return (*report)->second;
}

/// The cluster to test against: KFLOW_TEST_BOOTSTRAP when set (a real cluster), else empty.
[[nodiscard]] inline std::optional<std::string> real_cluster_bootstrap() {
    if (const char* v = std::getenv("KFLOW_TEST_BOOTSTRAP"); v != nullptr && *v != '\0')
        return v;
    return std::nullopt;
}

}  // namespace kflow::testing
