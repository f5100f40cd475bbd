#pragma once
// Cluster and topic metadata as the brokers report it: brokers, controller, topics, partitions
// with their leader, replicas and in-sync replicas.

#include <kflow/error.hpp>

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

namespace kflow {

struct broker_metadata {
    std::int32_t id = -1;
    std::string host;
    int port = 0;

    friend bool operator==(const broker_metadata&, const broker_metadata&) = default;
};

struct partition_metadata {
    std::int32_t id = 0;
    std::int32_t leader = -1;  ///< broker id, -1 while the partition has no leader
    std::vector<std::int32_t> replicas;
    std::vector<std::int32_t> in_sync_replicas;
    std::error_code error;  ///< e.g. LEADER_NOT_AVAILABLE; empty when fine

    friend bool operator==(const partition_metadata&, const partition_metadata&) = default;
};

/// One topic of a metadata answer. describe_topics reports a topic the cluster does not have
/// with error UNKNOWN_TOPIC_OR_PART and no partitions.
struct topic_metadata {
    std::string name;
    std::vector<partition_metadata> partitions;
    std::error_code error;
    std::string message;

    [[nodiscard]] bool ok() const noexcept { return !error; }
    [[nodiscard]] std::string item_name() const { return "topic '" + name + "'"; }
    /// The replication factor as seen in the first partition's replica list (0 if none).
    [[nodiscard]] std::size_t replication_factor() const noexcept {
        return partitions.empty() ? 0 : partitions.front().replicas.size();
    }
    friend bool operator==(const topic_metadata&, const topic_metadata&) = default;
};

/// The cluster: its id, its brokers and which of them is the controller.
struct cluster_description {
    std::string cluster_id;  ///< empty when the brokers do not report one (Kafka < 0.10.1)
    std::int32_t controller_id = -1;
    std::vector<broker_metadata> brokers;

    /// The controller's entry in brokers, or nullptr when unknown.
    [[nodiscard]] const broker_metadata* controller() const noexcept {
        for (const auto& b : brokers) {
            if (b.id == controller_id)
                return &b;
        }
        return nullptr;
    }
};

}  // namespace kflow
