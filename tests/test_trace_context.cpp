// W3C Trace Context: the traceparent/tracestate parser against the specification's rules and
// the vectors of its test suite, formatting, new ids, and a context carried end to end in
// record headers through the mock cluster.
#include <kflow.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/tracing.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <thread>
#include <vector>

using kflow::testing::unique_name;
using kflow::tracing::trace_context;

namespace Catch {
template <>
struct StringMaker<trace_context> {
    static std::string convert(const trace_context& ctx) {
        return ctx.to_traceparent() + " tracestate='" + std::string(ctx.tracestate()) + "'";
    }
};
}  // namespace Catch

namespace {

constexpr std::string_view valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr std::string_view suite_parent = "00-12345678901234567890123456789012-1234567890123456-00";

/// The tracestate `parse` keeps with a valid traceparent: empty when it dropped it.
std::string kept_state(std::string_view tracestate) {
    const auto ctx = trace_context::parse(suite_parent, tracestate);
    REQUIRE(ctx);
    return std::string(ctx->tracestate());
}

std::string members(int from, int to) {
    std::string out;
    for (int i = from; i <= to; ++i) {
        out += (out.empty() ? "" : ",");
        out += "bar" + std::to_string(i) + "=" + std::to_string(i);
    }
    return out;
}

}  // namespace

TEST_CASE("a valid traceparent parses into its fields", "[tracing]") {
    const auto ctx = trace_context::parse(valid);
    REQUIRE(ctx);
    CHECK(ctx->trace_id_hex() == "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(ctx->parent_id_hex() == "00f067aa0ba902b7");
    CHECK(ctx->trace_id()[0] == 0x4b);
    CHECK(ctx->trace_id()[15] == 0x36);
    CHECK(ctx->parent_id()[0] == 0x00);
    CHECK(ctx->parent_id()[7] == 0xb7);
    CHECK(ctx->trace_flags() == 0x01);
    CHECK(ctx->sampled());
    CHECK(ctx->tracestate().empty());
    CHECK(ctx->to_traceparent() == valid);

    const auto unsampled =
        trace_context::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    REQUIRE(unsampled);
    CHECK_FALSE(unsampled->sampled());
    // A bit field: 09 is sampled (bit 0) plus an undefined bit, kept as received.
    const auto other_bits =
        trace_context::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09");
    REQUIRE(other_bits);
    CHECK(other_bits->sampled());
    CHECK(other_bits->trace_flags() == 0x09);
    CHECK(other_bits->to_traceparent().ends_with("-09"));
}

TEST_CASE("an invalid traceparent gives no context", "[tracing]") {
    const std::vector<std::string> invalid = {
        "",
        // uppercase hex, in each field
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
        "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        // all-zero ids
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        // version ff, and versions that are not 2 hex digits
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future",
        ".0-12345678901234567890123456789012-1234567890123456-01",
        "0.-12345678901234567890123456789012-1234567890123456-01",
        "000-12345678901234567890123456789012-1234567890123456-01",
        "0-12345678901234567890123456789012-1234567890123456-01",
        // wrong lengths and characters in the trace id, parent id and flags
        "00-1234567890123456789012345678901.-1234567890123456-01",
        "00-123456789012345678901234567890123-1234567890123456-01",
        "00-1234567890123456789012345678901-1234567890123456-01",
        "00-12345678901234567890123456789012-123456789012345.-01",
        "00-12345678901234567890123456789012-12345678901234567-01",
        "00-12345678901234567890123456789012-123456789012345-01",
        "00-12345678901234567890123456789012-1234567890123456-0.",
        "00-12345678901234567890123456789012-1234567890123456-001",
        "00-12345678901234567890123456789012-1234567890123456-1",
        // wrong delimiters
        "00_12345678901234567890123456789012-1234567890123456-01",
        "00-12345678901234567890123456789012_1234567890123456-01",
        "00-12345678901234567890123456789012-1234567890123456_01",
        // version 00 is exactly 55 characters: nothing may follow, not even a new field
        "00-12345678901234567890123456789012-1234567890123456-01.",
        "00-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like",
        // no surrounding whitespace: a Kafka header value is bytes, not an HTTP field
        " 00-12345678901234567890123456789012-1234567890123456-01",
        "00-12345678901234567890123456789012-1234567890123456-01 ",
    };
    for (const auto& text : invalid) {
        INFO("traceparent '" << text << "'");
        CHECK_FALSE(trace_context::parse(text));
        CHECK_FALSE(trace_context::parse(text, "congo=t61rcWkgMzE"));
    }
    CHECK_FALSE(
        trace_context::parse(std::string_view("00-12345678901234567890123456789012-"
                                              "1234567890123456-01\0",
                                              56)));
}

TEST_CASE("a higher traceparent version is read as version 00", "[tracing]") {
    const auto plain =
        trace_context::parse("cc-12345678901234567890123456789012-1234567890123456-01");
    REQUIRE(plain);
    CHECK(plain->to_traceparent() == "00-12345678901234567890123456789012-1234567890123456-01");

    // Fields after the flags are ignored; only the sampled bit of the flags is kept.
    const auto extended = trace_context::parse(
        "cc-12345678901234567890123456789012-1234567890123456-09-what-the-future-will-be-like",
        "congo=t61rcWkgMzE");
    REQUIRE(extended);
    CHECK(extended->to_traceparent() == "00-12345678901234567890123456789012-1234567890123456-01");
    CHECK(extended->trace_flags() == trace_context::sampled_flag);
    CHECK(extended->tracestate() == "congo=t61rcWkgMzE");
    CHECK(trace_context::parse("01-12345678901234567890123456789012-1234567890123456-00-"));

    // ...but the first 55 characters must still have the version 00 shape.
    CHECK_FALSE(trace_context::parse(
        "cc-12345678901234567890123456789012-1234567890123456-01.what-the-future-will-be-like"));
    CHECK_FALSE(trace_context::parse("cc-12345678901234567890123456789012-1234567890123456-0"));
    CHECK_FALSE(trace_context::parse("cc-00000000000000000000000000000000-1234567890123456-01"));
    CHECK_FALSE(trace_context::parse("cc-12345678901234567890123456789012-1234567890123456-0A"));
}

TEST_CASE("a valid tracestate is kept as given", "[tracing]") {
    CHECK(kept_state("congo=t61rcWkgMzE") == "congo=t61rcWkgMzE");
    CHECK(kept_state("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE") ==
          "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    // Whitespace around members (spaces and tabs) is allowed, and kept byte for byte.
    for (const std::string state : {"foo=1 \t , \t bar=2, \t baz=3", "foo=1\t \t,\t \tbar=2",
                                    " foo=1", "\tfoo=1", "foo=1 ", "foo=1\t", "\t foo=1 \t"}) {
        INFO("tracestate '" << state << "'");
        CHECK(kept_state(state) == state);
    }
    // Empty members are allowed; leading spaces belong to the value.
    CHECK(kept_state(",foo=1,,bar=2,") == ",foo=1,,bar=2,");
    CHECK(kept_state("foo= 1") == "foo= 1");
    // Multi-tenant keys, and every allowed character of keys and values.
    CHECK(kept_state("fw529a3039@dt=ffff,0abc@s=1") == "fw529a3039@dt=ffff,0abc@s=1");
    std::string value;
    for (char c = 0x20; c <= 0x7e; ++c) {
        if (c != ',' && c != '=')
            value += c;
    }
    const std::string key = "abcdefghijklmnopqrstuvwxyz0123456789_-*/";
    CHECK(kept_state(key + "=" + value) == key + "=" + value);
    CHECK(kept_state(key + "@a-z0-9_-*/=" + value) == key + "@a-z0-9_-*/=" + value);
    // Length limits: keys of 256 characters, tenant 241 and system 14; values of 256.
    CHECK_FALSE(kept_state(std::string(256, 'z') + "=1").empty());
    CHECK_FALSE(kept_state(std::string(241, 't') + "@" + std::string(14, 'v') + "=1").empty());
    CHECK_FALSE(kept_state("foo=" + std::string(256, 'v')).empty());
    // 32 members is the most allowed; empty members do not count.
    CHECK(kept_state(members(1, 32)) == members(1, 32));
    CHECK(kept_state(members(1, 32) + ",,") == members(1, 32) + ",,");
}

TEST_CASE("an invalid tracestate is dropped and the traceparent still used", "[tracing]") {
    const std::vector<std::string> invalid = {
        // members
        "foo", "foo=", "=1", "foo=1,bar", "foo=bar=baz", "foo=,bar=3", "foo =1", "FOO=1",
        "foo.bar=1", "Foo=1", "1foo=1",
        // multi-tenant keys
        "foo@=1,bar=2", "@foo=1,bar=2", "foo@@bar=1,bar=2", "foo@bar@baz=1,bar=2", "foo@1bar=1",
        "_foo@bar=1",
        // values: characters outside the printable ASCII range, tabs inside
        "foo=a\tb", "foo=caf\xc3\xa9", std::string("foo=a\0b", 7), "foo=a\nb",
        // duplicate keys
        "foo=1,foo=1", "foo=1,foo=2", "foo=1,bar=2,foo=3",
        // length limits
        std::string(257, 'z') + "=1", std::string(242, 't') + "@v=1",
        "t@" + std::string(15, 'v') + "=1", "foo=" + std::string(257, 'v'),
        // 33 members
        members(1, 33), members(1, 20) + ",," + members(21, 33)};
    for (const auto& state : invalid) {
        INFO("tracestate '" << state << "'");
        CHECK_FALSE(trace_context::valid_tracestate(state));
        const auto ctx = trace_context::parse(suite_parent, state);
        REQUIRE(ctx);
        CHECK(ctx->trace_id_hex() == "12345678901234567890123456789012");
        CHECK(ctx->tracestate().empty());
    }
    // A tracestate without members is valid but nothing to keep.
    for (const std::string state : {"", " ", ",", " , \t,"}) {
        CHECK(trace_context::valid_tracestate(state));
        CHECK(kept_state(state).empty());
    }
}

TEST_CASE("formatting round-trips through parse", "[tracing]") {
    const auto ctx = trace_context::parse(valid, "rojo=00f067aa0ba902b7");
    REQUIRE(ctx);
    const auto again = trace_context::parse(ctx->to_traceparent(), ctx->tracestate());
    REQUIRE(again);
    CHECK(*again == *ctx);
    CHECK(again->to_traceparent() == valid);

    const auto without_state = trace_context::parse(valid);
    REQUIRE(without_state);
    CHECK_FALSE(*without_state == *ctx);  // the tracestate takes part in equality
    CHECK(ctx->with_tracestate("") == without_state);
    CHECK(without_state->with_tracestate("rojo=00f067aa0ba902b7") == ctx);
    CHECK_FALSE(without_state->with_tracestate("Rojo=1"));

    for (int i = 0; i < 100; ++i) {
        const auto root = trace_context::new_root(i % 2 == 0);
        const auto parsed = trace_context::parse(root.to_traceparent());
        REQUIRE(parsed);
        CHECK(*parsed == root);
    }
}

TEST_CASE("new_root and child make valid, distinct ids", "[tracing]") {
    const auto root = trace_context::new_root();
    CHECK(root.sampled());
    CHECK(root.trace_flags() == trace_context::sampled_flag);
    CHECK(root.tracestate().empty());
    CHECK(root.to_traceparent().size() == trace_context::traceparent_size);
    CHECK(root.to_traceparent().starts_with("00-"));
    CHECK_FALSE(trace_context::new_root(false).sampled());
    CHECK(trace_context::new_root(false).trace_flags() == 0);

    const auto with_state = root.with_tracestate("congo=t61rcWkgMzE");
    REQUIRE(with_state);
    const auto child = with_state->child();
    CHECK(child.trace_id() == root.trace_id());
    CHECK(child.parent_id() != root.parent_id());
    CHECK(child.trace_flags() == root.trace_flags());
    CHECK(child.tracestate() == "congo=t61rcWkgMzE");
    CHECK(trace_context::new_root(false).child().trace_flags() == 0);

    // Random 128- and 64-bit ids do not repeat in a few thousand draws, on any thread.
    std::set<std::string> traces;
    std::set<std::string> spans;
    for (int i = 0; i < 2000; ++i) {
        const auto ctx = trace_context::new_root();
        traces.insert(ctx.trace_id_hex());
        spans.insert(ctx.child().parent_id_hex());
    }
    CHECK(traces.size() == 2000);
    CHECK(spans.size() == 2000);

    // Each thread has its own generator, seeded on its own: two threads draw different ids.
    std::string other;
    std::thread([&other] { other = trace_context::new_root().trace_id_hex(); }).join();
    CHECK_FALSE(traces.contains(other));
}

TEST_CASE("headers remove and set replace every header of a name", "[tracing][headers]") {
    kflow::headers hs{{"a", "1"}, {"b", "2"}, {"a", "3"}};
    hs.add_null("a");
    CHECK(hs.remove("a") == 3);
    CHECK(hs == kflow::headers{{"b", "2"}});
    CHECK(hs.remove("missing") == 0);
    hs.add("c", "3").add("b", "4");
    hs.set("b", "5");
    CHECK(hs == kflow::headers{{"c", "3"}, {"b", "5"}});
}

TEST_CASE("inject writes one context and extract reads it back", "[tracing][headers]") {
    const auto ctx = *trace_context::parse(valid, "congo=t61rcWkgMzE");
    kflow::headers hs{{"traceparent", "stale"}, {"source", "shop"}, {"tracestate", "old=1"}};
    hs.add("traceparent", "stale too");
    kflow::tracing::inject(hs, ctx);
    CHECK(hs.all("traceparent").size() == 1);
    CHECK(hs.all("tracestate").size() == 1);
    CHECK(hs.last("traceparent") == valid);
    CHECK(hs.last("tracestate") == "congo=t61rcWkgMzE");
    CHECK(hs.last("source") == "shop");
    CHECK(kflow::tracing::extract(hs) == ctx);

    // A context without a tracestate removes a stale one rather than leave it behind.
    const auto plain = ctx.child().with_tracestate("");
    REQUIRE(plain);
    kflow::tracing::inject(hs, *plain);
    CHECK_FALSE(hs.contains("tracestate"));
    CHECK(kflow::tracing::extract(hs) == plain);
}

TEST_CASE("extract: the last header wins, bad or missing headers give no context",
          "[tracing][headers]") {
    using kflow::tracing::extract;
    CHECK_FALSE(extract(kflow::headers{}));
    CHECK_FALSE(extract(kflow::headers{{"tracestate", "congo=1"}}));
    CHECK_FALSE(extract(kflow::headers{{"traceparent", "garbage"}}));
    CHECK_FALSE(extract(kflow::headers{{"traceparent", std::string(valid)}, {"traceparent", "x"}}));
    CHECK_FALSE(extract(kflow::headers{{"TraceParent", std::string(valid)}}));
    kflow::headers null_last{{"traceparent", std::string(valid)}};
    null_last.add_null("traceparent");
    CHECK_FALSE(extract(null_last));

    const auto later =
        extract(kflow::headers{{"traceparent", "garbage"}, {"traceparent", std::string(valid)}});
    REQUIRE(later);
    CHECK(later->to_traceparent() == valid);

    // The last tracestate is the one read; an invalid one is dropped, not the context.
    const auto state = extract(kflow::headers{
        {"tracestate", "a=1"}, {"traceparent", std::string(valid)}, {"tracestate", "b=2"}});
    REQUIRE(state);
    CHECK(state->tracestate() == "b=2");
    const auto bad_state =
        extract(kflow::headers{{"traceparent", std::string(valid)}, {"tracestate", "B=2"}});
    REQUIRE(bad_state);
    CHECK(bad_state->tracestate().empty());
    kflow::headers null_state{{"traceparent", std::string(valid)}};
    null_state.add_null("tracestate");
    REQUIRE(extract(null_state));
    CHECK(extract(null_state)->tracestate().empty());
}

TEST_CASE("a context injected on send is extracted on receive", "[tracing][mock]") {
    kflow::testing::mock_cluster cluster(1);
    const auto topic = unique_name("trace");
    cluster.create_topic(topic, 1);

    const auto sent = *trace_context::new_root().with_tracestate("kflow=1,congo=t61rcWkgMzE");
    kflow::producer<std::string, std::string> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    kflow::producer_record<std::string, std::string> rec{topic, "order-1", "paid"};
    rec.headers.add("source", "shop");
    kflow::tracing::inject(rec.headers, sent);
    kflow::testing::send_and_wait(producer, rec);
    // A record without a context, to tell "none" from "lost".
    kflow::testing::send_and_wait(producer, {topic, "order-2", "paid"});

    kflow::consumer<std::string, std::string> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g")));
    consumer.subscribe({topic});
    const auto records = kflow::testing::consume_until(consumer, 2);
    REQUIRE(records.size() == 2);
    const auto received = kflow::tracing::extract(records[0].headers);
    REQUIRE(received);
    CHECK(*received == sent);
    CHECK(received->tracestate() == "kflow=1,congo=t61rcWkgMzE");
    CHECK(records[0].headers.last("source") == "shop");
    CHECK_FALSE(kflow::tracing::extract(records[1].headers));

    // The receiver continues the trace: same trace id, its own span id.
    const auto next = received->child();
    CHECK(next.trace_id() == sent.trace_id());
    CHECK(next.parent_id() != sent.parent_id());
}
