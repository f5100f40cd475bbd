#pragma once
// Which key and value types point into a record's bytes instead of owning a copy: what makes a
// consumer's records hold librdkafka's message (kflow/record_storage.hpp).

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

namespace kflow {

/// Whether a T read by a deserializer points into the record's bytes instead of owning a copy:
/// true for std::string_view and for spans of const std::byte, char and unsigned char, and for
/// std::optional of those. A consumer<K, V> with such a key or value hands out records that hold
/// librdkafka's message (consumer_record::storage), so their views stay valid as long as the
/// record. Specialize it as std::true_type for a view type of your own whose deserializer keeps
/// pointers into the bytes it was given.
template <class T>
struct borrows_record_bytes : std::false_type {};

template <>
struct borrows_record_bytes<std::string_view> : std::true_type {};
template <>
struct borrows_record_bytes<std::span<const std::byte>> : std::true_type {};
template <>
struct borrows_record_bytes<std::span<const char>> : std::true_type {};
template <>
struct borrows_record_bytes<std::span<const unsigned char>> : std::true_type {};
/// An optional view borrows as the view does.
template <class T>
struct borrows_record_bytes<std::optional<T>> : borrows_record_bytes<T> {};

/// borrows_record_bytes<T>::value.
template <class T>
inline constexpr bool borrows_record_bytes_v = borrows_record_bytes<T>::value;

}  // namespace kflow
