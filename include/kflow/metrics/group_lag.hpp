#pragma once
// Any consumer group's lag, as an admin client reads it (admin_client::consumer_group_lag()),
// exported into a Prometheus registry: the lag of groups whose members are not this process.

#include <kflow/admin/groups.hpp>
#include <kflow/metrics/registry.hpp>

#include <map>
#include <mutex>
#include <set>
#include <string>

namespace kflow::metrics {

/// Keeps `kafka_consumer_group_lag_messages{group, topic, partition}` in a registry up to date
/// from admin_client::consumer_group_lag() answers: records between each partition's committed
/// offset and its high watermark. A partition whose lag is unknown (nothing committed, or the
/// watermarks could not be read) has no series.
///
///     kflow::metrics::group_lag_exporter lag(registry);
///     lag.update(admin.consumer_group_lag("billing", {"orders"}));  // e.g. every 15 s
///
/// The consumers' own view of their lag is `kafka_consumer_lag_messages`, from
/// prometheus_exporter; this one is the group's, wherever its members run. Thread-safe.
class group_lag_exporter {
  public:
    /// Registers the family in `registry`, which must outlive the exporter.
    explicit group_lag_exporter(registry& registry)
        : family_(registry.gauge_family(
              "kafka_consumer_group_lag_messages",
              "Records between a consumer group's committed offset and the partition's high "
              "watermark, as an admin client read them.",
              {"group", "topic", "partition"})) {}

    /// Replaces the group's series by those of `lag`; other groups' stay.
    void update(const group_lag& lag) {
        const std::lock_guard lock(mutex_);
        std::set<label_values> now;
        for (const auto& p : lag.partitions) {
            if (!p.lag)
                continue;
            label_values labels{lag.group_id, p.topic, std::to_string(p.partition)};
            family_.with(labels).set(static_cast<double>(*p.lag));
            now.insert(std::move(labels));
        }
        auto& before = written_[lag.group_id];
        for (const auto& labels : before) {
            if (!now.contains(labels))
                (void)family_.remove(labels);
        }
        before = std::move(now);
    }

    /// Removes the group's series (a group no longer watched).
    void forget(const std::string& group) {
        const std::lock_guard lock(mutex_);
        const auto it = written_.find(group);
        if (it == written_.end())
            return;
        for (const auto& labels : it->second)
            (void)family_.remove(labels);
        written_.erase(it);
    }

  private:
    family<gauge>& family_;
    std::mutex mutex_;
    std::map<std::string, std::set<label_values>> written_;
};

}  // namespace kflow::metrics
