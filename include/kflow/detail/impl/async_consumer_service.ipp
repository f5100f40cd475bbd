#pragma once
// The out-of-line members of async_consumer_service: creation, receivers, rebalance events,
// commits, the drains of its queues and close.
// kflow/detail/async_consumer_service.hpp includes this file at its end in header-only mode; with
// KFLOW_SEPARATE_COMPILATION only kflow/src.hpp does (see kflow/detail/config.hpp).

#include <kflow/detail/async_consumer_service.hpp>

namespace kflow::detail {

std::shared_ptr<async_consumer_service> async_consumer_service::create(
    const asio::any_io_executor& executor, const consumer_config& config) {
    auto self =
        std::shared_ptr<async_consumer_service>(new async_consumer_service(executor, config));
    std::weak_ptr<async_consumer_service> weak = self;
    rd_kafka_t* rk = self->core_->native();
    self->bridge_ =
        queue_bridge::create(executor, queue_handle(rd_kafka_queue_get_consumer(rk)), [weak] {
            if (auto s = weak.lock()) {
                auto* raw = s.get();
                under_lock(std::move(s), [raw] { raw->drain(); });
            }
        });
    // Commit results come back as events on a queue of kflow's own.
    self->commit_bridge_ = queue_bridge::create_on(
        self->bridge_->strand(), queue_handle(rd_kafka_queue_new(rk)), [weak] {
            if (auto s = weak.lock()) {
                auto* raw = s.get();
                under_lock(std::move(s), [raw] { raw->drain_commits(); });
            }
        });
    self->core_->observe_rebalances(
        [weak](rebalance_kind kind, const rd_kafka_topic_partition_list_t* parts) {
            auto s = weak.lock();
            return s ? s->on_rebalance(kind, parts) : false;
        });
    return self;
}

async_consumer_service::~async_consumer_service() {
    bridge_->shutdown();
    commit_bridge_->shutdown();
    if (close_bridge_)
        close_bridge_->shutdown();
    core_->observe_rebalances(nullptr);
    finish_held_revocation();
    // Closed here, not by the core's own destructor: records that borrow librdkafka's messages
    // may keep the core (and its rd_kafka_t) beyond this consumer, but it leaves its group now.
    if (!core_->closed())
        guarded(core_->callback_errors(), [&] { (void)core_->close(core_->close_timeout()); });
}

error_info async_consumer_service::subscribe(const std::vector<std::string>& topics,
                                             rebalance_listener listener, bool events) {
    const std::lock_guard lock(mutex_);
    if (closed_)
        return {make_error_code(errc::closed), "subscribe: the consumer is closed", {}};
    rebalance_events_ = events;
    return core_->subscribe(topics, std::move(listener));
}

void async_consumer_service::start_receive(std::shared_ptr<receive_op> op) {
    {
        const std::lock_guard lock(mutex_);
        if (!closed_ && receivers_.empty() && receivers_on_the_way_ == 0 &&
            !op->cancel_requested() && core_->fetch_ready(ready_, op->max())) {
            op->deliver(ready_, *this);
            if (!ready_.empty())
                core_->give_back(std::move(ready_));
            ready_.clear();
            return;
        }
        ++receivers_on_the_way_;
    }
    on_strand([self = shared_from_this(), op = std::move(op)]() mutable {
        --self->receivers_on_the_way_;
        self->add_receiver(std::move(op));
    });
}

void async_consumer_service::add_receiver(std::shared_ptr<receive_op> op) {
    if (closed_) {
        op->abort({make_error_code(errc::closed), "consumer is closed", {}});
        return;
    }
    receivers_.push_back(std::move(op));
    bridge_->hold();
    drain();  // records may be waiting already
}

bool async_consumer_service::cancel_receiver(const std::shared_ptr<receive_op>& op) {
    auto it = std::find(receivers_.begin(), receivers_.end(), op);
    if (it == receivers_.end())
        return false;
    receivers_.erase(it);
    bridge_->release();
    op->abort({make_error_code(asio::error::operation_aborted), "receive cancelled", {}});
    return true;
}

void async_consumer_service::hand_over(const std::vector<message_handle>& msgs, bool last_failed) {
    const std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < msgs.size(); ++i) {
        mark_handed(*core_, *msgs[i], last_failed && i + 1 == msgs.size());
    }
}

void async_consumer_service::add_rebalance_waiter(std::shared_ptr<event_op> op) {
    finish_held_revocation();  // asking for the next event means the last one is handled
    if (!events_.empty()) {
        auto ev = std::move(events_.front());
        events_.pop_front();
        op->complete({}, std::move(ev));
        return;
    }
    rebalance_waiters_.push_back(std::move(op));
    bridge_->hold();  // rebalances arrive through the consumer queue
    drain();
}

bool async_consumer_service::cancel_rebalance_waiter(const std::shared_ptr<event_op>& op) {
    auto it = std::find(rebalance_waiters_.begin(), rebalance_waiters_.end(), op);
    if (it == rebalance_waiters_.end())
        return false;
    rebalance_waiters_.erase(it);
    bridge_->release();
    op->complete({make_error_code(asio::error::operation_aborted), "cancelled", {}}, {});
    return true;
}

void async_consumer_service::finish_held_revocation() {
    if (!held_revocation_)
        return;
    auto parts = std::move(held_revocation_);
    guarded(core_->callback_errors(), [&] { core_->finish_revoke(parts.get()); });
}

void async_consumer_service::commit(const rd_kafka_topic_partition_list_t* offsets,
                                    std::unique_ptr<event_op> op) {
    commit_bridge_->hold();
    // With a callback (never run: the queue is polled for events) librdkafka does not also
    // report the commit as one of its own (consumer_core::on_auto_commit_trampoline).
    const auto err = rd_kafka_commit_queue(core_->native(), offsets, commit_bridge_->queue(),
                                           &consumer_core::no_commit_callback, op.get());
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        (void)op.release();  // the commit result event carries it back
        return;
    }
    // Failed before a request went out: no result event will come.
    commit_bridge_->release();
    asio::post(executor_, [op = std::shared_ptr<event_op>(std::move(op)), err] {
        op->complete({make_error_code(err), "commit: " + std::string(rd_kafka_err2str(err)), {}},
                     {});
    });
}

void async_consumer_service::close(std::chrono::milliseconds timeout,
                                   std::shared_ptr<event_op> op) {
    if (closed_) {
        op->complete({}, {});
        return;
    }
    closed_ = true;
    finish_held_revocation();
    for (auto& r : std::exchange(receivers_, {})) {
        bridge_->release();
        r->abort({make_error_code(errc::closed), "consumer closed", {}});
    }
    core_->store_handled();
    core_->drop_fetched();  // never handed out, so never committed: the group's next owner reads
                            // them
    close_op_ = std::move(op);
    close_bridge_ = queue_bridge::create_on(
        bridge_->strand(), queue_handle(rd_kafka_queue_new(core_->native())),
        [weak = weak_from_this()] {
            if (auto s = weak.lock()) {
                auto* raw = s.get();
                under_lock(std::move(s), [raw] { raw->drain_close(); });
            }
        });
    error_info err =
        error_info::adopt(rd_kafka_consumer_close_queue(core_->native(), close_bridge_->queue()));
    if (err) {
        finish_close(err);
        return;
    }
    close_bridge_->hold();
    close_timer_ = std::make_unique<asio::steady_timer>(bridge_->strand(), timeout);
    close_timer_->async_wait([weak = weak_from_this(), timeout](boost::system::error_code ec) {
        auto s = weak.lock();
        if (!s || ec)
            return;
        auto* raw = s.get();
        under_lock(std::move(s), [raw, timeout] {
            raw->core_->mark_close_timed_out();
            raw->finish_close(
                {make_error_code(errc::timed_out),
                 "consumer close did not finish within " + std::to_string(timeout.count()) + " ms",
                 {}});
        });
    });
    close_bridge_->poke();
}

async_consumer_service::async_consumer_service(const asio::any_io_executor& executor,
                                               const consumer_config& config)
    : executor_(executor), core_(std::make_shared<consumer_core>(config)) {}

void async_consumer_service::drain() {
    constexpr std::size_t prefetch = 64;
    if (closed_)
        return;
    while (!receivers_.empty()) {
        auto receiver = receivers_.front();
        if (receiver->cancel_requested()) {
            // Its cancellation is on the way to the strand: take nothing for it.
            cancel_receiver(receiver);
            continue;
        }
        std::vector<message_handle> msgs;
        try {
            // A one-record receive fetches a few more: the next receives take them at once
            // (start_receive), without a trip through the strand or librdkafka.
            msgs = core_->fetch(std::max(receiver->max(), prefetch), std::chrono::milliseconds(0));
        } catch (const kafka_error& e) {
            receivers_.pop_front();
            bridge_->release();
            receiver->abort({e.code(), e.what(), e.flags()});
            continue;
        }
        if (msgs.empty())
            break;
        if (msgs.size() > receiver->max()) {
            // Back in front of the backlog before the receiver's handler may run (it starts
            // the next receive, perhaps from another thread, as soon as it completes).
            const auto end = static_cast<std::ptrdiff_t>(receiver->max());
            std::vector<message_handle> rest(std::make_move_iterator(msgs.begin() + end),
                                             std::make_move_iterator(msgs.end()));
            msgs.erase(msgs.begin() + end, msgs.end());
            core_->give_back(std::move(rest));
        }
        receivers_.pop_front();
        bridge_->release();
        receiver->deliver(msgs, *this);
        if (!msgs.empty())
            core_->give_back(std::move(msgs));
    }
    if (receivers_.empty() &&
        (!rebalance_waiters_.empty() || events_wanted_.load(std::memory_order_relaxed) > 0)) {
        // Nobody takes records, but rebalances (or statistics) must still be served.
        guarded(core_->callback_errors(), [&] { core_->serve_events(); });
    }
}

void async_consumer_service::drain_commits() {
    for (;;) {
        event_handle ev(rd_kafka_queue_poll(commit_bridge_->queue(), 0));
        if (!ev)
            return;
        if (rd_kafka_event_type(ev.get()) != RD_KAFKA_EVENT_OFFSET_COMMIT)
            continue;
        std::unique_ptr<event_op> op(static_cast<event_op*>(rd_kafka_event_opaque(ev.get())));
        commit_bridge_->release();
        auto err = rd_kafka_event_error(ev.get());
        if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)
            err = RD_KAFKA_RESP_ERR_NO_ERROR;
        error_info info;
        if (err) {
            info = {make_error_code(err),
                    "commit: " + std::string(rd_kafka_event_error_string(ev.get())),
                    {}};
        } else if (const auto* parts = rd_kafka_event_topic_partition_list(ev.get())) {
            for (int i = 0; i < parts->cnt; ++i) {
                if (parts->elems[i].err) {
                    info = {make_error_code(parts->elems[i].err),
                            std::string("commit ") + parts->elems[i].topic + " [" +
                                std::to_string(parts->elems[i].partition) +
                                "]: " + rd_kafka_err2str(parts->elems[i].err),
                            {}};
                    break;
                }
            }
        }
        op->complete(info, {});
    }
}

void async_consumer_service::drain_close() {
    if (!close_op_)
        return;
    for (;;) {
        event_handle ev(rd_kafka_queue_poll(close_bridge_->queue(), 0));
        if (!ev)
            break;
        if (rd_kafka_event_type(ev.get()) == RD_KAFKA_EVENT_REBALANCE) {
            // The final revocation arrives as an event on the close queue.
            const auto* parts = rd_kafka_event_topic_partition_list(ev.get());
            if (!rebalance_events_) {
                // A rebalance_listener hears of it, as the synchronous consumer's does.
                guarded(core_->callback_errors(), [&] { core_->begin_revoke(parts); });
            }
            guarded(core_->callback_errors(), [&] { core_->finish_revoke(parts); });
        } else if (rd_kafka_event_type(ev.get()) == RD_KAFKA_EVENT_OFFSET_COMMIT &&
                   core_->is_own_commit(rd_kafka_event_opaque(ev.get())) && !final_commit_error_) {
            // auto-commit's final commit: if it failed, the close says so.
            final_commit_error_ = consumer_core::auto_commit_failure(
                rd_kafka_event_error(ev.get()), rd_kafka_event_topic_partition_list(ev.get()));
        }
    }
    if (rd_kafka_consumer_closed(core_->native())) {
        auto err = std::move(final_commit_error_);
        if (err)
            err.message = "consumer closed, but its final commit failed: " + err.message;
        finish_close(err);
    }
}

void async_consumer_service::finish_close(const error_info& err) {
    if (!close_op_)
        return;
    if (close_timer_)
        close_timer_->cancel();
    if (close_bridge_)
        close_bridge_->release();
    core_->mark_closed();
    std::exchange(close_op_, nullptr)->complete(err, {});
}

bool async_consumer_service::on_rebalance(rebalance_kind kind,
                                          const rd_kafka_topic_partition_list_t* parts) {
    if (!rebalance_events_) {
        // A rebalance_listener (if any) hears of a revocation or loss here; of an
        // assignment, in consumer_core::finish_assign().
        if (kind != rebalance_kind::assigned)
            core_->begin_revoke(parts);
        return false;
    }
    rebalance_event ev{kind, partitions_from_native(parts)};
    bool hold = false;
    if (kind == rebalance_kind::revoked) {
        // Keep the partitions until the application asks for the next event (having
        // committed) or receives again.
        held_revocation_.reset(rd_kafka_topic_partition_list_copy(parts));
        hold = true;
    }
    if (!rebalance_waiters_.empty()) {
        auto op = std::move(rebalance_waiters_.front());
        rebalance_waiters_.pop_front();
        bridge_->release();
        op->complete({}, std::move(ev));
    } else {
        events_.push_back(std::move(ev));
    }
    return hold;
}

}  // namespace kflow::detail
