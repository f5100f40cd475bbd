// Transactional throughput: kflow's synchronous transactional producer against a raw librdkafka C
// transactional loop, same mock cluster, same properties, one topic of one partition.
//
//   bench_transactions --scenario NAME --side raw|kflow --messages N   one run of one side
//   bench_transactions [--scenario A,B,...] [--rounds R]                paired rounds, medians
//   bench_transactions --list                                           the scenarios
//
// Scenarios txn_100, txn_1000 and txn_10000: transactions of that many records (a 13-byte string
// key, a 100-byte string value) until --messages records were sent (the last transaction holds
// the remainder when --messages is not a multiple). Per transaction:
// - raw: rd_kafka_begin_transaction, rd_kafka_producev per record (RD_KAFKA_MSG_F_COPY; on a full
//   queue, rd_kafka_poll(rk, 100) and again), rd_kafka_commit_transaction; a dr_msg_cb counts;
// - kflow: kflow::transaction txn(producer), producer.send(record, callback) per record (the
//   callback counts), txn.commit(timeout).
// Neither side polls between sends: the delivery reports are served by the commit, which flushes.
//
// Every run creates its producer with a transactional id of its own (the raw side calls
// rd_kafka_init_transactions, kflow's constructor does), commits one warm-up transaction of one
// record (coordinator, producer id, partition in the transaction, metadata ready), then times
// from the first begin to the end of the last commit. It fails, and the program exits with status
// 1, unless every record got a delivery report without an error and every call succeeded.
//
// Instructions: as in bench_paths.cpp, the timed region is bracketed by callgrind client requests
// (START_INSTRUMENTATION + ZERO_STATS before, DUMP_STATS_AT("timed") + STOP_INSTRUMENTATION
// after), so that `scripts/bench.sh --instructions --program bench_transactions` counts every
// thread of the process inside the timed region only (docs/performance.md).
#include "bench_common.hpp"
#include "bench_timed_region.hpp"

#include <kflow/producer.hpp>
#include <kflow/serdes/string.hpp>
#include <kflow/transaction.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace std::chrono_literals;
using kflow::bench::as_int_ms;
using kflow::bench::clock_type;
using kflow::bench::expect;
using kflow::bench::run_result;
using kflow::bench::scaled;
using kflow::bench::timed_region;

namespace {

const std::string record_key = "customer-0042";

// -- Options ----------------------------------------------------------------------------------

struct options {
    std::vector<std::string> scenarios;  ///< empty: every scenario
    std::string side;                    ///< "raw" or "kflow": one run of one side
    std::size_t messages = 100'000;
    std::size_t value_size = 100;
    int rounds = 5;
    bool quick = false;
    bool list = false;
};

[[noreturn]] void usage(const char* program, const std::string& problem) {
    if (!problem.empty())
        std::fprintf(stderr, "%s\n", problem.c_str());
    std::fprintf(stderr,
                 "usage: %s [--scenario NAME[,NAME...]] [--side raw|kflow] [--messages N] "
                 "[--value-size BYTES]\n"
                 "       [--rounds R] [--quick] [--list]\n",
                 program);
    std::exit(problem.empty() ? 0 : 2);
}

options parse_options(int argc, char** argv) {
    options o;
    bool messages_set = false;
    bool rounds_set = false;
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
        } else if (arg == "--quick") {
            o.quick = true;
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
    }
    if (o.messages < 1 || o.value_size < 1)
        usage(argv[0], "--messages and --value-size must be at least 1");
    if (!o.side.empty() && o.scenarios.size() != 1)
        usage(argv[0], "--side runs one scenario: give exactly one --scenario");
    return o;
}

// -- What every run shares --------------------------------------------------------------------

struct context {
    explicit context(const options& o)
        : opt(o), value(kflow::bench::make_value(o.value_size)), txn_timeout(scaled(60s)) {}

    const options& opt;
    std::string value;
    std::string topic = "bench-transactions";
    kflow::bench::properties props;
    std::chrono::milliseconds txn_timeout;  ///< init, each commit, the queue-full wait
    int runs = 0;                           ///< for a transactional id per run

    /// A transactional id no earlier run used: a run never fences or resumes another's.
    std::string next_transactional_id(std::string_view side) {
        return "bench-txn-" + std::string(side) + "-" + std::to_string(++runs);
    }
};

/// Delivery reports, counted alike on both sides.
struct reports {
    std::size_t delivered = 0;
    std::size_t failed = 0;

    void check(std::size_t expected, const char* who) const {
        expect(delivered == expected && failed == 0, [&] {
            return std::string(who) + ": " + std::to_string(delivered) + " of " +
                   std::to_string(expected) + " reported, " + std::to_string(failed) + " failed";
        });
    }
};

/// Runs `transaction(count)` for consecutive slices of `total` records, `per_txn` at most each.
template <class F>
void in_transactions(std::size_t total, std::size_t per_txn, F&& transaction) {
    for (std::size_t sent = 0; sent < total;) {
        const std::size_t count = std::min(per_txn, total - sent);
        transaction(count);
        sent += count;
    }
}

// -- Raw librdkafka ---------------------------------------------------------------------------

void on_raw_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    auto& counted = *static_cast<reports*>(opaque);
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR)
        ++counted.failed;
    ++counted.delivered;
}

/// Takes a transactional call's result; throws naming the call when it failed.
void expect_txn(rd_kafka_error_t* error, const char* call) {
    if (error == nullptr)
        return;
    std::string message =
        std::string("raw producer: ") + call + ": " + rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    throw kflow::bench::run_failed(message);
}

/// begin, `count` x producev, commit.
void raw_transaction(rd_kafka_t* rk, const context& c, std::size_t count) {
    expect_txn(rd_kafka_begin_transaction(rk), "begin_transaction");
    auto* value = const_cast<char*>(c.value.data());
    const auto deadline = clock_type::now() + c.txn_timeout;
    for (std::size_t i = 0; i < count;) {
        const auto err =
            rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(c.topic.c_str()),
                              RD_KAFKA_V_KEY(record_key.data(), record_key.size()),
                              RD_KAFKA_V_VALUE(value, c.value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            expect(clock_type::now() < deadline, "raw producer: the queue stayed full");
            rd_kafka_poll(rk, 100);
            continue;
        }
        expect(err == RD_KAFKA_RESP_ERR_NO_ERROR,
               [&] { return std::string("raw producer: producev: ") + rd_kafka_err2str(err); });
        ++i;
    }
    expect_txn(rd_kafka_commit_transaction(rk, as_int_ms(c.txn_timeout)), "commit_transaction");
}

run_result raw_transactions(context& c, std::size_t per_txn) {
    reports counted;
    auto props = c.props;
    props.emplace_back("transactional.id", c.next_transactional_id("raw"));
    auto rk = kflow::bench::make_raw_client(RD_KAFKA_PRODUCER, props, [&](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_dr_msg_cb(conf, &on_raw_delivery);
        rd_kafka_conf_set_opaque(conf, &counted);
    });
    expect_txn(rd_kafka_init_transactions(rk.get(), as_int_ms(c.txn_timeout)), "init_transactions");
    raw_transaction(rk.get(), c, 1);  // warm-up
    counted.check(1, "raw producer warm-up");
    counted = {};

    const std::size_t n = c.opt.messages;
    timed_region timed;
    in_transactions(n, per_txn, [&](std::size_t count) { raw_transaction(rk.get(), c, count); });
    const auto result = timed.stop(n);
    counted.check(n, "raw producer");
    return result;
}

// -- kflow ------------------------------------------------------------------------------------

using producer_type = kflow::producer<std::string, std::string>;

run_result kflow_transactions(context& c, std::size_t per_txn) {
    kflow::producer_config cfg;
    kflow::bench::apply(cfg, c.props);
    // kflow's own bounds (not librdkafka properties), widened with every other deadline.
    cfg.transactional_id(c.next_transactional_id("kflow"))
        .init_transactions_timeout(c.txn_timeout)
        .on_queue_full(kflow::queue_full_policy::wait, c.txn_timeout)
        .close_timeout(scaled(10s));
    producer_type producer(cfg);  // calls init_transactions()
    reports counted;
    const auto on_delivery = [&](std::error_code ec, const kflow::record_metadata&) {
        if (ec)
            ++counted.failed;
        ++counted.delivered;
    };
    const producer_type::record_type record(c.topic, record_key, c.value);
    const auto transaction = [&](std::size_t count) {
        kflow::transaction txn(producer);
        for (std::size_t i = 0; i < count; ++i)
            producer.send(record, on_delivery);  // waits for room when the queue is full
        txn.commit(c.txn_timeout);
    };
    transaction(1);  // warm-up
    counted.check(1, "kflow producer warm-up");
    counted = {};

    const std::size_t n = c.opt.messages;
    timed_region timed;
    in_transactions(n, per_txn, transaction);
    const auto result = timed.stop(n);
    counted.check(n, "kflow producer");
    return result;
}

// -- Scenarios --------------------------------------------------------------------------------

struct scenario {
    std::string_view name;
    std::size_t per_txn;  ///< records per transaction
};

constexpr scenario scenarios[] = {{"txn_100", 100}, {"txn_1000", 1000}, {"txn_10000", 10'000}};

const scenario* find_scenario(std::string_view name) {
    for (const auto& s : scenarios) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

std::string raw_calls(const scenario& s) {
    return "begin + " + std::to_string(s.per_txn) + " x producev + commit";
}

/// The common throughput table, plus the median of the rounds' own kflow / raw ratios: each
/// pair ran back to back, so that median is less exposed to the machine's load drifting
/// between rounds than the ratio of the two medians.
void print_table(const std::vector<kflow::bench::throughput_row>& rows) {
    using kflow::bench::median_of;
    std::printf(
        "\n| scenario | raw baseline | raw msg/s | kflow msg/s | kflow / raw | paired kflow / raw "
        "| raw CPU ns/msg | kflow CPU ns/msg |\n");
    std::printf("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (const auto& row : rows) {
        const double raw = median_of(row.raw, &run_result::messages_per_second);
        const double kf = median_of(row.kflow, &run_result::messages_per_second);
        std::vector<double> ratios;
        for (std::size_t i = 0; i < row.raw.size() && i < row.kflow.size(); ++i) {
            ratios.push_back(row.kflow[i].messages_per_second / row.raw[i].messages_per_second);
        }
        std::printf("| %s | %s | %.0f | %.0f | %.3f | %.3f | %.0f | %.0f |\n", row.scenario.c_str(),
                    row.baseline.c_str(), raw, kf, raw > 0 ? kf / raw : 0.0,
                    kflow::bench::median(ratios),
                    median_of(row.raw, &run_result::cpu_ns_per_message),
                    median_of(row.kflow, &run_result::cpu_ns_per_message));
    }
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    return kflow::bench::run_main([&] {
        const auto opt = parse_options(argc, argv);
        if (opt.list) {
            for (const auto& s : scenarios)
                std::printf("%.*s\n", static_cast<int>(s.name.size()), s.name.data());
            return;
        }
        std::vector<const scenario*> chosen;
        if (opt.scenarios.empty()) {
            for (const auto& s : scenarios)
                chosen.push_back(&s);
        }
        for (const auto& name : opt.scenarios) {
            const auto* s = find_scenario(name);
            if (s == nullptr)
                usage(argv[0], "unknown scenario '" + name + "' (see --list)");
            chosen.push_back(s);
        }

        kflow::testing::mock_cluster cluster;
        context c(opt);
        // Transactions need idempotence and acks=all (kflow's defaults, spelled out for the raw
        // client); linger.ms is librdkafka's default, which a commit does not wait for.
        c.props = {{"bootstrap.servers", cluster.bootstrap_servers()},
                   {"acks", "all"},
                   {"enable.idempotence", "true"},
                   {"linger.ms", "5"}};
        cluster.create_topic(c.topic, 1);

        if (!opt.side.empty()) {  // one run of one side, e.g. under callgrind
            const auto& s = *chosen.front();
            const auto r = opt.side == "raw" ? raw_transactions(c, s.per_txn)
                                             : kflow_transactions(c, s.per_txn);
            std::printf("%.*s %s: %zu messages, %.0f msg/s, %.0f CPU ns/msg (application thread)\n",
                        static_cast<int>(s.name.size()), s.name.data(), opt.side.c_str(),
                        opt.messages, r.messages_per_second, r.cpu_ns_per_message);
            return;
        }

        std::printf(
            "kflow transactions benchmark: %zu messages x %zu B per run, %d round(s), raw and "
            "kflow alternating, median reported; mock cluster, 1 broker, 1 partition\n",
            opt.messages, opt.value_size, opt.rounds);
        std::fflush(stdout);

        std::vector<kflow::bench::throughput_row> rows;
        for (const auto* s : chosen)
            rows.push_back({std::string(s->name), raw_calls(*s), {}, {}});
        if (!opt.quick) {  // one unmeasured run of each side first: caches, allocator, mock
            for (const auto* s : chosen) {
                (void)raw_transactions(c, s->per_txn);
                (void)kflow_transactions(c, s->per_txn);
            }
        }
        for (int round = 0; round < opt.rounds; ++round) {
            // Alternate which side goes first, so neither always runs on the warmer machine.
            const bool raw_first = round % 2 == 0;
            for (std::size_t i = 0; i < chosen.size(); ++i) {
                auto& row = rows[i];
                const auto per_txn = chosen[i]->per_txn;
                if (raw_first) {
                    row.raw.push_back(raw_transactions(c, per_txn));
                    row.kflow.push_back(kflow_transactions(c, per_txn));
                } else {
                    row.kflow.push_back(kflow_transactions(c, per_txn));
                    row.raw.push_back(raw_transactions(c, per_txn));
                }
                std::fprintf(stderr, "  round %d, %s: raw %.0f msg/s, kflow %.0f msg/s\n",
                             round + 1, row.scenario.c_str(), row.raw.back().messages_per_second,
                             row.kflow.back().messages_per_second);
            }
        }
        print_table(rows);
    });
}
