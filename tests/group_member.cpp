// One member of a consumer group, run as a process of its own by test_group_at_least_once.
//
//   kflow-test-group-member BOOTSTRAP TOPIC GROUP OUTPUT RECORDS_PER_SECOND SESSION_TIMEOUT_MS
//
// It subscribes to TOPIC in GROUP (eager assignment, auto-commit off) and handles each record
// by appending it to OUTPUT, before polling again or committing (which is when kflow counts a
// record as handled). It commits synchronously after every 50 records, when it has caught up,
// and in on_revoked. Handling is paced at RECORDS_PER_SECOND so that the test's failures land
// while records are still unread.
//
// OUTPUT, one line per event, each written with one write(2) so a SIGKILL never cuts a line:
//   <partition> <offset> <value>    a record handled
//   committed <partition> <next> <us>
//                                   a commit succeeded: this member's records of that
//                                   partition below <next> are committed; <us> is when, on
//                                   the monotonic clock (the same in every process)
//   commit-failed <why>: <error>    (expected on the mock during its rebalance windows)
//   assigned|revoked|lost <partition>
//   closed <ms> <error or "ok">     after SIGTERM: close() returned
//   destroyed <ms>                  after SIGUSR1: the consumer was destroyed without close()
//
// KFLOW_GROUP_MEMBER_DEBUG, when set, turns on librdkafka's debug contexts it names (on stderr).
//
// SIGTERM: close() and exit 0. SIGUSR1: leave the consumer's scope without close(), so its
// destructor closes it, and exit 0. SIGKILL is the test's own.
#include <kflow/consumer.hpp>
#include <kflow/testing/helpers.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using string_consumer = kflow::consumer<std::string, std::string>;

namespace {

volatile std::sig_atomic_t close_requested = 0;
volatile std::sig_atomic_t destroy_requested = 0;

extern "C" void on_signal(int sig) {
    if (sig == SIGTERM)
        close_requested = 1;
    else if (sig == SIGUSR1)
        destroy_requested = 1;
}

/// Commit after this many handled records.
constexpr std::size_t commit_every = 50;
/// At most this many records per poll: a commit covers every record handed out, so batches
/// stay small and each is written in full before the next poll or commit.
constexpr std::size_t batch_size = 10;

class output {
  public:
    explicit output(const char* path) : fd_(::open(path, O_WRONLY | O_CREAT | O_APPEND, 0644)) {
        if (fd_ < 0) {
            std::perror(path);
            std::exit(2);
        }
    }
    output(const output&) = delete;
    output& operator=(const output&) = delete;
    ~output() { ::close(fd_); }

    void line(std::string text) {
        text += '\n';
        // One write per line: readers (the test) see whole lines, even after a SIGKILL.
        if (::write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
            std::perror("write");
            std::_Exit(3);
        }
    }

  private:
    int fd_;
};

/// A line on stderr, stamped with the monotonic clock (the same in every process), so that the
/// members' logs can be laid side by side.
void note(const std::string& text) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now().time_since_epoch())
            .count();
    std::fprintf(stderr, "%lld.%03lld %s\n", static_cast<long long>(ms / 1000),
                 static_cast<long long>(ms % 1000), text.c_str());
}

/// What this member handled since its partitions were assigned, and what it committed.
struct member_state {
    output& out;
    /// Per partition handled since the last assignment: one past the newest record handled.
    std::map<std::int32_t, std::int64_t> handled_next;
    std::size_t since_commit = 0;   ///< records handled since the last successful commit
    std::size_t since_attempt = 0;  ///< since the last commit tried: a refused one waits
    clock_type::time_point last_attempt{};
    clock_type::time_point stop_requested{};

    void commit(string_consumer& consumer, const char* why) {
        last_attempt = clock_type::now();
        since_attempt = 0;
        kflow::error_info ec;
        consumer.commit(ec);
        if (ec) {
            out.line(std::string("commit-failed ") + why + ": " + ec.message);
            note("commit (" + std::string(why) + ") failed: " + ec.message);
            return;
        }
        const auto at = std::chrono::duration_cast<std::chrono::microseconds>(
                            clock_type::now().time_since_epoch())
                            .count();
        for (const auto& [partition, next] : handled_next) {
            out.line("committed " + std::to_string(partition) + " " + std::to_string(next) + " " +
                     std::to_string(at));
        }
        since_commit = 0;
    }

    void forget(const std::vector<kflow::topic_partition>& parts, const char* what) {
        note(std::string(what) + " " + std::to_string(parts.size()) + " partition(s)");
        for (const auto& tp : parts) {
            out.line(std::string(what) + " " + std::to_string(tp.partition));
            handled_next.erase(tp.partition);
        }
        since_commit = 0;
        since_attempt = 0;
    }
};

enum class ending { closed, destroy };

long long ms_since(clock_type::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start).count();
}

/// Runs the member until a signal; the consumer is destroyed when this returns.
ending run(const kflow::consumer_config& config, const std::string& topic, member_state& state,
           std::chrono::microseconds cost_per_record) {
    string_consumer consumer(config);
    kflow::rebalance_listener listener;
    listener.on_assigned = [&state](const std::vector<kflow::topic_partition>& parts) {
        note("assigned " + std::to_string(parts.size()) + " partition(s)");
        for (const auto& tp : parts)
            state.out.line("assigned " + std::to_string(tp.partition));
    };
    listener.on_revoked = [&state, &consumer](const std::vector<kflow::topic_partition>& parts) {
        state.commit(consumer, "on_revoked");
        state.forget(parts, "revoked");
    };
    listener.on_lost = [&state](const std::vector<kflow::topic_partition>& parts) {
        state.forget(parts, "lost");  // another member may own them already: no commit
    };
    consumer.subscribe({topic}, std::move(listener));

    while (close_requested == 0 && destroy_requested == 0) {
        const auto batch = consumer.poll_batch(batch_size, 100ms);
        if (batch.empty()) {
            // Caught up: commit the tail, so that the group's offsets reach the end.
            if (state.since_commit > 0 && clock_type::now() - state.last_attempt > 200ms)
                state.commit(consumer, "caught up");
            continue;
        }
        for (const auto& r : batch) {
            state.out.line(std::to_string(r.partition) + " " + std::to_string(r.offset) + " " +
                           r.value);
            state.handled_next[r.partition] = r.offset + 1;
            ++state.since_commit;
            ++state.since_attempt;
        }
        std::this_thread::sleep_for(cost_per_record * batch.size());  // the records' "work"
        if (state.since_attempt >= commit_every)
            state.commit(consumer, "periodic");
    }
    state.stop_requested = clock_type::now();
    if (destroy_requested != 0)
        return ending::destroy;  // without close(): the destructor closes
    kflow::error_info ec;
    consumer.close(ec);
    state.out.line("closed " + std::to_string(ms_since(state.stop_requested)) + " " +
                   (ec ? ec.message : "ok"));
    return ending::closed;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 7) {
        std::fprintf(
            stderr,
            "usage: %s BOOTSTRAP TOPIC GROUP OUTPUT RECORDS_PER_SECOND SESSION_TIMEOUT_MS\n",
            argv[0]);
        return 2;
    }
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGUSR1, &action, nullptr);

    const std::string topic = argv[2];
    const long rate = std::strtol(argv[5], nullptr, 10);
    const auto cost = std::chrono::microseconds(rate > 0 ? 1000000 / rate : 0);

    auto config = kflow::testing::test_consumer_config(argv[1], argv[3]);
    config.session_timeout(std::chrono::milliseconds(std::strtol(argv[6], nullptr, 10)))
        .enable_auto_commit(false)
        .on_error([](const kflow::error_info& e) { note("consumer error: " + e.message); });

    // For a look at the group protocol when the test misbehaves, e.g. "cgrp".
    if (const char* contexts = std::getenv("KFLOW_GROUP_MEMBER_DEBUG"))
        config.debug(contexts);

    output out(argv[4]);  // outlives the consumer: its destructor's on_revoked writes here
    member_state state{out, {}, 0, 0, {}, {}};
    try {
        if (run(config, topic, state, cost) == ending::destroy)
            out.line("destroyed " + std::to_string(ms_since(state.stop_requested)));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "member failed: %s\n", e.what());
        return 1;
    }
    return 0;
}
