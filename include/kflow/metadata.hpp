#pragma once
// Cluster and topic metadata as the brokers report it: brokers, controller, topics, partitions
// with their leader, replicas and in-sync replicas.

#include <kflow/error.hpp>

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

namespace kflow {

/// A broker as the cluster metadata lists it: its node id and the address it advertises.
struct broker_metadata {
    std::int32_t id = -1;  ///< the broker's node.id, as used in leader and replica lists
    std::string host;      ///< the advertised host name clients connect to
    int port = 0;          ///< the advertised port

    /// Equal when id, host and port all are.
    friend bool operator==(const broker_metadata&, const broker_metadata&) = default;
};

/// One partition of a topic: its leader and where its replicas are.
struct partition_metadata {
    std::int32_t id = 0;       ///< the partition number, from 0
    std::int32_t leader = -1;  ///< broker id, -1 while the partition has no leader
    /// Broker ids of every replica, in assignment order: the first is the preferred leader.
    std::vector<std::int32_t> replicas;
    /// Broker ids of the replicas caught up with the leader (the ISR); fewer than `replicas`
    /// means the partition is under-replicated.
    std::vector<std::int32_t> in_sync_replicas;
    std::error_code error;  ///< e.g. LEADER_NOT_AVAILABLE; empty when fine

    /// Equal when every field is.
    friend bool operator==(const partition_metadata&, const partition_metadata&) = default;
};

/// One topic of a metadata answer. describe_topics reports a topic the cluster does not have
/// with error UNKNOWN_TOPIC_OR_PART and no partitions.
struct topic_metadata {
    std::string name;                            ///< the topic's name
    std::vector<partition_metadata> partitions;  ///< sorted by partition id
    /// The broker's error for this topic (kafka_category()), e.g. UNKNOWN_TOPIC_OR_PART or
    /// TOPIC_AUTHORIZATION_FAILED; empty when the topic was described.
    std::error_code error;
    std::string message;  ///< an explanation when `error` is set, else empty

    /// True when the topic was described without error.
    [[nodiscard]] bool ok() const noexcept { return !error; }
    /// The topic as failure reports name it, e.g. `topic 'orders'` (see describe_failures()).
    [[nodiscard]] std::string item_name() const { return "topic '" + name + "'"; }
    /// The replication factor as seen in the first partition's replica list (0 if none).
    [[nodiscard]] std::size_t replication_factor() const noexcept {
        return partitions.empty() ? 0 : partitions.front().replicas.size();
    }
    /// Equal when every field is, partitions included.
    friend bool operator==(const topic_metadata&, const topic_metadata&) = default;
};

/// The cluster: its id, its brokers and which of them is the controller.
struct cluster_description {
    std::string cluster_id;  ///< empty when the brokers do not report one (Kafka < 0.10.1)
    /// The broker id of the controller (the broker managing partition leadership and topic
    /// changes); -1 when unknown.
    std::int32_t controller_id = -1;
    /// Every broker the metadata lists, sorted by id.
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
