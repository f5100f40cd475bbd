// kflow::testing against a real cluster (KFLOW_TEST_BOOTSTRAP; without it the program exits 77,
// which ctest reports as Skipped): a scoped_topic made through an admin client is created and
// deleted. The mock cluster cannot delete topics, so test_testing_helpers covers the rest.
#include <kflow/admin/client.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/produce.hpp>
#include <kflow/testing/scoped_topic.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

using namespace std::chrono_literals;

TEST_CASE("scoped_topic on a real cluster is created, then deleted with the scope",
          "[testing][scoped_topic][integration]") {
    const auto bootstrap = kflow::testing::real_cluster_bootstrap();
    REQUIRE(bootstrap);  // integration_main skips the program without one
    kflow::admin_client admin(kflow::admin_config().bootstrap_servers(*bootstrap));
    std::string name;
    {
        const kflow::testing::scoped_topic topic(admin, "scoped", 2);
        name = topic.name();
        const auto described = admin.describe_topics({topic});
        REQUIRE(described.size() == 1);
        CHECK(described[0].partitions.size() == 2);
        CHECK(kflow::testing::produce_n(*bootstrap, topic, 2).size() == 2);
    }
    // Deletion spreads through the cluster's metadata without an event to await.
    bool gone = false;
    for (int i = 0; i < 150 && !gone; ++i) {
        try {
            const auto described = admin.describe_topics({name});
            gone = described.size() == 1 && !described[0].ok();
        } catch (const kflow::kafka_error& e) {
            gone = e.code() == kflow::make_error_code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
        }
        if (!gone)
            std::this_thread::sleep_for(200ms);
    }
    CHECK(gone);
}
