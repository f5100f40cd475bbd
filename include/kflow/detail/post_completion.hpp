#pragma once
// Completing an operation whose result is known while it is being initiated.

#include <kflow/use_awaitable.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>

#include <utility>

namespace kflow::detail {

/// Runs `handler(ec, args...)` later, on its associated executor (or `fallback`): Asio forbids
/// completing an operation from inside its initiating function.
template <class Handler, class... Args>
void post_completion(const boost::asio::any_io_executor& fallback, Handler&& handler,
                     const error_info& info, Args&&... args) {
    auto ex = boost::asio::get_associated_executor(handler, fallback);
    boost::asio::post(
        ex, [h = std::forward<Handler>(handler), info, ... a = std::forward<Args>(args)]() mutable {
            complete(h, info, std::move(a)...);
        });
}

}  // namespace kflow::detail
