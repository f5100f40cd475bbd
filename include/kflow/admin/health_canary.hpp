#pragma once
// kflow::health_canary: cluster_health's optional end-to-end check of one partition. One record is
// produced with acks=all and read back from where it was stored, within the check's deadline.

#include <kflow/config.hpp>
#include <kflow/consumer.hpp>
#include <kflow/consumer_config.hpp>
#include <kflow/detail/handles.hpp>
#include <kflow/headers.hpp>
#include <kflow/producer.hpp>
#include <kflow/producer_config.hpp>
#include <kflow/record.hpp>
#include <kflow/topic_partition.hpp>

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <system_error>
#include <utility>

namespace kflow {

/// What cluster_health() produces and reads back when a canary is asked for
/// (cluster_health_options::canary).
///
/// The canary needs clients of its own: an admin client is neither a producer of the
/// application's records nor a consumer, and keeps no copy of its configuration. `connection`
/// gives the properties they connect with (bootstrap.servers, security, client.id, callbacks):
/// usually the admin_config the admin client was built from, or the client_config shared by
/// every client of the application. The canary sets on top of it what it relies on: acks=all,
/// no idempotence, no linger, no automatic topic creation, no auto-commit; a group.id
/// (`kflow-health-canary` unless `connection` sets one; nothing is ever committed to it) and a
/// client.id (`kflow-health-canary` unless `connection` sets one). Producer or consumer settings
/// in `connection` otherwise apply to the canary's clients.
struct health_canary {
    /// A canary on `topic_name`'s partition `partition_id`, connecting with the properties and
    /// callbacks of `connection_config`.
    /// @param topic_name the topic to write to and read from (see #topic)
    /// @param connection_config the properties and callbacks to connect with (see #connection)
    /// @param partition_id the partition to write to and read from (see #partition)
    health_canary(std::string topic_name, client_config connection_config,
                  std::int32_t partition_id = 0)
        : topic(std::move(topic_name)),
          partition(partition_id),
          connection(std::move(connection_config)) {}
    /// As above, with the properties and callbacks of any other kflow config (admin_config,
    /// producer_config, consumer_config), which is copied.
    /// @param topic_name the topic to write to and read from (see #topic)
    /// @param connection_config the config whose properties and callbacks to connect with
    /// @param partition_id the partition to write to and read from (see #partition)
    template <class Config>
    health_canary(std::string topic_name, const basic_config<Config>& connection_config,
                  std::int32_t partition_id = 0)
        : health_canary(std::move(topic_name), client_config(connection_config), partition_id) {}

    /// The topic written to. It must exist: the canary never creates it (a health check leaves
    /// no topic behind), and a topic the cluster lacks fails the canary. Every run adds one
    /// small record to it, so give the canary a topic of its own with a short retention.
    std::string topic;
    /// The partition written to and read from (default 0), so that successive runs measure the
    /// same leader. A partition the topic does not have fails the canary.
    std::int32_t partition = 0;
    /// The properties and callbacks the canary's producer and consumer are built from.
    client_config connection;
};

/// The header, and the key, every canary record carries: consumers of the canary's topic can
/// recognise (and skip) its records by it. The key is the same for every record, so that a
/// compacted canary topic keeps only the latest.
inline constexpr std::string_view health_canary_marker = "kflow-health-canary";

/// How the canary went: whether its record was produced and read back, how long each took, and
/// where it was stored, or why it failed.
struct health_canary_report {
    std::string topic;                       ///< the canary's topic
    std::int32_t partition = -1;             ///< the canary's partition
    std::int64_t offset = offsets::invalid;  ///< where the record was stored, once produced
    std::string value;                       ///< the record's value, unique to this run
    bool produced = false;                   ///< the broker acknowledged the record (acks=all)
    bool read_back = false;  ///< the record was read back from its partition and offset
    /// From the send to the broker's acknowledgement, once produced.
    std::chrono::microseconds produce_latency{0};
    /// From the send to the record being read back by a consumer, once read back.
    std::chrono::microseconds end_to_end_latency{0};
    /// Why the canary failed, as it reads after "canary on 'topic' [p] ": "not sent: ...",
    /// "not delivered within N ms", "not delivered: ...", "not read back within N ms" or
    /// "not read back: ...". Empty when it was read back.
    std::string failure;

    /// True when the record was produced and read back.
    [[nodiscard]] bool ok() const noexcept { return read_back; }

    /// One line: `canary: 'health' [0] @ 42: produced in 1.2 ms, read back in 3.4 ms`, or
    /// `canary: 'health' [0]: not read back within 2000 ms (produced @ 42 in 1.2 ms)`.
    friend std::ostream& operator<<(std::ostream& os, const health_canary_report& r) {
        os << "canary: " << partition_label(r.topic, r.partition);
        if (r.read_back) {
            return os << " @ " << r.offset << ": produced in " << ms(r.produce_latency)
                      << ", read back in " << ms(r.end_to_end_latency);
        }
        os << ": " << r.failure;
        if (r.produced)
            os << " (produced @ " << r.offset << " in " << ms(r.produce_latency) << ')';
        return os;
    }

  private:
    static std::string ms(std::chrono::microseconds t) {
        char text[32];
        std::snprintf(text, sizeof text, "%.1f ms", static_cast<double>(t.count()) / 1000.0);
        return text;
    }
};

namespace detail {

/// A value no other canary run has: the wall-clock time in ns, a random part (other processes)
/// and a counter (this one).
[[nodiscard]] inline std::string health_canary_value() {
    static std::atomic<std::uint64_t> counter{0};
    const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    std::random_device random;
    char text[64];
    std::snprintf(text, sizeof text, " %llx-%08x-%llu", static_cast<unsigned long long>(now),
                  static_cast<unsigned>(random()),
                  static_cast<unsigned long long>(counter.fetch_add(1)));
    return std::string(health_canary_marker) + text;
}

/// One run of a canary: its producer and consumer, created up front (so that a configuration
/// librdkafka refuses fails the call before anything is sent, and the clients connect while the
/// rest of the check runs), then run() once, then closed within a bounded time.
class health_canary_run {
  public:
    using clock = std::chrono::steady_clock;

    /// Creates the clients; throws kafka_error when a config is refused. `budget` is the whole
    /// check's deadline: librdkafka gives up on the record after it too.
    health_canary_run(const health_canary& canary, std::chrono::milliseconds budget)
        : topic_(canary.topic),
          partition_(canary.partition),
          budget_(budget),
          producer_(producer_config_for(canary, budget)),
          consumer_(consumer_config_for(canary)) {}

    health_canary_run(const health_canary_run&) = delete;
    health_canary_run& operator=(const health_canary_run&) = delete;

    /// Purges an undelivered record and closes the consumer, bounded (closing without a group
    /// assignment or commit takes milliseconds; the bound covers brokers that went away).
    ~health_canary_run() {
        // What the config's callbacks throw here has nowhere to go: a destructor reports nothing.
        try {
            (void)producer_.close(std::chrono::milliseconds(0));
        } catch (...) {
        }
        try {
            error_info ignored;
            consumer_.close(std::chrono::milliseconds(1000), ignored);
        } catch (...) {
        }
    }

    /// A report for a canary that could not be run at all, e.g. on an unreachable cluster.
    [[nodiscard]] static health_canary_report not_run(const health_canary& canary,
                                                      std::string why) {
        health_canary_report out;
        out.topic = canary.topic;
        out.partition = canary.partition;
        out.failure = "not sent: " + std::move(why);
        return out;
    }

    /// Produces the record and reads it back, until `deadline`. `md` (every topic's metadata,
    /// just read) tells whether the topic and partition exist: the record is never sent to a
    /// topic the cluster lacks, where a broker might create it.
    [[nodiscard]] health_canary_report run(const rd_kafka_metadata_t& md,
                                           clock::time_point deadline) {
        health_canary_report out;
        out.topic = topic_;
        out.partition = partition_;
        if (auto missing = find_partition(md)) {
            out.failure = "not sent: " + *missing;
            return out;
        }
        out.value = health_canary_value();
        // A client new to a topic learns its leader at its next metadata refresh, up to a
        // second after the first send or assignment: asked now, so that the latencies are the
        // cluster's, not a client's start-up. A failure here shows in the produce that follows.
        learn_leader(producer_.native_handle(), deadline);
        learn_leader(consumer_.native_handle(), deadline);
        if (!produce(out, deadline))
            return out;
        read_back(out, deadline);
        return out;
    }

  private:
    static producer_config producer_config_for(const health_canary& c,
                                               std::chrono::milliseconds budget) {
        producer_config cfg(c.connection);
        cfg.acks("all")
            .enable_idempotence(false)
            .linger(std::chrono::milliseconds(0))
            .delivery_timeout(std::max(budget, std::chrono::milliseconds(1)))
            .set("allow.auto.create.topics", "false");
        if (!cfg.contains("client.id"))
            cfg.client_id(health_canary_marker);
        return cfg;
    }

    static consumer_config consumer_config_for(const health_canary& c) {
        consumer_config cfg(c.connection);
        if (!cfg.contains("group.id"))
            cfg.group_id(health_canary_marker);
        // A consumer never creates topics by default (allow.auto.create.topics=false).
        cfg.enable_auto_commit(false).fetch_wait_max(std::chrono::milliseconds(100));
        if (!cfg.contains("client.id"))
            cfg.client_id(health_canary_marker);
        return cfg;
    }

    /// Why the canary's partition cannot be written to, from the metadata; nullopt if it can.
    [[nodiscard]] std::optional<std::string> find_partition(const rd_kafka_metadata_t& md) const {
        for (int i = 0; i < md.topic_cnt; ++i) {
            const auto& t = md.topics[i];
            if (topic_ != t.topic)
                continue;
            if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR)
                return "topic '" + topic_ + "': " + rd_kafka_err2str(t.err);
            if (partition_ >= t.partition_cnt) {
                return "the topic has " + std::to_string(t.partition_cnt) + " partition(s), no " +
                       std::to_string(partition_);
            }
            return std::nullopt;
        }
        return "the cluster has no topic '" + topic_ + "'";
    }

    static int left_ms(clock::time_point deadline) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        return static_cast<int>(std::max<std::int64_t>(left.count(), 0));
    }

    void learn_leader(rd_kafka_t* rk, clock::time_point deadline) const {
        const topic_handle topic(rd_kafka_topic_new(rk, topic_.c_str(), nullptr));
        const rd_kafka_metadata_t* md = nullptr;
        if (topic && rd_kafka_metadata(rk, 0, topic.get(), &md, std::max(left_ms(deadline), 1)) ==
                         RD_KAFKA_RESP_ERR_NO_ERROR)
            rd_kafka_metadata_destroy(md);
    }

    [[nodiscard]] std::string within() const {
        return "within " + std::to_string(budget_.count()) + " ms";
    }

    bool produce(health_canary_report& out, clock::time_point deadline) {
        struct delivery {
            bool done = false;
            std::error_code ec;
            record_metadata where;
            clock::time_point at;
        };
        // Outlives the producer's use of it: the destructor purges before this run ends, and
        // a purged record's callback only writes here.
        auto state = std::make_shared<delivery>();
        producer_record<std::string, std::string> record(
            topic_, std::string(health_canary_marker), out.value,
            headers{{std::string(health_canary_marker), out.value}}, partition_);
        sent_ = clock::now();
        error_info err;
        producer_.send(
            record,
            [state](std::error_code ec, const record_metadata& md) {
                state->done = true;
                state->ec = ec;
                state->where = md;
                state->at = clock::now();
            },
            err);
        if (err) {
            out.failure = "not sent: " + err.message;
            return false;
        }
        while (!state->done && clock::now() < deadline)
            (void)producer_.poll(std::chrono::milliseconds(left_ms(deadline)));
        if (!state->done) {
            out.failure = "not delivered " + within();
            return false;
        }
        if (state->ec) {
            out.failure = "not delivered: " + state->ec.message();
            return false;
        }
        out.produced = true;
        out.offset = state->where.offset;
        out.produce_latency =
            std::max(std::chrono::duration_cast<std::chrono::microseconds>(state->at - sent_),
                     std::chrono::microseconds(1));
        return true;
    }

    void read_back(health_canary_report& out, clock::time_point deadline) {
        error_info err;
        consumer_.assign({topic_partition_offset(out.topic, out.partition, out.offset)}, err);
        if (err) {
            out.failure = "not read back: " + err.message;
            return;
        }
        while (clock::now() < deadline) {
            auto record = consumer_.poll(std::chrono::milliseconds(left_ms(deadline)), err);
            if (err) {
                out.failure = "not read back: " + err.message;
                return;
            }
            if (!record || record->offset != out.offset)
                continue;
            if (record->value != out.value) {
                out.failure =
                    "not read back: offset " + std::to_string(out.offset) + " holds another record";
                return;
            }
            out.read_back = true;
            out.end_to_end_latency = std::max(
                std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - sent_),
                std::chrono::microseconds(1));
            return;
        }
        out.failure = "not read back " + within();
    }

    std::string topic_;
    std::int32_t partition_;
    std::chrono::milliseconds budget_;
    producer<std::string, std::string> producer_;
    consumer<std::string, std::string> consumer_;
    clock::time_point sent_{};
};

}  // namespace detail

}  // namespace kflow
