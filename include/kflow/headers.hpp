#pragma once
// Record headers: an ordered list of (key, value) pairs; keys may repeat, values may be null.

#include <kflow/detail/handles.hpp>
#include <kflow/detail/header_probe.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kflow {

/// One record header: a name and a value that may be null. Keys and values are bytes kflow does
/// not interpret; a key must not contain a NUL byte (librdkafka returns header names as C
/// strings, so the producer refuses such a key with RD_KAFKA_RESP_ERR__INVALID_ARG).
struct header {
    /// The header's name; need not be unique within a record.
    std::string key;
    std::optional<std::string> value;  ///< bytes; std::nullopt is Kafka's null header value

    /// Equal when key and value are equal; a null value differs from an empty one.
    friend bool operator==(const header&, const header&) = default;
};

/// The headers of a record: an ordered list of (key, value) pairs in which keys may repeat and
/// values may be null. The order is kept on the wire, from send to consume.
///
///     kflow::headers hs{{"source", "shop"}};
///     hs.add("trace-id", id).add_null("deprecated");
class headers {
  public:
    headers() = default;
    /// The headers `items`, in the order given.
    headers(std::initializer_list<header> items) : items_(items) {}

    /// Appends a header, after any existing one with the same key (which it does not replace).
    /// Returns `*this` for chaining.
    headers& add(std::string key, std::string value) {
        items_.push_back({std::move(key), std::move(value)});
        return *this;
    }
    /// Appends a header whose value is Kafka's null (not the empty string).
    /// Returns `*this` for chaining.
    headers& add_null(std::string key) {
        items_.push_back({std::move(key), std::nullopt});
        return *this;
    }
    /// Removes every header named `key`, keeping the order of the others. Returns how many
    /// were removed.
    std::size_t remove(std::string_view key) {
        return std::erase_if(items_, [key](const header& h) { return h.key == key; });
    }
    /// Replaces every header named `key` by one header `key` = `value`, appended after the
    /// others (where add() puts it). Returns `*this` for chaining.
    headers& set(std::string key, std::string value) {
        remove(key);
        return add(std::move(key), std::move(value));
    }

    /// The value of the last header named `key` (Kafka's convention for repeated keys);
    /// std::nullopt when there is none or its value is null.
    [[nodiscard]] std::optional<std::string_view> last(std::string_view key) const {
        for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
            if (it->key == key) {
                if (!it->value)
                    return std::nullopt;
                return std::string_view(*it->value);
            }
        }
        return std::nullopt;
    }
    /// Every value for `key`, in order.
    [[nodiscard]] std::vector<std::optional<std::string>> all(std::string_view key) const {
        std::vector<std::optional<std::string>> out;
        for (const auto& h : items_) {
            if (h.key == key)
                out.push_back(h.value);
        }
        return out;
    }
    /// True when at least one header is named `key`, whatever its value (null included).
    [[nodiscard]] bool contains(std::string_view key) const {
        for (const auto& h : items_) {
            if (h.key == key)
                return true;
        }
        return false;
    }

    /// The number of headers, repeated keys counted each time.
    [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
    /// True when there are no headers (a record sent with none carries no header block).
    [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
    /// Iterates over every header (a const kflow::header), in order.
    [[nodiscard]] auto begin() const noexcept { return items_.begin(); }
    /// The end of the iteration begun by begin().
    [[nodiscard]] auto end() const noexcept { return items_.end(); }

    /// Equal when both hold the same headers in the same order.
    friend bool operator==(const headers&, const headers&) = default;

  private:
    std::vector<header> items_;
};

namespace detail {

/// A librdkafka copy of `hs` (librdkafka copies header bytes), or null when there are none.
inline headers_handle to_native(const headers& hs) {
    if (hs.empty())
        return nullptr;
    headers_handle native(rd_kafka_headers_new(hs.size()));
    for (const auto& h : hs) {
        rd_kafka_header_add(native.get(), h.key.data(), static_cast<ssize_t>(h.key.size()),
                            h.value ? h.value->data() : nullptr,
                            h.value ? static_cast<ssize_t>(h.value->size()) : 0);
    }
    return native;
}

/// The headers of a consumed message, parsed by librdkafka (empty when it has none).
inline headers parse_headers(rd_kafka_message_t* msg) {
    headers out;
    rd_kafka_headers_t* native = nullptr;
    if (rd_kafka_message_headers(msg, &native) != RD_KAFKA_RESP_ERR_NO_ERROR || !native)
        return out;
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0;
         rd_kafka_header_get_all(native, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
        if (value == nullptr) {
            out.add_null(name);
        } else {
            out.add(name, std::string(static_cast<const char*>(value), size));
        }
    }
    return out;
}

/// The headers of a consumed message (empty when it has none).
inline headers headers_of(rd_kafka_message_t* msg) {
    // Most records carry no headers; rd_kafka_message_headers() would allocate to learn that.
    if (certainly_without_headers(*msg))
        return {};
    return parse_headers(msg);
}

}  // namespace detail
}  // namespace kflow
