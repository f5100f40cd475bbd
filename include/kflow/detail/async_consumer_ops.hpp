#pragma once
// The operations behind async_consumer<K, V>: handlers waiting for records, rebalance events,
// commits, close and the blocking queries, and how each completes on its handler's executor.

#include <kflow/consumer.hpp>
#include <kflow/detail/async_consumer_service.hpp>
#include <kflow/detail/consumer_queries.hpp>
#include <kflow/detail/pending_handler.hpp>
#include <kflow/detail/post_completion.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <type_traits>

namespace kflow {

namespace asio = boost::asio;

namespace detail {

template <class H>
concept takes_failure = requires(H& h, deserialization_failure f) {
    h.set_failure(std::move(f));
};

/// The serializers of an async_consumer, shared with its operations in flight.
template <class KeySerde, class ValueSerde>
struct deserializers {
    deserializers(KeySerde k, ValueSerde v) : key(std::move(k)), value(std::move(v)) {}
    [[no_unique_address]] KeySerde key;
    [[no_unique_address]] ValueSerde value;
};

/// The last record that failed to deserialize, written when its handler runs and read by the
/// application from any thread.
class latest_failure {
  public:
    void set(std::shared_ptr<const deserialization_failure> f) {
        const std::lock_guard lock(mutex_);
        latest_ = std::move(f);
    }
    [[nodiscard]] std::shared_ptr<const deserialization_failure> get() const {
        const std::lock_guard lock(mutex_);
        return latest_;
    }

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const deserialization_failure> latest_;
};

/// What async_receive and async_receive_batch share: completing with records taken from the
/// consumer, unless the operation was cancelled before its handler ran, in which case the
/// records go back to the consumer and the operation completes with operation_aborted.
template <class Handler, class Result>
class receive_completion : public receive_op {
  public:
    receive_completion(std::size_t max, Handler handler, const asio::any_io_executor& fallback,
                       std::shared_ptr<latest_failure> failures)
        : receive_op(max), pending_(std::move(handler), fallback), failures_(std::move(failures)) {}

    void abort(const error_info& err) override { pending_.complete(err, Result{}); }

  protected:
    /// Excluding the strand's work: completes with `result`, made of `taken`, on the handler's
    /// executor. Never inline: from the initiation (no completions_after_unlock scope is open
    /// there) it is posted, as the handler must not run before the initiation returns; from
    /// the strand's work it is dispatched once the service's lock is released, where a
    /// coroutine it resumes would start its next receive on another consumer still holding
    /// this one's lock (with several threads running the io_context, a deadlock).
    void complete_taken(async_consumer_service& service, std::vector<message_handle> taken,
                        std::optional<deserialization_failure> failure, Result result) {
        auto finish = [self = std::static_pointer_cast<receive_completion>(shared_from_this()),
                       service = service.shared_from_this(), taken = std::move(taken),
                       stamp = service.core().revocations(), failure = std::move(failure),
                       result = std::move(result)]() mutable {
            receive_completion::finish(std::move(self), std::move(service), std::move(taken), stamp,
                                       std::move(failure), std::move(result));
        };
        if (auto* after_unlock = completions_after_unlock::current()) {
            after_unlock->defer(pending_.executor(), std::move(finish));
        } else {
            asio::post(pending_.executor(), std::move(finish));
        }
    }

  private:
    /// On the handler's executor. Takes everything by value so as to let go of it before the
    /// handler runs: the messages not handed over, the operation and the consumer's state. A
    /// handler may destroy the consumer, whose destructor closes it only if nothing else still
    /// holds that state; holding it on here would leave the last reference to this thread,
    /// closing the consumer later than its destructor promises.
    static void finish(std::shared_ptr<receive_completion> self,
                       std::shared_ptr<async_consumer_service> service,
                       std::vector<message_handle> taken, std::uint64_t stamp,
                       std::optional<deserialization_failure> failure, Result result) {
        if (self->cancel_requested()) {
            async_consumer_service& s = *service;
            s.take_back(std::move(taken), stamp, [self = std::move(self)] {
                self->pending_.complete(
                    {make_error_code(asio::error::operation_aborted), "receive cancelled", {}},
                    Result{});
            });
            return;
        }
        service->hand_over(taken, failure.has_value());
        adopt_messages(result, taken, *service);
        std::optional<error_info> err;
        if (failure) {
            self->failures_->set(std::make_shared<const deserialization_failure>(*failure));
            err.emplace(error_info{failure->code, failure->describe(), {}});
        }
        auto handler = self->pending_.take();
        taken.clear();  // back to librdkafka while the consumer surely exists
        self.reset();
        service.reset();
        if (!err) {
            std::move(handler)(
                {}, [](Handler&) {}, std::move(result));
            return;
        }
        std::move(handler)(
            *err,
            [&failure](Handler& h) {
                if constexpr (takes_failure<Handler>)
                    h.set_failure(std::move(*failure));
            },
            std::move(result));
    }

    /// Borrowing records take their messages: `taken` starts with one per record of `result`
    /// (a failed record's message, if any, comes after them and goes with `taken`).
    template <class K, class V>
    static void adopt_messages(std::vector<consumer_record<K, V>>& records,
                               std::vector<message_handle>& taken,
                               const async_consumer_service& service) noexcept {
        if constexpr (consumer_record<K, V>::borrows) {
            for (std::size_t i = 0; i < records.size(); ++i)
                adopt_message(records[i], taken[i], service.shared_core());
        }
    }
    template <class K, class V>
    static void adopt_messages(consumer_record<K, V>& record, std::vector<message_handle>& taken,
                               const async_consumer_service& service) noexcept {
        if constexpr (consumer_record<K, V>::borrows) {
            if (record.offset != offsets::invalid)  // decoded, not the empty record of a failure
                adopt_message(record, taken.front(), service.shared_core());
        }
    }

    pending_handler<Handler> pending_;
    std::shared_ptr<latest_failure> failures_;
};

/// async_receive: one record.
template <class K, class V, class KeySerde, class ValueSerde, class Handler>
class receive_one_op final : public receive_completion<Handler, consumer_record<K, V>> {
  public:
    receive_one_op(Handler handler, const asio::any_io_executor& fallback,
                   std::shared_ptr<const deserializers<KeySerde, ValueSerde>> serdes,
                   std::shared_ptr<latest_failure> failures)
        : receive_completion<Handler, consumer_record<K, V>>(1, std::move(handler), fallback,
                                                             std::move(failures)),
          serdes_(std::move(serdes)) {}

    void deliver(std::vector<message_handle>& msgs, async_consumer_service& service) override {
        std::vector<message_handle> taken;
        taken.push_back(std::move(msgs.front()));
        msgs.erase(msgs.begin());
        auto result = decode_message<K, V>(serdes_->key, serdes_->value, *taken.front());
        if (auto* record = std::get_if<consumer_record<K, V>>(&result)) {
            this->complete_taken(service, std::move(taken), std::nullopt, std::move(*record));
        } else {
            this->complete_taken(service, std::move(taken),
                                 std::get<deserialization_failure>(std::move(result)),
                                 consumer_record<K, V>{});
        }
    }

  private:
    std::shared_ptr<const deserializers<KeySerde, ValueSerde>> serdes_;
};

/// async_receive_batch: up to N records; stops before a record that cannot be deserialized.
template <class K, class V, class KeySerde, class ValueSerde, class Handler>
class receive_batch_op final
    : public receive_completion<Handler, std::vector<consumer_record<K, V>>> {
  public:
    receive_batch_op(std::size_t max, Handler handler, const asio::any_io_executor& fallback,
                     std::shared_ptr<const deserializers<KeySerde, ValueSerde>> serdes,
                     std::shared_ptr<latest_failure> failures)
        : receive_completion<Handler, std::vector<consumer_record<K, V>>>(
              max, std::move(handler), fallback, std::move(failures)),
          serdes_(std::move(serdes)) {}

    void deliver(std::vector<message_handle>& msgs, async_consumer_service& service) override {
        std::vector<consumer_record<K, V>> out;
        out.reserve(msgs.size());
        std::optional<deserialization_failure> failure;
        std::size_t used = 0;
        for (; used < msgs.size(); ++used) {
            // Decoded in place, as consumer::poll_batch does: the records before this one all
            // decoded, so out[used - 1] is msgs[used - 1]'s record.
            const typename consumer_record<K, V>::topic_type* same_topic =
                used > 0 && msgs[used]->rkt == msgs[used - 1]->rkt ? &out[used - 1].topic : nullptr;
            if (decode_into(serdes_->key, serdes_->value, *msgs[used], out.emplace_back(), failure,
                            same_topic))
                continue;
            out.pop_back();
            if (!out.empty()) {
                failure.reset();  // the failure comes with the next receive
                break;
            }
            ++used;
            break;
        }
        std::vector<message_handle> taken(
            std::make_move_iterator(msgs.begin()),
            std::make_move_iterator(msgs.begin() + static_cast<std::ptrdiff_t>(used)));
        msgs.erase(msgs.begin(), msgs.begin() + static_cast<std::ptrdiff_t>(used));
        this->complete_taken(service, std::move(taken), std::move(failure), std::move(out));
    }

  private:
    std::shared_ptr<const deserializers<KeySerde, ValueSerde>> serdes_;
};

/// Operations completing with `(error_code)` or `(error_code, rebalance_event)`.
template <class Handler, bool WithEvent>
class handler_event_op final : public event_op {
  public:
    handler_event_op(Handler handler, const asio::any_io_executor& fallback)
        : pending_(std::move(handler), fallback) {}
    void complete(const error_info& err, rebalance_event ev) override {
        if constexpr (WithEvent) {
            pending_.complete(err, std::move(ev));
        } else {
            pending_.complete(err);
        }
    }

  private:
    pending_handler<Handler> pending_;
};

template <bool WithEvent, class Handler>
std::unique_ptr<event_op> make_event_op(Handler handler, const asio::any_io_executor& fallback) {
    return std::make_unique<handler_event_op<Handler, WithEvent>>(std::move(handler), fallback);
}

/// Runs `query(rk, err)`, a blocking librdkafka request (consumer_queries.hpp), on a thread of its
/// own and completes `handler` with its result (none when it returns void) on the handler's
/// executor. librdkafka 2.0.2 offers these requests only as blocking calls; a short-lived thread
/// per request keeps every executor thread free, and each request is bounded by its timeout.
/// The request holds the service, so the handle outlives it, and lets it go before it completes
/// the handler (whose work guard then still keeps that executor's context alive).
template <class Result, class Handler, class Query>
void run_query(const std::shared_ptr<async_consumer_service>& service, const char* what,
               Handler handler, Query query) {
    auto complete = [](pending_handler<Handler>& pending, const error_info& err, auto&&... result) {
        pending.complete(err, std::forward<decltype(result)>(result)...);
    };
    auto pending =
        std::make_shared<pending_handler<Handler>>(std::move(handler), service->executor());
    auto fail_now = [&](error_info err) {
        if constexpr (std::is_void_v<Result>) {
            complete(*pending, err);
        } else {
            complete(*pending, err, Result{});
        }
    };
    if (service->closing()) {
        fail_now(
            {make_error_code(errc::closed), std::string(what) + ": the consumer is closed", {}});
        return;
    }
    try {
        // An init-capture: a plain [service] would copy the caller's const reference as a const
        // shared_ptr, which reset() cannot release.
        std::thread([service = std::shared_ptr<async_consumer_service>(service), pending,
                     query = std::move(query), complete]() mutable {
            rd_kafka_t* rk = service->core().native();
            error_info err;
            // The service is let go before the completion is dispatched, while the handler's
            // work guard still keeps its executor's context alive: a copy of the completion
            // left on this thread must not hold the last reference after that context is gone.
            if constexpr (std::is_void_v<Result>) {
                query(rk, err);
                service.reset();
                complete(*pending, err);
            } else {
                Result result = query(rk, err);
                service.reset();
                complete(*pending, err, std::move(result));
            }
        }).detach();
    } catch (const std::system_error& e) {
        fail_now({std::make_error_code(std::errc::resource_unavailable_try_again),
                  std::string(what) + ": cannot start a thread for the request: " + e.what(),
                  {}});
    }
}

/// What every async_consumer initiation holds: the service, not the consumer, so an operation
/// created with asio::deferred still works after the consumer was moved. Exposes the executor,
/// for tokens that ask the initiation for it.
struct consumer_initiation {
    using executor_type = asio::any_io_executor;
    [[nodiscard]] executor_type get_executor() const noexcept { return service->executor(); }

    std::shared_ptr<async_consumer_service> service;
};

/// Withdraws a receive on the strand when its slot fires. Holds the service weakly: a suspended
/// coroutine owns the slot's handler, and must not keep the consumer alive.
template <class Slot>
void connect_receive_cancellation(Slot& slot,
                                  const std::shared_ptr<async_consumer_service>& service,
                                  const std::shared_ptr<receive_op>& op) {
    if (!slot.is_connected())
        return;
    slot.assign([weak_service = std::weak_ptr<async_consumer_service>(service),
                 weak_op = std::weak_ptr<receive_op>(op)](asio::cancellation_type) {
        auto o = weak_op.lock();
        if (!o)
            return;
        o->request_cancel();
        if (auto s = weak_service.lock()) {
            s->on_strand([s, o] { s->cancel_receiver(o); });
        }
    });
}

}  // namespace detail

}  // namespace kflow
