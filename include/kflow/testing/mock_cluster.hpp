#pragma once
// kflow::testing::mock_cluster: librdkafka's in-process mock Kafka cluster, owned RAII-style.
//
// The brokers listen on 127.0.0.1 TCP ports and speak the Kafka protocol, so any client (kflow,
// kcat, kafka-python) can use bootstrap_servers(). What the mock serves and what it does not
// (no admin APIs, no SASL/TLS listeners, ~5 MiB log per partition) is in docs/mock-cluster.md.
//
// Thread safety: the fault-injection methods may be called from any thread while clients run.

#include <kflow/detail/handles.hpp>
#include <kflow/error.hpp>

#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kflow::testing {

/// Kafka protocol API keys, for fault injection.
enum class api_key : std::int16_t {
    produce = 0,
    fetch = 1,
    list_offsets = 2,
    metadata = 3,
    offset_commit = 8,
    offset_fetch = 9,
    find_coordinator = 10,
    join_group = 11,
    heartbeat = 12,
    leave_group = 13,
    sync_group = 14,
    describe_groups = 15,
    list_groups = 16,
    api_versions = 18,
    create_topics = 19,
    delete_topics = 20,
    delete_records = 21,
    init_producer_id = 22,
    add_partitions_to_txn = 24,
    add_offsets_to_txn = 25,
    end_txn = 26,
    txn_offset_commit = 28,
    describe_acls = 29,
    create_acls = 30,
    delete_acls = 31,
    describe_configs = 32,
    alter_configs = 33,
    create_partitions = 37,
    delete_groups = 42,
    incremental_alter_configs = 44,
    offset_delete = 47,
};

/// librdkafka's in-process mock Kafka cluster, owned RAII-style: created by the constructor,
/// destroyed with the object (clients connected to it then lose their brokers). Neither
/// copyable nor movable.
///
/// The brokers listen on 127.0.0.1 TCP ports and speak the Kafka protocol, so any client
/// (kflow, kcat, kafka-python) can use bootstrap_servers(). The mock has no admin APIs and no
/// SASL/TLS listeners, and keeps about 5 MiB of log per partition (see docs/mock-cluster.md).
///
/// Thread safety: the fault-injection methods may be called from any thread while clients run.
/// Those that can fail throw kafka_error with the mock's error code.
class mock_cluster {
  public:
    /// For broker_down/up, set_round_trip_time and set_rack: every broker at once.
    static constexpr std::int32_t all_brokers = -1;

    /// Starts `brokers` mock brokers (ids 1..brokers). Throws kafka_error
    /// (RD_KAFKA_RESP_ERR__INVALID_ARG) when `brokers` < 1.
    explicit mock_cluster(int brokers = 1) {
        if (brokers < 1) {
            throw kafka_error(
                make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG),
                "mock cluster: broker count must be at least 1, got " + std::to_string(brokers));
        }
        char errstr[512] = {0};
        detail::conf_handle conf(rd_kafka_conf_new());
        // The owning handle never talks to the cluster; keep it quiet.
        rd_kafka_conf_set(conf.get(), "log_level", "3", errstr, sizeof errstr);
        rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr, sizeof errstr);
        if (rk == nullptr) {
            throw kafka_error(make_error_code(errc::invalid_config),
                              std::string("mock cluster: cannot create owner handle: ") + errstr);
        }
        (void)conf.release();
        owner_.reset(rk);
        cluster_ = rd_kafka_mock_cluster_new(owner_.get(), brokers);
        if (cluster_ == nullptr) {
            throw kafka_error(make_error_code(RD_KAFKA_RESP_ERR__FAIL),
                              "mock cluster: rd_kafka_mock_cluster_new failed");
        }
        brokers_ = brokers;
    }

    mock_cluster(const mock_cluster&) = delete;
    mock_cluster& operator=(const mock_cluster&) = delete;

    ~mock_cluster() {
        if (cluster_ != nullptr)
            rd_kafka_mock_cluster_destroy(cluster_);
    }

    /// "127.0.0.1:port,..." for bootstrap.servers.
    [[nodiscard]] std::string bootstrap_servers() const {
        return rd_kafka_mock_cluster_bootstraps(cluster_);
    }
    /// The number of brokers the cluster was started with (broker ids are 1..broker_count()).
    [[nodiscard]] int broker_count() const noexcept { return brokers_; }

    /// Creates a topic with a chosen partition count. Without it, a topic is auto-created on
    /// first use with 4 partitions. Throws kafka_error with RD_KAFKA_RESP_ERR_INVALID_PARTITIONS
    /// (partitions < 1) or RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR (not in 1..broker
    /// count), as a real cluster would, and with the mock's error if it refuses (e.g.
    /// RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS).
    ///
    /// librdkafka 2.0.2's mock takes `replication_factor` but does not apply it: every
    /// partition is replicated on the first min(3, broker count) brokers, as Metadata reports.
    void create_topic(std::string_view name, int partitions = 1, int replication_factor = 1) {
        if (partitions < 1) {
            throw kafka_error(make_error_code(RD_KAFKA_RESP_ERR_INVALID_PARTITIONS),
                              "mock cluster: create topic " + std::string(name) +
                                  ": partitions must be at least 1, got " +
                                  std::to_string(partitions));
        }
        if (replication_factor < 1 || replication_factor > brokers_) {
            throw kafka_error(make_error_code(RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR),
                              "mock cluster: create topic " + std::string(name) +
                                  ": replication factor must be from 1 to the broker count (" +
                                  std::to_string(brokers_) + "), got " +
                                  std::to_string(replication_factor));
        }
        check(rd_kafka_mock_topic_create(cluster_, std::string(name).c_str(), partitions,
                                         replication_factor),
              "create topic " + std::string(name));
    }

    /// Makes Metadata (and AddPartitionsToTxn) responses report `err` for `topic`: clients then
    /// fail the topic's messages or subscription with it. RD_KAFKA_RESP_ERR_NO_ERROR clears it.
    /// The mock's Produce and Fetch handlers ignore it (use push_request_errors for those).
    void set_topic_error(std::string_view topic, rd_kafka_resp_err_t err) {
        rd_kafka_mock_topic_set_error(cluster_, std::string(topic).c_str(), err);
    }

    /// Takes a broker off the network (its connections drop and it refuses new ones) or back.
    /// Leadership does not move: the partitions it leads are unavailable until broker_up()
    /// or set_partition_leader().
    void broker_down(std::int32_t broker_id) {
        check(rd_kafka_mock_broker_set_down(cluster_, broker_id), "broker down");
    }
    /// Brings a broker taken down by broker_down() back: it accepts connections again.
    void broker_up(std::int32_t broker_id) {
        check(rd_kafka_mock_broker_set_up(cluster_, broker_id), "broker up");
    }
    /// Delays every response of a broker by `rtt`.
    void set_round_trip_time(std::int32_t broker_id, std::chrono::milliseconds rtt) {
        check(rd_kafka_mock_broker_set_rtt(cluster_, broker_id, static_cast<int>(rtt.count())),
              "set rtt");
    }
    /// Sets the rack a broker reports in Metadata (for rack-aware assignment and
    /// fetch-from-follower with client.rack).
    void set_rack(std::int32_t broker_id, std::string_view rack) {
        check(rd_kafka_mock_broker_set_rack(cluster_, broker_id, std::string(rack).c_str()),
              "set rack");
    }

    /// The next responses to `api` (cluster-wide) fail with these errors, one per request.
    void push_request_errors(api_key api, const std::vector<rd_kafka_resp_err_t>& errors) {
        rd_kafka_mock_push_request_errors_array(cluster_, static_cast<std::int16_t>(api),
                                                errors.size(), errors.data());
    }
    /// Per-broker errors, each response delayed by its round-trip time.
    void push_broker_request_errors(
        std::int32_t broker_id, api_key api,
        const std::vector<std::pair<rd_kafka_resp_err_t, std::chrono::milliseconds>>& errors) {
        for (const auto& [err, rtt] : errors) {
            check(rd_kafka_mock_broker_push_request_error_rtts(cluster_, broker_id,
                                                               static_cast<std::int16_t>(api), 1,
                                                               err, static_cast<int>(rtt.count())),
                  "push broker request error");
        }
    }
    /// Drops the errors still queued for `api` by push_request_errors().
    void clear_request_errors(api_key api) {
        rd_kafka_mock_clear_request_errors(cluster_, static_cast<std::int16_t>(api));
    }

    /// Moves a partition's leadership (-1: no leader).
    void set_partition_leader(std::string_view topic, std::int32_t partition,
                              std::int32_t broker_id) {
        check(rd_kafka_mock_partition_set_leader(cluster_, std::string(topic).c_str(), partition,
                                                 broker_id),
              "set partition leader");
    }
    /// Makes consumers fetch from a follower (KIP-392).
    void set_partition_follower(std::string_view topic, std::int32_t partition,
                                std::int32_t broker_id) {
        check(rd_kafka_mock_partition_set_follower(cluster_, std::string(topic).c_str(), partition,
                                                   broker_id),
              "set partition follower");
    }
    /// Sets which broker coordinates a group ("group") or transactional id ("transaction").
    void set_coordinator(std::string_view key_type, std::string_view key, std::int32_t broker_id) {
        check(rd_kafka_mock_coordinator_set(cluster_, std::string(key_type).c_str(),
                                            std::string(key).c_str(), broker_id),
              "set coordinator");
    }
    /// Limits the versions the cluster advertises for an API (-1, -1 removes the API).
    void set_api_versions(api_key api, std::int16_t min_version, std::int16_t max_version) {
        check(rd_kafka_mock_set_apiversion(cluster_, static_cast<std::int16_t>(api), min_version,
                                           max_version),
              "set api version");
    }

    /// The underlying librdkafka mock cluster, for rd_kafka_mock_* calls kflow does not wrap.
    /// Owned by this object: do not destroy it.
    [[nodiscard]] rd_kafka_mock_cluster_t* native() const noexcept { return cluster_; }

  private:
    static void check(rd_kafka_resp_err_t err, const std::string& what) {
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            throw kafka_error(make_error_code(err), "mock cluster: " + what);
        }
    }

    detail::kafka_handle owner_;
    rd_kafka_mock_cluster_t* cluster_ = nullptr;  // destroyed before owner_
    int brokers_ = 0;
};

}  // namespace kflow::testing
