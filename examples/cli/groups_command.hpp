#pragma once
// `kflow-cli groups list|describe|lag`: consumer groups through kflow::admin_client.

#include "arguments.hpp"
#include "connection.hpp"
#include "exit_status.hpp"
#include "record_json.hpp"

#include <kflow/admin.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

namespace kflow_cli {

/// The arguments of `groups`.
struct groups_options {
    enum class action { list, describe, lag };
    action what = action::list;
    std::vector<std::string> names;  ///< describe: groups; lag: the group, then topics
    bool json = false;
};

/// Parses `groups`' arguments.
[[nodiscard]] inline groups_options parse_groups(argument_reader& args) {
    groups_options out;
    if (!args.more())
        throw usage_error("groups needs an action: list, describe or lag");
    const std::string action(args.take());
    using act = groups_options::action;
    if (action == "list") {
        out.what = act::list;
    } else if (action == "describe") {
        out.what = act::describe;
    } else if (action == "lag") {
        out.what = act::lag;
    } else {
        throw usage_error("unknown groups action '" + action + "' (list, describe, lag)");
    }
    while (args.more()) {
        const auto arg = args.take();
        if (arg == "--json") {
            args.no_value();
            out.json = true;
        } else if (!is_option(arg) && out.what != act::list) {
            out.names.emplace_back(arg);
        } else {
            args.unknown("groups " + action);
        }
    }
    if (out.what != act::list && out.names.empty())
        throw usage_error("groups " + action + " needs a GROUP");
    return out;
}

namespace detail {

/// An offset as text: "-" for none.
inline std::string offset_text(std::int64_t offset) {
    return offset < 0 ? std::string("-") : std::to_string(offset);
}

/// A JSON number, or null for none.
inline nlohmann::json offset_json(std::int64_t offset) {
    return offset < 0 ? nlohmann::json(nullptr) : nlohmann::json(offset);
}

/// Prints a group's lag as a table or one JSON line; true when every partition's lag was read.
inline bool print_lag(const kflow::group_lag& lag, bool json) {
    bool all_read = true;
    nlohmann::json partitions = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows{
        {"TOPIC", "PARTITION", "COMMITTED", "HIGH WATERMARK", "LAG"}};
    for (const auto& p : lag.partitions) {
        std::string lag_text = p.lag ? std::to_string(*p.lag) : std::string("-");
        if (p.error) {
            all_read = false;
            lag_text = "error: " + (p.message.empty() ? p.error.message() : p.message);
        }
        rows.push_back({p.topic, std::to_string(p.partition), offset_text(p.committed),
                        offset_text(p.high_watermark), lag_text});
        partitions.push_back(
            {{"topic", p.topic},
             {"partition", p.partition},
             {"committed", offset_json(p.committed)},
             {"high_watermark", offset_json(p.high_watermark)},
             {"lag", p.lag ? nlohmann::json(*p.lag) : nlohmann::json(nullptr)},
             {"error", p.error ? nlohmann::json(p.message.empty() ? p.error.message() : p.message)
                               : nlohmann::json(nullptr)}});
    }
    if (json) {
        std::cout << json_line({{"group", lag.group_id},
                                {"partitions", std::move(partitions)},
                                {"total_lag", lag.total()}})
                  << '\n';
        return all_read;
    }
    std::vector<std::size_t> width(rows.front().size(), 0);
    for (const auto& r : rows) {
        for (std::size_t i = 0; i < r.size(); ++i)
            width[i] = std::max(width[i], r[i].size());
    }
    for (const auto& r : rows) {
        for (std::size_t i = 0; i < r.size(); ++i) {
            // The topic left-aligned, numbers right-aligned.
            std::cout << (i == 0 ? std::left : std::right) << std::setw(static_cast<int>(width[i]))
                      << r[i] << (i + 1 < r.size() ? "  " : "\n");
        }
    }
    std::cout << std::left << "group " << lag.group_id << ": total lag " << lag.total() << '\n';
    return all_read;
}

}  // namespace detail

/// Runs `groups`; the exit status as its help says.
[[nodiscard]] inline exit_status run_groups(const connection& conn, const groups_options& opts) {
    using act = groups_options::action;
    kflow::admin_client admin(
        conn.client<kflow::admin_config>("kflow-cli").request_timeout(std::chrono::seconds(10)));
    kflow::error_info err;
    switch (opts.what) {
        case act::list: {
            const auto listing = admin.list_consumer_groups(err);
            if (err)
                throw conn.failure("cannot list consumer groups", err);
            for (const auto& g : listing.groups) {
                if (opts.json) {
                    std::cout << json_line({{"group", g.group_id},
                                            {"state", kflow::to_string(g.state)},
                                            {"simple", g.simple}})
                              << '\n';
                } else {
                    std::cout << g.group_id << "  " << kflow::to_string(g.state) << '\n';
                }
            }
            if (!listing.complete() && listing.groups.empty())
                throw conn.failure("cannot list consumer groups", listing.errors.front());
            // A partial listing is printed, and each broker that did not answer named.
            for (const auto& e : listing.errors)
                std::cerr << "kflow-cli: " << e.message << '\n';
            return listing.complete() ? exit_status::ok : exit_status::failed;
        }
        case act::describe: {
            const auto groups = admin.describe_consumer_groups(opts.names, err);
            if (err)
                throw conn.failure("cannot describe consumer groups", err);
            bool all_ok = true;
            for (const auto& g : groups) {
                all_ok = all_ok && g.ok();
                if (!g.ok()) {
                    std::cerr << "kflow-cli: cannot describe group '" << g.group_id
                              << "': describe_consumer_groups: "
                              << (g.message.empty() ? g.error.message() : g.message) << '\n';
                }
                nlohmann::json members = nlohmann::json::array();
                for (const auto& m : g.members) {
                    nlohmann::json assignment = nlohmann::json::array();
                    for (const auto& tp : m.assignment)
                        assignment.push_back({{"topic", tp.topic}, {"partition", tp.partition}});
                    members.push_back({{"member_id", m.consumer_id},
                                       {"client_id", m.client_id},
                                       {"host", m.host},
                                       {"assignment", std::move(assignment)}});
                }
                if (opts.json) {
                    std::cout << json_line(
                                     {{"group", g.group_id},
                                      {"error", g.error ? nlohmann::json(g.message.empty()
                                                                             ? g.error.message()
                                                                             : g.message)
                                                        : nlohmann::json(nullptr)},
                                      {"state", kflow::to_string(g.state)},
                                      {"assignor", g.partition_assignor},
                                      {"coordinator", g.coordinator.id},
                                      {"members", std::move(members)}})
                              << '\n';
                    continue;
                }
                if (!g.ok())
                    continue;
                std::cout << g.group_id << "  " << kflow::to_string(g.state) << "  assignor "
                          << (g.partition_assignor.empty() ? "-" : g.partition_assignor)
                          << "  coordinator " << g.coordinator.id << "  members "
                          << g.members.size() << '\n';
                for (const auto& m : g.members) {
                    std::cout << "  " << m.consumer_id << "  " << m.client_id << "  " << m.host;
                    for (const auto& tp : m.assignment)
                        std::cout << "  " << kflow::partition_label(tp.topic, tp.partition);
                    std::cout << '\n';
                }
            }
            return all_ok ? exit_status::ok : exit_status::failed;
        }
        case act::lag: {
            const std::vector<std::string> topics(opts.names.begin() + 1, opts.names.end());
            const auto lag = admin.consumer_group_lag(opts.names.front(), topics, err);
            if (err)
                throw conn.failure("cannot read the lag of group '" + opts.names.front() + "'",
                                   err);
            return detail::print_lag(lag, opts.json) ? exit_status::ok : exit_status::failed;
        }
    }
    return exit_status::failed;
}

}  // namespace kflow_cli
