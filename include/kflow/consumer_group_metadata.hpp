#pragma once
// consumer_group_metadata: a consumer's group identity (group id, generation, member id), which
// a transactional producer hands to the group coordinator with send_offsets_to_transaction() so
// that the offsets commit atomically with the transaction and a zombie member is fenced.

#include <kflow/error.hpp>

#include <librdkafka/rdkafka.h>

#include <cstddef>
#include <memory>

namespace kflow {

/// A consumer's group metadata at the moment it was taken (consumer::group_metadata()).
///
/// A value: copies are independent (copying serializes and reads back librdkafka's object, so
/// it may allocate), and a moved-from value is empty. Take it again after a rebalance: the
/// broker refuses offsets sent with an older generation.
class consumer_group_metadata {
  public:
    /// An empty value: valid() is false and send_offsets_to_transaction() refuses it.
    consumer_group_metadata() noexcept = default;

    /// Takes ownership of `native` (may be null, giving an empty value).
    explicit consumer_group_metadata(rd_kafka_consumer_group_metadata_t* native) noexcept
        : native_(native) {}

    /// An independent copy of `other`'s metadata.
    consumer_group_metadata(const consumer_group_metadata& other) : native_(copy(other.get())) {}
    /// Replaces this metadata with an independent copy of `other`'s.
    consumer_group_metadata& operator=(const consumer_group_metadata& other) {
        if (this != &other)
            native_.reset(copy(other.get()));
        return *this;
    }
    /// Takes `other`'s metadata, leaving `other` empty.
    consumer_group_metadata(consumer_group_metadata&&) noexcept = default;
    /// Takes `other`'s metadata, leaving `other` empty.
    consumer_group_metadata& operator=(consumer_group_metadata&&) noexcept = default;
    ~consumer_group_metadata() = default;

    /// False for an empty value (default-constructed or moved from).
    [[nodiscard]] bool valid() const noexcept { return native_ != nullptr; }

    /// The librdkafka object, still owned by this value; null when empty.
    [[nodiscard]] const rd_kafka_consumer_group_metadata_t* get() const noexcept {
        return native_.get();
    }

  private:
    struct destroy {
        void operator()(rd_kafka_consumer_group_metadata_t* p) const noexcept {
            if (p != nullptr)
                rd_kafka_consumer_group_metadata_destroy(p);
        }
    };

    struct free_buffer {
        void operator()(void* p) const noexcept { rd_kafka_mem_free(nullptr, p); }
    };

    // librdkafka offers no copy: a round trip through its serialized form is the supported way.
    static rd_kafka_consumer_group_metadata_t* copy(
        const rd_kafka_consumer_group_metadata_t* from) {
        if (from == nullptr)
            return nullptr;
        void* buffer = nullptr;
        std::size_t size = 0;
        error_info err =
            error_info::adopt(rd_kafka_consumer_group_metadata_write(from, &buffer, &size));
        if (err)
            err.raise("copy consumer group metadata");
        const std::unique_ptr<void, free_buffer> owned(buffer);
        rd_kafka_consumer_group_metadata_t* out = nullptr;
        err = error_info::adopt(rd_kafka_consumer_group_metadata_read(&out, buffer, size));
        if (err)
            err.raise("copy consumer group metadata");
        return out;
    }

    std::unique_ptr<rd_kafka_consumer_group_metadata_t, destroy> native_;
};

}  // namespace kflow
