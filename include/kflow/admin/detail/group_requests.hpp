#pragma once
// Consumer groups: ListConsumerGroups, DescribeConsumerGroups, DeleteGroups, and a group's
// committed offsets (ListConsumerGroupOffsets, AlterConsumerGroupOffsets,
// DeleteConsumerGroupOffsets), plus consumer lag built from committed offsets and watermarks.

#include <kflow/admin/detail/metadata_requests.hpp>
#include <kflow/admin/detail/request.hpp>
#include <kflow/admin/groups.hpp>
#include <kflow/admin/results.hpp>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kflow::detail {

[[nodiscard]] inline error_info check_group_ids(std::string_view op,
                                                const std::vector<std::string>& groups) {
    if (groups.empty())
        return invalid_argument(op, "no groups given");
    std::set<std::string> seen;
    for (const auto& g : groups) {
        if (g.empty())
            return invalid_argument(op, "a group id is empty");
        if (!seen.insert(g).second) {
            return invalid_argument(op, "group '" + g + "' appears twice in one request");
        }
    }
    return {};
}

/// The group result of the three group-offsets requests (librdkafka sends one group per call).
[[nodiscard]] inline group_offsets group_offsets_of(const rd_kafka_group_result_t* const* groups,
                                                    std::size_t n, const std::string& asked) {
    group_offsets out;
    out.group_id = asked;
    if (n == 0) {
        out.error = make_error_code(RD_KAFKA_RESP_ERR__BAD_MSG);
        out.message = "the answer named no group";
        return out;
    }
    out.group_id = rd_kafka_group_result_name(groups[0]);
    take_error(rd_kafka_group_result_error(groups[0]), out.error, out.message);
    out.partitions = offsets_from_native(rd_kafka_group_result_partitions(groups[0]));
    return out;
}

struct list_consumer_groups_request {
    using result_type = group_listings;
    static constexpr std::string_view name = "list_consumer_groups";
    static constexpr std::string_view kafka_api = "ListGroups";
    static constexpr bool changes_cluster = false;
    static constexpr bool can_validate_only = false;

    error_info prepare() { return {}; }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_ListConsumerGroups(rk, o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        const auto* res = rd_kafka_event_ListConsumerGroups_result(ev);
        result_type out;
        std::size_t n = 0;
        const auto* valid = rd_kafka_ListConsumerGroups_result_valid(res, &n);
        for (std::size_t i = 0; i < n; ++i) {
            out.groups.push_back(
                {rd_kafka_ConsumerGroupListing_group_id(valid[i]),
                 rd_kafka_ConsumerGroupListing_is_simple_consumer_group(valid[i]) != 0,
                 static_cast<group_state>(rd_kafka_ConsumerGroupListing_state(valid[i]))});
        }
        std::sort(out.groups.begin(), out.groups.end(),
                  [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
        const auto* errors = rd_kafka_ListConsumerGroups_result_errors(res, &n);
        for (std::size_t i = 0; i < n; ++i) {
            out.errors.push_back({make_error_code(rd_kafka_error_code(errors[i])),
                                  std::string(name) + ": " + rd_kafka_error_string(errors[i]),
                                  {}});
        }
        return out;
    }
};

struct describe_consumer_groups_request {
    using result_type = std::vector<group_description>;
    static constexpr std::string_view name = "describe_consumer_groups";
    static constexpr bool needs_controller = true;  // see admin_core::route_without_controller
    static constexpr std::string_view kafka_api = "DescribeGroups";
    static constexpr bool changes_cluster = false;
    static constexpr bool can_validate_only = false;

    std::vector<std::string> groups;
    std::vector<const char*> native{};

    error_info prepare() {
        if (auto err = check_group_ids(name, groups))
            return err;
        for (const auto& g : groups)
            native.push_back(g.c_str());
        return {};
    }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_DescribeConsumerGroups(rk, native.data(), native.size(), o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        std::size_t n = 0;
        const auto* descs = rd_kafka_DescribeConsumerGroups_result_groups(
            rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
        result_type out;
        for (std::size_t i = 0; i < n; ++i) {
            const auto* d = descs[i];
            group_description g;
            g.group_id = rd_kafka_ConsumerGroupDescription_group_id(d);
            take_error(rd_kafka_ConsumerGroupDescription_error(d), g.error, g.message);
            g.simple = rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(d) != 0;
            if (const char* a = rd_kafka_ConsumerGroupDescription_partition_assignor(d)) {
                g.partition_assignor = a;
            }
            g.state = static_cast<group_state>(rd_kafka_ConsumerGroupDescription_state(d));
            if (const auto* c = rd_kafka_ConsumerGroupDescription_coordinator(d)) {
                g.coordinator = {rd_kafka_Node_id(c),
                                 rd_kafka_Node_host(c) ? rd_kafka_Node_host(c) : "",
                                 rd_kafka_Node_port(c)};
            }
            const std::size_t members = rd_kafka_ConsumerGroupDescription_member_count(d);
            for (std::size_t m = 0; m < members; ++m) {
                const auto* md = rd_kafka_ConsumerGroupDescription_member(d, m);
                group_member member;
                member.consumer_id = rd_kafka_MemberDescription_consumer_id(md);
                member.client_id = rd_kafka_MemberDescription_client_id(md);
                member.host = rd_kafka_MemberDescription_host(md);
                if (const char* id = rd_kafka_MemberDescription_group_instance_id(md)) {
                    member.group_instance_id = id;
                }
                if (const auto* a = rd_kafka_MemberDescription_assignment(md)) {
                    member.assignment =
                        partitions_from_native(rd_kafka_MemberAssignment_partitions(a));
                }
                g.members.push_back(std::move(member));
            }
            out.push_back(std::move(g));
        }
        return out;
    }
};

struct delete_consumer_groups_request {
    using result_type = std::vector<item_result>;
    static constexpr std::string_view name = "delete_consumer_groups";
    static constexpr bool needs_controller = true;  // see admin_core::route_without_controller
    static constexpr std::string_view kafka_api = "DeleteGroups";
    static constexpr bool changes_cluster = true;
    static constexpr bool can_validate_only = false;

    std::vector<std::string> groups;
    handle_array<delete_group_handle> native{};

    error_info prepare() {
        if (auto err = check_group_ids(name, groups))
            return err;
        for (const auto& g : groups)
            native.push_back(delete_group_handle(rd_kafka_DeleteGroup_new(g.c_str())));
        return {};
    }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_DeleteGroups(rk, native.data(), native.size(), o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        std::size_t n = 0;
        const auto* res =
            rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev), &n);
        result_type out;
        for (std::size_t i = 0; i < n; ++i) {
            item_result r(rd_kafka_group_result_name(res[i]));
            take_error(rd_kafka_group_result_error(res[i]), r.error, r.message);
            out.push_back(std::move(r));
        }
        return out;
    }
};

/// Why a group-offsets request cannot be sent; empty when fine.
[[nodiscard]] inline error_info check_group_partitions(std::string_view op,
                                                       const std::string& group,
                                                       const std::vector<topic_partition>& parts,
                                                       bool required) {
    if (group.empty())
        return invalid_argument(op, "group id is empty");
    if (required && parts.empty())
        return invalid_argument(op, "no partitions given");
    std::set<topic_partition> seen;
    for (const auto& p : parts) {
        if (p.topic.empty())
            return invalid_argument(op, "a topic name is empty");
        if (p.partition < 0) {
            return invalid_argument(op, "'" + p.topic + "': partition must not be negative, got " +
                                            std::to_string(p.partition));
        }
        if (!seen.insert(p).second) {
            return invalid_argument(
                op, partition_label(p.topic, p.partition) + " appears twice in one request");
        }
    }
    return {};
}

struct list_group_offsets_request {
    using result_type = group_offsets;
    static constexpr std::string_view name = "list_consumer_group_offsets";
    static constexpr std::string_view kafka_api = "OffsetFetch";
    static constexpr bool changes_cluster = false;
    static constexpr bool can_validate_only = false;

    std::string group;
    std::vector<topic_partition> partitions;  ///< empty: every partition with a committed offset
    handle_array<list_group_offsets_handle> native{};

    /// What a failure of the whole request names (finish()).
    [[nodiscard]] std::string subject() const { return "group '" + group + "'"; }

    error_info prepare() {
        if (auto err = check_group_partitions(name, group, partitions, false))
            return err;
        const auto list = partitions.empty() ? partition_list_handle() : to_native(partitions);
        native.push_back(list_group_offsets_handle(
            rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), list.get())));
        return {};
    }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_ListConsumerGroupOffsets(rk, native.data(), native.size(), o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        std::size_t n = 0;
        const auto* res = rd_kafka_ListConsumerGroupOffsets_result_groups(
            rd_kafka_event_ListConsumerGroupOffsets_result(ev), &n);
        return group_offsets_of(res, n, group);
    }
};

struct alter_group_offsets_request {
    using result_type = group_offsets;
    static constexpr std::string_view name = "alter_consumer_group_offsets";
    static constexpr std::string_view kafka_api = "OffsetCommit";
    static constexpr bool changes_cluster = true;
    static constexpr bool can_validate_only = false;

    std::string group;
    std::vector<topic_partition_offset> offsets;
    handle_array<alter_group_offsets_handle> native{};

    /// What a failure of the whole request names (finish()).
    [[nodiscard]] std::string subject() const { return "group '" + group + "'"; }

    error_info prepare() {
        std::vector<topic_partition> parts;
        for (const auto& o : offsets) {
            if (o.offset < 0) {
                return invalid_argument(name,
                                        partition_label(o.topic, o.partition) +
                                            ": offset must be an absolute offset (>= 0), got " +
                                            std::to_string(o.offset));
            }
            parts.push_back({o.topic, o.partition});
        }
        if (auto err = check_group_partitions(name, group, parts, true))
            return err;
        const auto list = to_native(offsets);
        native.push_back(alter_group_offsets_handle(
            rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), list.get())));
        return {};
    }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_AlterConsumerGroupOffsets(rk, native.data(), native.size(), o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        std::size_t n = 0;
        const auto* res = rd_kafka_AlterConsumerGroupOffsets_result_groups(
            rd_kafka_event_AlterConsumerGroupOffsets_result(ev), &n);
        return group_offsets_of(res, n, group);
    }
};

struct delete_group_offsets_request {
    using result_type = group_offsets;
    static constexpr std::string_view name = "delete_consumer_group_offsets";
    static constexpr bool needs_controller = true;  // see admin_core::route_without_controller
    static constexpr std::string_view kafka_api = "OffsetDelete";
    static constexpr bool changes_cluster = true;
    static constexpr bool can_validate_only = false;

    std::string group;
    std::vector<topic_partition> partitions;
    handle_array<delete_group_offsets_handle> native{};

    /// What a failure of the whole request names (finish()).
    [[nodiscard]] std::string subject() const { return "group '" + group + "'"; }

    error_info prepare() {
        if (auto err = check_group_partitions(name, group, partitions, true))
            return err;
        const auto list = to_native(partitions);
        native.push_back(delete_group_offsets_handle(
            rd_kafka_DeleteConsumerGroupOffsets_new(group.c_str(), list.get())));
        return {};
    }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_DeleteConsumerGroupOffsets(rk, native.data(), native.size(), o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        std::size_t n = 0;
        const auto* res = rd_kafka_DeleteConsumerGroupOffsets_result_groups(
            rd_kafka_event_DeleteConsumerGroupOffsets_result(ev), &n);
        return group_offsets_of(res, n, group);
    }
};

/// consumer_group_lag: the group's committed offsets (ListConsumerGroupOffsets, which Kafka
/// serves with OffsetFetch) against each partition's watermarks (ListOffsets). With topics,
/// every partition of those topics is reported, committed or not; without, every partition the
/// group has committed.
struct consumer_group_lag_request {
    using result_type = group_lag;
    static constexpr std::string_view name = "consumer_group_lag";
    std::string group;
    std::vector<std::string> topics;

    result_type run(rd_kafka_t* rk, const admin_options& o, error_info& err) {
        result_type out;
        out.group_id = group;
        std::vector<topic_partition> wanted;
        if (!topics.empty()) {
            describe_topics_request describe{topics};
            auto described = describe.run(rk, o, err);
            if (err)
                return out;
            for (const auto& t : described) {
                if (t.error) {
                    err = {
                        t.error, std::string(name) + ": topic '" + t.name + "': " + t.message, {}};
                    return out;
                }
                for (const auto& p : t.partitions)
                    wanted.push_back({t.name, p.id});
            }
        }
        list_group_offsets_request committed_request{group, wanted};
        if ((err = committed_request.prepare()))
            return out;
        admin_options list_opts = o;
        list_opts.require_stable_offsets = false;
        const auto committed = run_queued(rk, committed_request, list_opts, err,
                                          [](rd_kafka_AdminOptions_t*) { return error_info{}; });
        if (err)
            return out;
        if (committed.error) {
            err = {committed.error,
                   std::string(name) + ": group '" + group + "': " + committed.message,
                   {}};
            return out;
        }
        for (const auto& c : committed.partitions) {
            partition_lag lag;
            lag.topic = c.topic;
            lag.partition = c.partition;
            lag.committed = c.offset;
            if (c.error != 0) {
                take_error(static_cast<rd_kafka_resp_err_t>(c.error), nullptr, lag.error,
                           lag.message);
                out.partitions.push_back(std::move(lag));
                continue;
            }
            const auto code = rd_kafka_query_watermark_offsets(
                rk, c.topic.c_str(), c.partition, &lag.low_watermark, &lag.high_watermark,
                to_timeout_ms(o.request_timeout));
            if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
                take_error(code, nullptr, lag.error, lag.message);
            } else if (lag.committed >= 0) {
                lag.lag = std::max<std::int64_t>(0, lag.high_watermark - lag.committed);
            }
            out.partitions.push_back(std::move(lag));
        }
        std::sort(out.partitions.begin(), out.partitions.end(), [](const auto& a, const auto& b) {
            return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
        });
        return out;
    }
};

}  // namespace kflow::detail
