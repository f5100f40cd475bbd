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
// an I/O object); completions may run on any thread of a multi-threaded io_context. Several
// receives may be pending at once; records then go to them in the order they were started.
// last_failure() may be read from any thread. Destruction must not race with starting
// operations.
//
// Lifetime: operations hold the consumer's shared state, so an operation made with
// asio::deferred may be launched after the consumer was moved. The consumer must still be alive
// while operations are pending: destroying it abandons them (their handlers are destroyed
// without being called, which ends a waiting coroutine).

#include <kflow/consumer.hpp>
#include <kflow/detail/async_consumer_service.hpp>
#include <kflow/detail/post_completion.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <kflow/detail/outstanding_work.hpp>

#include <mutex>

namespace kflow {

namespace asio = boost::asio;

namespace detail {

/// Keeps a handler and a work guard on its executor, and completes it there exactly once.
template <class Handler>
class pending_handler {
  public:
    using executor_type = asio::associated_executor_t<Handler, asio::any_io_executor>;

    pending_handler(Handler handler, const asio::any_io_executor& fallback)
        : handler_(std::move(handler)), work_(asio::get_associated_executor(handler_, fallback)) {}

    [[nodiscard]] executor_type executor() const { return work_.get_executor(); }

    /// Completes on the handler's executor, after `setup(handler)` ran there.
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
        complete_with(
            err, [](Handler&) {}, std::forward<Args>(args)...);
    }

    /// Completes now: the caller is running on the handler's executor.
    template <class Setup, class... Args>
    void invoke(const error_info& err, Setup&& setup, Args&&... args) {
        auto h = std::move(handler_);
        auto work = std::move(work_);
        asio::get_associated_cancellation_slot(h).clear();
        setup(h);
        detail::complete(h, err, std::forward<Args>(args)...);
    }

  private:
    Handler handler_;
    outstanding_work<executor_type> work_;
};

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
    /// On the strand: completes with `result`, made of `taken`.
    void complete_taken(async_consumer_service& service, std::vector<message_handle> taken,
                        std::optional<deserialization_failure> failure, Result result) {
        auto self = std::static_pointer_cast<receive_completion>(shared_from_this());
        asio::dispatch(pending_.executor(),
                       [self, service = service.shared_from_this(), taken = std::move(taken),
                        stamp = service.core().revocations(), failure = std::move(failure),
                        result = std::move(result)]() mutable {
                           self->finish(*service, std::move(taken), stamp, std::move(failure),
                                        std::move(result));
                       });
    }

  private:
    /// On the handler's executor.
    void finish(async_consumer_service& service, std::vector<message_handle> taken,
                std::uint64_t stamp, std::optional<deserialization_failure> failure,
                Result result) {
        if (cancel_requested()) {
            auto self = std::static_pointer_cast<receive_completion>(shared_from_this());
            service.take_back(std::move(taken), stamp, [self] {
                self->pending_.complete(
                    {make_error_code(asio::error::operation_aborted), "receive cancelled", {}},
                    Result{});
            });
            return;
        }
        service.hand_over(std::move(taken), failure.has_value());
        if (!failure) {
            pending_.invoke(
                {}, [](Handler&) {}, std::move(result));
            return;
        }
        failures_->set(std::make_shared<const deserialization_failure>(*failure));
        const error_info err{failure->code, failure->describe(), {}};
        pending_.invoke(
            err,
            [&failure](Handler& h) {
                if constexpr (takes_failure<Handler>)
                    h.set_failure(std::move(*failure));
            },
            std::move(result));
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
        std::optional<deserialization_failure> failure;
        std::size_t used = 0;
        for (; used < msgs.size(); ++used) {
            auto result = decode_message<K, V>(serdes_->key, serdes_->value, *msgs[used]);
            if (auto* record = std::get_if<consumer_record<K, V>>(&result)) {
                out.push_back(std::move(*record));
                continue;
            }
            if (!out.empty())
                break;  // the failure comes with the next receive
            failure = std::get<deserialization_failure>(std::move(result));
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

/// A Kafka consumer whose receives, commits, rebalance events and close complete through Asio
/// completion tokens (kflow::use_awaitable by default; asio::deferred, callbacks and futures
/// work too). Keys and values are deserialized by `KeySerde` and `ValueSerde`.
///
/// librdkafka's queues wake the executor themselves: there is no polling thread or timer.
/// Handlers run on their associated executor (the consumer's when they have none), never on a
/// librdkafka thread. At-least-once, as with consumer: a record counts as handled once the
/// application receives again, commits or closes, and only handled records are committed.
/// Start operations from one thread or strand at a time; several receives may be pending and
/// get records in the order they were started. The consumer must outlive its pending
/// operations: destroying it destroys their handlers without calling them.
template <class K, class V, class KeySerde = serde<K>, class ValueSerde = serde<V>>
requires deserializer_for<KeySerde, K> && deserializer_for<ValueSerde, V>
class async_consumer {
  public:
    /// The executor that completes handlers without an associated executor of their own.
    using executor_type = asio::any_io_executor;
    using key_type = K;                         ///< the type keys are deserialized to
    using value_type = V;                       ///< the type values are deserialized to
    using record_type = consumer_record<K, V>;  ///< what async_receive() completes with
    /// How async_receive() completes: with the next record, or with an error and a
    /// default-constructed record.
    using receive_signature = void(boost::system::error_code, record_type);
    /// How async_receive_batch() completes: with 1..max records, or with an error and none.
    using batch_signature = void(boost::system::error_code, std::vector<record_type>);
    /// How async_commit() completes: empty when the broker accepted every offset, else the
    /// request's error or that of the first partition it rejected.
    using commit_signature = void(boost::system::error_code);
    /// How async_rebalance() completes: with the next rebalance event, or with an error.
    using rebalance_signature = void(boost::system::error_code, rebalance_event);
    /// How async_close() completes: empty after a clean close, errc::timed_out when it gave up,
    /// or the error of the final commit.
    using close_signature = void(boost::system::error_code);

    /// Creates the consumer on `executor`; nothing is read before subscribe() or assign().
    /// Throws kafka_error with errc::invalid_config when `config` has no group id or
    /// librdkafka rejects the configuration.
    async_consumer(executor_type executor, const consumer_config& config, KeySerde key_serde = {},
                   ValueSerde value_serde = {})
        : service_(detail::async_consumer_service::create(executor, config)),
          serdes_(
              std::make_shared<const serdes_type>(std::move(key_serde), std::move(value_serde))),
          failures_(std::make_shared<detail::latest_failure>()) {}

    /// Movable: operations (including asio::deferred ones not yet launched) hold the consumer's
    /// shared state, not the consumer, so they keep working after a move.
    async_consumer(async_consumer&&) noexcept = default;
    /// Destroys the consumer held before, as the destructor does, then takes over `other`'s
    /// shared state, leaving `other` empty.
    async_consumer& operator=(async_consumer&&) noexcept = default;
    /// Without async_close(), closes synchronously within the configured close_timeout.
    /// Operations still pending are abandoned: their handlers are destroyed, never called.
    ~async_consumer() = default;

    /// The executor given at construction; an empty one for a moved-from consumer.
    [[nodiscard]] executor_type get_executor() const noexcept {
        return service_ ? service_->executor() : executor_type();
    }

    // -- Subscription (synchronous: they only talk to librdkafka's own threads) ----------------

    /// Joins the group for these topics ('^' starts a regular expression). With
    /// `rebalance_events` true, every assignment, revocation and loss is delivered to
    /// async_rebalance(), and revoked partitions stay assigned until the application asks
    /// for the next event (or receives again): commit in between.
    void subscribe(const std::vector<std::string>& topics, bool rebalance_events = false) {
        live()->on_strand(
            [s = live(), rebalance_events] { s->set_rebalance_events(rebalance_events); });
        if (auto err = live()->core().subscribe(topics, {}))
            err.raise({});
    }
    /// Reads these partitions without group management, from each given offset
    /// (offsets::stored, offsets::beginning, offsets::end or an absolute offset); an empty
    /// list drops the assignment. Throws kafka_error, with errc::closed once closed.
    void assign(const std::vector<topic_partition_offset>& partitions) {
        if (auto err = live()->core().assign(partitions))
            err.raise({});
    }
    /// The partitions assigned now, by the group or by assign(); empty after close.
    [[nodiscard]] std::vector<topic_partition> assignment() const {
        return live()->core().assignment();
    }

    // -- Receiving ----------------------------------------------------------------------------

    /// Completes with `(error_code, record_type)`: the next record. A record that cannot be
    /// deserialized completes with errc::deserialization_failed (or unexpected_null):
    /// kflow::use_awaitable throws deserialization_error with the raw bytes; other tokens find
    /// them in last_failure(). Its partition's offset is held at it until mark_handled().
    ///
    /// Cancellation (any type) never loses a record: a receive still waiting completes with
    /// asio::error::operation_aborted having taken nothing; one whose record was already taken
    /// from librdkafka but whose handler had not run yet gives the record back (the next receive
    /// gets it) and completes with operation_aborted too. A record counts as handed to the
    /// application (for commits) only once its handler runs.
    template <asio::completion_token_for<receive_signature> Token = kflow::use_awaitable_t>
    auto async_receive(Token&& token = kflow::use_awaitable_t{}) {
        return asio::async_initiate<Token, receive_signature>(
            receive_initiation{{live()}, serdes_, failures_}, token);
    }

    /// Completes with `(error_code, std::vector<record_type>)`: 1..max records (all that are
    /// ready, as soon as one is). A batch ends before a record that cannot be deserialized; the
    /// next receive fails with it. `max` 0 completes with std::errc::invalid_argument.
    /// Cancellation as for async_receive.
    template <asio::completion_token_for<batch_signature> Token = kflow::use_awaitable_t>
    auto async_receive_batch(std::size_t max, Token&& token = kflow::use_awaitable_t{}) {
        return asio::async_initiate<Token, batch_signature>(
            batch_initiation{receive_initiation{{live()}, serdes_, failures_}}, token, max);
    }

    /// The last record that failed to deserialize, with its raw bytes (null if none).
    [[nodiscard]] std::shared_ptr<const deserialization_failure> last_failure() const {
        return failures_->get();
    }
    /// Lets the partition of a failed record move past it again.
    void mark_handled(const deserialization_failure& failure) {
        live()->on_strand(
            [s = live(), at = failure.record.position()] { s->core().release_hold(at); });
    }

    // -- Commits ------------------------------------------------------------------------------

    /// Completes with `(error_code)`: commits the offsets of every record handled so far, through
    /// librdkafka's commit queue, and completes with the broker's answer. Not cancellable: a
    /// commit request, once sent, is answered.
    template <asio::completion_token_for<commit_signature> Token = kflow::use_awaitable_t>
    auto async_commit(Token&& token = kflow::use_awaitable_t{}) {
        return asio::async_initiate<Token, commit_signature>(commit_handled_initiation{{live()}},
                                                             token);
    }

    /// Commits exactly these offsets (each the next offset to read).
    template <asio::completion_token_for<commit_signature> Token = kflow::use_awaitable_t>
    auto async_commit(const std::vector<topic_partition_offset>& offsets,
                      Token&& token = kflow::use_awaitable_t{}) {
        auto list = std::make_shared<detail::partition_list_handle>(detail::to_native(offsets));
        return asio::async_initiate<Token, commit_signature>(
            commit_offsets_initiation{{live()}, std::move(list)}, token);
    }

    /// Commits everything up to and including `record` in its partition.
    template <asio::completion_token_for<commit_signature> Token = kflow::use_awaitable_t>
    auto async_commit(const record_type& record, Token&& token = kflow::use_awaitable_t{}) {
        return async_commit(std::vector<topic_partition_offset>{{record.topic, record.partition,
                                                                 record.offset + 1}},
                            std::forward<Token>(token));
    }

    // -- Rebalances ---------------------------------------------------------------------------

    /// Completes with `(error_code, rebalance_event)`: the next rebalance event (subscribe with
    /// rebalance_events = true). Asking for the next event releases partitions held since a
    /// revocation. Cancellation (any type) withdraws the wait (operation_aborted).
    template <asio::completion_token_for<rebalance_signature> Token = kflow::use_awaitable_t>
    auto async_rebalance(Token&& token = kflow::use_awaitable_t{}) {
        return asio::async_initiate<Token, rebalance_signature>(rebalance_initiation{{live()}},
                                                                token);
    }

    /// Releases partitions held since a revocation now (after committing).
    void finish_rebalance() {
        live()->on_strand([s = live()] { s->finish_held_revocation(); });
    }

    // -- Close --------------------------------------------------------------------------------

    /// Completes with `(error_code)`: commits what was handled (with auto-commit on), leaves the
    /// group; completes within `timeout` even when the brokers are gone (then with
    /// errc::timed_out). Pending receives complete with errc::closed. Not cancellable: the
    /// timeout bounds it.
    template <asio::completion_token_for<close_signature> Token = kflow::use_awaitable_t>
    auto async_close(std::chrono::milliseconds timeout, Token&& token = kflow::use_awaitable_t{}) {
        return asio::async_initiate<Token, close_signature>(close_initiation{{live()}}, token,
                                                            timeout);
    }

    /// The synchronous API for what has no async form (seek, pause, watermarks, ...): call it
    /// from the thread or strand that starts this consumer's operations.
    [[nodiscard]] detail::consumer_core& core() { return live()->core(); }
    /// The librdkafka handle, for calls kflow does not wrap; null for a moved-from consumer.
    /// The consumer owns it: never destroy it, and never poll its queues, which kflow serves.
    [[nodiscard]] rd_kafka_t* native_handle() const noexcept {
        return service_ ? service_->core().native() : nullptr;
    }
    /// False for a moved-from async_consumer: its other operations fail with errc::closed.
    [[nodiscard]] bool valid() const noexcept { return service_ != nullptr; }

  private:
    using serdes_type = detail::deserializers<KeySerde, ValueSerde>;

    struct receive_initiation : detail::consumer_initiation {
        std::shared_ptr<const serdes_type> serdes;
        std::shared_ptr<detail::latest_failure> failures;

        template <class Handler>
        void operator()(Handler&& handler) const {
            using op_type =
                detail::receive_one_op<K, V, KeySerde, ValueSerde, std::decay_t<Handler>>;
            auto slot = asio::get_associated_cancellation_slot(handler);
            start(std::make_shared<op_type>(std::forward<Handler>(handler), service->executor(),
                                            serdes, failures),
                  slot);
        }
        template <class Slot>
        void start(std::shared_ptr<detail::receive_op> op, Slot& slot) const {
            detail::connect_receive_cancellation(slot, service, op);
            service->on_strand([s = service, op = std::move(op)] { s->add_receiver(op); });
        }
    };

    struct batch_initiation : receive_initiation {
        template <class Handler>
        void operator()(Handler&& handler, std::size_t max) const {
            if (max == 0) {
                detail::post_completion(this->service->executor(), std::forward<Handler>(handler),
                                        {std::make_error_code(std::errc::invalid_argument),
                                         "async_receive_batch: max must be at least 1",
                                         {}},
                                        std::vector<record_type>{});
                return;
            }
            using op_type =
                detail::receive_batch_op<K, V, KeySerde, ValueSerde, std::decay_t<Handler>>;
            auto slot = asio::get_associated_cancellation_slot(handler);
            this->start(
                std::make_shared<op_type>(max, std::forward<Handler>(handler),
                                          this->service->executor(), this->serdes, this->failures),
                slot);
        }
    };

    struct commit_handled_initiation : detail::consumer_initiation {
        template <class Handler>
        void operator()(Handler&& handler) const {
            auto op =
                detail::make_event_op<false>(std::forward<Handler>(handler), service->executor());
            service->on_strand([s = service, op = std::move(op)]() mutable {
                s->core().store_handled();
                s->commit(nullptr, std::move(op));
            });
        }
    };

    struct commit_offsets_initiation : detail::consumer_initiation {
        std::shared_ptr<detail::partition_list_handle> list;

        template <class Handler>
        void operator()(Handler&& handler) const {
            service->commit(list->get(), detail::make_event_op<false>(
                                             std::forward<Handler>(handler), service->executor()));
        }
    };

    struct rebalance_initiation : detail::consumer_initiation {
        template <class Handler>
        void operator()(Handler&& handler) const {
            auto slot = asio::get_associated_cancellation_slot(handler);
            std::shared_ptr<detail::event_op> op =
                detail::make_event_op<true>(std::forward<Handler>(handler), service->executor());
            if (slot.is_connected()) {
                slot.assign(
                    [weak_service = std::weak_ptr<detail::async_consumer_service>(service),
                     weak_op = std::weak_ptr<detail::event_op>(op)](asio::cancellation_type) {
                        if (auto s = weak_service.lock()) {
                            s->on_strand([s, weak_op] {
                                if (auto o = weak_op.lock())
                                    s->cancel_rebalance_waiter(o);
                            });
                        }
                    });
            }
            service->on_strand([s = service, op] { s->add_rebalance_waiter(op); });
        }
    };

    struct close_initiation : detail::consumer_initiation {
        template <class Handler>
        void operator()(Handler&& handler, std::chrono::milliseconds timeout) const {
            std::shared_ptr<detail::event_op> op =
                detail::make_event_op<false>(std::forward<Handler>(handler), service->executor());
            service->on_strand([s = service, op, timeout] { s->close(timeout, op); });
        }
    };

    /// The shared state, or errc::closed (thrown) for a moved-from async_consumer: a defined state,
    /// not a crash.
    [[nodiscard]] const std::shared_ptr<detail::async_consumer_service>& live() const {
        if (!service_) {
            throw kafka_error(make_error_code(errc::closed),
                              "async_consumer: used after being moved from");
        }
        return service_;
    }

    std::shared_ptr<detail::async_consumer_service> service_;
    std::shared_ptr<const serdes_type> serdes_;
    std::shared_ptr<detail::latest_failure> failures_;
};

}  // namespace kflow
