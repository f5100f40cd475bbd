#pragma once
// Rebalance notifications for subscribed consumers.

#include <kflow/topic_partition.hpp>

#include <functional>
#include <vector>

namespace kflow {

/// Called on the thread that polls the consumer (inside poll()), so a handler may call the
/// consumer's synchronous methods: commit() in on_revoked is the usual way to commit the work
/// done before partitions move. With cooperative-sticky assignment the lists are the
/// partitions added or removed, with eager assignment the whole assignment.
struct rebalance_listener {
    /// After the partitions are assigned: seek(), position() and committed() work on them.
    std::function<void(const std::vector<topic_partition>&)> on_assigned;
    /// Before the partitions are taken away: offsets of handled records can still be committed.
    std::function<void(const std::vector<topic_partition>&)> on_revoked;
    /// The partitions were lost (e.g. the session timed out): another member may own them
    /// already, so committing for them fails. Without this handler, on_revoked is called.
    std::function<void(const std::vector<topic_partition>&)> on_lost;
};

/// What happened to the partitions of a rebalance_event.
enum class rebalance_kind {
    assigned,  ///< partitions were added to this member's assignment
    revoked,   ///< partitions are about to be taken away (commit now)
    lost,      ///< partitions were lost; committing for them fails
};

/// The type of rebalance_events.
struct rebalance_events_t {
    explicit rebalance_events_t() = default;
};
/// Asks async_consumer::subscribe() to report rebalances as events to async_rebalance(), and to
/// keep revoked partitions until the application asks for the next event (having committed):
/// `consumer.subscribe({"orders"}, kflow::rebalance_events);`
inline constexpr rebalance_events_t rebalance_events{};

/// A rebalance, as async_consumer::async_rebalance delivers it.
struct rebalance_event {
    rebalance_kind kind = rebalance_kind::assigned;  ///< assigned, revoked or lost
    /// The partitions concerned: the ones added or removed under cooperative-sticky
    /// assignment, the whole assignment under eager assignment.
    std::vector<topic_partition> partitions;
};

}  // namespace kflow
