// Produce -> delivery latency at a low rate: kflow's co_await async_send against a raw
// librdkafka loop, same mock cluster, same properties.
//
// One message at a time, paced at --rate messages per second for --seconds per repetition: each
// send starts at its slot (or at once, if the previous delivery ran past it), and its latency is
// the time from the send call to the moment the application learns of the delivery:
// - raw: rd_kafka_producev, then rd_kafka_poll(rk, timeout) until the DR callback has run (a
//   blocking poll wakes as soon as the report is queued: the fastest the C API offers on the
//   polling thread); the time is taken inside the DR callback.
// - kflow: co_await producer.async_send(record) in a coroutine on a one-thread io_context; the
//   time is taken when the coroutine resumes with the record_metadata, so it includes the
//   queue-event bridge (eventfd -> Asio) and the resumption.
// Repetitions alternate raw and kflow; the percentiles pool every repetition's samples.
#include "bench_common.hpp"

#include <kflow/async_producer.hpp>
#include <kflow/serdes/none.hpp>
#include <kflow/serdes/string.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdio>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::bench::clock_type;
using kflow::bench::expect;

namespace {

using producer_type = kflow::async_producer<kflow::none, std::string_view>;
using record_type = producer_type::record_type;

constexpr auto delivery_deadline = 10s;

struct setup {
    std::string topic;
    std::string value;
    kflow::bench::properties props;
    std::size_t samples;
    clock_type::duration period;
};

/// Latencies in microseconds.
using samples = std::vector<double>;

double micros(clock_type::duration d) {
    return std::chrono::duration<double, std::micro>(d).count();
}

// -- raw --------------------------------------------------------------------------------------

struct raw_report {
    bool delivered = false;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    clock_type::time_point at;
};

void on_raw_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    auto& report = *static_cast<raw_report*>(opaque);
    report.at = clock_type::now();
    report.err = msg->err;
    report.delivered = true;
}

/// Sends one message and serves reports until its own arrived; returns send -> report.
clock_type::duration raw_send_one(rd_kafka_t* rk, const setup& s, raw_report& report) {
    report = {};
    const auto sent_at = clock_type::now();
    const auto err =
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(s.topic.c_str()),
                          RD_KAFKA_V_VALUE(const_cast<char*>(s.value.data()), s.value.size()),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    expect(err == RD_KAFKA_RESP_ERR_NO_ERROR,
           [&] { return std::string("raw producer: ") + rd_kafka_err2str(err); });
    const auto deadline = sent_at + delivery_deadline;
    while (!report.delivered) {
        expect(clock_type::now() < deadline, "raw producer: no delivery report in time");
        rd_kafka_poll(rk, 100);
    }
    expect(report.err == RD_KAFKA_RESP_ERR_NO_ERROR, [&] {
        return std::string("raw producer: delivery failed: ") + rd_kafka_err2str(report.err);
    });
    return report.at - sent_at;
}

samples raw_run(const setup& s) {
    raw_report report;
    auto rk = kflow::bench::make_raw_client(RD_KAFKA_PRODUCER, s.props, [&](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_dr_msg_cb(conf, &on_raw_delivery);
        rd_kafka_conf_set_opaque(conf, &report);
    });
    (void)raw_send_one(rk.get(), s, report);  // warm-up: connection, producer id, metadata
    samples out;
    out.reserve(s.samples);
    const auto start = clock_type::now();
    for (std::size_t i = 0; i < s.samples; ++i) {
        std::this_thread::sleep_until(start + i * s.period);  // pacing only, not synchronization
        out.push_back(micros(raw_send_one(rk.get(), s, report)));
    }
    return out;
}

// -- kflow ------------------------------------------------------------------------------------

samples kflow_run(const setup& s) {
    asio::io_context io(1);
    kflow::producer_config cfg;
    producer_type producer(io.get_executor(), kflow::bench::apply(cfg, s.props));
    samples out;
    out.reserve(s.samples);
    std::exception_ptr failure;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            record_type warm_up(s.topic, {}, s.value);
            (void)co_await producer.async_send(std::move(warm_up));
            asio::steady_timer pace(io);
            const auto start = clock_type::now();
            for (std::size_t i = 0; i < s.samples; ++i) {
                pace.expires_at(start + i * s.period);
                co_await pace.async_wait(asio::use_awaitable);
                record_type record(s.topic, {}, s.value);
                const auto sent_at = clock_type::now();
                const auto md = co_await producer.async_send(std::move(record));
                out.push_back(micros(clock_type::now() - sent_at));
                expect(md.persisted, "kflow producer: delivery not persisted");
            }
        },
        [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure)
        std::rethrow_exception(failure);
    return out;
}

void print_row(const char* percentile, double q, const samples& raw, const samples& kf) {
    const double r = kflow::bench::quantile(raw, q);
    const double k = kflow::bench::quantile(kf, q);
    std::printf("| %s | %.1f | %.1f | %+.1f |\n", percentile, r, k, k - r);
}

}  // namespace

int main(int argc, char** argv) {
    return kflow::bench::run_main([&] {
        const auto opt =
            kflow::bench::parse_options(argc, argv, " [--rate MSG_PER_S] [--seconds S]");
        kflow::testing::mock_cluster cluster;
        setup s{"bench-latency", kflow::bench::make_value(opt.value_size), {}, 0, {}};
        cluster.create_topic(s.topic, 1);
        // linger.ms=0: a message goes out at once, so the numbers are the clients' own latency.
        s.props = {{"bootstrap.servers", cluster.bootstrap_servers()},
                   {"enable.idempotence", "true"},
                   {"acks", "all"},
                   {"linger.ms", "0"}};
        s.samples = static_cast<std::size_t>(opt.rate * opt.seconds);
        s.period = std::chrono::duration_cast<clock_type::duration>(
            std::chrono::duration<double>(1.0 / opt.rate));
        expect(s.samples > 0, "--rate x --seconds gives no message to send");
        std::printf(
            "kflow latency benchmark: %zu messages x %zu B at %d msg/s per repetition, %d "
            "repetition(s); mock cluster, 1 broker, 1 partition, linger.ms=0\n",
            s.samples, opt.value_size, opt.rate, opt.repetitions);
        std::fflush(stdout);

        samples raw;
        samples kf;
        for (int r = 0; r < opt.repetitions; ++r) {
            // Alternate which side goes first, so neither always runs on the warmer machine.
            samples a = r % 2 == 0 ? raw_run(s) : kflow_run(s);
            samples b = r % 2 == 0 ? kflow_run(s) : raw_run(s);
            auto& raw_part = r % 2 == 0 ? a : b;
            auto& kflow_part = r % 2 == 0 ? b : a;
            expect(raw_part.size() == s.samples && kflow_part.size() == s.samples,
                   "a run measured fewer deliveries than it sent");
            std::fprintf(stderr, "  repetition %d: p50 raw %.1f us, kflow %.1f us\n", r + 1,
                         kflow::bench::median(raw_part), kflow::bench::median(kflow_part));
            raw.insert(raw.end(), raw_part.begin(), raw_part.end());
            kf.insert(kf.end(), kflow_part.begin(), kflow_part.end());
        }
        std::sort(raw.begin(), raw.end());
        std::sort(kf.begin(), kf.end());
        std::printf("\n| send -> delivery (us) | raw poll loop | kflow co_await | kflow - raw |\n");
        std::printf("|---|---:|---:|---:|\n");
        print_row("p50", 0.50, raw, kf);
        print_row("p99", 0.99, raw, kf);
        print_row("p99.9", 0.999, raw, kf);
        std::printf("(%zu samples per side)\n", raw.size());
    });
}
