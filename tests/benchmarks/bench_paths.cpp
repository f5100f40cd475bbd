// Per-path costs: each public hot path of kflow against the raw librdkafka C API calls it wraps,
// one scenario at a time, so that one side of one scenario can run alone under a profiler or
// callgrind and be counted in instructions per message (scripts/bench.sh --instructions).
//
//   bench_paths --scenario NAME --side raw|kflow --messages N   one run of one side
//   bench_paths [--scenario A,B,...] [--rounds R]                paired rounds, medians
//   bench_paths --list                                           the throughput scenarios
//
// Throughput scenarios (the table in docs/performance.md lists what each side calls):
// produce_string, produce_null_key, async_send, poll_batch, poll, async_receive_batch,
// async_receive, and the consumer paths again with records that borrow their value
// (std::string_view): poll_batch_view, poll_view, async_receive_batch_view, async_receive_view.
// Latency scenarios: latency_delivery, latency_consume. Their timed region (for callgrind) runs
// from after the warm-up to the last scheduled message: instructions per message at a low rate
// (e.g. --rate 100 --seconds 3 under callgrind), where every message is a request of its own.
//
// Producer runs create the client, wait for one delivery (connection and metadata ready) and time
// from the first send to the last delivery report (async_send spawns its 10,000 coroutines before
// the clock starts; their first resumption and their end, about 4,000 instructions each, are
// inside: some 400 per message at 100,000 messages). Consumer runs read messages preloaded by a raw
// producer in this process (untimed, once per process), fetch the topic's metadata, and time from
// assign() of every partition at its beginning to the last record read. Every run checks what it
// measured: all delivered without an error, or exactly --messages records of --value-size bytes
// read; otherwise the program exits with status 1.
//
// Instructions: the timed region of every run is bracketed by callgrind client requests
// (START_INSTRUMENTATION + ZERO_STATS before, DUMP_STATS_AT("timed") + STOP_INSTRUMENTATION
// after). Under `valgrind --tool=callgrind --instr-atstart=no`, the dump named "timed" holds the
// instructions that every thread of the process (the application's, librdkafka's, the mock
// cluster's) ran inside the timed region and nothing else: client set-up, the warm-up message,
// the preload and the teardown are left out by construction. Read its `totals:` line: with
// instrumentation on from the start, the `summary:` line of a dump keeps the other threads'
// costs from before the zeroing. Outside valgrind the requests cost a few instructions.
#include "bench_common.hpp"
#include "bench_timed_region.hpp"

#include <kflow/async_consumer.hpp>
#include <kflow/async_producer.hpp>
#include <kflow/consumer.hpp>
#include <kflow/metrics/prometheus.hpp>
#include <kflow/producer.hpp>
#include <kflow/serdes/none.hpp>
#include <kflow/serdes/string.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::bench::as_int_ms;
using kflow::bench::clock_type;
using kflow::bench::expect;
using kflow::bench::run_result;
using kflow::bench::scaled;
using kflow::bench::timed_region;

namespace {

using kflow::bench::run_coroutine;

constexpr std::size_t async_window = 10'000;     // async_send: sends in flight
constexpr std::size_t batch_size = 1000;         // poll_batch, async_receive_batch, raw batches
const std::string record_key = "customer-0042";  // produce_string's key

// -- Options ----------------------------------------------------------------------------------

struct options {
    std::vector<std::string> scenarios;  ///< empty: every throughput scenario
    std::string side;                    ///< "raw" or "kflow": one run of one side
    std::size_t messages = 1'000'000;
    std::size_t value_size = 100;
    int rounds = 5;
    int rate = 2000;       ///< latency scenarios: messages per second
    double seconds = 5.0;  ///< latency scenarios: seconds per run
    bool quick = false;
    bool preload_only = false;
    bool list = false;
};

[[noreturn]] void usage(const char* program, const std::string& problem) {
    if (!problem.empty())
        std::fprintf(stderr, "%s\n", problem.c_str());
    std::fprintf(stderr,
                 "usage: %s [--scenario NAME[,NAME...]] [--side raw|kflow] [--messages N] "
                 "[--value-size BYTES]\n"
                 "       [--rounds R] [--rate MSG_PER_S] [--seconds S] [--quick] [--preload-only] "
                 "[--list]\n",
                 program);
    std::exit(problem.empty() ? 0 : 2);
}

options parse_options(int argc, char** argv) {
    options o;
    bool messages_set = false;
    bool rounds_set = false;
    bool seconds_set = false;
    const auto text = [&](int& i, std::string_view flag) -> std::string {
        if (i + 1 >= argc)
            usage(argv[0], std::string(flag) + " needs a value");
        return argv[++i];
    };
    const auto number = [&](int& i, std::string_view flag) -> double {
        const std::string t = text(i, flag);
        char* end = nullptr;
        const double v = std::strtod(t.c_str(), &end);
        if (end == t.c_str() || *end != '\0' || v <= 0)
            usage(argv[0], std::string(flag) + " needs a positive number, got '" + t + "'");
        return v;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--scenario") {
            const std::string list = text(i, arg);
            for (std::size_t pos = 0; pos <= list.size();) {
                const auto comma = std::min(list.find(',', pos), list.size());
                if (comma > pos)
                    o.scenarios.push_back(list.substr(pos, comma - pos));
                pos = comma + 1;
            }
        } else if (arg == "--side") {
            o.side = text(i, arg);
            if (o.side != "raw" && o.side != "kflow")
                usage(argv[0], "--side needs 'raw' or 'kflow'");
        } else if (arg == "--messages") {
            o.messages = static_cast<std::size_t>(number(i, arg));
            messages_set = true;
        } else if (arg == "--value-size") {
            o.value_size = static_cast<std::size_t>(number(i, arg));
        } else if (arg == "--rounds") {
            o.rounds = static_cast<int>(number(i, arg));
            rounds_set = true;
        } else if (arg == "--rate") {
            o.rate = static_cast<int>(number(i, arg));
        } else if (arg == "--seconds") {
            o.seconds = number(i, arg);
            seconds_set = true;
        } else if (arg == "--quick") {
            o.quick = true;
        } else if (arg == "--preload-only") {
            o.preload_only = true;
        } else if (arg == "--list") {
            o.list = true;
        } else if (arg == "--help" || arg == "-h") {
            usage(argv[0], {});
        } else {
            usage(argv[0], "unknown option '" + std::string(arg) + "'");
        }
    }
    if (o.quick) {  // a check that every scenario runs and loses nothing, not a measurement
        if (!messages_set)
            o.messages = 10'000;
        if (!rounds_set)
            o.rounds = 1;
        if (!seconds_set)
            o.seconds = 0.5;
    }
    if (!o.side.empty() && o.scenarios.size() != 1)
        usage(argv[0], "--side runs one scenario: give exactly one --scenario");
    if (o.value_size < 16)
        usage(argv[0], "--value-size must be at least 16 (latency records carry two numbers)");
    return o;
}

/// Stops an io_context at a deadline, so that a lost message fails the run instead of hanging
/// it. Cancel it when the work is done: io.run() then returns once nothing is left. (A timer
/// rather than io.run_for(), which reads the clock for every handler it runs.)
class watchdog {
  public:
    watchdog(asio::io_context& io, std::chrono::milliseconds limit) : timer_(io, limit) {
        timer_.async_wait([this, &io](boost::system::error_code ec) {
            if (!ec) {
                fired_ = true;
                io.stop();
            }
        });
    }
    void cancel() { timer_.cancel(); }
    [[nodiscard]] bool fired() const { return fired_; }

  private:
    asio::steady_timer timer_;
    bool fired_ = false;
};

// -- What every run shares --------------------------------------------------------------------

struct context {
    context(kflow::testing::mock_cluster& mock, const options& o)
        : cluster(mock), opt(o), value(kflow::bench::make_value(o.value_size)) {}

    kflow::testing::mock_cluster& cluster;
    options opt;
    std::string value;
    // Longer than std::string's 15-character inline buffer, as most real topic names are: where
    // kflow copies a topic name (into a consumer record, into a delivery's metadata), that copy
    // allocates here as it would for such a user.
    std::string produce_topic = "bench-paths-produce";
    std::string consume_topic = "bench-paths-consume";
    std::int32_t consume_partitions = 0;
    kflow::bench::properties producer_props;
    kflow::bench::properties consumer_props;
    std::chrono::milliseconds run_deadline{};
    int latency_topics = 0;  ///< latency_consume: a fresh topic per run

    [[nodiscard]] std::size_t messages() const { return opt.messages; }
};

/// Nanoseconds on the steady clock, carried inside latency records (one process, one clock).
std::int64_t steady_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               clock_type::now().time_since_epoch())
        .count();
}

double micros(clock_type::duration d) {
    return std::chrono::duration<double, std::micro>(d).count();
}

// -- Producers: raw ---------------------------------------------------------------------------

struct raw_reports {
    std::size_t delivered = 0;
    std::size_t failed = 0;

    void check(std::size_t expected, const char* who) const {
        expect(delivered == expected && failed == 0, [&] {
            return std::string(who) + ": " + std::to_string(delivered) + " of " +
                   std::to_string(expected) + " reported, " + std::to_string(failed) + " failed";
        });
    }
};

void on_raw_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    auto& reports = *static_cast<raw_reports*>(opaque);
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR)
        ++reports.failed;
    ++reports.delivered;
}

kflow::detail::kafka_handle make_raw_producer(const kflow::bench::properties& props,
                                              raw_reports& reports) {
    return kflow::bench::make_raw_client(RD_KAFKA_PRODUCER, props, [&](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_dr_msg_cb(conf, &on_raw_delivery);
        rd_kafka_conf_set_opaque(conf, &reports);
    });
}

/// key null: no key.
rd_kafka_resp_err_t raw_produce(rd_kafka_t* rk, const context& c, const std::string* key) {
    auto* value = const_cast<char*>(c.value.data());
    if (key != nullptr) {
        return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(c.produce_topic.c_str()),
                                 RD_KAFKA_V_KEY(key->data(), key->size()),
                                 RD_KAFKA_V_VALUE(value, c.value.size()),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    }
    return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(c.produce_topic.c_str()),
                             RD_KAFKA_V_VALUE(value, c.value.size()),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
}

void expect_produced(rd_kafka_resp_err_t err) {
    expect(err == RD_KAFKA_RESP_ERR_NO_ERROR,
           [&] { return std::string("raw producer: ") + rd_kafka_err2str(err); });
}

/// One message delivered before the clock starts: connection and metadata are ready.
void raw_warm_up(rd_kafka_t* rk, const context& c, const std::string* key, raw_reports& reports) {
    expect_produced(raw_produce(rk, c, key));
    expect(rd_kafka_flush(rk, as_int_ms(scaled(30s))) == RD_KAFKA_RESP_ERR_NO_ERROR,
           "raw producer: warm-up delivery did not arrive in time");
    reports.check(1, "raw producer warm-up");
    reports = {};
}

/// produce_string / produce_null_key: producev + poll(0) per send, poll(100) while the queue is
/// full, then flush.
run_result raw_produce_sync(const context& c, const std::string* key) {
    raw_reports reports;
    auto rk = make_raw_producer(c.producer_props, reports);
    raw_warm_up(rk.get(), c, key, reports);
    const std::size_t n = c.messages();
    timed_region timed;
    const auto deadline = clock_type::now() + c.run_deadline;
    for (std::size_t sent = 0; sent < n;) {
        const auto err = raw_produce(rk.get(), c, key);
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            expect(clock_type::now() < deadline, "raw producer: the queue stayed full");
            rd_kafka_poll(rk.get(), 100);
            continue;
        }
        expect_produced(err);
        ++sent;
        rd_kafka_poll(rk.get(), 0);
    }
    const auto flushed = rd_kafka_flush(rk.get(), as_int_ms(c.run_deadline));
    const auto result = timed.stop(n);
    expect(flushed == RD_KAFKA_RESP_ERR_NO_ERROR, "raw producer: flush timed out");
    reports.check(n, "raw producer");
    return result;
}

run_result raw_produce_string(const context& c) {
    return raw_produce_sync(c, &record_key);
}
run_result raw_produce_null_key(const context& c) {
    return raw_produce_sync(c, nullptr);
}

/// async_send's counterpart: producev while fewer than the window are in flight, else
/// poll(100), which returns as soon as a report was served.
run_result raw_window(const context& c) {
    raw_reports reports;
    auto rk = make_raw_producer(c.producer_props, reports);
    raw_warm_up(rk.get(), c, nullptr, reports);
    const std::size_t n = c.messages();
    timed_region timed;
    const auto deadline = clock_type::now() + c.run_deadline;
    std::size_t sent = 0;
    while (reports.delivered < n) {
        while (sent < n && sent - reports.delivered < async_window) {
            const auto err = raw_produce(rk.get(), c, nullptr);
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                break;
            expect_produced(err);
            ++sent;
        }
        expect(clock_type::now() < deadline, "raw producer: deliveries did not arrive in time");
        rd_kafka_poll(rk.get(), 100);
    }
    const auto result = timed.stop(n);
    reports.check(n, "raw producer");
    return result;
}

// -- Producers: kflow -------------------------------------------------------------------------

// KFLOW_BENCH_EXPORTER=1 observes the kflow side's clients with a Prometheus exporter and
// statistics every second: what metrics cost (docs/observability.md). Off by default.
template <class Config>
void observe_if_asked(Config& cfg) {
    static const bool asked = [] {
        const char* env = std::getenv("KFLOW_BENCH_EXPORTER");
        return env != nullptr && std::string_view(env) == "1";
    }();
    if (!asked)
        return;
    static kflow::metrics::registry registry;
    static const auto exporter = std::make_shared<kflow::metrics::prometheus_exporter>(registry);
    cfg.statistics_interval(1s).observe(exporter);
}

kflow::producer_config kflow_producer_config(const kflow::bench::properties& props) {
    kflow::producer_config cfg;
    kflow::bench::apply(cfg, props);
    observe_if_asked(cfg);
    // kflow's own bounds (not librdkafka properties), widened with every other deadline.
    cfg.on_queue_full(kflow::queue_full_policy::wait, scaled(30s));
    cfg.close_timeout(scaled(10s));
    return cfg;
}

/// produce_string / produce_null_key: send(record, callback) + poll(0) per send, then flush.
template <class Producer>
run_result kflow_produce_sync(const context& c, const typename Producer::record_type& record) {
    Producer producer(kflow_producer_config(c.producer_props));
    raw_reports reports;  // the same counting as the raw side's DR callback
    const auto on_delivery = [&](std::error_code ec, const kflow::record_metadata&) {
        if (ec)
            ++reports.failed;
        ++reports.delivered;
    };
    producer.send(record, on_delivery);  // warm-up
    kflow::error_info unflushed;
    producer.flush(scaled(30s), unflushed);
    expect(!unflushed, "kflow producer: warm-up delivery did not arrive in time");
    reports.check(1, "kflow producer warm-up");
    reports = {};
    const std::size_t n = c.messages();
    timed_region timed;
    for (std::size_t i = 0; i < n; ++i) {
        producer.send(record, on_delivery);  // waits for room when the queue is full
        producer.poll(0ms);
    }
    producer.flush(c.run_deadline, unflushed);
    const auto result = timed.stop(n);
    expect(!unflushed, "kflow producer: flush timed out");
    reports.check(n, "kflow producer");
    return result;
}

run_result kflow_produce_string(const context& c) {
    using producer_type = kflow::producer<std::string, std::string>;
    const producer_type::record_type record(c.produce_topic, record_key, c.value);
    return kflow_produce_sync<producer_type>(c, record);
}

run_result kflow_produce_null_key(const context& c) {
    using producer_type = kflow::producer<kflow::none, std::string_view>;
    const producer_type::record_type record(c.produce_topic, {}, c.value);
    return kflow_produce_sync<producer_type>(c, record);
}

using async_producer_type = kflow::async_producer<kflow::none, std::string_view>;

/// async_send: a window of coroutines on one io_context thread, each awaiting one send at a
/// time until the count is reached.
run_result kflow_async_send(const context& c) {
    asio::io_context io(1);
    async_producer_type producer(io.get_executor(), kflow_producer_config(c.producer_props));
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        const auto md = co_await producer.async_send({c.produce_topic, {}, c.value});
        expect(md.persisted, "kflow async producer: warm-up delivery not persisted");
    });
    const std::size_t n = c.messages();
    const std::size_t window = std::min(n, async_window);
    std::size_t started = 0;
    std::size_t delivered = 0;
    std::size_t finished = 0;
    std::exception_ptr failure;
    watchdog dog(io, c.run_deadline);
    // Spawning allocates each coroutine's frame and posts its start, which io.run() makes: set-up
    // of the window, outside the timed region (10,000 of them would add ~5 % to 100,000 sends).
    for (std::size_t w = 0; w < window; ++w) {
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                while (started < n) {
                    ++started;
                    async_producer_type::record_type record(c.produce_topic, {}, c.value);
                    const auto md = co_await producer.async_send(std::move(record));
                    expect(md.persisted, "kflow async producer: delivery not persisted");
                    ++delivered;
                }
            },
            [&](std::exception_ptr e) {
                if (e && !failure)
                    failure = e;
                if (++finished == window)
                    dog.cancel();
            });
    }
    timed_region timed;
    io.run();
    const auto result = timed.stop(n);
    if (failure)
        std::rethrow_exception(failure);
    expect(!dog.fired() && delivered == n, [&] {
        return "kflow async producer: " + std::to_string(delivered) + " of " + std::to_string(n) +
               " delivered before the deadline";
    });
    return result;
}

// -- Consumers: the preload -------------------------------------------------------------------

void on_preload_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR)
        ++*static_cast<std::size_t*>(opaque);
}

/// Writes the consumer scenarios' messages round-robin over the topic's partitions with a raw
/// producer, and checks that the mock kept every one of them (it keeps ~5 MiB per partition and
/// silently drops older messages).
void preload(const context& c) {
    std::size_t failed = 0;
    auto rk = kflow::bench::make_raw_client(
        RD_KAFKA_PRODUCER,
        {{"bootstrap.servers", c.cluster.bootstrap_servers()}, {"linger.ms", "5"}},
        [&](rd_kafka_conf_t* conf) {
            rd_kafka_conf_set_dr_msg_cb(conf, &on_preload_delivery);
            rd_kafka_conf_set_opaque(conf, &failed);
        });
    for (std::size_t i = 0; i < c.messages();) {
        const auto err = rd_kafka_producev(
            rk.get(), RD_KAFKA_V_TOPIC(c.consume_topic.c_str()),
            RD_KAFKA_V_PARTITION(static_cast<std::int32_t>(i % c.consume_partitions)),
            RD_KAFKA_V_VALUE(const_cast<char*>(c.value.data()), c.value.size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(rk.get(), 100);
            continue;
        }
        expect(err == RD_KAFKA_RESP_ERR_NO_ERROR,
               [&] { return std::string("preload: ") + rd_kafka_err2str(err); });
        ++i;
        rd_kafka_poll(rk.get(), 0);
    }
    expect(rd_kafka_flush(rk.get(), as_int_ms(scaled(120s))) == RD_KAFKA_RESP_ERR_NO_ERROR &&
               failed == 0,
           "preload: not every message was delivered");
    std::size_t stored = 0;
    for (std::int32_t p = 0; p < c.consume_partitions; ++p) {
        std::int64_t low = -1;
        std::int64_t high = -1;
        expect(
            rd_kafka_query_watermark_offsets(rk.get(), c.consume_topic.c_str(), p, &low, &high,
                                             as_int_ms(scaled(10s))) == RD_KAFKA_RESP_ERR_NO_ERROR,
            "preload: cannot read watermarks");
        expect(low == 0, [&] {
            return "preload: partition " + std::to_string(p) + " lost its oldest messages";
        });
        stored += static_cast<std::size_t>(high);
    }
    expect(stored == c.messages(), [&] {
        return "preload: the partitions hold " + std::to_string(stored) + " messages, not " +
               std::to_string(c.messages());
    });
}

/// Asks for the topic's metadata so that assignment does not wait for it.
void fetch_metadata(rd_kafka_t* rk, const std::string& topic) {
    kflow::detail::topic_handle t(rd_kafka_topic_new(rk, topic.c_str(), nullptr));
    const rd_kafka_metadata_t* md = nullptr;
    expect(rd_kafka_metadata(rk, 0, t.get(), &md, as_int_ms(scaled(10s))) ==
               RD_KAFKA_RESP_ERR_NO_ERROR,
           "cannot fetch the topic's metadata");
    kflow::detail::metadata_handle owned(md);
}

/// What one consumer run read; checked against what was preloaded.
struct tally {
    std::size_t messages = 0;
    std::size_t wrong_size = 0;

    void add(std::size_t size, const context& c) {
        ++messages;
        if (size != c.opt.value_size)
            ++wrong_size;
    }
    void check(const context& c, const char* who) const {
        expect(messages == c.messages() && wrong_size == 0, [&] {
            return std::string(who) + ": read " + std::to_string(messages) + " records (" +
                   std::to_string(wrong_size) + " of the wrong size); expected " +
                   std::to_string(c.messages()) + " of " + std::to_string(c.opt.value_size) +
                   " bytes";
        });
    }
};

// -- Consumers: raw ---------------------------------------------------------------------------

/// batched: rd_kafka_consume_batch_queue(queue, 100, buf, 1000); else rd_kafka_consumer_poll(100).
run_result raw_consume(const context& c, bool batched) {
    auto rk = kflow::bench::make_raw_client(RD_KAFKA_CONSUMER, c.consumer_props);
    rd_kafka_poll_set_consumer(rk.get());
    kflow::detail::queue_handle queue(rd_kafka_queue_get_consumer(rk.get()));
    fetch_metadata(rk.get(), c.consume_topic);
    kflow::detail::partition_list_handle parts(
        rd_kafka_topic_partition_list_new(c.consume_partitions));
    for (std::int32_t p = 0; p < c.consume_partitions; ++p) {
        rd_kafka_topic_partition_list_add(parts.get(), c.consume_topic.c_str(), p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    }
    std::vector<rd_kafka_message_t*> buffer(batch_size);
    tally read;
    const auto take = [&](rd_kafka_message_t* m) {
        const kflow::detail::message_handle msg(m);
        expect(msg->err == RD_KAFKA_RESP_ERR_NO_ERROR,
               [&] { return std::string("raw consumer: ") + rd_kafka_message_errstr(msg.get()); });
        read.add(msg->len, c);
    };
    const std::size_t n = c.messages();
    timed_region timed;
    const auto deadline = clock_type::now() + c.run_deadline;
    expect(rd_kafka_assign(rk.get(), parts.get()) == RD_KAFKA_RESP_ERR_NO_ERROR, "raw: assign");
    while (read.messages < n) {
        if (batched) {
            const ssize_t got =
                rd_kafka_consume_batch_queue(queue.get(), 100, buffer.data(), buffer.size());
            expect(got >= 0, "raw consumer: consume failed");
            for (ssize_t i = 0; i < got; ++i)
                take(buffer[static_cast<std::size_t>(i)]);
            if (got > 0)
                continue;
        } else if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 100)) {
            take(m);
            continue;
        }
        expect(clock_type::now() < deadline, "raw consumer: messages missing");
    }
    const auto result = timed.stop(n);
    read.check(c, "raw consumer");
    queue.reset();
    rd_kafka_consumer_close(rk.get());
    return result;
}

run_result raw_consume_batch(const context& c) {
    return raw_consume(c, true);
}
run_result raw_consumer_poll(const context& c) {
    return raw_consume(c, false);
}

// -- Consumers: kflow -------------------------------------------------------------------------

// The *_view scenarios read the value as a view of librdkafka's message (a borrowing record),
// as the raw loops do; the others copy it into a std::string.
using sync_consumer_type = kflow::consumer<kflow::none, std::string>;
using async_consumer_type = kflow::async_consumer<kflow::none, std::string>;
using sync_view_consumer_type = kflow::consumer<kflow::none, std::string_view>;
using async_view_consumer_type = kflow::async_consumer<kflow::none, std::string_view>;

kflow::consumer_config kflow_consumer_config(const kflow::bench::properties& props) {
    kflow::consumer_config cfg;
    kflow::bench::apply(cfg, props);
    observe_if_asked(cfg);
    cfg.close_timeout(scaled(10s));
    cfg.commit_timeout(scaled(10s));
    return cfg;
}

std::vector<kflow::topic_partition_offset> every_partition(const context& c) {
    std::vector<kflow::topic_partition_offset> out;
    for (std::int32_t p = 0; p < c.consume_partitions; ++p)
        out.emplace_back(c.consume_topic, p, kflow::offsets::beginning);
    return out;
}

/// batched: poll_batch(1000, 100ms); else poll(100ms).
template <class Consumer>
run_result kflow_sync_consume(const context& c, bool batched) {
    Consumer consumer(kflow_consumer_config(c.consumer_props));
    fetch_metadata(consumer.native_handle(), c.consume_topic);
    const auto partitions = every_partition(c);
    tally read;
    const std::size_t n = c.messages();
    timed_region timed;
    const auto deadline = clock_type::now() + c.run_deadline;
    consumer.assign(partitions);
    while (read.messages < n) {
        if (batched) {
            const auto records = consumer.poll_batch(batch_size, 100ms);
            for (const auto& record : records)
                read.add(record.value.size(), c);
            if (!records.empty())
                continue;
        } else if (const auto record = consumer.poll(100ms)) {
            read.add(record->value.size(), c);
            continue;
        }
        expect(clock_type::now() < deadline, "kflow consumer: messages missing");
    }
    const auto result = timed.stop(n);
    read.check(c, "kflow consumer");
    return result;
}

run_result kflow_poll_batch(const context& c) {
    return kflow_sync_consume<sync_consumer_type>(c, true);
}
run_result kflow_poll(const context& c) {
    return kflow_sync_consume<sync_consumer_type>(c, false);
}
run_result kflow_poll_batch_view(const context& c) {
    return kflow_sync_consume<sync_view_consumer_type>(c, true);
}
run_result kflow_poll_view(const context& c) {
    return kflow_sync_consume<sync_view_consumer_type>(c, false);
}

/// batched: co_await async_receive_batch(1000); else co_await async_receive().
template <class Consumer>
run_result kflow_async_consume(const context& c, bool batched) {
    asio::io_context io(1);
    Consumer consumer(io.get_executor(), kflow_consumer_config(c.consumer_props));
    fetch_metadata(consumer.native_handle(), c.consume_topic);
    const auto partitions = every_partition(c);
    tally read;
    std::exception_ptr failure;
    watchdog dog(io, c.run_deadline);
    const std::size_t n = c.messages();
    timed_region timed;
    consumer.assign(partitions);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            while (read.messages < n) {
                if (batched) {
                    const auto records = co_await consumer.async_receive_batch(batch_size);
                    for (const auto& record : records)
                        read.add(record.value.size(), c);
                } else {
                    const auto record = co_await consumer.async_receive();
                    read.add(record.value.size(), c);
                }
            }
        },
        [&](std::exception_ptr e) {
            failure = e;
            dog.cancel();
        });
    io.run();
    const auto result = timed.stop(n);
    if (failure)
        std::rethrow_exception(failure);
    expect(!dog.fired(), "kflow async consumer: messages missing");
    read.check(c, "kflow async consumer");
    return result;
}

run_result kflow_async_receive_batch(const context& c) {
    return kflow_async_consume<async_consumer_type>(c, true);
}
run_result kflow_async_receive(const context& c) {
    return kflow_async_consume<async_consumer_type>(c, false);
}
run_result kflow_async_receive_batch_view(const context& c) {
    return kflow_async_consume<async_view_consumer_type>(c, true);
}
run_result kflow_async_receive_view(const context& c) {
    return kflow_async_consume<async_view_consumer_type>(c, false);
}

// -- Latency ----------------------------------------------------------------------------------

/// Latencies in microseconds, one per message; negative until measured.
using samples = std::vector<double>;

struct schedule {
    std::size_t count;
    clock_type::duration period;
};

/// Sends on a fixed steady-clock schedule (message i at start + i x period, or at once if
/// late): a slow send delays the next ones but does not shift the schedule.
schedule latency_schedule(const context& c) {
    const auto count = static_cast<std::size_t>(c.opt.rate * c.opt.seconds);
    expect(count > 0, "--rate x --seconds gives no message to send");
    return {count, std::chrono::duration_cast<clock_type::duration>(
                       std::chrono::duration<double>(1.0 / c.opt.rate))};
}

kflow::bench::properties with(kflow::bench::properties props, const std::string& key,
                              const std::string& value) {
    for (auto& [k, v] : props) {
        if (k == key) {
            v = value;
            return props;
        }
    }
    props.emplace_back(key, value);
    return props;
}

/// A message goes out at once: the numbers are then the clients' own latency.
kflow::bench::properties latency_producer_props(const context& c) {
    return with(c.producer_props, "linger.ms", "0");
}

void check_samples(const samples& s, const char* who) {
    const auto missing =
        static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](double v) { return v < 0; }));
    expect(missing == 0, [&] {
        return std::string(who) + ": " + std::to_string(missing) + " of " +
               std::to_string(s.size()) + " messages not measured";
    });
}

struct raw_latency_reports {
    std::vector<clock_type::time_point> sent_at;  ///< written before the send, read by the DR
    samples latencies;
    std::atomic<std::size_t> reported{0};
    std::atomic<std::size_t> failed{0};
};

void on_latency_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    const auto now = clock_type::now();
    auto& r = *static_cast<raw_latency_reports*>(opaque);
    const auto i = reinterpret_cast<std::uintptr_t>(msg->_private);
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        r.failed.fetch_add(1);
    } else if (i < r.latencies.size()) {  // the warm-up message has no slot
        r.latencies[i] = micros(now - r.sent_at[i]);
    }
    r.reported.fetch_add(1, std::memory_order_release);
}

/// latency_delivery, raw: producev on the schedule; a thread blocks in rd_kafka_poll(rk, 100),
/// which returns as soon as a report is queued; the clock is read in the DR callback.
samples raw_latency_delivery(const context& c) {
    const auto plan = latency_schedule(c);
    raw_latency_reports reports;
    reports.sent_at.resize(plan.count);
    reports.latencies.assign(plan.count, -1.0);
    auto rk = kflow::bench::make_raw_client(
        RD_KAFKA_PRODUCER, latency_producer_props(c), [&](rd_kafka_conf_t* conf) {
            rd_kafka_conf_set_dr_msg_cb(conf, &on_latency_delivery);
            rd_kafka_conf_set_opaque(conf, &reports);
        });
    std::atomic<bool> stop{false};
    std::thread poller([&] {
        while (!stop.load(std::memory_order_acquire))
            rd_kafka_poll(rk.get(), 100);
    });
    const auto send = [&](std::size_t slot) {
        const auto err = rd_kafka_producev(
            rk.get(), RD_KAFKA_V_TOPIC(c.produce_topic.c_str()),
            RD_KAFKA_V_VALUE(const_cast<char*>(c.value.data()), c.value.size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::uintptr_t>(slot))),
            RD_KAFKA_V_END);
        expect_produced(err);
    };
    const auto wait_for = [&](std::size_t count, std::chrono::milliseconds limit) {
        const auto deadline = clock_type::now() + limit;
        while (reports.reported.load(std::memory_order_acquire) < count) {
            if (clock_type::now() >= deadline)
                return false;
            std::this_thread::sleep_for(1ms);
        }
        return true;
    };
    bool complete = false;
    try {
        send(plan.count);  // warm-up: connection and metadata ready before the schedule starts
        expect(wait_for(1, scaled(30s)), "raw producer: warm-up delivery did not arrive");
        timed_region timed;  // for callgrind: every thread's work for the scheduled messages
        const auto start = clock_type::now();
        for (std::size_t i = 0; i < plan.count; ++i) {
            std::this_thread::sleep_until(start + i * plan.period);
            reports.sent_at[i] = clock_type::now();
            send(i);
        }
        complete = wait_for(plan.count + 1, c.run_deadline);
        (void)timed.stop(plan.count);
    } catch (...) {
        stop = true;
        poller.join();
        throw;
    }
    stop = true;
    poller.join();
    expect(complete && reports.failed == 0, "raw producer: deliveries missing or failed");
    check_samples(reports.latencies, "raw latency_delivery");
    return reports.latencies;
}

/// latency_delivery, kflow: a coroutine paced by a steady_timer starts one coroutine per
/// message, which reads the clock, co_awaits async_send and reads the clock again when it
/// resumes; all on one io_context thread.
samples kflow_latency_delivery(const context& c) {
    const auto plan = latency_schedule(c);
    asio::io_context io(1);
    async_producer_type producer(io.get_executor(),
                                 kflow_producer_config(latency_producer_props(c)));
    samples out(plan.count, -1.0);
    std::exception_ptr failure;
    const auto on_end = [&](std::exception_ptr e) {
        if (e && !failure) {
            failure = e;
            io.stop();  // the first failure ends the run
        }
    };
    watchdog dog(io, c.run_deadline + scaled(30s));
    std::size_t done = 0;
    std::optional<timed_region> timed;  // as the raw side's: from after the warm-up to the end
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            (void)co_await producer.async_send({c.produce_topic, {}, c.value});  // warm-up
            timed.emplace();
            asio::steady_timer pace(io);
            const auto start = clock_type::now();
            for (std::size_t i = 0; i < plan.count; ++i) {
                pace.expires_at(start + i * plan.period);
                co_await pace.async_wait(asio::use_awaitable);
                asio::co_spawn(
                    io,
                    [&, i]() -> asio::awaitable<void> {
                        async_producer_type::record_type record(c.produce_topic, {}, c.value);
                        const auto sent_at = clock_type::now();
                        const auto md = co_await producer.async_send(std::move(record));
                        out[i] = micros(clock_type::now() - sent_at);
                        expect(md.persisted, "kflow producer: delivery not persisted");
                    },
                    [&](std::exception_ptr e) {
                        on_end(e);
                        if (++done == plan.count) {
                            (void)timed->stop(plan.count);
                            dog.cancel();
                        }
                    });
            }
        },
        on_end);
    io.run();
    if (failure)
        std::rethrow_exception(failure);
    expect(!dog.fired(), "kflow producer: deliveries missing");
    check_samples(out, "kflow latency_delivery");
    return out;
}

// latency_consume: the same raw producer sends for both sides (linger.ms=0, on the schedule);
// each record carries its sequence number and send time, and the consumer reads the clock as
// soon as the record is in the application's hands.

constexpr std::uint64_t warm_up_sequence = ~std::uint64_t{0};

struct stamped {
    std::uint64_t sequence;
    std::int64_t sent_ns;
};

stamped read_stamp(const void* data, std::size_t size) {
    stamped s{};
    expect(size >= sizeof s.sequence + sizeof s.sent_ns, "latency record too short");
    std::memcpy(&s.sequence, data, sizeof s.sequence);
    std::memcpy(&s.sent_ns, static_cast<const char*>(data) + sizeof s.sequence, sizeof s.sent_ns);
    return s;
}

/// The consumer's side of latency_consume: records what each record says and when it came.
struct receipts {
    samples latencies;
    std::size_t received = 0;
    std::atomic<bool> warmed_up{false};  ///< read by the sending thread
    /// For callgrind: from the first warm-up record read to the last scheduled one, on both
    /// sides alike.
    std::optional<timed_region> timed;

    /// Returns true once every scheduled record came.
    bool take(const void* data, std::size_t size, std::size_t expected_size) {
        const auto now_ns = steady_ns();
        expect(size == expected_size, "latency_consume: a record of the wrong size");
        const auto s = read_stamp(data, size);
        if (s.sequence == warm_up_sequence) {
            if (!timed)
                timed.emplace();
            warmed_up = true;
            return false;
        }
        expect(s.sequence < latencies.size() && latencies[s.sequence] < 0,
               "latency_consume: an unexpected or duplicated record");
        latencies[s.sequence] = static_cast<double>(now_ns - s.sent_ns) / 1000.0;
        if (++received < latencies.size())
            return false;
        (void)timed->stop(received);
        return true;
    }
};

/// Sends the warm-up record until the consumer saw one, then the scheduled records.
void send_stamped(const context& c, const std::string& topic, const schedule& plan,
                  const receipts& r, std::atomic<bool>& abandon) {
    raw_reports reports;
    auto rk = make_raw_producer(latency_producer_props(c), reports);
    std::string value = c.value;
    const auto send = [&](std::uint64_t sequence) {
        const std::int64_t now_ns = steady_ns();
        std::memcpy(value.data(), &sequence, sizeof sequence);
        std::memcpy(value.data() + sizeof sequence, &now_ns, sizeof now_ns);
        expect_produced(
            rd_kafka_producev(rk.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(0),
                              RD_KAFKA_V_VALUE(value.data(), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END));
        rd_kafka_poll(rk.get(), 0);
    };
    const auto warm_up_deadline = clock_type::now() + scaled(30s);
    while (!r.warmed_up) {
        expect(!abandon && clock_type::now() < warm_up_deadline,
               "latency_consume: the consumer did not start reading");
        send(warm_up_sequence);
        for (int i = 0; i < 100 && !r.warmed_up; ++i)
            std::this_thread::sleep_for(1ms);
    }
    const auto start = clock_type::now();
    for (std::size_t i = 0; i < plan.count && !abandon; ++i) {
        std::this_thread::sleep_until(start + i * plan.period);
        send(i);
    }
    expect(rd_kafka_flush(rk.get(), as_int_ms(c.run_deadline)) == RD_KAFKA_RESP_ERR_NO_ERROR &&
               reports.failed == 0,
           "latency_consume: the producer lost records");
}

/// Runs `consume` (which returns once every record came or throws) against a sender thread.
template <class Consume>
samples with_sender(const context& c, const std::string& topic, receipts& r, Consume consume) {
    const auto plan = latency_schedule(c);
    r.latencies.assign(plan.count, -1.0);
    std::atomic<bool> abandon{false};
    std::exception_ptr sender_failure;
    std::thread sender([&] {
        try {
            send_stamped(c, topic, plan, r, abandon);
        } catch (...) {
            sender_failure = std::current_exception();
        }
    });
    try {
        consume();
    } catch (...) {
        abandon = true;
        sender.join();
        throw;
    }
    sender.join();
    if (sender_failure)
        std::rethrow_exception(sender_failure);
    check_samples(r.latencies, "latency_consume");
    return r.latencies;
}

/// A fresh single-partition topic per run, read from its beginning. fetch.wait.max.ms is 1: the
/// mock holds a fetch that finds nothing for the whole wait, whatever arrives meanwhile.
std::string latency_topic(context& c) {
    std::string topic = "bench-paths-latency-" + std::to_string(++c.latency_topics);
    c.cluster.create_topic(topic, 1);
    return topic;
}

kflow::bench::properties latency_consumer_props(const context& c) {
    return with(c.consumer_props, "fetch.wait.max.ms", "1");
}

/// latency_consume, raw: rd_kafka_consumer_poll(rk, 100) in a loop.
samples raw_latency_consume(context& c) {
    const std::string topic = latency_topic(c);
    auto rk = kflow::bench::make_raw_client(RD_KAFKA_CONSUMER, latency_consumer_props(c));
    rd_kafka_poll_set_consumer(rk.get());
    fetch_metadata(rk.get(), topic);
    kflow::detail::partition_list_handle parts(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), 0)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
    expect(rd_kafka_assign(rk.get(), parts.get()) == RD_KAFKA_RESP_ERR_NO_ERROR, "raw: assign");
    receipts r;
    auto out = with_sender(c, topic, r, [&] {
        const auto deadline = clock_type::now() + c.run_deadline + scaled(30s);
        for (bool all = false; !all;) {
            const kflow::detail::message_handle msg(rd_kafka_consumer_poll(rk.get(), 100));
            if (!msg) {
                expect(clock_type::now() < deadline, "raw consumer: records missing");
                continue;
            }
            expect(msg->err == RD_KAFKA_RESP_ERR_NO_ERROR, [&] {
                return std::string("raw consumer: ") + rd_kafka_message_errstr(msg.get());
            });
            all = r.take(msg->payload, msg->len, c.opt.value_size);
        }
    });
    rd_kafka_consumer_close(rk.get());
    return out;
}

/// latency_consume, kflow: co_await async_receive() in a loop on one io_context thread.
samples kflow_latency_consume(context& c) {
    const std::string topic = latency_topic(c);
    asio::io_context io(1);
    async_consumer_type consumer(io.get_executor(),
                                 kflow_consumer_config(latency_consumer_props(c)));
    fetch_metadata(consumer.native_handle(), topic);
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    receipts r;
    return with_sender(c, topic, r, [&] {
        std::exception_ptr failure;
        watchdog dog(io, c.run_deadline + scaled(30s));
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                for (bool all = false; !all;) {
                    const auto record = co_await consumer.async_receive();
                    all = r.take(record.value.data(), record.value.size(), c.opt.value_size);
                }
            },
            [&](std::exception_ptr e) {
                failure = e;
                dog.cancel();
            });
        io.run();
        if (failure)
            std::rethrow_exception(failure);
        expect(!dog.fired(), "kflow async consumer: records missing");
    });
}

// -- Scenarios --------------------------------------------------------------------------------

enum class role { producer, consumer };

struct throughput_scenario {
    std::string_view name;
    role what;
    std::string_view raw_calls;  ///< the table's "raw baseline" column
    run_result (*raw)(const context&);
    run_result (*kflow)(const context&);
};

const throughput_scenario throughput_scenarios[] = {
    {"produce_string", role::producer, "producev(key, value) + poll(0)", raw_produce_string,
     kflow_produce_string},
    {"produce_null_key", role::producer, "producev(value) + poll(0)", raw_produce_null_key,
     kflow_produce_null_key},
    {"async_send", role::producer, "producev + poll(100), 10000 in flight", raw_window,
     kflow_async_send},
    {"poll_batch", role::consumer, "consume_batch_queue(1000)", raw_consume_batch,
     kflow_poll_batch},
    {"poll", role::consumer, "consumer_poll", raw_consumer_poll, kflow_poll},
    {"async_receive_batch", role::consumer, "consume_batch_queue(1000)", raw_consume_batch,
     kflow_async_receive_batch},
    {"async_receive", role::consumer, "consumer_poll", raw_consumer_poll, kflow_async_receive},
    {"poll_batch_view", role::consumer, "consume_batch_queue(1000)", raw_consume_batch,
     kflow_poll_batch_view},
    {"poll_view", role::consumer, "consumer_poll", raw_consumer_poll, kflow_poll_view},
    {"async_receive_batch_view", role::consumer, "consume_batch_queue(1000)", raw_consume_batch,
     kflow_async_receive_batch_view},
    {"async_receive_view", role::consumer, "consumer_poll", raw_consumer_poll,
     kflow_async_receive_view},
};

struct latency_scenario {
    std::string_view name;
    std::string_view raw_calls;
    std::string_view kflow_calls;
    samples (*raw)(context&);
    samples (*kflow)(context&);
};

samples raw_latency_delivery_run(context& c) {
    return raw_latency_delivery(c);
}
samples kflow_latency_delivery_run(context& c) {
    return kflow_latency_delivery(c);
}

const latency_scenario latency_scenarios[] = {
    {"latency_delivery", "DR callback", "co_await async_send", raw_latency_delivery_run,
     kflow_latency_delivery_run},
    {"latency_consume", "consumer_poll thread", "co_await async_receive", raw_latency_consume,
     kflow_latency_consume},
};

const throughput_scenario* find_throughput(std::string_view name) {
    for (const auto& s : throughput_scenarios) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

const latency_scenario* find_latency(std::string_view name) {
    for (const auto& s : latency_scenarios) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

void print_run(std::string_view scenario, std::string_view side, const run_result& r,
               std::size_t messages) {
    std::printf("%.*s %.*s: %zu messages, %.0f msg/s, %.0f CPU ns/msg (application thread)\n",
                static_cast<int>(scenario.size()), scenario.data(), static_cast<int>(side.size()),
                side.data(), messages, r.messages_per_second, r.cpu_ns_per_message);
}

void print_percentiles(std::string_view scenario, std::string_view raw_calls,
                       std::string_view kflow_calls, samples raw, samples kf) {
    std::sort(raw.begin(), raw.end());
    std::sort(kf.begin(), kf.end());
    std::printf("\n| %.*s (us) | raw: %.*s | kflow: %.*s | kflow - raw |\n|---|---:|---:|---:|\n",
                static_cast<int>(scenario.size()), scenario.data(),
                static_cast<int>(raw_calls.size()), raw_calls.data(),
                static_cast<int>(kflow_calls.size()), kflow_calls.data());
    for (const auto& [label, q] : {std::pair{"p50", 0.50}, {"p99", 0.99}, {"p99.9", 0.999}}) {
        const double r = kflow::bench::quantile(raw, q);
        const double k = kflow::bench::quantile(kf, q);
        std::printf("| %s | %.1f | %.1f | %+.1f |\n", label, r, k, k - r);
    }
    std::printf("(%zu samples per side)\n", raw.size());
    std::fflush(stdout);
}

void print_one_side(std::string_view scenario, std::string_view side, samples s) {
    std::sort(s.begin(), s.end());
    std::printf("%.*s %.*s: p50 %.1f us, p99 %.1f us, p99.9 %.1f us (%zu samples)\n",
                static_cast<int>(scenario.size()), scenario.data(), static_cast<int>(side.size()),
                side.data(), kflow::bench::quantile(s, 0.50), kflow::bench::quantile(s, 0.99),
                kflow::bench::quantile(s, 0.999), s.size());
}

}  // namespace

int main(int argc, char** argv) {
    return kflow::bench::run_main([&] {
        const auto opt = parse_options(argc, argv);
        if (opt.list) {
            for (const auto& s : throughput_scenarios)
                std::printf("%.*s\n", static_cast<int>(s.name.size()), s.name.data());
            return;
        }
        std::vector<const throughput_scenario*> throughput;
        std::vector<const latency_scenario*> latency;
        if (opt.scenarios.empty()) {
            for (const auto& s : throughput_scenarios)
                throughput.push_back(&s);
            if (opt.quick) {
                for (const auto& s : latency_scenarios)
                    latency.push_back(&s);
            }
        }
        for (const auto& name : opt.scenarios) {
            if (const auto* t = find_throughput(name)) {
                throughput.push_back(t);
            } else if (const auto* l = find_latency(name)) {
                latency.push_back(l);
            } else {
                usage(argv[0], "unknown scenario '" + name + "' (see --list; latency scenarios: " +
                                   "latency_delivery, latency_consume)");
            }
        }
        const bool consumers = std::any_of(throughput.begin(), throughput.end(),
                                           [](const auto* s) { return s->what == role::consumer; });
        if (opt.preload_only && (!consumers || !latency.empty() || throughput.size() != 1))
            usage(argv[0], "--preload-only goes with one consumer --scenario");

        kflow::testing::mock_cluster cluster;
        context c(cluster, opt);
        c.run_deadline = scaled(opt.quick ? 30s : 300s);
        c.producer_props = {{"bootstrap.servers", cluster.bootstrap_servers()},
                            {"acks", "all"},
                            {"linger.ms", "5"},
                            {"enable.idempotence", "false"}};
        // fetch.wait.max.ms stays at librdkafka's 500: the data is all there when reading
        // starts, so only the last fetches of a run come back empty, and a shorter wait would
        // add a wake-up of two threads every few milliseconds to the counted instructions.
        c.consumer_props = {{"bootstrap.servers", cluster.bootstrap_servers()},
                            {"group.id", "bench-paths"},
                            {"auto.offset.reset", "earliest"},
                            {"enable.auto.commit", "false"},
                            {"enable.auto.offset.store", "false"},
                            {"fetch.max.bytes", "1048576"},
                            {"queued.min.messages", "1000000"}};
        cluster.create_topic(c.produce_topic, 1);
        if (consumers) {
            // Room for every message: at most ~3 MiB of log per partition, record overhead
            // included (the mock keeps about 5 MiB).
            const std::size_t log_bytes = opt.messages * (opt.value_size + 64);
            c.consume_partitions = static_cast<std::int32_t>(
                std::max<std::size_t>(4, (log_bytes + (3u << 20) - 1) / (3u << 20)));
            cluster.create_topic(c.consume_topic, c.consume_partitions);
            preload(c);
            if (opt.preload_only) {
                std::printf("preloaded %zu messages x %zu B over %d partitions\n", opt.messages,
                            opt.value_size, c.consume_partitions);
                return;
            }
        }

        if (!opt.side.empty()) {  // one run of one side, e.g. under callgrind
            const bool raw = opt.side == "raw";
            if (!throughput.empty()) {
                const auto& s = *throughput.front();
                print_run(s.name, opt.side, raw ? s.raw(c) : s.kflow(c), opt.messages);
            } else {
                const auto& s = *latency.front();
                print_one_side(s.name, opt.side, raw ? s.raw(c) : s.kflow(c));
            }
            return;
        }

        std::printf(
            "kflow per-path benchmark: %zu messages x %zu B, %d round(s), raw and kflow "
            "alternating, median reported; mock cluster, 1 broker%s\n",
            opt.messages, opt.value_size, opt.rounds,
            consumers ? (", consumers over " + std::to_string(c.consume_partitions) + " partitions")
                            .c_str()
                      : "");
        std::fflush(stdout);

        std::vector<kflow::bench::throughput_row> rows;
        for (const auto* s : throughput)
            rows.push_back({std::string(s->name), std::string(s->raw_calls), {}, {}});
        if (!opt.quick) {  // one unmeasured run of each side first: caches, allocator, mock
            for (const auto* s : throughput) {
                (void)s->raw(c);
                (void)s->kflow(c);
            }
        }
        std::vector<samples> raw_latency(latency.size());
        std::vector<samples> kflow_latency(latency.size());
        for (int round = 0; round < opt.rounds; ++round) {
            // Alternate which side goes first, so neither always runs on the warmer machine.
            const bool raw_first = round % 2 == 0;
            for (std::size_t i = 0; i < throughput.size(); ++i) {
                auto& row = rows[i];
                if (raw_first) {
                    row.raw.push_back(throughput[i]->raw(c));
                    row.kflow.push_back(throughput[i]->kflow(c));
                } else {
                    row.kflow.push_back(throughput[i]->kflow(c));
                    row.raw.push_back(throughput[i]->raw(c));
                }
                std::fprintf(stderr, "  round %d, %s: raw %.0f msg/s, kflow %.0f msg/s\n",
                             round + 1, row.scenario.c_str(), row.raw.back().messages_per_second,
                             row.kflow.back().messages_per_second);
            }
            for (std::size_t i = 0; i < latency.size(); ++i) {
                samples a = raw_first ? latency[i]->raw(c) : latency[i]->kflow(c);
                samples b = raw_first ? latency[i]->kflow(c) : latency[i]->raw(c);
                auto& r = raw_first ? a : b;
                auto& k = raw_first ? b : a;
                std::fprintf(stderr, "  round %d, %.*s: p50 raw %.1f us, kflow %.1f us\n",
                             round + 1, static_cast<int>(latency[i]->name.size()),
                             latency[i]->name.data(), kflow::bench::median(r),
                             kflow::bench::median(k));
                raw_latency[i].insert(raw_latency[i].end(), r.begin(), r.end());
                kflow_latency[i].insert(kflow_latency[i].end(), k.begin(), k.end());
            }
        }
        if (!rows.empty())
            kflow::bench::print_throughput_table(rows);
        for (std::size_t i = 0; i < latency.size(); ++i) {
            print_percentiles(latency[i]->name, latency[i]->raw_calls, latency[i]->kflow_calls,
                              raw_latency[i], kflow_latency[i]);
        }
    });
}
