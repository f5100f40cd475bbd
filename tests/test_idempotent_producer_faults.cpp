// Proof: the idempotent producer loses nothing, duplicates nothing and keeps each key's order
// through produce errors, leader moves, an RTT spike and a broker going down and up, on a
// three-broker mock cluster over real sockets. Every failure report must name its cause.
//
// What the mock cannot show (librdkafka 2.0.2): it checks idempotent sequence numbers only for
// transactional producers, so an acknowledgement lost on the wire (client timed out, broker
// appended) would leave a duplicate that a real broker discards; the faults here lose no
// acknowledgement (injected errors are answered without appending; the RTT spike stays far below
// the request timeout), and a duplicate would fail the test. The same proof runs against a real
// cluster, without injected faults, in test_idempotent_producer_integration.cpp.
//
// Left out: errors after which the broker may have stored the batch (REQUEST_TIMED_OUT,
// NOT_ENOUGH_REPLICAS_AFTER_APPEND). With ten REQUEST_TIMED_OUT injected, 2 of 4 runs under
// ThreadSanitizer (never one in Release) ended with one or two acknowledged records absent from
// the mock's log, at the point of the injection. The mock appends nothing when it injects an
// error, so the open question is how librdkafka 2.0.2's idempotent producer completes a batch
// it retries after such an error; until that is understood, this proof does not claim it.
#include "delivery_proof.hpp"

#include <kflow/testing/mock_cluster.hpp>

#include <thread>

using namespace std::chrono_literals;
using kflow::testing::api_key;
using kflow::testing::mock_cluster;

TEST_CASE("the idempotent producer loses, duplicates and reorders nothing through faults",
          "[producer][proof][mock]") {
    mock_cluster cluster(3);
    const auto topic = kflow::testing::unique_name("idempotent");
    constexpr int partitions = 12;
    cluster.create_topic(topic, partitions, 3);
    constexpr std::size_t records = 200'000;
    constexpr std::size_t keys = 240;

    auto producer_config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    // A small queue paces the sends by the acknowledgements, so the faults below land while
    // records are on the wire rather than all while the queue fills.
    producer_config.enable_idempotence(true)
        .acks("all")
        .linger(5ms)
        .delivery_timeout(60s)
        .queue_buffering_max_messages(5000)
        .on_queue_full(kflow::queue_full_policy::wait, 60s);
    auto consumer_config = kflow::testing::test_consumer_config(cluster.bootstrap_servers(),
                                                                kflow::testing::unique_name("g"));
    consumer_config.enable_auto_commit(false)
        .fetch_max_bytes(1024 * 1024)
        .set("queued.min.messages", "1000000");

    // The faults, at fixed points of the run (so every run injects the same ones). Those that
    // last (an RTT spike, a broker down) end after a while of wall-clock time, on a thread of
    // their own: the sends wait for room meanwhile, so no later record could end them.
    const auto at = [](double fraction) { return static_cast<std::size_t>(records * fraction); };
    std::vector<std::jthread> undo;
    const auto for_a_while = [&](std::chrono::milliseconds how_long, std::function<void()> end) {
        undo.emplace_back([how_long, end = std::move(end)] {
            std::this_thread::sleep_for(how_long);  // the fault's duration, not a wait for state
            end();
        });
    };
    std::vector<std::pair<std::size_t, std::function<void()>>> faults = {
        {at(0.10),
         [&] {
             cluster.push_request_errors(
                 api_key::produce,
                 {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                  RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
                  RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS});
         }},
        {at(0.20),
         [&] {
             cluster.set_round_trip_time(1, 300ms);
             for_a_while(1500ms, [&] { cluster.set_round_trip_time(1, 0ms); });
         }},
        {at(0.40),
         [&] {
             for (int p = 0; p < partitions; p += 2)
                 cluster.set_partition_leader(topic, p, 2);
         }},
        {at(0.55),
         [&] {
             cluster.broker_down(3);
             for_a_while(1500ms, [&] { cluster.broker_up(3); });
         }},
        {at(0.75),
         [&] {
             cluster.push_request_errors(api_key::produce,
                                         std::vector<rd_kafka_resp_err_t>(
                                             10, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE));
         }},
        {at(0.90),
         [&] {
             for (int p = 0; p < partitions; p += 2)
                 cluster.set_partition_leader(topic, p, 1 + p % 3);
         }},
    };
    std::size_t next_fault = 0;
    const auto figures = kflow_test::prove_delivery(
        producer_config, consumer_config, topic, partitions, records, keys, [&](std::size_t i) {
            if (next_fault < faults.size() && faults[next_fault].first == i)
                faults[next_fault++].second();
        });
    undo.clear();  // joins: every fault has ended
    std::cout << figures.summary("idempotent producer, mock, 6 faults") << std::endl;

    CHECK(next_fault == faults.size());
    CHECK(figures.sent == records);
    CHECK(figures.acknowledged + figures.failed == records);
    CHECK(figures.lost == 0);
    CHECK(figures.duplicated == 0);
    CHECK(figures.out_of_order == 0);
    CHECK(figures.unrecognised == 0);
    CHECK(figures.failed_unnamed == 0);
    // Faults that the idempotent producer retries must not become failures.
    CHECK(figures.acknowledged == records);
}
