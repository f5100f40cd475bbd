#pragma once
// Leader elections as elect_leaders asks for them (KIP-460; brokers from Apache Kafka 2.4,
// librdkafka 2.6.0), and their per-partition outcome.

#include <kflow/topic_partition.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace kflow {

/// Which leader a partition gets. The values are Kafka's (and librdkafka's).
enum class election_type : int {
    /// Move leadership back to the preferred replica (the first of the replica list), e.g.
    /// after a broker restart left leadership unbalanced.
    preferred = 0,
    /// Let an out-of-sync replica lead a partition that has no in-sync replica left: the
    /// partition becomes available again, and records only the old leader had are lost.
    unclean = 1,
};

/// "preferred" or "unclean"; "unknown" for a value outside the enum.
[[nodiscard]] constexpr std::string_view to_string(election_type t) noexcept {
    switch (t) {
        case election_type::preferred:
            return "preferred";
        case election_type::unclean:
            return "unclean";
    }
    return "unknown";
}

/// One partition's outcome of elect_leaders. ELECTION_NOT_NEEDED means the partition already
/// has the leader asked for (the preferred replica leads, or an in-sync replica exists): Kafka
/// reports it as an error, and it usually means there is nothing to do.
struct election_result {
    std::string topic;           ///< topic of the partition
    std::int32_t partition = 0;  ///< partition id within the topic
    /// Empty when the leader was elected; else Kafka's code, e.g. ELECTION_NOT_NEEDED,
    /// PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PART.
    std::error_code error;
    std::string message;  ///< the broker's explanation when error is set

    /// True when a leader was elected. ELECTION_NOT_NEEDED counts as a failure here: filter it
    /// out before throw_if_any_failed() if it is expected.
    [[nodiscard]] bool ok() const noexcept { return !error; }
    /// The partition for reports, e.g. `'orders' [3]` (see partition_label()).
    [[nodiscard]] std::string item_name() const { return partition_label(topic, partition); }
};

}  // namespace kflow
