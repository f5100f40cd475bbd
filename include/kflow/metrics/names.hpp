#pragma once
// The Prometheus data model's rules for metric names, label names and text: what the registry
// checks before it accepts a family or a child, so that everything it renders parses.

#include <kflow/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace kflow::metrics {

/// True when `name` is a valid Prometheus metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
[[nodiscard]] inline bool is_valid_metric_name(std::string_view name) noexcept {
    if (name.empty())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        const bool digit = c >= '0' && c <= '9';
        if (!(letter || c == ':' || (i > 0 && digit)))
            return false;
    }
    return true;
}

/// True when `name` is a valid Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting
/// with `__` (Prometheus reserves those for its own use).
[[nodiscard]] inline bool is_valid_label_name(std::string_view name) noexcept {
    if (name.empty() || name.starts_with("__"))
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        const bool digit = c >= '0' && c <= '9';
        if (!(letter || (i > 0 && digit)))
            return false;
    }
    return true;
}

/// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points above
/// U+10FFFF). Prometheus rejects a scrape whose label values or help text are not.
[[nodiscard]] inline bool is_valid_utf8(std::string_view text) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* const end = p + text.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        std::size_t length = 0;
        unsigned char low = 0x80;   // the range of the second byte, narrowed for the lead bytes
        unsigned char high = 0xBF;  // that would otherwise allow overlongs or surrogates
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0)
                low = 0xA0;
            if (c == 0xED)
                high = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0)
                low = 0x90;
            if (c == 0xF4)
                high = 0x8F;
        } else {
            return false;
        }
        if (static_cast<std::size_t>(end - p) < length)
            return false;
        if (p[1] < low || p[1] > high)
            return false;
        for (std::size_t i = 2; i < length; ++i) {
            if (p[i] < 0x80 || p[i] > 0xBF)
                return false;
        }
        p += length;
    }
    return true;
}

namespace detail {

// Every rule the registry enforces fails the same way: kafka_error with errc::invalid_config,
// which compares equal to std::errc::invalid_argument.
[[noreturn]] inline void throw_invalid_metric(const std::string& message) {
    throw kafka_error(make_error_code(errc::invalid_config), "metrics: " + message);
}

}  // namespace detail

}  // namespace kflow::metrics
