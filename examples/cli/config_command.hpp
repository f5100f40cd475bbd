#pragma once
// `kflow-cli config`: the configuration -b, -X and the KAFKA_* variables add up to, every secret
// shown as [redacted]. It connects to nothing, so it is the first thing to run when a
// connection fails.

#include "arguments.hpp"
#include "connection.hpp"
#include "exit_status.hpp"
#include "record_json.hpp"

#include <kflow/config.hpp>

#include <nlohmann/json.hpp>

#include <iostream>
#include <string>

namespace kflow_cli {

/// The arguments of `config`.
struct config_options {
    bool json = false;
};

/// Parses `config`'s arguments.
[[nodiscard]] inline config_options parse_config(argument_reader& args) {
    config_options out;
    while (args.more()) {
        const auto arg = args.take();
        if (arg == "--json") {
            args.no_value();
            out.json = true;
        } else {
            args.unknown("config");
        }
    }
    return out;
}

/// Prints the effective configuration; always exit status 0 (a bad property failed earlier).
[[nodiscard]] inline exit_status run_config(const connection& conn, const config_options& opts) {
    const auto& config = conn.config();
    if (opts.json) {
        nlohmann::json properties = nlohmann::json::object();
        for (const auto& [key, value] : config.properties()) {
            properties[key] = kflow::is_secret_property(key) ? std::string(kflow::redacted) : value;
        }
        std::cout << json_line({{"properties", std::move(properties)},
                                {"variables_used", config.used_variables()},
                                {"variables_ignored", config.ignored_variables()}})
                  << '\n';
        return exit_status::ok;
    }
    std::cout << config.to_string();
    for (const auto& variable : config.ignored_variables())
        std::cout << "# ignored: " << variable << " names no librdkafka property\n";
    return exit_status::ok;
}

}  // namespace kflow_cli
