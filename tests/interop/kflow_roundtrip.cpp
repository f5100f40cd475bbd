// kflow's side of the interoperability tests: produce records other clients must read, or read
// what other clients produced, printing every record as one JSON line so that a script can
// compare it with what the other client saw.
//
//   kflow_roundtrip produce --bootstrap B --topic T --count N [--source NAME] [--trace]
//       Sends N keyed records with headers and prints each one with the partition and offset
//       of its delivery report. Exits 1 if any delivery fails. With --trace every record also
//       carries a new W3C trace context in its headers (kflow::tracing::inject of
//       trace_context::new_root; record i is sampled, and has a tracestate, when i is even).
//   kflow_roundtrip consume --bootstrap B --topic T --count N --group G [--commit] [--trace]
//                           [--timeout-ms MS] [--debug CONTEXTS]
//       Reads N records in consumer group G (from the earliest offset when G has no commits),
//       prints them, and with --commit commits what it read. Exits 1 if fewer than N arrive
//       before the deadline (default 30 s). --debug turns on librdkafka's debug contexts
//       (e.g. cgrp,fetch) on stderr, for finding out why a run failed. With --trace each line
//       also has "trace": what kflow::tracing::extract found in the record's headers.
//
// One JSON object per line: {"topic", "partition", "offset", "key", "value", "headers"} where
// key and value are strings or null and headers is a list of [name, value-or-null] pairs, in
// order; with consume --trace also "trace": {"traceparent", "tracestate"} (the extracted
// context, formatted again) or null when extract gave none.
#include <kflow.hpp>
#include <kflow/serdes/optional.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/tracing.hpp>

#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using text = std::optional<std::string>;
using record_producer = kflow::producer<text, text>;
using record_consumer = kflow::consumer<text, text>;

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

constexpr std::string_view usage =
    "usage: kflow_roundtrip produce --bootstrap B --topic T --count N [--source NAME] [--trace]\n"
    "       kflow_roundtrip consume --bootstrap B --topic T --count N --group G [--commit]\n"
    "                               [--trace] [--timeout-ms MS] [--debug CONTEXTS]\n";

/// A command line refused; the message names the argument at fault.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct arguments {
    std::string mode;
    std::map<std::string, std::string, std::less<>> values;
    bool commit = false;
    bool trace = false;

    [[nodiscard]] const std::string& required(std::string_view name) const {
        const auto it = values.find(name);
        if (it == values.end())
            throw usage_error(mode + " needs --" + std::string(name));
        return it->second;
    }
    [[nodiscard]] long number(std::string_view name, std::optional<long> fallback = {}) const {
        const auto it = values.find(name);
        if (it == values.end()) {
            if (fallback)
                return *fallback;
            throw usage_error(mode + " needs --" + std::string(name));
        }
        long value = 0;
        const auto& s = it->second;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (ec != std::errc{} || end != s.data() + s.size() || value < 0) {
            throw usage_error("--" + std::string(name) + " '" + s +
                              "': expected a whole number >= 0");
        }
        return value;
    }
};

arguments parse(int argc, char** argv) {
    if (argc < 2)
        throw usage_error("missing mode (produce or consume)");
    arguments out;
    out.mode = argv[1];
    if (out.mode != "produce" && out.mode != "consume") {
        throw usage_error("unknown mode '" + out.mode + "'");
    }
    static const std::vector<std::string_view> known = {
        "bootstrap", "topic", "count", "source", "group", "timeout-ms", "debug"};
    for (int i = 2; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--commit") {
            out.commit = true;
            continue;
        }
        if (arg == "--trace") {
            out.trace = true;
            continue;
        }
        if (!arg.starts_with("--") ||
            std::find(known.begin(), known.end(), arg.substr(2)) == known.end()) {
            throw usage_error("unknown argument '" + std::string(arg) + "'");
        }
        if (i + 1 == argc)
            throw usage_error(std::string(arg) + " needs a value");
        out.values.insert_or_assign(std::string(arg.substr(2)), argv[++i]);
    }
    return out;
}

nlohmann::json to_json(const kflow::headers& headers) {
    auto out = nlohmann::json::array();
    for (const auto& h : headers) {
        out.push_back({h.key, h.value ? nlohmann::json(*h.value) : nlohmann::json(nullptr)});
    }
    return out;
}

nlohmann::json to_json(const text& t) {
    return t ? nlohmann::json(*t) : nlohmann::json(nullptr);
}

/// The trace context in `headers` as kflow extracts it, formatted again; null when none.
nlohmann::json trace_json(const kflow::headers& headers) {
    const auto ctx = kflow::tracing::extract(headers);
    if (!ctx)
        return nullptr;
    return {{"traceparent", ctx->to_traceparent()}, {"tracestate", ctx->tracestate()}};
}

void print_record(std::string_view topic, std::int32_t partition, std::int64_t offset,
                  const text& key, const text& value, const kflow::headers& headers,
                  bool with_trace = false) {
    nlohmann::json line = {{"topic", topic},          {"partition", partition},
                           {"offset", offset},        {"key", to_json(key)},
                           {"value", to_json(value)}, {"headers", to_json(headers)}};
    if (with_trace)
        line["trace"] = trace_json(headers);
    std::cout << line.dump() << '\n';
}

/// Record i of a run: a key, a value with a multi-byte character and a ':' (delimiters other
/// tools split on), and headers with a repeated name and a null value, the cases clients
/// most often get wrong.
kflow::producer_record<text, text> make_record(const std::string& topic, const std::string& source,
                                               long i) {
    const std::string n = std::to_string(i);
    kflow::headers headers;
    headers.add("source", source).add("seq", n).add("tag", "a").add("tag", "b").add_null("trace");
    return {topic, source + "-key-" + n, source + " value #" + n + ": café", std::move(headers)};
}

int produce(const arguments& args) {
    const auto& topic = args.required("topic");
    const long count = args.number("count");
    const std::string source = args.values.contains("source") ? args.required("source") : "kflow";

    record_producer producer(kflow::testing::test_producer_config(args.required("bootstrap")));
    long failed = 0;
    for (long i = 0; i < count; ++i) {
        auto record = make_record(topic, source, i);
        if (args.trace) {
            // Both flag values and both "with" and "without" a tracestate reach the reader.
            auto ctx = kflow::tracing::trace_context::new_root(i % 2 == 0);
            if (i % 2 == 0)
                ctx = *ctx.with_tracestate("kflow=" + std::to_string(i) + ",congo=t61rcWkgMzE");
            kflow::tracing::inject(record.headers, ctx);
        }
        producer.send(record,
                      [&failed, record](std::error_code ec, const kflow::record_metadata& md) {
                          if (ec) {
                              ++failed;
                              std::cerr << "kflow_roundtrip: delivery of " << *record.key
                                        << " failed: " << ec.message() << '\n';
                              return;
                          }
                          print_record(md.topic, md.partition, md.offset, record.key, record.value,
                                       record.headers);
                      });
    }
    kflow::error_info flushed;
    producer.flush(std::chrono::seconds(30), flushed);
    if (flushed) {
        std::cerr << "kflow_roundtrip: " << flushed.message << '\n';
        return exit_failed;
    }
    return failed == 0 ? exit_ok : exit_failed;
}

/// Commits what was read. The mock answers OffsetCommit with REBALANCE_IN_PROGRESS while a
/// rebalance is pending, and so may a real cluster: keep serving the consumer (which completes
/// the rebalance) and retry until the deadline.
void commit_read(record_consumer& consumer, std::chrono::steady_clock::time_point until) {
    const auto rebalancing = kflow::make_error_code(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS);
    for (;;) {
        kflow::error_info err;
        consumer.commit(err);
        if (!err)
            return;
        if (err != rebalancing || std::chrono::steady_clock::now() >= until)
            err.raise("commit");
        // Nothing new should arrive (the caller read what it wanted), but polling is what lets
        // librdkafka finish the rebalance.
        if (auto extra = consumer.poll(std::chrono::milliseconds(100))) {
            throw std::runtime_error(
                "a record beyond the expected count arrived while committing: " + extra->topic +
                " [" + std::to_string(extra->partition) + "] at offset " +
                std::to_string(extra->offset));
        }
    }
}

int consume(const arguments& args) {
    const auto& topic = args.required("topic");
    const auto count = static_cast<std::size_t>(args.number("count"));
    const std::chrono::milliseconds timeout(args.number("timeout-ms", 30000));
    const auto until = std::chrono::steady_clock::now() + timeout;

    auto config =
        kflow::testing::test_consumer_config(args.required("bootstrap"), args.required("group"));
    // Commits happen only when asked (--commit), so a test sees exactly what was committed.
    config.enable_auto_commit(false);
    if (args.values.contains("debug"))
        config.debug(args.required("debug"));
    record_consumer consumer(config);
    consumer.subscribe({topic});

    const auto records = kflow::testing::consume_until(consumer, count, timeout);
    for (const auto& r : records) {
        print_record(r.topic, r.partition, r.offset, r.key, r.value, r.headers, args.trace);
    }
    std::cout.flush();
    if (records.size() != count) {
        std::cerr << "kflow_roundtrip: expected " << count << " record(s) from " << topic
                  << " within " << timeout.count() << " ms, got " << records.size() << '\n';
        return exit_failed;
    }
    if (args.commit)
        commit_read(consumer, until);
    consumer.close();
    return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto args = parse(argc, argv);
        return args.mode == "produce" ? produce(args) : consume(args);
    } catch (const usage_error& e) {
        std::cerr << "kflow_roundtrip: " << e.what() << "\n\n" << usage;
        return exit_usage;
    } catch (const std::exception& e) {
        std::cerr << "kflow_roundtrip: " << e.what() << '\n';
        return exit_failed;
    }
}
