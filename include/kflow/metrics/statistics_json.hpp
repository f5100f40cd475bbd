#pragma once
// Parsing librdkafka's statistics JSON into kflow::metrics::statistics.
//
// Lenient by design, since the document comes from librdkafka and its fields change between
// versions: unknown fields are ignored, a missing field stays empty, and a field of another
// type than expected (a string where a number belongs, an array where an object does) is
// treated as missing. Only text that is not JSON, or JSON that is not an object, is an error.
// Fields are read with nlohmann_json's non-throwing accessors, so no document makes the parser
// throw anything but its own kafka_error (or std::bad_alloc).

#include <kflow/error.hpp>
#include <kflow/metrics/statistics.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace kflow::detail {

using stats_json = nlohmann::json;

/// The member `key` of `object`, or nullptr when `object` is not an object or lacks it.
[[nodiscard]] inline const stats_json* stats_member(const stats_json& object,
                                                    std::string_view key) {
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(key);
    return it != object.end() ? &*it : nullptr;
}

/// A JSON number as an integer in [min, max]: integers in range, and floating-point numbers
/// holding an integral value in range; anything else is std::nullopt.
[[nodiscard]] inline std::optional<std::int64_t> stats_integer(const stats_json& value,
                                                               std::int64_t min,
                                                               std::int64_t max) noexcept {
    std::optional<std::int64_t> result;
    if (value.is_number_integer() && !value.is_number_unsigned()) {
        result = *value.get_ptr<const stats_json::number_integer_t*>();
    } else if (value.is_number_unsigned()) {
        const auto u = *value.get_ptr<const stats_json::number_unsigned_t*>();
        if (u <=
            static_cast<stats_json::number_unsigned_t>(std::numeric_limits<std::int64_t>::max()))
            result = static_cast<std::int64_t>(u);
    } else if (value.is_number_float()) {
        const double d = *value.get_ptr<const stats_json::number_float_t*>();
        // 2^63 is the first double above int64's range; -2^63 is in it.
        if (std::isfinite(d) && std::trunc(d) == d && d >= -9223372036854775808.0 &&
            d < 9223372036854775808.0) {
            result = static_cast<std::int64_t>(d);
        }
    }
    if (result && (*result < min || *result > max))
        return std::nullopt;
    return result;
}

/// Reads object[key] as an integer into `out` (left empty when missing or of another type).
template <class Int>
void read_stat_field(const stats_json& object, std::string_view key, std::optional<Int>& out) {
    if (const auto* v = stats_member(object, key)) {
        if (auto n = stats_integer(*v, std::numeric_limits<Int>::min(),
                                   std::numeric_limits<Int>::max())) {
            out = static_cast<Int>(*n);
        }
    }
}

/// Reads object[key] as a boolean into `out` (left empty when missing or of another type).
inline void read_stat_field(const stats_json& object, std::string_view key,
                            std::optional<bool>& out) {
    if (const auto* v = stats_member(object, key); v != nullptr && v->is_boolean())
        out = *v->get_ptr<const stats_json::boolean_t*>();
}

/// Reads object[key] as a string into `out` (left empty when missing or of another type).
inline void read_stat_field(const stats_json& object, std::string_view key, std::string& out) {
    if (const auto* v = stats_member(object, key); v != nullptr && v->is_string())
        out = *v->get_ptr<const stats_json::string_t*>();
}

inline void read_stats_window(const stats_json& object, std::string_view key,
                              metrics::window_statistics& w) {
    const auto* v = stats_member(object, key);
    if (v == nullptr)
        return;
    read_stat_field(*v, "min", w.min);
    read_stat_field(*v, "max", w.max);
    read_stat_field(*v, "avg", w.avg);
    read_stat_field(*v, "sum", w.sum);
    read_stat_field(*v, "cnt", w.cnt);
    read_stat_field(*v, "stddev", w.stddev);
    read_stat_field(*v, "p50", w.p50);
    read_stat_field(*v, "p75", w.p75);
    read_stat_field(*v, "p90", w.p90);
    read_stat_field(*v, "p95", w.p95);
    read_stat_field(*v, "p99", w.p99);
    read_stat_field(*v, "p99_99", w.p99_99);
    read_stat_field(*v, "outofrange", w.outofrange);
    read_stat_field(*v, "hdrsize", w.hdrsize);
}

/// A partition id from an object key such as "3" or "-1".
[[nodiscard]] inline std::optional<std::int32_t> stats_partition_id(std::string_view key) noexcept {
    std::int32_t id = 0;
    const auto* end = key.data() + key.size();
    const auto [ptr, ec] = std::from_chars(key.data(), end, id);
    if (ec != std::errc() || ptr != end || key.empty())
        return std::nullopt;
    return id;
}

/// One partition, or std::nullopt when neither its "partition" field nor its key is an id.
[[nodiscard]] inline std::optional<metrics::partition_statistics> read_partition_stats(
    std::string_view key, const stats_json& v) {
    if (!v.is_object())
        return std::nullopt;
    std::optional<std::int32_t> id;
    read_stat_field(v, "partition", id);
    if (!id)
        id = stats_partition_id(key);
    if (!id)
        return std::nullopt;
    metrics::partition_statistics p;
    p.partition = *id;
    read_stat_field(v, "broker", p.broker);
    read_stat_field(v, "leader", p.leader);
    read_stat_field(v, "desired", p.desired);
    read_stat_field(v, "unknown", p.unknown);
    read_stat_field(v, "msgq_cnt", p.msgq_cnt);
    read_stat_field(v, "msgq_bytes", p.msgq_bytes);
    read_stat_field(v, "xmit_msgq_cnt", p.xmit_msgq_cnt);
    read_stat_field(v, "xmit_msgq_bytes", p.xmit_msgq_bytes);
    read_stat_field(v, "fetchq_cnt", p.fetchq_cnt);
    read_stat_field(v, "fetchq_size", p.fetchq_size);
    read_stat_field(v, "fetch_state", p.fetch_state);
    read_stat_field(v, "query_offset", p.query_offset);
    read_stat_field(v, "next_offset", p.next_offset);
    read_stat_field(v, "app_offset", p.app_offset);
    read_stat_field(v, "stored_offset", p.stored_offset);
    read_stat_field(v, "committed_offset", p.committed_offset);
    if (!p.committed_offset)
        read_stat_field(v, "commited_offset", p.committed_offset);  // librdkafka's older spelling
    read_stat_field(v, "eof_offset", p.eof_offset);
    read_stat_field(v, "lo_offset", p.lo_offset);
    read_stat_field(v, "hi_offset", p.hi_offset);
    read_stat_field(v, "ls_offset", p.ls_offset);
    read_stat_field(v, "consumer_lag", p.consumer_lag);
    read_stat_field(v, "consumer_lag_stored", p.consumer_lag_stored);
    read_stat_field(v, "txmsgs", p.txmsgs);
    read_stat_field(v, "txbytes", p.txbytes);
    read_stat_field(v, "rxmsgs", p.rxmsgs);
    read_stat_field(v, "rxbytes", p.rxbytes);
    read_stat_field(v, "msgs", p.msgs);
    read_stat_field(v, "rx_ver_drops", p.rx_ver_drops);
    read_stat_field(v, "msgs_inflight", p.msgs_inflight);
    read_stat_field(v, "next_ack_seq", p.next_ack_seq);
    read_stat_field(v, "next_err_seq", p.next_err_seq);
    read_stat_field(v, "acked_msgid", p.acked_msgid);
    return p;
}

[[nodiscard]] inline metrics::topic_statistics read_topic_stats(std::string_view key,
                                                                const stats_json& v) {
    metrics::topic_statistics t;
    read_stat_field(v, "topic", t.name);
    if (t.name.empty())
        t.name = std::string(key);
    read_stat_field(v, "age", t.age);
    read_stat_field(v, "metadata_age", t.metadata_age);
    read_stats_window(v, "batchsize", t.batchsize);
    read_stats_window(v, "batchcnt", t.batchcnt);
    if (const auto* parts = stats_member(v, "partitions"); parts != nullptr && parts->is_object()) {
        t.partitions.reserve(parts->size());
        for (const auto& [k, p] : parts->items()) {
            if (auto partition = read_partition_stats(k, p))
                t.partitions.push_back(std::move(*partition));
        }
        // The object's keys sort as text ("10" before "2"); ids read better in numeric order.
        std::stable_sort(t.partitions.begin(), t.partitions.end(),
                         [](const auto& a, const auto& b) { return a.partition < b.partition; });
    }
    return t;
}

[[nodiscard]] inline metrics::broker_statistics read_broker_stats(std::string_view key,
                                                                  const stats_json& v) {
    metrics::broker_statistics b;
    read_stat_field(v, "name", b.name);
    if (b.name.empty())
        b.name = std::string(key);
    read_stat_field(v, "nodeid", b.nodeid);
    read_stat_field(v, "nodename", b.nodename);
    read_stat_field(v, "source", b.source);
    read_stat_field(v, "state", b.state);
    read_stat_field(v, "stateage", b.stateage);
    read_stat_field(v, "outbuf_cnt", b.outbuf_cnt);
    read_stat_field(v, "outbuf_msg_cnt", b.outbuf_msg_cnt);
    read_stat_field(v, "waitresp_cnt", b.waitresp_cnt);
    read_stat_field(v, "waitresp_msg_cnt", b.waitresp_msg_cnt);
    read_stat_field(v, "tx", b.tx);
    read_stat_field(v, "txbytes", b.txbytes);
    read_stat_field(v, "txerrs", b.txerrs);
    read_stat_field(v, "txretries", b.txretries);
    read_stat_field(v, "txidle", b.txidle);
    read_stat_field(v, "req_timeouts", b.req_timeouts);
    read_stat_field(v, "rx", b.rx);
    read_stat_field(v, "rxbytes", b.rxbytes);
    read_stat_field(v, "rxerrs", b.rxerrs);
    read_stat_field(v, "rxcorriderrs", b.rxcorriderrs);
    read_stat_field(v, "rxpartial", b.rxpartial);
    read_stat_field(v, "rxidle", b.rxidle);
    read_stat_field(v, "zbuf_grow", b.zbuf_grow);
    read_stat_field(v, "buf_grow", b.buf_grow);
    read_stat_field(v, "wakeups", b.wakeups);
    read_stat_field(v, "connects", b.connects);
    read_stat_field(v, "disconnects", b.disconnects);
    read_stats_window(v, "int_latency", b.int_latency);
    read_stats_window(v, "outbuf_latency", b.outbuf_latency);
    read_stats_window(v, "rtt", b.rtt);
    read_stats_window(v, "throttle", b.throttle);
    if (const auto* req = stats_member(v, "req"); req != nullptr && req->is_object()) {
        for (const auto& [name, count] : req->items()) {
            if (auto n = stats_integer(count, std::numeric_limits<std::int64_t>::min(),
                                       std::numeric_limits<std::int64_t>::max())) {
                b.requests.emplace(name, *n);
            }
        }
    }
    if (const auto* toppars = stats_member(v, "toppars");
        toppars != nullptr && toppars->is_object()) {
        for (const auto& [k, tp] : toppars->items()) {
            topic_partition entry;
            std::optional<std::int32_t> partition;
            read_stat_field(tp, "topic", entry.topic);
            read_stat_field(tp, "partition", partition);
            if (!entry.topic.empty() && partition) {
                entry.partition = *partition;
                b.toppars.push_back(std::move(entry));
            }
        }
    }
    return b;
}

[[nodiscard]] inline metrics::consumer_group_statistics read_consumer_group_stats(
    const stats_json& v) {
    metrics::consumer_group_statistics g;
    read_stat_field(v, "state", g.state);
    read_stat_field(v, "stateage", g.stateage);
    read_stat_field(v, "join_state", g.join_state);
    read_stat_field(v, "rebalance_age", g.rebalance_age);
    read_stat_field(v, "rebalance_cnt", g.rebalance_cnt);
    read_stat_field(v, "rebalance_reason", g.rebalance_reason);
    read_stat_field(v, "assignment_size", g.assignment_size);
    return g;
}

[[nodiscard]] inline metrics::eos_statistics read_eos_stats(const stats_json& v) {
    metrics::eos_statistics e;
    read_stat_field(v, "idemp_state", e.idemp_state);
    read_stat_field(v, "idemp_stateage", e.idemp_stateage);
    read_stat_field(v, "txn_state", e.txn_state);
    read_stat_field(v, "txn_stateage", e.txn_stateage);
    read_stat_field(v, "txn_may_enq", e.txn_may_enq);
    read_stat_field(v, "producer_id", e.producer_id);
    read_stat_field(v, "producer_epoch", e.producer_epoch);
    read_stat_field(v, "epoch_cnt", e.epoch_cnt);
    return e;
}

/// The statistics of a parsed document (an object; anything else gives empty statistics).
[[nodiscard]] inline metrics::statistics read_stats_document(const stats_json& doc) {
    metrics::statistics s;
    read_stat_field(doc, "name", s.name);
    read_stat_field(doc, "client_id", s.client_id);
    read_stat_field(doc, "type", s.type);
    read_stat_field(doc, "ts", s.ts);
    read_stat_field(doc, "time", s.time);
    read_stat_field(doc, "age", s.age);
    read_stat_field(doc, "replyq", s.replyq);
    read_stat_field(doc, "msg_cnt", s.msg_cnt);
    read_stat_field(doc, "msg_size", s.msg_size);
    read_stat_field(doc, "msg_max", s.msg_max);
    read_stat_field(doc, "msg_size_max", s.msg_size_max);
    read_stat_field(doc, "simple_cnt", s.simple_cnt);
    read_stat_field(doc, "metadata_cache_cnt", s.metadata_cache_cnt);
    read_stat_field(doc, "tx", s.tx);
    read_stat_field(doc, "tx_bytes", s.tx_bytes);
    read_stat_field(doc, "rx", s.rx);
    read_stat_field(doc, "rx_bytes", s.rx_bytes);
    read_stat_field(doc, "txmsgs", s.txmsgs);
    read_stat_field(doc, "txmsg_bytes", s.txmsg_bytes);
    read_stat_field(doc, "rxmsgs", s.rxmsgs);
    read_stat_field(doc, "rxmsg_bytes", s.rxmsg_bytes);
    if (const auto* brokers = stats_member(doc, "brokers");
        brokers != nullptr && brokers->is_object()) {
        s.brokers.reserve(brokers->size());
        for (const auto& [k, b] : brokers->items()) {
            if (b.is_object())
                s.brokers.push_back(read_broker_stats(k, b));
        }
    }
    if (const auto* topics = stats_member(doc, "topics");
        topics != nullptr && topics->is_object()) {
        s.topics.reserve(topics->size());
        for (const auto& [k, t] : topics->items()) {
            if (t.is_object())
                s.topics.push_back(read_topic_stats(k, t));
        }
    }
    if (const auto* cgrp = stats_member(doc, "cgrp"); cgrp != nullptr && cgrp->is_object())
        s.consumer_group = read_consumer_group_stats(*cgrp);
    if (const auto* eos = stats_member(doc, "eos"); eos != nullptr && eos->is_object())
        s.eos = read_eos_stats(*eos);
    return s;
}

/// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
[[nodiscard]] inline std::string stats_parse_error_text(const char* what) {
    std::string_view text = what;
    if (text.starts_with("[json.exception.")) {
        if (const auto end = text.find("] "); end != std::string_view::npos)
            text.remove_prefix(end + 2);
    }
    return std::string(text);
}

}  // namespace kflow::detail

namespace kflow::metrics {

/// Parses one librdkafka statistics document. Unknown fields are ignored; a missing field, or
/// one of another type than librdkafka gives it, stays empty (see kflow/metrics/statistics.hpp).
/// On failure sets `err` to errc::deserialization_failed with a message that starts with
/// "cannot parse librdkafka statistics: " and says why (text that is not JSON, with nlohmann's
/// position, or JSON that is not an object), and returns empty statistics; on success resets
/// `err`. Throws nothing but std::bad_alloc.
/// @param json the document, as librdkafka hands it to the statistics callback
/// @param err set to the failure, or reset
[[nodiscard]] inline statistics parse_statistics(std::string_view json, error_info& err) {
    err = {};
    const auto fail = [&err](std::string reason) {
        err = {make_error_code(errc::deserialization_failed),
               "cannot parse librdkafka statistics: " + std::move(reason),
               {}};
        return statistics{};
    };
    kflow::detail::stats_json doc;
    try {
        doc = kflow::detail::stats_json::parse(json.begin(), json.end());
    } catch (const kflow::detail::stats_json::exception& e) {
        // parse_error for text that is not JSON; out_of_range for a number beyond a double.
        return fail(kflow::detail::stats_parse_error_text(e.what()));
    }
    if (!doc.is_object())
        return fail(std::string("the document is a JSON ") + doc.type_name() + ", not an object");
    return kflow::detail::read_stats_document(doc);
}

/// Parses one librdkafka statistics document, as parse_statistics(json, err) does. Throws
/// kafka_error with errc::deserialization_failed for text that is not JSON or JSON that is not
/// an object; never for missing or mistyped fields, which stay empty.
/// @param json the document, as librdkafka hands it to the statistics callback
[[nodiscard]] inline statistics parse_statistics(std::string_view json) {
    error_info err;
    auto result = parse_statistics(json, err);
    if (err)
        throw kafka_error(err.code, err.message);
    return result;
}

}  // namespace kflow::metrics
