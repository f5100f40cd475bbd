#pragma once
// Turns a raw librdkafka message into a typed record, or into a deserialization failure that
// holds its partition's offset. Shared by consumer<K, V> and async_consumer<K, V>.

#include <kflow/deserialization_error.hpp>
#include <kflow/detail/consumer_core.hpp>
#include <kflow/detail/header_probe.hpp>
#include <kflow/record.hpp>
#include <kflow/serde.hpp>

#include <memory>
#include <optional>
#include <variant>

namespace kflow::detail {

template <class Serde, class T>
bool decode_field(const Serde& serde, const void* data, std::size_t size, T& out, record_part part,
                  std::optional<deserialization_failure>& failure) {
    try {
        if (data == nullptr) {
            if constexpr (null_deserializer_for<Serde, T>) {
                out = serde.deserialize_null();
                return true;
            } else {
                failure = deserialization_failure{
                    {},
                    part,
                    make_error_code(errc::unexpected_null),
                    "null, and the type has no null value (use std::optional)"};
                return false;
            }
        }
        out = serde.deserialize({static_cast<const std::byte*>(data), size});
        return true;
    } catch (const std::exception& e) {
        failure = deserialization_failure{
            {}, part, make_error_code(errc::deserialization_failed), e.what()};
        return false;
    } catch (...) {
        // Anything else a deserializer throws must not escape either: the record was already
        // counted as handed, so its offset would be committed without the application seeing it.
        failure = deserialization_failure{{},
                                          part,
                                          make_error_code(errc::deserialization_failed),
                                          "the deserializer threw a non-std::exception"};
        return false;
    }
}

/// Decodes `msg` into `record` (a default-constructed one, e.g. a vector's new last element, so
/// that no record is moved afterwards) without touching the consumer's offset bookkeeping.
/// Returns false, with `failure` set, when the key or value cannot be deserialized.
/// `same_topic`, when given, is the topic name of `msg` already decoded into another record (a
/// batch's records come in runs of one partition): copying it skips librdkafka's C string.
/// A borrowing record's key, value and topic view `msg`: the caller moves `msg` into the
/// record's storage (adopt_message()) once the record is handed out.
/// Always inlined: it runs for every record, and a call would cost a tenth of what it does.
template <class K, class V, class KeySerde, class ValueSerde>
[[gnu::always_inline]] inline bool decode_into(
    const KeySerde& key_serde, const ValueSerde& value_serde, rd_kafka_message_t& msg,
    consumer_record<K, V>& record, std::optional<deserialization_failure>& failure,
    const typename consumer_record<K, V>::topic_type* same_topic = nullptr) {
    if (!decode_field(key_serde, msg.key, msg.key_len, record.key, record_part::key, failure) ||
        !decode_field(value_serde, msg.payload, msg.len, record.value, record_part::value,
                      failure)) {
        failure->record = raw_record_of(&msg);
        return false;
    }
    if (same_topic != nullptr)
        record.topic = *same_topic;
    else
        record.topic = rd_kafka_topic_name(msg.rkt);
    record.partition = msg.partition;
    record.offset = msg.offset;
    rd_kafka_timestamp_type_t time_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    const std::int64_t time = rd_kafka_message_timestamp(&msg, &time_type);
    if (!certainly_without_headers(msg, time, time_type))  // `record` starts without headers
        record.headers = parse_headers(&msg);
    std::tie(record.time, record.time_type) = timestamp_from(time, time_type);
    return true;
}

/// Decodes `msg` without touching the consumer's offset bookkeeping (see mark_handed()).
template <class K, class V, class KeySerde, class ValueSerde>
std::variant<consumer_record<K, V>, deserialization_failure> decode_message(
    const KeySerde& key_serde, const ValueSerde& value_serde, rd_kafka_message_t& msg) {
    std::variant<consumer_record<K, V>, deserialization_failure> result;
    std::optional<deserialization_failure> failure;
    if (!decode_into(key_serde, value_serde, msg, std::get<0>(result), failure))
        result = std::move(*failure);
    return result;
}

/// Hands `msg` to a borrowing record, whose views point into it, with `client` (what owns the
/// rd_kafka_t) kept alive as long as the record; an owning record leaves `msg` to its caller.
template <class K, class V, class Client>
void adopt_message(consumer_record<K, V>& record, message_handle& msg,
                   const std::shared_ptr<Client>& client) noexcept {
    if constexpr (consumer_record<K, V>::borrows)
        record_storage_access::fill(record.storage, msg.release(), client);
}

/// Records `msg` as handed to the application; a record that failed to deserialize holds its
/// partition's stored offset at it until the application marks it handled.
inline void mark_handed(consumer_core& core, const rd_kafka_message_t& msg, bool failed) {
    core.handed(msg);
    if (failed)
        core.hold_at({rd_kafka_topic_name(msg.rkt), msg.partition, msg.offset});
}

}  // namespace kflow::detail
