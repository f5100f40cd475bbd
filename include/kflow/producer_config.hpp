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

class producer_config : public basic_config<producer_config> {
  public:
    producer_config() { apply_safe_defaults(); }
    /// Starts from shared client properties (a preset, from_env(), a security builder).
    explicit producer_config(const client_config& base) : basic_config(base) {
        apply_safe_defaults();
    }

    /// "all" (default, required by idempotence), "1" or "0".
    producer_config& acks(std::string_view acks) { return set("acks", acks); }
    producer_config& enable_idempotence(bool on) { return set_bool("enable.idempotence", on); }
    producer_config& linger(std::chrono::milliseconds t) { return set_ms("linger.ms", t); }
    producer_config& batch_size(std::size_t bytes) {
        return set("batch.size", std::to_string(bytes));
    }
    producer_config& batch_num_messages(std::size_t n) {
        return set("batch.num.messages", std::to_string(n));
    }
    /// "none", "gzip", "snappy", "lz4" or "zstd".
    producer_config& compression(std::string_view codec) { return set("compression.type", codec); }
    /// How long librdkafka keeps trying to deliver a message before reporting it failed.
    producer_config& delivery_timeout(std::chrono::milliseconds t) {
        return set_ms("message.timeout.ms", t);
    }
    producer_config& max_in_flight(int n) {
        return set("max.in.flight.requests.per.connection", std::to_string(n));
    }
    producer_config& queue_buffering_max_messages(std::size_t n) {
        return set("queue.buffering.max.messages", std::to_string(n));
    }
    producer_config& queue_buffering_max_kbytes(std::size_t n) {
        return set("queue.buffering.max.kbytes", std::to_string(n));
    }
    /// A built-in partitioner by name: "murmur2_random" (Java-compatible), "consistent_random"
    /// (librdkafka's default), "random", "fnv1a_random", ...
    producer_config& partitioner(std::string_view name) { return set("partitioner", name); }
    producer_config& transactional_id(std::string_view id) { return set("transactional.id", id); }

    /// A partitioner of the application's own (see partitioner_function).
    producer_config& partitioner(partitioner_function f) {
        custom_partitioner_ = std::move(f);
        return *this;
    }

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

    [[nodiscard]] queue_full_policy queue_full() const noexcept { return queue_full_; }
    [[nodiscard]] std::chrono::milliseconds queue_full_timeout() const noexcept {
        return queue_full_timeout_;
    }
    [[nodiscard]] std::chrono::milliseconds close_timeout() const noexcept {
        return close_timeout_;
    }
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
    partitioner_function custom_partitioner_;
};

}  // namespace kflow
