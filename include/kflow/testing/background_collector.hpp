#pragma once
// kflow::testing::background_collector: records everything written to a topic while a test acts,
// on a consumer and thread of its own, so that a test can start it, act (publish, call the
// service under test), and then check what arrived.
//
//   kflow::testing::background_collector<std::string, std::string> collector(
//       kflow::testing::test_consumer_config(bootstrap, kflow::testing::unique_name("qa")),
//       orders);                                  // a scoped_topic, or a name and a partition
//       count
//   publish_orders();                             // the code under test
//   REQUIRE(collector.wait_for(3, 5s));           // woken as records arrive, never a fixed sleep
//   for (const auto& r : collector.snapshot()) ...
//
// The collector reads every partition with assign() (no group join, no commits), from the end
// each partition had when the collector was constructed (or from the beginning), so a record
// written after the constructor returned is collected whatever partition it goes to.

#include <kflow/consumer.hpp>
#include <kflow/deserialization_error.hpp>
#include <kflow/error.hpp>
#include <kflow/record.hpp>
#include <kflow/serde.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/scoped_topic.hpp>
#include <kflow/topic_partition.hpp>

#include <algorithm>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace kflow::testing {

/// Where a background_collector starts reading each partition.
enum class collect_from {
    /// The partition's end when the collector is constructed: only records written after the
    /// constructor returned are collected.
    now,
    /// The oldest record the partition still keeps: everything, earlier records included.
    beginning,
};

/// How a background_collector starts, and how much it keeps.
struct collector_options {
    /// Where reading starts in each partition.
    collect_from from = collect_from::now;
    /// At most this many records are kept; later ones are only counted (dropped()), so a test
    /// that produces without end cannot exhaust the memory.
    std::size_t max_records = 10000;
    /// How long the constructor may take to learn each partition's end (collect_from::now).
    std::chrono::milliseconds start_timeout = std::chrono::seconds(10);
    /// The longest a poll of the collecting thread waits: how soon stop() (and the destructor)
    /// return. Records are collected as soon as they arrive whatever this is.
    std::chrono::milliseconds poll_interval = std::chrono::milliseconds(50);
};

/// Collects every record written to one topic, on a consumer and a thread of its own, from the
/// moment it is constructed (or from the topic's beginning) until it is stopped or destroyed.
///
/// The test's thread reads what arrived so far with snapshot(), or waits with wait_for() for a
/// count or a condition, woken as records arrive (a condition variable, never a fixed sleep).
/// Every member function is thread-safe. Neither copyable nor movable: its thread refers to it.
///
/// A record whose key or value cannot be deserialized is skipped and counted (undecodable()).
/// A fatal consumer error stops the collecting early: failure() says why, and wait_for()
/// returns at once from then on.
template <class K, class V, class KeySerde = serde<K>, class ValueSerde = serde<V>>
class background_collector {
  public:
    using key_type = K;                         ///< the type keys are deserialized to
    using value_type = V;                       ///< the type values are deserialized to
    using record_type = consumer_record<K, V>;  ///< what snapshot() holds
    static_assert(!record_type::borrows,
                  "kflow::testing::background_collector hands out copies of what it collected: "
                  "collect owning types (std::string, kflow::bytes), not views");

    /// Starts collecting partitions 0 .. `partitions` - 1 of `topic`, from where
    /// `options.from` says, with a consumer made from `config`. The collector never commits:
    /// auto-commit is turned off, and a group id (which kflow's consumer needs) of
    /// unique_name("kflow-collector") is set when `config` has none. test_consumer_config() is a
    /// good `config` on the mock (fetches return within 10 ms).
    ///
    /// When the constructor returns, the start of every partition is known: a record written
    /// afterwards is collected. Throws kafka_error when the consumer cannot be created or, with
    /// collect_from::now, when a partition's end is not known within `options.start_timeout`
    /// (the last error, e.g. the topic does not exist).
    background_collector(consumer_config config, std::string topic, int partitions,
                         collector_options options = {}, KeySerde key_serde = {},
                         ValueSerde value_serde = {})
        : topic_(std::move(topic)),
          options_(options),
          consumer_(prepared(std::move(config)), std::move(key_serde), std::move(value_serde)) {
        consumer_.assign(start_positions(partitions));
        thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
    }

    /// Collects every partition of `topic` (its partitions()) as the constructor above does.
    background_collector(consumer_config config, const scoped_topic& topic,
                         collector_options options = {}, KeySerde key_serde = {},
                         ValueSerde value_serde = {})
        : background_collector(std::move(config), topic.name(), topic.partitions(), options,
                               std::move(key_serde), std::move(value_serde)) {}

    background_collector(const background_collector&) = delete;
    background_collector& operator=(const background_collector&) = delete;

    /// Stops collecting (see stop()), then closes the consumer.
    ~background_collector() { stop(); }

    /// Stops collecting: returns once the collecting thread has ended, within about
    /// options.poll_interval. What was collected stays readable. Calling it again does nothing.
    void stop() noexcept {
        if (thread_.joinable()) {
            thread_.request_stop();
            thread_.join();
        }
    }

    /// The topic collected.
    [[nodiscard]] const std::string& topic() const noexcept { return topic_; }

    /// A copy of every record collected so far (at most options.max_records), in the order they
    /// arrived: each partition's records in offset order, partitions interleaved.
    [[nodiscard]] std::vector<record_type> snapshot() const {
        std::lock_guard lock(mutex_);
        return records_;
    }
    /// How many records were collected so far (kept ones; see dropped()).
    [[nodiscard]] std::size_t size() const {
        std::lock_guard lock(mutex_);
        return records_.size();
    }
    /// How many records arrived after options.max_records were kept, and were not kept.
    [[nodiscard]] std::size_t dropped() const {
        std::lock_guard lock(mutex_);
        return dropped_;
    }
    /// How many records could not be deserialized, and were skipped.
    [[nodiscard]] std::size_t undecodable() const {
        std::lock_guard lock(mutex_);
        return undecodable_;
    }
    /// Why collecting stopped early (a fatal consumer error), or why the first undecodable
    /// record was skipped; empty when neither happened.
    [[nodiscard]] std::string failure() const {
        std::lock_guard lock(mutex_);
        return failure_;
    }
    /// False once the collector was stopped or a fatal error ended its collecting.
    [[nodiscard]] bool running() const {
        std::lock_guard lock(mutex_);
        return !finished_;
    }

    /// Waits until `condition(records)` holds for the records collected so far, for at most
    /// `timeout`; true when it held. `condition` is called on this thread, with the collector's
    /// lock held (it must not call the collector), once now and again after each batch of
    /// records. Once collecting has ended (stop(), a fatal error) it returns at once, with the
    /// condition's value.
    template <std::predicate<const std::vector<record_type>&> Condition>
    [[nodiscard]] bool wait_for(Condition condition, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        const auto until = std::chrono::steady_clock::now() + timeout;
        return arrived_.wait_until(lock, until, [&] { return condition(records_) || finished_; }) &&
               condition(records_);
    }
    /// Waits until at least `count` records were collected, for at most `timeout`; true when
    /// they were.
    [[nodiscard]] bool wait_for(std::size_t count, std::chrono::milliseconds timeout) {
        return wait_for([count](const std::vector<record_type>& r) { return r.size() >= count; },
                        timeout);
    }

    /// One line for failure messages: "collected 3 record(s) from <topic>", then what was
    /// dropped or undecodable, and failure() when set.
    [[nodiscard]] std::string status() const {
        std::lock_guard lock(mutex_);
        std::string out =
            "collected " + std::to_string(records_.size()) + " record(s) from " + topic_;
        if (dropped_ > 0)
            out += ", " + std::to_string(dropped_) + " more not kept (max_records)";
        if (undecodable_ > 0)
            out += ", " + std::to_string(undecodable_) + " undecodable";
        if (!failure_.empty())
            out += "; " + failure_;
        return out;
    }

  private:
    static consumer_config prepared(consumer_config config) {
        if (!config.contains("group.id"))
            config.group_id(unique_name("kflow-collector"));
        config.enable_auto_commit(false);
        return config;
    }

    std::vector<topic_partition_offset> start_positions(int partitions) {
        std::vector<topic_partition_offset> out;
        for (int p = 0; p < partitions; ++p) {
            std::int64_t at = offsets::beginning;
            if (options_.from == collect_from::now)
                at = end_of({topic_, p});
            out.emplace_back(topic_, p, at);
        }
        return out;
    }

    // The partition's end as an absolute offset. Assigning at offsets::end instead would let
    // librdkafka look the end up later, in the background, after records the test wrote in the
    // meantime: they would be missed.
    std::int64_t end_of(const topic_partition& tp) {
        const auto until = std::chrono::steady_clock::now() + options_.start_timeout;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                until - std::chrono::steady_clock::now());
            error_info err;
            const auto w =
                consumer_.watermarks(tp, std::max(left, std::chrono::milliseconds(1)), err);
            if (!err && w.high >= 0)
                return w.high;
            if (std::chrono::steady_clock::now() >= until) {
                throw kafka_error(
                    err ? err.code : make_error_code(errc::timed_out),
                    "background_collector: the end of " + partition_label(tp.topic, tp.partition) +
                        " is not known within " + std::to_string(options_.start_timeout.count()) +
                        " ms" + (err ? ": " + err.message : std::string()));
            }
            // A topic just created may not have a leader yet; there is no event to await.
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    void run(const std::stop_token& stop) {
        while (!stop.stop_requested()) {
            try {
                auto batch = consumer_.poll_batch(256, options_.poll_interval);
                if (batch.empty())
                    continue;
                {
                    std::lock_guard lock(mutex_);
                    for (auto& r : batch) {
                        if (records_.size() < options_.max_records)
                            records_.push_back(std::move(r));
                        else
                            ++dropped_;
                    }
                }
                arrived_.notify_all();
            } catch (const deserialization_error& e) {
                std::lock_guard lock(mutex_);
                if (undecodable_++ == 0 && failure_.empty())
                    failure_ = std::string("first undecodable record: ") + e.what();
            } catch (const std::exception& e) {
                finish(std::string("collecting stopped: ") + e.what());
                return;
            }
        }
        finish({});
    }

    void finish(std::string why) {
        {
            std::lock_guard lock(mutex_);
            finished_ = true;
            if (!why.empty())
                failure_ = std::move(why);
        }
        arrived_.notify_all();
    }

    std::string topic_;
    collector_options options_;
    consumer<K, V, KeySerde, ValueSerde> consumer_;  // used by the thread alone once it runs

    mutable std::mutex mutex_;
    std::condition_variable arrived_;
    std::vector<record_type> records_;
    std::size_t dropped_ = 0;
    std::size_t undecodable_ = 0;
    std::string failure_;
    bool finished_ = false;

    std::jthread thread_;  // declared last: it starts once everything it uses exists
};

}  // namespace kflow::testing
