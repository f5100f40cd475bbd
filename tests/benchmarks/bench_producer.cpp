// Producer throughput: kflow against the raw librdkafka C API, same mock cluster, same properties.
//
// Scenarios (each a row, raw and kflow alternating, median of the repetitions):
// - co_await async_send with W sends in flight (W coroutines, W = 1, 64, 1024), against a raw
//   rd_kafka_producev + rd_kafka_poll loop that keeps the same W messages in flight; for W = 1024
//   also with asio::use_awaitable instead of kflow's default token, to show what the default
//   token's detailed exceptions cost;
// - async_send with a plain callback, a counting window of 1024, against the same raw window;
// - the sync producer's callback path (send with a delivery callback + poll(0) per send), against
//   the raw loop of rd_kafka_producev + rd_kafka_poll(0) per message with the DR callback.
//
// Every run creates its clients, waits for one delivery (connection, producer id, metadata) and
// then times from the first send to the last delivery report; it fails unless every message was
// delivered without an error.
#include "bench_common.hpp"

#include <kflow/async_producer.hpp>
#include <kflow/producer.hpp>
#include <kflow/serdes/none.hpp>
#include <kflow/serdes/string.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <cstdio>
#include <exception>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::bench::clock_type;
using kflow::bench::expect;

namespace {

using kflow::bench::run_coroutine;

// Values are borrowed views: librdkafka copies them during the send, exactly as the raw side's
// RD_KAFKA_MSG_F_COPY does.
using async_producer_type = kflow::async_producer<kflow::none, std::string_view>;
using sync_producer_type = kflow::producer<kflow::none, std::string_view>;
using record_type = async_producer_type::record_type;

constexpr auto run_deadline = 300s;  // a run that takes longer has lost messages

/// The environment every run shares.
struct setup {
    kflow::testing::mock_cluster& cluster;
    std::string topic;
    std::string value;
    kflow::bench::properties props;
};

// -- The raw librdkafka side ----------------------------------------------------------------

struct raw_reports {
    std::size_t delivered = 0;
    std::size_t failed = 0;
};

void on_raw_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    auto& reports = *static_cast<raw_reports*>(opaque);
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR)
        ++reports.failed;
    ++reports.delivered;
}

kflow::detail::kafka_handle make_raw_producer(const setup& s, raw_reports& reports) {
    return kflow::bench::make_raw_client(RD_KAFKA_PRODUCER, s.props, [&](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_dr_msg_cb(conf, &on_raw_delivery);
        rd_kafka_conf_set_opaque(conf, &reports);
    });
}

rd_kafka_resp_err_t raw_produce(rd_kafka_t* rk, const setup& s) {
    return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(s.topic.c_str()),
                             RD_KAFKA_V_VALUE(const_cast<char*>(s.value.data()), s.value.size()),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
}

/// Serves reports until `reports.delivered` reaches `count`.
void raw_wait_for(rd_kafka_t* rk, raw_reports& reports, std::size_t count,
                  clock_type::time_point deadline) {
    while (reports.delivered < count) {
        expect(clock_type::now() < deadline, "raw producer: deliveries did not arrive in time");
        rd_kafka_poll(rk, 100);
    }
}

/// One message delivered: the connection, producer id and metadata are ready.
void raw_warm_up(rd_kafka_t* rk, const setup& s, raw_reports& reports) {
    expect(raw_produce(rk, s) == RD_KAFKA_RESP_ERR_NO_ERROR, "raw producer: warm-up send failed");
    raw_wait_for(rk, reports, 1, clock_type::now() + 30s);
    expect(reports.failed == 0, "raw producer: warm-up delivery failed");
    reports = {};
}

/// At most `window` messages in flight; blocks in rd_kafka_poll while the window is full.
kflow::bench::run_result raw_window(const setup& s, std::size_t messages, std::size_t window) {
    raw_reports reports;
    auto rk = make_raw_producer(s, reports);
    raw_warm_up(rk.get(), s, reports);
    const auto start = clock_type::now();
    const double cpu_start = kflow::bench::thread_cpu_seconds();
    const auto deadline = start + run_deadline;
    std::size_t sent = 0;
    while (reports.delivered < messages) {
        while (sent < messages && sent - reports.delivered < window) {
            const auto err = raw_produce(rk.get(), s);
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                break;
            expect(err == RD_KAFKA_RESP_ERR_NO_ERROR,
                   [&] { return std::string("raw producer: ") + rd_kafka_err2str(err); });
            ++sent;
        }
        expect(clock_type::now() < deadline, "raw producer: deliveries did not arrive in time");
        rd_kafka_poll(rk.get(), 100);  // returns as soon as a report was served
    }
    const auto result = kflow::bench::measured(start, cpu_start, messages);
    expect(reports.failed == 0,
           [&] { return "raw producer: " + std::to_string(reports.failed) + " failed"; });
    return result;
}

/// librdkafka's own flow control: send as fast as the queue takes, rd_kafka_poll(0) per send,
/// wait for room when the queue is full.
kflow::bench::run_result raw_unbounded(const setup& s, std::size_t messages) {
    raw_reports reports;
    auto rk = make_raw_producer(s, reports);
    raw_warm_up(rk.get(), s, reports);
    const auto start = clock_type::now();
    const double cpu_start = kflow::bench::thread_cpu_seconds();
    for (std::size_t sent = 0; sent < messages;) {
        const auto err = raw_produce(rk.get(), s);
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(rk.get(), 100);
            continue;
        }
        expect(err == RD_KAFKA_RESP_ERR_NO_ERROR,
               [&] { return std::string("raw producer: ") + rd_kafka_err2str(err); });
        ++sent;
        rd_kafka_poll(rk.get(), 0);
    }
    raw_wait_for(rk.get(), reports, messages, start + run_deadline);
    const auto result = kflow::bench::measured(start, cpu_start, messages);
    expect(reports.failed == 0,
           [&] { return "raw producer: " + std::to_string(reports.failed) + " failed"; });
    return result;
}

// -- The kflow side ---------------------------------------------------------------------------

kflow::producer_config kflow_config(const setup& s) {
    kflow::producer_config cfg;
    return kflow::bench::apply(cfg, s.props);
}

void kflow_async_warm_up(asio::io_context& io, async_producer_type& producer, const setup& s) {
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        record_type record(s.topic, {}, s.value);
        const auto md = co_await producer.async_send(std::move(record));
        expect(md.persisted, "kflow async producer: warm-up delivery not persisted");
    });
}

/// `window` coroutines, each awaiting one async_send at a time. `Token` is kflow's default
/// (kflow exceptions with details) or asio::use_awaitable_t<> (plain system_error), to show what
/// the default token costs.
template <class Token = kflow::use_awaitable_t>
kflow::bench::run_result kflow_coroutines(const setup& s, std::size_t messages,
                                          std::size_t window) {
    asio::io_context io(1);
    async_producer_type producer(io.get_executor(), kflow_config(s));
    kflow_async_warm_up(io, producer, s);
    std::size_t started = 0;
    std::size_t delivered = 0;
    std::exception_ptr failure;
    const auto start = clock_type::now();
    const double cpu_start = kflow::bench::thread_cpu_seconds();
    for (std::size_t w = 0; w < window; ++w) {
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                while (started < messages) {
                    ++started;
                    record_type record(s.topic, {}, s.value);
                    const auto md = co_await producer.async_send(std::move(record), Token{});
                    expect(md.persisted, "kflow async producer: delivery not persisted");
                    ++delivered;
                }
            },
            [&](std::exception_ptr e) {
                if (e && !failure)
                    failure = e;
            });
    }
    io.run();
    const auto result = kflow::bench::measured(start, cpu_start, messages);
    if (failure)
        std::rethrow_exception(failure);
    expect(delivered == messages, [&] {
        return "kflow async producer: " + std::to_string(delivered) + " of " +
               std::to_string(messages) + " delivered";
    });
    return result;
}

/// async_send with a plain callback; each completion starts the next send (a counting window).
kflow::bench::run_result kflow_callbacks(const setup& s, std::size_t messages, std::size_t window) {
    asio::io_context io(1);
    async_producer_type producer(io.get_executor(), kflow_config(s));
    kflow_async_warm_up(io, producer, s);
    std::size_t started = 0;
    std::size_t delivered = 0;
    std::size_t failed = 0;
    std::function<void()> send_next = [&] {
        if (started == messages)
            return;
        ++started;
        producer.async_send(record_type(s.topic, {}, s.value),
                            [&](boost::system::error_code ec, const kflow::record_metadata&) {
                                if (ec)
                                    ++failed;
                                ++delivered;
                                send_next();
                            });
    };
    const auto start = clock_type::now();
    const double cpu_start = kflow::bench::thread_cpu_seconds();
    for (std::size_t w = 0; w < window; ++w)
        send_next();
    io.run();  // returns once every delivery completed
    const auto result = kflow::bench::measured(start, cpu_start, messages);
    expect(delivered == messages && failed == 0, [&] {
        return "kflow callback producer: " + std::to_string(delivered) + " of " +
               std::to_string(messages) + " delivered, " + std::to_string(failed) + " failed";
    });
    return result;
}

/// The sync producer's callback path: send with a delivery callback, poll(0) per send.
kflow::bench::run_result kflow_sync(const setup& s, std::size_t messages) {
    sync_producer_type producer(kflow_config(s));
    std::size_t delivered = 0;
    std::size_t failed = 0;
    const auto on_delivery = [&](std::error_code ec, const kflow::record_metadata&) {
        if (ec)
            ++failed;
        ++delivered;
    };
    const sync_producer_type::record_type record(s.topic, {}, s.value);
    producer.send(record, on_delivery);  // warm-up
    kflow::error_info unflushed;
    producer.flush(30s, unflushed);
    expect(!unflushed && delivered == 1 && failed == 0,
           "kflow sync producer: warm-up delivery failed");
    delivered = 0;
    const auto start = clock_type::now();
    const double cpu_start = kflow::bench::thread_cpu_seconds();
    for (std::size_t i = 0; i < messages; ++i) {
        producer.send(record, on_delivery);  // waits for room when the queue is full
        producer.poll();
    }
    producer.flush(run_deadline, unflushed);
    expect(!unflushed, "kflow sync producer: flush timed out");
    const auto result = kflow::bench::measured(start, cpu_start, messages);
    expect(delivered == messages && failed == 0, [&] {
        return "kflow sync producer: " + std::to_string(delivered) + " of " +
               std::to_string(messages) + " delivered, " + std::to_string(failed) + " failed";
    });
    return result;
}

}  // namespace

int main(int argc, char** argv) {
    return kflow::bench::run_main([&] {
        const auto opt = kflow::bench::parse_options(argc, argv, " [--linger-ms MS]");
        kflow::testing::mock_cluster cluster;
        setup s{cluster, "bench-producer", kflow::bench::make_value(opt.value_size), {}};
        cluster.create_topic(s.topic, 1);
        // Identical for both sides. kflow's producer defaults (idempotence, acks=all) are spelled
        // out so the raw client gets them too. linger.ms is 0 unless --linger-ms says otherwise:
        // batches then form while requests are in flight, where a linger would cap every window
        // scenario at W messages per linger period.
        s.props = {{"bootstrap.servers", cluster.bootstrap_servers()},
                   {"enable.idempotence", "true"},
                   {"acks", "all"},
                   {"linger.ms", std::to_string(opt.linger_ms)},
                   {"batch.num.messages", "10000"},
                   {"queue.buffering.max.messages", "100000"}};
        // One message in flight is a round trip per message: a fiftieth of the count is enough.
        const std::size_t w1_messages =
            std::min(opt.messages, std::max<std::size_t>(opt.messages / 50, 1000));
        std::printf(
            "kflow producer benchmark: %zu messages x %zu B (window 1: %zu), %d "
            "repetition(s), median reported; linger.ms=%d; mock cluster, 1 broker, 1 partition\n",
            opt.messages, opt.value_size, w1_messages, opt.repetitions, opt.linger_ms);
        std::fflush(stdout);

        std::vector<kflow::bench::throughput_row> rows;
        for (const std::size_t window : {std::size_t{1}, std::size_t{64}, std::size_t{1024}}) {
            const std::size_t n = window == 1 ? w1_messages : opt.messages;
            kflow::bench::compare(
                rows, opt, "co_await async_send, W=" + std::to_string(window),
                "producev+poll, W=" + std::to_string(window),
                [&] { return raw_window(s, n, window); },
                [&] { return kflow_coroutines(s, n, window); });
        }
        kflow::bench::compare(
            rows, opt, "co_await async_send(asio::use_awaitable), W=1024", "producev+poll, W=1024",
            [&] { return raw_window(s, opt.messages, 1024); },
            [&] { return kflow_coroutines<asio::use_awaitable_t<>>(s, opt.messages, 1024); });
        kflow::bench::compare(
            rows, opt, "async_send + callback, W=1024", "producev+poll, W=1024",
            [&] { return raw_window(s, opt.messages, 1024); },
            [&] { return kflow_callbacks(s, opt.messages, 1024); });
        kflow::bench::compare(
            rows, opt, "sync send + delivery callback", "producev+poll(0) per send",
            [&] { return raw_unbounded(s, opt.messages); },
            [&] { return kflow_sync(s, opt.messages); });
        kflow::bench::print_throughput_table(rows);
    });
}
