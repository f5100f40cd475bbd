#pragma once
// Producer configuration. Safe by default: idempotence on (acks=all, no duplicates from
// retries, order kept per partition).

#include <kflow/config.hpp>

#include <cstdint>
#include <functional>
#include <span>

namespace kflow {

/// What send() does when librdkafka's local queue is full (queue.buffering.max.messages/kbytes).
enum class queue_full_policy {
    wait,  ///< serve delivery reports until there is room or queue_full_timeout passes (default)
    fail,  ///< fail at once with errc::queue_full
};

/// A custom partitioner: (topic, key bytes, partition count) -> partition in [0, count).
/// It may run on a librdkafka thread and must be thread-safe; if it throws, librdkafka's
/// consistent-random partitioner picks instead and the exception is rethrown by the next poll.
using partitioner_function = std::function<std::int32_t(
    std::string_view topic, std::span<const std::byte> key, std::int32_t partition_count)>;

/// Builds the configuration of a producer or async_producer: librdkafka producer properties
/// through typed setters (any other through set()), plus what kflow applies itself (queue-full
/// policy, close timeout, custom partitioner). Each setter hands its property to librdkafka at
/// once and throws kafka_error with errc::invalid_config for a value librdkafka rejects;
/// conflicting combinations (e.g. idempotence with acks=1) fail when the producer is created.
class producer_config : public basic_config<producer_config> {
  public:
    /// enable.idempotence=true and acks=all, and librdkafka's defaults for everything else.
    producer_config() { apply_safe_defaults(); }
    /// Starts from shared client properties (a preset, from_env(), a security builder).
    /// enable.idempotence and acks become true and "all" unless `base` sets them.
    explicit producer_config(const client_config& base) : basic_config(base) {
        apply_safe_defaults();
    }

    /// "all" (default, required by idempotence), "1" or "0".
    producer_config& acks(std::string_view acks) { return set("acks", acks); }
    /// enable.idempotence (on by default): the broker drops duplicates a retry would write and
    /// order is kept per partition; it requires acks=all and max_in_flight() of at most 5.
    /// Turned off, retries may duplicate or reorder records.
    producer_config& enable_idempotence(bool on) { return set_bool("enable.idempotence", on); }
    /// linger.ms: how long librdkafka waits for more records to fill a batch before sending
    /// it; longer gives bigger batches and fewer requests at the cost of latency (librdkafka's
    /// default is 5 ms).
    producer_config& linger(std::chrono::milliseconds t) { return set_ms("linger.ms", t); }
    /// batch.size: the most bytes of records in one batch for one partition (librdkafka's
    /// default is 1000000).
    producer_config& batch_size(std::size_t bytes) {
        return set("batch.size", std::to_string(bytes));
    }
    /// batch.num.messages: the most records in one batch (librdkafka's default is 10000).
    producer_config& batch_num_messages(std::size_t n) {
        return set("batch.num.messages", std::to_string(n));
    }
    /// "none", "gzip", "snappy", "lz4" or "zstd".
    producer_config& compression(std::string_view codec) { return set("compression.type", codec); }
    /// How long librdkafka keeps trying to deliver a message before reporting it failed.
    producer_config& delivery_timeout(std::chrono::milliseconds t) {
        return set_ms("message.timeout.ms", t);
    }
    /// max.in.flight.requests.per.connection: produce requests a broker connection may have
    /// unanswered at once. With idempotence on it must be at most 5; without it, more than 1
    /// lets a retry reorder records.
    producer_config& max_in_flight(int n) {
        return set("max.in.flight.requests.per.connection", std::to_string(n));
    }
    /// queue.buffering.max.messages: how many records librdkafka buffers locally (not yet
    /// acknowledged) before a send meets a full queue (see on_queue_full()).
    producer_config& queue_buffering_max_messages(std::size_t n) {
        return set("queue.buffering.max.messages", std::to_string(n));
    }
    /// queue.buffering.max.kbytes: the same limit in KiB of buffered record data; whichever
    /// of the two is reached first makes the queue full.
    producer_config& queue_buffering_max_kbytes(std::size_t n) {
        return set("queue.buffering.max.kbytes", std::to_string(n));
    }
    /// A built-in partitioner by name: "murmur2_random" (Java-compatible), "consistent_random"
    /// (librdkafka's default), "random", "fnv1a_random", ...
    producer_config& partitioner(std::string_view name) { return set("partitioner", name); }
    /// transactional.id: makes this a transactional producer (docs/transactions.md). The id
    /// identifies it across restarts, and registering it fences an older instance with the
    /// same id. producer's constructor then registers it (init_transactions, bounded by
    /// init_transactions_timeout()) and records are accepted only between begin_transaction()
    /// and commit_transaction() or abort_transaction().
    producer_config& transactional_id(std::string_view id) { return set("transactional.id", id); }
    /// How long producer's constructor waits for init_transactions() when a transactional_id()
    /// is set (30 s by default); it throws the kafka_error if that fails. Zero leaves the call
    /// to the application (producer::init_transactions()), for one that wants to retry it.
    producer_config& init_transactions_timeout(std::chrono::milliseconds t) {
        init_transactions_timeout_ = t;
        return *this;
    }

    /// A partitioner of the application's own (see partitioner_function).
    producer_config& partitioner(partitioner_function f) {
        custom_partitioner_ = std::move(f);
        return *this;
    }

    /// What a send does when librdkafka's queue is full: under queue_full_policy::wait,
    /// producer::send() serves delivery reports until the record fits and fails with
    /// errc::queue_full after `max_wait`; under queue_full_policy::fail it fails at once.
    /// async_producer never blocks: under wait its sends wait in kflow, in order, until there is
    /// room (`max_wait` does not apply; cancel them to give up).
    producer_config& on_queue_full(queue_full_policy policy,
                                   std::chrono::milliseconds max_wait = std::chrono::seconds(30)) {
        queue_full_ = policy;
        queue_full_timeout_ = max_wait;
        return *this;
    }
    /// How long the destructor (or close() without arguments) waits for outstanding deliveries
    /// before purging them; purged messages get their delivery callback with an error.
    producer_config& close_timeout(std::chrono::milliseconds t) {
        close_timeout_ = t;
        return *this;
    }

    /// The policy set by on_queue_full(); queue_full_policy::wait by default.
    [[nodiscard]] queue_full_policy queue_full() const noexcept { return queue_full_; }
    /// The longest producer::send() waits for room under queue_full_policy::wait (30 s by
    /// default).
    [[nodiscard]] std::chrono::milliseconds queue_full_timeout() const noexcept {
        return queue_full_timeout_;
    }
    /// The bound set by close_timeout(std::chrono::milliseconds); 10 s by default.
    [[nodiscard]] std::chrono::milliseconds close_timeout() const noexcept {
        return close_timeout_;
    }
    /// The bound set by init_transactions_timeout(std::chrono::milliseconds); 30 s by default,
    /// zero when the application calls init_transactions() itself.
    [[nodiscard]] std::chrono::milliseconds init_transactions_timeout() const noexcept {
        return init_transactions_timeout_;
    }
    /// The partitioner set by partitioner(partitioner_function); empty when librdkafka's
    /// built-in partitioner (the `partitioner` property) chooses.
    [[nodiscard]] const partitioner_function& custom_partitioner() const noexcept {
        return custom_partitioner_;
    }

  private:
    void apply_safe_defaults() {
        if (!contains("enable.idempotence"))
            set("enable.idempotence", "true");
        if (!contains("acks"))
            set("acks", "all");
    }

    queue_full_policy queue_full_ = queue_full_policy::wait;
    std::chrono::milliseconds queue_full_timeout_ = std::chrono::seconds(30);
    std::chrono::milliseconds close_timeout_ = std::chrono::seconds(10);
    std::chrono::milliseconds init_transactions_timeout_ = std::chrono::seconds(30);
    partitioner_function custom_partitioner_;
};

}  // namespace kflow
