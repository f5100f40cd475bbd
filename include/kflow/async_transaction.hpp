#pragma once
// in_transaction: the scoped transaction for coroutines. A destructor cannot co_await an abort,
// so the scope is a function: it begins a transaction, runs the body, commits when the body
// returns and aborts when it throws (cancellation included), then rethrows.

#include <kflow/async_producer.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <concepts>
#include <exception>

namespace kflow {

/// A function that returns the coroutine run inside a transaction.
template <class F>
concept transaction_body =
    std::invocable<F&> && std::same_as<std::invoke_result_t<F&>, boost::asio::awaitable<void>>;

/// Runs `body()` inside a transaction of `producer` (a transactional async_producer whose
/// async_init_transactions() completed): begins it, awaits the body, then commits within
/// `timeout`. If the body or the commit throws, or the coroutine is cancelled, the transaction
/// is aborted (within `timeout`) and the exception rethrown, classified as docs/transactions.md
/// says: a kafka_error whose is_fatal() means the producer must be recreated; anything else
/// means this transaction's work is undone and may be redone. A failed abort is not reported
/// over the body's error (the next async_begin_transaction() reports the producer's state).
///
/// \code
/// co_await kflow::in_transaction(producer, 10s, [&]() -> asio::awaitable<void> {
///     for (const auto& r : batch)
///         co_await producer.async_send({"out", r.key, transform(r.value)});
///     co_await producer.async_send_offsets_to_transaction(handled.next(), group, 10s);
/// });
/// \endcode
template <class K, class V, class KeySerde, class ValueSerde, transaction_body Body>
boost::asio::awaitable<void> in_transaction(async_producer<K, V, KeySerde, ValueSerde>& producer,
                                            std::chrono::milliseconds timeout, Body body) {
    co_await producer.async_begin_transaction();
    std::exception_ptr failure;
    try {
        co_await body();
        co_await producer.async_commit_transaction(timeout);
        co_return;
    } catch (...) {
        failure = std::current_exception();
    }
    // A cancelled coroutine would have its next co_await throw at once: the abort must run.
    co_await boost::asio::this_coro::reset_cancellation_state();
    try {
        co_await producer.async_abort_transaction(timeout);
    } catch (...) {
        // The body's (or the commit's) error is the one that says what happened.
    }
    std::rethrow_exception(failure);
}

}  // namespace kflow
