#pragma once
// kflow::use_awaitable: the default completion token of kflow's async operations.
//
// kflow's operations complete with `void(boost::system::error_code, T)`, so every Asio token
// works (callbacks, asio::use_awaitable, asio::deferred, asio::use_future, asio::as_tuple, ...).
// Under kflow::use_awaitable, `co_await op(...)` returns T and throws kflow's own exceptions
// with their details: kafka_error (message with context, fatal / retriable flags) or, for a
// record that cannot be deserialized, deserialization_error with the raw bytes.
// asio::use_awaitable also works; it throws boost::system::system_error with the code alone.

#include <kflow/deserialization_error.hpp>
#include <kflow/error.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <utility>

namespace kflow {

/// Adapts a token taking `void(std::exception_ptr, T...)` to kflow's `void(error_code, T...)`
/// operations, turning an error into the matching kflow exception.
template <class InnerToken>
struct throw_kafka_errors_t {
    InnerToken token;  ///< the token that receives `(std::exception_ptr, T...)`
};

/// The type of kflow::use_awaitable.
using use_awaitable_t = throw_kafka_errors_t<boost::asio::use_awaitable_t<>>;

/// The default token: co_await in an asio::awaitable coroutine, kflow exceptions on error.
inline constexpr use_awaitable_t use_awaitable{};

/// Any token with kflow exceptions on error, e.g. kflow::throw_kafka_errors(asio::use_future).
template <class InnerToken>
[[nodiscard]] constexpr throw_kafka_errors_t<std::decay_t<InnerToken>> throw_kafka_errors(
    InnerToken&& token) {
    return {std::forward<InnerToken>(token)};
}

namespace detail {

/// The handler kflow::use_awaitable hands to kflow's initiations. kflow completes operations
/// through complete_with(), which gives it the details an error_code cannot carry.
template <class InnerHandler>
class exception_handler {
  public:
    explicit exception_handler(InnerHandler inner) : inner_(std::move(inner)) {}

    void set_details(error_info info) { failed().details = std::move(info); }
    void set_failure(deserialization_failure failure) { failed().failure = std::move(failure); }

    template <class... Args>
    void operator()(boost::system::error_code ec, Args&&... args) {
        std::exception_ptr e;
        if (failed_ && failed_->failure) {
            e = std::make_exception_ptr(deserialization_error(std::move(*failed_->failure)));
        } else if (failed_ && failed_->details && failed_->details->code) {
            const error_info& details = *failed_->details;
            e = std::make_exception_ptr(kafka_error(details.code, details.message, details.flags));
        } else if (ec) {
            e = std::make_exception_ptr(kafka_error(std::error_code(ec)));
        }
        std::move(inner_)(e, std::forward<Args>(args)...);
    }

    // Asio looks through to the awaiting coroutine's executor, allocator and cancellation.
    using inner_handler_type = InnerHandler;
    InnerHandler& inner() noexcept { return inner_; }
    const InnerHandler& inner() const noexcept { return inner_; }

  private:
    /// What an error's exception says beyond its code. Apart, on the heap, and only for an
    /// operation that fails: the handler lives in every pending operation (a send's for as long
    /// as the message is in flight): with both fields inline it took 296 bytes, not 16.
    struct failure_details {
        std::optional<error_info> details;
        std::optional<deserialization_failure> failure;
    };
    failure_details& failed() {
        if (!failed_)
            failed_ = std::make_unique<failure_details>();
        return *failed_;
    }

    InnerHandler inner_;
    std::unique_ptr<failure_details> failed_;
};

template <class H>
concept takes_error_details = requires(H& h, error_info info) {
    h.set_details(std::move(info));
};

/// The Boost form of a std::error_code. System and generic codes map onto Boost's own
/// categories, so `ec == asio::error::operation_aborted` holds for a cancelled operation.
inline boost::system::error_code to_boost(const std::error_code& ec) noexcept {
    if (ec.category() == std::system_category()) {
        return {ec.value(), boost::system::system_category()};
    }
    if (ec.category() == std::generic_category()) {
        return {ec.value(), boost::system::generic_category()};
    }
    return boost::system::error_code(ec);
}

/// Completes `handler` with (ec, args...), first handing it the details when it wants them.
template <class Handler, class... Args>
void complete(Handler& handler, const error_info& info, Args&&... args) {
    if constexpr (takes_error_details<Handler>) {
        if (info.code)
            handler.set_details(info);
    }
    std::move(handler)(to_boost(info.code), std::forward<Args>(args)...);
}

/// As complete(handler, info, args...), for an outcome that is usually a success (no error
/// given): then neither an error_info nor an error_code conversion is made.
template <class Handler, class... Args>
void complete(Handler& handler, const std::optional<error_info>& failure, Args&&... args) {
    if (failure) {
        complete(handler, *failure, std::forward<Args>(args)...);
    } else {
        std::move(handler)(boost::system::error_code(), std::forward<Args>(args)...);
    }
}

template <class Initiation>
struct exception_initiation {
    Initiation initiation;

    template <class InnerHandler, class... Args>
    void operator()(InnerHandler&& inner, Args&&... args) && {
        std::move(initiation)(
            exception_handler<std::decay_t<InnerHandler>>(std::forward<InnerHandler>(inner)),
            std::forward<Args>(args)...);
    }
};

}  // namespace detail
}  // namespace kflow

namespace boost::asio {

/// How Asio learns the kflow::throw_kafka_errors_t token (and so kflow::use_awaitable): an
/// operation completing with `void(error_code, Args...)` is launched on the inner token with
/// `void(std::exception_ptr, Args...)`, the error turned into kflow's exception with its details.
template <class InnerToken, class... Args>
struct async_result<kflow::throw_kafka_errors_t<InnerToken>,
                    void(boost::system::error_code, Args...)> {
    /// Launches `initiation` with a handler that converts the error, then completes the inner
    /// token; returns whatever the inner token returns (an awaitable for asio::use_awaitable).
    template <class Initiation, class Token, class... InitArgs>
    static auto initiate(Initiation&& initiation, Token&& token, InitArgs&&... args) {
        InnerToken inner = std::forward<Token>(token).token;
        return async_initiate<InnerToken, void(std::exception_ptr, Args...)>(
            kflow::detail::exception_initiation<std::decay_t<Initiation>>{
                std::forward<Initiation>(initiation)},
            inner, std::forward<InitArgs>(args)...);
    }
};

template <template <class, class> class Associator, class InnerHandler, class DefaultCandidate>
struct associator<Associator, kflow::detail::exception_handler<InnerHandler>, DefaultCandidate>
    : Associator<InnerHandler, DefaultCandidate> {
    static typename Associator<InnerHandler, DefaultCandidate>::type get(
        const kflow::detail::exception_handler<InnerHandler>& h) noexcept {
        return Associator<InnerHandler, DefaultCandidate>::get(h.inner());
    }
    static auto get(const kflow::detail::exception_handler<InnerHandler>& h,
                    const DefaultCandidate& c) noexcept
        -> decltype(Associator<InnerHandler, DefaultCandidate>::get(h.inner(), c)) {
        return Associator<InnerHandler, DefaultCandidate>::get(h.inner(), c);
    }
};

}  // namespace boost::asio
