#pragma once
// The rules a topic_spec must follow before any broker sees it: Kafka's topic name rules, sane
// counts, and a replica assignment Kafka would accept. Checked for specs read from JSON and for
// specs built in code alike, so a mistake is reported with the field it is in rather than as a
// broker's terse INVALID_REQUEST.

#include <kflow/admin/topic_spec.hpp>
#include <kflow/admin/topic_spec_error.hpp>

#include <cstddef>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace kflow {

/// Kafka's longest legal topic name.
inline constexpr std::size_t max_topic_name_length = 249;

/// Why `name` is not a legal Kafka topic name, or std::nullopt when it is.
[[nodiscard]] inline std::optional<std::string> topic_name_problem(std::string_view name) {
    if (name.empty())
        return "must not be empty";
    if (name.size() > max_topic_name_length) {
        return "is " + std::to_string(name.size()) + " characters long; Kafka allows at most " +
               std::to_string(max_topic_name_length);
    }
    if (name == "." || name == "..")
        return "\"" + std::string(name) + "\" is not a legal topic name";
    for (const char ch : name) {
        const bool legal = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                           (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
        if (!legal) {
            char code[8];
            std::snprintf(code, sizeof code, "0x%02x", static_cast<unsigned char>(ch));
            const bool printable = ch > ' ' && ch < 0x7f;
            return std::string("contains ") +
                   (printable ? "'" + std::string(1, ch) + "'" : std::string(code)) +
                   "; Kafka allows only ASCII letters, digits, '.', '_' and '-'";
        }
    }
    return std::nullopt;
}

/// The first rule `spec` breaks, with the field it is in, or std::nullopt when Kafka could
/// accept it. -1 counts mean "the broker's default" and are accepted.
[[nodiscard]] inline std::optional<topic_spec_problem> check_topic_spec(const topic_spec& spec) {
    const auto problem = [&spec](std::string field, std::string reason) {
        topic_spec_problem p;
        if (!topic_name_problem(spec.name))
            p.topic = spec.name;
        p.field = std::move(field);
        p.reason = std::move(reason);
        return std::optional<topic_spec_problem>(std::move(p));
    };
    if (auto reason = topic_name_problem(spec.name))
        return problem("name", *reason);
    if (spec.partitions != -1 && spec.partitions < 1) {
        return problem("partitions", "must be at least 1 (or -1 for the broker's default), got " +
                                         std::to_string(spec.partitions));
    }
    if (spec.replication_factor != -1 && spec.replication_factor < 1) {
        return problem("replication_factor",
                       "must be at least 1 (or -1 for the broker's default), got " +
                           std::to_string(spec.replication_factor));
    }
    const auto& assignment = spec.replica_assignment;
    if (!assignment.empty()) {
        if (spec.replication_factor != -1) {
            return problem("replica_assignment",
                           "cannot be combined with replication_factor: the assignment already "
                           "says how many replicas each partition has");
        }
        if (spec.partitions != -1 && static_cast<std::size_t>(spec.partitions) != assignment.size())
            return problem("partitions", "is " + std::to_string(spec.partitions) +
                                             " but replica_assignment lists " +
                                             std::to_string(assignment.size()) + " partitions");
        for (std::size_t p = 0; p < assignment.size(); ++p) {
            const std::string field = "replica_assignment[" + std::to_string(p) + "]";
            if (assignment[p].empty())
                return problem(field, "a partition needs at least one replica");
            if (assignment[p].size() != assignment[0].size()) {
                return problem(field, "has " + std::to_string(assignment[p].size()) +
                                          " replicas but replica_assignment[0] has " +
                                          std::to_string(assignment[0].size()) +
                                          "; every partition needs the same number of replicas");
            }
            std::set<std::int32_t> seen;
            for (std::size_t r = 0; r < assignment[p].size(); ++r) {
                const std::int32_t broker = assignment[p][r];
                if (broker < 0) {
                    return problem(field + "[" + std::to_string(r) + "]",
                                   "broker ids are >= 0, got " + std::to_string(broker));
                }
                if (!seen.insert(broker).second) {
                    return problem(field, "lists broker " + std::to_string(broker) +
                                              " twice; a partition's replicas must be on "
                                              "different brokers");
                }
            }
        }
    }
    for (const auto& [key, value] : spec.configs) {
        if (key.empty())
            return problem("configs", "a config name must not be empty");
    }
    return std::nullopt;
}

/// Throws topic_spec_error (errc::invalid_config) naming the field when check_topic_spec finds
/// a problem.
inline void validate_topic_spec(const topic_spec& spec) {
    if (auto problem = check_topic_spec(spec))
        throw topic_spec_error(std::move(*problem));
}

/// The partition count `spec` asks for: its replica assignment's size, else `partitions`;
/// std::nullopt when it leaves the count to the broker.
[[nodiscard]] inline std::optional<std::int32_t> requested_partition_count(const topic_spec& spec) {
    if (!spec.replica_assignment.empty())
        return static_cast<std::int32_t>(spec.replica_assignment.size());
    if (spec.partitions > 0)
        return spec.partitions;
    return std::nullopt;
}

/// The replication factor `spec` asks for: its replica assignment's replica count, else
/// `replication_factor`; std::nullopt when it leaves it to the broker.
[[nodiscard]] inline std::optional<std::int16_t> requested_replication_factor(
    const topic_spec& spec) {
    if (!spec.replica_assignment.empty())
        return static_cast<std::int16_t>(spec.replica_assignment.front().size());
    if (spec.replication_factor > 0)
        return spec.replication_factor;
    return std::nullopt;
}

}  // namespace kflow
