// kflow/tracing/opentelemetry.hpp against OpenTelemetry's SDK: a record's send span and process
// span, exported by an in-memory exporter, form one trace through the mock cluster; the
// messaging attributes, a record without a context, a failed delivery, parents, and the
// trace_context <-> SpanContext conversions.
#include <kflow.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/tracing/opentelemetry.hpp>

#include <opentelemetry/exporters/memory/in_memory_span_data.h>
#include <opentelemetry/exporters/memory/in_memory_span_exporter_factory.h>
#include <opentelemetry/sdk/trace/simple_processor_factory.h>
#include <opentelemetry/sdk/trace/span_data.h>
#include <opentelemetry/sdk/trace/tracer_provider.h>
#include <opentelemetry/sdk/trace/tracer_provider_factory.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using kflow::tracing::trace_context;
namespace otel = kflow::tracing::otel;
namespace api = opentelemetry::trace;
namespace sdk = opentelemetry::sdk::trace;
using span_ptr = opentelemetry::nostd::shared_ptr<api::Span>;
using string_record = kflow::producer_record<std::string, std::string>;

namespace {

/// An SDK tracer whose spans go, once ended, to an in-memory exporter (SimpleSpanProcessor
/// exports each span as it ends, on the thread that ends it).
struct tracing_fixture {
    std::shared_ptr<opentelemetry::exporter::memory::InMemorySpanData> data;
    std::unique_ptr<sdk::TracerProvider> provider;
    opentelemetry::nostd::shared_ptr<api::Tracer> tracer;

    tracing_fixture() {
        auto exporter = opentelemetry::exporter::memory::InMemorySpanExporterFactory::Create(data);
        provider = sdk::TracerProviderFactory::Create(
            sdk::SimpleSpanProcessorFactory::Create(std::move(exporter)));
        tracer = provider->GetTracer("kflow-test");
    }

    /// The spans exported since the last call.
    std::vector<std::unique_ptr<sdk::SpanData>> spans() { return data->GetSpans(); }
};

std::string hex(const api::TraceId& id) {
    char out[32];
    id.ToLowerBase16(out);
    return {out, sizeof out};
}

std::string hex(const api::SpanId& id) {
    char out[16];
    id.ToLowerBase16(out);
    return {out, sizeof out};
}

/// A string attribute of `span`; std::nullopt when it has none of that name or type.
std::optional<std::string> text(const sdk::SpanData& span, const std::string& key) {
    const auto& attributes = span.GetAttributes();
    const auto it = attributes.find(key);
    if (it == attributes.end() || !opentelemetry::nostd::holds_alternative<std::string>(it->second))
        return std::nullopt;
    return opentelemetry::nostd::get<std::string>(it->second);
}

/// An int64 attribute of `span`; std::nullopt when it has none of that name or type.
std::optional<std::int64_t> number(const sdk::SpanData& span, const std::string& key) {
    const auto& attributes = span.GetAttributes();
    const auto it = attributes.find(key);
    if (it == attributes.end() ||
        !opentelemetry::nostd::holds_alternative<std::int64_t>(it->second))
        return std::nullopt;
    return opentelemetry::nostd::get<std::int64_t>(it->second);
}

/// The span of `kind` among `spans`; fails the test when there is not exactly one.
const sdk::SpanData& only(const std::vector<std::unique_ptr<sdk::SpanData>>& spans,
                          api::SpanKind kind) {
    const auto n = std::count_if(spans.begin(), spans.end(),
                                 [kind](const auto& s) { return s->GetSpanKind() == kind; });
    REQUIRE(n == 1);
    return **std::find_if(spans.begin(), spans.end(),
                          [kind](const auto& s) { return s->GetSpanKind() == kind; });
}

/// Sends `record` with a send span ended in the delivery callback; the delivery's error code.
std::error_code send_traced(kflow::producer<std::string, std::string>& producer,
                            api::Tracer& tracer, string_record& record,
                            std::chrono::milliseconds wait = 5s) {
    auto span = otel::start_send_span(tracer, record);
    std::optional<std::error_code> delivered;
    producer.send(record, [span, &delivered](std::error_code ec, const kflow::record_metadata& md) {
        otel::end_send_span(span, ec, md);
        delivered = ec;
    });
    kflow::error_info err;
    producer.flush(wait, err);
    REQUIRE(delivered);
    return *delivered;
}

}  // namespace

TEST_CASE("a record's send span is the parent of its process span", "[tracing][otel][mock]") {
    tracing_fixture otel_sdk;
    mock_cluster cluster(1);
    const auto topic = unique_name("otel");
    const auto group = unique_name("otel-group");
    cluster.create_topic(topic, 1);

    kflow::producer<std::string, std::string> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    string_record record{topic, "order-1", "created"};
    REQUIRE_FALSE(send_traced(producer, *otel_sdk.tracer, record));
    const auto traceparent = record.headers.last(kflow::tracing::traceparent_header);
    REQUIRE(traceparent);

    kflow::consumer<std::string, std::string> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), group));
    consumer.subscribe({topic});
    const auto received = kflow::testing::consume_until(consumer, 1, 8s);
    REQUIRE(received.size() == 1);
    CHECK(received[0].headers.last(kflow::tracing::traceparent_header) == traceparent);
    otel::start_process_span(*otel_sdk.tracer, received[0], group)->End();

    const auto spans = otel_sdk.spans();
    REQUIRE(spans.size() == 2);
    const auto& send = only(spans, api::SpanKind::kProducer);
    const auto& process = only(spans, api::SpanKind::kConsumer);

    // One trace, one tree: the process span is the send span's child.
    CHECK(hex(process.GetTraceId()) == hex(send.GetTraceId()));
    CHECK(hex(process.GetParentSpanId()) == hex(send.GetSpanId()));
    CHECK_FALSE(send.GetParentSpanId().IsValid());  // nothing was active: a root
    // The headers carry the send span's context, as W3C traceparent.
    const auto sent = otel::to_trace_context(send.GetSpanContext());
    REQUIRE(sent);
    CHECK(*traceparent == sent->to_traceparent());
    CHECK(*traceparent == "00-" + hex(send.GetTraceId()) + "-" + hex(send.GetSpanId()) + "-01");

    CHECK(std::string(send.GetName()) == "send " + topic);
    CHECK(text(send, "messaging.system") == "kafka");
    CHECK(text(send, "messaging.operation.type") == "send");
    CHECK(text(send, "messaging.operation.name") == "send");
    CHECK(text(send, "messaging.destination.name") == topic);
    CHECK(text(send, "messaging.destination.partition.id") == "0");
    CHECK(number(send, "messaging.kafka.offset") == 0);
    CHECK_FALSE(send.GetAttributes().count("messaging.client.id"));
    CHECK(send.GetStatus() == api::StatusCode::kUnset);

    CHECK(std::string(process.GetName()) == "process " + topic);
    CHECK(text(process, "messaging.system") == "kafka");
    CHECK(text(process, "messaging.operation.type") == "process");
    CHECK(text(process, "messaging.operation.name") == "process");
    CHECK(text(process, "messaging.destination.name") == topic);
    CHECK(text(process, "messaging.destination.partition.id") == "0");
    CHECK(number(process, "messaging.kafka.offset") == received[0].offset);
    CHECK(text(process, "messaging.consumer.group.name") == group);
    CHECK(process.GetStatus() == api::StatusCode::kUnset);
}

TEST_CASE("a record without trace headers gets a root process span", "[tracing][otel][mock]") {
    tracing_fixture otel_sdk;
    mock_cluster cluster(1);
    const auto topic = unique_name("otel-plain");
    cluster.create_topic(topic, 1);
    kflow::producer<std::string, std::string> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    string_record plain{topic, "k", "untraced"};
    string_record invalid{topic, "k", "bad traceparent"};
    invalid.headers.add("traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01");
    (void)kflow::testing::send_and_wait(producer, plain);
    (void)kflow::testing::send_and_wait(producer, invalid);

    kflow::consumer<std::string, std::string> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    const auto received = kflow::testing::consume_until(consumer, 2, 8s);
    REQUIRE(received.size() == 2);

    // The poll loop's own span is active: the record, not the ambient context, decides.
    auto loop = otel_sdk.tracer->StartSpan("poll loop");
    {
        auto active = otel_sdk.tracer->WithActiveSpan(loop);
        for (const auto& r : received)
            otel::start_process_span(*otel_sdk.tracer, r)->End();
    }
    loop->End();

    auto spans = otel_sdk.spans();
    REQUIRE(spans.size() == 3);
    std::erase_if(spans,
                  [](const auto& s) { return s->GetSpanKind() != api::SpanKind::kConsumer; });
    REQUIRE(spans.size() == 2);
    for (const auto& process : spans) {
        CHECK_FALSE(process->GetParentSpanId().IsValid());
        CHECK(process->GetTraceId().IsValid());
        CHECK(hex(process->GetTraceId()) != hex(loop->GetContext().trace_id()));
        CHECK_FALSE(process->GetAttributes().count("messaging.consumer.group.name"));
    }
    CHECK(hex(spans[0]->GetTraceId()) != hex(spans[1]->GetTraceId()));
}

TEST_CASE("a failed delivery ends the send span with an error", "[tracing][otel][mock]") {
    tracing_fixture otel_sdk;
    mock_cluster cluster(1);
    const auto topic = unique_name("otel-fail");
    cluster.create_topic(topic, 1);
    auto cfg = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    cfg.delivery_timeout(300ms);
    cluster.broker_down(1);  // nothing can be delivered: the message times out
    kflow::producer<std::string, std::string> producer(cfg);

    string_record record{topic, "k", "lost"};
    const auto ec = send_traced(producer, *otel_sdk.tracer, record);
    CHECK(ec == kflow::make_error_code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT));

    const auto spans = otel_sdk.spans();
    REQUIRE(spans.size() == 1);
    const auto& send = *spans[0];
    CHECK(send.GetSpanKind() == api::SpanKind::kProducer);
    CHECK(send.GetStatus() == api::StatusCode::kError);
    CHECK(std::string(send.GetDescription()) == ec.message());
    CHECK(text(send, "error.type") == "_MSG_TIMED_OUT");
    CHECK_FALSE(send.GetAttributes().count("messaging.kafka.offset"));
    CHECK(text(send, "messaging.destination.name") == topic);
}

TEST_CASE("a send span's parent is the active span, or the one given", "[tracing][otel]") {
    tracing_fixture otel_sdk;
    kflow::record_metadata delivered;
    delivered.topic = "orders";
    delivered.partition = 3;
    delivered.offset = 42;

    SECTION("the active span") {
        auto request = otel_sdk.tracer->StartSpan("handle request");
        string_record record{"orders", "k", "v"};
        record.partition = 3;
        {
            auto active = otel_sdk.tracer->WithActiveSpan(request);
            otel::end_send_span(otel::start_send_span(*otel_sdk.tracer, record), {}, delivered);
        }
        request->End();
        const auto spans = otel_sdk.spans();
        REQUIRE(spans.size() == 2);
        const auto& send = only(spans, api::SpanKind::kProducer);
        CHECK(hex(send.GetTraceId()) == hex(request->GetContext().trace_id()));
        CHECK(hex(send.GetParentSpanId()) == hex(request->GetContext().span_id()));
        CHECK(text(send, "messaging.destination.partition.id") == "3");
        CHECK(number(send, "messaging.kafka.offset") == 42);
    }
    SECTION("an explicit parent, with a tracestate, and a client id") {
        const auto parent = trace_context::parse(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "congo=t61rcWkgMzE");
        REQUIRE(parent);
        string_record record{"orders", "k", "v"};
        record.headers.add("tracestate", "stale=1");
        otel::send_span_options options;
        options.parent = otel::to_span_context(*parent);
        options.client_id = "billing-1";
        otel::end_send_span(otel::start_send_span(*otel_sdk.tracer, record, options), {},
                            delivered);
        const auto spans = otel_sdk.spans();
        REQUIRE(spans.size() == 1);
        const auto& send = *spans[0];
        CHECK(hex(send.GetTraceId()) == parent->trace_id_hex());
        CHECK(hex(send.GetParentSpanId()) == parent->parent_id_hex());
        CHECK(text(send, "messaging.client.id") == "billing-1");
        // The headers carry the send span, the parent's tracestate with it.
        const auto carried = kflow::tracing::extract(record.headers);
        REQUIRE(carried);
        CHECK(carried->trace_id_hex() == parent->trace_id_hex());
        CHECK(carried->parent_id_hex() == hex(send.GetSpanId()));
        CHECK(carried->tracestate() == "congo=t61rcWkgMzE");
        CHECK(record.headers.all("tracestate").size() == 1);
    }
}

TEST_CASE("trace_context and SpanContext convert both ways", "[tracing][otel]") {
    const auto ctx = trace_context::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                                          "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    REQUIRE(ctx);
    const auto span = otel::to_span_context(*ctx);
    CHECK(span.IsValid());
    CHECK(span.IsRemote());
    CHECK(span.IsSampled());
    CHECK(hex(span.trace_id()) == ctx->trace_id_hex());
    CHECK(hex(span.span_id()) == ctx->parent_id_hex());
    CHECK(span.trace_state()->ToHeader() == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    const auto back = otel::to_trace_context(span);
    REQUIRE(back);
    CHECK(*back == *ctx);

    const auto unsampled =
        trace_context::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    REQUIRE(unsampled);
    CHECK_FALSE(otel::to_span_context(*unsampled).IsSampled());
    CHECK(otel::to_span_context(*unsampled).trace_state()->ToHeader().empty());
    CHECK(otel::to_trace_context(otel::to_span_context(*unsampled)) == unsampled);

    CHECK_FALSE(otel::to_trace_context(api::SpanContext::GetInvalid()));
}
