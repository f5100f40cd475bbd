#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kflow {

/// What create_partitions takes: a topic's new total partition count and, optionally, where the
/// new partitions' replicas go. (create_topics takes kflow::topic_spec, in topic_spec.hpp.)
///
/// admin_client::create_partitions sends it as Kafka's CreatePartitions. Existing partitions and
/// their records are not touched, but keys hash to other partitions once the count changes.
///
/// Checked before anything is sent (the call then fails with RD_KAFKA_RESP_ERR__INVALID_ARG): an
/// empty topic name, total_count < 1, an empty replica list, or a topic named twice in one call.
struct partitions_spec {
    partitions_spec() = default;
    /// `partitions_spec("orders", 12)`: grow "orders" to 12 partitions, replicas placed by the
    /// cluster; `new_replicas` sets replica_assignment.
    partitions_spec(std::string topic_name, std::int32_t new_total,
                    std::vector<std::vector<std::int32_t>> new_replicas = {})
        : topic(std::move(topic_name)),
          total_count(new_total),
          replica_assignment(std::move(new_replicas)) {}

    std::string topic;  ///< the existing topic to grow
    /// The partition count after the call (Kafka cannot remove partitions: it must be larger
    /// than the current count).
    std::int32_t total_count = 0;
    /// Replicas (broker ids, preferred leader first) of each NEW partition, in order; empty lets
    /// the cluster choose. When set it must have total_count - current count entries.
    std::vector<std::vector<std::int32_t>> replica_assignment;
};

}  // namespace kflow
