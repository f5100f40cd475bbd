#pragma once
// kflow: the whole public API.
//
// The async layer is part of it: Boost (Asio) is a dependency of kflow::kflow either way, so
// including it adds compile time but no new dependency. Code that only uses the synchronous
// clients may include their headers (kflow/producer.hpp, kflow/consumer.hpp, ...) instead, which
// do not include Asio.

#include <kflow/admin.hpp>
#include <kflow/async.hpp>
#include <kflow/config.hpp>
#include <kflow/consumed_offsets.hpp>
#include <kflow/consumer.hpp>
#include <kflow/consumer_config.hpp>
#include <kflow/consumer_group_metadata.hpp>
#include <kflow/dead_letter.hpp>
#include <kflow/deserialization_error.hpp>
#include <kflow/env_config.hpp>
#include <kflow/error.hpp>
#include <kflow/headers.hpp>
#include <kflow/metrics.hpp>
#include <kflow/presets.hpp>
#include <kflow/producer.hpp>
#include <kflow/producer_config.hpp>
#include <kflow/raw_producer_record.hpp>
#include <kflow/rebalance.hpp>
#include <kflow/record.hpp>
#include <kflow/security.hpp>
#include <kflow/security_failure.hpp>
#include <kflow/serde.hpp>
#include <kflow/topic_partition.hpp>
#include <kflow/tracing.hpp>
#include <kflow/transaction.hpp>
#include <kflow/version.hpp>

/// kflow's public API: typed producers and consumers (`producer`, `consumer`), their Asio twins
/// (`async_producer`, `async_consumer`), the `admin_client`, config builders and serializers.
/// Everything under `kflow::detail` is internal and may change in any release.
namespace kflow {
/// Testing your Kafka code without a broker: `mock_cluster` (librdkafka's mock cluster over
/// real sockets, with fault injection) and helpers that send, expect and wait for records.
namespace testing {}
}  // namespace kflow
