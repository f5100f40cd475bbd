#pragma once
// `kflow-cli health`: kflow::cluster_health, printed as a verdict line and details or as JSON.

#include "arguments.hpp"
#include "connection.hpp"
#include "exit_status.hpp"
#include "record_json.hpp"

#include <kflow/admin.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace kflow_cli {

/// The arguments of `health`.
struct health_options {
    std::vector<std::string> topics;
    std::optional<std::string> canary;
    std::chrono::seconds deadline{10};
    bool json = false;
};

/// Parses `health`'s arguments.
[[nodiscard]] inline health_options parse_health(argument_reader& args) {
    health_options out;
    while (args.more()) {
        const auto arg = args.take();
        if (arg == "--topic") {
            out.topics.push_back(args.value());
        } else if (arg == "--canary") {
            out.canary = args.value();
        } else if (arg == "--deadline") {
            out.deadline = std::chrono::seconds(args.number<int>(1, 3600));
        } else if (arg == "--json") {
            args.no_value();
            out.json = true;
        } else {
            args.unknown("health");
        }
    }
    for (const auto& t : out.topics) {
        if (t.empty())
            throw usage_error("--topic must not be empty");
    }
    if (out.canary && out.canary->empty())
        throw usage_error("--canary must not be empty");
    return out;
}

namespace detail {

/// The report as one JSON object.
inline nlohmann::json health_json(const kflow::cluster_health_report& r) {
    nlohmann::json brokers = nlohmann::json::array();
    for (const auto& b : r.brokers) {
        const bool down = std::find(r.unreachable_brokers.begin(), r.unreachable_brokers.end(),
                                    b.id) != r.unreachable_brokers.end();
        brokers.push_back({{"id", b.id}, {"host", b.host}, {"port", b.port}, {"reachable", !down}});
    }
    nlohmann::json issues = nlohmann::json::array();
    for (const auto& i : r.issues) {
        issues.push_back({{"topic", i.topic},
                          {"partition", i.partition.id},
                          {"problem", kflow::to_string(i.problem)},
                          {"leader", i.partition.leader},
                          {"replicas", i.partition.replicas},
                          {"isr", i.partition.in_sync_replicas}});
    }
    nlohmann::json topics = nlohmann::json::array();
    for (const auto& t : r.topics)
        topics.push_back({{"name", t.name}, {"partitions", t.partitions.size()}});
    nlohmann::json missing = nlohmann::json::array();
    for (const auto& t : r.topic_errors)
        missing.push_back(
            {{"name", t.name}, {"error", t.message.empty() ? t.error.message() : t.message}});
    nlohmann::json out = {{"verdict", kflow::to_string(r.verdict)},
                          {"summary", r.summary},
                          {"cluster_id", r.cluster_id},
                          {"controller", r.controller_id},
                          {"brokers", std::move(brokers)},
                          {"topics", std::move(topics)},
                          {"topic_errors", std::move(missing)},
                          {"issues", std::move(issues)},
                          {"canary", nullptr}};
    if (r.canary) {
        const auto& c = *r.canary;
        out["canary"] = {{"topic", c.topic},
                         {"partition", c.partition},
                         {"offset", c.offset},
                         {"produced", c.produced},
                         {"read_back", c.read_back},
                         {"produce_latency_us", c.produce_latency.count()},
                         {"end_to_end_latency_us", c.end_to_end_latency.count()},
                         {"failure", c.failure}};
    }
    return out;
}

}  // namespace detail

/// Checks the cluster; exit status 0 healthy, 1 degraded, 3 unreachable.
[[nodiscard]] inline exit_status run_health(const connection& conn, const health_options& opts) {
    auto admin_config = conn.client<kflow::admin_config>("kflow-cli");
    kflow::admin_client admin(admin_config);
    kflow::cluster_health_options check;
    check.deadline = opts.deadline;
    check.topics = opts.topics;
    if (opts.canary)
        check.canary = kflow::health_canary(*opts.canary, admin_config);
    const auto report = kflow::cluster_health(admin, check);
    if (opts.json)
        std::cout << json_line(detail::health_json(report)) << '\n';
    else
        std::cout << report;
    switch (report.verdict) {
        case kflow::health_verdict::healthy:
            return exit_status::ok;
        case kflow::health_verdict::degraded:
            return exit_status::failed;
        case kflow::health_verdict::unreachable:
            break;
    }
    return exit_status::unreachable;
}

}  // namespace kflow_cli
