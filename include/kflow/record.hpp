#pragma once
// The records applications send and receive, and what a delivery report says.

#include <kflow/borrows_record_bytes.hpp>
#include <kflow/headers.hpp>
#include <kflow/record_storage.hpp>
#include <kflow/topic_partition.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace kflow {

/// The clock of Kafka timestamps: wall-clock time, so `timestamp_clock::now()` is a valid
/// record time.
using timestamp_clock = std::chrono::system_clock;
/// Kafka timestamps are milliseconds since the Unix epoch.
using timestamp = std::chrono::time_point<timestamp_clock, std::chrono::milliseconds>;

/// What a record's timestamp means: the topic's message.timestamp.type decides whether the
/// broker keeps the producer's time or replaces it with its own.
enum class timestamp_type {
    not_available,   ///< the broker or message has none
    create_time,     ///< set by the producer
    log_append_time  ///< set by the broker when it appended the record
};

/// A record to send. Leave `partition` at any_partition to let the partitioner choose from the
/// key, and `time` empty to let librdkafka stamp the current time.
///
/// It has constructors rather than being an aggregate on purpose: g++ 12 destroys aggregate
/// temporaries inside a co_await expression incorrectly, and `co_await p.async_send({topic, k,
/// v})` is the most natural way to write a send.
template <class K, class V>
struct producer_record {
    /// An empty record: set at least `topic` before sending it.
    producer_record() = default;
    /// A record for `topic_name` with this key and value; the remaining fields keep their
    /// defaults (no headers, partitioner's choice, librdkafka's time) unless given.
    producer_record(std::string topic_name, K record_key, V record_value,
                    kflow::headers record_headers = {},
                    std::int32_t target_partition = any_partition,
                    std::optional<timestamp> record_time = std::nullopt)
        : topic(std::move(topic_name)),
          key(std::move(record_key)),
          value(std::move(record_value)),
          headers(std::move(record_headers)),
          partition(target_partition),
          time(record_time) {}

    std::string topic;  ///< the topic to write to; an empty name fails the send
    K key{};            ///< serialized by the producer's key serde; the partitioner hashes it
    V value{};          ///< serialized by the producer's value serde
    kflow::headers headers{};                ///< sent as the record's Kafka headers
    std::int32_t partition = any_partition;  ///< a partition number, or any_partition
    /// The record's create time; std::nullopt lets librdkafka stamp the time of the send.
    std::optional<timestamp> time{};
};

/// Where and when a record was stored, as the delivery report says.
struct record_metadata {
    std::string topic;                       ///< the topic the record was sent to
    std::int32_t partition = any_partition;  ///< the partition it went to (chosen or given)
    /// The record's offset in its partition; offsets::invalid when the write failed or the
    /// broker did not report one (e.g. acks=0).
    std::int64_t offset = offsets::invalid;
    std::optional<timestamp> time;  ///< the stored timestamp, when the report carries one
    timestamp_type time_type = timestamp_type::not_available;  ///< the meaning of `time`
    /// Whether the broker confirmed the write (false when it failed, or may have written it
    /// without telling, e.g. on a timeout: rd_kafka_message_status()).
    bool persisted = false;
};

/// A record read from Kafka, with its key and value deserialized.
///
/// When K or V borrows the record's bytes (borrows_record_bytes: std::string_view,
/// std::span<const std::byte>, ...), the record reads without copying: its key and value view
/// the bytes of librdkafka's message, its topic views the name librdkafka keeps for that
/// message, and `storage` holds the message. Such a record is move-only, and its views are valid
/// as long as it (or its storage) lives. Otherwise the record owns copies, `topic` is a
/// std::string and `storage` is empty.
template <class K, class V>
struct consumer_record {
    /// True when the key or value views the record's bytes (see above).
    static constexpr bool borrows = borrows_record_bytes_v<K> || borrows_record_bytes_v<V>;
    /// std::string_view for a borrowing record, else std::string.
    using topic_type = std::conditional_t<borrows, std::string_view, std::string>;

    topic_type topic{};                      ///< the topic it was read from
    std::int32_t partition = 0;              ///< its partition
    std::int64_t offset = offsets::invalid;  ///< its offset in the partition
    K key{};                                 ///< the key, deserialized by the key serde
    V value{};                               ///< the value, deserialized by the value serde
    kflow::headers headers{};                ///< the record's Kafka headers, in order
    std::optional<timestamp> time{};         ///< its timestamp, when it has one
    timestamp_type time_type = timestamp_type::not_available;  ///< the meaning of `time`
    /// What the views of a borrowing record point into (record_storage); empty otherwise.
    [[no_unique_address]] std::conditional_t<borrows, record_storage, no_record_storage> storage{};

    /// Where this record is: its topic, partition and own offset. To commit past the record,
    /// commit `offset + 1` (the next offset to read) or pass the record to commit().
    [[nodiscard]] topic_partition_offset position() const {
        return {std::string(topic), partition, offset};
    }
};

namespace detail {

/// A timestamp as rd_kafka_message_timestamp() gives it, in kflow's terms.
inline std::pair<std::optional<timestamp>, timestamp_type> timestamp_from(
    std::int64_t ms, rd_kafka_timestamp_type_t type) noexcept {
    switch (type) {
        case RD_KAFKA_TIMESTAMP_CREATE_TIME:
            return {timestamp(std::chrono::milliseconds(ms)), timestamp_type::create_time};
        case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME:
            return {timestamp(std::chrono::milliseconds(ms)), timestamp_type::log_append_time};
        default:
            return {std::nullopt, timestamp_type::not_available};
    }
}

inline std::pair<std::optional<timestamp>, timestamp_type> timestamp_of(
    const rd_kafka_message_t* msg) noexcept {
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    const std::int64_t ms = rd_kafka_message_timestamp(msg, &type);
    return timestamp_from(ms, type);
}

/// Everything of a delivery report's metadata but the topic, which the caller may already have.
inline void fill_delivery(record_metadata& md, const rd_kafka_message_t* msg) noexcept {
    md.partition = msg->partition;
    md.offset = msg->offset;
    std::tie(md.time, md.time_type) = timestamp_of(msg);
    md.persisted = rd_kafka_message_status(msg) == RD_KAFKA_MSG_STATUS_PERSISTED;
}

inline record_metadata metadata_of(const rd_kafka_message_t* msg) {
    record_metadata md;
    md.topic = rd_kafka_topic_name(msg->rkt);
    fill_delivery(md, msg);
    return md;
}

}  // namespace detail
}  // namespace kflow
