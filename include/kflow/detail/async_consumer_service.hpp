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

#include <kflow/detail/completions_after_unlock.hpp>
#include <kflow/detail/config.hpp>
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
    /// Excluding the strand's work: takes what it uses from the front of `msgs` (never empty)
    /// and completes with it (never inline: see receive_completion::complete_taken); what it leaves
    /// in `msgs` goes back to the consumer.
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
    KFLOW_DECL static std::shared_ptr<async_consumer_service> create(
        const asio::any_io_executor& executor, const consumer_config& config);

    async_consumer_service(const async_consumer_service&) = delete;
    async_consumer_service& operator=(const async_consumer_service&) = delete;

    KFLOW_DECL ~async_consumer_service();

    [[nodiscard]] consumer_core& core() noexcept { return *core_; }
    /// What a borrowing record keeps alive with its message.
    [[nodiscard]] const std::shared_ptr<consumer_core>& shared_core() const noexcept {
        return core_;
    }
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
                       under_lock(std::move(self), std::move(f));
                   });
    }

    /// Runs `f()` under `service`'s lock, as all strand work does. The handlers it completes
    /// run once the lock is released (completions_after_unlock): a coroutine resumed under it
    /// could call into another consumer, and with several threads that is a deadlock. They run
    /// once `f` and `service` are let go, too: a handler may destroy the consumer, whose
    /// destructor closes it only if nothing else holds this service (if this was the last
    /// reference, the consumer is gone already and closes here, before they run).
    template <class F>
    static void under_lock(std::shared_ptr<async_consumer_service> service, F f) {
        completions_after_unlock after_unlock;
        {
            const std::lock_guard lock(service->mutex_);
            f();
        }
        { [[maybe_unused]] const F done = std::move(f); }  // with what it captured
        service.reset();
        after_unlock.dispatch_all();
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
    [[nodiscard]] KFLOW_DECL error_info subscribe(const std::vector<std::string>& topics,
                                                  rebalance_listener listener, bool events);

    /// True once close() started: the librdkafka handle stays valid, but serves nothing more.
    [[nodiscard]] bool closing() const {
        const std::lock_guard lock(mutex_);
        return closed_;
    }

    // -- Receiving (on the strand) ------------------------------------------------------------

    /// Starts a receive: completes it at once with records already fetched (from the calling
    /// thread, without librdkafka, so no callback runs there), else queues it on the strand.
    KFLOW_DECL void start_receive(std::shared_ptr<receive_op> op);

    /// A coroutine's receive (async_receive under kflow::use_awaitable), which may complete in
    /// the awaiting coroutine itself: when a record is already fetched and no receiver waits
    /// ahead, runs `take(msg, core)` now, on the calling thread, excluding the strand's work,
    /// and returns true. `take` decodes the message and hands it over (mark_handed()).
    template <class Take>
    bool receive_one_now(Take&& take) {
        const std::lock_guard lock(mutex_);
        if (closed_ || !receivers_.empty() || receivers_on_the_way_ != 0)
            return false;
        message_handle msg = core_->fetch_ready_one();
        if (!msg)
            return false;
        std::forward<Take>(take)(msg, *core_);
        return true;
    }

    KFLOW_DECL void add_receiver(std::shared_ptr<receive_op> op);

    /// Withdraws a receiver that has not completed; false if it already has.
    KFLOW_DECL bool cancel_receiver(const std::shared_ptr<receive_op>& op);

    /// A receiver's handler is about to run with `msgs` (any thread): they count as handed to
    /// the application, the last one held at its offset if it failed to deserialize. Done at
    /// once, excluding the strand's work, so before anything the handler then starts.
    KFLOW_DECL void hand_over(const std::vector<message_handle>& msgs, bool last_failed);

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

    KFLOW_DECL void add_rebalance_waiter(std::shared_ptr<event_op> op);

    /// Someone awaits what the client's queue brings besides records and deliveries (its
    /// statistics): keep the queue served until release_events().
    void hold_events() {
        events_wanted_.fetch_add(1, std::memory_order_relaxed);
        bridge_->hold();
        bridge_->poke();  // a document may be queued already
    }
    /// That wait is over.
    void release_events() {
        events_wanted_.fetch_sub(1, std::memory_order_relaxed);
        bridge_->release();
    }

    KFLOW_DECL bool cancel_rebalance_waiter(const std::shared_ptr<event_op>& op);

    /// The application has done what it needed before the revoked partitions go.
    KFLOW_DECL void finish_held_revocation();

    // -- Commits (any thread) -----------------------------------------------------------------

    /// Starts a commit whose result arrives on the commit queue; `offsets` null commits the
    /// stored offsets of handled records.
    KFLOW_DECL void commit(const rd_kafka_topic_partition_list_t* offsets,
                           std::unique_ptr<event_op> op);

    // -- Close (on the strand) ----------------------------------------------------------------

    KFLOW_DECL void close(std::chrono::milliseconds timeout, std::shared_ptr<event_op> op);

  private:
    KFLOW_DECL async_consumer_service(const asio::any_io_executor& executor,
                                      const consumer_config& config);

    /// On the strand, whenever the consumer queue may have something.
    KFLOW_DECL void drain();

    KFLOW_DECL void drain_commits();

    KFLOW_DECL void drain_close();

    KFLOW_DECL void finish_close(const error_info& err);

    /// From inside librdkafka's rebalance callback (on the strand, during a drain).
    KFLOW_DECL bool on_rebalance(rebalance_kind kind, const rd_kafka_topic_partition_list_t* parts);

    asio::any_io_executor executor_;
    /// Shared with borrowing records (record_storage), which must not outlive the rd_kafka_t
    /// their messages came from.
    std::shared_ptr<consumer_core> core_;
    std::shared_ptr<queue_bridge> bridge_;
    std::shared_ptr<queue_bridge> commit_bridge_;
    std::deque<std::shared_ptr<receive_op>> receivers_;
    // Receives posted to the strand that add_receiver() has not queued yet: while there are
    // any, a new receive queues behind them rather than completing at once.
    std::size_t receivers_on_the_way_ = 0;
    std::vector<message_handle> ready_;  ///< start_receive()'s buffer, reused
    bool rebalance_events_ = false;
    std::deque<rebalance_event> events_;
    std::deque<std::shared_ptr<event_op>> rebalance_waiters_;
    std::atomic<int> events_wanted_{0};  ///< statistics waits (hold_events())
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

#if !defined(KFLOW_SEPARATE_COMPILATION)
#include <kflow/detail/impl/async_consumer_service.ipp>
#endif
