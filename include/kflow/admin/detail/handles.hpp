#pragma once
// One owner per librdkafka admin object, and an array of them to hand to an admin call.

#include <kflow/detail/handles.hpp>

#include <memory>
#include <vector>

namespace kflow::detail {

using admin_options_handle =
    std::unique_ptr<rd_kafka_AdminOptions_t, destroy_with<rd_kafka_AdminOptions_destroy>>;
using new_topic_handle =
    std::unique_ptr<rd_kafka_NewTopic_t, destroy_with<rd_kafka_NewTopic_destroy>>;
using delete_topic_handle =
    std::unique_ptr<rd_kafka_DeleteTopic_t, destroy_with<rd_kafka_DeleteTopic_destroy>>;
using new_partitions_handle =
    std::unique_ptr<rd_kafka_NewPartitions_t, destroy_with<rd_kafka_NewPartitions_destroy>>;
using config_resource_handle =
    std::unique_ptr<rd_kafka_ConfigResource_t, destroy_with<rd_kafka_ConfigResource_destroy>>;
using delete_records_handle =
    std::unique_ptr<rd_kafka_DeleteRecords_t, destroy_with<rd_kafka_DeleteRecords_destroy>>;
using delete_group_handle =
    std::unique_ptr<rd_kafka_DeleteGroup_t, destroy_with<rd_kafka_DeleteGroup_destroy>>;
using list_group_offsets_handle =
    std::unique_ptr<rd_kafka_ListConsumerGroupOffsets_t,
                    destroy_with<rd_kafka_ListConsumerGroupOffsets_destroy>>;
using alter_group_offsets_handle =
    std::unique_ptr<rd_kafka_AlterConsumerGroupOffsets_t,
                    destroy_with<rd_kafka_AlterConsumerGroupOffsets_destroy>>;
using delete_group_offsets_handle =
    std::unique_ptr<rd_kafka_DeleteConsumerGroupOffsets_t,
                    destroy_with<rd_kafka_DeleteConsumerGroupOffsets_destroy>>;
using acl_binding_handle =
    std::unique_ptr<rd_kafka_AclBinding_t, destroy_with<rd_kafka_AclBinding_destroy>>;

/// Owned admin objects plus the raw pointer array librdkafka's batch calls take. librdkafka
/// copies what it needs, so the array may go as soon as the call has returned.
template <class Handle>
class handle_array {
  public:
    using element_type = typename Handle::element_type;

    void push_back(Handle h) {
        raw_.push_back(h.get());
        owned_.push_back(std::move(h));
    }
    [[nodiscard]] element_type** data() noexcept { return raw_.data(); }
    [[nodiscard]] std::size_t size() const noexcept { return raw_.size(); }
    [[nodiscard]] bool empty() const noexcept { return raw_.empty(); }
    [[nodiscard]] element_type* operator[](std::size_t i) const noexcept { return raw_[i]; }

  private:
    std::vector<Handle> owned_;
    std::vector<element_type*> raw_;
};

}  // namespace kflow::detail
