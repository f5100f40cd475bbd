// kflow-demo: a producer sends keyed JSON order events with headers; a consumer in a group reads
// them back and prints them.
//
// Where the events go:
//   KAFKA_BOOTSTRAP_SERVERS unset   an embedded mock Kafka cluster (librdkafka's, listening on
//                                   127.0.0.1), with the topic created with 3 partitions
//   KAFKA_BOOTSTRAP_SERVERS=h:9092  that cluster; the topic (KFLOW_DEMO_TOPIC, default
//                                   kflow-demo-orders) must exist or be auto-created there
//
// The connection to a real cluster comes from the environment (kflow::config_from_env): every
// KAFKA_* variable naming a librdkafka property applies, KAFKA_SECURITY_PROTOCOL,
// KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL_CA_LOCATION,
// KAFKA_SSL_CERTIFICATE_LOCATION and KAFKA_SSL_KEY_LOCATION among them. The embedded cluster
// speaks plain TCP only, so its clients get none of them (the demo names those it leaves out).
// The demo prints the protocol and mechanism it uses, never a secret.
//
// Exits 0 only when every event sent came back.

#include "order_event.hpp"

#include <kflow.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;
using demo::order_event;

// Every event carries the run's id in a header, so that on a real cluster, where the topic may
// hold events of earlier runs, the consumer can tell this run's events apart.
constexpr const char* run_header = "demo-run";

std::string env_or(const char* name, std::string fallback) {
    const char* value = std::getenv(name);
    return (value != nullptr && *value != '\0') ? std::string(value) : fallback;
}

std::vector<order_event> sample_orders() {
    // clang-format off
    return {
        {"order-1001", "alice", "keyboard",  1, 4990},
        {"order-1002", "erin",  "monitor",   2, 35800},
        {"order-1003", "trent", "usb cable", 3, 1497},
        {"order-1004", "alice", "mouse",     1, 2450},
        {"order-1005", "erin",  "desk lamp", 1, 3999},
        {"order-1006", "trent", "headset",   1, 8900},
    };
    // clang-format on
}

std::string money(long cents) {
    std::ostringstream out;
    out << cents / 100 << '.' << std::setw(2) << std::setfill('0') << cents % 100;
    return out.str();
}

/// Sends the orders keyed by customer, so each customer's orders keep their order on one
/// partition. Returns how many the brokers confirmed.
std::size_t produce(const kflow::client_config& connection, const std::string& topic,
                    const std::string& run_id, const std::vector<order_event>& orders) {
    kflow::producer<std::string, order_event> producer(
        kflow::producer_config(connection).client_id("kflow-demo"));

    std::size_t confirmed = 0;
    for (const auto& order : orders) {
        kflow::producer_record<std::string, order_event> record{topic, order.customer, order};
        record.headers.add("event-type", "order-placed")
            .add("content-type", "application/json")
            .add(run_header, run_id);
        // The callback runs inside poll() or flush() below, on this thread.
        producer.send(record, [&confirmed, id = order.order_id](std::error_code ec,
                                                                const kflow::record_metadata& md) {
            if (ec) {
                std::cerr << "  not delivered: " << id << ": " << ec.message() << '\n';
                return;
            }
            ++confirmed;
            std::cout << "  sent     " << id << " -> partition " << md.partition << ", offset "
                      << md.offset << '\n';
        });
    }
    kflow::error_info flushed;
    producer.flush(30s, flushed);
    if (flushed.code == kflow::errc::authentication_failed ||
        flushed.code == kflow::errc::tls_handshake_failed) {
        // Final: nothing more can get through with this configuration.
        flushed.raise("producer");
    }
    if (flushed)
        std::cerr << "  " << flushed.message << " (is the cluster reachable?)\n";
    return confirmed;
}

void print(const kflow::consumer_record<std::string, order_event>& record) {
    const order_event& order = record.value;
    std::cout << "  received " << order.order_id << " <- partition " << record.partition
              << ", offset " << record.offset << ": key=" << record.key << ", " << order.quantity
              << " x " << order.item << ", total " << money(order.total_cents) << ", headers {";
    const char* separator = "";
    for (const auto& header : record.headers) {
        std::cout << separator << header.key << '=' << header.value.value_or("(null)");
        separator = ", ";
    }
    std::cout << "}\n";
}

/// Reads in a fresh consumer group from the start of the topic until every order of this run
/// came back or `deadline` passed. Returns the orders that came back, by order id.
std::map<std::string, order_event> consume(const kflow::client_config& connection,
                                           const std::string& topic, const std::string& run_id,
                                           std::size_t expected, std::chrono::seconds deadline) {
    kflow::consumer<std::string, order_event> consumer(
        kflow::consumer_config(connection)
            .client_id("kflow-demo")
            .group_id("kflow-demo-" + run_id)
            .auto_offset_reset(kflow::offset_reset::earliest)
            // A fetch with no data waits at most this long (default 500 ms): keeps the demo
            // snappy; the default suits throughput better.
            .fetch_wait_max(100ms));
    consumer.subscribe({topic});

    std::map<std::string, order_event> received;
    std::size_t earlier_runs = 0;
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (received.size() < expected && std::chrono::steady_clock::now() < until) {
        try {
            for (const auto& record : consumer.poll_batch(64, 200ms)) {
                if (record.headers.last(run_header) != run_id) {
                    ++earlier_runs;
                    continue;
                }
                print(record);
                received.emplace(record.value.order_id, record.value);
            }
        } catch (const kflow::deserialization_error& e) {
            // Not an order event (or a broken one): report it and move past it.
            std::cerr << "  skipped: " << e.what() << '\n';
            consumer.mark_handled(e.failure());
        }
    }
    if (earlier_runs > 0) {
        std::cout << "  (skipped " << earlier_runs << " events of earlier runs)\n";
    }
    consumer.close();
    return received;
}

/// "security: SASL_SSL, SASL mechanism SCRAM-SHA-256": what the connection uses, no secret.
std::string security_summary(const kflow::client_config& connection) {
    // The protocol the clients will use: the one set, or the one kflow infers from the SASL and
    // TLS settings (SASL settings alone mean SASL_SSL), not just the property.
    const std::string protocol = connection.security_protocol();
    std::string summary = "security: " + protocol;
    if (protocol.starts_with("SASL")) {
        auto mechanism = connection.get("sasl.mechanism");
        if (!mechanism)
            mechanism = connection.get("sasl.mechanisms");
        // GSSAPI is librdkafka's default.
        summary += ", SASL mechanism " + mechanism.value_or("GSSAPI");
        if (const auto user = connection.get("sasl.username"))
            summary += ", user " + *user;
    }
    return summary;
}

}  // namespace

int main() try {
    const std::string topic = env_or("KFLOW_DEMO_TOPIC", "kflow-demo-orders");
    // Throws, naming the variable, when one holds a value librdkafka rejects.
    kflow::env_config from_env = kflow::config_from_env();

    // Declared first so that it outlives the producer and consumer that talk to it.
    std::optional<kflow::testing::mock_cluster> cluster;
    kflow::client_config connection;
    std::string bootstrap;
    if (!from_env.contains("bootstrap.servers")) {
        cluster.emplace(1);
        cluster->create_topic(topic, 3);
        bootstrap = cluster->bootstrap_servers();
        // The embedded cluster speaks plain TCP, without SASL or TLS: the KAFKA_* settings are
        // for a real cluster and do not apply to it.
        connection.bootstrap_servers(bootstrap);
        std::cout << "kflow-demo: embedded mock Kafka cluster at " << bootstrap << '\n';
        if (!from_env.used_variables().empty()) {
            std::cout << "kflow-demo: not applied to the embedded cluster:";
            for (const auto& variable : from_env.used_variables())
                std::cout << ' ' << variable;  // names only: values may be secrets
            std::cout << '\n';
        }
    } else {
        connection = std::move(from_env);
        bootstrap = *connection.get("bootstrap.servers");
        std::cout << "kflow-demo: Kafka cluster at " << bootstrap << '\n';
    }
    std::cout << "kflow-demo: " << security_summary(connection) << '\n';
    std::cout << "kflow " << kflow::version_major << '.' << kflow::version_minor << '.'
              << kflow::version_patch << ", librdkafka " << kflow::librdkafka_runtime_version()
              << ", topic " << topic << "\n\n";

    const auto orders = sample_orders();
    const std::string run_id = kflow::testing::unique_name("run");

    std::cout << "Producing " << orders.size() << " order events (key = customer):\n";
    const std::size_t confirmed = produce(connection, topic, run_id, orders);

    std::cout << "\nConsuming them in a consumer group:\n";
    const auto received = consume(connection, topic, run_id, orders.size(), 30s);

    std::size_t intact = 0;
    for (const auto& order : orders) {
        const auto it = received.find(order.order_id);
        if (it == received.end()) {
            std::cerr << "  missing: " << order.order_id << '\n';
        } else if (!(it->second == order)) {
            std::cerr << "  changed on the way: " << order.order_id << '\n';
        } else {
            ++intact;
        }
    }
    std::cout << "\nkflow-demo: " << confirmed << " of " << orders.size() << " delivered, "
              << intact << " of " << orders.size() << " read back intact\n";
    return (confirmed == orders.size() && intact == orders.size()) ? EXIT_SUCCESS : EXIT_FAILURE;
} catch (const std::exception& e) {
    std::cerr << "kflow-demo: " << e.what() << '\n';
    return EXIT_FAILURE;
}
