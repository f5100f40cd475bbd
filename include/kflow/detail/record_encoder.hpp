#pragma once
// Serializing a producer record's key and value: the one step producer<K, V> and
// async_producer<K, V> share, so both say which of the two failed.

#include <kflow/error.hpp>
#include <kflow/record.hpp>
#include <kflow/serde.hpp>

#include <exception>
#include <string>

namespace kflow::detail {

/// Serializes `record.key` into `key` and `record.value` into `value`; a serializer's exception
/// becomes errc::serialization_failed naming the key or the value, and the topic.
template <class K, class V, class KeySerde, class ValueSerde>
[[nodiscard]] error_info encode_record(const KeySerde& key_serde, const ValueSerde& value_serde,
                                       const producer_record<K, V>& record, payload& key,
                                       payload& value) {
    try {
        key = payload(key_serde.serialize(record.key));
    } catch (const std::exception& e) {
        return {make_error_code(errc::serialization_failed),
                "cannot serialize key for '" + record.topic + "': " + e.what(),
                {}};
    }
    try {
        value = payload(value_serde.serialize(record.value));
    } catch (const std::exception& e) {
        return {make_error_code(errc::serialization_failed),
                "cannot serialize value for '" + record.topic + "': " + e.what(),
                {}};
    }
    return {};
}

}  // namespace kflow::detail
