#pragma once
// Consumer configuration. Safe by default (at-least-once): librdkafka's automatic offset store is
// off, and kflow stores a record's offset only once the application has handled it (it asked for
// the next record, committed, or said so), so auto-commit never commits past a record the
// application has not handled.

#include <kflow/config.hpp>

namespace kflow {

/// Where a consumer starts when its group has no committed offset for a partition.
enum class offset_reset {
    earliest,  ///< the oldest record still stored
    latest,    ///< only records written from now on (librdkafka's and Java's default)
    error,     ///< fail with an error the application sees
};

/// Which records of transactional producers a consumer reads (isolation.level).
enum class isolation {
    /// Only records of committed transactions (and non-transactional ones); reading stops at
    /// the first record of a transaction still open (librdkafka's default).
    read_committed,
    /// Every record as soon as it is written, including those of transactions later aborted.
    read_uncommitted,
};

/// Builds the configuration of a consumer or async_consumer: librdkafka consumer properties
/// through typed setters (any other through set()), plus the close and commit bounds kflow
/// applies itself. A group id is required, also for manual assignment: without one, creating
/// the consumer throws kafka_error with errc::invalid_config. Each setter hands its property to
/// librdkafka at once and throws kafka_error with errc::invalid_config for a value it rejects.
///
/// enable.auto.offset.store is false, so that kflow stores offsets of handled records only;
/// setting it to "true" through set() gives the store back to librdkafka, which then stores
/// each record's offset as it is fetched, and auto-commit is no longer at-least-once.
class consumer_config : public basic_config<consumer_config> {
  public:
    /// enable.auto.offset.store=false, and librdkafka's defaults for everything else.
    consumer_config() { apply_safe_defaults(); }
    /// Starts from shared client properties (a preset, from_env(), a security builder).
    explicit consumer_config(const client_config& base) : basic_config(base) {
        apply_safe_defaults();
    }

    /// group.id (required): the consumer group whose committed offsets this consumer reads
    /// and writes; subscribe() shares the topics' partitions among the group's members.
    consumer_config& group_id(std::string_view id) { return set("group.id", id); }
    /// Static membership (KIP-345): a stable id that survives restarts without a rebalance.
    consumer_config& group_instance_id(std::string_view id) { return set("group.instance.id", id); }
    /// auto.offset.reset: where to start in a partition for which the group has no committed
    /// offset, or whose committed offset no longer exists (deleted by retention). With
    /// offset_reset::error the consumer reports RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET to the
    /// config's on_error or, without one, fails the poll() or receive that meets it.
    consumer_config& auto_offset_reset(offset_reset where) {
        switch (where) {
            case offset_reset::earliest:
                return set("auto.offset.reset", "earliest");
            case offset_reset::latest:
                return set("auto.offset.reset", "latest");
            case offset_reset::error:
                return set("auto.offset.reset", "error");
        }
        return *this;
    }
    /// Periodic commits of the offsets kflow stored for handled records (on by default).
    /// Turn off to commit only through commit().
    consumer_config& enable_auto_commit(bool on) { return set_bool("enable.auto.commit", on); }
    /// auto.commit.interval.ms: how often auto-commit commits the offsets stored for handled
    /// records (librdkafka's default is 5000 ms). After a crash, up to this much handled work
    /// is read again.
    consumer_config& auto_commit_interval(std::chrono::milliseconds t) {
        return set_ms("auto.commit.interval.ms", t);
    }
    /// session.timeout.ms: how long the group coordinator waits without a heartbeat before it
    /// declares this consumer dead and gives its partitions to other members (librdkafka's
    /// default is 45000 ms; the broker's group.min/max.session.timeout.ms bound it).
    consumer_config& session_timeout(std::chrono::milliseconds t) {
        return set_ms("session.timeout.ms", t);
    }
    /// heartbeat.interval.ms: how often librdkafka's own thread sends heartbeats to the group
    /// coordinator, whatever the application does (librdkafka's default is 3000 ms). Keep it
    /// well below session_timeout(), typically a third of it or less.
    consumer_config& heartbeat_interval(std::chrono::milliseconds t) {
        return set_ms("heartbeat.interval.ms", t);
    }
    /// max.poll.interval.ms: the longest the application may go without asking for records
    /// (poll(), poll_batch(), async_receive()) before librdkafka leaves the group and the
    /// partitions go to other members (librdkafka's default is 300000 ms). Raise it when
    /// handling a batch can take longer.
    consumer_config& max_poll_interval(std::chrono::milliseconds t) {
        return set_ms("max.poll.interval.ms", t);
    }
    /// "range,roundrobin" (eager, librdkafka's default) or "cooperative-sticky" (incremental).
    consumer_config& partition_assignment_strategy(std::string_view s) {
        return set("partition.assignment.strategy", s);
    }
    /// "read_committed" (default) or "read_uncommitted".
    consumer_config& isolation_level(std::string_view level) {
        return set("isolation.level", level);
    }
    /// isolation.level as a typed setting: isolation::read_committed (librdkafka's default) or
    /// isolation::read_uncommitted (see docs/transactions.md).
    consumer_config& isolation_level(isolation level) {
        return set("isolation.level",
                   level == isolation::read_committed ? "read_committed" : "read_uncommitted");
    }
    /// How long a fetch waits for data; lower it for low latency (see docs/mock-cluster.md).
    consumer_config& fetch_wait_max(std::chrono::milliseconds t) {
        return set_ms("fetch.wait.max.ms", t);
    }
    /// fetch.max.bytes: the most bytes one fetch response may carry (librdkafka's default is
    /// 52428800). A single record batch larger than it is still fetched, so reading never
    /// stalls on one.
    consumer_config& fetch_max_bytes(std::size_t n) {
        return set("fetch.max.bytes", std::to_string(n));
    }
    /// Reports reaching the end of a partition: each time a partition runs out of records, the
    /// config's on_error receives RD_KAFKA_RESP_ERR__PARTITION_EOF (a kafka_category() code);
    /// without on_error the event is ignored. Off by default.
    consumer_config& enable_partition_eof(bool on) { return set_bool("enable.partition.eof", on); }

    /// Upper bound on close() and the destructor: committing and leaving the group give up
    /// after it, even when the brokers are gone.
    consumer_config& close_timeout(std::chrono::milliseconds t) {
        close_timeout_ = t;
        return *this;
    }
    /// The bound set by close_timeout(std::chrono::milliseconds); 10 s by default.
    [[nodiscard]] std::chrono::milliseconds close_timeout() const noexcept {
        return close_timeout_;
    }

    /// Upper bound on a synchronous commit's wait for the group coordinator's answer (commit(),
    /// and commits inside a rebalance listener, which close() bounds by its own deadline too).
    /// A commit that runs out reports errc::timed_out; the broker may still apply it.
    consumer_config& commit_timeout(std::chrono::milliseconds t) {
        commit_timeout_ = t;
        return *this;
    }
    /// The bound set by commit_timeout(std::chrono::milliseconds); 10 s by default.
    [[nodiscard]] std::chrono::milliseconds commit_timeout() const noexcept {
        return commit_timeout_;
    }

  private:
    void apply_safe_defaults() {
        // kflow stores offsets itself, for handled records only.
        set("enable.auto.offset.store", "false");
    }

    std::chrono::milliseconds close_timeout_ = std::chrono::seconds(10);
    std::chrono::milliseconds commit_timeout_ = std::chrono::seconds(10);
};

}  // namespace kflow
