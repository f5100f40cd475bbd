#pragma once
// What keeps a borrowing record's views valid: the librdkafka message its key, value and topic
// point into, and the client that message came from.

#include <librdkafka/rdkafka.h>

#include <memory>
#include <utility>

namespace kflow {

namespace detail {
struct record_storage_access;
}

/// The storage of a record whose key or value type borrows the record's bytes
/// (borrows_record_bytes, e.g. std::string_view): it holds librdkafka's message, so the record's
/// views stay valid exactly as long as the record (or the storage moved out of it).
///
/// It also keeps the consumer's client alive: librdkafka's last step in destroying a client
/// waits for every message it handed out, so a record that outlives its consumer defers that
/// step (the consumer still closes, leaving its group, when it is destroyed) to the moment the
/// last such record goes. Move-only: a message has one owner.
class record_storage {
  public:
    /// Holds nothing (a record not read from Kafka, or moved from).
    record_storage() noexcept = default;
    /// Takes `other`'s message (and its share of the client); `other` then holds nothing.
    record_storage(record_storage&& other) noexcept
        : client_(std::move(other.client_)), message_(std::exchange(other.message_, nullptr)) {}
    /// Releases the message held so far (before its client), then takes `other`'s.
    record_storage& operator=(record_storage&& other) noexcept {
        if (this != &other) {
            release();
            client_ = std::move(other.client_);
            message_ = std::exchange(other.message_, nullptr);
        }
        return *this;
    }
    record_storage(const record_storage&) = delete;
    record_storage& operator=(const record_storage&) = delete;
    ~record_storage() { release(); }

    /// True while it holds a message (the record's views point into it).
    [[nodiscard]] bool holds_message() const noexcept { return message_ != nullptr; }

  private:
    friend struct detail::record_storage_access;

    /// The message first: its client must outlive it.
    void release() noexcept {
        if (message_ != nullptr)
            rd_kafka_message_destroy(std::exchange(message_, nullptr));
        client_.reset();
    }

    std::shared_ptr<const void> client_;
    rd_kafka_message_t* message_ = nullptr;
};

/// The storage of a record that owns copies of its key and value: nothing.
struct no_record_storage {};

namespace detail {

/// kflow's way to fill a record_storage (its constructor is not public API).
struct record_storage_access {
    /// Gives an empty `storage` (a record just decoded) `message` and a share of `client`.
    template <class Client>
    static void fill(record_storage& storage, rd_kafka_message_t* message,
                     const std::shared_ptr<Client>& client) noexcept {
        storage.message_ = message;
        storage.client_ = client;
    }
};

}  // namespace detail
}  // namespace kflow
