#pragma once
// The non-template half of async_producer: the event bridge on librdkafka's main queue, the
// completed deliveries waiting to run their handlers, sends waiting for room in a full queue, and
// flush waiters.
//
// Delivery reports are served on the bridge's strand; a report only records its result, and the
// handler runs after rd_kafka_poll() has returned, dispatched to the handler's own executor, so
// application code never runs inside librdkafka's C frames.

#include <kflow/detail/blocking_worker.hpp>
#include <kflow/detail/config.hpp>
#include <kflow/detail/producer_core.hpp>
#include <kflow/detail/queue_bridge.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace kflow::detail {

/// A delivery whose handler runs after the report was served.
class deferred_delivery : public delivery_op {
  public:
    using delivery_op::delivery_op;
    /// Runs the handler with the recorded result (dispatched to its executor) and deletes this.
    virtual void finish() = 0;
    /// Completes with `err` without the message having been sent, and deletes this.
    virtual void abort(const error_info& err) = 0;

    deferred_delivery* next_ready = nullptr;
};

/// Something waiting for every outstanding delivery: async_flush.
class flush_waiter {
  public:
    virtual ~flush_waiter() = default;
    virtual void complete(const error_info& err) = 0;  // completes and deletes this

    /// Names the waiter for cancellation: its address may be reused once it completed, while
    /// the cancellation slot still points at it.
    std::uint64_t id = 0;
    /// The timer that fails the waiter at its deadline, if it has one; cancelled (on the
    /// strand) once the waiter completes, so it does not keep the executor busy.
    std::shared_ptr<asio::steady_timer> deadline;
};

/// A flush waiter of kflow's own (async_close's steps): runs a function, on the strand.
class callback_flush_waiter final : public flush_waiter {
  public:
    explicit callback_flush_waiter(std::function<void(const error_info&)> then)
        : then_(std::move(then)) {}
    void complete(const error_info& err) override {
        auto then = std::move(then_);
        delete this;
        then(err);
    }

  private:
    std::function<void(const error_info&)> then_;
};

/// A send that found librdkafka's queue full and waits for room, in order.
struct waiting_send {
    std::string topic;
    std::int32_t partition = any_partition;
    payload key;
    kflow::headers headers;
    std::optional<timestamp> time;
    std::unique_ptr<delivery_op> op;  // a deferred_delivery; null once handed over or cancelled
};

class async_producer_service : public std::enable_shared_from_this<async_producer_service> {
  public:
    KFLOW_DECL static std::shared_ptr<async_producer_service> create(
        const asio::any_io_executor& executor, const producer_config& config);

    async_producer_service(const async_producer_service&) = delete;
    async_producer_service& operator=(const async_producer_service&) = delete;

    KFLOW_DECL ~async_producer_service();

    [[nodiscard]] producer_core& core() noexcept { return *core_; }
    [[nodiscard]] const asio::any_io_executor& executor() const noexcept { return executor_; }
    [[nodiscard]] const queue_bridge::strand_type& strand() const noexcept {
        return bridge_->strand();
    }

    /// Hands a message to librdkafka, or queues it behind earlier ones when the queue is full
    /// (never blocks). Returns the reason for an immediate failure (empty when the message was
    /// taken or queued, so a send pays for no error_info); `op` is then left intact.
    /// `on_wait(waiting)` runs if the send has to wait, under the lock that hands waiting sends
    /// over: the send cannot complete before it returned (e.g. to connect cancellation).
    template <class OnWait>
    [[nodiscard]] send_refusal send(outgoing_message&& msg, std::unique_ptr<delivery_op>& op,
                                    OnWait&& on_wait) {
        bridge_->hold();
        if (closing_)
            return error_info{make_error_code(errc::closed), "producer is closed", {}};
        // The usual case, no send waiting for room: hand this one over without the lock. A send
        // that waits sets has_waiting_ before its call returns, so every later send (from the
        // same coroutine, strand or thread) sees it and queues behind it.
        if (!has_waiting_.load(std::memory_order_acquire)) {
            auto refused = core_->produce(std::move(msg), op, queue_full_policy::fail);
            if (!refused || refused->code != make_error_code(errc::queue_full) ||
                core_->queue_full_setting() == queue_full_policy::fail) {
                return refused;  // when refused, the caller aborts the op: that releases the hold
            }
        }
        {
            const std::lock_guard lock(mutex_);
            // Room may have been made since, or the waiting sends handed over meanwhile.
            if (waiting_.empty()) {
                auto refused = core_->produce(std::move(msg), op, queue_full_policy::fail);
                if (!refused || refused->code != make_error_code(errc::queue_full) ||
                    core_->queue_full_setting() == queue_full_policy::fail) {
                    return refused;  // when refused, the caller aborts the op
                }
            }
            // Keep the order: everything after a waiting send waits too.
            auto w = std::make_shared<waiting_send>();
            w->topic = msg.topic;
            w->partition = msg.partition;
            w->key = owned(std::move(msg.key));
            w->headers = msg.headers;
            w->time = msg.time;
            op->own_copy(msg.value);  // borrowed bytes are gone once send() returns
            w->op = std::move(op);
            waiting_.push_back(w);
            has_waiting_.store(true, std::memory_order_release);
            on_wait(w);
        }
        bridge_->poke();  // room may already have been made
        return std::nullopt;
    }

    /// Cancels a send still waiting for room; false if it was handed over already.
    KFLOW_DECL bool cancel_waiting(const std::shared_ptr<waiting_send>& w);

    /// Called from a delivery report (inside rd_kafka_poll): the handler runs after it returns.
    KFLOW_DECL void push_ready(deferred_delivery* op);

    /// Someone awaits what the client's queue brings besides records and deliveries (its
    /// statistics): keep the queue served until release_events().
    void hold_events() {
        bridge_->hold();
        bridge_->poke();  // a document may be queued already
    }
    /// That wait is over.
    void release_events() { bridge_->release(); }

    /// The operation holding the bridge is over.
    void release() { bridge_->release(); }

    /// `on_added(id)` runs under the lock that completes waiters, with the id for
    /// cancel_flush_waiter(): the waiter cannot complete before it returned.
    template <class OnAdded>
    void add_flush_waiter(std::unique_ptr<flush_waiter> waiter, OnAdded&& on_added) {
        bridge_->hold();
        {
            const std::lock_guard lock(mutex_);
            waiter->id = ++last_flush_id_;
            on_added(waiter->id);
            flush_waiters_.push_back(std::move(waiter));
        }
        bridge_->poke();
    }
    /// As add_flush_waiter(), failing the waiter with `on_timeout` after `timeout` unless every
    /// report arrived first.
    template <class OnAdded>
    void add_flush_waiter(std::unique_ptr<flush_waiter> waiter, std::chrono::milliseconds timeout,
                          error_info on_timeout, OnAdded&& on_added) {
        auto id = std::make_shared<std::atomic<std::uint64_t>>(0);
        waiter->deadline = std::make_shared<asio::steady_timer>(bridge_->strand(), timeout);
        // Armed before the waiter is added: the cancellation its completion posts to the strand
        // then always finds the wait.
        waiter->deadline->async_wait(
            [weak = weak_from_this(), id, on_timeout](boost::system::error_code ec) {
                if (ec)
                    return;
                if (auto s = weak.lock())
                    s->cancel_flush_waiter(id->load(), on_timeout);
            });
        add_flush_waiter(std::move(waiter), [&](std::uint64_t added) {
            id->store(added);
            on_added(added);
        });
    }

    /// Fails a waiter that has not completed (with `why`); false if it had.
    KFLOW_DECL bool cancel_flush_waiter(std::uint64_t id,
                                        const error_info& why = {
                                            make_error_code(asio::error::operation_aborted),
                                            "flush cancelled",
                                            {}});

    // -- Transactional calls (async_producer's async_*_transaction*) ---------------------------

    /// Queues `task` for the worker thread, which runs librdkafka's blocking transactional
    /// calls one at a time, in order. The bridge is held until the task calls release().
    void submit_blocking(std::unique_ptr<worker_task> task) {
        bridge_->hold();
        worker_.submit(std::move(task));
    }

    /// On the worker thread: runs `call(core())` while this thread, not the executor's drain,
    /// serves the main queue (librdkafka's transactional calls flush, which polls it). The
    /// application's callbacks that poll serves are deferred to the drain, so they still run on
    /// the executor; delivery reports only record their results, as always. What a callback
    /// threw stays parked for the drain to rethrow.
    template <class Call>
    [[nodiscard]] error_info serve_blocking(Call&& call) {
        error_info err;
        {
            const std::lock_guard serving(serve_mutex_);
            core_->defer_callbacks_on_this_thread(true);
            try {
                err = std::forward<Call>(call)(*core_);
            } catch (...) {
                core_->callback_errors().capture(std::current_exception());
            }
            core_->defer_callbacks_on_this_thread(false);
        }
        bridge_->poke();  // run the handlers and callbacks it served, and what the drain missed
        return err;
    }

    // -- async_close's steps (on the strand) --------------------------------------------------

    /// Refuses new sends from now on (errc::closed); false if a close had begun already.
    bool begin_close() { return !closing_.exchange(true) && !core_->closed(); }

    /// Fails what librdkafka still holds (their reports follow) and the sends waiting for room;
    /// returns how many messages so go undelivered.
    KFLOW_DECL std::size_t purge();

    /// The close is over: the producer stays closed.
    void finish_close() { core_->mark_closed(); }

    /// Synchronous, bounded close (destructor and close()): serves reports inline.
    KFLOW_DECL std::size_t close(std::chrono::milliseconds timeout);

  private:
    KFLOW_DECL async_producer_service(const asio::any_io_executor& executor,
                                      const producer_config& config);

    /// Fails the sends still waiting for room (they never reached librdkafka); returns how many.
    KFLOW_DECL std::size_t abort_waiting();

    /// A waiter completes: its deadline timer, if any, stops keeping the executor busy.
    KFLOW_DECL void stop_deadline(const flush_waiter& w);

    KFLOW_DECL static payload owned(payload p);

    /// On the bridge's strand, whenever the main queue may have events.
    KFLOW_DECL void drain();

    KFLOW_DECL void run_ready();

    KFLOW_DECL void retry_waiting();

    KFLOW_DECL void complete_flush_waiters();

    asio::any_io_executor executor_;
    std::unique_ptr<producer_core> core_;
    std::shared_ptr<queue_bridge> bridge_;
    std::mutex mutex_;
    std::deque<std::shared_ptr<waiting_send>> waiting_;
    /// !waiting_.empty(), written under mutex_ and read without it by send().
    std::atomic<bool> has_waiting_{false};
    /// Deliveries whose reports were served, newest first: pushed inside rd_kafka_poll without
    /// a lock (one per message), taken all at once by run_ready().
    std::atomic<deferred_delivery*> ready_{nullptr};
    std::vector<std::unique_ptr<flush_waiter>> flush_waiters_;
    std::uint64_t last_flush_id_ = 0;
    std::atomic<bool> closing_{false};
    /// Held by whoever polls the main queue: the drain (try_lock: it skips a round while a
    /// transactional call serves it, and that call pokes it afterwards) or serve_blocking().
    std::mutex serve_mutex_;
    blocking_worker worker_;  // after the members its tasks use: stopped first (destructor)
};

}  // namespace kflow::detail

#if !defined(KFLOW_SEPARATE_COMPILATION)
#include <kflow/detail/impl/async_producer_service.ipp>
#endif
