#pragma once
// librdkafka's statistics as typed values (see librdkafka's STATISTICS.md).
//
// librdkafka emits a JSON document every statistics.interval.ms; kflow/metrics/statistics_json.hpp
// parses it into these structs, and the config's on_statistics() hands them to the application
// (docs/observability.md). The field names are librdkafka's, so STATISTICS.md describes each.
//
// Missing stays empty: every field that librdkafka may leave out (or that another librdkafka
// version names or types differently) is a std::optional, a string or a container, and stays
// std::nullopt or empty when the document lacks it or holds a value of another type.
//
// Raw values are kept as librdkafka reports them, including its markers for "unknown": -1001
// (RD_KAFKA_OFFSET_INVALID, kflow::offsets::invalid) for an offset, -1 for a consumer lag, a
// node id or a partition. partition_statistics::lag_committed() and lag_position() turn them
// into std::optional.
//
// This header holds plain data and does not include a JSON library.

#include <kflow/topic_partition.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kflow::metrics {

/// librdkafka's partition id for the internal "unassigned" partition of a topic (-1, UA): it
/// holds a producer's messages before the partitioner picks a partition. It appears among a
/// topic's partitions in the statistics; filter on partition_statistics::partition to skip it.
inline constexpr std::int32_t unassigned_partition = -1;

/// librdkafka's marker for an offset it does not know (RD_KAFKA_OFFSET_INVALID, -1001; the same
/// value as kflow::offsets::invalid).
inline constexpr std::int64_t invalid_offset = -1001;

/// A rolling window of samples (librdkafka's min, max, avg and percentiles over the last
/// statistics interval). The unit is the field's: microseconds for latencies and round-trip
/// times, milliseconds for throttle times, bytes or messages for batch sizes.
struct window_statistics {
    std::optional<std::int64_t> min;         ///< smallest sample
    std::optional<std::int64_t> max;         ///< largest sample
    std::optional<std::int64_t> avg;         ///< mean of the samples
    std::optional<std::int64_t> sum;         ///< sum of the samples
    std::optional<std::int64_t> cnt;         ///< number of samples (0: the others are 0)
    std::optional<std::int64_t> stddev;      ///< standard deviation of the samples
    std::optional<std::int64_t> p50;         ///< 50th percentile
    std::optional<std::int64_t> p75;         ///< 75th percentile
    std::optional<std::int64_t> p90;         ///< 90th percentile
    std::optional<std::int64_t> p95;         ///< 95th percentile
    std::optional<std::int64_t> p99;         ///< 99th percentile
    std::optional<std::int64_t> p99_99;      ///< 99.99th percentile
    std::optional<std::int64_t> outofrange;  ///< samples outside the histogram's range
    std::optional<std::int64_t> hdrsize;     ///< memory size of the histogram, in bytes
};

/// One partition of a topic, as the client sees it (librdkafka's topics.TOPIC.partitions.ID).
///
/// Offsets are -1001 (invalid_offset) while unknown; consumer_lag and consumer_lag_stored are
/// -1 while unknown. The consumer-side fields are meaningful for consumers, the queue and
/// tx fields for producers; librdkafka reports both for either.
struct partition_statistics {
    /// The partition id; unassigned_partition (-1) for librdkafka's internal UA partition.
    std::int32_t partition = 0;
    std::optional<std::int32_t> broker;  ///< id of the broker the client fetches from / produces to
    std::optional<std::int32_t> leader;  ///< id of the partition's leader (-1 when unknown)
    std::optional<bool> desired;  ///< the application asked for this partition (assign/subscribe)
    std::optional<bool> unknown;  ///< the partition is not (or no longer) in the metadata
    std::optional<std::int64_t> msgq_cnt;         ///< messages in the first-level queue
    std::optional<std::int64_t> msgq_bytes;       ///< bytes in the first-level queue
    std::optional<std::int64_t> xmit_msgq_cnt;    ///< messages ready to go in the transmit queue
    std::optional<std::int64_t> xmit_msgq_bytes;  ///< bytes in the transmit queue
    std::optional<std::int64_t> fetchq_cnt;       ///< pre-fetched messages in the fetch queue
    std::optional<std::int64_t> fetchq_size;      ///< bytes in the fetch queue
    /// Consumer fetch state: "none", "stopping", "stopped", "offset-query", "offset-wait",
    /// "active".
    std::string fetch_state;
    std::optional<std::int64_t> query_offset;  ///< current or last offset query (logical offset)
    std::optional<std::int64_t> next_offset;   ///< next offset to fetch
    /// Offset of the last message passed to the application, plus one: its position.
    std::optional<std::int64_t> app_offset;
    std::optional<std::int64_t> stored_offset;  ///< offset to be committed (stored), plus one
    /// Last committed offset (the group's position). librdkafka 2.0 also writes it under the
    /// misspelt key "commited_offset", which is read when "committed_offset" is absent.
    std::optional<std::int64_t> committed_offset;
    std::optional<std::int64_t> eof_offset;  ///< offset of the last end-of-partition signalled
    std::optional<std::int64_t> lo_offset;   ///< low watermark: first offset in the log
    std::optional<std::int64_t> hi_offset;   ///< high watermark: offset of the next record written
    /// Last stable offset: the end a read_committed consumer reads up to (below open
    /// transactions); equal to hi_offset without transactions.
    std::optional<std::int64_t> ls_offset;
    /// librdkafka's lag: end (ls_offset for read_committed, hi_offset for read_uncommitted)
    /// minus committed_offset; -1 while either is unknown.
    std::optional<std::int64_t> consumer_lag;
    /// As consumer_lag, but from stored_offset: ahead of the committed lag between commits.
    std::optional<std::int64_t> consumer_lag_stored;
    std::optional<std::int64_t> txmsgs;         ///< messages produced to the partition
    std::optional<std::int64_t> txbytes;        ///< bytes produced to the partition
    std::optional<std::int64_t> rxmsgs;         ///< messages consumed (ignored ones excluded)
    std::optional<std::int64_t> rxbytes;        ///< bytes consumed
    std::optional<std::int64_t> msgs;           ///< messages received (consumer) or produced
    std::optional<std::int64_t> rx_ver_drops;   ///< outdated messages dropped
    std::optional<std::int64_t> msgs_inflight;  ///< messages in flight to or from the broker
    std::optional<std::int64_t> next_ack_seq;   ///< idempotent producer: next expected ack seq
    std::optional<std::int64_t> next_err_seq;   ///< idempotent producer: next expected error seq
    std::optional<std::int64_t> acked_msgid;    ///< idempotent producer: last acked message id

    /// True for librdkafka's internal unassigned partition (partition id -1).
    [[nodiscard]] bool is_unassigned() const noexcept { return partition == unassigned_partition; }

    /// The committed lag as librdkafka computes it (consumer_lag): records between the group's
    /// committed offset and the end of the partition. std::nullopt while librdkafka reports it
    /// unknown (-1: nothing committed yet, or no watermark fetched yet) or not at all.
    [[nodiscard]] std::optional<std::int64_t> lag_committed() const noexcept {
        if (consumer_lag && *consumer_lag >= 0)
            return consumer_lag;
        return std::nullopt;
    }

    /// The position lag: records between the application's position (app_offset) and the end
    /// of the partition, whether committed or not. The end is ls_offset (the last stable offset,
    /// what a read_committed consumer, librdkafka's default, can read up to); it is hi_offset
    /// when ls_offset is unknown, or below app_offset (a read_uncommitted consumer that read
    /// past it into open transactions). For a read_uncommitted consumer behind the last stable
    /// offset, records of open transactions beyond it are not counted. std::nullopt while
    /// app_offset or the end is unknown (negative), or when the end is below app_offset (a
    /// snapshot taken between a fetch and its watermarks).
    [[nodiscard]] std::optional<std::int64_t> lag_position() const noexcept {
        if (!app_offset || *app_offset < 0)
            return std::nullopt;
        std::optional<std::int64_t> end;
        if (ls_offset && *ls_offset >= *app_offset)
            end = ls_offset;
        else if (hi_offset && *hi_offset >= 0)
            end = hi_offset;
        if (!end || *end < *app_offset)
            return std::nullopt;
        return *end - *app_offset;
    }
};

/// One topic the client knows (librdkafka's topics.TOPIC).
struct topic_statistics {
    std::string name;                          ///< the topic's name
    std::optional<std::int64_t> age;           ///< milliseconds since the client last used it
    std::optional<std::int64_t> metadata_age;  ///< milliseconds since its metadata was refreshed
    window_statistics batchsize;               ///< producer batch sizes, in bytes
    window_statistics batchcnt;                ///< producer batch sizes, in messages
    /// The partitions, in ascending id, librdkafka's unassigned partition (-1) first when
    /// present. An entry without a usable partition id is left out.
    std::vector<partition_statistics> partitions;

    /// The partition with this id, or nullptr.
    [[nodiscard]] const partition_statistics* find_partition(std::int32_t id) const noexcept {
        for (const auto& p : partitions) {
            if (p.partition == id)
                return &p;
        }
        return nullptr;
    }
};

/// One broker connection of the client (librdkafka's brokers.NAME), including the logical
/// ones: "GroupCoordinator" (source "logical") and librdkafka's internal broker.
struct broker_statistics {
    std::string name;                    ///< librdkafka's name, e.g. "kafka1:9092/1"
    std::optional<std::int32_t> nodeid;  ///< broker id; -1 for a bootstrap broker not yet known
    std::string nodename;                ///< "host:port"
    std::string source;                  ///< "learned", "configured", "internal" or "logical"
    /// Connection state: "INIT", "DOWN", "CONNECT", "AUTH", "APIVERSION_QUERY",
    /// "AUTH_HANDSHAKE", "UP", "UPDATE", ...
    std::string state;
    std::optional<std::int64_t> stateage;          ///< microseconds since the last state change
    std::optional<std::int64_t> outbuf_cnt;        ///< requests waiting to be sent
    std::optional<std::int64_t> outbuf_msg_cnt;    ///< messages waiting to be sent
    std::optional<std::int64_t> waitresp_cnt;      ///< requests in flight, awaiting a response
    std::optional<std::int64_t> waitresp_msg_cnt;  ///< messages in flight, awaiting a response
    std::optional<std::int64_t> tx;                ///< requests sent
    std::optional<std::int64_t> txbytes;           ///< bytes sent
    std::optional<std::int64_t> txerrs;            ///< transmission errors
    std::optional<std::int64_t> txretries;         ///< requests retried
    std::optional<std::int64_t> txidle;        ///< microseconds since the last send (-1: none yet)
    std::optional<std::int64_t> req_timeouts;  ///< requests timed out
    std::optional<std::int64_t> rx;            ///< responses received
    std::optional<std::int64_t> rxbytes;       ///< bytes received
    std::optional<std::int64_t> rxerrs;        ///< reception errors
    std::optional<std::int64_t> rxcorriderrs;  ///< responses with an unknown correlation id
    std::optional<std::int64_t> rxpartial;     ///< partial message sets received
    std::optional<std::int64_t> rxidle;     ///< microseconds since the last receive (-1: none yet)
    std::optional<std::int64_t> zbuf_grow;  ///< decompression buffer size increases
    std::optional<std::int64_t> buf_grow;   ///< buffer size increases (deprecated)
    std::optional<std::int64_t> wakeups;    ///< broker thread poll wakeups
    std::optional<std::int64_t> connects;   ///< connection attempts, including successful ones
    std::optional<std::int64_t> disconnects;  ///< disconnects (by the broker, network or client)
    window_statistics int_latency;            ///< producer queue latency, microseconds
    window_statistics outbuf_latency;         ///< time requests wait to be sent, microseconds
    window_statistics rtt;                    ///< request round-trip time, microseconds
    window_statistics throttle;               ///< broker throttle time, milliseconds
    /// Requests sent, by Kafka API name (e.g. "Produce", "Fetch"); librdkafka's "req".
    std::map<std::string, std::int64_t> requests;
    /// The partitions this broker leads for the client (librdkafka's "toppars").
    std::vector<topic_partition> toppars;
};

/// A consumer's group state (librdkafka's "cgrp"; only consumers with a group.id have it).
struct consumer_group_statistics {
    /// Group handler state: "init", "term", "query-coord", "wait-coord", "wait-broker",
    /// "wait-broker-transport", "up".
    std::string state;
    std::optional<std::int64_t> stateage;  ///< milliseconds since the last state change
    /// Join state: "init", "wait-join", "wait-metadata", "wait-sync", "wait-assign-call",
    /// "wait-unassign-call", ..., "steady".
    std::string join_state;
    std::optional<std::int64_t> rebalance_age;    ///< milliseconds since the last rebalance
    std::optional<std::int64_t> rebalance_cnt;    ///< rebalances (assign or revoke) so far
    std::string rebalance_reason;                 ///< why the last rebalance happened
    std::optional<std::int64_t> assignment_size;  ///< partitions currently assigned
};

/// An idempotent or transactional producer's state (librdkafka's "eos").
struct eos_statistics {
    /// Idempotent producer state: "Init", "RequestPID", "WaitPID", "Assigned", "DrainReset",
    /// "DrainBump", "FatalError", ...
    std::string idemp_state;
    std::optional<std::int64_t> idemp_stateage;  ///< milliseconds since idemp_state changed
    /// Transactional state: "Init", "WaitPID", "Ready", "InTransaction", "CommittingTransaction",
    /// "AbortingTransaction", "AbortableError", "FatalError", ...
    std::string txn_state;
    std::optional<std::int64_t> txn_stateage;  ///< milliseconds since txn_state changed
    std::optional<bool> txn_may_enq;           ///< the transactional state allows sending messages
    std::optional<std::int64_t> producer_id;   ///< the assigned producer id (-1: none)
    std::optional<std::int16_t> producer_epoch;  ///< the assigned producer epoch (-1: none)
    std::optional<std::int64_t> epoch_cnt;       ///< producer id and epoch assignments so far
};

/// One statistics document of a client: its totals, brokers, topics and, when it has them, its
/// consumer group and idempotence/transaction state. Missing stays empty (see the header).
struct statistics {
    std::string name;       ///< the client's handle name, e.g. "rdkafka#producer-1"
    std::string client_id;  ///< the configured client.id
    std::string type;       ///< "producer" or "consumer"
    /// librdkafka's monotonic clock, in microseconds (for intervals between documents).
    std::optional<std::int64_t> ts;
    std::optional<std::int64_t> time;  ///< wall clock, in seconds since the Unix epoch
    std::optional<std::int64_t> age;   ///< microseconds since the client was created
    /// Operations (callbacks, events) waiting for the application to poll.
    std::optional<std::int64_t> replyq;
    std::optional<std::int64_t> msg_cnt;       ///< messages in the producer's queues
    std::optional<std::int64_t> msg_size;      ///< bytes of messages in the producer's queues
    std::optional<std::int64_t> msg_max;       ///< limit on msg_cnt (queue.buffering.max.messages)
    std::optional<std::int64_t> msg_size_max;  ///< limit on msg_size (queue.buffering.max.kbytes)
    std::optional<std::int64_t> simple_cnt;    ///< legacy simple-consumer state (internal)
    std::optional<std::int64_t> metadata_cache_cnt;  ///< topics in the metadata cache
    std::optional<std::int64_t> tx;                  ///< requests sent to all brokers
    std::optional<std::int64_t> tx_bytes;            ///< bytes sent to all brokers
    std::optional<std::int64_t> rx;                  ///< responses received from all brokers
    std::optional<std::int64_t> rx_bytes;            ///< bytes received from all brokers
    std::optional<std::int64_t> txmsgs;              ///< messages produced (sent to brokers)
    std::optional<std::int64_t> txmsg_bytes;         ///< bytes of messages produced
    std::optional<std::int64_t> rxmsgs;              ///< messages consumed (ignored ones excluded)
    std::optional<std::int64_t> rxmsg_bytes;         ///< bytes of messages consumed
    std::vector<broker_statistics> brokers;          ///< the broker connections, by name
    std::vector<topic_statistics> topics;            ///< the topics the client knows, by name
    /// The consumer group state; only a consumer with a group.id has it.
    std::optional<consumer_group_statistics> consumer_group;
    /// Idempotence and transaction state; librdkafka reports it for idempotent or
    /// transactional producers.
    std::optional<eos_statistics> eos;

    /// The topic with this name, or nullptr.
    [[nodiscard]] const topic_statistics* find_topic(std::string_view topic) const noexcept {
        for (const auto& t : topics) {
            if (t.name == topic)
                return &t;
        }
        return nullptr;
    }
    /// The partition of this topic with this id, or nullptr.
    [[nodiscard]] const partition_statistics* find_partition(std::string_view topic,
                                                             std::int32_t id) const noexcept {
        const auto* t = find_topic(topic);
        return t != nullptr ? t->find_partition(id) : nullptr;
    }
};

}  // namespace kflow::metrics
