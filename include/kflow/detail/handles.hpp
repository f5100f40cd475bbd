#pragma once
// One owner per librdkafka handle: a deleter and a unique_ptr alias for each C type kflow holds.

#include <librdkafka/rdkafka.h>

#include <memory>

namespace kflow::detail {

template <auto Destroy>
struct destroy_with {
    template <class T>
    void operator()(T* p) const noexcept {
        if (p != nullptr)
            Destroy(p);
    }
};

using kafka_handle = std::unique_ptr<rd_kafka_t, destroy_with<rd_kafka_destroy>>;
using conf_handle = std::unique_ptr<rd_kafka_conf_t, destroy_with<rd_kafka_conf_destroy>>;
using topic_conf_handle =
    std::unique_ptr<rd_kafka_topic_conf_t, destroy_with<rd_kafka_topic_conf_destroy>>;
using queue_handle = std::unique_ptr<rd_kafka_queue_t, destroy_with<rd_kafka_queue_destroy>>;
using event_handle = std::unique_ptr<rd_kafka_event_t, destroy_with<rd_kafka_event_destroy>>;
using message_handle = std::unique_ptr<rd_kafka_message_t, destroy_with<rd_kafka_message_destroy>>;
using partition_list_handle = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                              destroy_with<rd_kafka_topic_partition_list_destroy>>;
using headers_handle = std::unique_ptr<rd_kafka_headers_t, destroy_with<rd_kafka_headers_destroy>>;
using error_handle = std::unique_ptr<rd_kafka_error_t, destroy_with<rd_kafka_error_destroy>>;
using metadata_handle =
    std::unique_ptr<const rd_kafka_metadata_t, destroy_with<rd_kafka_metadata_destroy>>;
using topic_handle = std::unique_ptr<rd_kafka_topic_t, destroy_with<rd_kafka_topic_destroy>>;

}  // namespace kflow::detail
