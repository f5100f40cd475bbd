#pragma once
// Text codecs, the bytes as they are (no terminator, no encoding check), like Kafka's
// StringSerializer with UTF-8:
// - std::string: owned, both ways. A null key or value reads as an empty string (the usual case
//   is a record without a key); use std::optional<std::string> to tell null from empty.
// - std::string_view and const char*: send only, borrowed (librdkafka copies the characters
//   during the send call). A null const char* is sent as Kafka's null.

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

template <>
struct serde<std::string_view> {
    [[nodiscard]] payload serialize(std::string_view value) const { return payload::borrow(value); }
};

// Without this, const char* would fall through to JSON and travel as a quoted JSON string.
template <>
struct serde<const char*> {
    [[nodiscard]] payload serialize(const char* value) const {
        return value == nullptr ? payload::null() : payload::borrow(std::string_view(value));
    }
};

}  // namespace kflow
