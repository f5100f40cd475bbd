#pragma once
// The consumer's requests that block in librdkafka until a broker (or its fetcher) answers:
// committed offsets, watermarks, offsets for times and seeking. Free functions over the handle,
// touching no kflow state, so the synchronous consumer calls them on its own thread and the async
// consumer on a thread of their own (librdkafka 2.0.2 offers none of them as an event).

#include <kflow/detail/client_core.hpp>
#include <kflow/detail/config.hpp>
#include <kflow/error.hpp>
#include <kflow/topic_partition.hpp>

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <string>
#include <vector>

namespace kflow::detail {

/// An error_info for a librdkafka result code, its text prefixed by `what`; empty on success.
[[nodiscard]] inline error_info described(rd_kafka_resp_err_t err, const std::string& what) {
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return {};
    return {make_error_code(err), what + ": " + rd_kafka_err2str(err), {}};
}

/// The group's committed offsets for `parts`.
[[nodiscard]] KFLOW_DECL std::vector<topic_partition_offset> query_committed(
    rd_kafka_t* rk, const std::vector<topic_partition>& parts, std::chrono::milliseconds timeout,
    error_info& err);

/// The low and high watermarks of `tp`, asked of its leader.
[[nodiscard]] KFLOW_DECL watermark_offsets query_watermarks(rd_kafka_t* rk,
                                                            const topic_partition& tp,
                                                            std::chrono::milliseconds timeout,
                                                            error_info& err);

/// For each partition, the first offset whose timestamp is >= the time in its `offset` (ms since
/// the epoch); offsets::end when there is none.
[[nodiscard]] KFLOW_DECL std::vector<topic_partition_offset> query_offsets_for_times(
    rd_kafka_t* rk, const std::vector<topic_partition_offset>& times,
    std::chrono::milliseconds timeout, error_info& err);

/// Moves the fetcher of an assigned partition to `to`, waiting up to `timeout` for it to move
/// (after which librdkafka hands out nothing fetched from the old position).
[[nodiscard]] KFLOW_DECL error_info seek_partition(rd_kafka_t* rk, const topic_partition_offset& to,
                                                   std::chrono::milliseconds timeout);

}  // namespace kflow::detail

#if !defined(KFLOW_SEPARATE_COMPILATION)
#include <kflow/detail/impl/consumer_queries.ipp>
#endif
