// Security against a real cluster: a SASL user the cluster knows but who has no ACL at all is
// refused the topic, as an authorization failure naming it (not an authentication failure),
// within 10 s on send and on consume.
//
// It needs a cluster set up for it, so without these variables (besides KFLOW_TEST_BOOTSTRAP and
// the listener's, as for test_security_integration) the program reports Skipped:
//   KFLOW_TEST_SASL_MECHANISM
//   KFLOW_TEST_SASL_NOACL_USERNAME, KFLOW_TEST_SASL_NOACL_PASSWORD   a user of that mechanism
//                                   who has no ACL at all
#include "security_integration_support.hpp"

#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>
#include <kflow/security.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

using namespace std::chrono_literals;
using namespace security_test;
using Catch::Matchers::Contains;

/// Skips the program (integration_main.cpp) unless the user without ACLs is described.
std::optional<std::string> integration_prerequisites_missing() {
    for (const char* name : {"KFLOW_TEST_SASL_MECHANISM", "KFLOW_TEST_SASL_NOACL_USERNAME",
                             "KFLOW_TEST_SASL_NOACL_PASSWORD"}) {
        if (!env(name))
            return std::string(name) + " is not set: this program needs a SASL user without ACLs";
    }
    return std::nullopt;
}

TEST_CASE("SASL: a user without ACLs is refused the topic on send and on consume, naming it",
          "[noacl][security][sasl][integration]") {
    const kflow::security settings{
        .tls = tls_from_test_env(),
        .sasl = required_sasl("[noacl]", "KFLOW_TEST_SASL_NOACL_USERNAME",
                              "KFLOW_TEST_SASL_NOACL_PASSWORD")};
    // The broker refuses a topic the user may not describe whether it exists or not.
    const auto topic = test_topic();

    SECTION("send") {
        const auto start = clock_type::now();
        // kflow's defaults, idempotence included: what an application gets. (Should the broker
        // refuse InitProducerId first, the record's report is CLUSTER_AUTHORIZATION_FAILED, also
        // permission_denied.)
        kflow::producer<std::string, std::string> producer(producer_for(settings));
        std::optional<std::error_code> delivered;
        kflow::record_metadata metadata;
        producer.send({topic, "k", "v"}, [&](std::error_code ec, const kflow::record_metadata& md) {
            delivered = ec;
            metadata = md;
        });
        kflow::error_info flushed;
        producer.flush(3 * prompt, flushed);
        const double took = seconds_since(start);
        REQUIRE(delivered);
        INFO("after " << took << " s, delivery: '" << delivered->message() << "', flush: '"
                      << flushed.message << "'");
        CHECK(took < std::chrono::duration<double>(prompt).count());
        CHECK(*delivered == std::errc::permission_denied);
        // Authorization, not authentication: the user's password was right.
        CHECK(*delivered == kflow::make_error_code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
        CHECK(metadata.topic == topic);

        // librdkafka now holds the topic as refused: the next send fails at once, naming it.
        kflow::error_info refused;
        producer.send({topic, "k", "again"}, refused);
        INFO("send after: '" << refused.message << "'");
        CHECK(refused == std::errc::permission_denied);
        CHECK_THAT(refused.message, Contains(topic));
    }

    SECTION("consume") {
        // Assigned, not subscribed: a subscription waits for the group, which this user may not
        // join either (GROUP_AUTHORIZATION_FAILED, naming no topic).
        const auto start = clock_type::now();
        kflow::consumer<std::string, std::string> consumer(consumer_for(settings));
        consumer.assign({{topic, 0, kflow::offsets::beginning}});
        const auto names_topic = [&](const kflow::error_info& e) {
            return e.message.find(topic) != std::string::npos;
        };
        const auto errors = poll_errors_until(consumer, names_topic, 3 * prompt);
        const double took = seconds_since(start);
        INFO("after " << took << " s");
        REQUIRE_FALSE(errors.empty());
        for (const auto& e : errors) {
            INFO("poll: '" << e.message << "'");
            // The group's refusal may come first; every one is an authorization error.
            CHECK(e == std::errc::permission_denied);
            CHECK(e != kflow::errc::authentication_failed);
        }
        CHECK(names_topic(errors.back()));
        CHECK(errors.back().code ==
              kflow::make_error_code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
        CHECK(took < std::chrono::duration<double>(prompt).count());
    }
}
