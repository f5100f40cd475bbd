#pragma once
// An async_producer transactional call: librdkafka's call blocks (it waits for the transaction
// coordinator), so it runs on the producer's worker thread, and its handler is dispatched to
// its own executor afterwards.

#include <kflow/detail/async_producer_service.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

namespace kflow::detail {

/// A transactional call, made on the worker thread with the producer's core.
using transaction_call = std::function<error_info(producer_core&)>;

/// One transactional call and its handler, completed with `(error_code)`.
template <class Handler>
class async_transaction_op final : public worker_task {
  public:
    /// `service` outlives the op: its destructor stops the worker, which runs or fails the op.
    async_transaction_op(Handler handler, async_producer_service& service, transaction_call call)
        : handler_(std::move(handler)),
          service_(&service),
          call_(std::move(call)),
          work_(asio::get_associated_executor(handler_, service_->executor())) {}

    void run() override { finish(service_->serve_blocking(call_)); }
    void fail(const error_info& err) override { finish(err); }

  private:
    /// Posts the completion. The worker posts into the application's io_context, and Asio's
    /// post signals the io_context after releasing its lock: the completion could run, and the
    /// application destroy its io_context, while this thread is still inside post. So the
    /// completion first waits until post returned (nanoseconds in practice), and no kflow thread
    /// touches the io_context once the application has the result.
    void finish(error_info err) {
        const asio::any_io_executor fallback = service_->executor();
        service_->release();
        auto ex = asio::get_associated_executor(handler_, fallback);
        auto posted = std::make_shared<std::atomic<bool>>(false);
        asio::post(ex, [h = std::move(handler_), err = std::move(err), work = std::move(work_),
                        posted, poster = std::this_thread::get_id()]() mutable {
            if (std::this_thread::get_id() != poster)  // not run inline by a lax executor
                posted->wait(false, std::memory_order_acquire);
            asio::get_associated_cancellation_slot(h).clear();
            complete(h, err);
        });
        posted->store(true, std::memory_order_release);
        posted->notify_all();
    }

    Handler handler_;
    async_producer_service* service_;
    transaction_call call_;
    asio::executor_work_guard<asio::associated_executor_t<Handler, asio::any_io_executor>> work_;
};

}  // namespace kflow::detail
