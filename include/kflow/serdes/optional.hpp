#pragma once
// std::optional<T>: std::nullopt is Kafka's null, both ways. As a value, null is a tombstone:
// producer<K, std::optional<V>> deletes a key of a compacted topic by sending std::nullopt,
// and consumer<K, std::optional<V>> reads a tombstone as std::nullopt (where consumer<K, V>
// reads it as V's null value, or fails with errc::unexpected_null if V has none).

#include <kflow/serde.hpp>

#include <optional>

namespace kflow {

/// Wraps the codec of T; use it as optional_serde<T, MyCodec> to combine with a custom codec.
template <class T, class Inner = serde<T>>
struct optional_serde {
    [[no_unique_address]] Inner inner{};  ///< the codec of the contained value

    /// Kafka's null for std::nullopt (a tombstone as a value), else what `inner` makes of the
    /// value. Only present when Inner can serialize T.
    [[nodiscard]] payload serialize(const std::optional<T>& value) const requires
        serializer_for<Inner, T> {
        return value ? payload(inner.serialize(*value)) : payload::null();
    }
    /// What `inner` reads from the bytes, even zero bytes: only a null reads as std::nullopt.
    /// What `inner` throws propagates. Only present when Inner can deserialize T.
    [[nodiscard]] std::optional<T> deserialize(std::span<const std::byte> raw) const requires
        deserializer_for<Inner, T> {
        return inner.deserialize(raw);
    }
    /// Null reads as std::nullopt, whether or not `inner` has a null value of its own.
    [[nodiscard]] std::optional<T> deserialize_null() const noexcept { return std::nullopt; }
};

/// std::optional<T> with T's default codec: std::nullopt is Kafka's null, both ways.
template <class T>
struct serde<std::optional<T>> : optional_serde<T> {};

}  // namespace kflow
