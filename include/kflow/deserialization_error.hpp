#pragma once
// A record whose key or value could not be deserialized: never skipped silently. It keeps the raw
// bytes and its coordinates, and the consumer holds its partition's commit position at its
// offset until the application marks it handled.

#include <kflow/error.hpp>
#include <kflow/record.hpp>
#include <kflow/serdes/bytes.hpp>

#include <memory>
#include <optional>
#include <string>

namespace kflow {

/// A consumed record as bytes, exactly as it came from the broker.
struct raw_record {
    /// The topic it was read from.
    std::string topic;
    /// The partition it was read from.
    std::int32_t partition = 0;
    /// Its offset in that partition.
    std::int64_t offset = offsets::invalid;
    std::optional<bytes> key;    ///< std::nullopt: a null key
    std::optional<bytes> value;  ///< std::nullopt: a null value (tombstone)
    /// Its headers, in order.
    kflow::headers headers;
    /// Its timestamp; std::nullopt when it has none.
    std::optional<timestamp> time;
    /// Whether `time` was set by the producer or by the broker.
    timestamp_type time_type = timestamp_type::not_available;

    /// Topic, partition and offset of this record (its own offset, not the next one to read).
    [[nodiscard]] topic_partition_offset position() const { return {topic, partition, offset}; }
};

/// Which part of a record a deserializer failed on.
enum class record_part { key, value };

/// A record whose key or value could not be deserialized, and why. consumer::poll() throws it
/// inside a deserialization_error; async_consumer keeps it in last_failure() (and throws it the
/// same way under kflow::use_awaitable). Pass it to mark_handled() once dealt with, so its
/// partition's commit position moves past it again.
struct deserialization_failure {
    /// The record exactly as the broker sent it.
    raw_record record;
    record_part part = record_part::value;  ///< which of key and value failed
    std::error_code code;                   ///< errc::deserialization_failed or unexpected_null
    std::string reason;                     ///< what the deserializer said

    /// "cannot deserialize value of orders [2] @ 41: <reason>"
    [[nodiscard]] std::string describe() const {
        return std::string("cannot deserialize ") + (part == record_part::key ? "key" : "value") +
               " of " + record.topic + " [" + std::to_string(record.partition) + "] @ " +
               std::to_string(record.offset) + ": " + reason;
    }
};

/// Thrown by consumer::poll() and poll_batch() for a record that failed to deserialize. Its
/// partition's commit position stays at the record until consumer::mark_handled(failure()).
class deserialization_error : public kafka_error {
  public:
    /// code() is failure.code and what() is failure.describe().
    explicit deserialization_error(deserialization_failure failure)
        : kafka_error(failure.code, failure.describe()),
          failure_(std::make_shared<const deserialization_failure>(std::move(failure))) {}

    /// The failed record and why; pass it to consumer::mark_handled() to release its partition.
    [[nodiscard]] const deserialization_failure& failure() const noexcept { return *failure_; }
    /// Shorthand for failure().record: the raw bytes and coordinates.
    [[nodiscard]] const raw_record& record() const noexcept { return failure_->record; }

  private:
    // Shared: copying an exception must not throw, and the raw bytes may be large.
    std::shared_ptr<const deserialization_failure> failure_;
};

namespace detail {

inline raw_record raw_record_of(rd_kafka_message_t* msg) {
    raw_record r;
    r.topic = rd_kafka_topic_name(msg->rkt);
    r.partition = msg->partition;
    r.offset = msg->offset;
    if (msg->key != nullptr) {
        const auto* k = static_cast<const std::byte*>(msg->key);
        r.key = bytes(k, k + msg->key_len);
    }
    if (msg->payload != nullptr) {
        const auto* v = static_cast<const std::byte*>(msg->payload);
        r.value = bytes(v, v + msg->len);
    }
    r.headers = headers_of(msg);
    std::tie(r.time, r.time_type) = timestamp_of(msg);
    return r;
}

}  // namespace detail
}  // namespace kflow
