#pragma once
// A W3C Trace Context (level 1) value: the `traceparent` and `tracestate` fields, their strict
// parser and formatter, and new trace and span ids.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace kflow {
/// Distributed tracing: W3C Trace Context (`traceparent`, `tracestate`) carried in record
/// headers. See docs/tracing.md.
namespace tracing {

/// The trace context of a record, as the W3C Trace Context specification (level 1) defines it
/// (https://www.w3.org/TR/trace-context/): the trace it belongs to, the span that sent it, the
/// trace flags, and the vendor-specific `tracestate` list.
///
/// A value always holds a valid context: ids are never all zero and the tracestate is empty or a
/// valid list. Make one with parse(), new_root() or child().
///
///     auto ctx = kflow::tracing::trace_context::parse(
///         "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "congo=t61rcWkgMzE");
///     if (ctx && ctx->sampled()) { /* ... */ }
class trace_context {
  public:
    /// A trace id: 16 bytes, never all zero.
    using trace_id_type = std::array<std::uint8_t, 16>;
    /// A span id (the `parent-id` field of a traceparent): 8 bytes, never all zero.
    using span_id_type = std::array<std::uint8_t, 8>;

    /// The traceparent version kflow writes and reads into: 00, the only one level 1 defines.
    static constexpr std::uint8_t version = 0x00;
    /// The `sampled` bit of the trace flags: the sender may have recorded trace data.
    static constexpr std::uint8_t sampled_flag = 0x01;
    /// The length of a version 00 traceparent: `00-` 32 hex `-` 16 hex `-` 2 hex.
    static constexpr std::size_t traceparent_size = 55;
    /// The most list members a tracestate may have.
    static constexpr std::size_t max_tracestate_members = 32;

    /// Parses a `traceparent` value and, when it is valid, a `tracestate` value.
    ///
    /// The traceparent must be exactly `00-<32 hex>-<16 hex>-<2 hex>` in lowercase hex, with a
    /// trace id and a parent id that are not all zero; surrounding whitespace is not accepted.
    /// Version `ff` is invalid. A higher version is read as the specification asks for
    /// forward compatibility: its first 55 characters must have the version 00 shape and
    /// anything after them must start with '-'; the fields after the flags are ignored, only
    /// the sampled bit of its flags is kept, and the result is a version 00 context.
    ///
    /// An invalid `tracestate` (see valid_tracestate()) is dropped: the result then has an
    /// empty tracestate, the traceparent is still used. A valid one is kept as given, byte for
    /// byte, unless it has no list member (empty or only commas and whitespace): then it is
    /// kept as empty.
    ///
    /// @param traceparent the value of a `traceparent` header
    /// @param tracestate the value of a `tracestate` header; empty when there is none
    /// @return the context, or std::nullopt when `traceparent` is invalid (or memory ran out)
    [[nodiscard]] static std::optional<trace_context> parse(
        std::string_view traceparent, std::string_view tracestate = {}) noexcept {
        try {
            auto ctx = parse_traceparent(traceparent);
            if (ctx && has_members(tracestate) && valid_tracestate(tracestate))
                ctx->tracestate_ = std::string(tracestate);
            return ctx;
        } catch (...) {
            // Only std::bad_alloc can get here (copying the tracestate); parse promises not to
            // throw, and "no context" is what a caller can always handle.
            return std::nullopt;
        }
    }

    /// True when `tracestate` is a valid tracestate value: comma-separated list members, each
    /// `key=value` or empty, with optional spaces and tabs around them; at most 32 members that
    /// are not empty, no key twice. A key is a simple key (a lowercase letter, then up to 255 of
    /// a-z 0-9 `_ - * /`) or `tenant@system` (tenant: a lowercase letter or digit, then up to
    /// 240 of those; system: a lowercase letter, then up to 13). A value is 1 to 256 printable
    /// ASCII characters other than `,` and `=`, not ending with a space. An empty tracestate, or
    /// one of only commas and whitespace, is valid.
    /// @param tracestate the value of a `tracestate` header
    [[nodiscard]] static constexpr bool valid_tracestate(std::string_view tracestate) noexcept {
        // Keys seen so far, to refuse a repeated one; more than 32 members is invalid anyway.
        std::array<std::string_view, max_tracestate_members> keys{};
        std::size_t members = 0;
        std::string_view rest = tracestate;
        for (;;) {
            // Values cannot contain ',', so every ',' separates members.
            const auto comma = rest.find(',');
            const auto member = trim_ows(rest.substr(0, comma));
            if (!member.empty()) {
                const auto eq = member.find('=');
                if (eq == std::string_view::npos)
                    return false;
                const auto key = member.substr(0, eq);
                if (!valid_key(key) || !valid_value(member.substr(eq + 1)))
                    return false;
                if (members == max_tracestate_members)
                    return false;
                if (std::find(keys.begin(), keys.begin() + members, key) != keys.begin() + members)
                    return false;
                keys[members++] = key;
            }
            if (comma == std::string_view::npos)
                return true;
            rest.remove_prefix(comma + 1);
        }
    }

    /// A new trace: random trace id and span id, no tracestate.
    /// @param sampled whether the trace is sampled (the `sampled` trace flag)
    [[nodiscard]] static trace_context new_root(bool sampled = true) {
        return trace_context(random_trace_id(), random_span_id(),
                             sampled ? sampled_flag : std::uint8_t{0}, {});
    }

    /// The context of a span started within this one: the same trace id, trace flags and
    /// tracestate, and a new random span id (never the current one).
    [[nodiscard]] trace_context child() const {
        auto span = random_span_id();
        while (span == parent_id_)
            span = random_span_id();
        return trace_context(trace_id_, span, flags_, tracestate_);
    }

    /// This context with `tracestate` instead of its own; std::nullopt when `tracestate` is not
    /// valid (see valid_tracestate()). A tracestate without list members is stored as empty.
    /// @param tracestate the new `tracestate` value, e.g. "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"
    [[nodiscard]] std::optional<trace_context> with_tracestate(std::string_view tracestate) const {
        if (!valid_tracestate(tracestate))
            return std::nullopt;
        trace_context out = *this;
        out.tracestate_ = has_members(tracestate) ? std::string(tracestate) : std::string();
        return out;
    }

    /// The trace id: 16 bytes, not all zero.
    [[nodiscard]] const trace_id_type& trace_id() const noexcept { return trace_id_; }
    /// The id of the span that sent the record (the traceparent's `parent-id`): 8 bytes, not
    /// all zero.
    [[nodiscard]] const span_id_type& parent_id() const noexcept { return parent_id_; }
    /// The trace flags byte. For version 00 it is kept as received (bits other than
    /// sampled_flag included); for a higher version only sampled_flag is kept.
    [[nodiscard]] std::uint8_t trace_flags() const noexcept { return flags_; }
    /// True when the sampled flag is set.
    [[nodiscard]] bool sampled() const noexcept { return (flags_ & sampled_flag) != 0; }
    /// The `tracestate` value; empty when there is none.
    [[nodiscard]] std::string_view tracestate() const noexcept { return tracestate_; }

    /// The trace id as 32 lowercase hex digits, as logs and tracing back ends show it.
    [[nodiscard]] std::string trace_id_hex() const { return to_hex(trace_id_); }
    /// The parent (span) id as 16 lowercase hex digits.
    [[nodiscard]] std::string parent_id_hex() const { return to_hex(parent_id_); }

    /// The `traceparent` value: `00-<trace id>-<parent id>-<flags>`, lowercase hex, 55
    /// characters. parse() of it gives back an equal context (without the tracestate).
    [[nodiscard]] std::string to_traceparent() const {
        std::string out;
        out.reserve(traceparent_size);
        out += "00-";
        out += to_hex(trace_id_);
        out += '-';
        out += to_hex(parent_id_);
        out += '-';
        append_hex(out, flags_);
        return out;
    }

    /// Equal when trace id, parent id, trace flags and tracestate (byte for byte) are equal.
    friend bool operator==(const trace_context&, const trace_context&) = default;

  private:
    trace_context(const trace_id_type& trace, const span_id_type& span, std::uint8_t flags,
                  std::string state)
        : trace_id_(trace), parent_id_(span), flags_(flags), tracestate_(std::move(state)) {}

    static constexpr int hex_digit(char c) noexcept {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        return -1;  // uppercase too: the specification allows lowercase hex only
    }

    /// Reads 2 * N lowercase hex digits of `text` at `at` into `out`; false if one is not.
    template <std::size_t N>
    static constexpr bool read_hex(std::string_view text, std::size_t at,
                                   std::array<std::uint8_t, N>& out) noexcept {
        for (std::size_t i = 0; i < N; ++i) {
            const int hi = hex_digit(text[at + 2 * i]);
            const int lo = hex_digit(text[at + 2 * i + 1]);
            if (hi < 0 || lo < 0)
                return false;
            out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
        }
        return true;
    }

    template <std::size_t N>
    static constexpr bool all_zero(const std::array<std::uint8_t, N>& bytes) noexcept {
        return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
    }

    static void append_hex(std::string& out, std::uint8_t byte) {
        constexpr std::string_view digits = "0123456789abcdef";
        out += digits[byte >> 4];
        out += digits[byte & 0x0f];
    }

    template <std::size_t N>
    static std::string to_hex(const std::array<std::uint8_t, N>& bytes) {
        std::string out;
        out.reserve(2 * N);
        for (const auto b : bytes)
            append_hex(out, b);
        return out;
    }

    static std::optional<trace_context> parse_traceparent(std::string_view text) noexcept {
        // Offsets of the version 00 layout: vv-<trace id>-<parent id>-ff
        constexpr std::size_t trace_at = 3;
        constexpr std::size_t parent_at = trace_at + 32 + 1;
        constexpr std::size_t flags_at = parent_at + 16 + 1;
        if (text.size() < traceparent_size)
            return std::nullopt;
        std::array<std::uint8_t, 1> version_byte{};
        if (!read_hex(text, 0, version_byte) || text[2] != '-')
            return std::nullopt;
        const std::uint8_t received = version_byte[0];
        if (received == 0xff)
            return std::nullopt;
        // Version 00 has exactly 55 characters; a higher one may have more fields after a '-'.
        if (received == version && text.size() != traceparent_size)
            return std::nullopt;
        if (text.size() > traceparent_size && text[traceparent_size] != '-')
            return std::nullopt;
        trace_id_type trace{};
        span_id_type parent{};
        std::array<std::uint8_t, 1> flags{};
        if (!read_hex(text, trace_at, trace) || text[parent_at - 1] != '-' ||
            !read_hex(text, parent_at, parent) || text[flags_at - 1] != '-' ||
            !read_hex(text, flags_at, flags))
            return std::nullopt;
        if (all_zero(trace) || all_zero(parent))
            return std::nullopt;
        // A higher version's other flag bits may mean something else: keep only `sampled`.
        const std::uint8_t kept =
            received == version ? flags[0] : static_cast<std::uint8_t>(flags[0] & sampled_flag);
        return trace_context(trace, parent, kept, {});
    }

    static constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

    static constexpr std::string_view trim_ows(std::string_view s) noexcept {
        while (!s.empty() && is_ows(s.front()))
            s.remove_prefix(1);
        while (!s.empty() && is_ows(s.back()))
            s.remove_suffix(1);
        return s;
    }

    /// True when `tracestate` has a list member that is not empty or whitespace.
    static constexpr bool has_members(std::string_view tracestate) noexcept {
        return std::any_of(tracestate.begin(), tracestate.end(),
                           [](char c) { return c != ',' && !is_ows(c); });
    }

    static constexpr bool lcalpha(char c) noexcept { return c >= 'a' && c <= 'z'; }
    static constexpr bool digit(char c) noexcept { return c >= '0' && c <= '9'; }
    static constexpr bool key_char(char c) noexcept {
        return lcalpha(c) || digit(c) || c == '_' || c == '-' || c == '*' || c == '/';
    }

    /// `first` then up to `max - 1` key characters.
    static constexpr bool valid_key_part(std::string_view part, std::size_t max,
                                         bool digit_first) noexcept {
        if (part.empty() || part.size() > max)
            return false;
        if (!lcalpha(part.front()) && !(digit_first && digit(part.front())))
            return false;
        return std::all_of(part.begin() + 1, part.end(), key_char);
    }

    static constexpr bool valid_key(std::string_view key) noexcept {
        const auto at = key.find('@');
        if (at == std::string_view::npos)
            return valid_key_part(key, 256, false);
        return valid_key_part(key.substr(0, at), 241, true) &&
               valid_key_part(key.substr(at + 1), 14, false);
    }

    static constexpr bool valid_value(std::string_view value) noexcept {
        // Trailing spaces were trimmed as whitespace around the member, so a value that is left
        // ends with a non-space character when it is not empty.
        if (value.empty() || value.size() > 256 || value.back() == ' ')
            return false;
        return std::all_of(value.begin(), value.end(),
                           [](char c) { return c >= 0x20 && c <= 0x7e && c != ',' && c != '='; });
    }

    /// Ids come from a generator of each thread's own, so that concurrent senders need no lock.
    static std::mt19937_64& generator() {
        thread_local std::mt19937_64 engine = [] {
            std::random_device device;
            std::seed_seq seed{device(), device(), device(), device(),
                               device(), device(), device(), device()};
            return std::mt19937_64(seed);
        }();
        return engine;
    }

    template <std::size_t N>
    static std::array<std::uint8_t, N> random_id() {
        std::array<std::uint8_t, N> out{};
        do {
            for (std::size_t i = 0; i < N; i += 8) {
                auto word = generator()();
                for (std::size_t j = i; j < i + 8 && j < N; ++j, word >>= 8)
                    out[j] = static_cast<std::uint8_t>(word);
            }
        } while (all_zero(out));
        return out;
    }

    static trace_id_type random_trace_id() { return random_id<16>(); }
    static span_id_type random_span_id() { return random_id<8>(); }

    trace_id_type trace_id_;
    span_id_type parent_id_;
    std::uint8_t flags_;
    std::string tracestate_;
};

}  // namespace tracing
}  // namespace kflow
