// kflow-cli: a command-line client for Apache Kafka built on kflow, in the manner of kcat:
//
//   kflow-cli -b broker:9092 produce orders -K : <orders.txt
//   kflow-cli -b broker:9092 consume orders --from -10 -e --json
//   kflow-cli topics describe orders          (the cluster from KAFKA_BOOTSTRAP_SERVERS)
//   kflow-cli groups lag billing
//   kflow-cli health --canary health-checks
//   kflow-cli config                          (what the KAFKA_* variables add up to)
//
// Every command reads the connection from the KAFKA_* variables (kflow::config_from_env), then
// -b and -X. The exit status means the same for every command (usage.hpp): scripts can tell a
// bad argument (2) from an unreachable cluster (3) from a refused or failed operation (1).

#include "arguments.hpp"
#include "config_command.hpp"
#include "connection.hpp"
#include "consume_command.hpp"
#include "exit_status.hpp"
#include "groups_command.hpp"
#include "health_command.hpp"
#include "produce_command.hpp"
#include "topics_command.hpp"
#include "usage.hpp"

#include <kflow/error.hpp>
#include <kflow/version.hpp>

#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace kflow_cli;

/// The commands, with their help.
struct command_entry {
    std::string_view name;
    std::string_view usage;
};

constexpr command_entry commands[] = {
    {"produce", produce_usage}, {"consume", consume_usage}, {"topics", topics_usage},
    {"groups", groups_usage},   {"health", health_usage},   {"config", config_usage},
};

/// The help of `name`, or the main help when it is no command.
std::string_view usage_of(std::string_view name) {
    for (const auto& c : commands) {
        if (c.name == name)
            return c.usage;
    }
    return main_usage;
}

/// Parses a command's arguments, then runs it: a mistake in the arguments is named before
/// anything connects.
template <class Parse, class Run>
exit_status parse_then_run(argument_reader& reader, const connection_options& connection_args,
                           Parse parse, Run run) {
    const auto opts = parse(reader);
    return run(connection(connection_args), opts);
}

/// Runs `command` with its arguments (`--help` among them prints its help).
exit_status run_command(std::string_view command, std::vector<std::string_view> args,
                        const connection_options& connection_args) {
    for (const auto arg : args) {
        if (arg == "-h" || arg == "--help") {
            std::cout << usage_of(command);
            return exit_status::ok;
        }
    }
    argument_reader reader(std::move(args));
    if (command == "produce")
        return parse_then_run(reader, connection_args, parse_produce, run_produce);
    if (command == "consume")
        return parse_then_run(reader, connection_args, parse_consume, run_consume);
    if (command == "topics")
        return parse_then_run(reader, connection_args, parse_topics, run_topics);
    if (command == "groups")
        return parse_then_run(reader, connection_args, parse_groups, run_groups);
    if (command == "health")
        return parse_then_run(reader, connection_args, parse_health, run_health);
    if (command == "config")
        return parse_then_run(reader, connection_args, parse_config, run_config);
    throw usage_error("unknown command '" + std::string(command) +
                      "' (produce, consume, topics, groups, health, config)");
}

/// Reads the options before the command, then runs it.
exit_status run(const std::vector<std::string_view>& argv) {
    connection_options connection_args;
    std::size_t i = 0;
    for (; i < argv.size(); ++i) {
        std::string_view arg = argv[i];
        if (!is_option(arg))
            break;
        if (arg == "-h" || arg == "--help") {
            std::cout << main_usage;
            return exit_status::ok;
        }
        if (arg == "--version") {
            std::cout << "kflow-cli " << kflow::version_major << '.' << kflow::version_minor << '.'
                      << kflow::version_patch << " (librdkafka "
                      << kflow::librdkafka_runtime_version() << ")\n";
            return exit_status::ok;
        }
        std::string_view value;
        std::string_view name = arg;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
        } else if (arg == "-b" || arg == "--bootstrap" || arg == "-X") {
            if (i + 1 >= argv.size())
                throw usage_error(std::string(arg) + " needs a value");
            value = argv[++i];
        } else if (arg.starts_with("-X") && arg.size() > 2) {
            name = "-X";  // -Xkey=value, as kcat also takes it
            value = arg.substr(2);
        } else {
            throw usage_error("unknown option '" + std::string(arg) +
                              "' (before the command: -b, -X, --help, --version)");
        }
        if (name == "-b" || name == "--bootstrap") {
            if (value.empty())
                throw usage_error(std::string(name) + " needs a value");
            connection_args.bootstrap = value;
        } else if (name == "-X") {
            const auto eq = value.find('=');
            if (eq == std::string_view::npos || eq == 0)
                throw usage_error("-X '" + std::string(value) + "': expected KEY=VALUE");
            connection_args.properties.emplace_back(value.substr(0, eq), value.substr(eq + 1));
        } else {
            throw usage_error("unknown option '" + std::string(arg) + "'");
        }
    }
    if (i == argv.size())
        throw usage_error("no command given");
    const std::string_view command = argv[i];
    return run_command(command, {argv.begin() + static_cast<std::ptrdiff_t>(i) + 1, argv.end()},
                       connection_args);
}

/// The command named in argv, for the help after a usage error.
std::string_view command_in(const std::vector<std::string_view>& argv) {
    for (const auto arg : argv) {
        for (const auto& c : commands) {
            if (c.name == arg)
                return c.name;
        }
    }
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    try {
        return exit_code(run(args));
    } catch (const usage_error& e) {
        std::cerr << "kflow-cli: " << e.what() << "\n\n" << usage_of(command_in(args));
        return exit_code(exit_status::usage);
    } catch (const command_failure& e) {
        std::cerr << "kflow-cli: " << e.what() << '\n';
        return exit_code(e.status());
    } catch (const kflow::kafka_error& e) {
        std::cerr << "kflow-cli: " << e.what() << '\n';
        return exit_code(e.code() == kflow::errc::invalid_config ? exit_status::usage
                                                                 : exit_status::failed);
    } catch (const std::exception& e) {
        std::cerr << "kflow-cli: " << e.what() << '\n';
        return exit_code(exit_status::failed);
    }
}
