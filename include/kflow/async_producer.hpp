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

#include <kflow/detail/async_producer_service.hpp>
#include <kflow/detail/post_completion.hpp>
#include <kflow/producer.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <kflow/detail/outstanding_work.hpp>

namespace kflow {

namespace asio = boost::asio;

namespace detail {

/// One async_send between initiation and completion.
template <class Handler>
class async_delivery final : public deferred_delivery {
  public:
    using executor_type = asio::associated_executor_t<Handler, asio::any_io_executor>;

    async_delivery(payload value, Handler handler, async_producer_service& service)
        : deferred_delivery(std::move(value)),
          handler_(std::move(handler)),
          work_(asio::get_associated_executor(handler_, service.executor())),
          service_(service) {}

    bool complete(std::error_code ec, const rd_kafka_message_t& msg) override {
        result_ = {ec, ec ? "delivery failed: " + ec.message() : std::string(), {}};
        metadata_ = metadata_of(&msg);
        service_.push_ready(this);
        return false;  // finish() runs once librdkafka's poll has returned
    }

    void finish() override { run(result_, std::move(metadata_), false); }
    // Posted, never run inline: abort() is called from inside async_send's initiation and from
    // inside a cancellation handler, where completing at once is forbidden or unsafe.
    void abort(const error_info& err) override { run(err, record_metadata{}, true); }

  private:
    void run(error_info err, record_metadata md, bool post) {
        auto& service = service_;
        auto ex = work_.get_executor();
        auto completion = [h = std::move(handler_), err = std::move(err), md = std::move(md),
                           work = std::move(work_)]() mutable {
            asio::get_associated_cancellation_slot(h).clear();
            detail::complete(h, err, std::move(md));
        };
        if (post) {
            asio::post(ex, std::move(completion));
        } else {
            asio::dispatch(ex, std::move(completion));
        }
        delete this;
        service.release();
    }

    Handler handler_;
    outstanding_work<executor_type> work_;
    async_producer_service& service_;
    error_info result_;
    record_metadata metadata_;
};

template <class Handler>
class async_flush_waiter final : public flush_waiter {
  public:
    async_flush_waiter(Handler handler, const asio::any_io_executor& fallback)
        : handler_(std::move(handler)), work_(asio::get_associated_executor(handler_, fallback)) {}

    // Posted: cancel_flush_waiter() calls this from inside the operation's cancellation handler.
    void complete(const error_info& err) override {
        auto ex = work_.get_executor();
        asio::post(ex, [h = std::move(handler_), err, work = std::move(work_)]() mutable {
            asio::get_associated_cancellation_slot(h).clear();
            detail::complete(h, err);
        });
        delete this;
    }

  private:
    Handler handler_;
    outstanding_work<asio::associated_executor_t<Handler, asio::any_io_executor>> work_;
};

/// The serializers of an async_producer, shared with its initiations.
template <class KeySerde, class ValueSerde>
struct serializers {
    serializers(KeySerde k, ValueSerde v) : key(std::move(k)), value(std::move(v)) {}
    [[no_unique_address]] KeySerde key;
    [[no_unique_address]] ValueSerde value;
};

/// What every async_producer initiation holds: the service, not the producer, so an operation
/// created with asio::deferred still works after the producer was moved. Exposes the executor,
/// for tokens that ask the initiation for it.
struct producer_initiation {
    using executor_type = asio::any_io_executor;
    [[nodiscard]] executor_type get_executor() const noexcept { return service->executor(); }

    std::shared_ptr<async_producer_service> service;
};

}  // namespace detail

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
requires serializer_for<KeySerde, K> && serializer_for<ValueSerde, V>
class async_producer {
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

    /// Creates the librdkafka producer from `config` (copied) and serves its delivery reports
    /// on `executor`. Throws kafka_error (errc::invalid_config) when librdkafka cannot create
    /// the client. The config's callbacks (on_error, on_log, ...) run on `executor` too.
    async_producer(executor_type executor, const producer_config& config, KeySerde key_serde = {},
                   ValueSerde value_serde = {})
        : service_(detail::async_producer_service::create(executor, config)),
          serdes_(
              std::make_shared<const serdes_type>(std::move(key_serde), std::move(value_serde))) {}

    /// Movable: operations (including asio::deferred ones not yet launched) hold the producer's
    /// shared state, not the producer, so they keep working after a move.
    async_producer(async_producer&&) noexcept = default;
    /// Takes over the other producer's state. The state this one held is closed as by
    /// ~async_producer() (blocking) unless an operation not yet launched still holds it.
    async_producer& operator=(async_producer&&) noexcept = default;

    /// Waits up to the configured close_timeout for outstanding deliveries (blocking the
    /// calling thread, serving reports inline), then fails what is left with an error.
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
        return asio::async_initiate<Token, send_signature>(send_initiation{{live()}, serdes_},
                                                           token, std::move(record));
    }

    /// Completes with `(error_code)` once every message sent so far has its delivery report
    /// (sends waiting for room included). Cancellation (any type) withdraws the wait
    /// (asio::error::operation_aborted); combine with a timer for a deadline.
    template <asio::completion_token_for<flush_signature> Token = kflow::use_awaitable_t>
    auto async_flush(Token&& token = kflow::use_awaitable_t{}) {
        return asio::async_initiate<Token, flush_signature>(flush_initiation{{live()}}, token);
    }

    /// Blocks up to `timeout` for outstanding deliveries, then fails what is left; returns the
    /// number of messages that were not delivered.
    std::size_t close(std::chrono::milliseconds timeout) { return live()->close(timeout); }

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

    struct send_initiation : detail::producer_initiation {
        std::shared_ptr<const serdes_type> serdes;

        template <class Handler>
        void operator()(Handler&& handler, const record_type& record) const {
            using handler_type = std::decay_t<Handler>;
            payload key;
            payload value;
            if (auto err = serialize(record, key, value)) {
                detail::post_completion(service->executor(), std::forward<Handler>(handler), err,
                                        record_metadata{});
                return;
            }
            auto slot = asio::get_associated_cancellation_slot(handler);
            std::unique_ptr<detail::delivery_op> op =
                std::make_unique<detail::async_delivery<handler_type>>(
                    std::move(value), std::forward<Handler>(handler), *service);
            error_info err = service->send(
                {record.topic, record.partition, key, record.headers, record.time}, op,
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
            if (err) {
                static_cast<detail::deferred_delivery*>(op.release())->abort(err);
            }
        }

        error_info serialize(const record_type& record, payload& key, payload& value) const {
            try {
                key = payload(serdes->key.serialize(record.key));
                value = payload(serdes->value.serialize(record.value));
            } catch (const std::exception& e) {
                return {make_error_code(errc::serialization_failed),
                        "cannot serialize record for '" + record.topic + "': " + e.what(),
                        {}};
            }
            return {};
        }
    };

    struct flush_initiation : detail::producer_initiation {
        template <class Handler>
        void operator()(Handler&& handler) const {
            auto slot = asio::get_associated_cancellation_slot(handler);
            auto waiter = std::make_unique<detail::async_flush_waiter<std::decay_t<Handler>>>(
                std::forward<Handler>(handler), service->executor());
            service->add_flush_waiter(std::move(waiter), [&](std::uint64_t id) {
                if (!slot.is_connected())
                    return;
                slot.assign([weak_service = std::weak_ptr<detail::async_producer_service>(service),
                             id](asio::cancellation_type) {
                    if (auto s = weak_service.lock())
                        s->cancel_flush_waiter(id);
                });
            });
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

    std::shared_ptr<detail::async_producer_service> service_;
    std::shared_ptr<const serdes_type> serdes_;
};

}  // namespace kflow
