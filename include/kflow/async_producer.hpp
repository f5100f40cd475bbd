#pragma once
// async_producer<K, V>: the producer with Asio completion tokens.
//
//   kflow::async_producer<std::string, order> producer(io.get_executor(), config);
//   record_metadata md = co_await producer.async_send({"orders", id, order});
//
// Every operation takes any completion token (default kflow::use_awaitable): callbacks,
// asio::use_awaitable, asio::deferred, asio::use_future, asio::as_tuple(...), and binds to
// cancellation slots. Handlers run on their associated executor (or the producer's), never on a
// librdkafka thread. librdkafka's delivery reports wake the executor through the queue event
// bridge (detail/queue_bridge.hpp): no polling thread, no timer; an idle producer uses no CPU.
//
// Thread safety: async_send and async_flush may be called from any thread, concurrently;
// destruction must not race with them. A multi-threaded io_context is fine. Sends started one
// after another (from one thread, or ordered by a strand) keep their order per partition.
//
// Lifetime: operations hold the producer's shared state, so an operation made with
// asio::deferred may be launched after the producer was moved. The producer must still be alive
// while operations are pending: its destructor completes them (see ~async_producer).

#include <kflow/detail/async_producer_ops.hpp>
#include <kflow/detail/async_transaction_op.hpp>
#include <kflow/detail/codec_checks.hpp>
#include <kflow/detail/record_encoder.hpp>
#include <kflow/detail/released_on_launch.hpp>
#include <kflow/metrics/statistics_feed.hpp>
#include <kflow/producer.hpp>
#include <kflow/raw_producer_record.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/async_result.hpp>

#include <chrono>
#include <optional>
#include <vector>

namespace kflow {

namespace asio = boost::asio;

/// The producer with Asio completion tokens: records with keys of type K and values of type V,
/// serialized by KeySerde and ValueSerde (kflow::serde<K> and kflow::serde<V> unless given).
///
///     kflow::async_producer<std::string, order> producer(io.get_executor(), config);
///     record_metadata md = co_await producer.async_send({"orders", id, order});
///
/// Every operation takes any completion token (default kflow::use_awaitable) and binds to
/// cancellation slots. Handlers run on their associated executor (else the producer's), never
/// on a librdkafka thread. Delivery reports wake the executor through an event on librdkafka's
/// queue: no polling thread and no timer, so an idle producer uses no CPU.
///
/// Thread safety: async_send and async_flush may be called from any thread, concurrently;
/// destruction must not race with them. A multi-threaded io_context is fine. Sends started one
/// after another (from one thread, or ordered by a strand) keep their order per partition.
template <class K, class V, class KeySerde = serde<K>, class ValueSerde = serde<V>>
class async_producer {
    static_assert(detail::check_serializers<K, V, KeySerde, ValueSerde>());

  public:
    /// The executor delivery reports are served on, and handlers without one of their own run on.
    using executor_type = asio::any_io_executor;
    /// The type of record keys.
    using key_type = K;
    /// The type of record values.
    using value_type = V;
    /// The record async_send() takes.
    using record_type = producer_record<K, V>;
    /// Completion signature of async_send.
    using send_signature = void(boost::system::error_code, record_metadata);
    /// Completion signature of async_flush.
    using flush_signature = void(boost::system::error_code);
    /// Completion signature of async_close: empty when every message was delivered, else
    /// errc::timed_out.
    using close_signature = void(boost::system::error_code);
    /// Completion signature of the transactional calls (async_commit_transaction, ...).
    using transaction_signature = void(boost::system::error_code);

    /// Creates the librdkafka producer from `config` (copied) and serves its delivery reports
    /// on `executor`. Throws kafka_error (errc::invalid_config) when librdkafka cannot create
    /// the client. The config's callbacks (on_error, on_log, ...) run on `executor` too.
    async_producer(executor_type executor, const producer_config& config, KeySerde key_serde = {},
                   ValueSerde value_serde = {})
        : service_(detail::async_producer_service::create(
              executor, detail::with_statistics_feed(config, executor, statistics_))),
          serdes_(serdes_type(std::move(key_serde), std::move(value_serde))) {
        if (statistics_) {
            // The client serves its queue only while someone waits: a statistics wait counts.
            std::weak_ptr<detail::async_producer_service> weak = service_;
            statistics_->on_wait(
                [weak] {
                    if (auto s = weak.lock())
                        s->hold_events();
                },
                [weak] {
                    if (auto s = weak.lock())
                        s->release_events();
                });
        }
    }

    /// Movable: operations (including asio::deferred ones not yet launched) hold the producer's
    /// shared state, not the producer, so they keep working after a move.
    async_producer(async_producer&&) noexcept = default;
    /// Takes over the other producer's state. The state this one held is closed as by
    /// ~async_producer() (blocking) unless an operation not yet launched still holds it.
    async_producer& operator=(async_producer&&) noexcept = default;

    /// Unless async_close() or close() ran: waits up to the configured close_timeout for
    /// outstanding deliveries (blocking the calling thread, serving reports inline), then fails
    /// what is left with an error, within close_timeout + 1 s. After async_close() it does not
    /// block. An async_close() still in progress holds the producer's state and finishes.
    ~async_producer() = default;

    /// The executor given to the constructor; a default-constructed (empty) executor for a
    /// moved-from async_producer.
    [[nodiscard]] executor_type get_executor() const noexcept {
        return service_ ? service_->executor() : executor_type();
    }

    /// Sends `record`; completes with `(error_code, record_metadata)` once the broker confirmed
    /// the write (or librdkafka gave up: delivery.timeout / message.timeout.ms). Many sends may
    /// be in flight; order per partition is kept. When librdkafka's queue is full the send waits
    /// for room without blocking the thread (or fails with errc::queue_full under
    /// queue_full_policy::fail). The key and value are serialized during the call.
    ///
    /// Cancellation (any type): a send still waiting for room is withdrawn and completes with
    /// asio::error::operation_aborted; the message is not sent. Once handed to librdkafka a
    /// message cannot be recalled: cancellation then has no effect, the operation completes
    /// with the delivery result and the message may well be delivered.
    template <asio::completion_token_for<send_signature> Token = kflow::use_awaitable_t>
    auto async_send(record_type record, Token&& token = kflow::use_awaitable_t{}) {
        return detail::initiate_released<Token, send_signature>(
            send_initiation<serdes_type>{{live()}, serdes_}, token, std::move(record));
    }

    /// Sends `record`'s key and value bytes as they are, bypassing this producer's serdes: for
    /// records read elsewhere and passed on unchanged (dead letters, mirroring). Completion,
    /// ordering and cancellation as for async_send.
    template <asio::completion_token_for<send_signature> Token = kflow::use_awaitable_t>
    auto async_send_raw(raw_producer_record record, Token&& token = kflow::use_awaitable_t{}) {
        static const detail::serializers_handle<detail::raw_serdes> raw{detail::raw_serdes{}};
        return detail::initiate_released<Token, send_signature>(
            send_initiation<detail::raw_serdes>{{live()}, raw}, token, std::move(record));
    }

    /// Completes with `(error_code)` once every message sent so far has its delivery report
    /// (sends waiting for room included). Cancellation (any type) withdraws the wait
    /// (asio::error::operation_aborted); combine with a timer for a deadline.
    template <asio::completion_token_for<flush_signature> Token = kflow::use_awaitable_t>
    auto async_flush(Token&& token = kflow::use_awaitable_t{}) {
        return detail::initiate_released<Token, flush_signature>(flush_initiation{{live()}}, token);
    }

    /// As async_flush(token), giving up after `timeout`: then it completes with
    /// errc::timed_out, and the messages stay in flight (their sends complete as usual).
    /// Cancellation as for async_flush(token).
    template <asio::completion_token_for<flush_signature> Token = kflow::use_awaitable_t>
    auto async_flush(std::chrono::milliseconds timeout, Token&& token = kflow::use_awaitable_t{}) {
        return detail::initiate_released<Token, flush_signature>(flush_initiation{{live()}}, token,
                                                                 std::optional(timeout));
    }

    /// Completes with `(error_code)` once the producer is closed: new sends fail with
    /// errc::closed at once; the messages sent so far get up to `timeout` to be delivered; what
    /// is left then is purged (each such send completes with an error) and the operation
    /// completes with errc::timed_out, its message saying how many were not delivered. Purged
    /// messages' reports are awaited for at most a further second, so it completes within
    /// `timeout` + 1 s. Never blocks a thread. A second close completes at once, successfully.
    /// Not cancellable: the timeout bounds it.
    template <asio::completion_token_for<close_signature> Token = kflow::use_awaitable_t>
    auto async_close(std::chrono::milliseconds timeout, Token&& token = kflow::use_awaitable_t{}) {
        return detail::initiate_released<Token, close_signature>(close_initiation{{live()}}, token,
                                                                 timeout);
    }
    /// async_close() with the config's close_timeout (10 s by default).
    template <asio::completion_token_for<close_signature> Token = kflow::use_awaitable_t>
    auto async_close(Token&& token = kflow::use_awaitable_t{}) {
        return async_close(live()->core().close_timeout(), std::forward<Token>(token));
    }

    /// Blocks the calling thread up to `timeout` for outstanding deliveries (serving their
    /// reports inline), then purges what is left and serves those reports for at most a further
    /// second; returns the number of messages that were not delivered. Prefer async_close() on
    /// an executor's thread.
    std::size_t close(std::chrono::milliseconds timeout) { return live()->close(timeout); }

    // -- Transactions (docs/transactions.md) --------------------------------------------------
    // librdkafka's transactional calls wait for the transaction coordinator, so kflow makes
    // them on a thread of the producer's own, one at a time and in the order started, and
    // completes each with `(error_code)` on the handler's executor: the executor never blocks.
    // Meanwhile that thread serves the producer's queue; the config's callbacks still run on
    // the executor. The error's classification (fatal, abortable, retriable) is as for
    // kflow::producer, and reaches the application with kflow::use_awaitable (and the other
    // kflow::throw_kafka_errors tokens) as the thrown kafka_error's flags; a bare error_code
    // does not carry it.
    // Not cancellable: the timeout bounds each call. Destroying the producer while one runs
    // waits for it; those not started fail with errc::closed.

    /// Registers the config's transactional_id with its coordinator, fencing older producers
    /// with the same id. Unlike kflow::producer, the constructor does not do it: await this
    /// before the first transaction.
    template <asio::completion_token_for<transaction_signature> Token = kflow::use_awaitable_t>
    auto async_init_transactions(std::chrono::milliseconds timeout,
                                 Token&& token = kflow::use_awaitable_t{}) {
        return initiate_transactional(
            [timeout](detail::producer_core& core) { return core.init_transactions(timeout); },
            std::forward<Token>(token));
    }
    /// Starts a transaction: sends are accepted only inside one. Completes after earlier
    /// transactional calls (e.g. an abort still running).
    template <asio::completion_token_for<transaction_signature> Token = kflow::use_awaitable_t>
    auto async_begin_transaction(Token&& token = kflow::use_awaitable_t{}) {
        return initiate_transactional(
            [](detail::producer_core& core) { return core.begin_transaction(); },
            std::forward<Token>(token));
    }
    /// Waits for every send of the transaction to be delivered (sends waiting for room in a
    /// full queue included; without blocking a thread), then commits it, all within `timeout`.
    /// On failure the transaction stays open: commit again when the error is retriable (e.g.
    /// errc::timed_out while deliveries are outstanding), otherwise abort.
    template <asio::completion_token_for<transaction_signature> Token = kflow::use_awaitable_t>
    auto async_commit_transaction(std::chrono::milliseconds timeout,
                                  Token&& token = kflow::use_awaitable_t{}) {
        return detail::initiate_released<Token, transaction_signature>(commit_initiation{{live()}},
                                                                       token, timeout);
    }
    /// Aborts the transaction within `timeout`: records not yet delivered are purged (their
    /// sends complete with an error), the others are aborted, and offsets sent are dropped.
    template <asio::completion_token_for<transaction_signature> Token = kflow::use_awaitable_t>
    auto async_abort_transaction(std::chrono::milliseconds timeout,
                                 Token&& token = kflow::use_awaitable_t{}) {
        return initiate_transactional(
            [timeout](detail::producer_core& core) { return core.abort_transaction(timeout); },
            std::forward<Token>(token));
    }
    /// Adds a consumer group's offsets (each the next offset to read) to the transaction: they
    /// are committed if and only if it is. `group` comes from the consumer that read the input
    /// (async_consumer::group_metadata()), which should not commit itself.
    template <asio::completion_token_for<transaction_signature> Token = kflow::use_awaitable_t>
    auto async_send_offsets_to_transaction(std::vector<topic_partition_offset> offsets,
                                           consumer_group_metadata group,
                                           std::chrono::milliseconds timeout,
                                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate_transactional(
            [offsets = std::move(offsets), group = std::move(group),
             timeout](detail::producer_core& core) {
                return core.send_offsets_to_transaction(offsets, group.get(), timeout);
            },
            std::forward<Token>(token));
    }

    /// librdkafka's name for this client (client.id and an instance suffix, e.g.
    /// `rdkafka#producer-1`), as it appears in logs and statistics.
    [[nodiscard]] std::string name() const { return live()->core().name(); }
    /// Completes with `(error_code, kflow::metrics::statistics)`: the next statistics document
    /// librdkafka emits for this client, every statistics_interval() of its config. With
    /// statistics off (no interval, or 0) completes at once with errc::invalid_config. Every
    /// wait pending when a document arrives gets it; cancellation (any type) withdraws a wait
    /// (operation_aborted), and so does the client's destruction.
    template <asio::completion_token_for<metrics::statistics_feed::next_signature> Token =
                  kflow::use_awaitable_t>
    auto async_next_statistics(Token&& token = kflow::use_awaitable_t{}) {
        return detail::next_statistics(statistics_, live()->executor(), std::forward<Token>(token));
    }
    /// Messages handed to librdkafka whose delivery report has not been served yet (sends
    /// still waiting for room in a full queue are not counted); 0 when moved-from.
    [[nodiscard]] std::size_t in_flight() const noexcept {
        return service_ ? service_->core().in_flight() : 0;
    }
    /// The underlying librdkafka handle, for what kflow does not wrap; null when moved-from.
    /// Do not destroy it, nor poll its main queue (kflow serves it).
    [[nodiscard]] rd_kafka_t* native_handle() const noexcept {
        return service_ ? service_->core().native() : nullptr;
    }
    /// False for a moved-from async_producer: its other operations fail with errc::closed.
    [[nodiscard]] bool valid() const noexcept { return service_ != nullptr; }

  private:
    using serdes_type = detail::serializers<KeySerde, ValueSerde>;

    template <class Serdes>
    struct send_initiation : detail::producer_initiation {
        detail::serializers_handle<Serdes> serdes;

        template <class Handler, class Record>
        void operator()(Handler&& handler, Record&& record) const {
            using handler_type = std::decay_t<Handler>;
            payload key;
            payload value;
            if (auto err = detail::encode_record(serdes->key, serdes->value, record, key, value)) {
                detail::post_completion(service->executor(), std::forward<Handler>(handler), err,
                                        record_metadata{});
                return;
            }
            auto slot = asio::get_associated_cancellation_slot(handler);
            auto delivery = std::make_unique<detail::async_delivery<handler_type>>(
                std::forward<Handler>(handler), *service);
            // A record handed over (the usual co_await async_send({...})) gives its topic name
            // to the delivery's metadata: one string for both, where a copy would allocate.
            const std::string& topic = [&]() -> const std::string& {
                if constexpr (std::is_rvalue_reference_v<Record&&> &&
                              !std::is_const_v<std::remove_reference_t<Record>>) {
                    return delivery->keep_topic(std::move(record.topic));
                } else {
                    return record.topic;
                }
            }();
            std::unique_ptr<detail::delivery_op> op = std::move(delivery);
            const payload& bytes = op->keep(value);
            auto refused = service->send(
                {topic, record.partition, key, bytes, record.headers, record.time}, op,
                [&](const std::shared_ptr<detail::waiting_send>& waiting) {
                    if (!slot.is_connected())
                        return;
                    // Weak: the slot's handler may live as long as a suspended coroutine.
                    slot.assign(
                        [weak_service = std::weak_ptr<detail::async_producer_service>(service),
                         waiting](asio::cancellation_type) {
                            if (auto s = weak_service.lock())
                                s->cancel_waiting(waiting);
                        });
                });
            if (refused) {
                static_cast<detail::deferred_delivery*>(op.release())->abort(*refused);
            }
        }
    };

    struct flush_initiation : detail::producer_initiation {
        template <class Handler>
        void operator()(Handler&& handler,
                        std::optional<std::chrono::milliseconds> timeout = std::nullopt) const {
            auto slot = asio::get_associated_cancellation_slot(handler);
            auto waiter = std::make_unique<detail::async_flush_waiter<std::decay_t<Handler>>>(
                std::forward<Handler>(handler), service->executor());
            auto connect = [&](std::uint64_t id) {
                if (!slot.is_connected())
                    return;
                slot.assign([weak_service = std::weak_ptr<detail::async_producer_service>(service),
                             id](asio::cancellation_type) {
                    if (auto s = weak_service.lock())
                        s->cancel_flush_waiter(id);
                });
            };
            if (!timeout) {
                service->add_flush_waiter(std::move(waiter), connect);
                return;
            }
            service->add_flush_waiter(std::move(waiter), *timeout,
                                      {make_error_code(errc::timed_out),
                                       "flush: deliveries still outstanding after " +
                                           std::to_string(timeout->count()) + " ms",
                                       {}},
                                      connect);
        }
    };

    struct transaction_initiation : detail::producer_initiation {
        template <class Handler, class Call>
        void operator()(Handler&& handler, Call&& call) const {
            service->submit_blocking(
                std::make_unique<detail::async_transaction_op<std::decay_t<Handler>>>(
                    std::forward<Handler>(handler), *service, std::forward<Call>(call)));
        }
    };

    struct commit_initiation : detail::producer_initiation {
        template <class Handler>
        void operator()(Handler&& handler, std::chrono::milliseconds timeout) const {
            const auto deadline = std::chrono::steady_clock::now() + timeout;
            auto commit = [deadline](detail::producer_core& core) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now());
                return core.commit_transaction(std::max(left, std::chrono::milliseconds(0)));
            };
            // Copyable, for the flush waiter's std::function; taken out exactly once.
            auto op = std::make_shared<std::unique_ptr<detail::worker_task>>(
                std::make_unique<detail::async_transaction_op<std::decay_t<Handler>>>(
                    std::forward<Handler>(handler), *service, std::move(commit)));
            // First the deliveries, on the executor: then librdkafka's own flush inside the
            // commit finds nothing left to serve on the worker thread.
            auto waiter = std::make_unique<detail::callback_flush_waiter>(
                [service = service, op](const error_info& err) {
                    if (err) {
                        service->hold_events();  // fail() releases as a finished call does
                        (*op)->fail(err);
                        op->reset();
                        return;
                    }
                    service->submit_blocking(std::move(*op));
                });
            service->add_flush_waiter(std::move(waiter), timeout,
                                      {make_error_code(errc::timed_out),
                                       "commit_transaction: deliveries still outstanding after " +
                                           std::to_string(timeout.count()) + " ms; commit again",
                                       {false, true, false}},
                                      [](std::uint64_t) {});
        }
    };

    template <class Call, class Token>
    auto initiate_transactional(Call&& call, Token&& token) {
        return detail::initiate_released<Token, transaction_signature>(
            transaction_initiation{{live()}}, token,
            detail::transaction_call(std::forward<Call>(call)));
    }

    struct close_initiation : detail::producer_initiation {
        template <class Handler>
        void operator()(Handler&& handler, std::chrono::milliseconds timeout) const {
            auto op = std::make_shared<detail::producer_close_op<std::decay_t<Handler>>>(
                std::forward<Handler>(handler), service, timeout);
            asio::post(service->strand(),
                       [op, first = service->begin_close()] { op->start(first); });
        }
    };

    /// The shared state, or errc::closed (thrown) for a moved-from async_producer: a defined state,
    /// not a crash.
    [[nodiscard]] const std::shared_ptr<detail::async_producer_service>& live() const {
        if (!service_) {
            throw kafka_error(make_error_code(errc::closed),
                              "async_producer: used after being moved from");
        }
        return service_;
    }

    // Declared first: service_ is created with a config that it observes (see the constructor).
    std::shared_ptr<metrics::statistics_feed> statistics_;
    std::shared_ptr<detail::async_producer_service> service_;
    detail::serializers_handle<serdes_type> serdes_;
};

}  // namespace kflow
