#pragma once
// The out-of-line members of async_producer_service: creation, the drain of delivery reports,
// waiting sends, flush waiters and close.
// kflow/detail/async_producer_service.hpp includes this file at its end in header-only mode; with
// KFLOW_SEPARATE_COMPILATION only kflow/src.hpp does (see kflow/detail/config.hpp).

#include <kflow/detail/async_producer_service.hpp>

namespace kflow::detail {

std::shared_ptr<async_producer_service> async_producer_service::create(
    const asio::any_io_executor& executor, const producer_config& config) {
    auto self =
        std::shared_ptr<async_producer_service>(new async_producer_service(executor, config));
    std::weak_ptr<async_producer_service> weak = self;
    self->bridge_ = queue_bridge::create(
        executor, queue_handle(rd_kafka_queue_get_main(self->core_->native())), [weak] {
            if (auto s = weak.lock())
                s->drain();
        });
    return self;
}

async_producer_service::~async_producer_service() {
    // A transactional call still running ends within its own timeout; those not started fail.
    worker_.stop({make_error_code(errc::closed), "async_producer destroyed", {}});
    // Resolve every outstanding operation while the members they use are alive.
    if (!core_->closed()) {
        guarded(core_->callback_errors(), [&] { (void)close(core_->close_timeout()); });
    }
    bridge_->shutdown();
}

bool async_producer_service::cancel_waiting(const std::shared_ptr<waiting_send>& w) {
    std::unique_ptr<delivery_op> op;
    {
        const std::lock_guard lock(mutex_);
        if (!w->op)
            return false;
        op = std::move(w->op);
        std::erase(waiting_, w);
        has_waiting_.store(!waiting_.empty(), std::memory_order_release);
    }
    static_cast<deferred_delivery*>(op.release())
        ->abort({make_error_code(asio::error::operation_aborted),
                 "send cancelled before it was handed to librdkafka",
                 {}});
    return true;
}

void async_producer_service::push_ready(deferred_delivery* op) {
    deferred_delivery* newest = ready_.load(std::memory_order_relaxed);
    do {
        op->next_ready = newest;
    } while (!ready_.compare_exchange_weak(newest, op, std::memory_order_release,
                                           std::memory_order_relaxed));
}

bool async_producer_service::cancel_flush_waiter(std::uint64_t id, const error_info& why) {
    std::unique_ptr<flush_waiter> owned_waiter;
    {
        const std::lock_guard lock(mutex_);
        auto it = std::find_if(flush_waiters_.begin(), flush_waiters_.end(),
                               [&](const auto& p) { return p->id == id; });
        if (it == flush_waiters_.end())
            return false;
        owned_waiter = std::move(*it);
        flush_waiters_.erase(it);
    }
    stop_deadline(*owned_waiter);
    owned_waiter.release()->complete(why);
    bridge_->release();
    return true;
}

std::size_t async_producer_service::purge() {
    std::size_t undelivered = core_->in_flight();
    rd_kafka_purge(core_->native(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    undelivered += abort_waiting();
    bridge_->poke();  // the purged messages' reports are queued already
    return undelivered;
}

std::size_t async_producer_service::close(std::chrono::milliseconds timeout) {
    const auto undelivered = core_->close(timeout, [this](int ms) {
        rd_kafka_poll(core_->native(), ms);
        run_ready();
    });
    const std::size_t never_sent = abort_waiting();
    run_ready();
    complete_flush_waiters();
    return undelivered + never_sent;
}

async_producer_service::async_producer_service(const asio::any_io_executor& executor,
                                               const producer_config& config)
    : executor_(executor), core_(std::make_unique<producer_core>(config)) {}

std::size_t async_producer_service::abort_waiting() {
    std::deque<std::shared_ptr<waiting_send>> waiting;
    {
        const std::lock_guard lock(mutex_);
        waiting.swap(waiting_);
        has_waiting_.store(false, std::memory_order_release);
    }
    for (auto& w : waiting) {
        if (w->op) {
            static_cast<deferred_delivery*>(w->op.release())
                ->abort({make_error_code(errc::closed), "producer closed before the send", {}});
        }
    }
    return waiting.size();
}

void async_producer_service::stop_deadline(const flush_waiter& w) {
    if (w.deadline)
        asio::post(bridge_->strand(), [timer = w.deadline] { timer->cancel(); });
}

payload async_producer_service::owned(payload p) {
    if (!p.is_borrowed())
        return p;
    const auto b = p.bytes();
    return payload(std::vector<std::byte>(b.begin(), b.end()));
}

void async_producer_service::drain() {
    std::unique_lock serving(serve_mutex_, std::try_to_lock);
    if (!serving.owns_lock())
        return;  // a transactional call serves the queue; it pokes the drain when it is done
    rd_kafka_poll(core_->native(), 0);
    serving.unlock();
    core_->run_deferred();
    if (core_->security_failed()) [[unlikely]]
        (void)core_->purge_after_security_failure();
    run_ready();
    retry_waiting();
    complete_flush_waiters();
    core_->callback_errors().rethrow_if_any();
}

void async_producer_service::run_ready() {
    // Taken newest first, as pushed; reversed, the handlers run in the order the reports came.
    deferred_delivery* newest = ready_.exchange(nullptr, std::memory_order_acquire);
    deferred_delivery* op = nullptr;
    while (newest != nullptr) {
        deferred_delivery* older = newest->next_ready;
        newest->next_ready = op;
        op = newest;
        newest = older;
    }
    while (op != nullptr) {
        auto* next = op->next_ready;
        op->finish();
        op = next;
    }
}

void async_producer_service::retry_waiting() {
    const std::lock_guard lock(mutex_);
    while (!waiting_.empty()) {
        auto& w = waiting_.front();
        // The op owns the value bytes by now (a waiting send copied borrowed ones).
        auto refused =
            core_->produce({w->topic, w->partition, w->key, w->op->kept(), w->headers, w->time},
                           w->op, queue_full_policy::fail);
        if (refused && refused->code == make_error_code(errc::queue_full))
            return;  // still no room
        if (refused) {
            static_cast<deferred_delivery*>(w->op.release())->abort(*refused);
        }
        waiting_.pop_front();
    }
    has_waiting_.store(false, std::memory_order_release);
}

void async_producer_service::complete_flush_waiters() {
    std::vector<std::unique_ptr<flush_waiter>> done;
    {
        const std::lock_guard lock(mutex_);
        if (flush_waiters_.empty() || core_->in_flight() > 0 || !waiting_.empty())
            return;
        done.swap(flush_waiters_);
    }
    // Every message failed with a final security failure or a fatal error, if there is one: so
    // does the flush.
    const error_info outcome =
        core_->security_failed() ? core_->security_failure() : core_->fatal_error();
    for (auto& w : done) {
        stop_deadline(*w);
        w.release()->complete(outcome);
        bridge_->release();
    }
}

}  // namespace kflow::detail
