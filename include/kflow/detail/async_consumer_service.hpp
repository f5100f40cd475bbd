#pragma once
// The non-template half of async_consumer: a consumer_core whose consumer queue (messages,
// rebalances, errors) and commit queue are bridged to an Asio executor, and the operations
// waiting on them.
//
// All of the service's state lives on the consumer bridge's strand (the commit and close queues
// are bridged on that same strand): receivers waiting for
// records, rebalance events and their waiters, a revocation held until the application has
// committed, and close. Messages are only taken from librdkafka when a receiver waits for them,
// and are handed to that receiver in the same step, so nothing taken is ever dropped.
//
// A receiver's records reach its handler on the handler's executor, a step later. A cancellation
// that lands in between must not lose them (an `||` of awaitables throws the loser's result
// away): the receiver then gives them back (take_back) and completes with operation_aborted.
// Only once its handler really runs do its records count as handed to the application
// (hand_over), so a taken-back record is never committed unseen.

#include <kflow/detail/consumer_core.hpp>
#include <kflow/detail/queue_bridge.hpp>
#include <kflow/detail/record_decoder.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace kflow::detail {

class async_consumer_service;

/// An async_receive / async_receive_batch waiting for records.
class receive_op : public std::enable_shared_from_this<receive_op> {
  public:
    explicit receive_op(std::size_t max) : max_(max) {}
    virtual ~receive_op() = default;
    /// On the strand: takes what it uses from the front of `msgs` (never empty) and completes
    /// with it; what it leaves in `msgs` goes back to the consumer.
    virtual void deliver(std::vector<message_handle>& msgs, async_consumer_service& service) = 0;
    virtual void abort(const error_info& err) = 0;
    [[nodiscard]] std::size_t max() const noexcept { return max_; }

    /// From the operation's cancellation slot (any thread): from now on the operation must not
    /// complete with records, even ones already taken for it.
    void request_cancel() noexcept { cancel_requested_.store(true, std::memory_order_release); }
    [[nodiscard]] bool cancel_requested() const noexcept {
        return cancel_requested_.load(std::memory_order_acquire);
    }

  private:
    std::size_t max_;
    std::atomic<bool> cancel_requested_{false};
};

/// Completes with `(error_code)` or `(error_code, rebalance_event)`; type-erased handlers.
class event_op {
  public:
    virtual ~event_op() = default;
    virtual void complete(const error_info& err, rebalance_event ev) = 0;
};

class async_consumer_service : public std::enable_shared_from_this<async_consumer_service> {
  public:
    static std::shared_ptr<async_consumer_service> create(const asio::any_io_executor& executor,
                                                          const consumer_config& config) {
        auto self =
            std::shared_ptr<async_consumer_service>(new async_consumer_service(executor, config));
        std::weak_ptr<async_consumer_service> weak = self;
        rd_kafka_t* rk = self->core_->native();
        self->bridge_ =
            queue_bridge::create(executor, queue_handle(rd_kafka_queue_get_consumer(rk)), [weak] {
                if (auto s = weak.lock()) {
                    const std::lock_guard lock(s->mutex_);
                    s->drain();
                }
            });
        // Commit results come back as events on a queue of kflow's own.
        self->commit_bridge_ = queue_bridge::create_on(
            self->bridge_->strand(), queue_handle(rd_kafka_queue_new(rk)), [weak] {
                if (auto s = weak.lock()) {
                    const std::lock_guard lock(s->mutex_);
                    s->drain_commits();
                }
            });
        self->core_->observe_rebalances(
            [weak](rebalance_kind kind, const rd_kafka_topic_partition_list_t* parts) {
                auto s = weak.lock();
                return s ? s->on_rebalance(kind, parts) : false;
            });
        return self;
    }

    async_consumer_service(const async_consumer_service&) = delete;
    async_consumer_service& operator=(const async_consumer_service&) = delete;

    ~async_consumer_service() {
        bridge_->shutdown();
        commit_bridge_->shutdown();
        if (close_bridge_)
            close_bridge_->shutdown();
        core_->observe_rebalances(nullptr);
        finish_held_revocation();
    }

    [[nodiscard]] consumer_core& core() noexcept { return *core_; }
    [[nodiscard]] const asio::any_io_executor& executor() const noexcept { return executor_; }
    [[nodiscard]] const queue_bridge::strand_type& strand() const noexcept {
        return bridge_->strand();
    }

    /// Runs `f` on the service's strand, never inline: initiations call this, and the work may
    /// complete the operation being initiated.
    template <class F>
    void on_strand(F&& f) {
        asio::post(bridge_->strand(),
                   [self = shared_from_this(), f = std::forward<F>(f)]() mutable {
                       const std::lock_guard lock(self->mutex_);
                       f();
                   });
    }

    /// Runs `f(core)` now, on the calling thread, excluding the strand's work: the async
    /// consumer's plain members (pause, assign, position, ...) are called from the application's
    /// threads while the strand may be fetching.
    template <class F>
    decltype(auto) with_core(F&& f) {
        const std::lock_guard lock(mutex_);
        return std::forward<F>(f)(*core_);
    }

    /// Subscribes, with rebalances reported to `listener` (on the strand, during a drain) or, with
    /// `events`, to async_rebalance() waiters.
    [[nodiscard]] error_info subscribe(const std::vector<std::string>& topics,
                                       rebalance_listener listener, bool events) {
        const std::lock_guard lock(mutex_);
        if (closed_)
            return {make_error_code(errc::closed), "subscribe: the consumer is closed", {}};
        rebalance_events_ = events;
        return core_->subscribe(topics, std::move(listener));
    }

    /// True once close() started: the librdkafka handle stays valid, but serves nothing more.
    [[nodiscard]] bool closing() const {
        const std::lock_guard lock(mutex_);
        return closed_;
    }

    // -- Receiving (on the strand) ------------------------------------------------------------

    void add_receiver(std::shared_ptr<receive_op> op) {
        if (closed_) {
            op->abort({make_error_code(errc::closed), "consumer is closed", {}});
            return;
        }
        receivers_.push_back(std::move(op));
        bridge_->hold();
        drain();  // records may be waiting already
    }

    /// Withdraws a receiver that has not completed; false if it already has.
    bool cancel_receiver(const std::shared_ptr<receive_op>& op) {
        auto it = std::find(receivers_.begin(), receivers_.end(), op);
        if (it == receivers_.end())
            return false;
        receivers_.erase(it);
        bridge_->release();
        op->abort({make_error_code(asio::error::operation_aborted), "receive cancelled", {}});
        return true;
    }

    /// A receiver's handler is about to run with `msgs` (any thread): they count as handed to
    /// the application, the last one held at its offset if it failed to deserialize. Posted,
    /// so it is done before anything the handler then starts on the strand.
    void hand_over(std::vector<message_handle> msgs, bool last_failed) {
        on_strand([self = shared_from_this(), msgs = std::move(msgs), last_failed] {
            for (std::size_t i = 0; i < msgs.size(); ++i) {
                mark_handed(*self->core_, *msgs[i], last_failed && i + 1 == msgs.size());
            }
        });
    }

    /// A receiver was cancelled after it took `msgs` at `stamp` (consumer_core::revocations())
    /// but before its handler ran (any thread): they go back in front of the next receive,
    /// then `then` runs on the strand.
    template <class F>
    void take_back(std::vector<message_handle> msgs, std::uint64_t stamp, F then) {
        on_strand([self = shared_from_this(), msgs = std::move(msgs), stamp,
                   then = std::move(then)]() mutable {
            if (!self->closed_)
                self->core_->give_back_since(std::move(msgs), stamp);
            then();
            if (!self->receivers_.empty())
                self->drain();  // receivers waiting meanwhile
        });
    }

    // -- Rebalance events (on the strand) -----------------------------------------------------

    void add_rebalance_waiter(std::shared_ptr<event_op> op) {
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

    bool cancel_rebalance_waiter(const std::shared_ptr<event_op>& op) {
        auto it = std::find(rebalance_waiters_.begin(), rebalance_waiters_.end(), op);
        if (it == rebalance_waiters_.end())
            return false;
        rebalance_waiters_.erase(it);
        bridge_->release();
        op->complete({make_error_code(asio::error::operation_aborted), "cancelled", {}}, {});
        return true;
    }

    /// The application has done what it needed before the revoked partitions go.
    void finish_held_revocation() {
        if (!held_revocation_)
            return;
        auto parts = std::move(held_revocation_);
        guarded(core_->callback_errors(), [&] { core_->finish_revoke(parts.get()); });
    }

    // -- Commits (any thread) -----------------------------------------------------------------

    /// Starts a commit whose result arrives on the commit queue; `offsets` null commits the
    /// stored offsets of handled records.
    void commit(const rd_kafka_topic_partition_list_t* offsets, std::unique_ptr<event_op> op) {
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
            op->complete(
                {make_error_code(err), "commit: " + std::string(rd_kafka_err2str(err)), {}}, {});
        });
    }

    // -- Close (on the strand) ----------------------------------------------------------------

    void close(std::chrono::milliseconds timeout, std::shared_ptr<event_op> op) {
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
        close_op_ = std::move(op);
        close_bridge_ = queue_bridge::create_on(bridge_->strand(),
                                                queue_handle(rd_kafka_queue_new(core_->native())),
                                                [weak = weak_from_this()] {
                                                    if (auto s = weak.lock()) {
                                                        const std::lock_guard lock(s->mutex_);
                                                        s->drain_close();
                                                    }
                                                });
        error_info err = error_info::adopt(
            rd_kafka_consumer_close_queue(core_->native(), close_bridge_->queue()));
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
            const std::lock_guard lock(s->mutex_);
            s->core_->mark_close_timed_out();
            s->finish_close(
                {make_error_code(errc::timed_out),
                 "consumer close did not finish within " + std::to_string(timeout.count()) + " ms",
                 {}});
        });
        close_bridge_->poke();
    }

  private:
    async_consumer_service(const asio::any_io_executor& executor, const consumer_config& config)
        : executor_(executor), core_(std::make_unique<consumer_core>(config)) {}

    /// On the strand, whenever the consumer queue may have something.
    void drain() {
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
                msgs = core_->fetch(receiver->max(), std::chrono::milliseconds(0));
            } catch (const kafka_error& e) {
                receivers_.pop_front();
                bridge_->release();
                receiver->abort({e.code(), e.what(), e.flags()});
                continue;
            }
            if (msgs.empty())
                break;
            receivers_.pop_front();
            bridge_->release();
            receiver->deliver(msgs, *this);
            if (!msgs.empty())
                core_->give_back(std::move(msgs));
        }
        if (receivers_.empty() && !rebalance_waiters_.empty()) {
            // Nobody takes records, but rebalances must still be served.
            guarded(core_->callback_errors(), [&] { core_->serve_events(); });
        }
    }

    void drain_commits() {
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

    void drain_close() {
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
                       core_->is_own_commit(rd_kafka_event_opaque(ev.get())) &&
                       !final_commit_error_) {
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

    void finish_close(const error_info& err) {
        if (!close_op_)
            return;
        if (close_timer_)
            close_timer_->cancel();
        if (close_bridge_)
            close_bridge_->release();
        core_->mark_closed();
        std::exchange(close_op_, nullptr)->complete(err, {});
    }

    /// From inside librdkafka's rebalance callback (on the strand, during a drain).
    bool on_rebalance(rebalance_kind kind, const rd_kafka_topic_partition_list_t* parts) {
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

    asio::any_io_executor executor_;
    std::unique_ptr<consumer_core> core_;
    std::shared_ptr<queue_bridge> bridge_;
    std::shared_ptr<queue_bridge> commit_bridge_;
    std::deque<std::shared_ptr<receive_op>> receivers_;
    bool rebalance_events_ = false;
    std::deque<rebalance_event> events_;
    std::deque<std::shared_ptr<event_op>> rebalance_waiters_;
    partition_list_handle held_revocation_;
    bool closed_ = false;
    std::shared_ptr<queue_bridge> close_bridge_;
    std::unique_ptr<asio::steady_timer> close_timer_;
    std::shared_ptr<event_op> close_op_;
    error_info final_commit_error_;
    // Taken by every piece of strand work and by with_core(); see with_core(). Recursive, as a
    // rebalance listener runs inside a drain and may call the consumer's plain members.
    mutable std::recursive_mutex mutex_;
};

}  // namespace kflow::detail
