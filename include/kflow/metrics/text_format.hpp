#pragma once
// The pieces of Prometheus' text exposition format 0.0.4 that need care: the content type, how
// numbers are written, and how help text and label values are escaped.

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <system_error>

namespace kflow::metrics {

/// The HTTP Content-Type of what registry::render_text() returns.
inline constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

namespace detail {

inline void append_value(std::string& out, double value) {
    if (std::isnan(value)) {
        out += "NaN";
        return;
    }
    if (std::isinf(value)) {
        out += value > 0 ? "+Inf" : "-Inf";
        return;
    }
    if (value == 0) {  // -0 too: Prometheus reads both as zero
        out += '0';
        return;
    }
    // Both forms are the shortest that reads back as the same double. Scientific notation only
    // where fixed would be long (as Go's %g does, but with 21 rather than 6 as the upper
    // exponent), so counts and bucket bounds read as written: 1000000, 0.0005.
    char scientific[32];
    const auto sci = std::to_chars(scientific, scientific + sizeof scientific, value,
                                   std::chars_format::scientific);
    const std::string_view sci_text(scientific, static_cast<std::size_t>(sci.ptr - scientific));
    std::string_view exponent_text = sci_text.substr(sci_text.find('e') + 1);  // "+06", "-05"
    const bool negative = exponent_text.front() == '-';
    exponent_text.remove_prefix(1);
    int exponent = 0;
    std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);
    if (negative)
        exponent = -exponent;
    if (exponent < -4 || exponent >= 21) {
        out += sci_text;
        return;
    }
    char fixed[48];
    const auto fix = std::to_chars(fixed, fixed + sizeof fixed, value, std::chars_format::fixed);
    out.append(fixed, fix.ptr);
}

inline void append_escaped_help(std::string& out, std::string_view text) {
    for (const char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
}

inline void append_escaped_label_value(std::string& out, std::string_view text) {
    for (const char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
}

}  // namespace detail

/// `value` as the text format writes a sample value or a bucket bound: `NaN`, `+Inf`, `-Inf`,
/// integers without exponent or fraction (`1000000`), other numbers in the shortest form that
/// reads back as the same double, scientific only below 1e-4 or from 1e21 on (`1e-05`).
[[nodiscard]] inline std::string format_value(double value) {
    std::string out;
    detail::append_value(out, value);
    return out;
}

/// `text` escaped for a `# HELP` line: backslash as `\\`, newline as `\n`.
[[nodiscard]] inline std::string escape_help(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    detail::append_escaped_help(out, text);
    return out;
}

/// `text` escaped for a label value between double quotes: backslash as `\\`, double quote as
/// `\"`, newline as `\n`.
[[nodiscard]] inline std::string escape_label_value(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    detail::append_escaped_label_value(out, text);
    return out;
}

}  // namespace kflow::metrics
