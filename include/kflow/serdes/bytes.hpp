#pragma once
// Byte codecs: std::vector<std::byte> (owned, both ways) and std::span<const std::byte> (send
// only, borrowed). A null reads as an empty vector; use std::optional to tell the two apart.

#include <kflow/serde.hpp>

namespace kflow {

using bytes = std::vector<std::byte>;

template <>
struct serde<bytes> {
    [[nodiscard]] payload serialize(const bytes& value) const { return payload(value); }
    [[nodiscard]] bytes deserialize(std::span<const std::byte> raw) const {
        return bytes(raw.begin(), raw.end());
    }
    [[nodiscard]] bytes deserialize_null() const { return {}; }
};

/// Send-only: librdkafka copies the viewed bytes during the send call.
template <>
struct serde<std::span<const std::byte>> {
    [[nodiscard]] payload serialize(std::span<const std::byte> value) const {
        return payload::borrow(value);
    }
};

}  // namespace kflow
