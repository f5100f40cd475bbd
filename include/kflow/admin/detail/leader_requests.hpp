#pragma once
// ElectLeaders, which librdkafka 2.6.0 added. Against older headers the request exists, checks
// its input as usual, and then fails in prepare() with errc::unsupported_by_librdkafka; the
// calls to the newer API are compiled only when the headers declare them.

#include <kflow/admin/detail/request.hpp>
#include <kflow/admin/leaders.hpp>
#include <kflow/topic_partition.hpp>
#include <kflow/version.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace kflow::detail {

#if RD_KAFKA_VERSION >= 0x020600ff
using elect_leaders_handle =
    std::unique_ptr<rd_kafka_ElectLeaders_t, destroy_with<rd_kafka_ElectLeaders_destroy>>;
#endif

struct elect_leaders_request {
    using result_type = std::vector<election_result>;
    static constexpr std::string_view name = "elect_leaders";
    static constexpr bool needs_controller = true;  // librdkafka sends it to the controller
    static constexpr std::string_view kafka_api = "ElectLeaders";
    static constexpr bool changes_cluster = true;
    static constexpr bool can_validate_only = false;
    static constexpr bool available = librdkafka_at_least(2, 6, 0);

    election_type type = election_type::preferred;
    /// Empty: every partition of the cluster (Kafka then reports only the partitions where
    /// something was elected or failed).
    std::vector<topic_partition> partitions;
#if RD_KAFKA_VERSION >= 0x020600ff
    elect_leaders_handle native{};
#endif

    error_info prepare() {
        if (type != election_type::preferred && type != election_type::unclean) {
            return invalid_argument(
                name, "unknown election_type " + std::to_string(static_cast<int>(type)));
        }
        std::set<topic_partition> seen;
        for (const auto& p : partitions) {
            const std::string where = partition_label(p.topic, p.partition);
            if (p.topic.empty())
                return invalid_argument(name, "a topic name is empty");
            if (p.partition < 0)
                return invalid_argument(name, where + ": partition must not be negative");
            if (!seen.insert(p).second)
                return invalid_argument(name, where + " appears twice in one request");
        }
        if constexpr (!available) {
            return unsupported_by_librdkafka(name, "2.6.0");
        } else {
#if RD_KAFKA_VERSION >= 0x020600ff
            const auto list = partitions.empty() ? partition_list_handle() : to_native(partitions);
            native.reset(
                rd_kafka_ElectLeaders_new(static_cast<rd_kafka_ElectionType_t>(type), list.get()));
#endif
            return {};
        }
    }
    void launch([[maybe_unused]] rd_kafka_t* rk, [[maybe_unused]] const rd_kafka_AdminOptions_t* o,
                [[maybe_unused]] rd_kafka_queue_t* q) {
#if RD_KAFKA_VERSION >= 0x020600ff
        rd_kafka_ElectLeaders(rk, native.get(), o, q);
#endif
    }
    result_type parse([[maybe_unused]] rd_kafka_event_t* ev) {
        result_type out;
#if RD_KAFKA_VERSION >= 0x020600ff
        std::size_t n = 0;
        const auto* results =
            rd_kafka_ElectLeaders_result_partitions(rd_kafka_event_ElectLeaders_result(ev), &n);
        for (std::size_t i = 0; i < n; ++i) {
            const auto* tp = rd_kafka_topic_partition_result_partition(results[i]);
            election_result r;
            r.topic = tp->topic;
            r.partition = tp->partition;
            take_error(rd_kafka_topic_partition_result_error(results[i]), r.error, r.message);
            out.push_back(std::move(r));
        }
#endif
        return out;
    }
};

}  // namespace kflow::detail
