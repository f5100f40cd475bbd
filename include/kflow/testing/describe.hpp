#pragma once
// Records as text, for test failure messages: "orders [2] @ 17 key="k-1" value="v-1"
// headers={source="shop", trace=null}". Text is quoted, std::optional shows its value or null,
// byte vectors show their size, other types print with their operator<<, or else as JSON when
// nlohmann_json can write them, and as <unprintable> when nothing can.

#include <kflow/headers.hpp>
#include <kflow/record.hpp>
#include <kflow/serde.hpp>

#include <concepts>
#include <cstddef>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace kflow::testing {

namespace describe_detail {  // not "detail": that would hide kflow::detail here
template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;
}  // namespace describe_detail

template <class T>
concept streamable = requires(std::ostream& os, const T& value) {
    { os << value } -> std::convertible_to<std::ostream&>;
};

/// One key or value as a test message shows it.
template <class T>
[[nodiscard]] std::string describe_value(const T& value) {
    if constexpr (std::is_convertible_v<const T&, std::string_view>) {
        std::string out = "\"";
        out += std::string_view(value);
        out += '"';
        return out;
    } else if constexpr (describe_detail::is_optional<T>) {
        return value ? describe_value(*value) : std::string("null");
    } else if constexpr (std::is_same_v<T, std::vector<std::byte>>) {
        return "<" + std::to_string(value.size()) + " bytes>";
    } else if constexpr (streamable<T>) {
        std::ostringstream os;
        os << value;
        return os.str();
    } else if constexpr (kflow::detail::json_serializable<T>) {
        // The form it travels in with kflow's JSON codec.
        return nlohmann::json(value).dump();
    } else {
        return "<unprintable>";
    }
}

/// {name="value", other=null}, in order.
[[nodiscard]] inline std::string describe(const kflow::headers& headers) {
    std::string out = "{";
    bool first = true;
    for (const auto& h : headers) {
        if (!first)
            out += ", ";
        first = false;
        out += h.key;
        out += '=';
        out += h.value ? describe_value(*h.value) : std::string("null");
    }
    out += '}';
    return out;
}

/// topic [partition] @ offset key=... value=... headers={...}
template <class K, class V>
[[nodiscard]] std::string describe(const consumer_record<K, V>& r) {
    return std::string(r.topic) + " [" + std::to_string(r.partition) + "] @ " +
           std::to_string(r.offset) + " key=" + describe_value(r.key) +
           " value=" + describe_value(r.value) + " headers=" + describe(r.headers);
}

}  // namespace kflow::testing
