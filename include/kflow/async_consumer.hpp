#pragma once
// async_consumer<K, V>: the consumer with Asio completion tokens.
//
//   kflow::async_consumer<std::string, order> consumer(io.get_executor(), config);
//   consumer.subscribe({"orders"});
//   for (;;) {
//       auto record = co_await consumer.async_receive();
//       handle(record);
//   }
//
// Records, rebalances and commit results wake the executor through librdkafka's queue events
// (detail/queue_bridge.hpp): no polling thread, no timer, no busy loop. Handlers run on their
// associated executor (or the consumer's), never on a librdkafka thread. Offsets follow the same
// at-least-once rule as consumer<K, V>: a record counts as handled once the application asks for
// the next one, commits, or closes.
//
// Thread safety: start operations from one thread or strand at a time (the usual Asio rule for
// an I/O object); completions may run on any thread of a multi-threaded io_context.

#include <kflow/consumer.hpp>
#include <kflow/detail/async_consumer_service.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>

namespace kflow {

namespace asio = boost::asio;

namespace detail {

/// Keeps a handler and a work guard on its executor, and completes it there exactly once.
template <class Handler>
class pending_handler {
public:
    pending_handler(Handler handler, const asio::any_io_executor& fallback)
        : handler_(std::move(handler)), work_(asio::get_associated_executor(handler_, fallback)) {}

    /// Completes after `setup(handler)` ran on the handler's executor.
    template <class Setup, class... Args>
    void complete_with(const error_info& err, Setup&& setup, Args&&... args) {
        auto ex = work_.get_executor();
        asio::dispatch(ex, [h = std::move(handler_), err, setup = std::forward<Setup>(setup),
                            work = std::move(work_), ... a = std::forward<Args>(args)]() mutable {
            asio::get_associated_cancellation_slot(h).clear();
            setup(h);
            detail::complete(h, err, std::move(a)...);
        });
    }
    template <class... Args>
    void complete(const error_info& err, Args&&... args) {
        complete_with(err, [](Handler&) {}, std::forward<Args>(args)...);
    }

    Handler& handler() noexcept { return handler_; }

private:
    Handler handler_;
    asio::executor_work_guard<asio::associated_executor_t<Handler, asio::any_io_executor>> work_;
};

template <class H>
concept takes_failure = requires(H& h, deserialization_failure f) { h.set_failure(std::move(f)); };

/// async_receive: one record.
template <class K, class V, class KeySerde, class ValueSerde, class Handler>
class receive_one_op final : public receive_op {
public:
    receive_one_op(Handler handler, const asio::any_io_executor& fallback, const KeySerde& ks,
                   const ValueSerde& vs, std::shared_ptr<deserialization_failure>* last_failure)
        : receive_op(1), pending_(std::move(handler), fallback), ks_(ks), vs_(vs),
          last_failure_(last_failure) {}

    void deliver(std::vector<message_handle>& msgs, consumer_core& core) override {
        auto msg = std::move(msgs.front());
        msgs.erase(msgs.begin());
        auto result = decode_record<K, V>(core, ks_, vs_, *msg);
        if (auto* record = std::get_if<consumer_record<K, V>>(&result)) {
            pending_.complete({}, std::move(*record));
            return;
        }
        auto failure = std::get<deserialization_failure>(std::move(result));
        *last_failure_ = std::make_shared<deserialization_failure>(failure);
        error_info err{failure.code, failure.describe(), {}};
        pending_.complete_with(
            err,
            [failure = std::move(failure)](Handler& h) mutable {
                if constexpr (takes_failure<Handler>) h.set_failure(std::move(failure));
            },
            consumer_record<K, V>{});
    }
    void abort(const error_info& err) override { pending_.complete(err, consumer_record<K, V>{}); }

private:
    pending_handler<Handler> pending_;
    const KeySerde& ks_;
    const ValueSerde& vs_;
    std::shared_ptr<deserialization_failure>* last_failure_;
};

/// async_receive_batch: up to N records; stops before a record that cannot be deserialized.
template <class K, class V, class KeySerde, class ValueSerde, class Handler>
class receive_batch_op final : public receive_op {
public:
    receive_batch_op(std::size_t max, Handler handler, const asio::any_io_executor& fallback,
                     const KeySerde& ks, const ValueSerde& vs,
                     std::shared_ptr<deserialization_failure>* last_failure)
        : receive_op(max), pending_(std::move(handler), fallback), ks_(ks), vs_(vs),
          last_failure_(last_failure) {}

    void deliver(std::vector<message_handle>& msgs, consumer_core& core) override {
        std::vector<consumer_record<K, V>> out;
        std::size_t used = 0;
        for (; used < msgs.size(); ++used) {
            auto result = decode_record<K, V>(core, ks_, vs_, *msgs[used]);
            if (auto* record = std::get_if<consumer_record<K, V>>(&result)) {
                out.push_back(std::move(*record));
                continue;
            }
            if (!out.empty()) break;  // the failure comes with the next receive
            ++used;
            auto failure = std::get<deserialization_failure>(std::move(result));
            *last_failure_ = std::make_shared<deserialization_failure>(failure);
            error_info err{failure.code, failure.describe(), {}};
            msgs.erase(msgs.begin(), msgs.begin() + static_cast<std::ptrdiff_t>(used));
            pending_.complete_with(
                err,
                [failure = std::move(failure)](Handler& h) mutable {
                    if constexpr (takes_failure<Handler>) h.set_failure(std::move(failure));
                },
                std::vector<consumer_record<K, V>>{});
            return;
        }
        msgs.erase(msgs.begin(), msgs.begin() + static_cast<std::ptrdiff_t>(used));
        pending_.complete({}, std::move(out));
    }
    void abort(const error_info& err) override {
        pending_.complete(err, std::vector<consumer_record<K, V>>{});
    }

private:
    pending_handler<Handler> pending_;
    const KeySerde& ks_;
    const ValueSerde& vs_;
    std::shared_ptr<deserialization_failure>* last_failure_;
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

}  // namespace detail

template <class K, class V, class KeySerde = serde<K>, class ValueSerde = serde<V>>
    requires deserializer_for<KeySerde, K> && deserializer_for<ValueSerde, V>
class async_consumer {
public:
    using executor_type = asio::any_io_executor;
    using key_type = K;
    using value_type = V;
    using record_type = consumer_record<K, V>;
    using receive_signature = void(boost::system::error_code, record_type);
    using batch_signature = void(boost::system::error_code, std::vector<record_type>);
    using commit_signature = void(boost::system::error_code);
    using rebalance_signature = void(boost::system::error_code, rebalance_event);
    using close_signature = void(boost::system::error_code);

    async_consumer(executor_type executor, const consumer_config& config, KeySerde key_serde = {},
                   ValueSerde value_serde = {})
        : service_(detail::async_consumer_service::create(executor, config)),
          key_serde_(std::make_unique<KeySerde>(std::move(key_serde))),
          value_serde_(std::make_unique<ValueSerde>(std::move(value_serde))),
          last_failure_(std::make_unique<std::shared_ptr<deserialization_failure>>()) {}

    async_consumer(async_consumer&&) noexcept = default;
    async_consumer& operator=(async_consumer&&) noexcept = default;
    /// Without async_close(), closes synchronously within the configured close_timeout.
    ~async_consumer() = default;

    [[nodiscard]] executor_type get_executor() const noexcept { return service_->executor(); }

    // -- Subscription (synchronous: they only talk to librdkafka's own threads) ----------------

    /// Joins the group for these topics ('^' starts a regular expression). With
    /// `rebalance_events` true, every assignment, revocation and loss is delivered to
    /// async_rebalance(), and revoked partitions stay assigned until the application asks
    /// for the next event (or receives again): commit in between.
    void subscribe(const std::vector<std::string>& topics, bool rebalance_events = false) {
        service_->on_strand([s = service_, rebalance_events] { s->set_rebalance_events(rebalance_events); });
        if (auto err = service_->core().subscribe(topics, {})) err.raise({});
    }
    void assign(const std::vector<topic_partition_offset>& partitions) {
        if (auto err = service_->core().assign(partitions)) err.raise({});
    }
    [[nodiscard]] std::vector<topic_partition> assignment() const {
        return service_->core().assignment();
    }

    // -- Receiving ----------------------------------------------------------------------------

    /// Completes with the next record. A record that cannot be deserialized completes with
    /// errc::deserialization_failed (or unexpected_null): kflow::use_awaitable throws
    /// deserialization_error with the raw bytes; other tokens find them in last_failure().
    /// Its partition's offset is held at it until mark_handled().
    ///
    /// Cancellation (any type): a receive still waiting completes with
    /// asio::error::operation_aborted and no record is taken from librdkafka for it: a record
    /// is only taken when it is handed to a waiting receive in the same step.
    template <asio::completion_token_for<receive_signature> Token = kflow::use_awaitable_t>
    auto async_receive(Token&& token = kflow::use_awaitable_t{}) {
        return asio::async_initiate<Token, receive_signature>(
            [this](auto handler) {
                using op_type = detail::receive_one_op<K, V, KeySerde, ValueSerde, decltype(handler)>;
                auto slot = asio::get_associated_cancellation_slot(handler);
                start_receive(std::make_shared<op_type>(std::move(handler), get_executor(),
                                                        *key_serde_, *value_serde_,
                                                        last_failure_.get()),
                              slot);
            },
            token);
    }

    /// Completes with 1..max records (all that are ready, as soon as one is). Cancellation as
    /// for async_receive.
    template <asio::completion_token_for<batch_signature> Token = kflow::use_awaitable_t>
    auto async_receive_batch(std::size_t max, Token&& token = kflow::use_awaitable_t{}) {
        return asio::async_initiate<Token, batch_signature>(
            [this](auto handler, std::size_t n) {
                using op_type =
                    detail::receive_batch_op<K, V, KeySerde, ValueSerde, decltype(handler)>;
                auto slot = asio::get_associated_cancellation_slot(handler);
                start_receive(std::make_shared<op_type>(n, std::move(handler), get_executor(),
                                                        *key_serde_, *value_serde_,
                                                        last_failure_.get()),
                              slot);
            },
            token, max);
    }

    /// The last record that failed to deserialize, with its raw bytes (null if none).
    [[nodiscard]] std::shared_ptr<const deserialization_failure> last_failure() const {
        return *last_failure_;
    }
    /// Lets the partition of a failed record move past it again.
    void mark_handled(const deserialization_failure& failure) {
        service_->on_strand([s = service_, at = failure.record.position()] {
            s->core().release_hold(at);
        });
    }

    // -- Commits ------------------------------------------------------------------------------

    /// Commits the offsets of every record handled so far; completes with the broker's answer.
    template <asio::completion_token_for<commit_signature> Token = kflow::use_awaitable_t>
    auto async_commit(Token&& token = kflow::use_awaitable_t{}) {
        return asio::async_initiate<Token, commit_signature>(
            [this](auto handler) {
                service_->on_strand([s = service_, op = make_event_op<false>(std::move(handler))]() mutable {
                    s->core().store_handled();
                    s->commit(nullptr, std::move(op));
                });
            },
            token);
    }

    /// Commits exactly these offsets (each the next offset to read).
    template <asio::completion_token_for<commit_signature> Token = kflow::use_awaitable_t>
    auto async_commit(const std::vector<topic_partition_offset>& offsets,
                      Token&& token = kflow::use_awaitable_t{}) {
        auto list = std::make_shared<detail::partition_list_handle>(detail::to_native(offsets));
        return asio::async_initiate<Token, commit_signature>(
            [this, list](auto handler) {
                service_->commit(list->get(), make_event_op<false>(std::move(handler)));
            },
            token);
    }

    /// Commits everything up to and including `record` in its partition.
    template <asio::completion_token_for<commit_signature> Token = kflow::use_awaitable_t>
    auto async_commit(const record_type& record, Token&& token = kflow::use_awaitable_t{}) {
        return async_commit(std::vector<topic_partition_offset>{
                                {record.topic, record.partition, record.offset + 1}},
                            std::forward<Token>(token));
    }

    // -- Rebalances ---------------------------------------------------------------------------

    /// The next rebalance event (subscribe with rebalance_events = true). Asking for the next
    /// event releases partitions held since a revocation.
    template <asio::completion_token_for<rebalance_signature> Token = kflow::use_awaitable_t>
    auto async_rebalance(Token&& token = kflow::use_awaitable_t{}) {
        return asio::async_initiate<Token, rebalance_signature>(
            [this](auto handler) {
                auto slot = asio::get_associated_cancellation_slot(handler);
                std::shared_ptr<detail::event_op> op = make_event_op<true>(std::move(handler));
                if (slot.is_connected()) {
                    slot.assign([s = service_, weak = std::weak_ptr<detail::event_op>(op)](asio::cancellation_type) {
                        s->on_strand([s, weak] {
                            if (auto o = weak.lock()) s->cancel_rebalance_waiter(o);
                        });
                    });
                }
                service_->on_strand([s = service_, op] { s->add_rebalance_waiter(op); });
            },
            token);
    }

    /// Releases partitions held since a revocation now (after committing).
    void finish_rebalance() {
        service_->on_strand([s = service_] { s->finish_held_revocation(); });
    }

    // -- Close --------------------------------------------------------------------------------

    /// Commits what was handled (with auto-commit on), leaves the group; completes within
    /// `timeout` even when the brokers are gone (then with errc::timed_out).
    template <asio::completion_token_for<close_signature> Token = kflow::use_awaitable_t>
    auto async_close(std::chrono::milliseconds timeout, Token&& token = kflow::use_awaitable_t{}) {
        return asio::async_initiate<Token, close_signature>(
            [this](auto handler, std::chrono::milliseconds t) {
                std::shared_ptr<detail::event_op> op = make_event_op<false>(std::move(handler));
                service_->on_strand([s = service_, op, t] { s->close(t, op); });
            },
            token, timeout);
    }

    /// The synchronous API for what has no async form (seek, pause, watermarks, ...): call it
    /// from the thread or strand that starts this consumer's operations.
    [[nodiscard]] detail::consumer_core& core() noexcept { return service_->core(); }
    [[nodiscard]] rd_kafka_t* native_handle() const noexcept { return service_->core().native(); }

private:
    template <bool WithEvent, class Handler>
    std::unique_ptr<detail::event_op> make_event_op(Handler handler) {
        return std::make_unique<detail::handler_event_op<Handler, WithEvent>>(std::move(handler),
                                                                              get_executor());
    }

    template <class Slot>
    void start_receive(std::shared_ptr<detail::receive_op> op, Slot& slot) {
        if (slot.is_connected()) {
            // Withdrawn on the strand; a receive that completed meanwhile is gone from the list.
            slot.assign([s = service_, weak = std::weak_ptr<detail::receive_op>(op)](
                            asio::cancellation_type) {
                s->on_strand([s, weak] {
                    if (auto o = weak.lock()) s->cancel_receiver(o);
                });
            });
        }
        service_->on_strand([s = service_, op = std::move(op)] { s->add_receiver(op); });
    }

    std::shared_ptr<detail::async_consumer_service> service_;
    // Heap-held so operations in flight keep valid references across a move of the consumer.
    std::unique_ptr<KeySerde> key_serde_;
    std::unique_ptr<ValueSerde> value_serde_;
    std::unique_ptr<std::shared_ptr<deserialization_failure>> last_failure_;
};

}  // namespace kflow
