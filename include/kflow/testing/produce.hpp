#pragma once
// kflow::testing::produce and produce_n: a test's records written, and confirmed by the broker,
// before the test goes on to read them.
//
//   kflow::testing::produce_n(cluster.bootstrap_servers(), topic, 3);  // key-0/value-0 .. 2
//   kflow::testing::produce(producer, {{topic, "alice", order}, {topic, "bob", other}});
//
// Both wait for every delivery report (never a fixed sleep) and throw kafka_error, saying which
// record failed and why, when one is not delivered.

#include <kflow/error.hpp>
#include <kflow/producer.hpp>
#include <kflow/record.hpp>
#include <kflow/testing/describe.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/topic_partition.hpp>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace kflow::testing {

/// A producer produce() and produce_n() can write through: kflow::producer<K, V, ...> (whose
/// delivery reports arrive on the thread that polls it).
template <class Producer>
concept record_producer = requires(Producer& p, const typename Producer::record_type& r,
                                   std::chrono::milliseconds t) {
    typename Producer::key_type;
    typename Producer::value_type;
    p.send(r, [](std::error_code, const record_metadata&) {});
    p.poll(t);
};

/// A record_producer whose key and value types are made from text, as produce_n() makes them.
template <class Producer>
concept numbered_record_producer = record_producer<Producer> &&
    std::constructible_from<typename Producer::key_type, std::string> &&
    std::constructible_from<typename Producer::value_type, std::string>;

/// produce()'s deadline when none is given: how long every delivery report may take.
inline constexpr std::chrono::milliseconds default_produce_deadline{10000};

/// Sends `records` through `producer` and waits, serving its delivery reports, until every one
/// of them is delivered. Returns their metadata (partition and offset) in the order of
/// `records`.
///
/// Throws kafka_error when a record cannot be sent (its code, e.g. a serialization failure),
/// when the broker refused one (the first refusal's code; what() names the record, its key,
/// and how many others failed), or when reports are missing at `deadline` (errc::timed_out).
/// Records sent before such a failure stay sent: their late reports are harmless.
template <record_producer Producer>
std::vector<record_metadata> produce(
    Producer& producer, const std::vector<typename Producer::record_type>& records,
    std::chrono::milliseconds deadline = default_produce_deadline) {
    // Shared with the delivery callbacks, which may run after this function threw (from a later
    // poll, flush or the producer's close), when its frame is gone.
    struct reports {
        std::mutex mutex;
        std::size_t arrived = 0;
        std::vector<std::optional<std::pair<std::error_code, record_metadata>>> by_record;
    };
    auto state = std::make_shared<reports>();
    state->by_record.resize(records.size());
    const auto named = [&](std::size_t i) {
        const auto& r = records[i];
        return "record " + std::to_string(i) + " (key " + describe_value(r.key) + ") to " +
               r.topic +
               (r.partition == any_partition ? std::string()
                                             : " [" + std::to_string(r.partition) + "]");
    };

    for (std::size_t i = 0; i < records.size(); ++i) {
        try {
            producer.send(records[i], [state, i](std::error_code ec, const record_metadata& md) {
                std::lock_guard lock(state->mutex);
                state->by_record[i].emplace(ec, md);
                ++state->arrived;
            });
        } catch (const kafka_error& e) {
            throw kafka_error(e.code(), "produce: " + named(i) + " could not be sent: " + e.what());
        }
    }

    const auto all_arrived = [&] {
        std::lock_guard lock(state->mutex);
        return state->arrived == records.size();
    };
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!all_arrived() && std::chrono::steady_clock::now() < until) {
        // Returns as soon as a report was served, so this waits no longer than the reports do.
        producer.poll(std::chrono::milliseconds(50));
    }

    std::lock_guard lock(state->mutex);
    if (state->arrived != records.size()) {
        std::size_t first_missing = 0;
        while (state->by_record[first_missing])
            ++first_missing;
        throw kafka_error(
            make_error_code(errc::timed_out),
            "produce: " + std::to_string(records.size() - state->arrived) + " of " +
                std::to_string(records.size()) + " record(s) got no delivery report within " +
                std::to_string(deadline.count()) + " ms, the first " + named(first_missing));
    }
    std::vector<record_metadata> delivered;
    delivered.reserve(records.size());
    std::optional<std::size_t> first_failed;
    std::size_t failed = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto& [ec, md] = *state->by_record[i];
        if (ec) {
            ++failed;
            if (!first_failed)
                first_failed = i;
        }
        delivered.push_back(md);
    }
    if (first_failed) {
        const auto ec = state->by_record[*first_failed]->first;
        throw kafka_error(
            ec, "produce: " + std::to_string(failed) + " of " + std::to_string(records.size()) +
                    " record(s) were not delivered, the first " + named(*first_failed));
    }
    return delivered;
}

/// Sends one record per element of `values` to `topic`, keys left default-constructed (for a
/// std::string key: empty, not null) and partitions to the partitioner, and waits for them as
/// produce(producer, records) does.
template <record_producer Producer>
std::vector<record_metadata> produce(
    Producer& producer, std::string_view topic,
    const std::vector<typename Producer::value_type>& values,
    std::chrono::milliseconds deadline = default_produce_deadline) {
    std::vector<typename Producer::record_type> records;
    records.reserve(values.size());
    for (const auto& v : values)
        records.emplace_back(std::string(topic), typename Producer::key_type{}, v);
    return produce(producer, records, deadline);
}

/// What produce_n() writes: record i (for i from `first` to `first` + count - 1) has the key
/// key_prefix + i and the value value_prefix + i. Name only what differs from the defaults:
/// produce_n(producer, topic, 3, {.partition = 1}).
struct numbered_records {
    /// The partition every record goes to; any_partition lets the partitioner hash the keys.
    std::int32_t partition = any_partition;
    std::string key_prefix = "key-";      ///< keys are this followed by the record's number
    std::string value_prefix = "value-";  ///< values are this followed by the record's number
    int first = 0;                        ///< the first record's number
    /// How long every delivery report may take.
    std::chrono::milliseconds deadline = default_produce_deadline;
};

/// Sends `count` numbered records to `topic` ("key-0"/"value-0", "key-1"/"value-1", ... unless
/// `numbering` says otherwise) and waits for them as produce() does; returns their metadata in
/// order.
template <numbered_record_producer Producer>
std::vector<record_metadata> produce_n(Producer& producer, std::string_view topic, int count,
                                       const numbered_records& numbering = {}) {
    std::vector<typename Producer::record_type> records;
    records.reserve(static_cast<std::size_t>(count < 0 ? 0 : count));
    for (int i = numbering.first; i < numbering.first + count; ++i) {
        const auto n = std::to_string(i);
        records.emplace_back(std::string(topic),
                             typename Producer::key_type(numbering.key_prefix + n),
                             typename Producer::value_type(numbering.value_prefix + n),
                             kflow::headers{}, numbering.partition);
    }
    return produce(producer, records, numbering.deadline);
}

/// produce_n() through a producer<std::string, std::string> of its own, made with
/// test_producer_config(bootstrap_servers) and closed before returning: for a test that only
/// needs records to read.
inline std::vector<record_metadata> produce_n(std::string_view bootstrap_servers,
                                              std::string_view topic, int count,
                                              const numbered_records& numbering = {}) {
    producer<std::string, std::string> p(test_producer_config(bootstrap_servers));
    return produce_n(p, topic, count, numbering);
}

}  // namespace kflow::testing
