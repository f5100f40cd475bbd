#pragma once
// Where an example connects. In order of precedence:
//   --bootstrap HOST:PORT,...   that cluster
//   KAFKA_BOOTSTRAP_SERVERS     that cluster, with every other KAFKA_* variable (security
//                               protocol, SASL, TLS, ...) applied through kflow::config_from_env
//   neither                     an embedded mock Kafka cluster (librdkafka's, on 127.0.0.1),
//                               started for this run with the topics the example needs

#include <kflow/env_config.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace example {

struct topic_to_create {
    std::string name;
    int partitions = 1;
};

struct connection {
    /// Declared first, so that it outlives every client built from `config`.
    std::unique_ptr<kflow::testing::mock_cluster> embedded;
    kflow::client_config config;
    std::string bootstrap;
};

/// Picks the cluster as described above and says which on standard output.
[[nodiscard]] inline connection connect(const std::string& program,
                                        const std::string& bootstrap_option,
                                        const std::vector<topic_to_create>& embedded_topics) {
    connection c;
    kflow::env_config env = kflow::config_from_env();
    if (bootstrap_option.empty() && !env.contains("bootstrap.servers")) {
        c.embedded = std::make_unique<kflow::testing::mock_cluster>(1);
        for (const auto& topic : embedded_topics) {
            c.embedded->create_topic(topic.name, topic.partitions);
        }
        c.bootstrap = c.embedded->bootstrap_servers();
        // The embedded cluster speaks plain TCP: KAFKA_* security settings do not apply.
        c.config.bootstrap_servers(c.bootstrap);
        std::cout << program << ": embedded mock Kafka cluster at " << c.bootstrap << '\n';
        return c;
    }
    c.config = std::move(env);
    if (!bootstrap_option.empty())
        c.config.bootstrap_servers(bootstrap_option);
    c.bootstrap = *c.config.get("bootstrap.servers");
    std::cout << program << ": Kafka cluster at " << c.bootstrap << '\n';
    return c;
}

}  // namespace example
