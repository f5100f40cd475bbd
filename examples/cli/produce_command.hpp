#pragma once
// `kflow-cli produce TOPIC`: one record per line of standard input, then every delivery awaited.

#include "arguments.hpp"
#include "connection.hpp"
#include "exit_status.hpp"
#include "record_json.hpp"

#include <kflow/producer.hpp>
#include <kflow/serdes/optional.hpp>
#include <kflow/serdes/string.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>

namespace kflow_cli {

/// The arguments of `produce`.
struct produce_options {
    std::string topic;
    std::optional<std::string> key_delimiter;  ///< -K
    kflow::headers headers;                    ///< -H, on every record
    std::int32_t partition = kflow::any_partition;
    bool json = false;    ///< --json: each line a JSON object
    bool report = false;  ///< --report: a JSON line per delivered record
    std::chrono::seconds timeout{30};
};

/// Parses `produce`'s arguments.
[[nodiscard]] inline produce_options parse_produce(argument_reader& args) {
    produce_options out;
    while (args.more()) {
        const auto arg = args.take();
        if (arg == "-K" || arg == "--key-delimiter") {
            out.key_delimiter = args.value();
            if (out.key_delimiter->empty())
                throw usage_error(std::string(arg) + " must not be empty");
        } else if (arg == "-H" || arg == "--header") {
            auto [name, value] = args.assignment();
            out.headers.add(std::move(name), std::move(value));
        } else if (arg == "-p" || arg == "--partition") {
            out.partition = args.number<std::int32_t>(0, INT32_MAX);
        } else if (arg == "--json") {
            args.no_value();
            out.json = true;
        } else if (arg == "--report") {
            args.no_value();
            out.report = true;
        } else if (arg == "--timeout") {
            out.timeout = std::chrono::seconds(args.number<int>(1, 86400));
        } else if (!is_option(arg) && out.topic.empty()) {
            out.topic = arg;
        } else {
            args.unknown("produce");
        }
    }
    if (out.topic.empty())
        throw usage_error("produce needs a TOPIC");
    if (out.json && out.key_delimiter)
        throw usage_error("-K and --json exclude each other: with --json the key is a field");
    return out;
}

/// Sends standard input's lines to the topic; the exit status as produce's help says.
[[nodiscard]] inline exit_status run_produce(const connection& conn, const produce_options& opts) {
    using record_type =
        kflow::producer_record<std::optional<std::string>, std::optional<std::string>>;
    kflow::producer<std::optional<std::string>, std::optional<std::string>> producer(
        conn.client<kflow::producer_config>("kflow-cli"));

    std::size_t sent = 0;
    std::size_t delivered = 0;
    std::size_t failed = 0;
    std::optional<std::string> bad_line;  // why the line that ended the input is bad
    std::string line;
    std::size_t number = 0;
    while (std::getline(std::cin, line)) {
        ++number;
        record_type record(opts.topic, std::nullopt, std::nullopt, opts.headers, opts.partition);
        if (opts.json) {
            try {
                auto in = parse_json_input(line, number);
                record.key = std::move(in.key);
                record.value = std::move(in.value);
                if (in.headers)
                    record.headers = std::move(*in.headers);
                if (in.partition)
                    record.partition = *in.partition;
                record.time = in.time;
            } catch (const usage_error& e) {
                // The lines before were sent: deliver them, then report this one.
                bad_line = e.what();
                break;
            }
        } else if (const auto at =
                       opts.key_delimiter ? line.find(*opts.key_delimiter) : std::string::npos;
                   at != std::string::npos) {
            record.key = line.substr(0, at);
            record.value = line.substr(at + opts.key_delimiter->size());
        } else {
            record.value = line;
        }
        std::optional<std::string> key = opts.report ? record.key : std::nullopt;
        producer.send(record, [&, number, key = std::move(key)](std::error_code ec,
                                                                const kflow::record_metadata& md) {
            if (ec) {
                ++failed;
                std::cerr << "kflow-cli: line " << number << " not delivered to "
                          << kflow::partition_label(opts.topic, md.partition) << ": "
                          << ec.message() << '\n';
                return;
            }
            ++delivered;
            if (opts.report) {
                std::cout << json_line(
                                 {{"partition", md.partition},
                                  {"offset", md.offset},
                                  {"timestamp",
                                   md.time ? nlohmann::json(md.time->time_since_epoch().count())
                                           : nlohmann::json(nullptr)},
                                  {"timestamp_type", timestamp_type_name(md.time_type)},
                                  {"key", optional_text(key)},
                                  {"line", number}})
                          << '\n';
            }
        });
        ++sent;
        producer.poll();
    }
    const auto undelivered = producer.close(opts.timeout);
    std::cout.flush();
    std::cerr << "kflow-cli: " << delivered << " of " << sent << " records delivered to '"
              << opts.topic << "'";
    if (undelivered > 0)
        std::cerr << " (" << undelivered << " still undelivered after " << opts.timeout.count()
                  << " s)";
    std::cerr << '\n';
    if (bad_line)
        throw command_failure(exit_status::usage, *bad_line);
    if (failed == 0 && delivered == sent)
        return exit_status::ok;
    if (delivered == 0 && conn.watch().connection_failed()) {
        throw command_failure(exit_status::unreachable,
                              "cluster unreachable: " + conn.watch().last_connection_error());
    }
    return exit_status::failed;
}

}  // namespace kflow_cli
