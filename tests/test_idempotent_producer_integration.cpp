// The delivery proof of test_idempotent_producer_faults.cpp against a real cluster
// (KFLOW_TEST_BOOTSTRAP=host:port): 200,000 keyed records through the idempotent producer, read
// back: none lost, none duplicated, none out of order. A real cluster cannot be made to fail on
// cue from here, so this run has no injected faults; it shows that what the mock proves under
// faults also holds where a broker checks sequence numbers itself. Without KFLOW_TEST_BOOTSTRAP
// ctest reports the program Skipped.
#include "delivery_proof.hpp"

#include <kflow/admin/client.hpp>

#include <thread>

using namespace std::chrono_literals;

TEST_CASE("the idempotent producer loses, duplicates and reorders nothing on a real cluster",
          "[producer][proof][integration]") {
    const std::string bootstrap = *kflow::testing::real_cluster_bootstrap();
    const auto topic = kflow::testing::unique_name("kflow-idempotent");
    constexpr int partitions = 12;

    kflow::admin_config admin_config;
    admin_config.bootstrap_servers(bootstrap);
    kflow::admin_client admin(admin_config);
    const auto brokers = static_cast<std::int16_t>(
        std::min<std::size_t>(3, admin.describe_cluster().brokers.size()));
    kflow::throw_if_any_failed(admin.create_topics({kflow::topic_spec(topic, partitions, brokers)}),
                               "create the proof's topic");
    struct remove_topic {
        kflow::admin_client& admin;
        std::string topic;
        ~remove_topic() {
            kflow::error_info err;
            (void)admin.delete_topics({topic}, err);
        }
    } cleanup{admin, topic};
    // A new topic's metadata reaches every broker a moment later: wait until it is there.
    const auto until = std::chrono::steady_clock::now() + 30s;
    for (;;) {
        kflow::error_info err;
        const auto described = admin.describe_topics({topic}, err);
        if (!err && described.size() == 1 && described[0].ok() &&
            described[0].partitions.size() == static_cast<std::size_t>(partitions))
            break;
        REQUIRE(std::chrono::steady_clock::now() < until);
        std::this_thread::sleep_for(200ms);  // metadata propagation raises no event
    }

    kflow::producer_config producer_config;
    producer_config.bootstrap_servers(bootstrap).enable_idempotence(true).acks("all").linger(5ms);
    auto consumer_config =
        kflow::testing::test_consumer_config(bootstrap, kflow::testing::unique_name("g"));
    consumer_config.enable_auto_commit(false);
    const auto figures = kflow_test::prove_delivery(producer_config, consumer_config, topic,
                                                    partitions, 200'000, 240, [](std::size_t) {});
    std::cout << figures.summary("idempotent producer, real cluster") << std::endl;
    CHECK(figures.acknowledged == figures.sent);
    CHECK(figures.lost == 0);
    CHECK(figures.duplicated == 0);
    CHECK(figures.out_of_order == 0);
    CHECK(figures.unrecognised == 0);
}
