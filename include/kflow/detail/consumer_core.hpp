#pragma once
// The non-template consumer: group membership, assignment, fetching raw messages, the
// at-least-once offset bookkeeping, commits and a bounded close. consumer<K, V> (sync) and the
// async layer both sit on it.
//
// Offsets: librdkafka's automatic offset store is off. The core remembers which records it
// handed to the application and stores their offsets (so auto-commit and commit() may commit
// them) only once they count as handled: when the application comes back for more, commits,
// or a rebalance/close happens in a later call. Without auto-commit nothing reads the store
// between commits, so it is written only when a commit, revocation or close needs it. A record
// that failed to deserialize holds its partition's stored offset at its own offset until the
// application marks it handled.

#include <kflow/consumer_config.hpp>
#include <kflow/deserialization_error.hpp>
#include <kflow/detail/client_core.hpp>
#include <kflow/detail/config.hpp>
#include <kflow/detail/consumer_queries.hpp>
#include <kflow/rebalance.hpp>
#include <kflow/topic_partition.hpp>

#include <algorithm>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace kflow::detail {

class consumer_core : public client_core {
  public:
    KFLOW_DECL explicit consumer_core(const consumer_config& cfg);

    KFLOW_DECL ~consumer_core() override;

    // -- Subscription and assignment ----------------------------------------------------------

    /// Topic names, or regular expressions when they start with '^'.
    [[nodiscard]] KFLOW_DECL error_info subscribe(const std::vector<std::string>& topics,
                                                  rebalance_listener listener);

    [[nodiscard]] KFLOW_DECL error_info unsubscribe();

    [[nodiscard]] KFLOW_DECL std::vector<std::string> subscription() const;

    /// Manual assignment (no group rebalancing); offsets may be offsets::stored/beginning/end.
    [[nodiscard]] KFLOW_DECL error_info assign(const std::vector<topic_partition_offset>& parts);

    [[nodiscard]] KFLOW_DECL std::vector<topic_partition> assignment() const;

    /// "EAGER", "COOPERATIVE" or "NONE" (not in a group yet).
    [[nodiscard]] std::string rebalance_protocol() const {
        const char* p = rd_kafka_rebalance_protocol(native());
        return p ? p : "NONE";
    }

    // -- Fetching -----------------------------------------------------------------------------

    /// Up to `max` messages within `timeout`, in `out` (cleared first; a caller that keeps the
    /// vector between calls reuses its storage). Error messages from librdkafka are routed
    /// here: partition EOF and non-fatal errors to on_error, fatal ones thrown.
    KFLOW_DECL void fetch(std::vector<message_handle>& out, std::size_t max,
                          std::chrono::milliseconds timeout);

    /// Up to `max` of the messages already taken from librdkafka (see give_back), in `out`
    /// (cleared first), without calling librdkafka: no callback runs and nothing blocks, so it
    /// may be called on any thread that excludes the other calls. False, taking nothing, when
    /// none is ready or when fetch() would raise (it then tells why).
    [[nodiscard]] bool fetch_ready(std::vector<message_handle>& out, std::size_t max) {
        out.clear();
        if (backlog_.empty() || unusable() || security_failed())
            return false;
        if (auto_commit_)
            store_handled();
        take_backlog(out, max);
        return !out.empty();
    }

    /// fetch_ready() for one message: the first of those already taken that is not paused, or
    /// null. The common case of a coroutine's receive (async_consumer::async_receive), without
    /// a vector.
    [[nodiscard]] message_handle fetch_ready_one() {
        if (backlog_.empty() || unusable() || security_failed())
            return {};
        if (auto_commit_)
            store_handled();
        for (auto it = backlog_.begin(); it != backlog_.end(); ++it) {
            if (is_paused(**it))
                continue;
            message_handle msg = std::move(*it);
            if (it == backlog_.begin())
                backlog_.pop_front();
            else
                backlog_.erase(it);
            return msg;
        }
        return {};
    }

    /// As above, in a new vector.
    [[nodiscard]] std::vector<message_handle> fetch(std::size_t max,
                                                    std::chrono::milliseconds timeout) {
        std::vector<message_handle> out;
        fetch(out, max, timeout);
        return out;
    }

    /// Serves the consumer queue (rebalances, errors) without handing records out: records it
    /// takes wait, in order, behind those already waiting for the next fetch.
    KFLOW_DECL void serve_events();

    /// Puts messages back in front of the next fetch (a cancelled receive, a batch cut short).
    void give_back(std::vector<message_handle> msgs) {
        backlog_.insert(backlog_.begin(), std::make_move_iterator(msgs.begin()),
                        std::make_move_iterator(msgs.end()));
    }

    /// Counts revocations: a stamp taken when messages leave the core tells give_back_since()
    /// whether their partitions were revoked meanwhile.
    [[nodiscard]] std::uint64_t revocations() const noexcept { return revocations_; }

    /// Puts back messages taken at `stamp` (see revocations()), except those whose partition was
    /// revoked since: their partition's new owner (or this consumer, if it gets the partition
    /// again) reads them again from the committed offset.
    KFLOW_DECL void give_back_since(std::vector<message_handle> msgs, std::uint64_t stamp);

    /// Records `msg` as handed to the application; its offset is stored once it is handled.
    /// Called for every record, so the partition's entry is found through a one-entry cache
    /// keyed by librdkafka's topic object: records come in runs of one partition, and the map
    /// (whose key is a topic name) is searched only when the run changes.
    /// Only the cache hit is inline (the caller's loop then saves no registers for the rest).
    [[gnu::always_inline]] void handed(const rd_kafka_message_t& msg) {
        if (msg.rkt != handed_cache_.rkt || msg.partition != handed_cache_.partition) [[unlikely]]
            cache_progress_of(msg);
        auto& p = *handed_cache_.progress;
        p.handed_next = std::max(p.handed_next, msg.offset + 1);
        p.dirty = true;
        if (auto* observer = callbacks().observer.get()) [[unlikely]]
            observe_received(*observer, msg);
    }

    /// Tells `observer` of a record handed to the application (see handed()).
    [[gnu::noinline]] KFLOW_DECL void observe_received(metrics::client_observer& observer,
                                                       const rd_kafka_message_t& msg);

    /// A record that failed to deserialize: the partition's stored offset stays at or below it.
    void hold_at(const topic_partition_offset& at) {
        auto& p = progress_[at.partition_id()];
        p.held.insert(at.offset);
        p.handed_next = std::max(p.handed_next, at.offset + 1);
        p.dirty = true;
    }

    /// The application handled (or chose to skip) a record that failed to deserialize.
    void release_hold(const topic_partition_offset& at) {
        auto it = progress_.find(at.partition_id());
        if (it == progress_.end())
            return;
        it->second.held.erase(at.offset);
        it->second.dirty = true;
    }

    /// Stores the offsets of everything handed so far (respecting holds).
    KFLOW_DECL void store_handled();

    // -- Commits ------------------------------------------------------------------------------

    /// The outcome of an asynchronous commit (empty on success) and the offsets as the broker
    /// answered them, each with its own error. Runs on the thread that polls.
    using commit_callback =
        std::function<void(std::error_code, const std::vector<topic_partition_offset>&)>;

    /// Commits the stored offsets of every assigned partition (after storing the handled ones).
    /// An asynchronous commit reports to `done`, or without it a failure to on_error (thrown
    /// from the poll that serves it when there is no on_error).
    [[nodiscard]] KFLOW_DECL error_info commit_handled(bool async, commit_callback done = {});

    /// Commits exactly these offsets (each is the next offset to read).
    [[nodiscard]] KFLOW_DECL error_info commit_offsets(
        const std::vector<topic_partition_offset>& offsets, bool async, commit_callback done = {});

    /// The most a synchronous commit waits for the broker's answer: the config's commit_timeout,
    /// and during close() no later than close's own deadline.
    [[nodiscard]] KFLOW_DECL std::chrono::milliseconds commit_wait_limit() const;

    [[nodiscard]] KFLOW_DECL std::vector<topic_partition_offset> committed(
        const std::vector<topic_partition>& parts, std::chrono::milliseconds timeout,
        error_info& err) const;

    [[nodiscard]] KFLOW_DECL std::vector<topic_partition_offset> position(
        const std::vector<topic_partition>& parts, error_info& err) const;

    // -- Positioning and flow control ---------------------------------------------------------

    [[nodiscard]] KFLOW_DECL error_info seek(const topic_partition_offset& to,
                                             std::chrono::milliseconds timeout);

    /// Drops the records fetched for `tp` that nobody has taken yet: the async layer's seek does
    /// this itself, then moves librdkafka's fetcher off its strand.
    void drop_fetched(const topic_partition& tp) { drop_backlog_for(tp); }
    /// Drops every record fetched that nobody has taken yet (a close: rd_kafka_destroy waits
    /// for every message it handed out).
    void drop_fetched() { backlog_.clear(); }

    [[nodiscard]] KFLOW_DECL error_info pause(const std::vector<topic_partition>& parts);
    [[nodiscard]] KFLOW_DECL error_info resume(const std::vector<topic_partition>& parts);

    /// Asks the partition leader for the current watermarks.
    [[nodiscard]] KFLOW_DECL watermark_offsets query_watermarks(const topic_partition& tp,
                                                                std::chrono::milliseconds timeout,
                                                                error_info& err) const;

    /// The watermarks last seen in fetch responses (no request); invalid before any fetch.
    [[nodiscard]] KFLOW_DECL watermark_offsets cached_watermarks(const topic_partition& tp,
                                                                 error_info& err) const;

    /// For each partition, the first offset whose timestamp is >= the given time (in ms since
    /// the epoch in `offset` on input); offsets::end when there is none.
    [[nodiscard]] KFLOW_DECL std::vector<topic_partition_offset> offsets_for_times(
        const std::vector<topic_partition_offset>& times, std::chrono::milliseconds timeout,
        error_info& err) const;

    // -- Close --------------------------------------------------------------------------------

    /// Stores handled offsets, commits them (with auto-commit on), leaves the group; gives up
    /// after `timeout` even when the brokers are unreachable. Returns what went wrong, if
    /// anything; the consumer is closed either way.
    KFLOW_DECL error_info close(std::chrono::milliseconds timeout);

    /// A commit callback that does nothing. A commit started with a callback is not reported to
    /// librdkafka's configured offset_commit_cb as well (which kflow keeps for librdkafka's own
    /// commits); polled as events, the callback never runs.
    static void no_commit_callback(rd_kafka_t*, rd_kafka_resp_err_t,
                                   rd_kafka_topic_partition_list_t*, void*) {}

    /// A commit librdkafka made on its own (auto-commit, or its commit before a revocation),
    /// as the error an application hears of it.
    KFLOW_DECL static error_info auto_commit_failure(
        rd_kafka_resp_err_t err, const rd_kafka_topic_partition_list_t* offsets);

    /// `opaque` tells whose commit an OFFSET_COMMIT event answers: librdkafka's own commits
    /// carry the client's opaque.
    [[nodiscard]] bool is_own_commit(void* opaque) const noexcept {
        return opaque == rd_kafka_opaque(native());
    }

    [[nodiscard]] bool closed() const noexcept { return closed_; }
    /// The async layer closed the consumer itself (or gave up on it after its deadline).
    void mark_closed() noexcept { closed_ = true; }
    void mark_close_timed_out() noexcept { close_timed_out_ = true; }
    [[nodiscard]] std::chrono::milliseconds close_timeout() const noexcept {
        return close_timeout_;
    }
    [[nodiscard]] rd_kafka_queue_t* queue() const noexcept { return queue_.get(); }

    // -- Rebalancing (also driven by the async layer) -----------------------------------------

    /// Completes an assignment: librdkafka starts fetching, then the listener hears of it.
    KFLOW_DECL void finish_assign(const rd_kafka_topic_partition_list_t* parts);

    /// Completes a revocation: the listener hears of it first (and may commit), then the
    /// partitions are removed from the assignment.
    KFLOW_DECL void begin_revoke(const rd_kafka_topic_partition_list_t* parts);
    KFLOW_DECL void finish_revoke(const rd_kafka_topic_partition_list_t* parts);

    /// The async layer's view of rebalances: called after an assignment and before a
    /// revocation; returning true for a revocation means the observer calls finish_revoke()
    /// itself later (once the application has committed).
    using rebalance_observer =
        std::function<bool(rebalance_kind, const rd_kafka_topic_partition_list_t*)>;
    void observe_rebalances(rebalance_observer observer) {
        rebalance_observer_ = std::move(observer);
    }

    [[nodiscard]] bool incremental() const {
        return std::strcmp(rd_kafka_rebalance_protocol(native()), "COOPERATIVE") == 0;
    }

  private:
    /// How far past its deadline close() may return (the time to hand the last events over)
    /// before it reports that it took too long.
    static constexpr std::chrono::milliseconds close_grace{250};

    /// Closed, and not inside close() (whose rebalance listeners may still commit).
    [[nodiscard]] bool unusable() const noexcept { return closed_ && !closing_; }

    static error_info closed_error(const char* what) {
        return {make_error_code(errc::closed), std::string(what) + ": the consumer is closed", {}};
    }

    /// A commit, bounded by commit_wait_limit(). The answer comes on a queue of its own, so an
    /// answer that comes after the limit is dropped with that queue. A commit callback (which
    /// an event poll never runs) keeps librdkafka from also reporting it to
    /// on_auto_commit_trampoline.
    [[nodiscard]] KFLOW_DECL error_info
    commit_and_wait(const rd_kafka_topic_partition_list_t* offsets);

    /// A commit's answer: the request's error, else the first partition that failed.
    KFLOW_DECL static error_info commit_outcome(rd_kafka_resp_err_t err,
                                                const rd_kafka_topic_partition_list_t* offsets);

    /// librdkafka reports its own commits here, inside a poll: failures go to on_error, so an
    /// application can notice that its offsets are not being committed.
    KFLOW_DECL static void on_auto_commit_trampoline(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                                     rd_kafka_topic_partition_list_t* offsets,
                                                     void*);

    struct partition_progress {
        std::int64_t handed_next = -1;  ///< one past the newest record handed out
        std::int64_t stored = -1;       ///< what was last stored
        std::set<std::int64_t> held;    ///< offsets of failed records not yet handled
        bool dirty = false;
    };

    KFLOW_DECL static conf_handle prepare(const consumer_config& cfg);

    /// An asynchronous commit waiting for its result; its address is the commit's opaque.
    struct pending_commit {
        commit_callback done;
    };

    [[nodiscard]] KFLOW_DECL error_info
    start_async_commit(const rd_kafka_topic_partition_list_t* offsets, commit_callback done);

    KFLOW_DECL static void on_commit_trampoline(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                                rd_kafka_topic_partition_list_t* offsets,
                                                void* opaque);

    KFLOW_DECL void report_commit(pending_commit& op, rd_kafka_resp_err_t err,
                                  const rd_kafka_topic_partition_list_t* offsets);

    KFLOW_DECL static void on_rebalance_trampoline(rd_kafka_t*, rd_kafka_resp_err_t err,
                                                   rd_kafka_topic_partition_list_t* parts,
                                                   void* opaque);

    KFLOW_DECL void report_consumer_error(const rd_kafka_message_t& msg);

    [[nodiscard]] bool is_paused(const rd_kafka_message_t& m) const {
        return !paused_.empty() && paused_.contains({rd_kafka_topic_name(m.rkt), m.partition});
    }

    /// Moves up to `max` messages of unpaused partitions from the backlog's front to `out`.
    void take_backlog(std::vector<message_handle>& out, std::size_t max) {
        for (auto it = backlog_.begin(); it != backlog_.end() && out.size() < max;) {
            if (is_paused(**it)) {
                ++it;
                continue;
            }
            out.push_back(std::move(*it));
            it = backlog_.erase(it);
        }
    }

    void drop_backlog_for(const topic_partition& tp) {
        std::erase_if(backlog_, [&](const message_handle& m) {
            return m->partition == tp.partition && tp.topic == rd_kafka_topic_name(m->rkt);
        });
    }

    KFLOW_DECL void destroy();

    queue_handle queue_;
    queue_handle close_queue_;
    // A deque: receives take from its front one record at a time (async_receive prefetches).
    std::deque<message_handle> backlog_;
    std::vector<rd_kafka_message_t*> raw_;  ///< fetch()'s buffer for librdkafka, reused
    std::set<topic_partition> paused_;      ///< paused by the application, until resumed
    std::map<topic_partition, partition_progress> progress_;
    /// The progress_ entry of the last record handed. Forgotten whenever the assignment changes:
    /// a topic object may be freed once none of its partitions is assigned, and a new topic's
    /// object could then reuse its address.
    struct {
        const rd_kafka_topic_t* rkt = nullptr;
        std::int32_t partition = -1;
        partition_progress* progress = nullptr;
    } handed_cache_;
    void forget_handed_cache() noexcept { handed_cache_ = {}; }
    /// Points handed_cache_ at the progress_ entry of `msg`'s partition (made if new).
    [[gnu::noinline]] KFLOW_DECL void cache_progress_of(const rd_kafka_message_t& msg);
    std::vector<std::unique_ptr<pending_commit>> pending_commits_;
    std::uint64_t revocations_ = 0;
    std::map<topic_partition, std::uint64_t> revoked_at_;  ///< when each was last revoked
    rebalance_listener listener_;
    rebalance_observer rebalance_observer_;
    std::chrono::milliseconds close_timeout_;
    std::chrono::milliseconds commit_timeout_;
    std::optional<std::chrono::steady_clock::time_point> close_deadline_;  ///< while closing
    bool manual_offset_store_;
    bool auto_commit_;
    bool closed_ = false;
    bool closing_ = false;
    bool close_timed_out_ = false;
};

}  // namespace kflow::detail

#if !defined(KFLOW_SEPARATE_COMPILATION)
#include <kflow/detail/impl/consumer_core.ipp>
#endif
