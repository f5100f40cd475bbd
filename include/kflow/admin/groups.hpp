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
    unknown = 0,               ///< not reported, or a state librdkafka does not know
    preparing_rebalance = 1,   ///< a rebalance started: members are rejoining
    completing_rebalance = 2,  ///< members rejoined; waiting for the leader's assignment
    stable = 3,                ///< members consume their assigned partitions
    dead = 4,                  ///< the group has no members and no metadata left (being removed)
    empty = 5,                 ///< no active members; committed offsets may remain
};

/// Kafka's name of the state: "PreparingRebalance", "Stable", ...; "Unknown" for a value kflow
/// does not know.
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

/// One consumer group of list_consumer_groups.
struct group_listing {
    /// The group's id (its `group.id`).
    std::string group_id;
    bool simple = false;  ///< a group without members that only stores offsets
    /// The state the coordinator reported.
    group_state state = group_state::unknown;
};

/// list_consumer_groups' answer: the groups of every broker that answered, and an error for
/// each broker that did not (so a partial listing is never mistaken for a complete one).
struct group_listings {
    std::vector<group_listing> groups;  ///< every group reported, sorted by group id
    /// One per broker that failed to answer (its code, and a message starting with
    /// "list_consumer_groups: "); empty when every broker answered.
    std::vector<error_info> errors;

    /// True when every broker answered, so `groups` is the whole cluster's.
    [[nodiscard]] bool complete() const noexcept { return errors.empty(); }
    /// The listing of `group_id`, or nullptr when no broker that answered reported it (check
    /// complete() before taking that as "the group does not exist").
    [[nodiscard]] const group_listing* find(std::string_view group_id) const noexcept {
        for (const auto& g : groups) {
            if (g.group_id == group_id)
                return &g;
        }
        return nullptr;
    }
};

/// One member of a described consumer group.
struct group_member {
    std::string consumer_id;  ///< the member id the coordinator assigned
    std::string client_id;    ///< the member's `client.id`
    std::string host;         ///< the host the member connected from, as the broker saw it
    std::optional<std::string> group_instance_id;  ///< static membership (KIP-345)
    std::vector<topic_partition> assignment;       ///< the partitions assigned to the member
};

/// describe_consumer_groups' answer for one group.
struct group_description {
    std::string group_id;   ///< the group described
    std::error_code error;  ///< kafka_category(); empty when the group was described
    std::string message;    ///< the broker's (or librdkafka's) explanation when `error` is set
    /// A group without members that only stores offsets.
    bool simple = false;
    std::string partition_assignor;  ///< e.g. "range", "cooperative-sticky"
    /// The state the coordinator reported.
    group_state state = group_state::unknown;
    /// The broker coordinating the group (id, host, port).
    broker_metadata coordinator;
    /// The active members (none when the group is empty).
    std::vector<group_member> members;

    /// True when the group was described (`error` is empty).
    [[nodiscard]] bool ok() const noexcept { return !error; }
    /// "group 'billing'", for failure reports (describe_failures()).
    [[nodiscard]] std::string item_name() const { return "group '" + group_id + "'"; }
};

/// A group's committed offsets (list, alter and delete group offsets). Each partition has its
/// own error (topic_partition_offset::error, an rd_kafka_resp_err_t value): a partition whose
/// change the broker refused is reported there, not as success. A partition with no committed
/// offset has offset == offsets::invalid.
struct group_offsets {
    std::string group_id;   ///< the group asked about
    std::error_code error;  ///< the group as a whole (e.g. GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP)
    std::string message;    ///< the broker's (or librdkafka's) explanation when `error` is set
    std::vector<topic_partition_offset> partitions;  ///< one per partition, with its own error

    /// True when neither the group nor any partition reports an error (unlike the batch
    /// helpers all_succeeded() and failures(), which look at `error` only).
    [[nodiscard]] bool ok() const noexcept {
        if (error)
            return false;
        for (const auto& p : partitions) {
            if (p.error != 0)
                return false;
        }
        return true;
    }
    /// "group 'billing'", for failure reports (describe_failures()).
    [[nodiscard]] std::string item_name() const { return "group '" + group_id + "'"; }
};

/// How far a group is behind on one partition.
struct partition_lag {
    std::string topic;                          ///< the partition's topic
    std::int32_t partition = 0;                 ///< the partition's id within `topic`
    std::int64_t committed = offsets::invalid;  ///< offsets::invalid when the group has none
    /// The partition's first stored offset; offsets::invalid when not read (see `error`).
    std::int64_t low_watermark = offsets::invalid;
    /// The offset the next record will get; offsets::invalid when not read (see `error`).
    std::int64_t high_watermark = offsets::invalid;
    /// high_watermark - committed (never below 0); nullopt when the group has no committed
    /// offset (where it would start depends on its auto.offset.reset) or the watermarks could
    /// not be read.
    std::optional<std::int64_t> lag;
    /// kafka_category(): the partition's committed offset came with an error, or its
    /// watermarks could not be read; empty otherwise.
    std::error_code error;
    std::string message;  ///< the explanation when `error` is set

    /// "'orders' [3]" (partition_label()), for failure reports.
    [[nodiscard]] std::string item_name() const { return partition_label(topic, partition); }
};

/// consumer_group_lag's answer: one entry per partition, and the sum of what is known.
struct group_lag {
    std::string group_id;                   ///< the group asked about
    std::vector<partition_lag> partitions;  ///< sorted by topic, then partition

    /// The sum of every known `lag`: partitions whose lag is unknown count as 0, so this is
    /// a lower bound when some are.
    [[nodiscard]] std::int64_t total() const noexcept {
        std::int64_t sum = 0;
        for (const auto& p : partitions)
            sum += p.lag.value_or(0);
        return sum;
    }
};

}  // namespace kflow
