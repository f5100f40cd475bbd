#pragma once
// Text codecs, the bytes as they are (no terminator, no encoding check), like Kafka's
// StringSerializer with UTF-8:
// - std::string: both ways; sent borrowed, like a view (librdkafka copies the bytes once). A null
// key or value reads as an empty string (the usual case
//   is a record without a key); use std::optional<std::string> to tell null from empty.
// - std::string_view: both ways, without a copy: sent borrowed (librdkafka copies the characters
//   during the send call), read as a view of the record's bytes, which the record keeps.
// - const char*: send only, borrowed. A null const char* is sent as Kafka's null.

#include <kflow/serde.hpp>

namespace kflow {

/// Text as its bytes, both ways (Kafka's StringSerializer / StringDeserializer with UTF-8); no
/// encoding check either way.
template <>
struct serde<std::string> {
    /// Borrows the characters (no terminator): the record outlives the send call, during which
    /// librdkafka copies them once, as it would copy a string_view. An empty string is sent as
    /// empty, not as null.
    [[nodiscard]] payload serialize(const std::string& value) const {
        return payload::borrow(value);
    }
    /// Deleted: a payload borrowed from a temporary would dangle. A codec built on this one
    /// passes it a string that outlives the send (or returns payload(std::move(text)) itself).
    payload serialize(std::string&&) const = delete;
    /// The record's bytes as they are, embedded NULs included.
    [[nodiscard]] std::string deserialize(std::span<const std::byte> bytes) const {
        return std::string(detail::as_text(bytes));
    }
    /// Null reads as the empty string, so records without a key read; use
    /// std::optional<std::string> to tell null from empty.
    [[nodiscard]] std::string deserialize_null() const { return {}; }
};

/// Text without a copy, both ways. Sending borrows the characters; reading returns a view of the
/// record's bytes, valid as long as the record that holds it (its storage keeps librdkafka's
/// message).
template <>
struct serde<std::string_view> {
    /// Borrows the characters: they must stay valid until the send call returns (librdkafka
    /// copies them during it).
    [[nodiscard]] payload serialize(std::string_view value) const { return payload::borrow(value); }
    /// A view of the record's bytes as they are, embedded NULs included.
    [[nodiscard]] std::string_view deserialize(std::span<const std::byte> bytes) const noexcept {
        return detail::as_text(bytes);
    }
    /// Null reads as the empty view; use std::optional<std::string_view> to tell null from
    /// empty.
    [[nodiscard]] std::string_view deserialize_null() const noexcept { return {}; }
};

/// Sends a NUL-terminated string as its characters, without copying them first. Send only.
/// Without this, const char* would fall through to JSON and travel as a quoted JSON string.
template <>
struct serde<const char*> {
    /// Borrows the characters up to the terminator (excluded), which must stay valid until the
    /// send call returns; a null pointer is sent as Kafka's null.
    [[nodiscard]] payload serialize(const char* value) const {
        return value == nullptr ? payload::null() : payload::borrow(std::string_view(value));
    }
};

}  // namespace kflow
