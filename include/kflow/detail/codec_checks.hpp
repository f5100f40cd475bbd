#pragma once
// The checks every client makes first thing in its class body: that KeySerde and ValueSerde can
// serialize (producers) or deserialize (consumers) K and V.
//
// Static assertions rather than a requires-clause on the class, so that a type without a codec
// is reported at the user's declaration (kflow::producer<my_type, ...> "required from here"),
// with a message that names K or V and says what to do, rather than as an unsatisfied
// constraint. Each check is a consteval function template, so g++ prints its arguments by name
// ("[with K = my_type; ...]") next to the message, and exactly one assertion fires per type: the
// one for the reason it has no codec.

#include <kflow/serde.hpp>

#include <concepts>

namespace kflow::detail {

// Why a codec cannot serialize (or deserialize) a type.
enum class codec_gap {
    none,          // it can
    custom_codec,  // the codec given as a template argument lacks the member
    other_hook,    // serde<T> of a type with the ADL hook for the other direction only
    other_way,     // serde<T> works the other way only (send-only types, JSON to_json only...)
    no_codec,      // serde<T> of a type with no codec at all
};

template <class Serde, class T>
consteval codec_gap serializer_gap() {
    if constexpr (serializer_for<Serde, T>) {
        return codec_gap::none;
    } else if constexpr (!std::same_as<Serde, serde<T>>) {
        return codec_gap::custom_codec;
    } else if constexpr (has_deserialize_hook<T> && !has_serialize_hook<T>) {
        return codec_gap::other_hook;
    } else if constexpr (deserializer_for<Serde, T>) {
        return codec_gap::other_way;
    } else {
        return codec_gap::no_codec;
    }
}

template <class Serde, class T>
consteval codec_gap deserializer_gap() {
    if constexpr (deserializer_for<Serde, T>) {
        return codec_gap::none;
    } else if constexpr (!std::same_as<Serde, serde<T>>) {
        return codec_gap::custom_codec;
    } else if constexpr (has_serialize_hook<T> && !has_deserialize_hook<T>) {
        return codec_gap::other_hook;
    } else if constexpr (serializer_for<Serde, T>) {
        return codec_gap::other_way;
    } else {
        return codec_gap::no_codec;
    }
}

// producer<K, V, KeySerde, ValueSerde> and async_producer: always true, and fails to compile
// (with the reason) unless both codecs can serialize.
template <class K, class V, class KeySerde, class ValueSerde>
consteval bool check_serializers() {
    constexpr codec_gap key = serializer_gap<KeySerde, K>();
    static_assert(key != codec_gap::no_codec,
                  "kflow: no serializer for the key type K of producer<K, V>. Give K a codec: a "
                  "kflow::serde<K> specialization, kflow_serialize / kflow_deserialize hooks "
                  "next to K (found by ADL), nlohmann to_json / from_json, or a codec passed as "
                  "the KeySerde template argument (for std::optional<T>, T needs one)");
    static_assert(key != codec_gap::other_hook,
                  "kflow: the key type K of producer<K, V> has a kflow_deserialize hook but no "
                  "kflow_serialize: add `kflow::payload kflow_serialize(const K&)` next to K");
    static_assert(key != codec_gap::other_way,
                  "kflow: the key type K of producer<K, V> can be read but not written: "
                  "kflow::serde<K> has deserialize but no serialize (a JSON type needs to_json "
                  "as well as from_json)");
    static_assert(key != codec_gap::custom_codec,
                  "kflow: the codec KeySerde of producer<K, V, KeySerde, ValueSerde> cannot "
                  "serialize the key type K: it needs `kflow::payload serialize(const K&) const`");

    constexpr codec_gap value = serializer_gap<ValueSerde, V>();
    static_assert(value != codec_gap::no_codec,
                  "kflow: no serializer for the value type V of producer<K, V>. Give V a codec: "
                  "a kflow::serde<V> specialization, kflow_serialize / kflow_deserialize hooks "
                  "next to V (found by ADL), nlohmann to_json / from_json, or a codec passed as "
                  "the ValueSerde template argument (for std::optional<T>, T needs one)");
    static_assert(value != codec_gap::other_hook,
                  "kflow: the value type V of producer<K, V> has a kflow_deserialize hook but no "
                  "kflow_serialize: add `kflow::payload kflow_serialize(const V&)` next to V");
    static_assert(value != codec_gap::other_way,
                  "kflow: the value type V of producer<K, V> can be read but not written: "
                  "kflow::serde<V> has deserialize but no serialize (a JSON type needs to_json "
                  "as well as from_json)");
    static_assert(value != codec_gap::custom_codec,
                  "kflow: the codec ValueSerde of producer<K, V, KeySerde, ValueSerde> cannot "
                  "serialize the value type V: it needs `kflow::payload serialize(const V&) "
                  "const`");
    return true;
}

// consumer<K, V, KeySerde, ValueSerde> and async_consumer: always true, and fails to compile
// (with the reason) unless both codecs can deserialize.
template <class K, class V, class KeySerde, class ValueSerde>
consteval bool check_deserializers() {
    constexpr codec_gap key = deserializer_gap<KeySerde, K>();
    static_assert(key != codec_gap::no_codec,
                  "kflow: no deserializer for the key type K of consumer<K, V>. Give K a codec: a "
                  "kflow::serde<K> specialization, kflow_serialize / kflow_deserialize hooks "
                  "next to K (found by ADL), nlohmann to_json / from_json, or a codec passed as "
                  "the KeySerde template argument (for std::optional<T>, T needs one)");
    static_assert(key != codec_gap::other_hook,
                  "kflow: the key type K of consumer<K, V> has a kflow_serialize hook but no "
                  "kflow_deserialize: add `K kflow_deserialize(std::span<const std::byte>, "
                  "kflow::type_tag<K>)` next to K");
    static_assert(key != codec_gap::other_way,
                  "kflow: the key type K of consumer<K, V> can be written but not read: "
                  "kflow::serde<K> has serialize but no deserialize (const char* is send-only: "
                  "read std::string, or std::string_view to view the record's bytes; a JSON "
                  "type needs from_json as well as to_json)");
    static_assert(key != codec_gap::custom_codec,
                  "kflow: the codec KeySerde of consumer<K, V, KeySerde, ValueSerde> cannot "
                  "deserialize the key type K: it needs `K deserialize(std::span<const "
                  "std::byte>) const`");

    constexpr codec_gap value = deserializer_gap<ValueSerde, V>();
    static_assert(value != codec_gap::no_codec,
                  "kflow: no deserializer for the value type V of consumer<K, V>. Give V a codec: "
                  "a kflow::serde<V> specialization, kflow_serialize / kflow_deserialize hooks "
                  "next to V (found by ADL), nlohmann to_json / from_json, or a codec passed as "
                  "the ValueSerde template argument (for std::optional<T>, T needs one)");
    static_assert(value != codec_gap::other_hook,
                  "kflow: the value type V of consumer<K, V> has a kflow_serialize hook but no "
                  "kflow_deserialize: add `V kflow_deserialize(std::span<const std::byte>, "
                  "kflow::type_tag<V>)` next to V");
    static_assert(value != codec_gap::other_way,
                  "kflow: the value type V of consumer<K, V> can be written but not read: "
                  "kflow::serde<V> has serialize but no deserialize (const char* is send-only: "
                  "read std::string, or std::string_view to view the record's bytes; a JSON "
                  "type needs from_json as well as to_json)");
    static_assert(value != codec_gap::custom_codec,
                  "kflow: the codec ValueSerde of consumer<K, V, KeySerde, ValueSerde> cannot "
                  "deserialize the value type V: it needs `V deserialize(std::span<const "
                  "std::byte>) const`");
    return true;
}

}  // namespace kflow::detail
