#pragma once
// What kflow tells a metrics or tracing back end about a client: its life, its statistics, each
// delivery report and each record handed to the application.

#include <kflow/metrics/statistics.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

namespace kflow::metrics {

/// A client as an observer sees it.
struct client_description {
    std::string_view name;      ///< librdkafka's handle name (`<client.id>#producer-1`), unique
    std::string_view type;      ///< "producer" or "consumer"
    std::string_view group_id;  ///< a consumer's group.id; empty for a producer
};

/// One delivery report: a record the broker acknowledged, or a record that failed.
struct delivery_observation {
    std::string_view client;              ///< the producer's handle name
    std::string_view topic;               ///< the record's topic
    std::int32_t partition = -1;          ///< its partition (-1 when none was chosen)
    std::chrono::microseconds latency{};  ///< from the send to this report, as librdkafka measured
    std::error_code error;                ///< empty when delivered
};

/// One record handed to the application by a consumer (poll, poll_batch, async_receive...).
struct receive_observation {
    std::string_view client;      ///< the consumer's handle name
    std::string_view topic;       ///< the record's topic
    std::int32_t partition = -1;  ///< its partition
    std::int64_t offset = -1;     ///< its offset
    /// The record's timestamp (producer CreateTime or broker LogAppendTime), when it has one.
    std::optional<std::chrono::system_clock::time_point> timestamp;
};

/// Receives what kflow observes on the clients whose config has it (basic_config::observe()).
///
/// Every member is called on the application's side, never on a librdkafka thread: on the thread
/// that polls a synchronous client, on the executor of an asynchronous one. One observer may
/// serve several clients at once, from several threads: an implementation shared that way must
/// be thread-safe. What a member throws is caught and rethrown by the poll that called it, as
/// for the other callbacks. The default members do nothing.
///
/// Cost: a client with no observer pays one pointer test per record; with one, each record's
/// member call.
class client_observer {
  public:
    client_observer() = default;
    client_observer(const client_observer&) = delete;
    client_observer& operator=(const client_observer&) = delete;
    virtual ~client_observer() = default;

    /// A client was created (its handle name is known from now on).
    virtual void on_client_created(const client_description& client) { (void)client; }
    /// A client was destroyed: nothing more comes from `name`.
    virtual void on_client_destroyed(std::string_view name) { (void)name; }
    /// The client's statistics, every statistics.interval.ms (observe() sets 5 s when it is
    /// not set).
    virtual void on_statistics(const statistics& stats) { (void)stats; }
    /// A producer's delivery report.
    virtual void on_delivered(const delivery_observation& delivery) { (void)delivery; }
    /// A consumer handed a record to the application.
    virtual void on_received(const receive_observation& record) { (void)record; }
};

/// Two observers as one, in order (what observe() makes of a second observer).
class observer_pair final : public client_observer {
  public:
    /// Calls `first`, then `second`.
    observer_pair(std::shared_ptr<client_observer> first, std::shared_ptr<client_observer> second)
        : first_(std::move(first)), second_(std::move(second)) {}

    void on_client_created(const client_description& client) override {
        first_->on_client_created(client);
        second_->on_client_created(client);
    }
    void on_client_destroyed(std::string_view name) override {
        first_->on_client_destroyed(name);
        second_->on_client_destroyed(name);
    }
    void on_statistics(const statistics& stats) override {
        first_->on_statistics(stats);
        second_->on_statistics(stats);
    }
    void on_delivered(const delivery_observation& delivery) override {
        first_->on_delivered(delivery);
        second_->on_delivered(delivery);
    }
    void on_received(const receive_observation& record) override {
        first_->on_received(record);
        second_->on_received(record);
    }

  private:
    std::shared_ptr<client_observer> first_;
    std::shared_ptr<client_observer> second_;
};

}  // namespace kflow::metrics
