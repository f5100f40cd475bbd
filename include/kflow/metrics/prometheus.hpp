#pragma once
// kflow's clients as Prometheus metrics: an observer (kflow/metrics/client_observer.hpp) that
// turns statistics, delivery reports and received records into the families of a registry
// (kflow/metrics/registry.hpp), which an application renders for its /metrics endpoint.

#include <kflow/metrics/client_observer.hpp>
#include <kflow/metrics/registry.hpp>
#include <kflow/metrics/statistics.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kflow::metrics {

/// Exports the clients it observes into a Prometheus registry.
///
///     kflow::metrics::registry registry;
///     auto exporter = std::make_shared<kflow::metrics::prometheus_exporter>(registry);
///     kflow::producer<std::string, std::string> producer(
///         kflow::producer_config{}.bootstrap_servers(servers).observe(exporter));
///     // ... serve kflow::metrics::to_prometheus_text(registry) at /metrics
///
/// From librdkafka's statistics (every statistics.interval.ms; observe() turns them on every
/// 5 s): the `kafka_client_*` totals and queue depth, `kafka_broker_*` per broker, and
/// `kafka_partition_*` and `kafka_consumer_*` per partition, including the consumer lag behind
/// the high watermark from the committed offset and from the position. Measured by kflow on
/// every record: `kflow_producer_delivery_latency_seconds` (send to delivery report) and
/// `kflow_consumer_end_to_end_latency_seconds` (the record's timestamp to its hand-over). Every
/// series carries `client_id`, librdkafka's handle name (`<client.id>#producer-1`), unique in
/// the process; docs/observability.md lists them all. A series a client stops reporting (a
/// partition revoked, a broker gone) is removed, and so are all of a destroyed client's.
///
/// Thread-safe: one exporter may serve every client of a process. Cost per record: a map
/// lookup under a mutex and a histogram update.
class prometheus_exporter final : public client_observer {
  public:
    /// Registers the families in `registry`, which must outlive the exporter. The latency
    /// histograms use `latency_buckets` (upper bounds in seconds).
    explicit prometheus_exporter(registry& registry,
                                 std::vector<double> latency_buckets = default_latency_buckets())
        : registry_(registry), latency_buckets_(std::move(latency_buckets)) {}

    /// Creates the client's latency histogram.
    void on_client_created(const client_description& client) override {
        const std::lock_guard lock(mutex_);
        auto& state = clients_[std::string(client.name)];
        state.producer = client.type == "producer";
        state.group = client.group_id;
        state.latency = &latency_family(state.producer).with({std::string(client.name)});
    }

    /// Removes every series of the client.
    void on_client_destroyed(std::string_view name) override {
        const std::lock_guard lock(mutex_);
        const auto it = clients_.find(name);
        if (it == clients_.end())
            return;
        for (auto& [family_name, written] : it->second.families) {
            for (const auto& labels : written.series)
                written.remove(labels);
        }
        (void)latency_family(it->second.producer).remove({std::string(name)});
        clients_.erase(it);
    }

    /// Updates the statistics-derived series of the client, and removes those it no longer
    /// reports.
    void on_statistics(const statistics& stats) override {
        const std::lock_guard lock(mutex_);
        auto& client = clients_[stats.name];
        written_now now;
        write_client(client, now, stats);
        for (const auto& broker : stats.brokers)
            write_broker(client, now, stats.name, broker);
        for (const auto& topic : stats.topics) {
            for (const auto& partition : topic.partitions) {
                if (!partition.is_unassigned())
                    write_partition(client, now, stats.name, topic.name, partition);
            }
        }
        if (stats.consumer_group)
            write_group(client, now, stats.name, *stats.consumer_group);
        // What the previous document had and this one lacks is gone.
        for (auto& [family_name, written] : client.families) {
            const auto& current = now[family_name];
            for (const auto& labels : written.series) {
                if (!current.contains(labels))
                    written.remove(labels);
            }
            written.series = current;
        }
    }

    /// Observes the latency of a delivered record (failures are not: their "latency" is how
    /// long librdkafka tried).
    void on_delivered(const delivery_observation& delivery) override {
        if (delivery.error)
            return;
        observe(delivery.client, std::chrono::duration<double>(delivery.latency).count());
    }

    /// Observes the end-to-end latency of a received record that has a timestamp.
    void on_received(const receive_observation& record) override {
        if (!record.timestamp)
            return;
        const auto age = std::chrono::system_clock::now() - *record.timestamp;
        // The producer's clock may be ahead of this host's: such a record counts as 0.
        observe(record.client, std::max(0.0, std::chrono::duration<double>(age).count()));
    }

  private:
    struct written_family {
        std::function<void(const label_values&)> remove;
        std::set<label_values> series;
    };
    struct client_state {
        bool producer = true;
        std::string group;
        histogram* latency = nullptr;
        std::map<std::string, written_family> families;  // statistics-derived, by family name
    };
    // The series one statistics document wrote, by family name.
    using written_now = std::map<std::string, std::set<label_values>>;

    void observe(std::string_view client, double seconds) {
        const std::lock_guard lock(mutex_);
        const auto it = clients_.find(client);
        if (it != clients_.end() && it->second.latency != nullptr)
            it->second.latency->observe(seconds);
    }

    family<histogram>& latency_family(bool producer) {
        if (producer) {
            return registry_.histogram_family(
                "kflow_producer_delivery_latency_seconds",
                "Time from a send to its delivery report, as librdkafka measured it.",
                {"client_id"}, latency_buckets_);
        }
        return registry_.histogram_family(
            "kflow_consumer_end_to_end_latency_seconds",
            "Time from a record's timestamp (its producer's clock, or the broker's for "
            "LogAppendTime) to its hand-over to the application.",
            {"client_id"}, latency_buckets_);
    }

    // Sets one series of a statistics-derived family and remembers it; nothing when the value
    // is unknown (the series then disappears).
    template <class Metric>
    void set(client_state& client, written_now& now, family<Metric>& family, label_values labels,
             std::optional<double> value) {
        if (!value)
            return;
        if constexpr (std::is_same_v<Metric, metrics::counter>) {
            if (*value < 0)
                return;
            family.with(labels).set_total(*value);
        } else {
            family.with(labels).set(*value);
        }
        auto& written = client.families[family.name()];
        if (!written.remove)
            written.remove = [&family](const label_values& l) { (void)family.remove(l); };
        now[family.name()].insert(std::move(labels));
    }

    template <class T>
    static std::optional<double> known(const std::optional<T>& v) {
        if (!v)
            return std::nullopt;
        return static_cast<double>(*v);
    }
    // An offset librdkafka reports as -1001 (unknown) or -1 is no value.
    static std::optional<double> offset(const std::optional<std::int64_t>& v) {
        if (!v || *v < 0)
            return std::nullopt;
        return static_cast<double>(*v);
    }
    // librdkafka's window statistics are in microseconds (rtt) or milliseconds (throttle).
    static std::optional<double> scaled(const std::optional<std::int64_t>& v, double per_second) {
        if (!v || *v < 0)
            return std::nullopt;
        return static_cast<double>(*v) / per_second;
    }

    void write_client(client_state& c, written_now& now, const statistics& s) {
        const std::vector<std::string> l{"client_id"};
        const label_values v{s.name};
        auto total = [&](const char* name, const char* help, const std::optional<std::int64_t>& x) {
            set(c, now, registry_.counter_family(name, help, l), v, known(x));
        };
        total("kafka_client_messages_sent_total", "Records sent to brokers (librdkafka txmsgs).",
              s.txmsgs);
        total("kafka_client_message_bytes_sent_total",
              "Bytes of records sent to brokers (librdkafka txmsg_bytes).", s.txmsg_bytes);
        total("kafka_client_messages_received_total",
              "Records received from brokers (librdkafka rxmsgs).", s.rxmsgs);
        total("kafka_client_message_bytes_received_total",
              "Bytes of records received from brokers (librdkafka rxmsg_bytes).", s.rxmsg_bytes);
        total("kafka_client_requests_sent_total", "Requests sent to brokers (librdkafka tx).",
              s.tx);
        total("kafka_client_responses_received_total",
              "Responses received from brokers (librdkafka rx).", s.rx);
        if (c.producer) {
            set(c, now,
                registry_.gauge_family("kafka_client_queue_messages",
                                       "Records in the producer's queues, not yet delivered "
                                       "(librdkafka msg_cnt).",
                                       l),
                v, known(s.msg_cnt));
            set(c, now,
                registry_.gauge_family("kafka_client_queue_bytes",
                                       "Bytes of records in the producer's queues (librdkafka "
                                       "msg_size).",
                                       l),
                v, known(s.msg_size));
        }
    }

    void write_broker(client_state& c, written_now& now, const std::string& client,
                      const broker_statistics& b) {
        // librdkafka's internal pseudo-broker and bootstrap entries without an id are not
        // brokers of the cluster.
        if (!b.nodeid || *b.nodeid < 0)
            return;
        const std::vector<std::string> l{"client_id", "broker"};
        const label_values v{client, std::to_string(*b.nodeid)};
        auto total = [&](const char* name, const char* help, const std::optional<std::int64_t>& x) {
            set(c, now, registry_.counter_family(name, help, l), v, known(x));
        };
        auto gauge = [&](const char* name, const char* help, std::optional<double> x) {
            set(c, now, registry_.gauge_family(name, help, l), v, x);
        };
        gauge("kafka_broker_up", "1 while the connection to the broker is up, else 0.",
              b.state.empty() ? std::nullopt : std::optional<double>(b.state == "UP" ? 1 : 0));
        total("kafka_broker_connects_total", "Connections made to the broker.", b.connects);
        total("kafka_broker_disconnects_total", "Connections to the broker lost or closed.",
              b.disconnects);
        total("kafka_broker_request_errors_total", "Requests that failed to be sent (txerrs).",
              b.txerrs);
        total("kafka_broker_response_errors_total", "Responses that failed (rxerrs).", b.rxerrs);
        total("kafka_broker_request_timeouts_total", "Requests that timed out.", b.req_timeouts);
        gauge("kafka_broker_waiting_requests", "Requests sent, awaiting their response.",
              known(b.waitresp_cnt));
        gauge("kafka_broker_rtt_avg_seconds",
              "Average round-trip time of requests in the last statistics window.",
              scaled(b.rtt.avg, 1e6));
        gauge("kafka_broker_rtt_p99_seconds",
              "99th percentile of round-trip times in the last statistics window.",
              scaled(b.rtt.p99, 1e6));
        gauge("kafka_broker_throttle_avg_seconds",
              "Average time the broker throttled the client in the last statistics window.",
              scaled(b.throttle.avg, 1e3));
    }

    void write_partition(client_state& c, written_now& now, const std::string& client,
                         const std::string& topic, const partition_statistics& p) {
        const std::vector<std::string> l{"client_id", "topic", "partition"};
        const label_values v{client, topic, std::to_string(p.partition)};
        auto total = [&](const char* name, const char* help, const std::optional<std::int64_t>& x) {
            set(c, now, registry_.counter_family(name, help, l), v, known(x));
        };
        auto gauge = [&](const char* name, const char* help, std::optional<double> x) {
            set(c, now, registry_.gauge_family(name, help, l), v, x);
        };
        gauge("kafka_partition_high_watermark",
              "The partition's high watermark: the offset its next record will get.",
              offset(p.hi_offset));
        if (c.producer) {
            total("kafka_partition_messages_sent_total", "Records sent to the partition.",
                  p.txmsgs);
            std::optional<double> queued;
            if (p.msgq_cnt || p.xmit_msgq_cnt)
                queued = static_cast<double>(p.msgq_cnt.value_or(0) + p.xmit_msgq_cnt.value_or(0));
            gauge("kafka_partition_queue_messages",
                  "Records queued for the partition, not yet sent.", queued);
            gauge("kafka_partition_inflight_messages",
                  "Records sent to the partition, awaiting acknowledgement.",
                  known(p.msgs_inflight));
            return;
        }
        total("kafka_partition_messages_received_total", "Records received from the partition.",
              p.rxmsgs);
        gauge("kafka_consumer_committed_offset", "The group's committed offset for the partition.",
              offset(p.committed_offset));
        gauge("kafka_consumer_position",
              "The offset after the last record handed to the application.", offset(p.app_offset));
        // Lag carries the group, so that a dashboard sums it per group.
        const std::vector<std::string> lag_labels{"client_id", "group", "topic", "partition"};
        const label_values lag_values{client, c.group, topic, std::to_string(p.partition)};
        set(c, now,
            registry_.gauge_family("kafka_consumer_lag_messages",
                                   "Records between the group's committed offset and the "
                                   "partition's end (librdkafka consumer_lag).",
                                   lag_labels),
            lag_values, known(p.lag_committed()));
        set(c, now,
            registry_.gauge_family("kafka_consumer_position_lag_messages",
                                   "Records between the consumer's position and the "
                                   "partition's end: not yet handed to the application.",
                                   lag_labels),
            lag_values, known(p.lag_position()));
    }

    void write_group(client_state& c, written_now& now, const std::string& client,
                     const consumer_group_statistics& g) {
        const std::vector<std::string> l{"client_id", "group"};
        const label_values v{client, c.group};
        set(c, now,
            registry_.counter_family("kafka_consumer_group_rebalances_total",
                                     "Rebalances the consumer took part in.", l),
            v, known(g.rebalance_cnt));
        set(c, now,
            registry_.gauge_family("kafka_consumer_group_assigned_partitions",
                                   "Partitions assigned to the consumer.", l),
            v, known(g.assignment_size));
        set(c, now,
            registry_.gauge_family("kafka_consumer_group_up",
                                   "1 while the consumer is joined to its group's coordinator "
                                   "(state up), else 0.",
                                   l),
            v, g.state.empty() ? std::nullopt : std::optional<double>(g.state == "up" ? 1 : 0));
    }

    registry& registry_;
    std::vector<double> latency_buckets_;
    std::mutex mutex_;
    std::map<std::string, client_state, std::less<>> clients_;
};

}  // namespace kflow::metrics
