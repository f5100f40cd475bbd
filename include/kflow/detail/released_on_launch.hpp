#pragma once
// Initiations that let go of what they hold once the operation is launched.
//
// Asio keeps an operation's initiation wherever the token put it until the operation completes:
// asio::use_awaitable (and so kflow::use_awaitable) keeps it in the awaiting coroutine's frame.
// kflow's initiations hold their client's shared state, and that state holds the operation's
// handler, which holds the coroutine: a cycle. Destroying the client then destroyed neither, as
// long as the operation had not completed (an application that stops its io_context and then
// destroys its consumer): the consumer was never closed and librdkafka's threads ran on.
//
// Launched as an rvalue (as every token that launches once does), the wrapper moves the
// initiation out of its place first, so what the frame keeps is empty. Launched as an lvalue (an
// asio::deferred operation that may be launched again), it keeps its initiation whole.

#include <boost/asio/async_result.hpp>

#include <type_traits>
#include <utility>

namespace kflow::detail {

template <class Initiation>
class released_on_launch {
  public:
    using executor_type = typename Initiation::executor_type;

    explicit released_on_launch(Initiation initiation) : initiation_(std::move(initiation)) {}

    /// The executor of the operation's object, for tokens that ask for it before launching.
    [[nodiscard]] executor_type get_executor() const noexcept { return initiation_.get_executor(); }

    template <class... Args>
    void operator()(Args&&... args) && {
        Initiation launched = std::move(initiation_);
        std::move(launched)(std::forward<Args>(args)...);
    }

    template <class... Args>
    void operator()(Args&&... args) const& {
        initiation_(std::forward<Args>(args)...);
    }

  private:
    Initiation initiation_;
};

/// asio::async_initiate with `initiation` wrapped in released_on_launch.
template <class Token, class Signature, class Initiation, class... Args>
auto initiate_released(Initiation&& initiation, std::type_identity_t<Token>& token,
                       Args&&... args) {
    return boost::asio::async_initiate<Token, Signature>(
        released_on_launch<std::decay_t<Initiation>>(std::forward<Initiation>(initiation)), token,
        std::forward<Args>(args)...);
}

}  // namespace kflow::detail
