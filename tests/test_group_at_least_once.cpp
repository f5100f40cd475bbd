// Proof: a consumer group whose members run as separate processes delivers every record at
// least once through member failures, over real sockets against the mock cluster. Members
// (tests/group_member.cpp) append each record to a file of their own before it counts as
// handled, and commit synchronously every 50 records, when caught up, and in on_revoked. The
// test kills one member with SIGKILL mid-stream, closes another (SIGTERM: close()), destroys a
// third without close() (SIGUSR1: the destructor closes), and starts two new members meanwhile.
//
// What it checks:
// - lost: every record is in some member's file;
// - the group's committed offsets never pass a record that no member had handled: sampled
//   while the group runs (committed offsets first, then the files: a member writes a record
//   before it commits it), and once more at the end with a plain consumer of the group;
// - duplicates (records handled more than once) are bounded: a record can only be handled
//   again if a member handled it and then lost the partition (revoked, lost, killed, closed)
//   before a successful commit covered it; the members' files say which records those were;
// - committed offsets do not go back, seen two ways, neither complete: every successful commit
//   the members logged, merged in time order (what each member committed as it knows it, not
//   read back from the broker), and the broker's answer sampled every ~100 ms from outside the
//   group (a regression undone between two samples is not seen).
//
// The mock's limits shape the run (docs/mock-cluster.md): each rebalance round stalls the group
// for about session timeout - 1 s, a killed member holds up the rebalance until its session
// times out, a follower's SyncGroup that arrives after the leader's is refused and forces
// another round, and commits are refused with REBALANCE_IN_PROGRESS from the start of a round
// until the members hear of it (duplicates there are expected). Members handle at a fixed pace
// so that each failure lands while records are still unread.
#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#ifndef KFLOW_GROUP_MEMBER
#error "KFLOW_GROUP_MEMBER must name the group member program (tests/CMakeLists.txt)"
#endif

extern char** environ;

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using string_consumer = kflow::consumer<std::string, std::string>;
namespace fs = std::filesystem;

namespace {

constexpr int partitions = 6;
constexpr int total_records = 30'000;
constexpr int per_partition = total_records / partitions;
/// Each member's pace: fast enough to finish in a few seconds once the failures are over,
/// slow enough that the failures (each one a few seconds apart) land mid-stream.
constexpr int records_per_second = 2000;
/// The members' session timeout, shorter than test_consumer_config's 6 s: the mock's rebalance
/// rounds last this long minus 1 s, a killed member holds its partitions for about this long,
/// and a refused SyncGroup costs one more round. On 2 shared cores a run took 26-41 s with 6 s,
/// 17-29 s with 3 s. Heartbeats still go every 500 ms, six per session, and a member that times
/// out anyway only adds a round: its records are handled again, never lost.
constexpr std::chrono::milliseconds session_timeout{3000};
/// A member counts as running once it handled this many records.
constexpr std::size_t running_after = 300;
/// The group's part of the test, from the first member started to the last one gone: every
/// wait fails once it is over (ctest's own timeout for the program is 180 s).
constexpr auto time_limit = 90s;

double seconds_since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// A successful commit as a member logged it.
struct logged_commit {
    std::int64_t at_us;  ///< monotonic clock, the same in every process
    std::int32_t partition;
    std::int64_t next;
    std::string member;
};

/// One member process, and what its file said so far.
struct member {
    std::string name;
    fs::path out;
    fs::path log;  ///< its stdout and stderr
    pid_t pid = -1;
    std::optional<int> status;  ///< waitpid status, once it exited
    bool stop_sent = false;     ///< the test told it to go; exiting is no surprise then

    std::size_t read_pos = 0;
    std::string partial;
    std::size_t handled = 0;
    std::size_t partition_commits = 0;  ///< "committed" lines
    std::vector<logged_commit> commits;
    std::size_t commit_failures = 0;
    std::size_t revocations = 0;
    /// Records handled that no commit of this member has covered yet, per partition.
    std::map<std::int32_t, std::vector<std::int64_t>> uncommitted;
    /// Records handled, then given up (revoked, lost, or the member ended) uncommitted.
    std::size_t exposed = 0;
    /// Of those, the ones it still held uncommitted when it ended (killed, closed, destroyed).
    std::size_t exposed_at_end = 0;
    std::optional<std::string> closed;     ///< "<ms> ms, <result>"
    std::optional<std::string> destroyed;  ///< "<ms>"
    std::vector<std::string> unknown;      ///< lines that did not parse

    [[nodiscard]] bool running() const { return pid > 0 && !status; }

    [[nodiscard]] std::string describe_status() const {
        if (!status)
            return pid > 0 ? "running" : "not started";
        if (WIFEXITED(*status))
            return "exit " + std::to_string(WEXITSTATUS(*status));
        if (WIFSIGNALED(*status))
            return std::string("signal ") + strsignal(WTERMSIG(*status));
        return "status " + std::to_string(*status);
    }

    [[nodiscard]] std::string log_tail(std::size_t max = 2000) const {
        std::ifstream in(log, std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (text.size() > max)
            text = "..." + text.substr(text.size() - max);
        return text;
    }
};

/// Every record of the topic: how often it was handled. Value v sits at partition v % 6,
/// offset v / 6 (the producer sends them so).
struct ledger {
    std::vector<std::uint16_t> seen = std::vector<std::uint16_t>(total_records, 0);
    std::size_t unique = 0;
    std::size_t lines = 0;
    std::vector<std::string> anomalies;
    /// Per partition: the lowest offset no member has handled yet.
    std::vector<std::int64_t> prefix = std::vector<std::int64_t>(partitions, 0);

    void record(std::int32_t p, std::int64_t o, long v) {
        ++lines;
        if (p < 0 || p >= partitions || o < 0 || o >= per_partition || v != o * partitions + p) {
            anomalies.push_back("record " + std::to_string(p) + "@" + std::to_string(o) +
                                " with value " + std::to_string(v));
            return;
        }
        if (seen[static_cast<std::size_t>(v)]++ == 0)
            ++unique;
        auto& next = prefix[static_cast<std::size_t>(p)];
        while (next < per_partition && seen[static_cast<std::size_t>(next * partitions + p)] > 0)
            ++next;
    }
};

template <class T>
bool parse_number(std::string_view text, T& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

/// Reads what `m` appended to its file since the last call.
void ingest(member& m, ledger& book) {
    std::ifstream in(m.out, std::ios::binary);
    if (!in)
        return;  // not created yet
    in.seekg(static_cast<std::streamoff>(m.read_pos));
    std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    m.read_pos += chunk.size();
    m.partial += chunk;
    std::size_t start = 0;
    for (std::size_t nl; (nl = m.partial.find('\n', start)) != std::string::npos; start = nl + 1) {
        const std::string line = m.partial.substr(start, nl - start);
        std::istringstream fields(line);
        std::vector<std::string> f;
        for (std::string word; fields >> word;)
            f.push_back(word);
        f.resize(std::max<std::size_t>(f.size(), 4));
        std::int32_t p = 0;
        std::int64_t o = 0;
        std::int64_t at = 0;
        long v = 0;
        if (parse_number(f[0], p) && parse_number(f[1], o) && parse_number(f[2], v)) {
            ++m.handled;
            m.uncommitted[p].push_back(o);
            book.record(p, o, v);
        } else if (f[0] == "committed" && parse_number(f[1], p) && parse_number(f[2], o) &&
                   parse_number(f[3], at)) {
            ++m.partition_commits;
            m.commits.push_back({at, p, o, m.name});
            std::erase_if(m.uncommitted[p], [o](std::int64_t h) { return h < o; });
        } else if (f[0] == "commit-failed") {
            ++m.commit_failures;
        } else if ((f[0] == "revoked" || f[0] == "lost") && parse_number(f[1], p)) {
            m.revocations += f[0] == "revoked" ? 1 : 0;
            m.exposed += m.uncommitted[p].size();
            m.uncommitted[p].clear();
        } else if (f[0] == "closed") {
            std::string result;  // the words after the time: "ok", or close()'s error
            for (std::size_t i = 2; i < f.size(); ++i)
                result += (result.empty() || f[i].empty() ? "" : " ") + f[i];
            m.closed = f[1] + " ms, " + result;
        } else if (f[0] == "destroyed") {
            m.destroyed = f[1];
        } else if (f[0] != "assigned") {
            m.unknown.push_back(line);
        }
    }
    m.partial.erase(0, start);
}

/// The member is gone: what it handled and never saw committed may be handled again.
void finish(member& m) {
    for (auto& [p, offsets] : m.uncommitted) {
        m.exposed += offsets.size();
        m.exposed_at_end += offsets.size();
        offsets.clear();
    }
}

/// Every successful commit the members logged, in time order: per partition, none may go back.
/// Returns the first 20 that do. (What each member committed as it knows it; the broker's own
/// view is only sampled, see group_run::check_committed.)
std::vector<std::string> commit_log_regressions(const std::deque<member>& members,
                                                std::size_t& checked) {
    std::vector<logged_commit> all;
    for (const auto& m : members)
        all.insert(all.end(), m.commits.begin(), m.commits.end());
    std::stable_sort(all.begin(), all.end(),
                     [](const auto& x, const auto& y) { return x.at_us < y.at_us; });
    checked = all.size();
    std::vector<std::string> out;
    std::map<std::int32_t, const logged_commit*> last;
    for (const auto& c : all) {
        auto& before = last[c.partition];
        if (before != nullptr && c.next < before->next && out.size() < 20) {
            out.push_back("partition " + std::to_string(c.partition) + ": " + c.member +
                          " committed " + std::to_string(c.next) + " after " + before->member +
                          " had committed " + std::to_string(before->next));
        }
        before = &c;
    }
    return out;
}

class group_run {
  public:
    group_run(std::string bootstrap, std::string topic, std::string group, fs::path dir)
        : bootstrap_(std::move(bootstrap)),
          topic_(std::move(topic)),
          group_(std::move(group)),
          dir_(std::move(dir)),
          observer_(observer_config()) {}

    group_run(const group_run&) = delete;
    group_run& operator=(const group_run&) = delete;

    /// Whatever happened, no member outlives the test.
    ~group_run() {
        for (auto& m : members_) {
            if (m.running()) {
                ::kill(m.pid, SIGKILL);
                int st = 0;
                ::waitpid(m.pid, &st, 0);
            }
        }
    }

    member& start(const std::string& name) {
        auto& m = members_.emplace_back();
        m.name = name;
        m.out = dir_ / (name + ".records");
        m.log = dir_ / (name + ".log");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, m.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        const std::string rate = std::to_string(records_per_second);
        std::vector<std::string> args = {KFLOW_GROUP_MEMBER,
                                         bootstrap_,
                                         topic_,
                                         group_,
                                         m.out.string(),
                                         rate,
                                         std::to_string(session_timeout.count())};
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        const int rc =
            posix_spawn(&m.pid, KFLOW_GROUP_MEMBER, &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        INFO("posix_spawn " << KFLOW_GROUP_MEMBER << ": " << std::strerror(rc));
        REQUIRE(rc == 0);
        return m;
    }

    void signal(member& m, int sig) {
        REQUIRE(m.running());
        m.stop_sent = true;
        REQUIRE(::kill(m.pid, sig) == 0);
    }

    /// Polls (files, committed offsets, exits) until `done()` or `limit` (bounded by the test's
    /// overall limit); fails saying `what` did not happen.
    void wait_until(const std::string& what, std::chrono::seconds limit,
                    const std::function<bool()>& done) {
        const auto until = std::min(clock_type::now() + limit, deadline_);
        for (;;) {
            observe();
            if (done())
                return;
            if (clock_type::now() >= until) {
                FAIL("timed out ("
                     << limit.count() << " s, test limit "
                     << std::chrono::duration_cast<std::chrono::seconds>(time_limit).count()
                     << " s) waiting until " << what << "\n"
                     << progress());
            }
            // Other processes' files and exits raise no event here: look again shortly.
            std::this_thread::sleep_for(20ms);
        }
    }

    void wait_exit(member& m, std::chrono::seconds limit) {
        wait_until(m.name + " exits", limit, [&] { return !m.running(); });
    }

    /// One look: reap exits, sample the committed offsets (first), then read the files.
    void observe() {
        for (auto& m : members_) {
            if (!m.running())
                continue;
            int st = 0;
            if (::waitpid(m.pid, &st, WNOHANG) == m.pid) {
                m.status = st;
                if (!m.stop_sent) {
                    FAIL("member " << m.name << " exited by itself (" << m.describe_status()
                                   << "); its log:\n"
                                   << m.log_tail());
                }
            }
        }
        std::optional<std::vector<kflow::topic_partition_offset>> committed;
        if (clock_type::now() >= next_sample_) {
            next_sample_ = clock_type::now() + 100ms;
            committed = sample_committed();
        }
        for (auto& m : members_)
            ingest(m, book_);
        if (committed)
            check_committed(*committed, "while running");
    }

    /// The group's committed offsets, or nothing when the coordinator did not answer.
    std::optional<std::vector<kflow::topic_partition_offset>> sample_committed() {
        try {
            ++samples_;
            return observer_.committed(all_partitions(), 5s);
        } catch (const kflow::kafka_error&) {
            ++failed_samples_;
            return std::nullopt;
        }
    }

    /// Keeps the first few findings of a kind (a broken run would find thousands).
    static void note(std::vector<std::string>& findings, std::string what) {
        if (findings.size() < 20)
            findings.push_back(std::move(what));
    }

    /// Committed offsets may not pass a record no member handled, nor go back.
    void check_committed(const std::vector<kflow::topic_partition_offset>& committed,
                         const char* when) {
        for (const auto& c : committed) {
            if (c.offset < 0)
                continue;  // nothing committed yet
            const auto p = static_cast<std::size_t>(c.partition);
            if (c.offset > book_.prefix[p]) {
                ++violation_count_;
                note(violations_, std::string(when) + ": partition " + std::to_string(c.partition) +
                                      " committed at " + std::to_string(c.offset) + " but offset " +
                                      std::to_string(book_.prefix[p]) + " was never handled");
            }
            if (c.offset < last_committed_[p]) {
                ++regression_count_;
                note(regressions_, std::string(when) + ": partition " +
                                       std::to_string(c.partition) + " went back from " +
                                       std::to_string(last_committed_[p]) + " to " +
                                       std::to_string(c.offset));
            }
            last_committed_[p] = c.offset;
        }
    }

    [[nodiscard]] bool committed_everything() const {
        return std::all_of(last_committed_.begin(), last_committed_.end(),
                           [](std::int64_t c) { return c == per_partition; });
    }

    [[nodiscard]] std::string progress() const {
        std::ostringstream out;
        out << "handled " << book_.unique << " of " << total_records << " records (" << book_.lines
            << " lines); committed";
        for (auto c : last_committed_)
            out << ' ' << c;
        out << "; files in " << dir_.string();
        for (const auto& m : members_) {
            out << "\n  " << m.name << ": " << m.describe_status() << ", handled " << m.handled
                << ", commit failures " << m.commit_failures << ", revocations " << m.revocations;
        }
        return out.str();
    }

    std::vector<kflow::topic_partition> all_partitions() const {
        std::vector<kflow::topic_partition> out;
        for (int p = 0; p < partitions; ++p)
            out.push_back({topic_, p});
        return out;
    }

    /// Every member is gone: read what is left of their files.
    void finish_all() {
        for (auto& m : members_) {
            ingest(m, book_);
            finish(m);
        }
    }

    void set_deadline(clock_type::time_point d) { deadline_ = d; }
    [[nodiscard]] const ledger& book() const { return book_; }
    std::deque<member>& members() { return members_; }
    /// The first findings; *_count() has how many there were.
    [[nodiscard]] const std::vector<std::string>& violations() const { return violations_; }
    [[nodiscard]] const std::vector<std::string>& regressions() const { return regressions_; }
    [[nodiscard]] std::size_t violation_count() const { return violation_count_; }
    [[nodiscard]] std::size_t regression_count() const { return regression_count_; }
    [[nodiscard]] std::size_t samples() const { return samples_; }
    [[nodiscard]] std::size_t failed_samples() const { return failed_samples_; }

  private:
    kflow::consumer_config observer_config() const {
        // In the group only to ask for its offsets: it never subscribes, so never joins.
        auto config = kflow::testing::test_consumer_config(bootstrap_, group_);
        config.enable_auto_commit(false);
        return config;
    }

    std::string bootstrap_;
    std::string topic_;
    std::string group_;
    fs::path dir_;
    string_consumer observer_;
    std::deque<member> members_;  // stable addresses
    ledger book_;
    std::vector<std::int64_t> last_committed_ = std::vector<std::int64_t>(partitions, -1);
    std::vector<std::string> violations_;
    std::vector<std::string> regressions_;
    clock_type::time_point next_sample_{};
    clock_type::time_point deadline_ = clock_type::now() + time_limit;
    std::size_t samples_ = 0;
    std::size_t failed_samples_ = 0;
    std::size_t violation_count_ = 0;
    std::size_t regression_count_ = 0;
};

/// "0".."29999", value v to partition v % 6, so that v sits at offset v / 6.
void produce_all(const std::string& bootstrap, const std::string& topic) {
    kflow::producer<std::string, std::string> producer(
        kflow::testing::test_producer_config(bootstrap));
    for (int v = 0; v < total_records; ++v)
        producer.send({topic, "", std::to_string(v), {}, v % partitions});
    producer.flush(30s);
}

}  // namespace

TEST_CASE("a consumer group delivers every record at least once through member failures",
          "[consumer][rebalance][proof][mock]") {
    kflow::testing::mock_cluster cluster;
    const auto bootstrap = cluster.bootstrap_servers();
    const auto topic = kflow::testing::unique_name("group-alo");
    const auto group = kflow::testing::unique_name("group-alo");
    cluster.create_topic(topic, partitions);
    produce_all(bootstrap, topic);

    // The mock keeps a few MiB per partition: every record must still be there, each once
    // (a duplicate from a lost produce acknowledgement would break the value/offset mapping).
    {
        string_consumer probe(kflow::testing::test_consumer_config(bootstrap, group));
        for (int p = 0; p < partitions; ++p) {
            const auto w = probe.watermarks({topic, p});
            REQUIRE(w.low == 0);
            REQUIRE(w.high == per_partition);
        }
    }

    // Each member's records and log; kept when the proof fails.
    const auto dir = fs::temp_directory_path() / kflow::testing::unique_name("kflow-group-alo");
    fs::create_directories(dir);

    const auto start = clock_type::now();
    std::vector<std::pair<std::string, double>> phases;
    const auto phase_done = [&](std::string what) {
        phases.emplace_back(what, seconds_since(start));
    };

    group_run run(bootstrap, topic, group, dir);
    run.set_deadline(start + time_limit);
    auto& a = run.start("a");
    auto& b = run.start("b");
    auto& c = run.start("c");
    run.wait_until("a, b and c all handle records", 30s,
                   [&] { return a.handled >= running_after && b.handled > 0 && c.handled > 0; });
    phase_done("a, b, c running");

    // SIGKILL: no close, no commit; its partitions wait for its session to time out.
    const auto left_at_kill = total_records - run.book().unique;
    const auto a_handled_at_kill = a.handled;
    run.signal(a, SIGKILL);
    auto& d = run.start("d");
    run.wait_exit(a, 10s);
    run.wait_until("d, started when a was killed, handles records", 40s,
                   [&] { return d.handled >= running_after; });
    phase_done("a killed, d running");

    // SIGTERM: close() commits in on_revoked and leaves the group.
    const auto left_at_close = total_records - run.book().unique;
    run.signal(b, SIGTERM);
    run.wait_exit(b, 20s);
    auto& e = run.start("e");
    run.wait_until("e, started when b closed, handles records", 30s,
                   [&] { return e.handled >= running_after; });
    phase_done("b closed, e running");

    // SIGUSR1: the consumer is destroyed without close(); its destructor closes.
    const auto left_at_destroy = total_records - run.book().unique;
    run.signal(c, SIGUSR1);
    run.wait_exit(c, 20s);
    phase_done("c destroyed");

    run.wait_until("every record is handled and committed", 60s, [&] {
        return run.book().unique == static_cast<std::size_t>(total_records) &&
               run.committed_everything();
    });
    phase_done("all handled and committed");
    run.signal(d, SIGTERM);
    run.signal(e, SIGTERM);
    run.wait_exit(d, 20s);
    run.wait_exit(e, 20s);
    phase_done("d, e closed");
    const double took = seconds_since(start);

    run.finish_all();

    // The final word, from a plain consumer of the group.
    std::vector<kflow::topic_partition_offset> final_committed;
    {
        string_consumer check(kflow::testing::test_consumer_config(bootstrap, group));
        final_committed = check.committed(run.all_partitions(), 10s);
    }
    run.check_committed(final_committed, "at the end");

    const auto& book = run.book();
    std::size_t duplicates = 0;
    std::size_t lost = 0;
    std::vector<int> missing;
    for (int v = 0; v < total_records; ++v) {
        const auto n = book.seen[static_cast<std::size_t>(v)];
        duplicates += n > 1 ? n - 1 : 0;
        if (n == 0 && ++lost <= 10)
            missing.push_back(v);
    }
    std::size_t exposed = 0;
    for (const auto& m : run.members())
        exposed += m.exposed;
    std::size_t logged_commits = 0;
    const auto logged_regressions = commit_log_regressions(run.members(), logged_commits);

    std::ostringstream report;
    report << "proof: group at-least-once: " << total_records << " records, " << partitions
           << " partitions, handled " << book.lines << " times (" << book.unique
           << " distinct), lost " << lost << ", duplicates " << duplicates
           << " (bound: handled, then given up before a commit covered them: " << exposed
           << "), took " << took << " s; records left at the kill " << left_at_kill
           << ", at the close " << left_at_close << ", at the destruction " << left_at_destroy
           << "; committed offsets sampled " << run.samples() << " times (" << run.failed_samples()
           << " unanswered), " << logged_commits
           << " partition commits logged by members; files in " << dir.string();
    for (const auto& m : run.members()) {
        report << "\nproof: group at-least-once: member " << m.name << ": " << m.describe_status()
               << ", handled " << m.handled << ", exposed " << m.exposed << " (" << m.exposed_at_end
               << " when it ended), partition commits " << m.partition_commits
               << ", commits refused " << m.commit_failures << ", revocations " << m.revocations;
        if (m.closed)
            report << ", close " << *m.closed;
        if (m.destroyed)
            report << ", destroyed in " << *m.destroyed << " ms";
    }
    // The monotonic clock at the start lines the phases up with the members' logs.
    report << "\nproof: group at-least-once: phases (seconds after "
           << std::chrono::duration<double>(start.time_since_epoch()).count() << "):";
    for (const auto& [what, at] : phases)
        report << " [" << at << "] " << what << ";";
    std::cout << report.str() << std::endl;
    INFO(report.str());

    CHECK(book.anomalies.empty());
    for (const auto& m : run.members())
        CHECK(m.unknown.empty());
    INFO("first values never handled: " << Catch::Detail::stringify(missing));
    CHECK(lost == 0);
    CHECK(duplicates <= exposed);
    INFO(run.violation_count() << " committed offset(s) past unhandled records, the first: "
                               << Catch::Detail::stringify(run.violations()));
    CHECK(run.violation_count() == 0);
    INFO(run.regression_count() << " committed offset(s) seen going back, the first: "
                                << Catch::Detail::stringify(run.regressions()));
    CHECK(run.regression_count() == 0);
    INFO("commits logged going back (the first): " << Catch::Detail::stringify(logged_regressions));
    CHECK(logged_regressions.empty());
    for (const auto& f : final_committed)
        CHECK(f.offset == per_partition);

    // The failures happened as intended: mid-stream, each the way it was meant.
    CHECK(left_at_kill > 0);
    CHECK(a_handled_at_kill >= running_after);
    CHECK(left_at_close > 0);
    CHECK(left_at_destroy > 0);
    REQUIRE(a.status);
    CHECK((WIFSIGNALED(*a.status) && WTERMSIG(*a.status) == SIGKILL));
    for (member* m : {&b, &c, &d, &e}) {
        INFO(m->name << ": " << m->describe_status() << "; its log:\n" << m->log_tail());
        REQUIRE(m->status);
        CHECK((WIFEXITED(*m->status) && WEXITSTATUS(*m->status) == 0));
    }
    for (member* m : {&b, &d, &e}) {
        INFO(m->name << " closed: " << m->closed.value_or("(no close line)"));
        REQUIRE(m->closed);
        CHECK(m->closed->ends_with(", ok"));
    }
    CHECK(c.destroyed);

    // Kept for a look when the proof failed (the report names the directory).
    if (lost == 0 && duplicates <= exposed && run.violations().empty() &&
        run.regressions().empty() && logged_regressions.empty()) {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }
}
