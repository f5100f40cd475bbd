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
    [[no_unique_address]] Inner inner{};

    [[nodiscard]] payload serialize(const std::optional<T>& value) const requires
        serializer_for<Inner, T> {
        return value ? payload(inner.serialize(*value)) : payload::null();
    }
    [[nodiscard]] std::optional<T> deserialize(std::span<const std::byte> raw) const requires
        deserializer_for<Inner, T> {
        return inner.deserialize(raw);
    }
    [[nodiscard]] std::optional<T> deserialize_null() const noexcept { return std::nullopt; }
};

template <class T>
struct serde<std::optional<T>> : optional_serde<T> {};

}  // namespace kflow
