#pragma once
// CreateTopics, DeleteTopics and CreatePartitions: kflow's specs to librdkafka's admin objects,
// and the per-topic results back.

#include <kflow/admin/detail/request.hpp>
#include <kflow/admin/results.hpp>
#include <kflow/admin/topic_spec.hpp>
#include <kflow/admin/topics.hpp>

#include <set>
#include <string>
#include <vector>

namespace kflow::detail {

/// Per-topic results of CreateTopics, DeleteTopics and CreatePartitions.
inline std::vector<item_result> topic_results(const rd_kafka_topic_result_t* const* topics,
                                              std::size_t count) {
    std::vector<item_result> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        item_result r(rd_kafka_topic_result_name(topics[i]));
        take_error(rd_kafka_topic_result_error(topics[i]),
                   rd_kafka_topic_result_error_string(topics[i]), r.error, r.message);
        out.push_back(std::move(r));
    }
    return out;
}

/// Why `spec` cannot be created, naming the field; empty when it is fine.
[[nodiscard]] inline std::string topic_spec_problem(const topic_spec& spec) {
    const std::string who = "topic '" + spec.name + "'";
    if (spec.name.empty())
        return "topic name is empty";
    if (spec.name.size() > 249)
        return who + ": name is longer than 249 characters";
    if (spec.name == "." || spec.name == "..")
        return who + ": name cannot be '.' or '..'";
    for (char c : spec.name) {
        const bool legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!legal) {
            return who + ": name has '" + std::string(1, c) +
                   "'; only ASCII letters, digits, '.', '_' and '-' are allowed";
        }
    }
    if (!spec.replica_assignment.empty()) {
        if (spec.replication_factor != -1) {
            return who + ": replication_factor must be -1 when replica_assignment is set (got " +
                   std::to_string(spec.replication_factor) + ")";
        }
        if (spec.partitions != -1 &&
            spec.partitions != static_cast<std::int32_t>(spec.replica_assignment.size())) {
            return who + ": partitions (" + std::to_string(spec.partitions) +
                   ") must be -1 or the size of replica_assignment (" +
                   std::to_string(spec.replica_assignment.size()) + ")";
        }
        for (std::size_t p = 0; p < spec.replica_assignment.size(); ++p) {
            if (spec.replica_assignment[p].empty()) {
                return who + ": replica_assignment[" + std::to_string(p) + "] is empty";
            }
        }
    } else {
        if (spec.partitions == 0 || spec.partitions < -1) {
            return who + ": partitions must be positive or -1 (the broker's default), got " +
                   std::to_string(spec.partitions);
        }
        if (spec.replication_factor == 0 || spec.replication_factor < -1) {
            return who +
                   ": replication_factor must be positive or -1 (the broker's default), got " +
                   std::to_string(spec.replication_factor);
        }
    }
    for (const auto& [key, value] : spec.configs) {
        if (key.empty())
            return who + ": a config has an empty name";
    }
    return {};
}

/// librdkafka's NewTopic for a valid spec; `err` names what librdkafka rejected.
[[nodiscard]] inline new_topic_handle to_native(const topic_spec& spec, std::string_view op,
                                                error_info& err) {
    char errstr[512] = {0};
    const int partitions = spec.replica_assignment.empty()
                               ? spec.partitions
                               : static_cast<int>(spec.replica_assignment.size());
    new_topic_handle topic(rd_kafka_NewTopic_new(spec.name.c_str(), partitions,
                                                 spec.replication_factor, errstr, sizeof errstr));
    if (!topic) {
        err = invalid_argument(op, "topic '" + spec.name + "': " + errstr);
        return topic;
    }
    for (std::size_t p = 0; p < spec.replica_assignment.size(); ++p) {
        auto brokers = spec.replica_assignment[p];
        if (rd_kafka_NewTopic_set_replica_assignment(topic.get(), static_cast<std::int32_t>(p),
                                                     brokers.data(), brokers.size(), errstr,
                                                     sizeof errstr) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            err = invalid_argument(op, "topic '" + spec.name + "': replica_assignment[" +
                                           std::to_string(p) + "]: " + errstr);
            return {};
        }
    }
    for (const auto& [key, value] : spec.configs) {
        if (rd_kafka_NewTopic_set_config(topic.get(), key.c_str(), value.c_str()) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
            err = invalid_argument(
                op, "topic '" + spec.name + "': config '" + key + "' was rejected by librdkafka");
            return {};
        }
    }
    return topic;
}

/// Names must be unique within one batch: Kafka fails the whole request otherwise.
[[nodiscard]] inline std::string duplicate_name(const std::vector<std::string>& names) {
    std::set<std::string> seen;
    for (const auto& n : names) {
        if (!seen.insert(n).second)
            return n;
    }
    return {};
}

struct create_topics_request {
    using result_type = std::vector<item_result>;
    static constexpr std::string_view name = "create_topics";
    static constexpr std::string_view kafka_api = "CreateTopics";
    static constexpr bool changes_cluster = true;
    static constexpr bool needs_controller = true;
    static constexpr bool can_validate_only = true;

    std::vector<topic_spec> specs;
    handle_array<new_topic_handle> native{};

    error_info prepare() {
        if (specs.empty())
            return invalid_argument(name, "no topics given");
        std::vector<std::string> names;
        for (const auto& spec : specs) {
            if (auto problem = topic_spec_problem(spec); !problem.empty()) {
                return invalid_argument(name, problem);
            }
            names.push_back(spec.name);
        }
        if (auto dup = duplicate_name(names); !dup.empty()) {
            return invalid_argument(name, "topic '" + dup + "' appears twice in one request");
        }
        for (const auto& spec : specs) {
            error_info err;
            auto topic = to_native(spec, name, err);
            if (err)
                return err;
            native.push_back(std::move(topic));
        }
        return {};
    }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_CreateTopics(rk, native.data(), native.size(), o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        std::size_t n = 0;
        const auto* topics =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        return topic_results(topics, n);
    }
};

struct delete_topics_request {
    using result_type = std::vector<item_result>;
    static constexpr std::string_view name = "delete_topics";
    static constexpr std::string_view kafka_api = "DeleteTopics";
    static constexpr bool changes_cluster = true;
    static constexpr bool needs_controller = true;
    static constexpr bool can_validate_only = false;

    std::vector<std::string> topics;
    handle_array<delete_topic_handle> native{};

    error_info prepare() {
        if (topics.empty())
            return invalid_argument(name, "no topics given");
        for (const auto& t : topics) {
            if (t.empty())
                return invalid_argument(name, "a topic name is empty");
        }
        if (auto dup = duplicate_name(topics); !dup.empty()) {
            return invalid_argument(name, "topic '" + dup + "' appears twice in one request");
        }
        for (const auto& t : topics)
            native.push_back(delete_topic_handle(rd_kafka_DeleteTopic_new(t.c_str())));
        return {};
    }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_DeleteTopics(rk, native.data(), native.size(), o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        std::size_t n = 0;
        const auto* res =
            rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
        return topic_results(res, n);
    }
};

struct create_partitions_request {
    using result_type = std::vector<item_result>;
    static constexpr std::string_view name = "create_partitions";
    static constexpr std::string_view kafka_api = "CreatePartitions";
    static constexpr bool changes_cluster = true;
    static constexpr bool needs_controller = true;
    static constexpr bool can_validate_only = true;

    std::vector<partitions_spec> specs;
    handle_array<new_partitions_handle> native{};

    error_info prepare() {
        if (specs.empty())
            return invalid_argument(name, "no topics given");
        std::vector<std::string> names;
        for (const auto& s : specs) {
            if (s.topic.empty())
                return invalid_argument(name, "a topic name is empty");
            if (s.total_count < 1) {
                return invalid_argument(name, "topic '" + s.topic +
                                                  "': total_count must be positive, got " +
                                                  std::to_string(s.total_count));
            }
            names.push_back(s.topic);
        }
        if (auto dup = duplicate_name(names); !dup.empty()) {
            return invalid_argument(name, "topic '" + dup + "' appears twice in one request");
        }
        char errstr[512] = {0};
        for (const auto& s : specs) {
            new_partitions_handle np(rd_kafka_NewPartitions_new(
                s.topic.c_str(), static_cast<std::size_t>(s.total_count), errstr, sizeof errstr));
            if (!np)
                return invalid_argument(name, "topic '" + s.topic + "': " + errstr);
            for (std::size_t i = 0; i < s.replica_assignment.size(); ++i) {
                auto brokers = s.replica_assignment[i];
                if (brokers.empty()) {
                    return invalid_argument(name, "topic '" + s.topic + "': replica_assignment[" +
                                                      std::to_string(i) + "] is empty");
                }
                if (rd_kafka_NewPartitions_set_replica_assignment(
                        np.get(), static_cast<std::int32_t>(i), brokers.data(), brokers.size(),
                        errstr, sizeof errstr) != RD_KAFKA_RESP_ERR_NO_ERROR) {
                    return invalid_argument(name, "topic '" + s.topic + "': replica_assignment[" +
                                                      std::to_string(i) + "]: " + errstr);
                }
            }
            native.push_back(std::move(np));
        }
        return {};
    }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_CreatePartitions(rk, native.data(), native.size(), o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        std::size_t n = 0;
        const auto* res =
            rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
        return topic_results(res, n);
    }
};

}  // namespace kflow::detail
