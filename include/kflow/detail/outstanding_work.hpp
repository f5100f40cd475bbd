#pragma once
// Keeps a handler's executor from running out of work while the operation is pending.
//
// asio::executor_work_guard only accepts executors of the older model, and
// asio::strand<asio::any_io_executor> (what asio::make_strand(io.get_executor()) gives) is not
// one; preferring outstanding_work.tracked works with every standard executor.

#include <boost/asio/execution.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/prefer.hpp>

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
    explicit outstanding_work(const Executor& ex) : executor_(ex), tracked_(track_work(ex)) {}

    [[nodiscard]] const Executor& get_executor() const noexcept { return executor_; }

  private:
    Executor executor_;
    decltype(track_work(std::declval<const Executor&>())) tracked_;
};

}  // namespace kflow::detail
