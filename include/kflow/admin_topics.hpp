#pragma once
// What create_partitions takes: a topic's new total partition count and, optionally, where the
// new partitions' replicas go. (create_topics takes kflow::topic_spec, in topic_spec.hpp.)

#include <cstdint>
#include <string>
#include <vector>

namespace kflow {

struct partitions_spec {
    partitions_spec() = default;
    partitions_spec(std::string topic_name, std::int32_t new_total,
                    std::vector<std::vector<std::int32_t>> new_replicas = {})
        : topic(std::move(topic_name)),
          total_count(new_total),
          replica_assignment(std::move(new_replicas)) {}

    std::string topic;
    /// The partition count after the call (Kafka cannot remove partitions: it must be larger
    /// than the current count).
    std::int32_t total_count = 0;
    /// Replicas (broker ids, preferred leader first) of each NEW partition, in order; empty lets
    /// the cluster choose. When set it must have total_count - current count entries.
    std::vector<std::vector<std::int32_t>> replica_assignment;
};

}  // namespace kflow
