#pragma once
// The out-of-line members of consumer_core: membership, fetching, offsets, commits, close and
// rebalance handling.
// kflow/detail/consumer_core.hpp includes this file at its end in header-only mode; with
// KFLOW_SEPARATE_COMPILATION only kflow/src.hpp does (see kflow/detail/config.hpp).

#include <kflow/detail/consumer_core.hpp>

namespace kflow::detail {

void consumer_core::cache_progress_of(const rd_kafka_message_t& msg) {
    handed_cache_ = {msg.rkt, msg.partition,
                     &progress_[{rd_kafka_topic_name(msg.rkt), msg.partition}]};
}

void consumer_core::observe_received(metrics::client_observer& observer,
                                     const rd_kafka_message_t& msg) {
    guarded(callback_errors(), [&] {
        rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
        const auto ms = rd_kafka_message_timestamp(&msg, &type);
        std::optional<std::chrono::system_clock::time_point> timestamp;
        if (type != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE && ms >= 0)
            timestamp = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
        observer.on_received({rd_kafka_name(native()),
                              msg.rkt != nullptr ? rd_kafka_topic_name(msg.rkt) : "", msg.partition,
                              msg.offset, timestamp});
    });
}

consumer_core::consumer_core(const consumer_config& cfg)
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

consumer_core::~consumer_core() {
    if (!closed_)
        guarded(callback_errors(), [&] { (void)close(close_timeout_); });
    queue_.reset();
    // Ops left on the close queue (e.g. a fetch-version barrier) hold a partition, which
    // holds its broker: rd_kafka_destroy would wait for that broker thread forever.
    close_queue_.reset();
    destroy();
}

error_info consumer_core::subscribe(const std::vector<std::string>& topics,
                                    rebalance_listener listener) {
    if (unusable())
        return closed_error("subscribe");
    listener_ = std::move(listener);
    partition_list_handle list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
    for (const auto& t : topics) {
        rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
    }
    return described(rd_kafka_subscribe(native(), list.get()), "subscribe");
}

error_info consumer_core::unsubscribe() {
    if (unusable())
        return closed_error("unsubscribe");
    store_handled();
    return described(rd_kafka_unsubscribe(native()), "unsubscribe");
}

std::vector<std::string> consumer_core::subscription() const {
    rd_kafka_topic_partition_list_t* list = nullptr;
    std::vector<std::string> out;
    if (unusable() || rd_kafka_subscription(native(), &list) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return out;
    partition_list_handle owned(list);
    for (int i = 0; i < list->cnt; ++i)
        out.emplace_back(list->elems[i].topic);
    return out;
}

error_info consumer_core::assign(const std::vector<topic_partition_offset>& parts) {
    forget_handed_cache();
    if (unusable())
        return closed_error("assign");
    store_handled();
    auto list = to_native(parts);
    return described(rd_kafka_assign(native(), parts.empty() ? nullptr : list.get()), "assign");
}

std::vector<topic_partition> consumer_core::assignment() const {
    rd_kafka_topic_partition_list_t* list = nullptr;
    if (unusable() || rd_kafka_assignment(native(), &list) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return {};
    partition_list_handle owned(list);
    return partitions_from_native(list);
}

void consumer_core::fetch(std::vector<message_handle>& out, std::size_t max,
                          std::chrono::milliseconds timeout) {
    // Stored offsets are read by commits alone. Auto-commit reads them whenever its timer
    // fires, so they must be current; without it, every path that commits stores first
    // (commit_handled, close, a revocation), and storing per fetch would only cost time.
    out.clear();
    if (unusable())
        closed_error("poll").raise({});
    if (security_failed()) [[unlikely]]
        security_failure().raise("poll");
    if (auto_commit_)
        store_handled();
    // Records already taken from librdkafka come first, except those of paused partitions:
    // they wait, in order, for resume(). librdkafka holds back what it has not handed out.
    if (!backlog_.empty()) {
        take_backlog(out, max);
        if (!out.empty())
            return;
    }
    // Reused: a fetch allocates nothing of its own in the steady state.
    if (raw_.size() < max)
        raw_.resize(max);
    const ssize_t n =
        rd_kafka_consume_batch_queue(queue_.get(), to_timeout_ms(timeout), raw_.data(), max);
    if (n < 0) {
        callback_errors().rethrow_if_any();
        throw kafka_error(make_error_code(rd_kafka_last_error()), "consume failed");
    }
    // Owned before anything can throw: a callback that threw during this call, or a consumer
    // error, must neither leak nor lose the records fetched with it.
    bool any_error = false;
    for (ssize_t i = 0; i < n; ++i) {
        out.emplace_back(raw_[static_cast<std::size_t>(i)]);
        any_error = any_error || out.back()->err != RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    if (!any_error && !callback_errors().pending() && !security_failed()) [[likely]]
        return;
    std::vector<message_handle> fetched = std::move(out);
    out.clear();
    try {
        callback_errors().rethrow_if_any();
        for (auto& msg : fetched) {
            if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                out.push_back(std::move(msg));
            } else {
                report_consumer_error(*msg);
            }
        }
        // Recorded by the error callback during this fetch (see client_core).
        if (security_failed())
            security_failure().raise("poll");
    } catch (...) {
        // The records wait, in order, for the next fetch.
        for (auto& msg : fetched) {
            if (msg && msg->err == RD_KAFKA_RESP_ERR_NO_ERROR)
                out.push_back(std::move(msg));
        }
        give_back(std::move(out));
        out.clear();
        throw;
    }
}

void consumer_core::serve_events() {
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

void consumer_core::give_back_since(std::vector<message_handle> msgs, std::uint64_t stamp) {
    std::erase_if(msgs, [&](const message_handle& m) {
        auto it = revoked_at_.find({rd_kafka_topic_name(m->rkt), m->partition});
        return it != revoked_at_.end() && it->second > stamp;
    });
    give_back(std::move(msgs));
}

void consumer_core::store_handled() {
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

error_info consumer_core::commit_handled(bool async, commit_callback done) {
    if (unusable())
        return closed_error("commit");
    store_handled();
    if (async)
        return start_async_commit(nullptr, std::move(done));
    return commit_and_wait(nullptr);
}

error_info consumer_core::commit_offsets(const std::vector<topic_partition_offset>& offsets,
                                         bool async, commit_callback done) {
    if (unusable())
        return closed_error("commit");
    auto list = to_native(offsets);
    if (async)
        return start_async_commit(list.get(), std::move(done));
    return commit_and_wait(list.get());
}

std::chrono::milliseconds consumer_core::commit_wait_limit() const {
    if (!close_deadline_)
        return commit_timeout_;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        *close_deadline_ - std::chrono::steady_clock::now());
    return std::clamp(left, std::chrono::milliseconds(0), commit_timeout_);
}

std::vector<topic_partition_offset> consumer_core::committed(
    const std::vector<topic_partition>& parts, std::chrono::milliseconds timeout,
    error_info& err) const {
    if (unusable()) {
        err = closed_error("committed");
        return {};
    }
    return query_committed(native(), parts, timeout, err);
}

std::vector<topic_partition_offset> consumer_core::position(
    const std::vector<topic_partition>& parts, error_info& err) const {
    if (unusable()) {
        err = closed_error("position");
        return {};
    }
    auto list = to_native(parts);
    err = described(rd_kafka_position(native(), list.get()), "position");
    auto positions = offsets_from_native(list.get());
    // librdkafka's position counts the records kflow has fetched but not handed out yet: the
    // application's position is the first of those.
    for (auto& p : positions) {
        for (const auto& m : backlog_) {
            if (m->partition == p.partition && p.topic == rd_kafka_topic_name(m->rkt)) {
                p.offset = m->offset;
                break;
            }
        }
    }
    return positions;
}

error_info consumer_core::seek(const topic_partition_offset& to,
                               std::chrono::milliseconds timeout) {
    if (unusable())
        return closed_error("seek");
    drop_backlog_for(to.partition_id());
    return seek_partition(native(), to, timeout);
}

error_info consumer_core::pause(const std::vector<topic_partition>& parts) {
    if (unusable())
        return closed_error("pause");
    auto list = to_native(parts);
    auto err = described(rd_kafka_pause_partitions(native(), list.get()), "pause");
    if (!err)
        paused_.insert(parts.begin(), parts.end());
    return err;
}

error_info consumer_core::resume(const std::vector<topic_partition>& parts) {
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

watermark_offsets consumer_core::query_watermarks(const topic_partition& tp,
                                                  std::chrono::milliseconds timeout,
                                                  error_info& err) const {
    watermark_offsets w;
    if (unusable()) {
        err = closed_error("watermarks");
        return w;
    }
    return detail::query_watermarks(native(), tp, timeout, err);
}

watermark_offsets consumer_core::cached_watermarks(const topic_partition& tp,
                                                   error_info& err) const {
    watermark_offsets w;
    if (unusable()) {
        err = closed_error("cached watermarks");
        return w;
    }
    err = described(
        rd_kafka_get_watermark_offsets(native(), tp.topic.c_str(), tp.partition, &w.low, &w.high),
        "get watermark offsets");
    return w;
}

std::vector<topic_partition_offset> consumer_core::offsets_for_times(
    const std::vector<topic_partition_offset>& times, std::chrono::milliseconds timeout,
    error_info& err) const {
    if (unusable()) {
        err = closed_error("offsets for times");
        return {};
    }
    return query_offsets_for_times(native(), times, timeout, err);
}

error_info consumer_core::close(std::chrono::milliseconds timeout) {
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
                auto failed = auto_commit_failure(rd_kafka_event_error(ev.get()),
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

error_info consumer_core::auto_commit_failure(rd_kafka_resp_err_t err,
                                              const rd_kafka_topic_partition_list_t* offsets) {
    auto info = commit_outcome(err, offsets);
    if (info)
        info.message = "auto-" + info.message;
    return info;
}

void consumer_core::finish_assign(const rd_kafka_topic_partition_list_t* parts) {
    forget_handed_cache();
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

void consumer_core::begin_revoke(const rd_kafka_topic_partition_list_t* parts) {
    store_handled();
    const auto lost = rd_kafka_assignment_lost(native()) != 0;
    const auto list = partitions_from_native(parts);
    if (lost && listener_.on_lost) {
        listener_.on_lost(list);
    } else if (listener_.on_revoked) {
        listener_.on_revoked(list);
    }
}

void consumer_core::finish_revoke(const rd_kafka_topic_partition_list_t* parts) {
    store_handled();
    error_info err;
    if (incremental()) {
        err = error_info::adopt(rd_kafka_incremental_unassign(native(), parts));
    } else {
        err = described(rd_kafka_assign(native(), nullptr), "unassign");
    }
    ++revocations_;
    forget_handed_cache();
    for (const auto& tp : partitions_from_native(parts)) {
        progress_.erase(tp);
        drop_backlog_for(tp);
        paused_.erase(tp);  // librdkafka forgets the pause with the partition too
        revoked_at_[tp] = revocations_;
    }
    if (err && callbacks().on_error)
        callbacks().on_error(err);
}

error_info consumer_core::commit_and_wait(const rd_kafka_topic_partition_list_t* offsets) {
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
                        std::to_string(limit.count()) + " ms (the commit may still take effect)",
                    {}};
        }
    }
}

error_info consumer_core::commit_outcome(rd_kafka_resp_err_t err,
                                         const rd_kafka_topic_partition_list_t* offsets) {
    if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)
        return {};  // nothing new to commit
    if (err)
        return described(err, "commit");
    for (int i = 0; offsets != nullptr && i < offsets->cnt; ++i) {
        if (offsets->elems[i].err) {
            return described(
                offsets->elems[i].err,
                "commit " + partition_label(offsets->elems[i].topic, offsets->elems[i].partition));
        }
    }
    return {};
}

void consumer_core::on_auto_commit_trampoline(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                              rd_kafka_topic_partition_list_t* offsets, void*) {
    auto& self = static_cast<consumer_core&>(from_opaque(rd_kafka_opaque(rk)));
    guarded(self.callback_errors(), [&] {
        auto info = auto_commit_failure(err, offsets);
        if (info && self.callbacks().on_error)
            self.callbacks().on_error(info);
    });
}

conf_handle consumer_core::prepare(const consumer_config& cfg) {
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

error_info consumer_core::start_async_commit(const rd_kafka_topic_partition_list_t* offsets,
                                             commit_callback done) {
    auto* op = pending_commits_
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

void consumer_core::on_commit_trampoline(rd_kafka_t* rk, rd_kafka_resp_err_t err,
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

void consumer_core::report_commit(pending_commit& op, rd_kafka_resp_err_t err,
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

void consumer_core::on_rebalance_trampoline(rd_kafka_t*, rd_kafka_resp_err_t err,
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
        const auto kind = rd_kafka_assignment_lost(self.native()) != 0 ? rebalance_kind::lost
                                                                       : rebalance_kind::revoked;
        bool deferred = false;
        guarded(self.callback_errors(), [&] { deferred = self.rebalance_observer_(kind, parts); });
        if (!deferred)
            guarded(self.callback_errors(), [&] { self.finish_revoke(parts); });
    } else {
        guarded(self.callback_errors(), [&] { self.begin_revoke(parts); });
        guarded(self.callback_errors(), [&] { self.finish_revoke(parts); });
    }
}

void consumer_core::report_consumer_error(const rd_kafka_message_t& msg) {
    // Partition-level errors arrive here; client-level ones, security failures among them, go
    // to the error callback (see client_core).
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

void consumer_core::destroy() {
    // After a close that gave up, do not let rd_kafka_destroy try to close again.
    rd_kafka_t* rk = handle().release();
    if (rk != nullptr) {
        rd_kafka_destroy_flags(rk, close_timed_out_ ? RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE : 0);
    }
}

}  // namespace kflow::detail
