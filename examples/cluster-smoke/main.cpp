// kflow-cluster-smoke: a smoke test of a Kafka cluster. It makes sure `events-topic` exists with
// replication factor 3, produces one record to it, reads it back, and prints the brokers, the
// controller, each partition's leader and in-sync replicas and kflow::cluster_health's verdict.
//
// Where it runs:
//   KAFKA_BOOTSTRAP_SERVERS unset   an embedded three-broker mock Kafka cluster (librdkafka's,
//                                   on 127.0.0.1); the topic is created through the mock, which
//                                   has no CreateTopics
//   KAFKA_BOOTSTRAP_SERVERS=h:9092  that cluster, through kflow::config_from_env (every KAFKA_*
//                                   variable applies); the topic is created with
//                                   kflow::ensure_topics when missing
//
// Exits 0 only when every step succeeded and the cluster is healthy; otherwise 1, with a line
// naming each step that failed.

#include <kflow.hpp>
#include <kflow/admin.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

constexpr const char* topic = "events-topic";
constexpr const char* program = "kflow-cluster-smoke";

// Steps that failed, each named; the exit status is 0 only when none did.
std::vector<std::string> failures;

void fail(const std::string& what) {
    std::cerr << program << ": FAILED: " << what << '\n';
    failures.push_back(what);
}

bool ensure_topic(kflow::admin_client& admin) {
    std::vector<kflow::topic_ensure_result> results;
    try {
        results = kflow::ensure_topics(admin, {kflow::topic_spec(topic, 3, 3)});
    } catch (const kflow::kafka_error& e) {
        // Nothing answered the first request: the health check below says more.
        fail(std::string("ensuring ") + topic + ": " + e.what());
        return false;
    }
    for (const auto& r : results) {
        if (!r.ok()) {
            fail(std::string("ensuring ") + topic + ": " + r.message);
            return false;
        }
        std::cout << "topic " << r.name << ": " << (r.existed ? "exists" : "created") << '\n';
    }
    return true;
}

// Produces `value` keyed by this run's id; returns where it was stored.
std::optional<kflow::record_metadata> produce(const kflow::client_config& connection,
                                              const std::string& key, const std::string& value) {
    kflow::producer<std::string, std::string> producer(
        kflow::producer_config(connection).client_id(program));
    std::optional<kflow::record_metadata> stored;
    std::string failure;
    producer.send(kflow::producer_record<std::string, std::string>{topic, key, value},
                  [&](std::error_code ec, const kflow::record_metadata& md) {
                      if (ec)
                          failure = ec.message();
                      else
                          stored = md;
                  });
    kflow::error_info flushed;
    producer.flush(15s, flushed);
    if (!stored) {
        fail("producing '" + value + "': " +
             (!failure.empty() ? failure
              : flushed        ? flushed.message
                               : std::string("no answer")));
    }
    return stored;
}

// Reads the record back from the partition and offset it was stored at.
bool consume(const kflow::client_config& connection, const kflow::record_metadata& at,
             const std::string& key, const std::string& value) {
    kflow::consumer<std::string, std::string> consumer(
        kflow::consumer_config(connection)
            .client_id(program)
            .group_id(kflow::testing::unique_name("kflow-cluster-smoke"))
            .fetch_wait_max(100ms));
    consumer.assign({kflow::topic_partition_offset(topic, at.partition, at.offset)});
    const auto until = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < until) {
        for (const auto& record : consumer.poll_batch(16, 200ms)) {
            if (record.key == key && record.value == value) {
                std::cout << "consumed '" << record.value << "' from " << topic << " ["
                          << record.partition << "] @ " << record.offset << '\n';
                consumer.close();
                return true;
            }
        }
    }
    consumer.close();
    fail("consuming '" + value + "': not read back within 15 s");
    return false;
}

}  // namespace

int main() try {
    // Throws, naming the variable, when one holds a value librdkafka rejects.
    kflow::env_config from_env = kflow::config_from_env();

    // Declared first so that it outlives every client that talks to it.
    std::optional<kflow::testing::mock_cluster> cluster;
    kflow::client_config connection;
    if (!from_env.contains("bootstrap.servers")) {
        cluster.emplace(3);
        // The embedded cluster speaks plain TCP only: KAFKA_* settings are for a real cluster.
        connection.bootstrap_servers(cluster->bootstrap_servers());
        std::cout << program << ": embedded three-broker mock Kafka cluster at "
                  << cluster->bootstrap_servers() << '\n';
    } else {
        connection = std::move(from_env);
        std::cout << program << ": Kafka cluster at " << *connection.get("bootstrap.servers")
                  << '\n';
    }

    // A 10 s request timeout (not 30 s) keeps a run against an unreachable cluster short.
    kflow::admin_client admin(
        kflow::admin_config(connection).client_id(program).request_timeout(10s));
    bool topic_ready = true;
    if (cluster) {
        cluster->create_topic(topic, 3, 3);
        std::cout << "topic " << topic << ": created on the mock\n";
    } else {
        topic_ready = ensure_topic(admin);
    }

    if (topic_ready) {
        const std::string key = kflow::testing::unique_name("smoke");
        if (const auto stored = produce(connection, key, "hello")) {
            std::cout << "produced 'hello' to " << topic << " [" << stored->partition << "] @ "
                      << stored->offset << '\n';
            consume(connection, *stored, key, "hello");
        }
    }

    const auto health = kflow::cluster_health(admin, {10s, {topic}});
    std::cout << health;
    if (!health.healthy())
        fail("cluster health: " + health.summary);
    if (topic_ready && health.verdict != kflow::health_verdict::unreachable) {
        for (const auto& t : health.topics) {
            if (t.replication_factor() != 3)
                fail(t.item_name() + " has replication factor " +
                     std::to_string(t.replication_factor()) + ", not 3");
        }
    }

    if (failures.empty()) {
        std::cout << program << ": all checks passed\n";
        return EXIT_SUCCESS;
    }
    std::cerr << program << ": " << failures.size() << " check(s) failed\n";
    return EXIT_FAILURE;
} catch (const std::exception& e) {
    std::cerr << program << ": FAILED: " << e.what() << '\n';
    return EXIT_FAILURE;
}
