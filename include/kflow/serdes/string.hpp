#pragma once
// Text codecs: std::string (owned, both ways) and std::string_view (send only, borrowed).
// A null key or value reads as an empty string; use std::optional<std::string> to tell the two
// apart.

#include <kflow/serde.hpp>

namespace kflow {

template <>
struct serde<std::string> {
    [[nodiscard]] payload serialize(const std::string& value) const { return payload(value); }
    [[nodiscard]] std::string deserialize(std::span<const std::byte> bytes) const {
        return std::string(detail::as_text(bytes));
    }
    [[nodiscard]] std::string deserialize_null() const { return {}; }
};

/// Send-only: librdkafka copies the viewed characters during the send call.
template <>
struct serde<std::string_view> {
    [[nodiscard]] payload serialize(std::string_view value) const { return payload::borrow(value); }
};

/// Codec for the key of records that have none: always null on the wire, ignored when read.
template <>
struct serde<none> {
    [[nodiscard]] payload serialize(none) const noexcept { return payload::null(); }
    [[nodiscard]] none deserialize(std::span<const std::byte>) const noexcept { return {}; }
    [[nodiscard]] none deserialize_null() const noexcept { return {}; }
};

}  // namespace kflow
