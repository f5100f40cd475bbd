#pragma once
// A handler waiting for its operation to end: kept with a work guard on its executor, so the
// executor's run() does not return meanwhile, and completed there exactly once.

#include <kflow/detail/completions_after_unlock.hpp>
#include <kflow/detail/outstanding_work.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>

#include <utility>

namespace kflow::detail {

namespace asio = boost::asio;

/// Keeps a handler and a work guard on its executor, and completes it there exactly once.
template <class Handler>
class pending_handler {
  public:
    using executor_type = asio::associated_executor_t<Handler, asio::any_io_executor>;

    pending_handler(Handler handler, const asio::any_io_executor& fallback)
        : handler_(std::move(handler)), work_(asio::get_associated_executor(handler_, fallback)) {}

    [[nodiscard]] executor_type executor() const { return work_.get_executor(); }

    /// Completes on the handler's executor, after `setup(handler)` ran there. Inside a
    /// completions_after_unlock scope (a service's work under its lock), once that lock is
    /// released.
    template <class Setup, class... Args>
    void complete_with(const error_info& err, Setup&& setup, Args&&... args) {
        auto ex = work_.get_executor();
        auto completion = [h = std::move(handler_), err, setup = std::forward<Setup>(setup),
                           work = std::move(work_), ... a = std::forward<Args>(args)]() mutable {
            asio::get_associated_cancellation_slot(h).clear();
            setup(h);
            detail::complete(h, err, std::move(a)...);
        };
        if (auto* after_unlock = completions_after_unlock::current()) {
            after_unlock->defer(std::move(ex), std::move(completion));
        } else {
            asio::dispatch(ex, std::move(completion));
        }
    }
    template <class... Args>
    void complete(const error_info& err, Args&&... args) {
        complete_with(
            err, [](Handler&) {}, std::forward<Args>(args)...);
    }

    /// The handler and its work guard, moved out, for the operation to complete now (it runs
    /// on the handler's executor) once it let go of everything else it holds.
    class taken {
      public:
        /// Completes the handler, after `setup(handler)`.
        template <class Setup, class... Args>
        void operator()(const error_info& err, Setup&& setup, Args&&... args) && {
            asio::get_associated_cancellation_slot(handler_).clear();
            setup(handler_);
            detail::complete(handler_, err, std::forward<Args>(args)...);
        }

      private:
        friend pending_handler;
        taken(Handler h, outstanding_work<executor_type> work)
            : handler_(std::move(h)), work_(std::move(work)) {}
        Handler handler_;
        outstanding_work<executor_type> work_;  // released after the handler returns
    };
    [[nodiscard]] taken take() { return taken(std::move(handler_), std::move(work_)); }

  private:
    Handler handler_;
    outstanding_work<executor_type> work_;
};

}  // namespace kflow::detail
