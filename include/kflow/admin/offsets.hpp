#pragma once
// Offsets the admin client reads and deletes: list_offsets (earliest, latest or by time) and
// delete_records.

#include <kflow/topic_partition.hpp>

#include <cstdint>
#include <string>
#include <system_error>

namespace kflow {

/// Which offset list_offsets looks up for a partition.
class offset_spec {
  public:
    /// The first offset still stored (the low watermark).
    static offset_spec earliest() noexcept { return offset_spec(kind::earliest, 0); }
    /// The next offset to be written (the high watermark).
    static offset_spec latest() noexcept { return offset_spec(kind::latest, 0); }
    /// The first offset whose timestamp is at or after `ms_since_epoch`.
    static offset_spec at_time(std::int64_t ms_since_epoch) noexcept {
        return offset_spec(kind::timestamp, ms_since_epoch);
    }

    /// The three lookups, as made by earliest(), latest() and at_time().
    enum class kind { earliest, latest, timestamp };
    /// Which lookup this is.
    [[nodiscard]] kind which() const noexcept { return kind_; }
    /// The time at_time() was given, in ms since the Unix epoch; 0 for earliest() and latest().
    [[nodiscard]] std::int64_t timestamp() const noexcept { return timestamp_; }

  private:
    offset_spec(kind k, std::int64_t ts) noexcept : kind_(k), timestamp_(ts) {}
    kind kind_;
    std::int64_t timestamp_;
};

/// One partition for list_offsets to look up, and which offset. An empty topic or a negative
/// partition fails the whole call (RD_KAFKA_RESP_ERR__INVALID_ARG) before anything is sent.
struct offset_query {
    /// Looks up `what` in partition `partition_id` of `topic_name`.
    offset_query(std::string topic_name, std::int32_t partition_id, offset_spec what)
        : topic(std::move(topic_name)), partition(partition_id), spec(what) {}

    std::string topic;           ///< the topic, which must not be empty
    std::int32_t partition = 0;  ///< the partition id, >= 0
    offset_spec spec;            ///< which offset to look up
};

/// One partition's answer from list_offsets or delete_records.
struct partition_offset_result {
    std::string topic;           ///< the partition's topic
    std::int32_t partition = 0;  ///< the partition's id within `topic`
    /// list_offsets: the offset found (-1 when no record is that recent); delete_records: the
    /// partition's new low watermark.
    std::int64_t offset = -1;
    /// kafka_category(): this partition's lookup or deletion failed (e.g. unknown topic or
    /// partition, not the leader, timeout); list_offsets then reports `offset` -1. Empty on
    /// success.
    std::error_code error;
    std::string message;  ///< the broker's (or librdkafka's) explanation when `error` is set

    /// True when this partition succeeded (`error` is empty).
    [[nodiscard]] bool ok() const noexcept { return !error; }
    /// "'orders' [3]" (partition_label()), for failure reports.
    [[nodiscard]] std::string item_name() const { return partition_label(topic, partition); }
};

}  // namespace kflow
