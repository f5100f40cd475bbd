#pragma once
// Consumer groups as the admin client reports them: listings, descriptions with members and
// assignments, committed offsets and lag.

#include <kflow/metadata.hpp>
#include <kflow/topic_partition.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace kflow {

/// A consumer group's state. The values are librdkafka's.
enum class group_state : int {
    unknown = 0,
    preparing_rebalance = 1,
    completing_rebalance = 2,
    stable = 3,
    dead = 4,
    empty = 5,
};

[[nodiscard]] constexpr std::string_view to_string(group_state s) noexcept {
    switch (s) {
        case group_state::unknown:
            return "Unknown";
        case group_state::preparing_rebalance:
            return "PreparingRebalance";
        case group_state::completing_rebalance:
            return "CompletingRebalance";
        case group_state::stable:
            return "Stable";
        case group_state::dead:
            return "Dead";
        case group_state::empty:
            return "Empty";
    }
    return "Unknown";
}

struct group_listing {
    std::string group_id;
    bool simple = false;  ///< a group without members that only stores offsets
    group_state state = group_state::unknown;
};

/// list_consumer_groups' answer: the groups of every broker that answered, and an error for
/// each broker that did not (so a partial listing is never mistaken for a complete one).
struct group_listings {
    std::vector<group_listing> groups;
    std::vector<error_info> errors;

    [[nodiscard]] bool complete() const noexcept { return errors.empty(); }
    [[nodiscard]] const group_listing* find(std::string_view group_id) const noexcept {
        for (const auto& g : groups) {
            if (g.group_id == group_id)
                return &g;
        }
        return nullptr;
    }
};

struct group_member {
    std::string consumer_id;  ///< the member id the coordinator assigned
    std::string client_id;
    std::string host;
    std::optional<std::string> group_instance_id;  ///< static membership (KIP-345)
    std::vector<topic_partition> assignment;
};

struct group_description {
    std::string group_id;
    std::error_code error;
    std::string message;
    bool simple = false;
    std::string partition_assignor;  ///< e.g. "range", "cooperative-sticky"
    group_state state = group_state::unknown;
    broker_metadata coordinator;
    std::vector<group_member> members;

    [[nodiscard]] bool ok() const noexcept { return !error; }
    [[nodiscard]] std::string item_name() const { return "group '" + group_id + "'"; }
};

/// A group's committed offsets (list, alter and delete group offsets). Each partition has its
/// own error (topic_partition_offset::error, an rd_kafka_resp_err_t value): a partition whose
/// change the broker refused is reported there, not as success. A partition with no committed
/// offset has offset == offsets::invalid.
struct group_offsets {
    std::string group_id;
    std::error_code error;  ///< the group as a whole (e.g. GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP)
    std::string message;
    std::vector<topic_partition_offset> partitions;

    [[nodiscard]] bool ok() const noexcept {
        if (error)
            return false;
        for (const auto& p : partitions) {
            if (p.error != 0)
                return false;
        }
        return true;
    }
    [[nodiscard]] std::string item_name() const { return "group '" + group_id + "'"; }
};

/// How far a group is behind on one partition.
struct partition_lag {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t committed = offsets::invalid;  ///< offsets::invalid when the group has none
    std::int64_t low_watermark = offsets::invalid;
    std::int64_t high_watermark = offsets::invalid;
    /// high_watermark - committed; nullopt when the group has no committed offset (where it
    /// would start depends on its auto.offset.reset) or the watermarks could not be read.
    std::optional<std::int64_t> lag;
    std::error_code error;
    std::string message;

    [[nodiscard]] std::string item_name() const { return partition_label(topic, partition); }
};

/// consumer_group_lag's answer: one entry per partition, and the sum of what is known.
struct group_lag {
    std::string group_id;
    std::vector<partition_lag> partitions;

    [[nodiscard]] std::int64_t total() const noexcept {
        std::int64_t sum = 0;
        for (const auto& p : partitions)
            sum += p.lag.value_or(0);
        return sum;
    }
};

}  // namespace kflow
