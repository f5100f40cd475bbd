// Consumer throughput: kflow against the raw librdkafka C API (rd_kafka_consume_batch_queue),
// same mock cluster, same pre-produced data, same fetch settings.
//
// The data: --messages values of --value-size bytes, spread round-robin over enough partitions
// that the mock keeps all of them (it keeps about 5 MiB of log per partition and silently drops
// older messages); the benchmark checks every partition's watermarks before it starts.
//
// Each run creates a consumer, fetches the topic's metadata (so assignment starts at once),
// then times from assign() of every partition at the beginning to the last message read, and
// fails unless it read exactly --messages messages of the right size without an error.
// Scenarios: co_await async_receive (one record per call) and co_await async_receive_batch(1000),
// the sync consumer's poll() and poll_batch(1000); the raw side reads with
// rd_kafka_consume_batch_queue asking for the same number of messages per call.
// kflow hands out typed records (std::string values: one copy per value), the raw side borrows
// librdkafka's buffers; that copy is part of what kflow costs.
#include "bench_common.hpp"

#include <kflow/async_consumer.hpp>
#include <kflow/consumer.hpp>
#include <kflow/serdes/none.hpp>
#include <kflow/serdes/string.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdio>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::bench::clock_type;
using kflow::bench::expect;

namespace {

using async_consumer_type = kflow::async_consumer<kflow::none, std::string>;
using sync_consumer_type = kflow::consumer<kflow::none, std::string>;

constexpr std::size_t batch_size = 1000;
constexpr auto run_deadline = 300s;

struct setup {
    std::string topic;
    std::int32_t partitions;
    std::size_t messages;
    std::size_t value_size;
    kflow::bench::properties props;
};

/// What one run read; checked against what was produced.
struct tally {
    std::size_t messages = 0;
    std::size_t bytes = 0;

    void check(const setup& s, const char* who) const {
        expect(messages == s.messages && bytes == s.messages * s.value_size, [&] {
            return std::string(who) + ": read " + std::to_string(messages) + " messages, " +
                   std::to_string(bytes) + " bytes; expected " + std::to_string(s.messages) +
                   " messages of " + std::to_string(s.value_size) + " bytes";
        });
    }
};

// -- The data ---------------------------------------------------------------------------------

void on_fill_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR)
        ++*static_cast<std::size_t*>(opaque);
}

/// Writes the messages with a raw producer and checks that the mock kept every one of them.
void fill_topic(const setup& s, const std::string& bootstrap) {
    std::size_t failed = 0;
    auto rk = kflow::bench::make_raw_client(
        RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap}, {"linger.ms", "5"}},
        [&](rd_kafka_conf_t* conf) {
            rd_kafka_conf_set_dr_msg_cb(conf, &on_fill_delivery);
            rd_kafka_conf_set_opaque(conf, &failed);
        });
    const std::string value = kflow::bench::make_value(s.value_size);
    for (std::size_t i = 0; i < s.messages;) {
        const auto err =
            rd_kafka_producev(rk.get(), RD_KAFKA_V_TOPIC(s.topic.c_str()),
                              RD_KAFKA_V_PARTITION(static_cast<std::int32_t>(i % s.partitions)),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(rk.get(), 100);
            continue;
        }
        expect(err == RD_KAFKA_RESP_ERR_NO_ERROR,
               [&] { return std::string("filling the topic: ") + rd_kafka_err2str(err); });
        ++i;
        rd_kafka_poll(rk.get(), 0);
    }
    expect(rd_kafka_flush(rk.get(), 120'000) == RD_KAFKA_RESP_ERR_NO_ERROR && failed == 0,
           "filling the topic: not every message was delivered");
    std::size_t stored = 0;
    for (std::int32_t p = 0; p < s.partitions; ++p) {
        std::int64_t low = -1;
        std::int64_t high = -1;
        expect(rd_kafka_query_watermark_offsets(rk.get(), s.topic.c_str(), p, &low, &high,
                                                10'000) == RD_KAFKA_RESP_ERR_NO_ERROR,
               "filling the topic: cannot read watermarks");
        expect(low == 0, [&] {
            return "partition " + std::to_string(p) +
                   " lost its oldest messages (the mock keeps ~5 MiB per partition): "
                   "use fewer or smaller messages";
        });
        stored += static_cast<std::size_t>(high);
    }
    expect(stored == s.messages, [&] {
        return "filling the topic: the partitions hold " + std::to_string(stored) +
               " messages, not " + std::to_string(s.messages);
    });
}

/// Asks for the topic's metadata so that assignment does not wait for it.
void fetch_metadata(rd_kafka_t* rk, const std::string& topic) {
    kflow::detail::topic_handle t(rd_kafka_topic_new(rk, topic.c_str(), nullptr));
    const rd_kafka_metadata_t* md = nullptr;
    expect(rd_kafka_metadata(rk, 0, t.get(), &md, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR,
           "cannot fetch the topic's metadata");
    kflow::detail::metadata_handle owned(md);
}

std::vector<kflow::topic_partition_offset> every_partition(const setup& s) {
    std::vector<kflow::topic_partition_offset> out;
    for (std::int32_t p = 0; p < s.partitions; ++p) {
        out.emplace_back(s.topic, p, kflow::offsets::beginning);
    }
    return out;
}

// -- raw --------------------------------------------------------------------------------------

kflow::bench::run_result raw_run(const setup& s, std::size_t per_call) {
    auto rk = kflow::bench::make_raw_client(RD_KAFKA_CONSUMER, s.props);
    rd_kafka_poll_set_consumer(rk.get());
    kflow::detail::queue_handle queue(rd_kafka_queue_get_consumer(rk.get()));
    fetch_metadata(rk.get(), s.topic);
    kflow::detail::partition_list_handle parts(rd_kafka_topic_partition_list_new(s.partitions));
    for (std::int32_t p = 0; p < s.partitions; ++p) {
        rd_kafka_topic_partition_list_add(parts.get(), s.topic.c_str(), p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    }
    std::vector<rd_kafka_message_t*> buffer(per_call);
    tally read;
    const auto start = clock_type::now();
    const double cpu_start = kflow::bench::thread_cpu_seconds();
    expect(rd_kafka_assign(rk.get(), parts.get()) == RD_KAFKA_RESP_ERR_NO_ERROR, "raw: assign");
    while (read.messages < s.messages) {
        expect(clock_type::now() < start + run_deadline, "raw consumer: messages missing");
        const ssize_t n =
            rd_kafka_consume_batch_queue(queue.get(), 100, buffer.data(), buffer.size());
        expect(n >= 0, "raw consumer: consume failed");
        for (ssize_t i = 0; i < n; ++i) {
            const kflow::detail::message_handle msg(buffer[static_cast<std::size_t>(i)]);
            expect(msg->err == RD_KAFKA_RESP_ERR_NO_ERROR, [&] {
                return std::string("raw consumer: ") + rd_kafka_message_errstr(msg.get());
            });
            ++read.messages;
            read.bytes += msg->len;
        }
    }
    const auto result = kflow::bench::measured(start, cpu_start, s.messages);
    read.check(s, "raw consumer");
    queue.reset();
    rd_kafka_consumer_close(rk.get());
    return result;
}

// -- kflow ------------------------------------------------------------------------------------

kflow::consumer_config kflow_config(const setup& s) {
    kflow::consumer_config cfg;
    return kflow::bench::apply(cfg, s.props);
}

/// per_call 1: async_receive; more: async_receive_batch(per_call).
kflow::bench::run_result kflow_async_run(const setup& s, std::size_t per_call) {
    asio::io_context io(1);
    async_consumer_type consumer(io.get_executor(), kflow_config(s));
    fetch_metadata(consumer.native_handle(), s.topic);
    tally read;
    std::exception_ptr failure;
    const auto start = clock_type::now();
    const double cpu_start = kflow::bench::thread_cpu_seconds();
    consumer.assign(every_partition(s));
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            while (read.messages < s.messages) {
                if (per_call == 1) {
                    const auto record = co_await consumer.async_receive();
                    ++read.messages;
                    read.bytes += record.value.size();
                } else {
                    const auto batch = co_await consumer.async_receive_batch(per_call);
                    for (const auto& record : batch)
                        read.bytes += record.value.size();
                    read.messages += batch.size();
                }
            }
        },
        [&](std::exception_ptr e) { failure = e; });
    // Data either flows or the run is broken; the deadline turns a hang into a failure.
    io.run_for(run_deadline);
    const auto result = kflow::bench::measured(start, cpu_start, s.messages);
    if (failure)
        std::rethrow_exception(failure);
    read.check(s, "kflow async consumer");
    return result;
}

/// per_call 1: poll(); more: poll_batch(per_call).
kflow::bench::run_result kflow_sync_run(const setup& s, std::size_t per_call) {
    sync_consumer_type consumer(kflow_config(s));
    fetch_metadata(consumer.native_handle(), s.topic);
    tally read;
    const auto start = clock_type::now();
    const double cpu_start = kflow::bench::thread_cpu_seconds();
    consumer.assign(every_partition(s));
    while (read.messages < s.messages) {
        expect(clock_type::now() < start + run_deadline, "kflow sync consumer: messages missing");
        if (per_call == 1) {
            if (auto record = consumer.poll(100ms)) {
                ++read.messages;
                read.bytes += record->value.size();
            }
        } else {
            const auto batch = consumer.poll_batch(per_call, 100ms);
            for (const auto& record : batch)
                read.bytes += record.value.size();
            read.messages += batch.size();
        }
    }
    const auto result = kflow::bench::measured(start, cpu_start, s.messages);
    read.check(s, "kflow sync consumer");
    return result;
}

}  // namespace

int main(int argc, char** argv) {
    return kflow::bench::run_main([&] {
        const auto opt = kflow::bench::parse_options(argc, argv);
        kflow::testing::mock_cluster cluster;
        // Room for every message: at most ~3 MiB of log per partition (record overhead included).
        const std::size_t log_bytes = opt.messages * (opt.value_size + 64);
        const auto partitions = static_cast<std::int32_t>(
            std::max<std::size_t>(4, (log_bytes + (3u << 20) - 1) / (3u << 20)));
        setup s{"bench-consumer", partitions, opt.messages, opt.value_size, {}};
        cluster.create_topic(s.topic, s.partitions);
        std::printf(
            "kflow consumer benchmark: %zu messages x %zu B over %d partitions, %d "
            "repetition(s), median reported; mock cluster, 1 broker\n",
            opt.messages, opt.value_size, s.partitions, opt.repetitions);
        std::fflush(stdout);
        fill_topic(s, cluster.bootstrap_servers());

        // Identical for every client. fetch.max.bytes bounds what one fetch over many partitions
        // returns (the mock answers with a whole message set per partition); fetch.wait.max.ms
        // is low because the mock holds an empty fetch for all of it.
        s.props = {{"bootstrap.servers", cluster.bootstrap_servers()},
                   {"group.id", "bench-consumer"},
                   {"enable.auto.commit", "false"},
                   {"auto.offset.reset", "earliest"},
                   {"fetch.max.bytes", "1048576"},
                   {"fetch.wait.max.ms", "5"}};

        const std::string batch = std::to_string(batch_size);
        std::vector<kflow::bench::throughput_row> rows;
        const auto raw = [&](std::size_t per_call) {
            return [&s, per_call] { return raw_run(s, per_call); };
        };
        kflow::bench::compare(rows, opt, "co_await async_receive", "consume_batch_queue(1)", raw(1),
                              [&] { return kflow_async_run(s, 1); });
        kflow::bench::compare(rows, opt, "co_await async_receive_batch(" + batch + ")",
                              "consume_batch_queue(" + batch + ")", raw(batch_size),
                              [&] { return kflow_async_run(s, batch_size); });
        kflow::bench::compare(rows, opt, "sync poll()", "consume_batch_queue(1)", raw(1),
                              [&] { return kflow_sync_run(s, 1); });
        kflow::bench::compare(rows, opt, "sync poll_batch(" + batch + ")",
                              "consume_batch_queue(" + batch + ")", raw(batch_size),
                              [&] { return kflow_sync_run(s, batch_size); });
        kflow::bench::print_throughput_table(rows);
    });
}
