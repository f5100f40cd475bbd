#pragma once
// OpenTelemetry for kflow records: the W3C trace context of a record as an OpenTelemetry
// SpanContext and back, and producer and consumer spans after the OpenTelemetry messaging
// semantic conventions for Kafka. Uses the OpenTelemetry C++ API only: link kflow::opentelemetry
// (CMake option KFLOW_WITH_OPENTELEMETRY; docs/tracing.md).

#include <kflow/error.hpp>
#include <kflow/record.hpp>
#include <kflow/tracing/record_headers.hpp>
#include <kflow/tracing/trace_context.hpp>

#if !__has_include(<opentelemetry/semconv/incubating/messaging_attributes.h>)
#error \
    "kflow/tracing/opentelemetry.hpp needs OpenTelemetry C++ 1.19 or newer (its messaging semantic conventions); link kflow::opentelemetry"
#endif

#include <opentelemetry/common/attribute_value.h>
#include <opentelemetry/context/context.h>
#include <opentelemetry/nostd/shared_ptr.h>
#include <opentelemetry/nostd/span.h>
#include <opentelemetry/nostd/string_view.h>
#include <opentelemetry/nostd/variant.h>
#include <opentelemetry/semconv/error_attributes.h>
#include <opentelemetry/semconv/incubating/messaging_attributes.h>
#include <opentelemetry/trace/span.h>
#include <opentelemetry/trace/span_context.h>
#include <opentelemetry/trace/span_id.h>
#include <opentelemetry/trace/span_metadata.h>
#include <opentelemetry/trace/span_startoptions.h>
#include <opentelemetry/trace/trace_flags.h>
#include <opentelemetry/trace/trace_id.h>
#include <opentelemetry/trace/trace_state.h>
#include <opentelemetry/trace/tracer.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace kflow::tracing {
/// OpenTelemetry integration (header-only, OpenTelemetry C++ API only): conversions between
/// kflow::tracing::trace_context and opentelemetry::trace::SpanContext, and send and process
/// spans for kflow records after the OpenTelemetry messaging semantic conventions for Kafka.
///
/// Spans: a PRODUCER span "send <topic>" per record sent (start_send_span(), end_send_span())
/// and a CONSUMER span "process <topic>" per record processed (start_process_span()), with
/// messaging.system "kafka", messaging.operation.type and messaging.operation.name ("send" or
/// "process"), messaging.destination.name, messaging.destination.partition.id,
/// messaging.kafka.offset, messaging.consumer.group.name and messaging.client.id.
///
/// Parent, not link: the process span's parent is the send span whose context the record
/// carries, so a request that goes through Kafka is one tree in a trace viewer. The semantic
/// conventions also allow the other shape (the process span starts its own trace, or continues
/// the consumer's ambient one, and holds a span link to the sender's context), which suits batch
/// processing where one span handles records of many traces; build that with to_span_context()
/// and extract(), passing the context as a link to Tracer::StartSpan.
namespace otel {

namespace detail {

/// The semantic conventions' attribute names, as the OpenTelemetry C++ headers define them.
namespace messaging = opentelemetry::semconv::messaging;

using attribute_list = std::vector<
    std::pair<opentelemetry::nostd::string_view, opentelemetry::common::AttributeValue>>;

inline opentelemetry::nostd::string_view view(std::string_view s) noexcept {
    return {s.data(), s.size()};
}

/// error.type: a low-cardinality name of the failure. librdkafka's and the brokers' codes by
/// librdkafka's name for them (e.g. "_MSG_TIMED_OUT", "UNKNOWN_TOPIC_OR_PART"); others as
/// "<category>:<value>".
inline std::string error_type(const std::error_code& ec) {
    if (ec.category() == kafka_category())
        return rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(ec.value()));
    return std::string(ec.category().name()) + ":" + std::to_string(ec.value());
}

}  // namespace detail

/// The value of messaging.system for Kafka: "kafka".
inline constexpr std::string_view messaging_system = "kafka";
/// The operation of a send span (messaging.operation.type and messaging.operation.name) and
/// the first word of its name.
inline constexpr std::string_view send_operation = "send";
/// The operation of a process span (messaging.operation.type and messaging.operation.name) and
/// the first word of its name.
inline constexpr std::string_view process_operation = "process";

/// `ctx` as a remote OpenTelemetry SpanContext: the same trace id, span id (the traceparent's
/// parent-id), trace flags byte and tracestate (parsed by opentelemetry::trace::TraceState,
/// which may normalize its whitespace). Use it as the parent or a link of a span.
/// @param ctx the context a record carried (see extract())
[[nodiscard]] inline opentelemetry::trace::SpanContext to_span_context(const trace_context& ctx) {
    namespace api = opentelemetry::trace;
    const api::TraceId trace_id(opentelemetry::nostd::span<const std::uint8_t, api::TraceId::kSize>(
        ctx.trace_id().data(), ctx.trace_id().size()));
    const api::SpanId span_id(opentelemetry::nostd::span<const std::uint8_t, api::SpanId::kSize>(
        ctx.parent_id().data(), ctx.parent_id().size()));
    auto state = ctx.tracestate().empty()
                     ? api::TraceState::GetDefault()
                     : api::TraceState::FromHeader(detail::view(ctx.tracestate()));
    return api::SpanContext(trace_id, span_id, api::TraceFlags(ctx.trace_flags()),
                            /*is_remote=*/true, std::move(state));
}

/// The W3C trace context of an OpenTelemetry span: its trace id, span id as the parent-id, trace
/// flags and tracestate, to send with a record (inject()) or log. std::nullopt when `span` is
/// not valid (e.g. the span of the API's no-op tracer). A tracestate that kflow's stricter
/// parser refuses is dropped (see trace_context::parse()).
/// @param span the context of a span, e.g. `span->GetContext()`
[[nodiscard]] inline std::optional<trace_context> to_trace_context(
    const opentelemetry::trace::SpanContext& span) {
    if (!span.IsValid())
        return std::nullopt;
    std::array<char, trace_context::traceparent_size> text{};
    auto* out = text.data();
    auto put = [&out](std::string_view s) {
        for (const char c : s)
            *out++ = c;
    };
    put("00-");
    span.trace_id().ToLowerBase16(
        opentelemetry::nostd::span<char, 2 * opentelemetry::trace::TraceId::kSize>(out, 32));
    out += 32;
    put("-");
    span.span_id().ToLowerBase16(
        opentelemetry::nostd::span<char, 2 * opentelemetry::trace::SpanId::kSize>(out, 16));
    out += 16;
    put("-");
    span.trace_flags().ToLowerBase16(opentelemetry::nostd::span<char, 2>(out, 2));
    const std::string state = span.trace_state() ? span.trace_state()->ToHeader() : std::string();
    return trace_context::parse(std::string_view(text.data(), text.size()), state);
}

/// Options of start_send_span().
struct send_span_options {
    /// The parent of the send span, as opentelemetry::trace::StartSpanOptions::parent takes it:
    /// an invalid SpanContext (the default) makes it a child of the span active on this thread
    /// (a root when there is none); a valid SpanContext, or a Context holding a span, makes it a
    /// child of that span; a Context with opentelemetry::trace::kIsRootSpanKey set to true
    /// starts a new trace.
    opentelemetry::nostd::variant<opentelemetry::trace::SpanContext,
                                  opentelemetry::context::Context>
        parent = opentelemetry::trace::SpanContext::GetInvalid();
    /// messaging.client.id: the producer's client.id; empty leaves the attribute out.
    std::string client_id{};
};

/// Starts the PRODUCER span of sending `record` and writes its context into `record.headers`
/// (inject(): a `traceparent` header, and a `tracestate` header when the span has one), so that
/// the consumer's process span becomes its child. Call it just before producer::send(), and end
/// the span with end_send_span() in the delivery callback:
///
///     auto span = kflow::tracing::otel::start_send_span(*tracer, record);
///     producer.send(record, [span](std::error_code ec, const kflow::record_metadata& md) {
///         kflow::tracing::otel::end_send_span(*span, ec, md);
///     });
///
/// The span is named "send <topic>" and has messaging.system "kafka", messaging.operation.type
/// and messaging.operation.name "send", messaging.destination.name (the topic),
/// messaging.destination.partition.id when `record.partition` names one, and
/// messaging.client.id when `options.client_id` is not empty; all are set at the start, where a
/// sampler sees them. The span is not made active. When its context is not valid (the API's
/// no-op tracer, no SDK installed) the headers are left as they are.
///
/// @param tracer the tracer to start the span with
/// @param record the record about to be sent; its headers receive the span's context
/// @param options the parent and the client id
/// @return the started span; end it with end_send_span()
template <class K, class V>
[[nodiscard]] opentelemetry::nostd::shared_ptr<opentelemetry::trace::Span> start_send_span(
    opentelemetry::trace::Tracer& tracer, producer_record<K, V>& record,
    const send_span_options& options = {}) {
    namespace m = detail::messaging;
    const std::string partition =
        record.partition == any_partition ? std::string() : std::to_string(record.partition);
    detail::attribute_list attributes = {
        {m::kMessagingSystem, detail::view(messaging_system)},
        {m::kMessagingOperationType, m::MessagingOperationTypeValues::kSend},
        {m::kMessagingOperationName, detail::view(send_operation)},
        {m::kMessagingDestinationName, detail::view(record.topic)},
    };
    if (!partition.empty())
        attributes.emplace_back(m::kMessagingDestinationPartitionId, detail::view(partition));
    if (!options.client_id.empty())
        attributes.emplace_back(m::kMessagingClientId, detail::view(options.client_id));

    opentelemetry::trace::StartSpanOptions start;
    start.kind = opentelemetry::trace::SpanKind::kProducer;
    start.parent = options.parent;
    const std::string name = std::string(send_operation) + " " + record.topic;
    auto span = tracer.StartSpan(name, attributes, start);
    if (const auto ctx = to_trace_context(span->GetContext()))
        inject(record.headers, *ctx);
    return span;
}

/// Ends a span from start_send_span() with the outcome of the delivery, as the producer's
/// delivery callback reports it. Delivered: messaging.destination.partition.id and
/// messaging.kafka.offset (when the broker reported one) of `metadata`; the status stays unset,
/// as the conventions ask of instrumentation. Failed: status Error with the error's message,
/// error.type (librdkafka's name of the code, e.g. "_MSG_TIMED_OUT"), and the partition when
/// one was chosen.
/// @param span the span start_send_span() returned
/// @param ec the delivery callback's error code; success when it is empty
/// @param metadata the delivery callback's record metadata
inline void end_send_span(opentelemetry::trace::Span& span, std::error_code ec,
                          const record_metadata& metadata) {
    namespace m = detail::messaging;
    if (metadata.partition != any_partition)
        span.SetAttribute(m::kMessagingDestinationPartitionId, std::to_string(metadata.partition));
    if (ec) {
        span.SetAttribute(opentelemetry::semconv::error::kErrorType, detail::error_type(ec));
        span.SetStatus(opentelemetry::trace::StatusCode::kError, ec.message());
    } else if (metadata.offset >= 0) {
        span.SetAttribute(m::kMessagingKafkaOffset, metadata.offset);
    }
    span.End();
}

/// As end_send_span(Span&, ...), for the pointer start_send_span() returns; does nothing when it
/// is null.
/// @param span the span start_send_span() returned
/// @param ec the delivery callback's error code; success when it is empty
/// @param metadata the delivery callback's record metadata
inline void end_send_span(const opentelemetry::nostd::shared_ptr<opentelemetry::trace::Span>& span,
                          std::error_code ec, const record_metadata& metadata) {
    if (span)
        end_send_span(*span, ec, metadata);
}

/// Starts the CONSUMER span of processing `record`. Its parent is the context the record's
/// headers carry (extract()), so it joins the sender's trace as a child of the send span; a
/// record without a valid `traceparent` gets a new root span. The span active on this thread is
/// ignored either way: the record, not the poll loop, says which trace the work belongs to. End
/// the span (Span::End()) when processing is done, and make it active meanwhile
/// (Tracer::WithActiveSpan()) so that the spans of the work nest under it.
///
/// The span is named "process <topic>" and has messaging.system "kafka",
/// messaging.operation.type and messaging.operation.name "process", messaging.destination.name,
/// messaging.destination.partition.id, messaging.kafka.offset, messaging.consumer.group.name
/// when `group` is not empty and messaging.client.id when `client_id` is not empty.
///
/// @param tracer the tracer to start the span with
/// @param record the record received
/// @param group the consumer's group.id; empty leaves the attribute out
/// @param client_id the consumer's client.id; empty leaves the attribute out
/// @return the started span; the caller ends it
template <class K, class V>
[[nodiscard]] opentelemetry::nostd::shared_ptr<opentelemetry::trace::Span> start_process_span(
    opentelemetry::trace::Tracer& tracer, const consumer_record<K, V>& record,
    std::string_view group = {}, std::string_view client_id = {}) {
    namespace m = detail::messaging;
    const std::string partition = std::to_string(record.partition);
    detail::attribute_list attributes = {
        {m::kMessagingSystem, detail::view(messaging_system)},
        {m::kMessagingOperationType, m::MessagingOperationTypeValues::kProcess},
        {m::kMessagingOperationName, detail::view(process_operation)},
        {m::kMessagingDestinationName, detail::view(record.topic)},
        {m::kMessagingDestinationPartitionId, detail::view(partition)},
        {m::kMessagingKafkaOffset, record.offset},
    };
    if (!group.empty())
        attributes.emplace_back(m::kMessagingConsumerGroupName, detail::view(group));
    if (!client_id.empty())
        attributes.emplace_back(m::kMessagingClientId, detail::view(client_id));

    opentelemetry::trace::StartSpanOptions start;
    start.kind = opentelemetry::trace::SpanKind::kConsumer;
    if (const auto sender = extract(record.headers)) {
        start.parent = to_span_context(*sender);
    } else {
        // A Context marked as root: an invalid SpanContext would let the tracer fall back to
        // the span active on this thread.
        start.parent =
            opentelemetry::context::Context{}.SetValue(opentelemetry::trace::kIsRootSpanKey, true);
    }
    const std::string name = std::string(process_operation) + " " + record.topic;
    return tracer.StartSpan(name, attributes, start);
}

}  // namespace otel
}  // namespace kflow::tracing
