#pragma once
// Topic/partition/offset value types and their conversion to librdkafka's partition lists.

#include <kflow/detail/handles.hpp>

#include <compare>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kflow {

/// Special offsets understood wherever kflow takes an offset.
namespace offsets {
inline constexpr std::int64_t beginning = RD_KAFKA_OFFSET_BEGINNING;  ///< earliest available
inline constexpr std::int64_t end = RD_KAFKA_OFFSET_END;              ///< next to be written
inline constexpr std::int64_t stored = RD_KAFKA_OFFSET_STORED;        ///< the group's committed
inline constexpr std::int64_t invalid = RD_KAFKA_OFFSET_INVALID;      ///< none / unknown
}  // namespace offsets

/// "Any partition": let the partitioner choose.
inline constexpr std::int32_t any_partition = RD_KAFKA_PARTITION_UA;

/// How kflow names a partition in messages and results: 'orders' [3].
[[nodiscard]] inline std::string partition_label(std::string_view topic, std::int32_t partition) {
    return "'" + std::string(topic) + "' [" + std::to_string(partition) + "]";
}

/// A partition of a topic, as used for assignments, pause/resume and offset queries.
struct topic_partition {
    std::string topic;           ///< the topic's name
    std::int32_t partition = 0;  ///< the partition number, from 0

    /// Orders by topic name, then partition number, so it can key a std::map or std::set.
    friend auto operator<=>(const topic_partition&, const topic_partition&) = default;
};

/// A partition and an offset in it: an assignment's starting point, a seek target, an offset to
/// commit (the next offset to read, i.e. the last handled record's offset + 1) or a query's
/// answer. Answers from the broker carry a per-partition `error`.
struct topic_partition_offset {
    /// Partition 0 of no topic, offset offsets::invalid.
    topic_partition_offset() = default;
    /// `at` may be an absolute offset or one of kflow::offsets; `commit_metadata` is stored with
    /// a commit and returned by committed(); `broker_error` is for answers, not requests.
    topic_partition_offset(std::string topic_name, std::int32_t partition_id,
                           std::int64_t at = offsets::invalid, std::string commit_metadata = {},
                           std::int32_t broker_error = 0)
        : topic(std::move(topic_name)),
          partition(partition_id),
          offset(at),
          metadata(std::move(commit_metadata)),
          error(broker_error) {}

    std::string topic;                       ///< the topic's name
    std::int32_t partition = 0;              ///< the partition number, from 0
    std::int64_t offset = offsets::invalid;  ///< an absolute offset or one of kflow::offsets
    std::string metadata;    ///< commit metadata, when committing or reading committed offsets
    std::int32_t error = 0;  ///< per-partition rd_kafka_resp_err_t from the broker, 0 when fine

    /// The topic and partition without the offset.
    [[nodiscard]] topic_partition partition_id() const { return {topic, partition}; }
    /// Equal when every field is, metadata and error included.
    friend bool operator==(const topic_partition_offset&, const topic_partition_offset&) = default;
};

/// Low and high watermarks of a partition: the first offset still stored and the next to write.
struct watermark_offsets {
    std::int64_t low = offsets::invalid;   ///< the oldest offset not yet deleted by retention
    std::int64_t high = offsets::invalid;  ///< one past the newest record consumers can read
};

namespace detail {

inline partition_list_handle to_native(const std::vector<topic_partition>& parts) {
    partition_list_handle list(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
    for (const auto& p : parts) {
        rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition);
    }
    return list;
}

inline partition_list_handle to_native(const std::vector<topic_partition_offset>& parts) {
    partition_list_handle list(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
    for (const auto& p : parts) {
        auto* elem = rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition);
        elem->offset = p.offset;
        if (!p.metadata.empty()) {
            // librdkafka frees metadata with free(): hand it a malloc'ed copy.
            elem->metadata = std::malloc(p.metadata.size());
            std::memcpy(elem->metadata, p.metadata.data(), p.metadata.size());
            elem->metadata_size = p.metadata.size();
        }
    }
    return list;
}

inline std::vector<topic_partition> partitions_from_native(
    const rd_kafka_topic_partition_list_t* list) {
    std::vector<topic_partition> out;
    if (list == nullptr)
        return out;
    out.reserve(static_cast<std::size_t>(list->cnt));
    for (int i = 0; i < list->cnt; ++i)
        out.push_back({list->elems[i].topic, list->elems[i].partition});
    return out;
}

inline std::vector<topic_partition_offset> offsets_from_native(
    const rd_kafka_topic_partition_list_t* list) {
    std::vector<topic_partition_offset> out;
    if (list == nullptr)
        return out;
    out.reserve(static_cast<std::size_t>(list->cnt));
    for (int i = 0; i < list->cnt; ++i) {
        const auto& e = list->elems[i];
        out.push_back({e.topic, e.partition, e.offset,
                       e.metadata
                           ? std::string(static_cast<const char*>(e.metadata), e.metadata_size)
                           : std::string(),
                       static_cast<std::int32_t>(e.err)});
    }
    return out;
}

}  // namespace detail
}  // namespace kflow
