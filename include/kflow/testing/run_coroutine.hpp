#pragma once
// kflow::testing::run_coroutine: runs an asio::awaitable coroutine to completion from a test's
// own thread, within a deadline; returns what the coroutine returned, or rethrows what it threw.
//
//   asio::io_context io;
//   kflow::async_producer<std::string, std::string> producer(io.get_executor(), config);
//   auto md = kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<kflow::record_metadata> {
//       co_return co_await producer.async_send({"orders", "k", "v"});
//   });
//
// A coroutine still running at the deadline is cancelled (terminal cancellation, which kflow's
// async operations and Asio's own honour), given coroutine_cancel_grace to end, and reported as
// deadline_exceeded: a hung test fails saying so instead of blocking until ctest kills it.

#include <kflow/testing/expectation_failed.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/is_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <concepts>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace kflow::testing {

/// What run_coroutine throws when the coroutine did not finish within its deadline. what()
/// names the deadline and what became of the coroutine once it was cancelled.
class deadline_exceeded : public expectation_failed {
  public:
    using expectation_failed::expectation_failed;
};

/// run_coroutine's deadline when none is given. Generous, because a consumer group join on the
/// mock alone takes about 3 s and CI machines are busy; it exists to turn a hang into a failure.
inline constexpr std::chrono::milliseconds default_coroutine_deadline{30000};

/// How long run_coroutine waits, after cancelling a coroutine that missed its deadline, for it
/// to end, so that it no longer runs (and touches the test's variables) once the test goes on.
inline constexpr std::chrono::milliseconds coroutine_cancel_grace{2000};

/// \cond
namespace run_coroutine_detail {  // not "detail": that would hide kflow::detail here

template <class T>
struct awaitable_parts {
    static constexpr bool is_awaitable = false;
};
template <class T, class Executor>
struct awaitable_parts<boost::asio::awaitable<T, Executor>> {
    static constexpr bool is_awaitable = true;
    using value_type = T;
    using executor_type = Executor;
};

/// Something callable without arguments, as a lambda that returns an asio::awaitable.
template <class Coroutine>
concept coroutine_factory = std::invocable<std::add_lvalue_reference_t<std::decay_t<Coroutine>>>;

/// The asio::awaitable a coroutine argument stands for: itself, or what calling it returns.
template <class Coroutine>
struct awaitable_of {
    using type = std::decay_t<Coroutine>;
};
template <coroutine_factory Coroutine>
struct awaitable_of<Coroutine> {
    using type = std::invoke_result_t<std::decay_t<Coroutine>&>;
};

template <class Coroutine>
using awaitable_t = typename awaitable_of<Coroutine>::type;

/// What the coroutine ended with, shared with its completion handler: the handler may run after
/// run_coroutine gave up on it, when run_coroutine's frame is gone.
template <class T>
struct outcome {
    using stored_type = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

    std::mutex mutex;
    std::condition_variable changed;
    bool done = false;
    std::exception_ptr error;
    std::optional<stored_type> value;
    boost::asio::cancellation_signal cancel;  // emitted only on the coroutine's executor

    template <class... Value>
    void finish(std::exception_ptr e, Value&&... v) {
        {
            std::lock_guard lock(mutex);
            error = e;
            if constexpr (sizeof...(Value) == 1) {
                if (!e)
                    value.emplace(std::forward<Value>(v)...);
            } else {
                value.emplace();
            }
            done = true;
        }
        changed.notify_all();
    }

    [[nodiscard]] bool finished() {
        std::lock_guard lock(mutex);
        return done;
    }

    /// The coroutine's value, or its exception rethrown.
    T take() {
        if (error)
            std::rethrow_exception(error);
        if constexpr (!std::is_void_v<T>)
            return std::move(*value);
    }
};

/// Spawns `coroutine` on `executor`, its completion recorded in `state` and its cancellation
/// slot bound to state->cancel.
template <class Executor, class Coroutine, class T>
void spawn(const Executor& executor, Coroutine&& coroutine,
           const std::shared_ptr<outcome<T>>& state) {
    auto on_done = [state](std::exception_ptr e, auto&&... value) {
        state->finish(e, std::forward<decltype(value)>(value)...);
    };
    if constexpr (awaitable_parts<std::decay_t<Coroutine>>::is_awaitable) {
        boost::asio::co_spawn(executor, std::forward<Coroutine>(coroutine),
                              boost::asio::bind_cancellation_slot(state->cancel.slot(), on_done));
    } else {
        // A copy Asio keeps in the coroutine's frame: the lambda's captures outlive its call.
        std::decay_t<Coroutine> factory(std::forward<Coroutine>(coroutine));
        boost::asio::co_spawn(executor, std::move(factory),
                              boost::asio::bind_cancellation_slot(state->cancel.slot(), on_done));
    }
}

/// "it was cancelled and then ended with: <what>", or that it did not end.
template <class T>
std::string after_cancel(outcome<T>& state, std::string_view still_running) {
    std::lock_guard lock(state.mutex);
    if (!state.done) {
        return "it was cancelled and did not end within a further " +
               std::to_string(coroutine_cancel_grace.count()) + " ms; " +
               std::string(still_running);
    }
    if (!state.error)
        return "it was cancelled and then ended without an error";
    try {
        std::rethrow_exception(state.error);
    } catch (const std::exception& e) {
        return std::string("it was cancelled and then ended with: ") + e.what();
    } catch (...) {
        return "it was cancelled and then ended with an exception not derived from std::exception";
    }
}

template <class Executor>
concept executor = boost::asio::execution::is_executor<Executor>::value ||
    boost::asio::is_executor<Executor>::value;

}  // namespace run_coroutine_detail
/// \endcond

/// A coroutine run_coroutine accepts: an asio::awaitable<T, Executor> (the result of calling a
/// coroutine function), or something callable without arguments that returns one, such as a
/// lambda `[&]() -> asio::awaitable<T> { ... }`. Prefer the callable: Asio keeps it, and so
/// the lambda's captures, alive for as long as the coroutine runs.
template <class Coroutine>
concept awaitable_coroutine = run_coroutine_detail::awaitable_parts<
    run_coroutine_detail::awaitable_t<Coroutine>>::is_awaitable;

/// The value type T of the asio::awaitable<T> that `Coroutine` stands for.
template <awaitable_coroutine Coroutine>
using coroutine_result_t = typename run_coroutine_detail::awaitable_parts<
    run_coroutine_detail::awaitable_t<Coroutine>>::value_type;

/// Runs `coroutine` on `io`, running `io` on the calling thread until the coroutine finished
/// or `deadline` passed. Returns the coroutine's value (T of asio::awaitable<T>; for T other
/// than void, Asio needs T to be default constructible) or rethrows its exception: kafka_error
/// and deserialization_error from operations awaited with kflow::use_awaitable,
/// boost::system::system_error with asio::use_awaitable, and whatever the coroutine threw
/// itself (a failed Catch2 REQUIRE included).
///
/// Missing the deadline cancels the coroutine (terminal cancellation through the coroutine's
/// cancellation slot), runs `io` for up to coroutine_cancel_grace more so that it can end, and
/// throws deadline_exceeded naming the deadline. A coroutine that ignores the cancellation stays
/// suspended in `io` until `io` runs again or is destroyed.
///
/// Other work queued on `io` runs too, as under io.run(), and may stay queued once the
/// coroutine finished: run_coroutine returns as soon as it did, leaving `io` ready to be run
/// again (restarted, as it restarts a stopped `io` before it starts). Call it from a
/// thread that is not running `io` already, and do not run `io` on other threads meanwhile; for
/// an io_context that other threads run, pass its executor instead.
template <awaitable_coroutine Coroutine>
coroutine_result_t<Coroutine> run_coroutine(
    boost::asio::io_context& io, Coroutine&& coroutine,
    std::chrono::milliseconds deadline = default_coroutine_deadline) {
    using T = coroutine_result_t<Coroutine>;
    using clock = std::chrono::steady_clock;
    auto state = std::make_shared<run_coroutine_detail::outcome<T>>();
    if (io.stopped())
        io.restart();
    // The work keeps run_one_until() waiting for the coroutine's next step rather than returning
    // early when an operation it awaits holds no work of its own. Releasing an io_context's last
    // work stops it (Asio's rule), so it is restarted then: ready for a test that runs it again.
    struct work_while_running {
        explicit work_while_running(boost::asio::io_context& context)
            : io(context), work(boost::asio::make_work_guard(context)) {}
        work_while_running(const work_while_running&) = delete;
        work_while_running& operator=(const work_while_running&) = delete;
        ~work_while_running() {
            work.reset();
            if (io.stopped())
                io.restart();
        }

        boost::asio::io_context& io;
        boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
    } const keep_running(io);
    run_coroutine_detail::spawn(io.get_executor(), std::forward<Coroutine>(coroutine), state);

    const auto run_until = [&](clock::time_point until) {
        while (!state->finished() && clock::now() < until) {
            io.run_one_until(until);
            if (io.stopped())  // something in the coroutine stopped io: keep it going
                io.restart();
        }
    };
    run_until(clock::now() + deadline);
    if (!state->finished()) {
        // Emitted from within io, as the coroutine's cancellation slot requires.
        boost::asio::post(
            io, [state] { state->cancel.emit(boost::asio::cancellation_type::terminal); });
        run_until(clock::now() + coroutine_cancel_grace);
        throw deadline_exceeded(
            "run_coroutine: the coroutine did not finish within its deadline of " +
            std::to_string(deadline.count()) + " ms; " +
            run_coroutine_detail::after_cancel(
                *state, "it stays suspended until its io_context runs again or is destroyed"));
    }
    return state->take();
}

/// Runs `coroutine` on `executor`, whose execution context other threads run (an io_context
/// run by a thread of the test's own, say), and blocks the calling thread until the coroutine
/// finished or `deadline` passed. Returns the coroutine's value or rethrows its exception, as
/// the io_context overload does.
///
/// The coroutine runs on a strand of `executor` when its awaitable's executor type can hold one
/// (asio::awaitable<T>'s any_io_executor can), so that cancelling it after a missed deadline is
/// safe on a context run by several threads. Missing the deadline cancels the coroutine, waits
/// up to coroutine_cancel_grace for it to end, and throws deadline_exceeded naming the
/// deadline. Calling this from a thread that runs the executor's context blocks that thread,
/// and so the coroutine, until the deadline.
template <run_coroutine_detail::executor Executor, awaitable_coroutine Coroutine>
coroutine_result_t<Coroutine> run_coroutine(
    const Executor& executor, Coroutine&& coroutine,
    std::chrono::milliseconds deadline = default_coroutine_deadline) {
    using T = coroutine_result_t<Coroutine>;
    using awaitable_executor = typename run_coroutine_detail::awaitable_parts<
        run_coroutine_detail::awaitable_t<Coroutine>>::executor_type;
    using strand = boost::asio::strand<Executor>;
    auto state = std::make_shared<run_coroutine_detail::outcome<T>>();

    std::function<void()> cancel;
    if constexpr (std::is_convertible_v<strand, awaitable_executor>) {
        const strand on(executor);
        run_coroutine_detail::spawn(on, std::forward<Coroutine>(coroutine), state);
        cancel = [on, state] {
            boost::asio::post(
                on, [state] { state->cancel.emit(boost::asio::cancellation_type::terminal); });
        };
    } else {
        // No strand fits the coroutine's executor type: a cancellation emitted through the
        // executor is safe when one thread runs its context.
        run_coroutine_detail::spawn(executor, std::forward<Coroutine>(coroutine), state);
        cancel = [executor, state] {
            boost::asio::post(executor, [state] {
                state->cancel.emit(boost::asio::cancellation_type::terminal);
            });
        };
    }

    bool in_time = false;
    {
        std::unique_lock lock(state->mutex);
        in_time = state->changed.wait_for(lock, deadline, [&] { return state->done; });
    }
    if (in_time)
        return state->take();
    cancel();
    {
        std::unique_lock lock(state->mutex);
        state->changed.wait_for(lock, coroutine_cancel_grace, [&] { return state->done; });
    }
    throw deadline_exceeded(
        "run_coroutine: the coroutine did not finish within its deadline of " +
        std::to_string(deadline.count()) + " ms; " +
        run_coroutine_detail::after_cancel(
            *state, "it is left to its executor (is a thread running that executor's context?)"));
}

}  // namespace kflow::testing
