#pragma once
// DeleteRecords: removes a partition's records before an offset (moves its low watermark).

#include <kflow/admin/detail/request.hpp>
#include <kflow/admin/offsets.hpp>
#include <kflow/topic_partition.hpp>

#include <set>
#include <string>
#include <vector>

namespace kflow::detail {

struct delete_records_request {
    using result_type = std::vector<partition_offset_result>;
    static constexpr std::string_view name = "delete_records";
    static constexpr bool needs_controller = true;  // see admin_core::route_without_controller
    static constexpr std::string_view kafka_api = "DeleteRecords";
    static constexpr bool changes_cluster = true;
    static constexpr bool can_validate_only = false;

    /// Per partition: delete every record before `offset` (offsets::end: every record).
    std::vector<topic_partition_offset> before;
    handle_array<delete_records_handle> native{};

    error_info prepare() {
        if (before.empty())
            return invalid_argument(name, "no partitions given");
        std::set<topic_partition> seen;
        for (const auto& p : before) {
            const std::string where = partition_label(p.topic, p.partition);
            if (p.topic.empty())
                return invalid_argument(name, "a topic name is empty");
            if (p.partition < 0) {
                return invalid_argument(name, where + ": partition must not be negative");
            }
            if (p.offset < 0 && p.offset != offsets::end) {
                return invalid_argument(name, where +
                                                  ": offset must be >= 0 or offsets::end, got " +
                                                  std::to_string(p.offset));
            }
            if (!seen.insert(p.partition_id()).second) {
                return invalid_argument(name, where + " appears twice in one request");
            }
        }
        const auto list = to_native(before);
        native.push_back(delete_records_handle(rd_kafka_DeleteRecords_new(list.get())));
        return {};
    }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_DeleteRecords(rk, native.data(), native.size(), o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        const auto* list =
            rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev));
        result_type out;
        for (int i = 0; list != nullptr && i < list->cnt; ++i) {
            const auto& e = list->elems[i];
            partition_offset_result r;
            r.topic = e.topic;
            r.partition = e.partition;
            r.offset = e.offset;
            take_error(e.err, nullptr, r.error, r.message);
            out.push_back(std::move(r));
        }
        return out;
    }
};

}  // namespace kflow::detail
