#pragma once
// kflow::testing::expected_record and record_matches: what a consumed record must look like,
// content, headers and metadata, checked field by field so that a mismatch names each
// difference:
//
//   const auto sent_at = kflow::testing::between(before, after);
//   CHECK(kflow::testing::record_matches(record, {.name = "order o-1", .key = "alice",
//                                                 .headers = {{"trace-id", "t-1"}},
//                                                 .stored = delivered, .time = sent_at}));
//
//   record orders-1 [2] @ 7 key="alice" value="..." headers={trace-id="t-9"} is not order o-1
//   {key="alice" headers including {trace-id="t-1"} at orders-1 [2] @ 7 (delivery report) ...}:
//     header trace-id: expected "t-1", found "t-9"
//
// match_records() finds a record of its own for each of several expectations (and for those it
// cannot, the closest record and how it differs); background_collector's expect_records() and
// require_records() (expect_records.hpp) wait for it.

#include <kflow/headers.hpp>
#include <kflow/record.hpp>
#include <kflow/testing/describe.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace kflow::testing {

/// A timestamp as failure messages show it: UTC, to the millisecond,
/// "2024-05-01T12:00:00.123Z".
[[nodiscard]] inline std::string describe_time(timestamp t) {
    const auto since_epoch = t.time_since_epoch().count();
    auto seconds = since_epoch / 1000;
    auto millis = since_epoch % 1000;
    if (millis < 0) {  // before 1970: floor, not truncation
        millis += 1000;
        seconds -= 1;
    }
    const auto time = static_cast<std::time_t>(seconds);
    std::tm utc{};
    gmtime_r(&time, &utc);
    char text[40];
    const auto n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, ".%03dZ", static_cast<int>(millis));
    return std::string(text, n) + fraction;
}

/// A span of time a record's timestamp must fall in, both ends included.
struct time_range {
    timestamp from;  ///< the earliest accepted timestamp
    timestamp to;    ///< the latest accepted timestamp

    /// True when `t` is in [from, to].
    [[nodiscard]] bool contains(timestamp t) const noexcept { return from <= t && t <= to; }
    /// "[from, to]", both as describe_time() shows them.
    [[nodiscard]] std::string describe() const {
        return "[" + describe_time(from) + ", " + describe_time(to) + "]";
    }
};

/// The range from `from` to `to` (e.g. timestamp_clock::now() before a send and after its
/// delivery report), widened to whole milliseconds, Kafka's precision: `from` rounded down, `to`
/// up. `slack` widens it on both sides, for a broker whose clock (LogAppendTime topics) differs
/// from the test's.
[[nodiscard]] inline time_range between(timestamp_clock::time_point from,
                                        timestamp_clock::time_point to,
                                        std::chrono::milliseconds slack = {}) {
    return {std::chrono::floor<std::chrono::milliseconds>(from) - slack,
            std::chrono::ceil<std::chrono::milliseconds>(to) + slack};
}

/// What a consumed record must look like; unset fields match anything. Name only what the
/// test checks, in this order: {.name, .key, .value, .headers, .topic, .partition, .offset,
/// .stored, .time}.
template <class K, class V>
struct expected_record {
    /// How failure messages call this record ("order o-1"); empty: by its fields.
    std::string name{};
    /// The key must equal this (compared with ==).
    std::optional<K> key{};
    /// The value must equal this (compared with ==).
    std::optional<V> value{};
    /// Each of these must be among the record's headers with this value (other headers, and the
    /// order, do not matter; a null value matches only null).
    kflow::headers headers{};
    /// The record must come from this topic.
    std::optional<std::string> topic{};
    /// The record must come from this partition.
    std::optional<std::int32_t> partition{};
    /// The record must have this offset.
    std::optional<std::int64_t> offset{};
    /// The record must be where this delivery report says it was stored (topic, partition and
    /// offset) and carry the report's timestamp when the report has one of the record's kind
    /// (CreateTime or LogAppendTime).
    std::optional<record_metadata> stored{};
    /// The record's timestamp must fall in this range (see between()).
    std::optional<time_range> time{};

    /// Each way `r` differs from this expectation, one line each, e.g.
    /// `value: expected "b", found "a"`; empty when it matches.
    [[nodiscard]] std::vector<std::string> differences(const consumer_record<K, V>& r) const {
        std::vector<std::string> out;
        const auto differ = [&out](const std::string& what, const std::string& expected,
                                   const std::string& found) {
            out.push_back(what + ": expected " + expected + ", found " + found);
        };
        if (key && !(r.key == *key))
            differ("key", describe_value(*key), describe_value(r.key));
        if (value && !(r.value == *value))
            differ("value", describe_value(*value), describe_value(r.value));
        for (const auto& h : headers) {
            const auto found = r.headers.all(h.key);
            if (std::find(found.begin(), found.end(), h.value) != found.end())
                continue;
            std::string seen;
            for (const auto& v : found)
                seen += (seen.empty() ? "" : ", ") + describe_value(v);
            differ("header " + h.key, describe_value(h.value), found.empty() ? "none" : seen);
        }
        if (topic && r.topic != *topic)
            differ("topic", *topic, std::string(r.topic));
        if (partition && r.partition != *partition)
            differ("partition", std::to_string(*partition), std::to_string(r.partition));
        if (offset && r.offset != *offset)
            differ("offset", std::to_string(*offset), std::to_string(r.offset));
        if (stored) {
            if (r.topic != stored->topic || r.partition != stored->partition ||
                r.offset != stored->offset) {
                differ(
                    "position",
                    where(stored->topic, stored->partition, stored->offset) + " (delivery report)",
                    where(std::string(r.topic), r.partition, r.offset));
            }
            // Compared only when both are the same kind: librdkafka's mock answers every
            // Produce with a made-up LogAppendTime (1234 ms after the epoch) although the records
            // keep their CreateTime.
            if (stored->time && stored->time_type == r.time_type && r.time != stored->time) {
                differ("timestamp", describe_time(*stored->time) + " (delivery report)",
                       r.time ? describe_time(*r.time) : std::string("none"));
            }
        }
        if (time) {
            if (!r.time) {
                differ("timestamp", "within " + time->describe(), "none");
            } else if (!time->contains(*r.time)) {
                const bool early = *r.time < time->from;
                const auto by = early ? time->from - *r.time : *r.time - time->to;
                differ("timestamp", "within " + time->describe(),
                       describe_time(*r.time) + " (" + std::to_string(by.count()) + " ms " +
                           (early ? "before" : "after") + " the range)");
            }
        }
        return out;
    }

    /// True when `r` meets every field that is set.
    [[nodiscard]] bool matches(const consumer_record<K, V>& r) const {
        return differences(r).empty();
    }

    /// The name, when set, then the fields checked: order o-1 {key="alice" ...}.
    [[nodiscard]] std::string describe() const {
        return name.empty() ? fields() : name + " " + fields();
    }

    /// The fields checked, e.g. {key="alice" value="v" at orders [1] @ 4 (delivery report)};
    /// {any record} when none is.
    [[nodiscard]] std::string fields() const {
        std::string out;
        const auto field = [&out](const std::string& text) {
            out += (out.empty() ? "" : " ") + text;
        };
        if (key)
            field("key=" + describe_value(*key));
        if (value)
            field("value=" + describe_value(*value));
        if (!headers.empty())
            field("headers including " + testing::describe(headers));
        if (topic)
            field("topic=" + *topic);
        if (partition)
            field("partition=" + std::to_string(*partition));
        if (offset)
            field("offset=" + std::to_string(*offset));
        if (stored)
            field("at " + where(stored->topic, stored->partition, stored->offset) +
                  " (delivery report)");
        if (time)
            field("timestamp within " + time->describe());
        return "{" + (out.empty() ? std::string("any record") : out) + "}";
    }

  private:
    static std::string where(const std::string& t, std::int32_t p, std::int64_t o) {
        return t + " [" + std::to_string(p) + "] @ " + std::to_string(o);
    }
};

/// What record_matches() found: whether the record matches, and if not, each difference.
/// Usable as a bool, and printable, so CHECK(record_matches(r, e)) shows the differences.
class record_match {
  public:
    /// A match when `differences` is empty; `record` and `expected` are the descriptions the
    /// message uses.
    record_match(std::string record, std::string expected, std::vector<std::string> differences)
        : record_(std::move(record)),
          expected_(std::move(expected)),
          differences_(std::move(differences)) {}

    /// True when the record matched.
    [[nodiscard]] bool ok() const noexcept { return differences_.empty(); }
    /// ok(), so CHECK(record_matches(...)) reads naturally.
    [[nodiscard]] explicit operator bool() const noexcept { return ok(); }
    /// Each difference, one line each; empty on a match.
    [[nodiscard]] const std::vector<std::string>& differences() const noexcept {
        return differences_;
    }
    /// "record <record> is <expected>", or "record <record> is not <expected>:" followed by the
    /// differences, one per indented line.
    [[nodiscard]] std::string message() const {
        if (ok())
            return "record " + record_ + " is " + expected_;
        std::string out = "record " + record_ + " is not " + expected_ + ":";
        for (const auto& d : differences_)
            out += "\n  " + d;
        return out;
    }
    /// Prints message() (Catch2 shows it in a failed CHECK).
    friend std::ostream& operator<<(std::ostream& os, const record_match& m) {
        return os << m.message();
    }

  private:
    std::string record_;
    std::string expected_;
    std::vector<std::string> differences_;
};

/// Compares `record` with `expected`, field by field; see record_match.
template <class K, class V>
[[nodiscard]] record_match record_matches(const consumer_record<K, V>& record,
                                          const expected_record<K, V>& expected) {
    return {testing::describe(record), expected.describe(), expected.differences(record)};
}

/// What match_records() found: a record of its own for each expectation, or for those left
/// without one, the closest record and how it differs. Usable as a bool, and printable, so
/// CHECK(expect_records(...)) shows what is missing.
template <class K, class V>
class records_match {
  public:
    /// The record type matched.
    using record_type = consumer_record<K, V>;

    /// At most this many records are listed in message() under "records seen".
    static constexpr std::size_t max_listed = 20;

    /// For expectation i, `matched[i]` is its record, or std::nullopt; `message` explains the
    /// missing ones (empty when none is).
    records_match(std::vector<std::optional<record_type>> matched, std::string message)
        : matched_(std::move(matched)),
          missing_(
              static_cast<std::size_t>(std::count(matched_.begin(), matched_.end(), std::nullopt))),
          message_(std::move(message)) {}

    /// True when every expectation has a record.
    [[nodiscard]] bool ok() const noexcept { return missing_ == 0; }
    /// ok(), so CHECK(expect_records(...)) reads naturally.
    [[nodiscard]] explicit operator bool() const noexcept { return ok(); }
    /// How many expectations have no record.
    [[nodiscard]] std::size_t missing() const noexcept { return missing_; }
    /// For expectation i, the record matched to it (std::nullopt when none).
    [[nodiscard]] const std::vector<std::optional<record_type>>& matched() const noexcept {
        return matched_;
    }
    /// The matched records in the order of the expectations (an expectation without a record
    /// is left out: check ok() first).
    [[nodiscard]] std::vector<record_type> records() const {
        std::vector<record_type> out;
        for (const auto& m : matched_) {
            if (m)
                out.push_back(*m);
        }
        return out;
    }
    /// Empty when ok(); else which expectations have no record, each with the closest record
    /// seen and how it differs, then the records seen.
    [[nodiscard]] const std::string& message() const noexcept { return message_; }
    /// Prints message(), or "all N expected record(s) found" (Catch2 shows it in a CHECK).
    friend std::ostream& operator<<(std::ostream& os, const records_match& m) {
        if (m.ok())
            return os << "all " << m.matched_.size() << " expected record(s) found";
        return os << m.message_;
    }

  private:
    std::vector<std::optional<record_type>> matched_;
    std::size_t missing_ = 0;
    std::string message_;
};

/// Finds a distinct record in `records` for every expectation in `expected` (the largest such
/// pairing: a loose expectation does not take the only record a stricter one could have), in
/// any order. For an expectation left without a record, the message names the closest record
/// (the fewest differences, the earliest on a tie) and each difference. `source` follows
/// "among N record(s)" in the message's first line, e.g. " collected from orders within 5000 ms".
template <class K, class V>
[[nodiscard]] records_match<K, V> match_records(const std::vector<consumer_record<K, V>>& records,
                                                const std::vector<expected_record<K, V>>& expected,
                                                const std::string& source = {}) {
    constexpr auto none = std::numeric_limits<std::size_t>::max();
    std::vector<std::optional<consumer_record<K, V>>> matched(expected.size());
    std::size_t missing = 0;
    // fits[e][r]: record r meets expectation e. The pairing is a bipartite matching, found with
    // augmenting paths (Kuhn's algorithm): a few expectations against at most a few thousand
    // records.
    std::vector<std::vector<std::size_t>> fits(expected.size());
    for (std::size_t e = 0; e < expected.size(); ++e) {
        for (std::size_t r = 0; r < records.size(); ++r) {
            if (expected[e].matches(records[r]))
                fits[e].push_back(r);
        }
    }
    std::vector<std::size_t> owner(records.size(), none);  // the expectation a record went to
    std::vector<char> visited;
    const auto augment = [&](auto& self, std::size_t e) -> bool {
        for (const auto r : fits[e]) {
            if (visited[r])
                continue;
            visited[r] = 1;
            if (owner[r] == none || self(self, owner[r])) {
                owner[r] = e;
                return true;
            }
        }
        return false;
    };
    for (std::size_t e = 0; e < expected.size(); ++e) {
        visited.assign(records.size(), 0);
        (void)augment(augment, e);
    }
    for (std::size_t r = 0; r < records.size(); ++r) {
        if (owner[r] != none)
            matched[owner[r]] = records[r];
    }

    std::string lines;
    for (std::size_t e = 0; e < expected.size(); ++e) {
        if (matched[e])
            continue;
        ++missing;
        const auto& x = expected[e];
        lines += "\n  expected record " + std::to_string(e + 1) + " of " +
                 std::to_string(expected.size()) + ": " + x.describe();
        if (records.empty()) {
            lines += "\n    no record arrived at all";
            continue;
        }
        if (!fits[e].empty()) {  // it matched, but every such record went to another
            const auto r = fits[e].front();
            lines += "\n    its record(s), the first " + testing::describe(records[r]) +
                     ", matched expected record " + std::to_string(owner[r] + 1) +
                     " as well: each expected record needs a record of its own";
            continue;
        }
        std::size_t closest = 0;
        std::vector<std::string> closest_differences = x.differences(records[0]);
        for (std::size_t r = 1; r < records.size(); ++r) {
            auto d = x.differences(records[r]);
            if (d.size() < closest_differences.size()) {
                closest = r;
                closest_differences = std::move(d);
            }
        }
        lines += "\n    closest: " + testing::describe(records[closest]);
        for (const auto& d : closest_differences)
            lines += "\n      " + d;
    }
    if (missing == 0)
        return {std::move(matched), {}};
    std::string message = std::to_string(missing) + " of " + std::to_string(expected.size()) +
                          " expected record(s) not found among " + std::to_string(records.size()) +
                          " record(s)" + source + ":" + lines;
    if (!records.empty()) {
        const auto listed = std::min(records.size(), records_match<K, V>::max_listed);
        message += "\n  records seen" +
                   (listed < records.size() ? " (the first " + std::to_string(listed) + ")"
                                            : std::string()) +
                   ":";
        for (std::size_t r = 0; r < listed; ++r)
            message += "\n    " + testing::describe(records[r]);
    }
    return {std::move(matched), std::move(message)};
}

}  // namespace kflow::testing
