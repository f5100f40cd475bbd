#pragma once
// How a topic on a cluster differs from its spec: a pure comparison, no broker involved, so
// ensure_topics' decisions are tested exhaustively without one.
//
// Only what the spec asks for is compared: a count left at -1 (the broker's default) matches
// whatever the cluster has, and configs the spec does not name are not looked at.

#include <kflow/admin/topic_spec.hpp>
#include <kflow/admin/topic_spec_check.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kflow {

/// What a cluster reports for an existing topic, as far as a spec can differ from it.
struct observed_topic {
    std::int32_t partitions = 0;          ///< the topic's partition count
    std::int32_t replication_factor = 0;  ///< replicas per partition (the first partition's)
    /// Each partition's replicas in partition order (preferred leader first); empty when unknown.
    std::vector<std::vector<std::int32_t>> replica_assignment;
    /// The topic's config values; std::nullopt when they could not be read (then configs are
    /// "not checked", never "matching").
    std::optional<std::map<std::string, std::string>> configs;
};

/// The spec asks for another partition count than the topic has.
struct partition_count_difference {
    std::int32_t requested = 0;  ///< the count the spec asks for
    std::int32_t observed = 0;   ///< the count the cluster reports

    /// Kafka can add partitions to a topic but never remove any.
    [[nodiscard]] bool can_be_added() const noexcept { return requested > observed; }
    /// Equal when both counts are.
    friend bool operator==(const partition_count_difference&,
                           const partition_count_difference&) = default;
};

/// Reported only: changing it takes a partition reassignment, not a topic config change.
struct replication_factor_difference {
    std::int32_t requested = 0;  ///< the replication factor the spec asks for
    std::int32_t observed = 0;   ///< the replication factor the cluster reports
    /// Equal when both factors are.
    friend bool operator==(const replication_factor_difference&,
                           const replication_factor_difference&) = default;
};

/// Reported only, for specs with an explicit replica_assignment.
struct replica_placement_difference {
    std::int32_t partition = 0;           ///< the partition whose replicas differ
    std::vector<std::int32_t> requested;  ///< broker ids the spec asks for, preferred leader first
    std::vector<std::int32_t> observed;   ///< broker ids the cluster reports, in the same order
    /// Equal when partition and both broker lists are.
    friend bool operator==(const replica_placement_difference&,
                           const replica_placement_difference&) = default;
};

/// A topic config the spec sets to a value the cluster does not report for the topic.
struct config_difference {
    std::string name;                     ///< the config key, e.g. `retention.ms`
    std::string requested;                ///< the value the spec sets, as a string
    std::optional<std::string> observed;  ///< std::nullopt: the cluster reports no such config
    /// Equal when name and both values are.
    friend bool operator==(const config_difference&, const config_difference&) = default;
};

/// Everything about an existing topic that is not as its spec asks.
struct topic_differences {
    /// Set when the spec asks for a partition count and the topic has another.
    std::optional<partition_count_difference> partitions;
    /// Set when the spec asks for a replication factor and the topic has another.
    std::optional<replication_factor_difference> replication_factor;
    /// One entry per partition whose replicas differ from the spec's replica_assignment, in
    /// partition order; only partitions both the spec and the cluster have are compared.
    std::vector<replica_placement_difference> replica_placement;
    std::vector<config_difference> configs;  ///< in config name order
    /// False when the spec names configs but the cluster's could not be read: nothing is known
    /// about them, and configs is empty for that reason only.
    bool configs_checked = true;

    /// True when nothing was found to differ. Check configs_checked too before calling a topic
    /// up to date.
    [[nodiscard]] bool none() const noexcept {
        return !partitions && !replication_factor && replica_placement.empty() && configs.empty();
    }

    /// One line per difference, e.g. `partitions: 6 requested, 3 on the cluster (3 can be
    /// added)` or `config retention.ms: "86400000" requested, "604800000" on the cluster`.
    [[nodiscard]] std::vector<std::string> describe() const {
        std::vector<std::string> lines;
        if (partitions) {
            lines.push_back(
                "partitions: " + std::to_string(partitions->requested) + " requested, " +
                std::to_string(partitions->observed) + " on the cluster" +
                (partitions->can_be_added()
                     ? " (" + std::to_string(partitions->requested - partitions->observed) +
                           " can be added)"
                     : std::string(" (Kafka cannot remove partitions)")));
        }
        if (replication_factor) {
            lines.push_back("replication factor: " + std::to_string(replication_factor->requested) +
                            " requested, " + std::to_string(replication_factor->observed) +
                            " on the cluster (changing it takes a partition reassignment)");
        }
        for (const auto& p : replica_placement) {
            lines.push_back("replicas of partition " + std::to_string(p.partition) + ": " +
                            brokers(p.requested) + " requested, " + brokers(p.observed) +
                            " on the cluster");
        }
        for (const auto& c : configs) {
            lines.push_back("config " + c.name + ": \"" + c.requested + "\" requested, " +
                            (c.observed ? "\"" + *c.observed + "\" on the cluster"
                                        : std::string("not reported by the cluster")));
        }
        return lines;
    }

  private:
    static std::string brokers(const std::vector<std::int32_t>& ids) {
        std::string text = "[";
        for (std::size_t i = 0; i < ids.size(); ++i)
            text += (i == 0 ? "" : ", ") + std::to_string(ids[i]);
        return text + "]";
    }
};

/// How `observed` differs from `spec`. Config values are compared as exact strings, which is
/// how brokers report them back ("86400000", "compact", "true").
[[nodiscard]] inline topic_differences compare_topic(const topic_spec& spec,
                                                     const observed_topic& observed) {
    topic_differences differences;
    if (const auto requested = requested_partition_count(spec);
        requested && *requested != observed.partitions)
        differences.partitions = partition_count_difference{*requested, observed.partitions};
    if (const auto requested = requested_replication_factor(spec);
        requested && *requested != observed.replication_factor) {
        differences.replication_factor =
            replication_factor_difference{*requested, observed.replication_factor};
    }
    const auto& wanted = spec.replica_assignment;
    const auto& seen = observed.replica_assignment;
    for (std::size_t p = 0; p < wanted.size() && p < seen.size(); ++p) {
        if (wanted[p] != seen[p]) {
            differences.replica_placement.push_back(
                replica_placement_difference{static_cast<std::int32_t>(p), wanted[p], seen[p]});
        }
    }
    if (!observed.configs) {
        differences.configs_checked = spec.configs.empty();
        return differences;
    }
    for (const auto& [name, value] : spec.configs) {
        const auto it = observed.configs->find(name);
        if (it == observed.configs->end()) {
            differences.configs.push_back(config_difference{name, value, std::nullopt});
        } else if (it->second != value) {
            differences.configs.push_back(config_difference{name, value, it->second});
        }
    }
    return differences;
}

}  // namespace kflow
