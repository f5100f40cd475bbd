#pragma once
// What ensure_topics found and did for one topic.

#include <kflow/admin/topic_comparison.hpp>
#include <kflow/error.hpp>

#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace kflow {

/// Where a topic ended up.
enum class topic_outcome {
    created,     ///< it was missing and the cluster created it
    up_to_date,  ///< it exists and everything checked is as the spec asks
    differs,     ///< it exists and differs; not asked to change it, or Kafka cannot
    altered,     ///< it differed and every difference was fixed
    failed,      ///< describing, creating or changing it failed: see error and message
};

/// The outcome in words, as topic_ensure_result::describe() prints it ("up to date", ...).
[[nodiscard]] constexpr std::string_view to_string(topic_outcome outcome) noexcept {
    switch (outcome) {
        case topic_outcome::created:
            return "created";
        case topic_outcome::up_to_date:
            return "up to date";
        case topic_outcome::differs:
            return "differs";
        case topic_outcome::altered:
            return "altered";
        case topic_outcome::failed:
            return "failed";
    }
    return "unknown";
}

/// What ensure_topics found and did for one topic: one per spec, in spec order.
struct topic_ensure_result {
    std::string name;  ///< the topic's name, as in its spec
    /// Where the topic ended up; see also ok() and as_specified().
    topic_outcome outcome = topic_outcome::failed;
    bool existed = false;  ///< the cluster had the topic before ensure_topics ran
    /// Differences found before any change (empty unless the topic existed).
    topic_differences found;
    /// Differences left after the changes ensure_topics made (all of found when it changed
    /// nothing).
    topic_differences remaining;
    /// What was done, in order, e.g. "created with 6 partitions", "added 3 partitions (now 6)",
    /// "set retention.ms=86400000".
    std::vector<std::string> actions;
    /// Why outcome is failed: the first step that failed for this topic.
    std::error_code error;
    /// The failed step and what the broker (or librdkafka) said, e.g. "create_topics: ...";
    /// empty when error is.
    std::string message;
    /// Set when the spec names configs that could not be read back (e.g. the broker does not
    /// support DescribeConfigs, or the principal may not describe the topic): they were neither
    /// confirmed nor changed.
    std::error_code configs_error;
    /// Why the configs could not be read back; empty when configs_error is.
    std::string configs_message;

    /// True unless a step failed. A topic that still differs is ok() but not as_specified().
    [[nodiscard]] bool ok() const noexcept { return !error; }
    /// True when the topic is known to be as its spec asks: created, or altered / up to date
    /// with its configs checked.
    [[nodiscard]] bool as_specified() const noexcept {
        return ok() && outcome != topic_outcome::differs && !configs_error;
    }
    /// True when the configs the spec names were read back and compared (also when it names
    /// none); false when configs_error is set.
    [[nodiscard]] bool configs_checked() const noexcept { return !configs_error; }
    /// The topic as reports name it, e.g. "topic 'orders'" (used by describe_failures()).
    [[nodiscard]] std::string item_name() const { return "topic '" + name + "'"; }

    /// Lines for a report: the outcome, then the differences found, the actions, the error and
    /// what could not be checked, e.g.
    ///     orders: altered
    ///       partitions: 6 requested, 3 on the cluster (3 can be added)
    ///       done: added 3 partitions (now 6)
    [[nodiscard]] std::vector<std::string> describe() const {
        std::vector<std::string> lines{name + ": " + std::string(to_string(outcome))};
        for (const auto& line : found.describe())
            lines.push_back("  " + line);
        for (const auto& action : actions)
            lines.push_back("  done: " + action);
        if (error)
            lines.push_back("  error: " + message);
        if (configs_error)
            lines.push_back("  configs not checked: " + configs_message);
        return lines;
    }
};

}  // namespace kflow
