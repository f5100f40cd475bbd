#pragma once
// The application code of docs/testing.md's example: an order publisher. Its tests are
// test_docs_testing_example.cpp (against the mock) and test_docs_testing_example_integration.cpp
// (against a real cluster); docs/testing.md quotes this file between its "docs:" markers.

// docs: application
#include <kflow.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace shop {

struct order_placed {
    std::string order_id;
    std::string customer;
    long total_cents = 0;

    friend bool operator==(const order_placed&, const order_placed&) = default;
};

inline void to_json(nlohmann::json& j, const order_placed& o) {
    j = {{"order_id", o.order_id}, {"customer", o.customer}, {"total_cents", o.total_cents}};
}
inline void from_json(const nlohmann::json& j, order_placed& o) {
    j.at("order_id").get_to(o.order_id);
    j.at("customer").get_to(o.customer);
    j.at("total_cents").get_to(o.total_cents);
}

/// Publishes order events as JSON, keyed by customer so that one customer's orders stay in
/// order, with the caller's trace id as a header.
class order_publisher {
  public:
    order_publisher(const kflow::producer_config& config, std::string topic)
        : producer_(config), topic_(std::move(topic)) {}

    /// Sends and waits until the broker stored the order; throws kflow::kafka_error if it did
    /// not within `timeout` (the order may still be delivered later: it stays queued).
    kflow::record_metadata publish(const order_placed& order, std::string_view trace_id,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        // Shared with the callback, which may run after a timeout, when this frame is gone.
        auto report = std::make_shared<delivery>();
        producer_.send(
            {topic_, order.customer, order, kflow::headers{{"trace-id", std::string(trace_id)}}},
            [report](std::error_code ec, const kflow::record_metadata& md) {
                report->error = ec;
                report->metadata = md;
            });
        kflow::error_info unconfirmed;
        producer_.flush(timeout, unconfirmed);
        if (unconfirmed)
            unconfirmed.raise("order " + order.order_id + " not confirmed");
        kflow::throw_if_error(report->error, "order " + order.order_id);
        return report->metadata;
    }

  private:
    struct delivery {
        std::error_code error;
        kflow::record_metadata metadata;
    };
    kflow::producer<std::string, order_placed> producer_;
    std::string topic_;
};

}  // namespace shop
// docs: end
