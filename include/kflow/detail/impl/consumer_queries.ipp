#pragma once
// The consumer's blocking queries (kflow/detail/consumer_queries.hpp).
// kflow/detail/consumer_queries.hpp includes this file at its end in header-only mode; with
// KFLOW_SEPARATE_COMPILATION only kflow/src.hpp does (see kflow/detail/config.hpp).

#include <kflow/detail/consumer_queries.hpp>

namespace kflow::detail {

std::vector<topic_partition_offset> query_committed(rd_kafka_t* rk,
                                                    const std::vector<topic_partition>& parts,
                                                    std::chrono::milliseconds timeout,
                                                    error_info& err) {
    auto list = to_native(parts);
    err = described(rd_kafka_committed(rk, list.get(), to_timeout_ms(timeout)), "committed");
    return offsets_from_native(list.get());
}

watermark_offsets query_watermarks(rd_kafka_t* rk, const topic_partition& tp,
                                   std::chrono::milliseconds timeout, error_info& err) {
    watermark_offsets w;
    err = described(rd_kafka_query_watermark_offsets(rk, tp.topic.c_str(), tp.partition, &w.low,
                                                     &w.high, to_timeout_ms(timeout)),
                    "query watermark offsets");
    return w;
}

std::vector<topic_partition_offset> query_offsets_for_times(
    rd_kafka_t* rk, const std::vector<topic_partition_offset>& times,
    std::chrono::milliseconds timeout, error_info& err) {
    auto list = to_native(times);
    err = described(rd_kafka_offsets_for_times(rk, list.get(), to_timeout_ms(timeout)),
                    "offsets for times");
    return offsets_from_native(list.get());
}

error_info seek_partition(rd_kafka_t* rk, const topic_partition_offset& to,
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
