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
#include <kflow/detail/consumer_queries.hpp>
#include <kflow/rebalance.hpp>
#include <kflow/topic_partition.hpp>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace kflow::detail {

class consumer_core : public client_core {
  public:
    explicit consumer_core(const consumer_config& cfg)
        : client_core(RD_KAFKA_CONSUMER, prepare(cfg), cfg.callbacks()),
          close_timeout_(cfg.close_timeout()),
          commit_timeout_(cfg.commit_timeout()),
          manual_offset_store_(cfg.get("enable.auto.offset.store").value_or("true") == "false"),
          auto_commit_(cfg.get("enable.auto.commit").value_or("true") == "true") {
        // One queue for everything: client events are served by the consumer's own polls.
        if (auto err = described(rd_kafka_poll_set_consumer(native()), "consumer queue"))
            err.raise({});
        queue_.reset(rd_kafka_queue_get_consumer(native()));
        if (!queue_) {
            throw kafka_error(make_error_code(errc::invalid_config),
                              "consumer: librdkafka gave no consumer queue");
        }
    }

    ~consumer_core() override {
        if (!closed_)
            guarded(callback_errors(), [&] { (void)close(close_timeout_); });
        queue_.reset();
        // Ops left on the close queue (e.g. a fetch-version barrier) hold a partition, which
        // holds its broker: rd_kafka_destroy would wait for that broker thread forever.
        close_queue_.reset();
        destroy();
    }

    // -- Subscription and assignment ----------------------------------------------------------

    /// Topic names, or regular expressions when they start with '^'.
    [[nodiscard]] error_info subscribe(const std::vector<std::string>& topics,
                                       rebalance_listener listener) {
        if (unusable())
            return closed_error("subscribe");
        listener_ = std::move(listener);
        partition_list_handle list(
            rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
        for (const auto& t : topics) {
            rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
        }
        return described(rd_kafka_subscribe(native(), list.get()), "subscribe");
    }

    [[nodiscard]] error_info unsubscribe() {
        if (unusable())
            return closed_error("unsubscribe");
        store_handled();
        return described(rd_kafka_unsubscribe(native()), "unsubscribe");
    }

    [[nodiscard]] std::vector<std::string> subscription() const {
        rd_kafka_topic_partition_list_t* list = nullptr;
        std::vector<std::string> out;
        if (unusable() || rd_kafka_subscription(native(), &list) != RD_KAFKA_RESP_ERR_NO_ERROR)
            return out;
        partition_list_handle owned(list);
        for (int i = 0; i < list->cnt; ++i)
            out.emplace_back(list->elems[i].topic);
        return out;
    }

    /// Manual assignment (no group rebalancing); offsets may be offsets::stored/beginning/end.
    [[nodiscard]] error_info assign(const std::vector<topic_partition_offset>& parts) {
        if (unusable())
            return closed_error("assign");
        store_handled();
        auto list = to_native(parts);
        return described(rd_kafka_assign(native(), parts.empty() ? nullptr : list.get()), "assign");
    }

    [[nodiscard]] std::vector<topic_partition> assignment() const {
        rd_kafka_topic_partition_list_t* list = nullptr;
        if (unusable() || rd_kafka_assignment(native(), &list) != RD_KAFKA_RESP_ERR_NO_ERROR)
            return {};
        partition_list_handle owned(list);
        return partitions_from_native(list);
    }

    /// "EAGER", "COOPERATIVE" or "NONE" (not in a group yet).
    [[nodiscard]] std::string rebalance_protocol() const {
        const char* p = rd_kafka_rebalance_protocol(native());
        return p ? p : "NONE";
    }

    // -- Fetching -----------------------------------------------------------------------------

    /// Up to `max` messages within `timeout`. First counts the previous batch as handled.
    /// Error messages from librdkafka are routed here: partition EOF and non-fatal errors to
    /// on_error, fatal ones thrown.
    [[nodiscard]] std::vector<message_handle> fetch(std::size_t max,
                                                    std::chrono::milliseconds timeout) {
        // Stored offsets are read by commits alone. Auto-commit reads them whenever its timer
        // fires, so they must be current; without it, every path that commits stores first
        // (commit_handled, close, a revocation), and storing per fetch would only cost time.
        if (unusable())
            closed_error("poll").raise({});
        if (auto_commit_)
            store_handled();
        std::vector<message_handle> out;
        // Records already taken from librdkafka come first, except those of paused partitions:
        // they wait, in order, for resume(). librdkafka holds back what it has not handed out.
        for (auto it = backlog_.begin(); it != backlog_.end() && out.size() < max;) {
            if (is_paused(**it)) {
                ++it;
                continue;
            }
            out.push_back(std::move(*it));
            it = backlog_.erase(it);
        }
        if (!out.empty())
            return out;
        std::vector<rd_kafka_message_t*> raw(max);
        const ssize_t n =
            rd_kafka_consume_batch_queue(queue_.get(), to_timeout_ms(timeout), raw.data(), max);
        if (n < 0) {
            callback_errors().rethrow_if_any();
            throw kafka_error(make_error_code(rd_kafka_last_error()), "consume failed");
        }
        // Owned before anything can throw: a callback that threw during this call, or a consumer
        // error, must neither leak nor lose the records fetched with it.
        std::vector<message_handle> fetched;
        for (ssize_t i = 0; i < n; ++i)
            fetched.emplace_back(raw[static_cast<std::size_t>(i)]);
        try {
            callback_errors().rethrow_if_any();
            for (auto& msg : fetched) {
                if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                    out.push_back(std::move(msg));
                } else {
                    report_consumer_error(*msg);
                }
            }
        } catch (...) {
            // The records wait, in order, for the next fetch.
            for (auto& msg : fetched) {
                if (msg && msg->err == RD_KAFKA_RESP_ERR_NO_ERROR)
                    out.push_back(std::move(msg));
            }
            give_back(std::move(out));
            throw;
        }
        return out;
    }

    /// Serves the consumer queue (rebalances, errors) without handing records out: records it
    /// takes wait, in order, behind those already waiting for the next fetch.
    void serve_events() {
        std::vector<rd_kafka_message_t*> raw(64);
        const ssize_t n = rd_kafka_consume_batch_queue(queue_.get(), 0, raw.data(), raw.size());
        // Owned before anything can throw, as in fetch(): an error handler that throws must
        // neither leak nor lose the records taken with the error.
        std::vector<message_handle> taken;
        for (ssize_t i = 0; i < n; ++i)
            taken.emplace_back(raw[static_cast<std::size_t>(i)]);
        try {
            for (auto& msg : taken) {
                if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                    backlog_.push_back(std::move(msg));
                } else {
                    report_consumer_error(*msg);
                }
            }
        } catch (...) {
            for (auto& msg : taken) {
                if (msg && msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                    backlog_.push_back(std::move(msg));
                }
            }
            throw;
        }
        callback_errors().rethrow_if_any();
    }

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
    void give_back_since(std::vector<message_handle> msgs, std::uint64_t stamp) {
        std::erase_if(msgs, [&](const message_handle& m) {
            auto it = revoked_at_.find({rd_kafka_topic_name(m->rkt), m->partition});
            return it != revoked_at_.end() && it->second > stamp;
        });
        give_back(std::move(msgs));
    }

    /// Records `msg` as handed to the application; its offset is stored once it is handled.
    void handed(const rd_kafka_message_t& msg) {
        auto& p = progress_[{rd_kafka_topic_name(msg.rkt), msg.partition}];
        p.handed_next = std::max(p.handed_next, msg.offset + 1);
        p.dirty = true;
    }

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
    void store_handled() {
        if (!manual_offset_store_)
            return;
        std::vector<topic_partition_offset> to_store;
        for (auto& [tp, p] : progress_) {
            if (!p.dirty)
                continue;
            p.dirty = false;
            std::int64_t next = p.handed_next;
            if (!p.held.empty())
                next = std::min(next, *p.held.begin());
            if (next > p.stored) {
                to_store.push_back({tp.topic, tp.partition, next});
                p.stored = next;
            }
        }
        if (to_store.empty())
            return;
        auto list = to_native(to_store);
        // Partitions no longer assigned fail individually; that is expected after a rebalance.
        (void)rd_kafka_offsets_store(native(), list.get());
    }

    // -- Commits ------------------------------------------------------------------------------

    /// The outcome of an asynchronous commit (empty on success) and the offsets as the broker
    /// answered them, each with its own error. Runs on the thread that polls.
    using commit_callback =
        std::function<void(std::error_code, const std::vector<topic_partition_offset>&)>;

    /// Commits the stored offsets of every assigned partition (after storing the handled ones).
    /// An asynchronous commit reports to `done`, or without it a failure to on_error (thrown
    /// from the poll that serves it when there is no on_error).
    [[nodiscard]] error_info commit_handled(bool async, commit_callback done = {}) {
        if (unusable())
            return closed_error("commit");
        store_handled();
        if (async)
            return start_async_commit(nullptr, std::move(done));
        return commit_and_wait(nullptr);
    }

    /// Commits exactly these offsets (each is the next offset to read).
    [[nodiscard]] error_info commit_offsets(const std::vector<topic_partition_offset>& offsets,
                                            bool async, commit_callback done = {}) {
        if (unusable())
            return closed_error("commit");
        auto list = to_native(offsets);
        if (async)
            return start_async_commit(list.get(), std::move(done));
        return commit_and_wait(list.get());
    }

    /// The most a synchronous commit waits for the broker's answer: the config's commit_timeout,
    /// and during close() no later than close's own deadline.
    [[nodiscard]] std::chrono::milliseconds commit_wait_limit() const {
        if (!close_deadline_)
            return commit_timeout_;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            *close_deadline_ - std::chrono::steady_clock::now());
        return std::clamp(left, std::chrono::milliseconds(0), commit_timeout_);
    }

    [[nodiscard]] std::vector<topic_partition_offset> committed(
        const std::vector<topic_partition>& parts, std::chrono::milliseconds timeout,
        error_info& err) const {
        if (unusable()) {
            err = closed_error("committed");
            return {};
        }
        return query_committed(native(), parts, timeout, err);
    }

    [[nodiscard]] std::vector<topic_partition_offset> position(
        const std::vector<topic_partition>& parts, error_info& err) const {
        if (unusable()) {
            err = closed_error("position");
            return {};
        }
        auto list = to_native(parts);
        err = described(rd_kafka_position(native(), list.get()), "position");
        return offsets_from_native(list.get());
    }

    // -- Positioning and flow control ---------------------------------------------------------

    [[nodiscard]] error_info seek(const topic_partition_offset& to,
                                  std::chrono::milliseconds timeout) {
        if (unusable())
            return closed_error("seek");
        drop_backlog_for(to.partition_id());
        return seek_partition(native(), to, timeout);
    }

    /// Drops the records fetched for `tp` that nobody has taken yet: the async layer's seek does
    /// this itself, then moves librdkafka's fetcher off its strand.
    void drop_fetched(const topic_partition& tp) { drop_backlog_for(tp); }

    [[nodiscard]] error_info pause(const std::vector<topic_partition>& parts) {
        if (unusable())
            return closed_error("pause");
        auto list = to_native(parts);
        auto err = described(rd_kafka_pause_partitions(native(), list.get()), "pause");
        if (!err)
            paused_.insert(parts.begin(), parts.end());
        return err;
    }
    [[nodiscard]] error_info resume(const std::vector<topic_partition>& parts) {
        if (unusable())
            return closed_error("resume");
        auto list = to_native(parts);
        auto err = described(rd_kafka_resume_partitions(native(), list.get()), "resume");
        if (!err) {
            for (const auto& tp : parts)
                paused_.erase(tp);
        }
        return err;
    }

    /// Asks the partition leader for the current watermarks.
    [[nodiscard]] watermark_offsets query_watermarks(const topic_partition& tp,
                                                     std::chrono::milliseconds timeout,
                                                     error_info& err) const {
        watermark_offsets w;
        if (unusable()) {
            err = closed_error("watermarks");
            return w;
        }
        return detail::query_watermarks(native(), tp, timeout, err);
    }

    /// The watermarks last seen in fetch responses (no request); invalid before any fetch.
    [[nodiscard]] watermark_offsets cached_watermarks(const topic_partition& tp,
                                                      error_info& err) const {
        watermark_offsets w;
        if (unusable()) {
            err = closed_error("cached watermarks");
            return w;
        }
        err = described(rd_kafka_get_watermark_offsets(native(), tp.topic.c_str(), tp.partition,
                                                       &w.low, &w.high),
                        "get watermark offsets");
        return w;
    }

    /// For each partition, the first offset whose timestamp is >= the given time (in ms since
    /// the epoch in `offset` on input); offsets::end when there is none.
    [[nodiscard]] std::vector<topic_partition_offset> offsets_for_times(
        const std::vector<topic_partition_offset>& times, std::chrono::milliseconds timeout,
        error_info& err) const {
        if (unusable()) {
            err = closed_error("offsets for times");
            return {};
        }
        return query_offsets_for_times(native(), times, timeout, err);
    }

    // -- Close --------------------------------------------------------------------------------

    /// Stores handled offsets, commits them (with auto-commit on), leaves the group; gives up
    /// after `timeout` even when the brokers are unreachable. Returns what went wrong, if
    /// anything; the consumer is closed either way.
    error_info close(std::chrono::milliseconds timeout) {
        if (closed_)
            return {};
        error_info final_commit_err;
        closed_ = true;
        store_handled();
        backlog_.clear();
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        // A listener that commits inside the final revocation waits no longer than close does.
        close_deadline_ = deadline;
        // Listeners run inside this close may still commit and query.
        closing_ = true;
        struct end_closing {
            bool& flag;
            ~end_closing() { flag = false; }
        } closing_ends{closing_};
        close_queue_.reset(rd_kafka_queue_new(native()));
        rd_kafka_queue_t* close_queue = close_queue_.get();
        error_info err = error_info::adopt(rd_kafka_consumer_close_queue(native(), close_queue));
        while (!err && !rd_kafka_consumer_closed(native())) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                err = {make_error_code(errc::timed_out),
                       "consumer close did not finish within " + std::to_string(timeout.count()) +
                           " ms (brokers unreachable?); leaving without a final commit",
                       {}};
                break;
            }
            event_handle ev(rd_kafka_queue_poll(close_queue, to_timeout_ms(left)));
            if (ev && rd_kafka_event_type(ev.get()) == RD_KAFKA_EVENT_REBALANCE) {
                // The close queue hands the final revocation over as an event, not through
                // the rebalance callback: complete it here or librdkafka never finishes.
                on_rebalance_trampoline(native(), rd_kafka_event_error(ev.get()),
                                        rd_kafka_event_topic_partition_list(ev.get()), this);
            } else if (ev && rd_kafka_event_type(ev.get()) == RD_KAFKA_EVENT_OFFSET_COMMIT) {
                // The consumer queue now forwards here, and an event API hands commit results
                // over as events: the callback is ours to run.
                void* opaque = rd_kafka_event_opaque(ev.get());
                if (is_own_commit(opaque)) {
                    // librdkafka's own commit (auto-commit's final one): a failure is close's.
                    auto failed =
                        auto_commit_failure(rd_kafka_event_error(ev.get()),
                                            rd_kafka_event_topic_partition_list(ev.get()));
                    if (failed && !final_commit_err)
                        final_commit_err = std::move(failed);
                } else {
                    on_commit_trampoline(native(), rd_kafka_event_error(ev.get()),
                                         rd_kafka_event_topic_partition_list(ev.get()), opaque);
                }
            }
        }
        // A listener may have run past the deadline (a commit inside the final revocation):
        // the close did not finish in time, whatever librdkafka says now.
        if (!err && std::chrono::steady_clock::now() > deadline + close_grace) {
            err = {make_error_code(errc::timed_out),
                   "consumer close took longer than " + std::to_string(timeout.count()) +
                       " ms (a rebalance listener waited?)",
                   {}};
        }
        if (!err && final_commit_err) {
            err = std::move(final_commit_err);
            err.message = "consumer closed, but its final commit failed: " + err.message;
        }
        // Commits the brokers never answered still hear how they ended.
        while (!pending_commits_.empty()) {
            auto* op = pending_commits_.front().get();
            on_commit_trampoline(native(), RD_KAFKA_RESP_ERR__DESTROY, nullptr, op);
        }
        close_timed_out_ = static_cast<bool>(err);
        callback_errors().rethrow_if_any();
        return err;
    }

    /// A commit callback that does nothing. A commit started with a callback is not reported to
    /// librdkafka's configured offset_commit_cb as well (which kflow keeps for librdkafka's own
    /// commits); polled as events, the callback never runs.
    static void no_commit_callback(rd_kafka_t*, rd_kafka_resp_err_t,
                                   rd_kafka_topic_partition_list_t*, void*) {}

    /// A commit librdkafka made on its own (auto-commit, or its commit before a revocation),
    /// as the error an application hears of it.
    static error_info auto_commit_failure(rd_kafka_resp_err_t err,
                                          const rd_kafka_topic_partition_list_t* offsets) {
        auto info = commit_outcome(err, offsets);
        if (info)
            info.message = "auto-" + info.message;
        return info;
    }

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
    void finish_assign(const rd_kafka_topic_partition_list_t* parts) {
        error_info err;
        if (incremental()) {
            err = error_info::adopt(rd_kafka_incremental_assign(native(), parts));
        } else {
            err = described(rd_kafka_assign(native(), parts), "assign");
        }
        if (err && callbacks().on_error)
            callbacks().on_error(err);
        if (listener_.on_assigned)
            listener_.on_assigned(partitions_from_native(parts));
    }

    /// Completes a revocation: the listener hears of it first (and may commit), then the
    /// partitions are removed from the assignment.
    void begin_revoke(const rd_kafka_topic_partition_list_t* parts) {
        store_handled();
        const auto lost = rd_kafka_assignment_lost(native()) != 0;
        const auto list = partitions_from_native(parts);
        if (lost && listener_.on_lost) {
            listener_.on_lost(list);
        } else if (listener_.on_revoked) {
            listener_.on_revoked(list);
        }
    }
    void finish_revoke(const rd_kafka_topic_partition_list_t* parts) {
        store_handled();
        error_info err;
        if (incremental()) {
            err = error_info::adopt(rd_kafka_incremental_unassign(native(), parts));
        } else {
            err = described(rd_kafka_assign(native(), nullptr), "unassign");
        }
        ++revocations_;
        for (const auto& tp : partitions_from_native(parts)) {
            progress_.erase(tp);
            drop_backlog_for(tp);
            paused_.erase(tp);  // librdkafka forgets the pause with the partition too
            revoked_at_[tp] = revocations_;
        }
        if (err && callbacks().on_error)
            callbacks().on_error(err);
    }

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
    [[nodiscard]] error_info commit_and_wait(const rd_kafka_topic_partition_list_t* offsets) {
        const auto limit = commit_wait_limit();
        queue_handle answers(rd_kafka_queue_new(native()));
        auto err =
            rd_kafka_commit_queue(native(), offsets, answers.get(), &no_commit_callback, nullptr);
        if (err)
            return described(err, "commit");
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            event_handle ev(rd_kafka_queue_poll(
                answers.get(), to_timeout_ms(std::max(left, std::chrono::milliseconds(0)))));
            if (ev && rd_kafka_event_type(ev.get()) == RD_KAFKA_EVENT_OFFSET_COMMIT)
                return commit_outcome(rd_kafka_event_error(ev.get()),
                                      rd_kafka_event_topic_partition_list(ev.get()));
            if (left.count() <= 0) {
                return {make_error_code(errc::timed_out),
                        "commit: no answer from the group coordinator within " +
                            std::to_string(limit.count()) +
                            " ms (the commit may still take effect)",
                        {}};
            }
        }
    }

    /// A commit's answer: the request's error, else the first partition that failed.
    static error_info commit_outcome(rd_kafka_resp_err_t err,
                                     const rd_kafka_topic_partition_list_t* offsets) {
        if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)
            return {};  // nothing new to commit
        if (err)
            return described(err, "commit");
        for (int i = 0; offsets != nullptr && i < offsets->cnt; ++i) {
            if (offsets->elems[i].err) {
                return described(offsets->elems[i].err,
                                 "commit " + partition_label(offsets->elems[i].topic,
                                                             offsets->elems[i].partition));
            }
        }
        return {};
    }

    /// librdkafka reports its own commits here, inside a poll: failures go to on_error, so an
    /// application can notice that its offsets are not being committed.
    static void on_auto_commit_trampoline(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                          rd_kafka_topic_partition_list_t* offsets, void*) {
        auto& self = static_cast<consumer_core&>(from_opaque(rd_kafka_opaque(rk)));
        guarded(self.callback_errors(), [&] {
            auto info = auto_commit_failure(err, offsets);
            if (info && self.callbacks().on_error)
                self.callbacks().on_error(info);
        });
    }

    struct partition_progress {
        std::int64_t handed_next = -1;  ///< one past the newest record handed out
        std::int64_t stored = -1;       ///< what was last stored
        std::set<std::int64_t> held;    ///< offsets of failed records not yet handled
        bool dirty = false;
    };

    static conf_handle prepare(const consumer_config& cfg) {
        // Without a group librdkafka 2.x has no consumer queue, and subscribe, assign and commit
        // all fail: say so at construction rather than in the first poll.
        if (cfg.get("group.id").value_or("").empty()) {
            throw kafka_error(make_error_code(errc::invalid_config),
                              "group.id: a consumer needs a group id (consumer_config::group_id), "
                              "also for manual assignment; it names where commits go");
        }
        conf_handle conf = cfg.native_copy();
        rd_kafka_conf_set_rebalance_cb(conf.get(), &on_rebalance_trampoline);
        rd_kafka_conf_set_offset_commit_cb(conf.get(), &on_auto_commit_trampoline);
        return conf;
    }

    /// An asynchronous commit waiting for its result; its address is the commit's opaque.
    struct pending_commit {
        commit_callback done;
    };

    [[nodiscard]] error_info start_async_commit(const rd_kafka_topic_partition_list_t* offsets,
                                                commit_callback done) {
        auto* op =
            pending_commits_
                .emplace_back(std::make_unique<pending_commit>(pending_commit{std::move(done)}))
                .get();
        // The result is posted on the consumer queue, so its callback runs inside a poll.
        const auto err =
            rd_kafka_commit_queue(native(), offsets, queue_.get(), &on_commit_trampoline, op);
        if (err) {
            pending_commits_.pop_back();
            return described(err, "commit");
        }
        return {};
    }

    static void on_commit_trampoline(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                     rd_kafka_topic_partition_list_t* offsets, void* opaque) {
        // The client's opaque finds the core; the commit's own opaque is only looked up, never
        // followed, until it is known to be one still pending.
        auto& self = static_cast<consumer_core&>(from_opaque(rd_kafka_opaque(rk)));
        auto it = std::find_if(self.pending_commits_.begin(), self.pending_commits_.end(),
                               [&](const auto& p) { return p.get() == opaque; });
        if (it == self.pending_commits_.end())
            return;  // not one of ours, or already completed
        const std::unique_ptr<pending_commit> owned = std::move(*it);
        self.pending_commits_.erase(it);
        guarded(self.callback_errors(), [&] { self.report_commit(*owned, err, offsets); });
    }

    void report_commit(pending_commit& op, rd_kafka_resp_err_t err,
                       const rd_kafka_topic_partition_list_t* offsets) {
        if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)
            err = RD_KAFKA_RESP_ERR_NO_ERROR;
        error_info info;
        // Name the first partition that failed, if the answer says which.
        for (int i = 0; offsets != nullptr && i < offsets->cnt && !info; ++i) {
            if (offsets->elems[i].err) {
                info = described(offsets->elems[i].err,
                                 std::string("commit ") + offsets->elems[i].topic + " [" +
                                     std::to_string(offsets->elems[i].partition) + "]");
            }
        }
        if (err == RD_KAFKA_RESP_ERR__DESTROY) {
            info = {make_error_code(errc::closed), "commit: the consumer closed first", {}};
        } else if (err && !info) {
            info = described(err, "commit");
        }
        if (op.done) {
            op.done(info.code, offsets_from_native(offsets));
        } else if (info && callbacks().on_error) {
            callbacks().on_error(info);
        } else if (info) {
            info.raise({});
        }
    }

    static void on_rebalance_trampoline(rd_kafka_t*, rd_kafka_resp_err_t err,
                                        rd_kafka_topic_partition_list_t* parts, void* opaque) {
        auto& self = static_cast<consumer_core&>(from_opaque(opaque));
        // The assignment must change whatever the listener does, or the group stalls.
        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
            guarded(self.callback_errors(), [&] { self.finish_assign(parts); });
            if (self.rebalance_observer_) {
                guarded(self.callback_errors(),
                        [&] { (void)self.rebalance_observer_(rebalance_kind::assigned, parts); });
            }
        } else if (self.rebalance_observer_) {
            // The async layer may keep the partitions until the application has committed.
            const auto kind = rd_kafka_assignment_lost(self.native()) != 0
                                  ? rebalance_kind::lost
                                  : rebalance_kind::revoked;
            bool deferred = false;
            guarded(self.callback_errors(),
                    [&] { deferred = self.rebalance_observer_(kind, parts); });
            if (!deferred)
                guarded(self.callback_errors(), [&] { self.finish_revoke(parts); });
        } else {
            guarded(self.callback_errors(), [&] { self.begin_revoke(parts); });
            guarded(self.callback_errors(), [&] { self.finish_revoke(parts); });
        }
    }

    void report_consumer_error(const rd_kafka_message_t& msg) {
        error_info err{make_error_code(msg.err), rd_kafka_message_errstr(&msg), {}};
        if (msg.rkt != nullptr) {
            err.message = std::string(rd_kafka_topic_name(msg.rkt)) + " [" +
                          std::to_string(msg.partition) + "]: " + err.message;
        }
        if (msg.err == RD_KAFKA_RESP_ERR__FATAL) {
            err = fatal_error();
            err.raise("consumer");
        }
        if (callbacks().on_error) {
            callbacks().on_error(err);
        } else if (msg.err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            err.raise("consumer");
        }
    }

    [[nodiscard]] bool is_paused(const rd_kafka_message_t& m) const {
        return !paused_.empty() && paused_.contains({rd_kafka_topic_name(m.rkt), m.partition});
    }

    void drop_backlog_for(const topic_partition& tp) {
        std::erase_if(backlog_, [&](const message_handle& m) {
            return m->partition == tp.partition && tp.topic == rd_kafka_topic_name(m->rkt);
        });
    }

    void destroy() {
        // After a close that gave up, do not let rd_kafka_destroy try to close again.
        rd_kafka_t* rk = handle().release();
        if (rk != nullptr) {
            rd_kafka_destroy_flags(rk, close_timed_out_ ? RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE : 0);
        }
    }

    queue_handle queue_;
    queue_handle close_queue_;
    std::vector<message_handle> backlog_;
    std::set<topic_partition> paused_;  ///< paused by the application, until resumed
    std::map<topic_partition, partition_progress> progress_;
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
