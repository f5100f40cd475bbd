// Transactions under faults, end to end on the mock cluster: a run of 100,000 keyed records in
// transactions of 2,000, with errors injected on Produce, AddPartitionsToTxn and EndTxn, read
// back and counted: every record exactly once among the committed transactions. Then the
// transactions a producer leaves open, by being destroyed or SIGKILLed: a new producer with the
// same transactional id goes on.
//
// The mock writes no transaction markers (docs/transactions.md): records that reached the log
// in a transaction that was then aborted stay visible, even to read_committed consumers. Each
// record therefore carries the attempt (one begin_transaction() .. commit or abort) that sent
// it, and the reader keeps only the records of the attempts the producer saw commit, which is
// what the markers do on a broker. test_transactions_integration.cpp counts the same way against
// a real cluster, without that filter.
//
// How librdkafka 2.0.2 classifies the injected errors (measured on this mock):
// - retried inside the call, which then succeeds: EndTxn and AddPartitionsToTxn with
//   CONCURRENT_TRANSACTIONS, COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR and
//   COORDINATOR_NOT_AVAILABLE (the last two look the coordinator up again, ~0.5 s); Produce
//   with NOT_LEADER_FOR_PARTITION, NOT_ENOUGH_REPLICAS, LEADER_NOT_AVAILABLE;
// - retriable to the application: a commit whose timeout passes while EndTxn is being retried;
// - abortable (txn_requires_abort): UNKNOWN_PRODUCER_ID and INVALID_PRODUCER_ID_MAPPING on any
//   of the three, TOPIC_AUTHORIZATION_FAILED on AddPartitionsToTxn, and a record the broker
//   refuses (MSG_SIZE_TOO_LARGE on Produce). After the last, the next attempt fails too
//   ("skipped sequence numbers", the refused record's sequence number is missing), then the
//   producer bumps its epoch and the attempt after works;
// - fatal, hence left out: INVALID_TXN_STATE on EndTxn, INVALID_PRODUCER_EPOCH on Produce.
//   TOPIC_AUTHORIZATION_FAILED on Produce is left out too: librdkafka then fails every later send
//   to the topic until its metadata is refreshed.
#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using namespace std::chrono_literals;
using kflow::testing::api_key;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;

namespace {

using string_producer = kflow::producer<std::string, std::string>;
using string_consumer = kflow::consumer<std::string, std::string>;
using clock_type = std::chrono::steady_clock;

constexpr auto txn_timeout = 10s;
constexpr std::string_view end_key = "end";

/// A transactional producer config for the mock.
kflow::producer_config transactional_config(const std::string& bootstrap, const std::string& id) {
    auto cfg = kflow::testing::test_producer_config(bootstrap);
    cfg.transactional_id(id).init_transactions_timeout(txn_timeout).linger(5ms);
    return cfg;
}

/// "key-07" for key 7.
std::string key_name(std::size_t key) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "key-%02zu", key);
    return buf;
}

/// A record's value: its key's sequence number and the attempt that sent it, "seq:attempt".
std::string encode(std::size_t seq, std::size_t attempt) {
    return std::to_string(seq) + ":" + std::to_string(attempt);
}

struct decoded {
    std::size_t key = 0;
    std::size_t seq = 0;
    std::size_t attempt = 0;
};

/// The fields of a record written by encode() under key_name(); false for anything else.
bool decode(std::string_view key, std::string_view value, std::size_t keys, decoded& out) {
    const auto number = [](std::string_view text, std::size_t& n) {
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        return ec == std::errc{} && end == text.data() + text.size();
    };
    const auto colon = value.find(':');
    return key.starts_with("key-") && number(key.substr(4), out.key) && out.key < keys &&
           colon != std::string_view::npos && number(value.substr(0, colon), out.seq) &&
           number(value.substr(colon + 1), out.attempt);
}

/// What reading the topic back found.
struct counts {
    std::size_t read = 0;           ///< records read, end markers left out
    std::size_t counted = 0;        ///< of them, records of committed attempts
    std::size_t not_committed = 0;  ///< records of attempts that did not commit
    std::size_t lost = 0;           ///< sequence numbers missing among the counted records
    std::size_t duplicated = 0;     ///< extra copies among the counted records
    std::size_t out_of_order = 0;   ///< counted records behind an earlier one of the same key
    std::size_t unrecognised = 0;   ///< records the producer did not write
    std::size_t ends = 0;           ///< end markers read
};

/// Reads every partition of `topic` from its beginning until each partition's end marker
/// arrived (or `deadline` passed), and counts each key's sequence numbers 0..per_key-1 among
/// the records of attempts in `committed`, or of every attempt when `committed` is null.
counts read_back(const std::string& bootstrap, const std::string& topic, int partitions,
                 std::size_t keys, std::size_t per_key, const std::set<std::size_t>* committed,
                 std::chrono::milliseconds deadline) {
    auto cfg = kflow::testing::test_consumer_config(bootstrap, unique_name("txn-reader"));
    // librdkafka 2.0.2 stops fetching for ~0.9 s whenever its queue holds queued.min.messages
    // (docs/mock-cluster.md): keep the whole run below that.
    cfg.isolation_level(kflow::isolation::read_committed)
        .enable_auto_commit(false)
        .set("queued.min.messages", "1000000");
    string_consumer consumer(cfg);
    std::vector<kflow::topic_partition_offset> assignment;
    for (int p = 0; p < partitions; ++p)
        assignment.push_back({topic, p, kflow::offsets::beginning});
    consumer.assign(assignment);

    counts c;
    std::vector<std::vector<unsigned>> seen(keys, std::vector<unsigned>(per_key, 0));
    std::vector<std::int64_t> last(keys, -1);
    const auto until = clock_type::now() + deadline;
    while (c.ends < static_cast<std::size_t>(partitions) && clock_type::now() < until) {
        for (const auto& r : consumer.poll_batch(10'000, 100ms)) {
            if (r.key == end_key) {
                ++c.ends;
                continue;
            }
            ++c.read;
            decoded d;
            if (!decode(r.key, r.value, keys, d) || d.seq >= per_key) {
                ++c.unrecognised;
                continue;
            }
            if (committed != nullptr && !committed->contains(d.attempt)) {
                ++c.not_committed;
                continue;
            }
            ++c.counted;
            if (++seen[d.key][d.seq] > 1)
                ++c.duplicated;
            if (static_cast<std::int64_t>(d.seq) < last[d.key])
                ++c.out_of_order;
            last[d.key] = std::max(last[d.key], static_cast<std::int64_t>(d.seq));
        }
    }
    for (const auto& per_seq : seen) {
        for (const unsigned n : per_seq)
            c.lost += n == 0 ? 1 : 0;
    }
    return c;
}

/// What the producing side did.
struct run_figures {
    std::size_t records = 0;            ///< distinct records, each to be committed once
    std::size_t committed = 0;          ///< transactions committed
    std::size_t aborted = 0;            ///< attempts aborted, to be sent again
    std::size_t retried_commits = 0;    ///< commits that failed retriably and were called again
    std::size_t faults = 0;             ///< errors injected
    std::size_t failed_deliveries = 0;  ///< delivery reports with an error (purges included)
    std::size_t refused_sends = 0;      ///< attempts whose sends the failed transaction refused
};

/// An error to inject: before transaction `txn` begins (AddPartitionsToTxn), halfway through
/// its sends (Produce) or before its commit (EndTxn); `commit_timeout` shortens that commit.
struct fault {
    std::size_t txn;
    api_key api;
    std::vector<rd_kafka_resp_err_t> errors;
    std::chrono::milliseconds commit_timeout = txn_timeout;
};

/// librdkafka's threads alive in this process (it names them "rdk:..."), from /proc.
int librdkafka_threads() {
    int n = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::string name;
        std::getline(std::ifstream(task.path() / "comm"), name);
        n += name.starts_with("rdk:") ? 1 : 0;
    }
    return n;
}

/// Sends `n` records "abandoned-<i>" in an open transaction and flushes them into the log.
void send_and_leave_open(string_producer& producer, const std::string& topic, int n) {
    producer.begin_transaction();
    for (int i = 0; i < n; ++i)
        producer.send({topic, "abandoned", "abandoned-" + std::to_string(i)});
    producer.flush(txn_timeout);
}

/// What a reader finds after a producer left a transaction open and another one with the same
/// id committed: checks the newer producer's records, and returns how many of the abandoned
/// ones reached the log (read_uncommitted, so it holds on a broker too).
std::size_t commit_after_abandoned(const std::string& bootstrap, const std::string& topic,
                                   const std::string& id, int committed_records) {
    // The constructor's init_transactions() must not wait for the open transaction: on a broker
    // it aborts it (and fences its producer); the mock gives the new producer an id of its own.
    string_producer newer(transactional_config(bootstrap, id));
    newer.begin_transaction();
    for (int i = 0; i < committed_records; ++i)
        newer.send({topic, "committed", "committed-" + std::to_string(i)});
    newer.send({topic, std::string(end_key), "end"});
    newer.commit_transaction(txn_timeout);
    CHECK(newer.in_flight() == 0);

    auto cfg = kflow::testing::test_consumer_config(bootstrap, unique_name("txn-reader"));
    cfg.isolation_level(kflow::isolation::read_uncommitted).enable_auto_commit(false);
    string_consumer consumer(cfg);
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    std::map<std::string, int> committed;
    std::size_t abandoned = 0;
    std::size_t other = 0;
    bool end = false;
    const auto until = clock_type::now() + 10s;
    while (!end && clock_type::now() < until) {
        for (const auto& r : consumer.poll_batch(1000, 100ms)) {
            if (r.key == end_key)
                end = true;
            else if (r.key == "committed")
                ++committed[r.value];
            else if (r.key == "abandoned")
                ++abandoned;
            else
                ++other;
        }
    }
    REQUIRE(end);
    // The records of the committed transaction, each once. Those of the abandoned one belong
    // to no committed transaction: on a broker the new producer's init_transactions() aborted
    // them and a read_committed consumer skips them; the mock writes no abort marker, so they
    // are told apart here by key.
    CHECK(committed.size() == static_cast<std::size_t>(committed_records));
    for (int i = 0; i < committed_records; ++i) {
        INFO("committed-" << i);
        CHECK(committed["committed-" + std::to_string(i)] == 1);
    }
    CHECK(other == 0);
    return abandoned;
}

}  // namespace

TEST_CASE("transactions under injected faults lose and duplicate nothing",
          "[transactions][faults][mock]") {
    const auto started = clock_type::now();
    mock_cluster cluster(1);
    const auto bootstrap = cluster.bootstrap_servers();
    const auto topic = unique_name("txn-faults");
    constexpr int partitions = 4;
    constexpr std::size_t keys = 50;
    constexpr std::size_t per_txn = 2'000;
    constexpr std::size_t transactions = 50;
    constexpr std::size_t records = per_txn * transactions;
    constexpr std::size_t per_key = records / keys;
    static_assert(per_txn % keys == 0);
    cluster.create_topic(topic, partitions);

    using enum api_key;
    // At fixed transactions, so every run injects the same. Each kind comes both retried by
    // librdkafka (the call succeeds) and abortable (abort, send the same records again).
    const std::vector<fault> faults = {
        {2,
         produce,
         {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION}},
        {4,
         end_txn,
         {RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS, RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS}},
        {6,
         add_partitions_to_txn,
         {RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS,
          RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS}},
        {8, end_txn, {RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID}},
        {10, produce, {RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID}},
        {12, add_partitions_to_txn, {RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID}},
        // EndTxn retried at 100 ms intervals for longer than this commit may take: the commit
        // fails retriably, and the next commit_transaction() finishes it.
        {14, end_txn,
         std::vector<rd_kafka_resp_err_t>(6, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS),
         250ms},
        {16, end_txn, {RD_KAFKA_RESP_ERR_NOT_COORDINATOR}},
        {18, produce, {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE}},
        {20, add_partitions_to_txn, {RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE}},
        {22, end_txn, {RD_KAFKA_RESP_ERR_INVALID_PRODUCER_ID_MAPPING}},
        {24,
         produce,
         {RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
          RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS}},
        {26, add_partitions_to_txn, {RD_KAFKA_RESP_ERR_INVALID_PRODUCER_ID_MAPPING}},
        {28, end_txn, {RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE}},
        {30, add_partitions_to_txn, {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED}},
        {32, produce, {RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID}},
        {34, end_txn,
         std::vector<rd_kafka_resp_err_t>(6, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS),
         250ms},
        {36, end_txn, {RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID}},
        {38, produce, {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE}},
        {40, add_partitions_to_txn, {RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID}},
        {42, produce, {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION}},
        {44, end_txn, {RD_KAFKA_RESP_ERR_INVALID_PRODUCER_ID_MAPPING}},
    };

    run_figures run;
    run.records = records;
    std::set<std::size_t> committed_attempts;
    std::size_t attempt = 0;
    {
        string_producer producer(transactional_config(bootstrap, unique_name("txn")));
        const auto inject = [&](std::size_t txn, api_key api) {
            std::chrono::milliseconds timeout = txn_timeout;
            for (const auto& f : faults) {
                if (f.txn == txn && f.api == api) {
                    cluster.push_request_errors(f.api, f.errors);
                    run.faults += f.errors.size();
                    timeout = f.commit_timeout;
                }
            }
            return timeout;
        };
        const auto on_delivery = [&](std::error_code ec, const kflow::record_metadata&) {
            run.failed_deliveries += ec ? 1 : 0;
        };

        // Transaction `txn` holds records txn*per_txn .. +per_txn-1 (the last one, also one end
        // marker per partition); record i is key i % keys, sequence number i / keys. An attempt
        // that does not commit is aborted and the same records are sent again in a new one.
        for (std::size_t txn = 0; txn <= transactions; ++txn) {
            const bool last = txn == transactions;
            bool done = false;
            for (int tries = 0; !done; ++tries) {
                INFO("transaction " << txn << ", attempt " << attempt);
                REQUIRE(tries < 5);
                const bool first_try = tries == 0;
                ++attempt;
                kflow::error_info err;
                if (first_try)
                    (void)inject(txn, add_partitions_to_txn);
                producer.begin_transaction(err);
                INFO(err.message);
                REQUIRE_FALSE(err);  // the attempt before committed or was aborted
                for (std::size_t i = 0; !err && !last && i < per_txn; ++i) {
                    if (first_try && i == per_txn / 2)
                        (void)inject(txn, produce);
                    const std::size_t n = txn * per_txn + i;
                    producer.send({topic, key_name(n % keys), encode(n / keys, attempt)},
                                  on_delivery, err);
                }
                for (int p = 0; !err && last && p < partitions; ++p)
                    producer.send({topic, std::string(end_key), "end", {}, p}, on_delivery, err);
                const bool send_refused = static_cast<bool>(err);
                run.refused_sends += send_refused ? 1 : 0;
                if (!err) {
                    const auto timeout = first_try ? inject(txn, end_txn) : txn_timeout;
                    producer.commit_transaction(timeout, err);
                    // Retriable: the transaction is intact and the commit may be called again.
                    for (int retries = 0; err && err.flags.retriable && !err.flags.fatal &&
                                          !err.flags.txn_requires_abort && retries < 5;
                         ++retries) {
                        ++run.retried_commits;
                        producer.commit_transaction(txn_timeout, err);
                    }
                }
                INFO(err.message);
                REQUIRE_FALSE(err.flags.fatal);
                if (!err) {
                    committed_attempts.insert(attempt);
                    ++run.committed;
                    done = true;
                    continue;
                }
                // Abortable, a send refused because the transaction already failed included
                // (librdkafka's refusal has no classification; kflow flags it): abort, and
                // send the same records again, as docs/transactions.md prescribes.
                REQUIRE(err.flags.txn_requires_abort);
                producer.abort_transaction(txn_timeout);
                ++run.aborted;
            }
        }
        CHECK(producer.in_flight() == 0);
    }
    const auto produced = clock_type::now();

    // Only the attempts the producer saw commit count: the markers a broker writes would hide
    // the others' records, but the mock writes none (see the top of this file).
    const auto c = read_back(bootstrap, topic, partitions, keys, per_key, &committed_attempts, 30s);
    const auto seconds = [](auto d) { return std::chrono::duration<double>(d).count(); };
    std::cout << "transactions under faults (mock): " << run.records << " records, "
              << run.committed << " transactions committed, " << run.aborted
              << " attempts aborted, " << run.retried_commits << " commits retried, " << run.faults
              << " errors injected, " << run.failed_deliveries << " failed deliveries, "
              << run.refused_sends << " attempts with a refused send; read " << c.read << " ("
              << c.counted << " of committed attempts, " << c.not_committed
              << " of aborted ones), lost " << c.lost << ", duplicated " << c.duplicated
              << ", out of order " << c.out_of_order << ", unrecognised " << c.unrecognised
              << "; produced in " << seconds(produced - started) << " s, read in "
              << seconds(clock_type::now() - produced) << " s" << std::endl;

    CHECK(run.committed == transactions + 1);
    CHECK(run.aborted >= 12);         // one per abortable fault (two for MSG_SIZE_TOO_LARGE)
    CHECK(run.retried_commits >= 2);  // the two short commits
    CHECK(c.ends == static_cast<std::size_t>(partitions));
    CHECK(c.lost == 0);
    CHECK(c.duplicated == 0);
    CHECK(c.out_of_order == 0);
    CHECK(c.unrecognised == 0);
    CHECK(c.counted == records);
}

TEST_CASE("a producer destroyed in a transaction: the next with its id goes on",
          "[transactions][faults][mock]") {
    mock_cluster cluster(1);
    const auto bootstrap = cluster.bootstrap_servers();
    const auto topic = unique_name("txn-destroyed");
    cluster.create_topic(topic, 1);
    const auto id = unique_name("txn");
    {
        string_producer older(transactional_config(bootstrap, id));
        send_and_leave_open(older, topic, 10);
    }  // destroyed with the transaction open: nothing commits or aborts it
    CHECK(commit_after_abandoned(bootstrap, topic, id, 20) == 10);
}

TEST_CASE("a producer SIGKILLed in a transaction: the next with its id goes on",
          "[transactions][faults][mock]") {
    // librdkafka's threads do not survive fork(): fork while this process has none (the cases
    // before destroyed their clients), and create the child's clients in the child only. The
    // cluster comes after the fork; the child learns its address through a pipe.
    REQUIRE(librdkafka_threads() == 0);
    int to_child[2];
    int from_child[2];
    REQUIRE(::pipe(to_child) == 0);
    REQUIRE(::pipe(from_child) == 0);
    const auto id = unique_name("txn");
    const auto topic = unique_name("txn-killed");
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(to_child[1]);
        ::close(from_child[0]);
        std::string bootstrap;
        char ch = 0;
        while (::read(to_child[0], &ch, 1) == 1 && ch != '\n')
            bootstrap += ch;
        try {
            string_producer producer(transactional_config(bootstrap, id));
            send_and_leave_open(producer, topic, 10);
            const char ready = 'R';
            (void)!::write(from_child[1], &ready, 1);
            (void)!::read(to_child[0], &ch, 1);  // until killed (or the parent is gone: EOF)
        } catch (const std::exception& e) {
            std::fprintf(stderr, "child: %s\n", e.what());
        }
        ::_exit(1);  // never returns into the test runner
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    // Whatever happens below, the child does not outlive the case.
    struct reaper {
        pid_t pid;
        int fds[2];
        bool reaped = false;
        ~reaper() {
            if (!reaped) {
                ::kill(pid, SIGKILL);
                ::waitpid(pid, nullptr, 0);
            }
            ::close(fds[0]);
            ::close(fds[1]);
        }
    } guard{child, {to_child[1], from_child[0]}};

    mock_cluster cluster(1);
    const auto bootstrap = cluster.bootstrap_servers();
    cluster.create_topic(topic, 1);
    const std::string line = bootstrap + "\n";
    REQUIRE(::write(to_child[1], line.data(), line.size()) == static_cast<ssize_t>(line.size()));

    // The child says when its records are in the log; it has 20 s.
    pollfd ready{from_child[0], POLLIN, 0};
    REQUIRE(::poll(&ready, 1, 20'000) == 1);
    char ch = 0;
    REQUIRE(::read(from_child[0], &ch, 1) == 1);
    REQUIRE(ch == 'R');
    REQUIRE(::kill(child, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    guard.reaped = true;
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);

    CHECK(commit_after_abandoned(bootstrap, topic, id, 20) == 10);
}
