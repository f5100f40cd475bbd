#pragma once
// Dead letters: a record that cannot be processed (its key or value does not deserialize, or the
// application's handler rejects it) is parked on a dead-letter topic with its bytes exactly as
// read, its headers, and where it came from and why in headers of its own; then it counts as
// handled, so its partition moves on. Sent through a transactional producer inside a
// transaction, the dead letter and the input offsets past it are committed together or not at
// all (docs/dead-letters.md).

#include <kflow/deserialization_error.hpp>
#include <kflow/raw_producer_record.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/async_result.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace kflow {

/// The headers a dead letter carries after the source record's own.
namespace dead_letter_header {
inline constexpr std::string_view topic = "kflow.dlq.topic";          ///< the source topic
inline constexpr std::string_view partition = "kflow.dlq.partition";  ///< its partition, decimal
inline constexpr std::string_view offset = "kflow.dlq.offset";        ///< its offset, decimal
/// The source record's timestamp in milliseconds since the epoch; absent when it had none.
inline constexpr std::string_view timestamp = "kflow.dlq.timestamp";
/// What failed: "key" or "value" (deserialization) or "handler" (the application rejected it).
inline constexpr std::string_view stage = "kflow.dlq.stage";
/// The error code as `category:value` (e.g. `kflow:2`); absent when the cause has none.
inline constexpr std::string_view error_code = "kflow.dlq.error.code";
/// The reason, in words.
inline constexpr std::string_view error = "kflow.dlq.error";
}  // namespace dead_letter_header

/// Why a record became a dead letter.
struct dead_letter_cause {
    std::string stage;     ///< "key", "value" or "handler" (dead_letter_header::stage)
    std::error_code code;  ///< the error, if there is one
    std::string reason;    ///< what went wrong, in words

    /// The cause of a deserialization failure: its part, code and description.
    [[nodiscard]] static dead_letter_cause of(const deserialization_failure& failure) {
        return {failure.part == record_part::key ? "key" : "value", failure.code,
                failure.describe()};
    }
    /// A record the application's handler rejected, for `reason` (and `code`, if any).
    [[nodiscard]] static dead_letter_cause rejected(std::string reason, std::error_code code = {}) {
        return {"handler", code, std::move(reason)};
    }
};

/// The dead letter of `source` for `topic`: the source's key, value and headers unchanged, then
/// the dead_letter_header ones describing the source and `cause`. Its key is the source's, so
/// a key's dead letters stay in order on one partition.
[[nodiscard]] inline raw_producer_record make_dead_letter(std::string topic,
                                                          const raw_record& source,
                                                          const dead_letter_cause& cause) {
    kflow::headers h = source.headers;
    h.add(std::string(dead_letter_header::topic), source.topic);
    h.add(std::string(dead_letter_header::partition), std::to_string(source.partition));
    h.add(std::string(dead_letter_header::offset), std::to_string(source.offset));
    if (source.time)
        h.add(std::string(dead_letter_header::timestamp),
              std::to_string(source.time->time_since_epoch().count()));
    h.add(std::string(dead_letter_header::stage), cause.stage);
    if (cause.code)
        h.add(std::string(dead_letter_header::error_code),
              std::string(cause.code.category().name()) + ":" + std::to_string(cause.code.value()));
    h.add(std::string(dead_letter_header::error), cause.reason);
    return {std::move(topic), source.key, source.value, std::move(h)};
}

/// The bytes of a record the application already deserialized, serialized again with
/// `key_serde` and `value_serde` (the codecs it was read with, by default kflow::serde): for the
/// dead letter of a record a handler rejected. They equal the bytes read whenever the codec is
/// deterministic (strings, bytes, integers; JSON may differ in spacing and key order).
template <class K, class V, class KeySerde = serde<K>, class ValueSerde = serde<V>>
[[nodiscard]] raw_record to_raw_record(const consumer_record<K, V>& record,
                                       const KeySerde& key_serde = {},
                                       const ValueSerde& value_serde = {}) {
    const auto as_bytes = [](const payload& p) -> std::optional<bytes> {
        if (p.is_null())
            return std::nullopt;
        const auto b = p.bytes();
        return bytes(b.begin(), b.end());
    };
    raw_record raw;
    raw.topic = record.topic;
    raw.partition = record.partition;
    raw.offset = record.offset;
    raw.key = as_bytes(payload(key_serde.serialize(record.key)));
    raw.value = as_bytes(payload(value_serde.serialize(record.value)));
    raw.headers = record.headers;
    raw.time = record.time;
    raw.time_type = record.time_type;
    return raw;
}

/// A producer that sends raw records synchronously: kflow::producer<K, V>.
template <class P>
concept raw_record_producer = requires(P& p, const raw_producer_record& r,
                                       std::chrono::milliseconds t) {
    p.send_raw(r, [](std::error_code, const record_metadata&) {});
    p.poll(t);
};

/// Parks records that cannot be processed on a dead-letter topic, through `Producer`: a
/// kflow::producer<K, V> (send(), which waits for the write) or a kflow::async_producer<K, V>
/// (async_send()). The producer's own key and value types do not matter: dead letters are sent
/// as raw bytes. Use the producer that writes the pipeline's output, and inside a transaction
/// the dead letter commits or aborts with it.
///
/// \code
/// kflow::dead_letter_queue dlq(producer, "orders.dlq");
/// try {
///     auto record = consumer.poll(100ms);
/// } catch (const kflow::deserialization_error& e) {
///     dlq.route(e.failure(), consumer);  // parked, then marked handled
/// }
/// \endcode
template <class Producer>
class dead_letter_queue {
  public:
    /// Sends dead letters through `producer` (which must outlive this object) to `topic`.
    dead_letter_queue(Producer& producer, std::string topic)
        : producer_(&producer), topic_(std::move(topic)) {}

    /// The dead-letter topic.
    [[nodiscard]] const std::string& topic() const noexcept { return topic_; }

    /// Sends the dead letter of `source` for `cause` and waits up to `timeout` for its delivery
    /// (serving the producer's delivery reports on this thread, as poll() does). Returns where
    /// it was stored. Throws kafka_error when it cannot be sent or delivered, or errc::timed_out
    /// (the record may still be delivered later): then do not treat the source as handled.
    /// Inside a transaction it is delivered but becomes visible only with the commit.
    record_metadata send(const raw_record& source, const dead_letter_cause& cause,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30)) requires
        raw_record_producer<Producer> {
        struct outcome {
            // Written by the delivery callback on whichever thread serves the report (another
            // thread may poll the producer too); published by the release store of `done`.
            std::atomic<bool> done{false};
            std::error_code code;
            record_metadata metadata;
        };
        // Shared: on a timeout the report still comes later, after this frame is gone.
        auto result = std::make_shared<outcome>();
        producer_->send_raw(make_dead_letter(topic_, source, cause),
                            [result](std::error_code ec, const record_metadata& md) {
                                result->code = ec;
                                result->metadata = md;
                                result->done.store(true, std::memory_order_release);
                            });
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!result->done.load(std::memory_order_acquire)) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                throw kafka_error(make_error_code(errc::timed_out),
                                  "dead letter to '" + topic_ + "' not delivered within " +
                                      std::to_string(timeout.count()) + " ms");
            }
            producer_->poll(std::min(left, std::chrono::milliseconds(100)));
        }
        if (result->code) {
            throw kafka_error(result->code, "dead letter to '" + topic_ +
                                                "' not delivered: " + result->code.message());
        }
        return result->metadata;
    }
    /// send(failure.record, dead_letter_cause::of(failure), timeout).
    record_metadata send(const deserialization_failure& failure,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30)) requires
        raw_record_producer<Producer> {
        return send(failure.record, dead_letter_cause::of(failure), timeout);
    }

    /// Parks `failure`'s record (send(failure, timeout)), then marks it handled on `consumer`
    /// (the one that read it), so its partition's commit position moves past it. If the send
    /// throws, the record is not marked: its partition stays held at it.
    template <class Consumer>
    record_metadata route(const deserialization_failure& failure, Consumer& consumer,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30)) requires
        raw_record_producer<Producer> {
        record_metadata md = send(failure, timeout);
        consumer.mark_handled(failure);
        return md;
    }

    /// Sends the dead letter of `source` for `cause` through an async_producer; completes with
    /// `(error_code, record_metadata)` once it was delivered (as async_send_raw()). Mark the
    /// source handled only after a successful completion.
    template <class Token = kflow::use_awaitable_t>
    auto async_send(const raw_record& source, const dead_letter_cause& cause,
                    Token&& token = kflow::use_awaitable_t{}) {
        return producer_->async_send_raw(make_dead_letter(topic_, source, cause),
                                         std::forward<Token>(token));
    }
    /// async_send(failure.record, dead_letter_cause::of(failure), token).
    template <class Token = kflow::use_awaitable_t>
    auto async_send(const deserialization_failure& failure,
                    Token&& token = kflow::use_awaitable_t{}) {
        return async_send(failure.record, dead_letter_cause::of(failure),
                          std::forward<Token>(token));
    }

  private:
    Producer* producer_;
    std::string topic_;
};

}  // namespace kflow
