#pragma once
// Completions held back until a lock is released.
//
// A service's strand work runs under the service's lock. A handler dispatched there runs inline
// when the thread already runs its executor: a coroutine it resumes then starts its next
// operation, perhaps on another consumer, while still holding this one's lock. Two such
// coroutines on two threads, each resumed under one consumer's lock and calling into the other,
// deadlock. While a completions_after_unlock is open on a thread, pending_handler queues its
// completions there instead; the scope dispatches them once the lock it encloses is released,
// in the order they were queued, still inside the same piece of strand work (so a completion
// is no later than before, only outside the lock).

#include <kflow/detail/recycled_blocks.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <exception>
#include <memory>
#include <utility>
#include <vector>

namespace kflow::detail {

class completions_after_unlock {
  public:
    /// Opens the scope on this thread: declare it before the lock it outlives.
    completions_after_unlock() noexcept : outer_(current_) { current_ = this; }
    completions_after_unlock(const completions_after_unlock&) = delete;
    completions_after_unlock& operator=(const completions_after_unlock&) = delete;

    /// Left by an exception before dispatch_all(): what was queued is posted, never dropped (a
    /// dropped handler would end its coroutine without an answer).
    ~completions_after_unlock() {
        current_ = outer_;
        for (auto& c : queued_) {
            try {
                c->post();
            } catch (...) {  // out of memory while unwinding: nothing better to do
            }
        }
    }

    /// The scope open on this thread, or null.
    [[nodiscard]] static completions_after_unlock* current() noexcept { return current_; }

    /// Queues `f` for dispatch() to `ex` once the lock is released.
    template <class Executor, class F>
    void defer(Executor ex, F f) {
        queued_.push_back(std::make_unique<completion<Executor, F>>(std::move(ex), std::move(f)));
    }

    /// Closes the scope (the lock must be released by now) and dispatches what was queued, in
    /// order. A scope inside another (a lock taken again on the same thread) hands its
    /// completions to the outer one: that lock is still held. If a handler throws, the rest
    /// still run; the first exception is then rethrown.
    void dispatch_all() {
        current_ = outer_;
        auto queued = std::exchange(queued_, {});
        if (outer_) {
            for (auto& c : queued)
                outer_->queued_.push_back(std::move(c));
            return;
        }
        std::exception_ptr first;
        for (auto& c : queued) {
            try {
                c->dispatch();
            } catch (...) {
                if (!first)
                    first = std::current_exception();
            }
        }
        if (first)
            std::rethrow_exception(first);
    }

  private:
    // From kflow's recycled blocks: a received record's completion takes this way too.
    struct queued_completion : recycled_allocation {
        virtual ~queued_completion() = default;
        virtual void dispatch() = 0;
        virtual void post() = 0;
    };
    template <class Executor, class F>
    struct completion final : queued_completion {
        completion(Executor e, F fn) : ex(std::move(e)), f(std::move(fn)) {}
        void dispatch() override { boost::asio::dispatch(ex, std::move(f)); }
        void post() override { boost::asio::post(ex, std::move(f)); }
        Executor ex;
        F f;
    };

    static inline thread_local completions_after_unlock* current_ = nullptr;
    completions_after_unlock* outer_;
    std::vector<std::unique_ptr<queued_completion>> queued_;
};

}  // namespace kflow::detail
