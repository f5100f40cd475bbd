#pragma once
// Serializing a producer record's key and value: the one step producer<K, V> and
// async_producer<K, V> share, so both say which of the two failed.

#include <kflow/error.hpp>
#include <kflow/record.hpp>
#include <kflow/serde.hpp>

#include <exception>
#include <optional>
#include <string>

namespace kflow::detail {

/// Serializes one part of a record (`which`: "key" or "value") with `codec`. A serializer's
/// exception becomes errc::serialization_failed in `failure`, naming the part and the topic,
/// and the payload returned is then null. Returned by value, so a send builds each payload in
/// place; `failure` is optional so that a send which succeeds builds no error_info at all
/// (constructing, moving and destroying one was a tenth of a send's own cost).
template <class Codec, class T>
[[nodiscard]] payload encode_part(const Codec& codec, const T& part, const char* which,
                                  const std::string& topic, std::optional<error_info>& failure) {
    try {
        return payload(codec.serialize(part));
    } catch (const std::exception& e) {
        failure.emplace(error_info{
            make_error_code(errc::serialization_failed),
            std::string("cannot serialize ") + which + " for '" + topic + "': " + e.what(),
            {}});
        return {};
    }
}

/// Serializes `record.key` into `key` and `record.value` into `value`, as encode_part does.
template <class K, class V, class KeySerde, class ValueSerde>
[[nodiscard]] error_info encode_record(const KeySerde& key_serde, const ValueSerde& value_serde,
                                       const producer_record<K, V>& record, payload& key,
                                       payload& value) {
    std::optional<error_info> failure;
    key = encode_part(key_serde, record.key, "key", record.topic, failure);
    if (!failure)
        value = encode_part(value_serde, record.value, "value", record.topic, failure);
    return failure ? std::move(*failure) : error_info{};
}

}  // namespace kflow::detail
