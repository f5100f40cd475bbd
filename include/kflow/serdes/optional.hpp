#pragma once
// std::optional<T>: std::nullopt is Kafka's null (a tombstone when it is the value).

#include <kflow/serde.hpp>

#include <optional>

namespace kflow {

/// Wraps the codec of T; use it as optional_serde<T, MyCodec> to combine with a custom codec.
template <class T, class Inner = serde<T>>
struct optional_serde {
    Inner inner{};

    [[nodiscard]] payload serialize(const std::optional<T>& value) const {
        return value ? payload(inner.serialize(*value)) : payload::null();
    }
    [[nodiscard]] std::optional<T> deserialize(std::span<const std::byte> raw) const {
        return inner.deserialize(raw);
    }
    [[nodiscard]] std::optional<T> deserialize_null() const noexcept { return std::nullopt; }
};

template <class T>
struct serde<std::optional<T>> : optional_serde<T> {};

}  // namespace kflow
