// A downstream program: one keyed record with a header through kflow's embedded mock cluster and
// back. Exits 0 only when the consumer read exactly what the producer sent.
#include <kflow.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <string>

int main() try {
    kflow::testing::mock_cluster cluster(1);
    const auto topic = kflow::testing::unique_name("downstream");
    cluster.create_topic(topic, 2);

    kflow::producer<std::string, std::string> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    kflow::producer_record<std::string, std::string> sent{topic, "key-1", "value-1"};
    sent.headers.add("origin", "downstream");
    const auto delivered = kflow::testing::send_and_wait(producer, sent);

    kflow::consumer<std::string, std::string> consumer(kflow::testing::test_consumer_config(
        cluster.bootstrap_servers(), kflow::testing::unique_name("downstream-group")));
    consumer.subscribe({topic});
    const auto received = kflow::testing::expect_record(
        consumer, {.key = sent.key, .value = sent.value, .headers = sent.headers},
        std::chrono::seconds(30));
    if (!received) {
        std::cerr << "downstream: the record sent to " << topic << " never came back\n";
        return 1;
    }
    if (received->partition != delivered.partition || received->offset != delivered.offset) {
        std::cerr << "downstream: read at " << received->partition << "/" << received->offset
                  << ", delivered at " << delivered.partition << "/" << delivered.offset << '\n';
        return 1;
    }
    consumer.close();
    std::cout << "downstream: kflow " << kflow::version_major << '.' << kflow::version_minor << '.'
              << kflow::version_patch << " with librdkafka " << kflow::librdkafka_runtime_version()
              << ": round trip ok\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "downstream: " << e.what() << '\n';
    return 1;
}
