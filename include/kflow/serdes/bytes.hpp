#pragma once
// Byte codecs, the bytes as they are (Kafka's ByteArraySerializer), for std::byte, unsigned char
// (std::uint8_t) and char elements:
// - std::vector<E>: owned, both ways. A null reads as an empty vector; use std::optional to tell
//   null from empty.
// - std::span<const E>: both ways, without a copy: sent borrowed (librdkafka copies the bytes
//   during the send call), read as a view of the record's bytes, which the record keeps.
// Without these, a std::vector<std::uint8_t> would fall through to JSON as an array of numbers.

#include <kflow/serde.hpp>

#include <algorithm>

namespace kflow {

/// Raw bytes, as a key or value and as raw_record keeps them.
using bytes = std::vector<std::byte>;

namespace detail {

template <class E>
concept byte_like =
    std::same_as<E, std::byte> || std::same_as<E, unsigned char> || std::same_as<E, char>;

}  // namespace detail

/// The bytes as they are, both ways (Kafka's ByteArraySerializer / ByteArrayDeserializer).
template <>
struct serde<bytes> {
    /// Borrows `value`: the record outlives the send call, during which librdkafka copies the
    /// bytes once.
    [[nodiscard]] payload serialize(const bytes& value) const {
        return payload::borrow(std::span<const std::byte>(value));
    }
    /// Deleted: a payload borrowed from a temporary would dangle.
    payload serialize(bytes&&) const = delete;
    /// A copy of the record's bytes.
    [[nodiscard]] bytes deserialize(std::span<const std::byte> raw) const {
        return bytes(raw.begin(), raw.end());
    }
    /// Null reads as an empty vector; use std::optional<bytes> to tell null from empty.
    [[nodiscard]] bytes deserialize_null() const { return {}; }
};

/// The bytes as they are, both ways, for vectors of unsigned char (std::uint8_t) and char.
template <detail::byte_like E>
requires(!std::same_as<E, std::byte>) struct serde<std::vector<E>> {
    /// Borrows the elements' bytes, as serde<bytes> does.
    [[nodiscard]] payload serialize(const std::vector<E>& value) const {
        return payload::borrow(std::as_bytes(std::span(value)));
    }
    /// Deleted: a payload borrowed from a temporary would dangle.
    payload serialize(std::vector<E>&&) const = delete;
    /// One element per byte of the record.
    [[nodiscard]] std::vector<E> deserialize(std::span<const std::byte> raw) const {
        std::vector<E> out(raw.size());
        std::transform(raw.begin(), raw.end(), out.begin(),
                       [](std::byte b) { return static_cast<E>(b); });
        return out;
    }
    /// Null reads as an empty vector; use std::optional to tell null from empty.
    [[nodiscard]] std::vector<E> deserialize_null() const { return {}; }
};

/// The bytes of a span of std::byte, unsigned char or char without a copy, both ways. Sending
/// borrows them; reading returns a view of the record's bytes, valid as long as the record that
/// holds it (its storage keeps librdkafka's message).
template <detail::byte_like E>
struct serde<std::span<const E>> {
    /// Borrows `value`: the bytes must stay valid until the send call returns (librdkafka copies
    /// them during it).
    [[nodiscard]] payload serialize(std::span<const E> value) const {
        return payload::borrow(std::as_bytes(value));
    }
    /// A view of the record's bytes.
    [[nodiscard]] std::span<const E> deserialize(std::span<const std::byte> raw) const noexcept {
        return {reinterpret_cast<const E*>(raw.data()), raw.size()};
    }
    /// Null reads as an empty span; use std::optional to tell null from empty.
    [[nodiscard]] std::span<const E> deserialize_null() const noexcept { return {}; }
};

}  // namespace kflow
