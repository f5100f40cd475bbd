#pragma once
// A declarative description of a topic: what create_topics creates and ensure_topics checks.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kflow {

/// A topic as the application wants it. Unset numbers (-1) mean "the broker's default"
/// (num.partitions, default.replication.factor).
struct topic_spec {
    topic_spec() = default;
    /// A spec for `topic_name`; -1 leaves the partition count or replication factor to the
    /// broker. Nothing is checked on construction: check_topic_spec() applies Kafka's rules, and
    /// create_topics and ensure_topics refuse an invalid spec before sending anything.
    explicit topic_spec(std::string topic_name, std::int32_t partition_count = -1,
                        std::int16_t replication = -1,
                        std::map<std::string, std::string> topic_configs = {})
        : name(std::move(topic_name)),
          partitions(partition_count),
          replication_factor(replication),
          configs(std::move(topic_configs)) {}

    std::string name;  ///< the topic's name
    /// The partition count, at least 1; -1 for the broker's num.partitions.
    std::int32_t partitions = -1;
    /// Copies of each partition, at least 1; -1 for the broker's default.replication.factor.
    std::int16_t replication_factor = -1;
    /// Explicit replicas per partition (broker ids, preferred leader first). When set, its size is
    /// the partition count and replication_factor must be left at -1, as Kafka requires.
    std::vector<std::vector<std::int32_t>> replica_assignment;
    /// Topic-level configs, e.g. {"cleanup.policy", "compact"}, {"retention.ms", "86400000"}.
    std::map<std::string, std::string> configs;

    /// Member-wise equality; configs compare as maps (order does not matter).
    friend bool operator==(const topic_spec&, const topic_spec&) = default;
};

}  // namespace kflow
