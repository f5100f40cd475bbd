#pragma once
// producer<K, V>: typed, synchronous-API Kafka producer.
//
// send() serializes the key and value once and hands the bytes to librdkafka; the delivery
// callback runs later, on the thread that calls poll(), flush() or close() (no hidden thread).
// For co_await / completion tokens, see kflow/async_producer.hpp.
//
// Thread safety: send(), poll() and flush() may be called from several threads at once;
// close() and destruction must not race with other calls.

#include <kflow/consumer_group_metadata.hpp>
#include <kflow/detail/client_access.hpp>
#include <kflow/detail/codec_checks.hpp>
#include <kflow/detail/producer_core.hpp>
#include <kflow/detail/record_encoder.hpp>
#include <kflow/raw_producer_record.hpp>

#include <concepts>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

namespace kflow {

/// A delivery callback: void(std::error_code, const record_metadata&).
template <class F>
concept delivery_callback = std::invocable<F&, std::error_code, const record_metadata&>;

/// A Kafka producer of records with keys of type K and values of type V, serialized by
/// KeySerde and ValueSerde (kflow::serde<K> and kflow::serde<V> unless given).
///
/// send() serializes the key and value once and hands the bytes to librdkafka; delivery
/// callbacks run later, on the thread that calls poll(), flush() or close(): kflow starts no
/// thread of its own, so call poll() regularly. For co_await and completion tokens, see
/// async_producer.
///
/// Thread safety: send(), poll() and flush() may be called from several threads at once;
/// close() and destruction must not race with other calls.
template <class K, class V, class KeySerde = serde<K>, class ValueSerde = serde<V>>
class producer {
    static_assert(detail::check_serializers<K, V, KeySerde, ValueSerde>());

  public:
    /// The type of record keys.
    using key_type = K;
    /// The type of record values.
    using value_type = V;
    /// The record send() takes.
    using record_type = producer_record<K, V>;

    /// Creates the librdkafka producer from `config` (which is copied; later changes to it do
    /// not affect this producer). Throws kafka_error (errc::invalid_config) when librdkafka
    /// cannot create the client. Brokers are contacted in the background: an unreachable
    /// cluster is not an error here, it is reported through on_error and failed deliveries.
    ///
    /// With a transactional_id() (and a non-zero init_transactions_timeout()), the constructor
    /// also calls init_transactions() and throws its kafka_error: the producer it returns is
    /// ready for begin_transaction(), and this call fences any older producer with that id.
    explicit producer(const producer_config& config, KeySerde key_serde = {},
                      ValueSerde value_serde = {})
        : core_(std::make_unique<detail::producer_core>(config)),
          key_serde_(std::move(key_serde)),
          value_serde_(std::move(value_serde)) {
        if (core_->transactional() && core_->init_transactions_timeout().count() > 0) {
            if (auto err = core_->init_transactions(core_->init_transactions_timeout()))
                err.raise({});
        }
    }

    /// A moved-from producer is empty: valid() is false, in_flight() is 0 and every other
    /// operation fails with errc::closed.
    producer(producer&&) noexcept = default;
    /// Takes over the other producer's client. The client this one held is closed first, which
    /// blocks: flushed for up to its close_timeout, then purged (unlike ~producer(), without
    /// reporting how many messages were lost).
    producer& operator=(producer&&) noexcept = default;

    /// Flushes for the configured close_timeout; messages still undelivered then are purged
    /// (their callbacks run with an error) and reported through on_error, or on stderr when the
    /// config has no on_error handler.
    ~producer() {
        if (!core_ || core_->closed())
            return;
        detail::guarded(core_->callback_errors(), [&] {
            const std::size_t undelivered = core_->close(core_->close_timeout());
            if (undelivered == 0)
                return;
            const error_info info{make_error_code(errc::timed_out),
                                  "producer destroyed with " + std::to_string(undelivered) +
                                      " undelivered message(s)",
                                  {}};
            if (core_->callbacks().on_error) {
                core_->callbacks().on_error(info);
            } else {
                std::fprintf(stderr, "kflow: %s\n", info.message.c_str());
            }
        });
    }

    /// Sends `record`; `on_delivery(error_code, const record_metadata&)` runs once, when the
    /// broker confirmed (or librdkafka gave up on) the message. Throws kafka_error if the record
    /// cannot be enqueued (serialization failure, unknown partition, queue full, ...): then the
    /// callback never runs.
    template <delivery_callback F>
    void send(const record_type& record, F&& on_delivery) {
        if (auto refused = try_send(record, std::forward<F>(on_delivery)))
            refused->raise({});
    }

    /// As above, reporting a failure to enqueue through `err` (code, message, classification)
    /// instead of throwing.
    ///
    /// Under queue_full_policy::wait, send() serves delivery reports while it waits for room;
    /// an exception another record's callback throws meanwhile does not stop this send (the
    /// record is still sent): it is rethrown by the next poll(), flush() or close().
    template <delivery_callback F>
    void send(const record_type& record, F&& on_delivery, error_info& err) {
        err = or_none(try_send(record, std::forward<F>(on_delivery)));
    }

    /// Sends without a per-message callback; a failed delivery is reported through the config's
    /// on_error handler.
    void send(const record_type& record) {
        if (auto refused = try_send_unobserved(record))
            refused->raise({});
    }
    /// As send(record), reporting a failure to enqueue through `err` instead of throwing.
    void send(const record_type& record, error_info& err) {
        err = or_none(try_send_unobserved(record));
    }

    /// Sends `record`'s key and value bytes as they are, bypassing this producer's serdes: for
    /// records read elsewhere and passed on unchanged (dead letters, mirroring). Inside a
    /// transaction the record belongs to it, like any send. Delivery and errors as for
    /// send(record, on_delivery).
    template <delivery_callback F>
    void send_raw(const raw_producer_record& record, F&& on_delivery) {
        if (auto refused = enqueue(record, raw_serdes_.key, raw_serdes_.value, [&] {
                return std::make_unique<detail::callback_delivery<std::decay_t<F>>>(
                    std::forward<F>(on_delivery));
            }))
            refused->raise({});
    }
    /// As send_raw(record, on_delivery) without a per-message callback: a failed delivery is
    /// reported through the config's on_error handler.
    void send_raw(const raw_producer_record& record) {
        if (auto refused = try_send_raw_unobserved(record))
            refused->raise({});
    }
    /// As send_raw(record), reporting a failure to enqueue through `err` instead of throwing.
    void send_raw(const raw_producer_record& record, error_info& err) {
        err = or_none(try_send_raw_unobserved(record));
    }

    /// Serves delivery reports and client events for up to `timeout` (0: only what is ready).
    /// Returns how many events were served; rethrows what a callback threw.
    int poll(std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) {
        return live().serve(timeout);
    }

    /// Waits up to `timeout` for every outstanding delivery, serving callbacks meanwhile.
    /// Throws kafka_error (errc::timed_out) if some are still outstanding then; they stay in
    /// flight. Once a broker refused the client's credentials or TLS handshake (under
    /// security_failure_policy::fail), it returns at once, throwing errc::authentication_failed
    /// or errc::tls_handshake_failed with librdkafka's reason; the messages failed with it.
    /// After a fatal error (kafka_error::is_fatal(), e.g. the cluster refused an idempotent
    /// producer's id) it throws that error: every record failed with its code.
    void flush(std::chrono::milliseconds timeout) {
        error_info err;
        flush(timeout, err);
        if (err)
            err.raise({});
    }
    /// As flush(timeout), reporting a failure through `err` instead of throwing.
    void flush(std::chrono::milliseconds timeout, error_info& err) {
        if (!core_) {
            err = moved_from();
            return;
        }
        err = {};
        const auto ec = core_->flush(timeout);
        if (!ec) {
            // Every record has had its report, but a fatal error (e.g. the cluster refused an
            // idempotent producer's id) failed them all: the flush did not deliver them.
            if (auto fatal = core_->fatal_error()) {
                fatal.message = "flush: " + fatal.message;
                err = std::move(fatal);
            }
            return;
        }
        if (core_->security_failed()) {
            err = core_->security_failure();
            err.message = "flush: " + err.message;
            return;
        }
        err = {ec,
               "flush: " + std::to_string(core_->in_flight()) +
                   " message(s) still in flight after " + std::to_string(timeout.count()) + " ms",
               {}};
    }

    /// Flushes for up to `timeout`, then purges what is left (their callbacks run with an
    /// error). Returns the number of messages that were not delivered. Further sends fail
    /// with errc::closed.
    std::size_t close(std::chrono::milliseconds timeout) { return live().close(timeout); }
    /// close() bounded by the config's close_timeout (10 s by default). Throws kafka_error
    /// (errc::closed) on a moved-from producer.
    std::size_t close() { return live().close(live().close_timeout()); }

    // -- Transactions (docs/transactions.md) --------------------------------------------------
    // Each call throws kafka_error whose flags say how to recover: is_fatal() (e.g. fenced by a
    // newer producer with the same transactional id): destroy this producer and create another;
    // txn_requires_abort(): abort_transaction(), then begin a new transaction; is_retriable():
    // call the same operation again. Each has a form that reports through an error_info&.

    /// Registers the config's transactional_id with its coordinator, fencing older producers
    /// with the same id and finishing their pending transaction. The constructor does this
    /// unless the config's init_transactions_timeout() is zero; calling it again once it
    /// succeeded is an error (RD_KAFKA_RESP_ERR__STATE). Without a transactional_id it fails
    /// with RD_KAFKA_RESP_ERR__NOT_CONFIGURED.
    void init_transactions(std::chrono::milliseconds timeout) {
        raise_if(live().init_transactions(timeout));
    }
    /// As init_transactions(timeout), reporting a failure through `err` instead of throwing.
    void init_transactions(std::chrono::milliseconds timeout, error_info& err) {
        err = core_ ? core_->init_transactions(timeout) : moved_from();
    }

    /// Starts a transaction (locally: the coordinator hears of it with the first record or
    /// offsets). Sends are accepted only inside one; a send outside fails with
    /// RD_KAFKA_RESP_ERR__STATE and "send outside a transaction: call begin_transaction()
    /// first".
    void begin_transaction() { raise_if(live().begin_transaction()); }
    /// As begin_transaction(), reporting a failure through `err` instead of throwing.
    void begin_transaction(error_info& err) {
        err = core_ ? core_->begin_transaction() : moved_from();
    }

    /// Delivers every record of the transaction (serving delivery callbacks on this thread),
    /// then commits it: its records become visible to read_committed consumers and the offsets
    /// it carries are committed, all or nothing. Waits up to `timeout`; a retriable failure
    /// (e.g. the timeout) may be retried with another commit_transaction().
    void commit_transaction(std::chrono::milliseconds timeout) {
        raise_if(live().commit_transaction(timeout));
    }
    /// As commit_transaction(timeout), reporting a failure through `err` instead of throwing.
    void commit_transaction(std::chrono::milliseconds timeout, error_info& err) {
        err = core_ ? core_->commit_transaction(timeout) : moved_from();
    }

    /// Aborts the transaction: records not yet delivered are purged (their callbacks run with
    /// an error), those written stay invisible to read_committed consumers, and its offsets are
    /// not committed. Waits up to `timeout`; a retriable failure may be retried.
    void abort_transaction(std::chrono::milliseconds timeout) {
        raise_if(live().abort_transaction(timeout));
    }
    /// As abort_transaction(timeout), reporting a failure through `err` instead of throwing.
    void abort_transaction(std::chrono::milliseconds timeout, error_info& err) {
        err = core_ ? core_->abort_transaction(timeout) : moved_from();
    }

    /// Adds a consumer group's offsets (each the next offset to read) to the transaction: they
    /// are committed if and only if the transaction is. `group` comes from the consumer that
    /// read the input (consumer::group_metadata()); that consumer should not commit itself.
    /// Fails with RD_KAFKA_RESP_ERR__INVALID_ARG for an empty `group`.
    void send_offsets_to_transaction(const std::vector<topic_partition_offset>& offsets,
                                     const consumer_group_metadata& group,
                                     std::chrono::milliseconds timeout) {
        raise_if(live().send_offsets_to_transaction(offsets, group.get(), timeout));
    }
    /// As send_offsets_to_transaction(offsets, group, timeout), reporting a failure through
    /// `err` instead of throwing.
    void send_offsets_to_transaction(const std::vector<topic_partition_offset>& offsets,
                                     const consumer_group_metadata& group,
                                     std::chrono::milliseconds timeout, error_info& err) {
        err = core_ ? core_->send_offsets_to_transaction(offsets, group.get(), timeout)
                    : moved_from();
    }

    /// Messages sent whose delivery callback has not run yet.
    [[nodiscard]] std::size_t in_flight() const noexcept { return core_ ? core_->in_flight() : 0; }

    /// False for a moved-from producer.
    [[nodiscard]] bool valid() const noexcept { return core_ != nullptr; }

    /// The client's name as librdkafka reports it (client.id#producer-N).
    [[nodiscard]] std::string name() const { return live().name(); }

    /// The underlying librdkafka handle, for what kflow does not wrap. Do not destroy it.
    [[nodiscard]] rd_kafka_t* native_handle() const noexcept {
        return core_ ? core_->native() : nullptr;
    }

    /// The codec that serializes keys (a copy of the one given to the constructor).
    [[nodiscard]] const KeySerde& key_serde() const noexcept { return key_serde_; }
    /// The codec that serializes values (a copy of the one given to the constructor).
    [[nodiscard]] const ValueSerde& value_serde() const noexcept { return value_serde_; }

  private:
    friend struct detail::client_access;

    /// Serializes and enqueues with the delivery op `make_op()` builds.
    template <class MakeOp>
    [[nodiscard]] detail::send_refusal enqueue(const record_type& record, MakeOp&& make_op) {
        return enqueue(record, key_serde_, value_serde_, std::forward<MakeOp>(make_op));
    }
    /// As enqueue(record, make_op), serializing with the given codecs (those of a raw send).
    template <class Record, class KeyCodec, class ValueCodec, class MakeOp>
    [[nodiscard]] detail::send_refusal enqueue(const Record& record, const KeyCodec& key_codec,
                                               const ValueCodec& value_codec, MakeOp&& make_op) {
        if (!core_)
            return moved_from();
        detail::send_refusal failure;
        payload key = detail::encode_part(key_codec, record.key, "key", record.topic, failure);
        if (failure)
            return failure;
        payload value =
            detail::encode_part(value_codec, record.value, "value", record.topic, failure);
        if (failure)
            return failure;
        std::unique_ptr<detail::delivery_op> op = std::forward<MakeOp>(make_op)();
        const payload& bytes = op->keep(value);
        return core_->produce(
            {record.topic, record.partition, key, bytes, record.headers, record.time},
            std::move(op));
    }

    /// The core, or errc::closed for a moved-from producer (a defined state, not a crash).
    [[nodiscard]] detail::producer_core& live() const {
        if (!core_)
            moved_from().raise({});
        return *core_;
    }
    static error_info moved_from() {
        return {make_error_code(errc::closed), "producer: used after being moved from", {}};
    }
    /// The error a refused send reports through an error_info&; empty when it was taken.
    static error_info or_none(detail::send_refusal&& refused) {
        return refused ? std::move(*refused) : error_info{};
    }
    static void raise_if(const error_info& err) {
        if (err)
            err.raise({});
    }

    template <class F>
    detail::send_refusal try_send(const record_type& record, F&& on_delivery) {
        using handler_type = std::decay_t<F>;
        return enqueue(record, [&] {
            return std::make_unique<detail::callback_delivery<handler_type>>(
                std::forward<F>(on_delivery));
        });
    }

    detail::send_refusal try_send_unobserved(const record_type& record) {
        return enqueue(record, [&] {
            return std::make_unique<detail::unobserved_delivery>(core_->callbacks().on_error);
        });
    }

    detail::send_refusal try_send_raw_unobserved(const raw_producer_record& record) {
        return enqueue(record, raw_serdes_.key, raw_serdes_.value, [&] {
            return std::make_unique<detail::unobserved_delivery>(core_->callbacks().on_error);
        });
    }

    std::unique_ptr<detail::producer_core> core_;
    [[no_unique_address]] detail::raw_serdes raw_serdes_;
    [[no_unique_address]] KeySerde key_serde_;
    [[no_unique_address]] ValueSerde value_serde_;
};

}  // namespace kflow
