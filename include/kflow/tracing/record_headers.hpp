#pragma once
// Carrying a W3C trace context in record headers: inject on send, extract on receive.

#include <kflow/headers.hpp>
#include <kflow/tracing/trace_context.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace kflow::tracing {

/// The record header that carries the traceparent value (lowercase, as the specification
/// recommends; Kafka header names are compared byte for byte).
inline constexpr std::string_view traceparent_header = "traceparent";
/// The record header that carries the tracestate value.
inline constexpr std::string_view tracestate_header = "tracestate";

/// Writes `ctx` into `hs`: a `traceparent` header, and a `tracestate` header when
/// ctx.tracestate() is not empty. Existing headers of those names are removed first, a stale
/// `tracestate` included when `ctx` has none, so the record carries exactly one context.
///
///     kflow::producer_record<std::string, std::string> rec{"orders", key, value};
///     kflow::tracing::inject(rec.headers, span.child());
///
/// @param hs the headers of the record to send
/// @param ctx the context to send
inline void inject(headers& hs, const trace_context& ctx) {
    hs.set(std::string(traceparent_header), ctx.to_traceparent());
    if (ctx.tracestate().empty()) {
        hs.remove(tracestate_header);
    } else {
        hs.set(std::string(tracestate_header), std::string(ctx.tracestate()));
    }
}

/// The trace context that `hs` carries: the last `traceparent` header parsed with the last
/// `tracestate` header (Kafka's convention for repeated names, as headers::last()).
/// std::nullopt when there is no `traceparent`, its last value is null, or it is invalid (see
/// trace_context::parse()); an invalid or null `tracestate` is dropped and the traceparent still
/// used. Never throws.
/// @param hs the headers of a received record
[[nodiscard]] inline std::optional<trace_context> extract(const headers& hs) noexcept {
    try {
        const auto traceparent = hs.last(traceparent_header);
        if (!traceparent)
            return std::nullopt;
        const auto tracestate = hs.last(tracestate_header);
        return trace_context::parse(*traceparent, tracestate.value_or(std::string_view{}));
    } catch (...) {
        // headers::last does not throw today; a failure to read is "no context" all the same.
        return std::nullopt;
    }
}

}  // namespace kflow::tracing
