// Soak: sends and reads many records (10,000,000 by default) through a three-broker mock cluster
// while faults come and go, and reports memory over time, records lost and duplicated, and CPU
// per record. A program to run by hand (docs/reliability.md has its figures); `--quick` is the
// ctest smoke run (label "benchmark"), which checks that it runs and loses nothing.
//
//   soak [--records N] [--fault-every MS] [--quick]     (defaults: 10,000,000, 2000 ms)
//
// A producer thread sends each record's number as its value (null key: spread over partitions),
// a consumer thread reads the partitions by manual assignment, and the main thread samples RSS
// every few seconds and injects the next fault: produce errors, a leader move, an RTT spike, a
// broker down and up again. Lost = acknowledged but never read; duplicated = read twice.
// The mock keeps about 5 MiB of log per partition and drops older records: with 16 partitions
// its logs stop growing after the first couple of million records, so from then on RSS shows
// the clients' memory alone; the consumer keeps up well within that window (a record dropped
// before it was read would count as lost).
#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>
#include <kflow/serdes/integral.hpp>
#include <kflow/serdes/none.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using kflow::testing::api_key;
using kflow::testing::mock_cluster;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
    std::uint64_t records = 10'000'000;
    std::chrono::milliseconds fault_every{2000};
    bool quick = false;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--quick") {
            o.quick = true;
            o.records = 1'000'000;
            o.fault_every = 300ms;
        } else if (arg == "--records" && i + 1 < argc) {
            o.records = std::stoull(argv[++i]);
        } else if (arg == "--fault-every" && i + 1 < argc) {
            o.fault_every = std::chrono::milliseconds(std::stoi(argv[++i]));
        } else {
            std::cerr << "usage: soak [--records N] [--fault-every MILLISECONDS] [--quick]\n";
            std::exit(2);
        }
    }
    return o;
}

/// Resident memory of this process in MiB (the mock cluster's included).
double rss_mib() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    const options opt = parse(argc, argv);
    mock_cluster cluster(3);
    const std::string topic = kflow::testing::unique_name("soak");
    constexpr int partitions = 16;
    cluster.create_topic(topic, partitions, 3);

    // 0 = not reported, 1 = acknowledged, 2 = failed; reads counted separately.
    std::vector<std::uint8_t> report(opt.records, 0);
    std::vector<std::uint8_t> reads(opt.records, 0);
    std::atomic<std::uint64_t> acknowledged{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::uint64_t> read{0};
    std::atomic<std::uint64_t> duplicated{0};
    std::atomic<bool> producing{true};
    std::atomic<bool> reading{true};

    const auto start = clock_type::now();
    const double cpu_start = cpu_seconds();

    std::thread producer_thread([&] {
        auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
        config.linger(5ms).delivery_timeout(120s).on_queue_full(kflow::queue_full_policy::wait,
                                                                120s);
        kflow::producer<kflow::none, std::uint64_t> producer(config);
        for (std::uint64_t i = 0; i < opt.records; ++i) {
            producer.send({topic, kflow::none{}, i},
                          [&, i](std::error_code ec, const kflow::record_metadata&) {
                              report[i] = ec ? 2 : 1;
                              (ec ? failed : acknowledged).fetch_add(1, std::memory_order_relaxed);
                          });
            if (i % 10000 == 0)
                producer.poll();
        }
        while (producer.in_flight() > 0)
            { kflow::error_info unflushed; producer.flush(1s, unflushed); }
        producing = false;
    });

    std::thread consumer_thread([&] {
        auto config = kflow::testing::test_consumer_config(cluster.bootstrap_servers(),
                                                           kflow::testing::unique_name("g"));
        config.enable_auto_commit(false).fetch_max_bytes(1024 * 1024).set("queued.min.messages",
                                                                          "1000000");
        kflow::consumer<kflow::none, std::uint64_t> consumer(config);
        std::vector<kflow::topic_partition_offset> all;
        for (int p = 0; p < partitions; ++p)
            all.push_back({topic, p, kflow::offsets::beginning});
        consumer.assign(all);
        while (reading) {
            for (const auto& r : consumer.poll_batch(10000, 100ms)) {
                if (r.value >= opt.records)
                    continue;
                if (reads[r.value]++ > 0)
                    duplicated.fetch_add(1, std::memory_order_relaxed);
                read.fetch_add(1, std::memory_order_relaxed);
            }
        }
    });

    // The faults, in turn; each one undone by the next step where it needs undoing.
    int fault = 0;
    auto next_fault = clock_type::now() + opt.fault_every;
    auto next_sample = clock_type::now();
    std::printf("%8s %10s %10s %10s %9s  %s\n", "seconds", "acked", "read", "failed", "rss MiB",
                "fault");
    auto sample = [&](const char* what) {
        std::printf("%8.1f %10llu %10llu %10llu %9.1f  %s\n",
                    std::chrono::duration<double>(clock_type::now() - start).count(),
                    static_cast<unsigned long long>(acknowledged.load()),
                    static_cast<unsigned long long>(read.load()),
                    static_cast<unsigned long long>(failed.load()), rss_mib(), what);
        std::fflush(stdout);
    };
    double rss_after_warmup = 0;
    double rss_peak = 0;
    const auto read_everything_by = [&] { return read.load() >= acknowledged.load(); };
    std::optional<clock_type::time_point> produced_at;
    while (producing || !read_everything_by()) {
        std::this_thread::sleep_for(100ms);  // a sampling period, not synchronization
        const auto now = clock_type::now();
        if (!producing && !produced_at) {
            produced_at = now;
            // No more faults; end those that last, or records on a broker left down (or
            // slow) would stay unread and count as lost.
            cluster.broker_up(3);
            cluster.set_round_trip_time(2, 0ms);
            sample("sending done: broker 3 up, RTT back");
        }
        if (produced_at && now - *produced_at > 60s)
            break;  // what is still unread then counts as lost
        if (now >= next_fault && producing) {
            const char* what = "";
            switch (fault++ % 6) {
                case 0:
                    cluster.push_request_errors(
                        api_key::produce, std::vector<rd_kafka_resp_err_t>(
                                              5, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION));
                    what = "5 produce errors (NOT_LEADER_FOR_PARTITION)";
                    break;
                case 1:
                    cluster.set_round_trip_time(2, 200ms);
                    what = "broker 2: RTT 200 ms";
                    break;
                case 2:
                    cluster.set_round_trip_time(2, 0ms);
                    for (int p = 0; p < partitions; p += 4)
                        cluster.set_partition_leader(topic, p, 1 + (fault / 6 + p) % 3);
                    what = "RTT back; leaders of 4 partitions moved";
                    break;
                case 3:
                    cluster.broker_down(3);
                    what = "broker 3 down";
                    break;
                case 4:
                    cluster.broker_up(3);
                    what = "broker 3 up";
                    break;
                default:
                    cluster.push_request_errors(
                        api_key::fetch, std::vector<rd_kafka_resp_err_t>(
                                            5, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION));
                    what = "5 fetch errors (NOT_LEADER_FOR_PARTITION)";
                    break;
            }
            sample(what);
            next_fault = now + opt.fault_every;
        }
        if (now >= next_sample) {
            sample("");
            next_sample = now + (opt.quick ? 500ms : 2s);
            const double rss = rss_mib();
            if (rss_after_warmup == 0 && acknowledged.load() > opt.records * 3 / 10)
                rss_after_warmup = rss;
            if (rss_after_warmup > 0)
                rss_peak = std::max(rss_peak, rss);
        }
    }
    reading = false;
    producer_thread.join();
    consumer_thread.join();
    const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    const double cpu = cpu_seconds() - cpu_start;
    sample("end");

    std::uint64_t lost = 0;
    std::uint64_t failed_but_read = 0;
    for (std::uint64_t i = 0; i < opt.records; ++i) {
        lost += report[i] == 1 && reads[i] == 0;
        failed_but_read += report[i] == 2 && reads[i] > 0;
    }
    std::printf(
        "\nsoak: %llu records in %.1f s, %d faults: acknowledged %llu, failed %llu, read %llu, "
        "lost %llu, duplicated %llu, failed but read %llu\n"
        "soak: CPU %.2f us per record (this process: producer, consumer and the mock brokers)\n"
        "soak: RSS at 30%% of the records %.1f MiB, peak after that %.1f MiB, end %.1f MiB\n",
        static_cast<unsigned long long>(opt.records), seconds, fault,
        static_cast<unsigned long long>(acknowledged.load()),
        static_cast<unsigned long long>(failed.load()), static_cast<unsigned long long>(read.load()),
        static_cast<unsigned long long>(lost), static_cast<unsigned long long>(duplicated.load()),
        static_cast<unsigned long long>(failed_but_read), cpu * 1e6 / static_cast<double>(opt.records),
        rss_after_warmup, rss_peak, rss_mib());
    return lost == 0 && duplicated.load() == 0 ? 0 : 1;
}
