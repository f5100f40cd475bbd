// The smallest useful kflow program: one record through an in-process mock Kafka cluster and
// back. Exits 0 only when the consumer read what the producer sent.
#include <kflow.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <string>

int main() try {
    kflow::testing::mock_cluster cluster(1);
    const std::string topic = "test-package";
    cluster.create_topic(topic, 1);

    kflow::producer<std::string, std::string> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    kflow::testing::send_and_wait(producer, {topic, "key", "hello from kflow"});

    kflow::consumer<std::string, std::string> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), "test-package"));
    consumer.subscribe({topic});
    const auto received = kflow::testing::expect_record(
        consumer, {.key = "key", .value = "hello from kflow"}, std::chrono::seconds(30));
    consumer.close();
    if (!received) {
        std::cerr << "test_package: the record never came back\n";
        return 1;
    }
    std::cout << "test_package: kflow " << kflow::version_major << '.' << kflow::version_minor
              << '.' << kflow::version_patch << " with librdkafka "
              << kflow::librdkafka_runtime_version() << ": ok\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "test_package: " << e.what() << '\n';
    return 1;
}
