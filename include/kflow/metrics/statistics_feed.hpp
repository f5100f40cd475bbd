#pragma once
// Statistics to await: an observer whose async_next() completes with the next statistics
// document of the clients it observes. The async clients keep one (async_next_statistics()).

#include <kflow/detail/outstanding_work.hpp>
#include <kflow/error.hpp>
#include <kflow/metrics/client_observer.hpp>
#include <kflow/metrics/statistics.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

namespace kflow::metrics {

/// Delivers statistics to whoever awaits them:
///
///     auto feed = std::make_shared<kflow::metrics::statistics_feed>(io.get_executor());
///     config.statistics_interval(5s).observe(feed);
///     ...
///     kflow::metrics::statistics s = co_await feed->async_next();
///
/// Every operation waiting when a document arrives completes with it, on its own executor; a
/// document nobody waits for is dropped (a feed is no queue: await in a loop). When the
/// observed client is destroyed the waiting operations complete with
/// asio::error::operation_aborted. Cancellation (any type) withdraws a wait (operation_aborted).
/// Thread-safe; keep it in a std::shared_ptr (observe() takes one).
class statistics_feed final : public client_observer,
                              public std::enable_shared_from_this<statistics_feed> {
  public:
    /// The completion signature of async_next().
    using next_signature = void(boost::system::error_code, statistics);

    /// Completion handlers without an executor of their own complete on `executor`.
    explicit statistics_feed(boost::asio::any_io_executor executor)
        : executor_(std::move(executor)) {}

    /// Completes with `(error_code, statistics)`: the next document the observed client emits.
    template <boost::asio::completion_token_for<next_signature> Token = kflow::use_awaitable_t>
    auto async_next(Token&& token = kflow::use_awaitable_t{}) {
        return boost::asio::async_initiate<Token, next_signature>(
            [self = shared_from_this()](auto handler) { self->wait(std::move(handler)); }, token);
    }

    /// Calls `hold` when a wait starts and `release` when it ends: a client whose queue is
    /// served only while someone waits (the async clients) serves it for the feed meanwhile.
    /// Set before the first wait.
    void on_wait(std::function<void()> hold, std::function<void()> release) {
        const std::lock_guard lock(mutex_);
        hold_ = std::move(hold);
        release_ = std::move(release);
    }

    /// Completes every waiting operation with `stats`.
    void on_statistics(const statistics& stats) override {
        auto shared = std::make_shared<const statistics>(stats);
        for (auto& [id, w] : take_all())
            finish(*w, {}, shared);
    }

    /// Completes every waiting operation with operation_aborted: nothing more will come.
    void on_client_destroyed(std::string_view) override { abort_all(); }

    ~statistics_feed() override { abort_all(); }

  private:
    struct waiter {
        virtual ~waiter() = default;
        virtual void complete(const error_info& err, std::shared_ptr<const statistics> s) = 0;
    };
    // Completes through a post, never inline: on_statistics() runs inside the client's
    // callback, where a coroutine resumed inline could re-enter the client.
    template <class Handler>
    struct waiter_for final : waiter {
        using executor_type =
            boost::asio::associated_executor_t<Handler, boost::asio::any_io_executor>;
        waiter_for(Handler h, const boost::asio::any_io_executor& fallback)
            : handler(std::move(h)),
              work(boost::asio::get_associated_executor(handler, fallback)) {}
        void complete(const error_info& err, std::shared_ptr<const statistics> s) override {
            auto ex = work.get_executor();
            boost::asio::post(
                ex, [h = std::move(handler), w = std::move(work), err, s = std::move(s)]() mutable {
                    boost::asio::get_associated_cancellation_slot(h).clear();
                    kflow::detail::complete(h, err, s ? *s : statistics{});
                });
        }
        Handler handler;
        kflow::detail::outstanding_work<executor_type> work;
    };
    using waiters = std::map<std::uint64_t, std::unique_ptr<waiter>>;

    template <class Handler>
    void wait(Handler handler) {
        auto slot = boost::asio::get_associated_cancellation_slot(handler);
        const std::lock_guard lock(mutex_);
        const auto id = next_id_++;
        if (slot.is_connected()) {
            slot.assign([weak = weak_from_this(), id](boost::asio::cancellation_type) {
                if (auto self = weak.lock())
                    self->cancel(id);
            });
        }
        waiting_.emplace(id, std::make_unique<waiter_for<Handler>>(std::move(handler), executor_));
        if (hold_)
            hold_();
    }

    void finish(waiter& w, const error_info& err, std::shared_ptr<const statistics> s) {
        w.complete(err, std::move(s));
        std::function<void()> release;
        {
            const std::lock_guard lock(mutex_);
            release = release_;
        }
        if (release)
            release();
    }

    void cancel(std::uint64_t id) {
        std::unique_ptr<waiter> w;
        {
            const std::lock_guard lock(mutex_);
            const auto it = waiting_.find(id);
            if (it == waiting_.end())
                return;
            w = std::move(it->second);
            waiting_.erase(it);
        }
        finish(*w, aborted(), nullptr);
    }

    waiters take_all() {
        const std::lock_guard lock(mutex_);
        return std::exchange(waiting_, {});
    }

    void abort_all() {
        for (auto& [id, w] : take_all())
            finish(*w, aborted(), nullptr);
    }

    static error_info aborted() {
        return {std::error_code(boost::asio::error::operation_aborted, std::system_category()),
                "waiting for statistics was cancelled or the client is gone",
                {}};
    }

    boost::asio::any_io_executor executor_;
    std::mutex mutex_;
    std::uint64_t next_id_ = 0;
    waiters waiting_;
    std::function<void()> hold_;
    std::function<void()> release_;
};

}  // namespace kflow::metrics

namespace kflow::detail {

/// What an async client is created with: `config`, observed by a new statistics feed (stored in
/// `feed`) when its statistics are on; `config` itself otherwise.
template <class Config>
[[nodiscard]] Config with_statistics_feed(const Config& config,
                                          const boost::asio::any_io_executor& executor,
                                          std::shared_ptr<metrics::statistics_feed>& feed) {
    const auto interval = config.get("statistics.interval.ms");
    if (!interval || *interval == "0")
        return config;
    feed = std::make_shared<metrics::statistics_feed>(executor);
    Config observed = config;
    observed.observe(feed);
    return observed;
}

/// An async client's async_next_statistics(): from its feed, or errc::invalid_config at once
/// when its statistics are off.
template <class Token>
auto next_statistics(const std::shared_ptr<metrics::statistics_feed>& feed,
                     const boost::asio::any_io_executor& executor, Token&& token) {
    if (feed)
        return feed->async_next(std::forward<Token>(token));
    return boost::asio::async_initiate<Token, metrics::statistics_feed::next_signature>(
        [executor](auto handler) {
            auto ex = boost::asio::get_associated_executor(handler, executor);
            boost::asio::post(ex, [h = std::move(handler)]() mutable {
                const error_info off{make_error_code(errc::invalid_config),
                                     "statistics are off: set statistics_interval() in the "
                                     "client's config",
                                     {}};
                detail::complete(h, off, metrics::statistics{});
            });
        },
        token);
}

}  // namespace kflow::detail
