// Clients observed (config.observe()) and exported into a Prometheus registry, end to end over
// the mock cluster: the series each client gets from its statistics and records, their values
// against what was sent and consumed, promtool accepting the exposition, and a destroyed
// client's series going away.
#include <kflow.hpp>
#include <kflow/metrics/prometheus.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/produce.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using clock_type = std::chrono::steady_clock;

namespace {

// The value of the sample `series` (name and labels exactly as rendered) in `text`.
std::optional<double> sample(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos)
        return std::nullopt;
    return std::stod(text.substr(at + series.size() + 2));
}

// Polls `poll` until `ready` holds or 15 s passed (statistics come every second).
bool poll_until(const std::function<void()>& poll, const std::function<bool()>& ready) {
    const auto until = clock_type::now() + 15s;
    while (clock_type::now() < until) {
        poll();
        if (ready())
            return true;
    }
    return false;
}

// promtool check metrics on `text`: its exit status and output.
std::pair<int, std::string> promtool_check(const std::string& text) {
    const auto dir = std::filesystem::temp_directory_path();
    const auto input = dir / unique_name("kflow-exporter-metrics");
    const auto output = dir / unique_name("kflow-exporter-promtool");
    std::ofstream(input) << text;
    const std::string command =
        "promtool check metrics < '" + input.string() + "' > '" + output.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream in(output);
    std::string said((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove(input);
    std::filesystem::remove(output);
    return {status, said};
}

// Records what an observer hears, for the cases that check the observations themselves.
struct recording_observer final : kflow::metrics::client_observer {
    std::mutex mutex;
    std::vector<std::string> created;  // "name type group"
    std::vector<std::string> destroyed;
    int statistics = 0;
    std::vector<kflow::metrics::delivery_observation> delivered;  // views dangle: not read
    std::vector<std::pair<std::int64_t, bool>> received;          // offset, has a timestamp
    std::vector<std::string> topics;  // of the deliveries, then receipts

    void on_client_created(const kflow::metrics::client_description& c) override {
        const std::lock_guard lock(mutex);
        created.push_back(std::string(c.name) + " " + std::string(c.type) + " " +
                          std::string(c.group_id));
    }
    void on_client_destroyed(std::string_view name) override {
        const std::lock_guard lock(mutex);
        destroyed.emplace_back(name);
    }
    void on_statistics(const kflow::metrics::statistics&) override {
        const std::lock_guard lock(mutex);
        ++statistics;
    }
    void on_delivered(const kflow::metrics::delivery_observation& d) override {
        const std::lock_guard lock(mutex);
        delivered.push_back(d);
        topics.emplace_back(d.topic);
    }
    void on_received(const kflow::metrics::receive_observation& r) override {
        const std::lock_guard lock(mutex);
        received.emplace_back(r.offset, r.timestamp.has_value());
        topics.emplace_back(r.topic);
    }
};

}  // namespace

TEST_CASE("a producer's statistics and delivery latency become Prometheus series",
          "[metrics][prometheus][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("exporter-produce");
    cluster.create_topic(topic, 2);
    kflow::metrics::registry registry;
    auto exporter = std::make_shared<kflow::metrics::prometheus_exporter>(registry);
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    config.statistics_interval(1s).observe(exporter);
    std::string name;
    {
        kflow::producer<std::string, std::string> producer(config);
        name = producer.name();
        const auto sent = kflow::testing::produce_n(producer, topic, 20);
        REQUIRE(sent.size() == 20);

        const std::string client = "{client_id=\"" + name + "\"}";
        std::string text;
        // txmsgs counts what reached the broker: all 20 once the next statistics come. The
        // queue gauge (msg_cnt) counts a record until its delivery report was served, which may
        // be after the document that first shows all 20 sent (slow under TSan): wait for both.
        REQUIRE(poll_until([&] { producer.poll(100ms); },
                           [&] {
                               text = registry.render_text();
                               return sample(text, "kafka_client_messages_sent_total" + client) ==
                                          20.0 &&
                                      sample(text, "kafka_client_queue_messages" + client) == 0.0;
                           }));
        INFO(text);
        CHECK(sample(text, "kflow_producer_delivery_latency_seconds_count" + client) == 20.0);
        const auto latency_sum =
            sample(text, "kflow_producer_delivery_latency_seconds_sum" + client);
        REQUIRE(latency_sum);
        CHECK(*latency_sum > 0.0);
        CHECK(*latency_sum < 20 * 10.0);
        CHECK(sample(text, "kafka_client_queue_messages" + client) == 0.0);
        CHECK(sample(text, "kafka_broker_up{client_id=\"" + name + "\",broker=\"1\"}") == 1.0);
        // Per partition, the two partitions' records add up to what was sent.
        const auto p0 = sample(text, "kafka_partition_messages_sent_total{client_id=\"" + name +
                                         "\",topic=\"" + topic + "\",partition=\"0\"}");
        const auto p1 = sample(text, "kafka_partition_messages_sent_total{client_id=\"" + name +
                                         "\",topic=\"" + topic + "\",partition=\"1\"}");
        REQUIRE(p0);
        REQUIRE(p1);
        CHECK(*p0 + *p1 == 20.0);
        // librdkafka's unassigned pseudo-partition is not exported.
        CHECK(text.find("partition=\"-1\"") == std::string::npos);

        const auto [status, said] = promtool_check(text);
        INFO("promtool: " << said);
        CHECK(status == 0);
    }
    // The producer is gone, and so are its series.
    const auto text = registry.render_text();
    INFO(text);
    CHECK(text.find(name) == std::string::npos);
}

TEST_CASE("a consumer's lag, position and end-to-end latency become Prometheus series",
          "[metrics][prometheus][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("exporter-consume");
    const auto group = unique_name("exporter-group");
    cluster.create_topic(topic, 1);
    (void)kflow::testing::produce_n(cluster.bootstrap_servers(), topic, 10);

    kflow::metrics::registry registry;
    auto exporter = std::make_shared<kflow::metrics::prometheus_exporter>(registry);
    auto config = kflow::testing::test_consumer_config(cluster.bootstrap_servers(), group);
    config.statistics_interval(1s).observe(exporter).enable_auto_commit(false);
    kflow::consumer<std::string, std::string> consumer(config);
    consumer.subscribe({topic});
    // Four records handed over and committed; six fetched or not, but not handed.
    std::size_t handed = 0;
    const auto until = clock_type::now() + 15s;
    while (handed < 4 && clock_type::now() < until) {
        if (consumer.poll(100ms))
            ++handed;
    }
    REQUIRE(handed == 4);
    consumer.commit();
    // Paused, polls serve the statistics and hand over nothing more.
    consumer.pause(consumer.assignment());

    const std::string partition = "{client_id=\"" + consumer.name() + "\",group=\"" + group +
                                  "\",topic=\"" + topic + "\",partition=\"0\"}";
    std::string text;
    const bool reported =
        poll_until([&] { REQUIRE_FALSE(consumer.poll(100ms)); },
                   [&] {
                       text = registry.render_text();
                       return sample(text, "kafka_consumer_lag_messages" + partition) == 6.0;
                   });
    INFO(text);
    REQUIRE(reported);
    CHECK(sample(text, "kafka_consumer_position_lag_messages" + partition) == 6.0);
    const std::string own = "{client_id=\"" + consumer.name() + "\"}";
    CHECK(sample(text, "kflow_consumer_end_to_end_latency_seconds_count" + own) == 4.0);
    CHECK(sample(text, "kafka_consumer_committed_offset{client_id=\"" + consumer.name() +
                           "\",topic=\"" + topic + "\",partition=\"0\"}") == 4.0);
    CHECK(sample(text, "kafka_consumer_position{client_id=\"" + consumer.name() + "\",topic=\"" +
                           topic + "\",partition=\"0\"}") == 4.0);
    CHECK(sample(text, "kafka_partition_high_watermark{client_id=\"" + consumer.name() +
                           "\",topic=\"" + topic + "\",partition=\"0\"}") == 10.0);
    CHECK(sample(text, "kafka_consumer_group_assigned_partitions{client_id=\"" + consumer.name() +
                           "\",group=\"" + group + "\"}") == 1.0);
    const auto [status, said] = promtool_check(text);
    INFO("promtool: " << said);
    CHECK(status == 0);

    // The group's lag as an admin client reads it, wherever its members run.
    kflow::admin_config admin_config;
    admin_config.bootstrap_servers(cluster.bootstrap_servers()).request_timeout(10s);
    kflow::admin_client admin(admin_config);
    kflow::metrics::group_lag_exporter group_lag(registry);
    group_lag.update(admin.consumer_group_lag(group, {topic}));
    const std::string series = "kafka_consumer_group_lag_messages{group=\"" + group +
                               "\",topic=\"" + topic + "\",partition=\"0\"}";
    CHECK(sample(registry.render_text(), series) == 6.0);
    group_lag.forget(group);
    CHECK_FALSE(sample(registry.render_text(), series));
}

TEST_CASE("an observer hears a client's life, deliveries and records; two observers both do",
          "[metrics][observer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("observer");
    const auto group = unique_name("observer-group");
    cluster.create_topic(topic, 1);
    auto first = std::make_shared<recording_observer>();
    auto second = std::make_shared<recording_observer>();
    std::string producer_name;
    std::string consumer_name;
    {
        auto producer_config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
        producer_config.observe(first).observe(second);
        // observe() turned statistics on, every 5 s, since the interval was not set.
        CHECK(producer_config.get("statistics.interval.ms") == "5000");
        kflow::producer<std::string, std::string> producer(producer_config);
        producer_name = producer.name();
        REQUIRE(kflow::testing::produce_n(producer, topic, 3).size() == 3);

        auto consumer_config =
            kflow::testing::test_consumer_config(cluster.bootstrap_servers(), group);
        consumer_config.statistics_interval(0ms).observe(first);
        // An interval set before stays.
        CHECK(consumer_config.get("statistics.interval.ms") == "0");
        kflow::consumer<std::string, std::string> consumer(consumer_config);
        consumer_name = consumer.name();
        consumer.subscribe({topic});
        REQUIRE(kflow::testing::consume_until(consumer, 3).size() == 3);
    }
    const std::lock_guard lock(first->mutex);
    CHECK(first->created == std::vector<std::string>{producer_name + " producer ",
                                                     consumer_name + " consumer " + group});
    CHECK(first->destroyed == std::vector<std::string>{consumer_name, producer_name});
    REQUIRE(first->delivered.size() == 3);
    for (const auto& d : first->delivered) {
        CHECK_FALSE(d.error);
        CHECK(d.partition == 0);
        CHECK(d.latency > 0us);
    }
    CHECK(first->topics == std::vector<std::string>(6, topic));
    CHECK(first->received ==
          std::vector<std::pair<std::int64_t, bool>>{{0, true}, {1, true}, {2, true}});
    const std::lock_guard lock2(second->mutex);
    CHECK(second->delivered.size() == 3);
    CHECK(second->created.size() == 1);
    CHECK(second->received.empty());
}
