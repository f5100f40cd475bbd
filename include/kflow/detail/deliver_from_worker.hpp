#pragma once
// Completing an operation from a kflow thread (a blocking_worker's): the completion is posted to
// the handler's executor, and the posting thread never touches that executor once the
// application can have seen the result.

#include <kflow/error.hpp>
#include <kflow/use_awaitable.hpp>  // detail::complete

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <utility>

namespace kflow::detail {

namespace asio = boost::asio;

/// Runs `handler(ec, results...)` on its associated executor (or `fallback`), later. `op_work`,
/// the operation's own work guard, moves into the completion: it must be released on the
/// handler's side. The operation itself is destroyed on the worker thread, possibly after the
/// completion ran and its io_context is gone, so it may hold no counted work by then.
///
/// The worker thread posts into the application's io_context, and Asio's post signals the
/// io_context's condition variable after releasing its lock: the completion could run, and an
/// application that returns once it ran (kflow::testing::run_coroutine does) destroy the
/// io_context, while the worker is still inside post. The completion therefore starts by
/// waiting until post has returned (nanoseconds, in practice), so that no kflow thread touches
/// the io_context once the application saw the result.
template <class Handler, class Work, class... Results>
void deliver(Handler handler, const asio::any_io_executor& fallback, Work& op_work, error_info err,
             Results... results) {
    auto ex = asio::get_associated_executor(handler, fallback);
    auto posted = std::make_shared<std::atomic<bool>>(false);
    asio::post(ex,
               [h = std::move(handler), err = std::move(err), ... r = std::move(results),
                work = std::move(op_work), posted, poster = std::this_thread::get_id()]() mutable {
                   // An executor that ran it inline, against post's contract, must not deadlock
                   // here.
                   if (std::this_thread::get_id() != poster)
                       posted->wait(false, std::memory_order_acquire);
                   asio::get_associated_cancellation_slot(h).clear();
                   complete(h, err, std::move(r)...);
               });
    posted->store(true, std::memory_order_release);
    posted->notify_all();
}

/// As above for an operation that holds no work of its own (one that fails at initiation).
template <class Handler, class Result>
void deliver(Handler handler, const asio::any_io_executor& fallback, error_info err,
             Result result) {
    auto work = asio::make_work_guard(asio::get_associated_executor(handler, fallback));
    deliver(std::move(handler), fallback, work, std::move(err), std::move(result));
}

}  // namespace kflow::detail
