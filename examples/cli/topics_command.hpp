#pragma once
// `kflow-cli topics list|describe|create|delete|ensure`: a cluster's topics through
// kflow::admin_client.

#include "arguments.hpp"
#include "connection.hpp"
#include "exit_status.hpp"
#include "record_json.hpp"

#include <kflow/admin.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace kflow_cli {

/// The arguments of `topics`.
struct topics_options {
    enum class action { list, describe, create, remove, ensure };
    action what = action::list;
    std::vector<std::string> names;  ///< describe, create (one), delete; ensure: the spec file
    bool internal = false;           ///< list --internal
    bool json = false;
    bool apply = false;  ///< ensure --apply
    std::int32_t partitions = 1;
    std::int16_t replication_factor = -1;
    std::map<std::string, std::string> configs;
};

/// Parses `topics`' arguments.
[[nodiscard]] inline topics_options parse_topics(argument_reader& args) {
    topics_options out;
    if (!args.more())
        throw usage_error("topics needs an action: list, describe, create, delete or ensure");
    const std::string action(args.take());
    using act = topics_options::action;
    if (action == "list") {
        out.what = act::list;
    } else if (action == "describe") {
        out.what = act::describe;
    } else if (action == "create") {
        out.what = act::create;
    } else if (action == "delete") {
        out.what = act::remove;
    } else if (action == "ensure") {
        out.what = act::ensure;
    } else {
        throw usage_error("unknown topics action '" + action +
                          "' (list, describe, create, delete, ensure)");
    }
    const std::string command = "topics " + action;
    while (args.more()) {
        const auto arg = args.take();
        if (arg == "--json" && out.what != act::create && out.what != act::remove &&
            out.what != act::ensure) {
            args.no_value();
            out.json = true;
        } else if (arg == "--internal" && out.what == act::list) {
            args.no_value();
            out.internal = true;
        } else if (arg == "--apply" && out.what == act::ensure) {
            args.no_value();
            out.apply = true;
        } else if ((arg == "--partitions" || arg == "-p") && out.what == act::create) {
            out.partitions = args.number<std::int32_t>(1, INT32_MAX);
        } else if ((arg == "--replication-factor" || arg == "-r") && out.what == act::create) {
            out.replication_factor = args.number<std::int16_t>(1, INT16_MAX);
        } else if ((arg == "--config" || arg == "-c") && out.what == act::create) {
            auto [key, value] = args.assignment();
            out.configs[key] = value;
        } else if (!is_option(arg) && out.what != act::list) {
            out.names.emplace_back(arg);
        } else {
            args.unknown(command);
        }
    }
    if (out.what == act::describe && out.names.empty())
        throw usage_error("topics describe needs a TOPIC");
    if (out.what == act::remove && out.names.empty())
        throw usage_error("topics delete needs a TOPIC");
    if (out.what == act::create && out.names.size() != 1)
        throw usage_error("topics create takes one TOPIC");
    if (out.what == act::ensure && out.names.size() != 1)
        throw usage_error("topics ensure takes one SPEC.json");
    return out;
}

namespace detail {

/// A list of broker ids as JSON.
inline nlohmann::json ids_json(const std::vector<std::int32_t>& ids) {
    return nlohmann::json(ids);
}

/// A topic's metadata as one JSON object.
inline nlohmann::json topic_json(const kflow::topic_metadata& t) {
    nlohmann::json partitions = nlohmann::json::array();
    for (const auto& p : t.partitions) {
        partitions.push_back(
            {{"id", p.id},
             {"leader", p.leader},
             {"replicas", ids_json(p.replicas)},
             {"isr", ids_json(p.in_sync_replicas)},
             {"error", p.error ? nlohmann::json(p.error.message()) : nlohmann::json(nullptr)}});
    }
    return {{"name", t.name},
            {"partitions", std::move(partitions)},
            {"error", t.error ? nlohmann::json(t.message.empty() ? t.error.message() : t.message)
                              : nlohmann::json(nullptr)}};
}

/// Broker ids as "[1,2,3]".
inline std::string ids_text(const std::vector<std::int32_t>& ids) {
    std::string out = "[";
    for (std::size_t i = 0; i < ids.size(); ++i)
        out += (i ? "," : "") + std::to_string(ids[i]);
    return out + "]";
}

/// A topic's metadata as text: a line for the topic, one per partition.
inline void print_topic(const kflow::topic_metadata& t) {
    if (t.error) {
        std::cout << t.name << "  error: " << (t.message.empty() ? t.error.message() : t.message)
                  << '\n';
        return;
    }
    std::cout << t.name << "  partitions " << t.partitions.size() << "  replication "
              << (t.partitions.empty() ? 0 : t.partitions.front().replicas.size()) << '\n';
    for (const auto& p : t.partitions) {
        std::cout << "  partition " << p.id << "  leader " << p.leader << "  replicas "
                  << ids_text(p.replicas) << "  isr " << ids_text(p.in_sync_replicas);
        if (p.error)
            std::cout << "  error: " << p.error.message();
        std::cout << '\n';
    }
}

/// Prints item results ("created 'x'", "'x': <why>"); true when all succeeded.
inline bool print_items(const std::vector<kflow::item_result>& results, std::string_view done) {
    bool ok = true;
    for (const auto& r : results) {
        if (r.error) {
            ok = false;
            std::cerr << "kflow-cli: '" << r.name
                      << "': " << (r.message.empty() ? r.error.message() : r.message) << '\n';
        } else {
            std::cout << done << " '" << r.name << "'\n";
        }
    }
    return ok;
}

}  // namespace detail

/// Runs `topics`; the exit status as its help says.
[[nodiscard]] inline exit_status run_topics(const connection& conn, const topics_options& opts) {
    using act = topics_options::action;
    kflow::admin_client admin(
        conn.client<kflow::admin_config>("kflow-cli").request_timeout(std::chrono::seconds(10)));
    kflow::error_info err;
    switch (opts.what) {
        case act::list: {
            const auto topics = admin.list_topics(opts.internal, err);
            if (err)
                throw conn.failure("cannot list topics", err);
            for (const auto& t : topics) {
                if (opts.json)
                    std::cout << json_line(detail::topic_json(t)) << '\n';
                else
                    std::cout << t.name << '\n';
            }
            return exit_status::ok;
        }
        case act::describe: {
            const auto topics = admin.describe_topics(opts.names, err);
            if (err)
                throw conn.failure("cannot describe topics", err);
            bool all_found = true;
            for (const auto& t : topics) {
                all_found = all_found && !t.error;
                if (opts.json)
                    std::cout << json_line(detail::topic_json(t)) << '\n';
                else
                    detail::print_topic(t);
            }
            return all_found ? exit_status::ok : exit_status::failed;
        }
        case act::create: {
            kflow::topic_spec spec(opts.names.front(), opts.partitions, opts.replication_factor,
                                   opts.configs);
            const auto results = admin.create_topics({spec}, err);
            if (err)
                throw conn.failure("cannot create topic '" + spec.name + "'", err);
            return detail::print_items(results, "created") ? exit_status::ok : exit_status::failed;
        }
        case act::remove: {
            const auto results = admin.delete_topics(opts.names, err);
            if (err)
                throw conn.failure("cannot delete topics", err);
            return detail::print_items(results, "deleted") ? exit_status::ok : exit_status::failed;
        }
        case act::ensure: {
            std::vector<kflow::topic_spec> specs;
            try {
                specs = kflow::load_topic_specs(opts.names.front());
            } catch (const kflow::topic_spec_error& e) {
                throw command_failure(exit_status::usage, e.what());
            }
            const auto results = kflow::ensure_topics(
                admin, specs, {.add_partitions = opts.apply, .alter_configs = opts.apply}, err);
            if (err)
                throw conn.failure("cannot ensure the topics of " + opts.names.front(), err);
            bool all_good = true;
            for (const auto& topic : results) {
                for (const auto& line : topic.describe())
                    std::cout << line << '\n';
                all_good = all_good && topic.ok() && topic.outcome != kflow::topic_outcome::differs;
            }
            return all_good ? exit_status::ok : exit_status::failed;
        }
    }
    return exit_status::failed;
}

}  // namespace kflow_cli
