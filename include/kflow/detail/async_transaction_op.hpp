#pragma once
// An async_producer transactional call: librdkafka's call blocks (it waits for the transaction
// coordinator), so it runs on the producer's worker thread, and its handler is dispatched to
// its own executor afterwards.

#include <kflow/detail/async_producer_service.hpp>
#include <kflow/detail/deliver_from_worker.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <functional>

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
    void finish(error_info err) {
        const asio::any_io_executor fallback = service_->executor();
        service_->release();
        deliver(std::move(handler_), fallback, work_, std::move(err));
    }

    Handler handler_;
    async_producer_service* service_;
    transaction_call call_;
    asio::executor_work_guard<asio::associated_executor_t<Handler, asio::any_io_executor>> work_;
};

}  // namespace kflow::detail
