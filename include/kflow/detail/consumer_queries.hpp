#pragma once
// The consumer's requests that block in librdkafka until a broker (or its fetcher) answers:
// committed offsets, watermarks, offsets for times and seeking. Free functions over the handle,
// touching no kflow state, so the synchronous consumer calls them on its own thread and the async
// consumer on a thread of their own (librdkafka 2.0.2 offers none of them as an event).

#include <kflow/detail/client_core.hpp>
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
[[nodiscard]] inline std::vector<topic_partition_offset> query_committed(
    rd_kafka_t* rk, const std::vector<topic_partition>& parts, std::chrono::milliseconds timeout,
    error_info& err) {
    auto list = to_native(parts);
    err = described(rd_kafka_committed(rk, list.get(), to_timeout_ms(timeout)), "committed");
    return offsets_from_native(list.get());
}

/// The low and high watermarks of `tp`, asked of its leader.
[[nodiscard]] inline watermark_offsets query_watermarks(rd_kafka_t* rk, const topic_partition& tp,
                                                        std::chrono::milliseconds timeout,
                                                        error_info& err) {
    watermark_offsets w;
    err = described(rd_kafka_query_watermark_offsets(rk, tp.topic.c_str(), tp.partition, &w.low,
                                                     &w.high, to_timeout_ms(timeout)),
                    "query watermark offsets");
    return w;
}

/// For each partition, the first offset whose timestamp is >= the time in its `offset` (ms since
/// the epoch); offsets::end when there is none.
[[nodiscard]] inline std::vector<topic_partition_offset> query_offsets_for_times(
    rd_kafka_t* rk, const std::vector<topic_partition_offset>& times,
    std::chrono::milliseconds timeout, error_info& err) {
    auto list = to_native(times);
    err = described(rd_kafka_offsets_for_times(rk, list.get(), to_timeout_ms(timeout)),
                    "offsets for times");
    return offsets_from_native(list.get());
}

/// Moves the fetcher of an assigned partition to `to`, waiting up to `timeout` for it to move
/// (after which librdkafka hands out nothing fetched from the old position).
[[nodiscard]] inline error_info seek_partition(rd_kafka_t* rk, const topic_partition_offset& to,
                                               std::chrono::milliseconds timeout) {
    auto list = to_native(std::vector<topic_partition_offset>{to});
    error_info err =
        error_info::adopt(rd_kafka_seek_partitions(rk, list.get(), to_timeout_ms(timeout)));
    if (!err && list->elems[0].err)
        err = described(list->elems[0].err, "seek");
    if (err)
        err.message =
            "seek " + to.topic + " [" + std::to_string(to.partition) + "]: " + err.message;
    return err;
}

}  // namespace kflow::detail
