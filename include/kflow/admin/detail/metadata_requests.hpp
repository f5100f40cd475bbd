#pragma once
// Operations served by librdkafka's blocking calls rather than admin requests: topics and
// cluster from Metadata, watermarks and offsets from ListOffsets. They work on every broker
// (the mock included) and with every librdkafka kflow supports.

#include <kflow/admin/detail/request.hpp>
#include <kflow/admin/offsets.hpp>
#include <kflow/metadata.hpp>
#include <kflow/topic_partition.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace kflow::detail {

[[nodiscard]] inline partition_metadata partition_of(const rd_kafka_metadata_partition_t& p) {
    partition_metadata out;
    out.id = p.id;
    out.leader = p.leader;
    out.replicas.assign(p.replicas, p.replicas + p.replica_cnt);
    out.in_sync_replicas.assign(p.isrs, p.isrs + p.isr_cnt);
    out.error = make_error_code(p.err);
    return out;
}

[[nodiscard]] inline topic_metadata topic_of(const rd_kafka_metadata_topic_t& t) {
    topic_metadata out;
    out.name = t.topic;
    out.error = make_error_code(t.err);
    // The entry is read on its own (a log line, an ensure result), so its message names the
    // topic, as an unknown topic's does.
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR)
        out.message = std::string(rd_kafka_err2str(t.err)) + " (topic '" + out.name + "')";
    for (int i = 0; i < t.partition_cnt; ++i)
        out.partitions.push_back(partition_of(t.partitions[i]));
    std::sort(out.partitions.begin(), out.partitions.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

/// Metadata of every topic. Asking for all topics never auto-creates one, unlike asking for a
/// topic by name on a cluster with auto.create.topics.enable.
[[nodiscard]] inline metadata_handle all_topics_metadata(rd_kafka_t* rk, std::string_view op,
                                                         const admin_options& o, error_info& err) {
    const rd_kafka_metadata_t* md = nullptr;
    const auto code = rd_kafka_metadata(rk, 1, nullptr, &md, to_timeout_ms(o.request_timeout));
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
        err = {make_error_code(code),
               std::string(op) + ": cannot read cluster metadata: " + rd_kafka_err2str(code),
               {}};
        return {};
    }
    return metadata_handle(md);
}

/// list_topics: every topic, sorted by name; internal topics (names starting with "__") only
/// when asked for.
struct list_topics_request {
    using result_type = std::vector<topic_metadata>;
    static constexpr std::string_view name = "list_topics";
    bool include_internal = false;

    result_type run(rd_kafka_t* rk, const admin_options& o, error_info& err) {
        auto md = all_topics_metadata(rk, name, o, err);
        if (err)
            return {};
        result_type out;
        for (int i = 0; i < md->topic_cnt; ++i) {
            std::string_view topic = md->topics[i].topic;
            if (!include_internal && topic.starts_with("__"))
                continue;
            out.push_back(topic_of(md->topics[i]));
        }
        std::sort(out.begin(), out.end(),
                  [](const auto& a, const auto& b) { return a.name < b.name; });
        return out;
    }
};

/// describe_topics: the named topics in the order asked; a missing one has
/// UNKNOWN_TOPIC_OR_PART.
struct describe_topics_request {
    using result_type = std::vector<topic_metadata>;
    static constexpr std::string_view name = "describe_topics";
    std::vector<std::string> topics;

    result_type run(rd_kafka_t* rk, const admin_options& o, error_info& err) {
        if (topics.empty()) {
            err = invalid_argument(name, "no topics given");
            return {};
        }
        for (const auto& t : topics) {
            if (t.empty()) {
                err = invalid_argument(name, "a topic name is empty");
                return {};
            }
        }
        auto md = all_topics_metadata(rk, name, o, err);
        if (err)
            return {};
        result_type out;
        for (const auto& wanted : topics) {
            topic_metadata found;
            found.name = wanted;
            found.error = make_error_code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
            found.message = "the cluster has no topic '" + wanted + "'";
            for (int i = 0; i < md->topic_cnt; ++i) {
                if (wanted == md->topics[i].topic) {
                    found = topic_of(md->topics[i]);
                    break;
                }
            }
            out.push_back(std::move(found));
        }
        return out;
    }
};

/// describe_cluster: brokers from Metadata, the controller from rd_kafka_controllerid() (not in
/// librdkafka 2.0.2's metadata struct), the cluster id from rd_kafka_clusterid().
struct describe_cluster_request {
    using result_type = cluster_description;
    static constexpr std::string_view name = "describe_cluster";

    result_type run(rd_kafka_t* rk, const admin_options& o, error_info& err) {
        const rd_kafka_metadata_t* raw = nullptr;
        const auto code = rd_kafka_metadata(rk, 0, nullptr, &raw, to_timeout_ms(o.request_timeout));
        if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
            err = {make_error_code(code),
                   std::string(name) + ": cannot read cluster metadata: " + rd_kafka_err2str(code),
                   {}};
            return {};
        }
        const metadata_handle md(raw);
        result_type out;
        for (int i = 0; i < md->broker_cnt; ++i) {
            out.brokers.push_back({md->brokers[i].id, md->brokers[i].host, md->brokers[i].port});
        }
        std::sort(out.brokers.begin(), out.brokers.end(),
                  [](const auto& a, const auto& b) { return a.id < b.id; });
        // The metadata just read carries both: these return at once.
        out.controller_id = rd_kafka_controllerid(rk, to_timeout_ms(o.request_timeout));
        if (char* id = rd_kafka_clusterid(rk, to_timeout_ms(o.request_timeout))) {
            out.cluster_id = id;
            rd_kafka_mem_free(rk, id);
        }
        return out;
    }
};

struct watermarks_request {
    using result_type = watermark_offsets;
    static constexpr std::string_view name = "watermarks";
    topic_partition partition;

    result_type run(rd_kafka_t* rk, const admin_options& o, error_info& err) {
        if (partition.topic.empty()) {
            err = invalid_argument(name, "topic name is empty");
            return {};
        }
        result_type out;
        const auto code =
            rd_kafka_query_watermark_offsets(rk, partition.topic.c_str(), partition.partition,
                                             &out.low, &out.high, to_timeout_ms(o.request_timeout));
        if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
            err = {make_error_code(code),
                   std::string(name) + ": " +
                       partition_label(partition.topic, partition.partition) + ": " +
                       rd_kafka_err2str(code),
                   {}};
            return {};
        }
        return out;
    }
};

/// list_offsets: earliest and latest through ListOffsets (the watermarks), by time through
/// rd_kafka_offsets_for_times. Each partition reports its own error.
struct list_offsets_request {
    using result_type = std::vector<partition_offset_result>;
    static constexpr std::string_view name = "list_offsets";
    std::vector<offset_query> queries;

    result_type run(rd_kafka_t* rk, const admin_options& o, error_info& err) {
        if (queries.empty()) {
            err = invalid_argument(name, "no partitions given");
            return {};
        }
        for (const auto& q : queries) {
            if (q.topic.empty()) {
                err = invalid_argument(name, "a topic name is empty");
                return {};
            }
            if (q.partition < 0) {
                err = invalid_argument(name, "'" + q.topic +
                                                 "': partition must not be negative, got " +
                                                 std::to_string(q.partition));
                return {};
            }
        }
        result_type out;
        for (const auto& q : queries) {
            partition_offset_result r;
            r.topic = q.topic;
            r.partition = q.partition;
            rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR_NO_ERROR;
            if (q.spec.which() == offset_spec::kind::timestamp) {
                const partition_list_handle list(rd_kafka_topic_partition_list_new(1));
                rd_kafka_topic_partition_list_add(list.get(), q.topic.c_str(), q.partition)
                    ->offset = q.spec.timestamp();
                code = rd_kafka_offsets_for_times(rk, list.get(), to_timeout_ms(o.request_timeout));
                if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
                    code = list->elems[0].err;
                    r.offset = list->elems[0].offset;
                }
            } else {
                std::int64_t low = -1;
                std::int64_t high = -1;
                code = rd_kafka_query_watermark_offsets(rk, q.topic.c_str(), q.partition, &low,
                                                        &high, to_timeout_ms(o.request_timeout));
                r.offset = q.spec.which() == offset_spec::kind::earliest ? low : high;
            }
            if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
                r.offset = -1;
                take_error(code, nullptr, r.error, r.message);
            }
            out.push_back(std::move(r));
        }
        return out;
    }
};

}  // namespace kflow::detail
