// The async clients on a multi-threaded io_context: many coroutines sending at once on one
// async_producer, a consumer coroutine receiving and committing, every handler on an
// io_context thread. Built and run under ThreadSanitizer too (-DKFLOW_SANITIZE=thread).
#include <kflow/async.hpp>

#include "async_test_support.hpp"

#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using kflow_test::io_thread;
using kflow_test::on_librdkafka_thread;
using string_producer = kflow::async_producer<std::string, std::string>;
using string_consumer = kflow::async_consumer<std::string, std::string>;

namespace {

constexpr int io_threads = 4;
constexpr int senders = 8;
constexpr int sends_per_sender = 500;
constexpr int total = senders * sends_per_sender;
constexpr int partitions = 4;

/// Counts handlers that ran where they must not: off the io_context's threads, or on one of
/// librdkafka's.
struct placement_check {
    explicit placement_check(const io_thread& ctx) : ctx_(ctx) {}
    void here() {
        if (!ctx_.runs_here() || on_librdkafka_thread())
            ++misplaced;
        ++checked;
    }
    std::atomic<int> misplaced{0};
    std::atomic<int> checked{0};

  private:
    const io_thread& ctx_;
};

}  // namespace

TEST_CASE("many coroutines send on one producer while a consumer receives and commits",
          "[async][threads][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("threads");
    cluster.create_topic(topic, partitions);
    io_thread ctx(io_threads);
    placement_check placement(ctx);

    auto producer_config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    // A small queue, so that sends also wait for room under contention.
    producer_config.queue_buffering_max_messages(200);
    string_producer producer(ctx.executor(), producer_config);
    auto consumer_config =
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g"));
    consumer_config.enable_auto_commit(false);
    string_consumer consumer(ctx.executor(), consumer_config);
    consumer.subscribe({topic});

    // Each sender's records share a key, so they share a partition: their order must hold.
    std::atomic<int> send_failures{0};
    auto sender = [&](int id) -> asio::awaitable<void> {
        const std::string key = "sender-" + std::to_string(id);
        for (int i = 0; i < sends_per_sender; ++i) {
            kflow::producer_record<std::string, std::string> record(topic, key,
                                                                    key + "/" + std::to_string(i));
            if (i % 10 == 9) {
                // Awaiting every tenth send bounds what is in flight (reports come in order
                // per partition); the others complete through callbacks meanwhile.
                co_await producer.async_send(std::move(record));
                placement.here();
            } else {
                producer.async_send(std::move(record),
                                    [&](boost::system::error_code ec, kflow::record_metadata) {
                                        if (ec)
                                            ++send_failures;
                                        placement.here();
                                    });
            }
        }
    };

    std::map<std::string, std::vector<int>> received;  // per sender, the sequence numbers
    std::map<std::int32_t, std::set<std::string>> keys_by_partition;
    int commits = 0;
    auto receiver = [&]() -> asio::awaitable<void> {
        int count = 0;
        int next_commit = 500;
        while (count < total) {
            auto batch = co_await consumer.async_receive_batch(100);
            placement.here();
            for (const auto& r : batch) {
                const auto slash = r.value.find('/');
                REQUIRE(slash != std::string::npos);
                CHECK(r.key == r.value.substr(0, slash));
                received[r.key].push_back(std::stoi(r.value.substr(slash + 1)));
                keys_by_partition[r.partition].insert(r.key);
            }
            count += static_cast<int>(batch.size());
            if (count >= next_commit) {
                co_await consumer.async_commit();
                placement.here();
                ++commits;
                next_commit += 500;
            }
        }
        co_await consumer.async_commit();
        ++commits;
    };

    std::vector<std::future<void>> running;
    running.push_back(asio::co_spawn(ctx.executor(), receiver, asio::use_future));
    for (int id = 0; id < senders; ++id) {
        running.push_back(asio::co_spawn(ctx.executor(), sender(id), asio::use_future));
    }
    for (auto& f : running) {
        REQUIRE(f.wait_for(120s) == std::future_status::ready);
        f.get();
    }
    producer.async_flush(asio::use_future).get();

    CHECK(send_failures == 0);
    CHECK(producer.in_flight() == 0);
    CHECK(placement.misplaced == 0);
    CHECK(placement.checked >= total + commits);

    // Every record exactly once, in order per sender.
    REQUIRE(received.size() == senders);
    for (const auto& [key, sequence] : received) {
        INFO(key);
        REQUIRE(sequence.size() == sends_per_sender);
        for (int i = 0; i < sends_per_sender; ++i)
            CHECK(sequence[static_cast<std::size_t>(i)] == i);
    }
    // A key never spans partitions.
    std::set<std::string> seen;
    for (const auto& [partition, keys] : keys_by_partition) {
        for (const auto& key : keys)
            CHECK(seen.insert(key).second);
    }

    // The commits cover everything that was read.
    std::vector<kflow::topic_partition> parts;
    for (int p = 0; p < partitions; ++p)
        parts.push_back({topic, p});
    std::int64_t committed_total = 0;
    auto committed = consumer.async_committed(parts, 10s, asio::use_future).get();
    for (const auto& c : committed) {
        if (c.offset > 0)
            committed_total += c.offset;
    }
    CHECK(committed_total == total);
    consumer.async_close(10s, asio::use_future).get();
}

TEST_CASE("a coroutine resumed by a commit or a close does not hold the consumer's lock",
          "[async][threads][mock]") {
    // Such a coroutine often calls into another consumer next. Were it resumed under this
    // consumer's lock, two coroutines on two threads, each resumed by one consumer and calling
    // the other, would deadlock. Here another thread makes a plain call on the consumer (which
    // takes its lock) while the resumed coroutine waits for it.
    mock_cluster cluster;
    const auto topic = unique_name("unlocked");
    cluster.create_topic(topic, 1);
    kflow_test::produce(cluster, topic, 1);
    asio::io_context io;
    string_consumer consumer(io.get_executor(), kflow_test::manual_commit_config(cluster));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});

    std::vector<std::thread> callers;  // joined once the io_context is done
    auto usable_from_another_thread = [&] {
        auto answered = std::make_shared<std::promise<void>>();
        auto answer = answered->get_future();
        callers.emplace_back([&consumer, answered] {
            try {
                (void)consumer.assignment();
            } catch (const kflow::kafka_error&) {  // closed: an answer all the same
            }
            answered->set_value();
        });
        return answer.wait_for(5s) == std::future_status::ready;
    };

    bool after_commit = false;
    bool after_close = false;
    kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<void> {
        const auto record = co_await consumer.async_receive();
        co_await consumer.async_commit(record);
        after_commit = usable_from_another_thread();
        co_await consumer.async_close(10s);
        after_close = usable_from_another_thread();
    });
    for (auto& t : callers)
        t.join();
    CHECK(after_commit);
    CHECK(after_close);
}

TEST_CASE("an async consumer destroyed while a completed receive's handler runs is closed at once",
          "[async][threads][lifecycle][mock]") {
    // The destructor closes the consumer (leaving its group and committing what the application
    // handled) before it returns, unless something still holds the consumer's state. A
    // completion must let go of it before its handler runs, as Asio's operations free their
    // memory before the upcall: else the application that destroys the consumer from, or after,
    // the handler finds it still open, and its last reference goes on another thread, later
    // (once, at the process's exit, after the statics it uses were gone).
    mock_cluster cluster;
    const auto topic = unique_name("released");
    cluster.create_topic(topic, 1);
    kflow_test::produce(cluster, topic, 1);
    // Declared before the threads, which the handler that uses them runs on.
    std::promise<std::int64_t> received;
    std::promise<void> destroyed;
    auto consumer_gone = destroyed.get_future();
    io_thread ctx;
    io_thread other;
    auto config =
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g"));
    // Only the close commits: stored offsets are the handled records', and the timer waits.
    config.enable_auto_commit(true).auto_commit_interval(60s);
    auto consumer = std::make_unique<string_consumer>(ctx.executor(), config);
    consumer->assign({{topic, 0, kflow::offsets::beginning}});

    consumer->async_receive(asio::bind_executor(
        other.executor(), [&](boost::system::error_code ec, string_consumer::record_type r) {
            received.set_value(ec ? -1 : r.offset);
            // Still running while the consumer is destroyed; bounded, should a REQUIRE below
            // end the test first.
            (void)consumer_gone.wait_for(10s);
        }));
    REQUIRE(received.get_future().get() == 0);
    consumer.reset();
    kflow::consumer<std::string, std::string> checker(config);
    const auto committed = checker.committed({{topic, 0}}, 5s);
    destroyed.set_value();
    REQUIRE(committed.size() == 1);
    CHECK(committed.front().offset == 1);  // the close committed past the handled record
}
