// What the hot paths' shortcuts must not change: recycled operation memory, the offset
// bookkeeping's per-partition cache across topics and reassignments, the reused delivery
// metadata, and the borrowed string codec, end to end against the mock cluster.
#include <kflow/consumer.hpp>
#include <kflow/detail/recycled_blocks.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/produce.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using string_consumer = kflow::consumer<std::string, std::string>;
using string_producer = kflow::producer<std::string, std::string>;
using blocks = kflow::detail::recycled_blocks;

TEST_CASE("recycled blocks are reused per size class, across threads, and from slabs",
          "[hot-path]") {
    void* first = blocks::allocate(100);  // the 128-byte class
    blocks::deallocate(first, 100);
    void* again = blocks::allocate(120);
#if KFLOW_DETAIL_RECYCLE_BLOCKS
    CHECK(again == first);  // the same class, from this thread's blocks
#endif
    blocks::deallocate(again, 120);

    // Larger than the largest class: plain operator new and delete.
    void* large = blocks::allocate(4096);
    REQUIRE(large != nullptr);
    blocks::deallocate(large, 4096);

    // More blocks in flight than a thread keeps: all distinct and writable (sanitizer builds,
    // which use the heap, check that none is freed twice); the surplus goes to the shared pool.
    std::vector<void*> many;
    for (std::size_t i = 0; i < blocks::kept_per_class + 2 * blocks::chain_length; ++i) {
        many.push_back(blocks::allocate(64));
        std::memset(many.back(), 0xab, 64);
    }
    std::vector<void*> sorted = many;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    for (void* b : many)
        blocks::deallocate(b, 64);

    // Taken here, freed on a thread that then ends: its blocks go to the shared pool, where the
    // next thread that needs blocks of that class finds them.
    std::vector<void*> crossing;
    for (int i = 0; i < 100; ++i)
        crossing.push_back(blocks::allocate(200));
    std::thread([&] {
        for (void* b : crossing)
            blocks::deallocate(b, 200);
    }).join();
    void* reused = nullptr;
    std::thread([&] {
        reused = blocks::allocate(256);
        std::memset(reused, 0xcd, 256);
        blocks::deallocate(reused, 256);
    }).join();
#if KFLOW_DETAIL_RECYCLE_BLOCKS
    CHECK(std::find(crossing.begin(), crossing.end(), reused) != crossing.end());
#endif
}

TEST_CASE("a sync send's delivery operation is one cache line", "[hot-path]") {
    // The delivery report finds the operation out of the cache, one per message in flight: a
    // callback that captures a pointer or two keeps it within one line-aligned 64-byte block.
    int delivered = 0;
    [[maybe_unused]] const auto callback =
        [&delivered](std::error_code, const kflow::record_metadata&) { ++delivered; };
    STATIC_REQUIRE(sizeof(kflow::detail::callback_delivery<decltype(callback)>) <=
                   blocks::cache_line);
    STATIC_REQUIRE(sizeof(kflow::detail::unobserved_delivery) <= blocks::cache_line);
#if KFLOW_DETAIL_RECYCLE_BLOCKS
    std::vector<void*> taken;
    for (std::size_t i = 0; i < 2 * blocks::blocks_per_slab; ++i)
        taken.push_back(
            blocks::allocate(sizeof(kflow::detail::callback_delivery<decltype(callback)>)));
    for (void* b : taken) {
        CHECK(reinterpret_cast<std::uintptr_t>(b) % blocks::cache_line == 0);
        blocks::deallocate(b, sizeof(kflow::detail::callback_delivery<decltype(callback)>));
    }
#endif
}

TEST_CASE("offsets are tracked per topic and partition across interleaved records and reassignment",
          "[hot-path][consumer][commit][mock]") {
    mock_cluster cluster;
    const auto first = unique_name("hot-first");
    const auto second = unique_name("hot-second");
    cluster.create_topic(first, 2);
    cluster.create_topic(second, 1);
    string_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    std::map<kflow::topic_partition, std::int64_t> written;
    std::vector<string_producer::record_type> records_to_write;
    for (int i = 0; i < 30; ++i) {
        const kflow::topic_partition tp =
            i % 3 == 2 ? kflow::topic_partition{second, 0} : kflow::topic_partition{first, i % 3};
        records_to_write.emplace_back(tp.topic, "k", std::to_string(i), kflow::headers{},
                                      tp.partition);
        ++written[tp];
    }
    kflow::testing::produce(producer, records_to_write);

    string_consumer consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("hot")));
    // All three partitions at once: batches interleave them.
    consumer.assign({{first, 0, kflow::offsets::beginning},
                     {first, 1, kflow::offsets::beginning},
                     {second, 0, kflow::offsets::beginning}});
    const auto records = kflow::testing::consume_until(consumer, 30);
    REQUIRE(records.size() == 30);
    std::map<kflow::topic_partition, std::int64_t> read;
    for (const auto& r : records)
        ++read[{r.topic, r.partition}];
    CHECK(read == written);
    consumer.commit();
    const std::vector<kflow::topic_partition> all{{first, 0}, {first, 1}, {second, 0}};
    const auto committed = consumer.committed(all);
    REQUIRE(committed.size() == 3);
    for (const auto& c : committed) {
        INFO(c.topic << " [" << c.partition << "]");
        CHECK(c.offset == written[{c.topic, c.partition}]);
    }

    // Reassigned to one partition, from its beginning: what is handed from now on counts for
    // that partition alone, and the others keep their committed offsets.
    consumer.assign({{first, 1, kflow::offsets::beginning}});
    const auto reread = kflow::testing::consume_until(consumer, 4);
    REQUIRE(reread.size() == 4);
    for (const auto& r : reread) {
        CHECK(r.topic == first);
        CHECK(r.partition == 1);
    }
    consumer.commit();
    const auto after = consumer.committed(all);
    REQUIRE(after.size() == 3);
    for (const auto& c : after) {
        INFO(c.topic << " [" << c.partition << "]");
        const bool reread_partition = c.topic == first && c.partition == 1;
        // Handed again from the beginning: its stored offset never moves backwards past what
        // was committed, so a commit of the re-read records leaves it where it was.
        CHECK(c.offset == written[{c.topic, c.partition}]);
        if (reread_partition)
            CHECK(reread.back().offset + 1 <= c.offset);
    }
}

TEST_CASE("each delivery callback sees its own record's metadata, with long topic names",
          "[hot-path][producer][mock]") {
    mock_cluster cluster;
    // Longer than std::string's small-string buffer, and of different lengths: the reused
    // metadata's topic must be rewritten, not appended to or cut short.
    const auto long_name = unique_name("a-topic-name-well-past-the-small-string-buffer");
    const auto short_name = unique_name("t");
    cluster.create_topic(long_name, 1);
    cluster.create_topic(short_name, 1);
    string_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    std::vector<kflow::record_metadata> seen;
    for (int i = 0; i < 20; ++i) {
        const auto& topic = i % 2 == 0 ? long_name : short_name;
        producer.send({topic, "k", std::string(static_cast<std::size_t>(i) + 1, 'v')},
                      [&](std::error_code ec, const kflow::record_metadata& md) {
                          CHECK_FALSE(ec);
                          seen.push_back(md);
                      });
    }
    producer.flush(10s);
    REQUIRE(seen.size() == 20);
    std::map<std::string, std::int64_t> next_offset;
    for (const auto& md : seen) {
        // One partition per topic: reports come in send order within each topic.
        CHECK(md.persisted);
        CHECK(md.offset == next_offset[md.topic]++);
    }
    CHECK(next_offset.size() == 2);
    CHECK(next_offset[long_name] == 10);
    CHECK(next_offset[short_name] == 10);
}

TEST_CASE("a borrowed string value is sent as it was when send() was called",
          "[hot-path][producer][serde][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("borrowed-string");
    cluster.create_topic(topic, 1);
    string_producer producer(kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    {
        string_producer::record_type record(topic, std::string(40, 'k'), std::string(4096, 'a'));
        producer.send(record, [](std::error_code, const kflow::record_metadata&) {});
        // librdkafka copied both during send(): overwriting them changes nothing.
        record.value.assign(4096, 'X');
        record.key.assign(40, 'Y');
    }
    producer.flush(10s);
    string_consumer consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("reader")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    const auto got = kflow::testing::consume_until(consumer, 1);
    REQUIRE(got.size() == 1);
    CHECK(got[0].key == std::string(40, 'k'));
    CHECK(got[0].value == std::string(4096, 'a'));
}
