#pragma once
// The Kafka cluster the steps run against, chosen once per run of the program:
//   KAFKA_BOOTSTRAP_SERVERS set   that cluster, with every other KAFKA_* variable (security
//                                 protocol, SASL, TLS, ...) applied through kflow::config_from_env
//   unset                         an embedded mock Kafka cluster (librdkafka's, on 127.0.0.1),
//                                 started on first use and stopped when the program exits
//
// Each test takes what it needs from it: an admin client, client configs, and topics of its own
// (created through the mock, or on a real cluster through the admin client and deleted at the
// end of the test).

#include <kflow.hpp>
#include <kflow/admin.hpp>
#include <kflow/env_config.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/scoped_topic.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace qa {

class kafka_under_test {
  public:
    /// The cluster of this run: connected (or started) on the first call, which says on
    /// standard output which it is. Throws kflow::kafka_error naming the variable when a
    /// KAFKA_* variable holds a value librdkafka rejects.
    static kafka_under_test& instance() {
        // A function-local static: made once, on first use, and destroyed after main returns,
        // when every test's clients are gone.
        static kafka_under_test kafka;
        return kafka;
    }

    /// True when the steps run on the embedded mock cluster.
    [[nodiscard]] bool embedded() const noexcept { return embedded_ != nullptr; }
    /// The bootstrap servers, for messages.
    [[nodiscard]] const std::string& bootstrap() const noexcept { return bootstrap_; }

    /// The admin client every step shares (a 10 s request timeout keeps an unreachable cluster
    /// from holding a step up for long).
    [[nodiscard]] kflow::admin_client& admin() noexcept { return *admin_; }

    /// A topic named unique_name(prefix), with `partitions` partitions: no other test or run
    /// uses it. On a real cluster it is deleted when the returned object goes away; the mock
    /// cannot delete topics, and keeps it until the program exits.
    [[nodiscard]] kflow::testing::scoped_topic create_topic(std::string_view prefix,
                                                            int partitions) {
        if (embedded_)
            return kflow::testing::scoped_topic(*embedded_, prefix, partitions);
        return kflow::testing::scoped_topic(*admin_, prefix, partitions);
    }

    /// Producer settings: the connection, and sends that go out at once.
    [[nodiscard]] kflow::producer_config producer_config() const {
        kflow::producer_config config(connection_);
        config.linger(std::chrono::milliseconds(1)).client_id("kflow-qa-steps");
        return config;
    }

    /// Consumer settings, with a group id no one else uses: the steps read with assign() and
    /// never commit, so no group appears on the cluster.
    [[nodiscard]] kflow::consumer_config consumer_config() const {
        kflow::consumer_config config(connection_);
        // The mock holds an empty fetch for all of fetch.wait.max.ms (500 ms by default); a
        // real broker answers as soon as records arrive.
        config.group_id(kflow::testing::unique_name("kflow-qa-steps"))
            .client_id("kflow-qa-steps")
            .fetch_wait_max(std::chrono::milliseconds(embedded() ? 10 : 100));
        return config;
    }

    kafka_under_test(const kafka_under_test&) = delete;
    kafka_under_test& operator=(const kafka_under_test&) = delete;

  private:
    kafka_under_test() {
        kflow::env_config env = kflow::config_from_env();
        if (!env.contains("bootstrap.servers")) {
            embedded_ = std::make_unique<kflow::testing::mock_cluster>(1);
            bootstrap_ = embedded_->bootstrap_servers();
            // The embedded cluster speaks plain TCP: KAFKA_* security settings do not apply.
            connection_.bootstrap_servers(bootstrap_);
            std::cout << "kflow-qa-steps: embedded mock Kafka cluster at " << bootstrap_ << '\n';
        } else {
            connection_ = std::move(env);
            bootstrap_ = *connection_.get("bootstrap.servers");
            std::cout << "kflow-qa-steps: Kafka cluster at " << bootstrap_ << '\n';
        }
        admin_ =
            std::make_unique<kflow::admin_client>(kflow::admin_config(connection_)
                                                      .client_id("kflow-qa-steps")
                                                      .request_timeout(std::chrono::seconds(10)));
    }

    // Declared first, so that it outlives every client that talks to it.
    std::unique_ptr<kflow::testing::mock_cluster> embedded_;
    kflow::client_config connection_;
    std::string bootstrap_;
    std::unique_ptr<kflow::admin_client> admin_;
};

}  // namespace qa
