#pragma once
// The delivery proof shared by the mock-cluster test (with faults) and the real-cluster one:
// send keyed records with per-key sequence numbers through the idempotent producer, read the
// whole topic back, and count what was lost (acknowledged but absent), duplicated and out of
// order. The figures are printed as one "proof:" line, which .ci/run shows.

#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <charconv>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace kflow_test {

struct delivery_figures {
    std::size_t sent = 0;
    std::size_t acknowledged = 0;
    std::size_t failed = 0;           ///< delivery reports with an error
    std::size_t failed_unnamed = 0;   ///< of those, reports whose error says nothing
    std::size_t read = 0;             ///< records read back
    std::size_t lost = 0;             ///< acknowledged, never read
    std::size_t duplicated = 0;       ///< read more than once
    std::size_t out_of_order = 0;     ///< a key's sequence number going backwards in its partition
    std::size_t failed_but_stored = 0;  ///< reported failed, yet read (possibly persisted)
    std::size_t unrecognised = 0;       ///< records read that this run did not send
    std::int64_t log_end_moved = 0;     ///< records the log gained after the first look at it
    std::vector<std::string> lost_examples;  ///< "k<key>:<seq>" of some lost records
    std::map<std::string, std::size_t> failure_causes;
    double produce_seconds = 0;
    double consume_seconds = 0;

    [[nodiscard]] std::string summary(const std::string& name) const {
        std::ostringstream out;
        out << "proof: " << name << ": sent " << sent << ", acknowledged " << acknowledged
            << ", failed " << failed << ", read " << read << ", lost " << lost
            << ", duplicated " << duplicated << ", out of order " << out_of_order
            << ", failed but stored " << failed_but_stored << ", unrecognised " << unrecognised
            << "; produce " << produce_seconds
            << " s, read back " << consume_seconds << " s";
        if (log_end_moved != 0)
            out << "\nproof: " << name << ": the log's end moved by " << log_end_moved
                << " after the producer was done";
        for (const auto& lost_one : lost_examples)
            out << "\nproof: " << name << ": lost " << lost_one;
        for (const auto& [cause, n] : failure_causes)
            out << "\nproof: " << name << ": failure x" << n << ": " << cause;
        return out.str();
    }
};

/// Sends `records` records over `keys` keys ("k<key>" -> "<key>:<seq>") to `topic`, calling
/// `fault(i)` before record i (the mock test injects its faults there), then reads the topic's
/// `partitions` back from the beginning and counts.
inline delivery_figures prove_delivery(const kflow::producer_config& producer_config,
                                       const kflow::consumer_config& consumer_config,
                                       const std::string& topic, int partitions,
                                       std::size_t records, std::size_t keys,
                                       const std::function<void(std::size_t)>& fault) {
    using clock = std::chrono::steady_clock;
    delivery_figures figures;
    const std::size_t per_key = (records + keys - 1) / keys;
    // 0 = no report yet, 1 = acknowledged, 2 = failed
    std::vector<std::vector<std::uint8_t>> report(keys, std::vector<std::uint8_t>(per_key, 0));
    const auto produce_start = clock::now();
    {
        kflow::producer<std::string, std::string> producer(producer_config);
        std::vector<std::size_t> next_seq(keys, 0);
        for (std::size_t i = 0; i < records; ++i) {
            fault(i);
            const std::size_t key = i % keys;
            const std::size_t seq = next_seq[key]++;
            producer.send(
                {topic, "k" + std::to_string(key), std::to_string(key) + ":" + std::to_string(seq)},
                [&, key, seq](std::error_code ec, const kflow::record_metadata&) {
                    if (!ec) {
                        report[key][seq] = 1;
                        ++figures.acknowledged;
                        return;
                    }
                    report[key][seq] = 2;
                    ++figures.failed;
                    if (ec.message().empty())
                        ++figures.failed_unnamed;
                    ++figures.failure_causes[ec.message()];
                });
            ++figures.sent;
            if (i % 1000 == 0)
                producer.poll();
        }
        const auto until = clock::now() + std::chrono::seconds(120);
        while (producer.in_flight() > 0 && clock::now() < until)
            { kflow::error_info unflushed; producer.flush(std::chrono::seconds(1), unflushed); }
        REQUIRE(producer.in_flight() == 0);
    }
    figures.produce_seconds =
        std::chrono::duration<double>(clock::now() - produce_start).count();

    const auto consume_start = clock::now();
    kflow::consumer<std::string, std::string> consumer(consumer_config);
    std::vector<kflow::topic_partition_offset> assignment;
    std::int64_t expected = 0;
    for (int p = 0; p < partitions; ++p) {
        const auto w = consumer.watermarks({topic, p}, std::chrono::seconds(30));
        expected += w.high - w.low;
        REQUIRE(w.low == 0);  // nothing dropped from the log: every record is still there
        assignment.push_back({topic, p, kflow::offsets::beginning});
    }
    consumer.assign(assignment);
    std::vector<std::vector<std::uint16_t>> seen(keys, std::vector<std::uint16_t>(per_key, 0));
    std::map<std::pair<std::int32_t, std::size_t>, std::int64_t> last_seq;  // (partition, key)
    const auto until = clock::now() + std::chrono::seconds(120);
    while (static_cast<std::int64_t>(figures.read) < expected && clock::now() < until) {
        for (const auto& r : consumer.poll_batch(10000, std::chrono::milliseconds(200))) {
            ++figures.read;
            std::size_t key = 0;
            std::size_t seq = 0;
            const auto colon = r.value.find(':');
            std::from_chars(r.value.data(), r.value.data() + colon, key);
            std::from_chars(r.value.data() + colon + 1, r.value.data() + r.value.size(), seq);
            if (colon == std::string::npos || key >= keys || seq >= per_key) {
                ++figures.unrecognised;
                continue;
            }
            if (seen[key][seq]++ > 0)
                ++figures.duplicated;
            auto& last = last_seq.try_emplace({r.partition, key}, -1).first->second;
            if (static_cast<std::int64_t>(seq) <= last)
                ++figures.out_of_order;
            last = static_cast<std::int64_t>(seq);
        }
    }
    figures.consume_seconds = std::chrono::duration<double>(clock::now() - consume_start).count();
    // The log's end again: a difference from the first query would mean its watermarks moved
    // after the producer had every acknowledgement.
    std::int64_t end_after = 0;
    for (int p = 0; p < partitions; ++p)
        end_after += consumer.watermarks({topic, p}, std::chrono::seconds(30)).high;
    figures.log_end_moved = end_after - expected;
    for (std::size_t k = 0; k < keys; ++k) {
        for (std::size_t s = 0; s < per_key; ++s) {
            if (report[k][s] == 1 && seen[k][s] == 0 && figures.lost_examples.size() < 10)
                figures.lost_examples.push_back("k" + std::to_string(k) + ":" + std::to_string(s));
            if (report[k][s] == 1 && seen[k][s] == 0)
                ++figures.lost;
            if (report[k][s] == 2 && seen[k][s] > 0)
                ++figures.failed_but_stored;
        }
    }
    return figures;
}

}  // namespace kflow_test
