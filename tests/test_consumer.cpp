// consumer<K, V> end to end against the mock cluster over real sockets: what the application
// observes of records, polling, commits, positions, seeking, flow control, offset queries,
// subscriptions, assignment and a bounded close.
#include <kflow/consumer.hpp>

#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using string_consumer = kflow::consumer<std::string, std::string>;
using string_producer = kflow::producer<std::string, std::string>;

namespace {

/// Writes "k<i>" / "v<i>" for i in [first, first + count) to one partition and waits for them.
void produce(const mock_cluster& cluster, const std::string& topic, int count,
             std::int32_t partition = 0, int first = 0) {
    string_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    for (int i = first; i < first + count; ++i) {
        producer.send({topic, "k" + std::to_string(i), "v" + std::to_string(i), {}, partition});
    }
    REQUIRE(producer.flush(10s) == std::error_code{});
}

kflow::consumer_config config_for(const mock_cluster& cluster, const std::string& group) {
    return kflow::testing::test_consumer_config(cluster.bootstrap_servers(), group);
}

std::int64_t committed_offset(const string_consumer& consumer, const std::string& topic,
                              std::int32_t partition = 0) {
    const auto committed = consumer.committed({{topic, partition}});
    REQUIRE(committed.size() == 1);
    return committed[0].offset;
}

/// Polls until the group's committed offset for partition 0 is `expected` or `deadline` passes;
/// returns the last value seen.
[[maybe_unused]] std::int64_t await_committed(const string_consumer& consumer,
                                              const std::string& topic, std::int64_t expected,
                                              std::chrono::milliseconds deadline = 10s) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    std::int64_t seen = committed_offset(consumer, topic);
    while (seen != expected && std::chrono::steady_clock::now() < until) {
        seen = committed_offset(consumer, topic);
    }
    return seen;
}

/// Waits until librdkafka has queued at least `ops` operations for the consumer (records,
/// errors, events), without taking any of them.
bool await_queued(string_consumer& consumer, std::size_t ops,
                  std::chrono::milliseconds deadline = 10s) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (rd_kafka_queue_length(consumer.core().queue()) < ops) {
        if (std::chrono::steady_clock::now() >= until)
            return false;
        // Serving would take operations off the queue, so this can only look again shortly.
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

std::vector<std::string> values_of(const std::vector<string_consumer::record_type>& records) {
    std::vector<std::string> out;
    for (const auto& r : records)
        out.push_back(r.value);
    return out;
}

}  // namespace

TEST_CASE("records served with an error that the application's handler throws for are not lost",
          "[consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("serve-events");
    cluster.create_topic(topic, 1);

    auto config = config_for(cluster, unique_name("g"));
    config.enable_partition_eof(true).on_error([](const kflow::error_info& e) {
        if (e.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__PARTITION_EOF)) {
            throw std::runtime_error("the application's error handler failed");
        }
    });
    string_consumer consumer(config);
    consumer.assign({{topic, 0, kflow::offsets::beginning}});

    // Serve the empty partition's end-of-partition event, so that from here on the queue holds
    // exactly what two fetches bring: records, then an end-of-partition event, each time.
    bool reached_end = false;
    for (const auto until = std::chrono::steady_clock::now() + 10s;
         !reached_end && std::chrono::steady_clock::now() < until;) {
        try {
            consumer.core().serve_events();
        } catch (const std::runtime_error&) {
            reached_end = true;
        }
    }
    REQUIRE(reached_end);
    produce(cluster, topic, 3);
    REQUIRE(await_queued(consumer, 4));  // v0..v2, end at 3
    produce(cluster, topic, 3, 0, 3);
    REQUIRE(await_queued(consumer, 8));  // ... v3..v5, end at 6
    // One serving pass meets the throwing handler between the two fetches' records.
    CHECK_THROWS_WITH(consumer.core().serve_events(), "the application's error handler failed");

    const auto records = kflow::testing::consume_until(consumer, 6, 5s);
    CHECK(values_of(records) == std::vector<std::string>{"v0", "v1", "v2", "v3", "v4", "v5"});
}
