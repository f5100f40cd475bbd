#pragma once
// The one door to a client's internals: kflow's white-box tests (and nothing in the public API)
// reach the core under a producer or consumer, or a producer's enqueue step, through it.

#include <kflow/error.hpp>

#include <optional>
#include <utility>

namespace kflow::detail {

struct client_access {
    /// The core under a producer or consumer (detail::producer_core / consumer_core); throws
    /// errc::closed for a moved-from client.
    template <class Client>
    [[nodiscard]] static auto& core(Client& client) {
        return client.live();
    }
    /// Serializes `record` and enqueues it with the delivery op `make_op()` returns; empty when
    /// librdkafka took it.
    template <class Producer, class MakeOp>
    [[nodiscard]] static std::optional<error_info> enqueue(
        Producer& producer, const typename Producer::record_type& record, MakeOp&& make_op) {
        return producer.enqueue(record, std::forward<MakeOp>(make_op));
    }
};

}  // namespace kflow::detail
