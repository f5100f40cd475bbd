#pragma once
// Keeps a handler's executor from running out of work while the operation is pending.
//
// asio::executor_work_guard only accepts executors of the older model, and
// asio::strand<asio::any_io_executor> (what asio::make_strand(io.get_executor()) gives) is not
// one; preferring outstanding_work.tracked works with every standard executor.

#include <boost/asio/execution.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/prefer.hpp>

#include <optional>
#include <utility>

namespace kflow::detail {

template <class Executor>
auto track_work(const Executor& ex) {
    namespace asio = boost::asio;
    if constexpr (asio::execution::is_executor<Executor>::value) {
        return asio::prefer(ex, asio::execution::outstanding_work.tracked);
    } else {
        return asio::make_work_guard(ex);
    }
}

/// The executor, and the work counted on it until this object is destroyed.
template <class Executor>
class outstanding_work {
  public:
    /// Counts work on `ex`, unless `kept_busy` says something else already keeps its execution
    /// context from running out of work until this object is gone: counting costs two atomic
    /// operations and executor copies per operation, which a service that already holds the
    /// context for all of its operations need not pay again.
    explicit outstanding_work(const Executor& ex, bool kept_busy = false) : executor_(ex) {
        if (!kept_busy)
            tracked_.emplace(track_work(ex));
    }

    [[nodiscard]] const Executor& get_executor() const noexcept { return executor_; }
    /// False when the constructor was told that something else keeps the context busy.
    [[nodiscard]] bool counts_work() const noexcept { return tracked_.has_value(); }

  private:
    Executor executor_;
    std::optional<decltype(track_work(std::declval<const Executor&>()))> tracked_;
};

}  // namespace kflow::detail
