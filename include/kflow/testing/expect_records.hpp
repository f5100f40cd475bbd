#pragma once
// kflow::testing::expect_records, require_records and expect_no_record on a
// background_collector: "these records arrive within 5 s", checked on what the collector
// gathers while the test acts, with a failure message that names each expected record that did
// not arrive, the closest record that did, and how it differs.
//
//   const auto got = kflow::testing::require_records(collector, {
//       {.name = "order o-1", .key = "alice", .headers = {{"trace-id", "t-1"}}},
//       {.name = "order o-2", .key = "bob", .stored = delivered[1]},
//   }, 5s);
//
//   1 of 2 expected record(s) not found among 2 record(s) collected from orders-1 within 5000 ms:
//     expected record 2 of 2: order o-2 {key="bob" at orders-1 [0] @ 1 (delivery report)}
//       closest: orders-1 [2] @ 0 key="bob" value="..." headers={trace-id="t-2"}
//         position: expected orders-1 [0] @ 1 (delivery report), found orders-1 [2] @ 0

#include <kflow/testing/background_collector.hpp>
#include <kflow/testing/expectation_failed.hpp>
#include <kflow/testing/record_matchers.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace kflow::testing {

/// Waits, for at most `within`, until `collector` has a record of its own for every
/// expectation in `expected` (in any order; see match_records()), waking as records arrive.
/// Returns the outcome either way: usable as a bool, and printable, so
/// CHECK(expect_records(...)) shows what is missing; records() has the matched records in the
/// order of `expected`.
template <class K, class V, class KeySerde, class ValueSerde>
[[nodiscard]] records_match<K, V> expect_records(
    background_collector<K, V, KeySerde, ValueSerde>& collector,
    const std::vector<expected_record<K, V>>& expected, std::chrono::milliseconds within) {
    (void)collector.wait_for(
        [&](const std::vector<consumer_record<K, V>>& records) {
            return match_records(records, expected).ok();
        },
        within);
    // The collector may still be adding records: the answer is about this snapshot.
    auto result = match_records(collector.snapshot(), expected,
                                " collected from " + collector.topic() + " within " +
                                    std::to_string(within.count()) + " ms");
    if (result.ok())
        return result;
    // Say so when the collector itself is why records are missing.
    const auto dropped = collector.dropped();
    const auto failure = collector.failure();
    auto message = result.message();
    if (dropped > 0 || !failure.empty())
        message += "\n  (" + collector.status() + ")";
    return {result.matched(), std::move(message)};
}

/// expect_records() that returns the matched records, in the order of `expected`, or throws
/// expectation_failed with its message.
template <class K, class V, class KeySerde, class ValueSerde>
std::vector<consumer_record<K, V>> require_records(
    background_collector<K, V, KeySerde, ValueSerde>& collector,
    const std::vector<expected_record<K, V>>& expected, std::chrono::milliseconds within) {
    const auto result = expect_records(collector, expected, within);
    if (!result)
        throw expectation_failed(result.message());
    return result.records();
}

/// Watches `collector` for `during`; throws expectation_failed naming the first record that
/// matches `unwanted`, as soon as one arrives (a record collected earlier counts too). Unlike
/// the other steps this one passes only by waiting out `during`: keep it short.
template <class K, class V, class KeySerde, class ValueSerde>
void expect_no_record(background_collector<K, V, KeySerde, ValueSerde>& collector,
                      const expected_record<K, V>& unwanted, std::chrono::milliseconds during) {
    const auto any = [&](const std::vector<consumer_record<K, V>>& records) {
        for (const auto& r : records) {
            if (unwanted.matches(r))
                return true;
        }
        return false;
    };
    if (!collector.wait_for(any, during))
        return;
    for (const auto& r : collector.snapshot()) {
        if (unwanted.matches(r)) {
            throw expectation_failed("expected no record matching " + unwanted.describe() + " on " +
                                     collector.topic() + " for " + std::to_string(during.count()) +
                                     " ms, but one arrived: " + testing::describe(r));
        }
    }
}

}  // namespace kflow::testing
