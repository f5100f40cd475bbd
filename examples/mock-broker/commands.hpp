#pragma once
// The `--commands` protocol of kflow-mock-broker: one command a line on standard input, one
// answer a line ("ok" or "error: WHY") on standard output. Parsing and running are apart from the
// I/O, so every mistake becomes an answer rather than a stopped broker.

#include <kflow/testing/mock_cluster.hpp>

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "options.hpp"

namespace mock_broker {

namespace detail {

/// Splits a line at runs of spaces and tabs.
[[nodiscard]] inline std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
            ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
            ++i;
        if (i > start)
            out.push_back(line.substr(start, i - start));
    }
    return out;
}

/// "EndTxn", "end_txn" and "END-TXN" alike: lower case, without '_' and '-'.
[[nodiscard]] inline std::string fold_api_name(std::string_view name) {
    std::string out;
    for (const char c : name) {
        if (c != '_' && c != '-')
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

struct api_name {
    std::string_view name;
    kflow::testing::api_key key;
};

// The names of kflow::testing::api_key.
inline constexpr api_name api_names[] = {
    {"produce", kflow::testing::api_key::produce},
    {"fetch", kflow::testing::api_key::fetch},
    {"list_offsets", kflow::testing::api_key::list_offsets},
    {"metadata", kflow::testing::api_key::metadata},
    {"offset_commit", kflow::testing::api_key::offset_commit},
    {"offset_fetch", kflow::testing::api_key::offset_fetch},
    {"find_coordinator", kflow::testing::api_key::find_coordinator},
    {"join_group", kflow::testing::api_key::join_group},
    {"heartbeat", kflow::testing::api_key::heartbeat},
    {"leave_group", kflow::testing::api_key::leave_group},
    {"sync_group", kflow::testing::api_key::sync_group},
    {"describe_groups", kflow::testing::api_key::describe_groups},
    {"list_groups", kflow::testing::api_key::list_groups},
    {"api_versions", kflow::testing::api_key::api_versions},
    {"create_topics", kflow::testing::api_key::create_topics},
    {"delete_topics", kflow::testing::api_key::delete_topics},
    {"delete_records", kflow::testing::api_key::delete_records},
    {"init_producer_id", kflow::testing::api_key::init_producer_id},
    {"add_partitions_to_txn", kflow::testing::api_key::add_partitions_to_txn},
    {"add_offsets_to_txn", kflow::testing::api_key::add_offsets_to_txn},
    {"end_txn", kflow::testing::api_key::end_txn},
    {"txn_offset_commit", kflow::testing::api_key::txn_offset_commit},
    {"describe_acls", kflow::testing::api_key::describe_acls},
    {"create_acls", kflow::testing::api_key::create_acls},
    {"delete_acls", kflow::testing::api_key::delete_acls},
    {"describe_configs", kflow::testing::api_key::describe_configs},
    {"alter_configs", kflow::testing::api_key::alter_configs},
    {"create_partitions", kflow::testing::api_key::create_partitions},
    {"delete_groups", kflow::testing::api_key::delete_groups},
    {"incremental_alter_configs", kflow::testing::api_key::incremental_alter_configs},
    {"offset_delete", kflow::testing::api_key::offset_delete},
};

/// An API by name (any spelling fold_api_name() equates) or by its Kafka key number.
[[nodiscard]] inline std::optional<kflow::testing::api_key> parse_api(std::string_view text) {
    const std::string folded = fold_api_name(text);
    for (const auto& api : api_names) {
        if (fold_api_name(api.name) == folded)
            return api.key;
    }
    // Kafka's key numbers go up to 74 today; the mock answers what it does not serve anyway.
    if (auto key = parse_int(text, 0, 32767))
        return static_cast<kflow::testing::api_key>(*key);
    return std::nullopt;
}

/// An error code a broker can send: librdkafka's name for it (NOT_LEADER_FOR_PARTITION, also
/// with the RD_KAFKA_RESP_ERR_ prefix, any case), Kafka's newer NOT_LEADER_OR_FOLLOWER, or its
/// number. librdkafka's own codes (negative, "_" names) never travel on the wire: refused.
[[nodiscard]] inline std::optional<rd_kafka_resp_err_t> parse_error_code(std::string_view text) {
    std::string name;
    for (const char c : text)
        name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    constexpr std::string_view prefix = "RD_KAFKA_RESP_ERR_";
    if (std::string_view(name).starts_with(prefix))
        name.erase(0, prefix.size());
    if (name == "NOT_LEADER_OR_FOLLOWER")
        return RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION;

    const rd_kafka_err_desc* descs = nullptr;
    std::size_t count = 0;
    rd_kafka_get_err_descs(&descs, &count);
    const auto number = parse_int(text, 0, 32767);
    for (std::size_t i = 0; i < count; ++i) {
        if (descs[i].name == nullptr || descs[i].code < 0)
            continue;
        if ((number && descs[i].code == *number) || (!number && name == descs[i].name))
            return descs[i].code;
    }
    return std::nullopt;
}

}  // namespace detail

/// What a command line asks for, and the answer to give.
struct command_outcome {
    /// The line to answer with ("ok" or "error: ..."); empty for a line that is no command.
    std::string answer;
    /// True after a successful `quit`: the broker stops once the answer is out.
    bool quit = false;
};

/// Runs the commands of usage_text against a cluster.
class command_runner {
  public:
    explicit command_runner(kflow::testing::mock_cluster& cluster) : cluster_(cluster) {}

    /// Runs one line (without its newline). Never throws: a failure is an "error: " answer.
    [[nodiscard]] command_outcome run(std::string_view line) {
        const auto w = detail::words(line);
        if (w.empty() || w[0].starts_with("#"))
            return {};
        try {
            return run(w);
        } catch (const std::exception& e) {
            return {std::string("error: ") + e.what()};
        }
    }

  private:
    static command_outcome ok() { return {"ok"}; }
    static command_outcome error(std::string why) { return {"error: " + std::move(why)}; }

    // The form starts with the command's name.
    static command_outcome usage(std::string_view form) {
        return error("expected '" + std::string(form) + "'");
    }

    // A broker id, or "all" (mock_cluster::all_brokers).
    [[nodiscard]] std::optional<std::int32_t> broker(std::string_view text) const {
        if (text == "all")
            return kflow::testing::mock_cluster::all_brokers;
        if (auto id = detail::parse_int(text, 1, cluster_.broker_count()))
            return *id;
        return std::nullopt;
    }

    [[nodiscard]] std::string bad_broker(std::string_view command, std::string_view text) const {
        const std::string count = std::to_string(cluster_.broker_count());
        return std::string(command) + ": broker '" + std::string(text) + "': must be " +
               (count == "1" ? "1" : "a broker id from 1 to " + count) + " or 'all'";
    }

    command_outcome run(const std::vector<std::string_view>& w) {
        const std::string_view command = w[0];
        if (command == "quit") {
            if (w.size() != 1)
                return usage("quit");
            return {"ok", true};
        }
        if (command == "down" || command == "up") {
            if (w.size() != 2)
                return usage(std::string(command) + " ID");
            const auto id = broker(w[1]);
            if (!id)
                return error(bad_broker(command, w[1]));
            if (command == "down")
                cluster_.broker_down(*id);
            else
                cluster_.broker_up(*id);
            return ok();
        }
        if (command == "rtt") {
            if (w.size() != 3)
                return usage("rtt ID MS");
            const auto id = broker(w[1]);
            if (!id)
                return error(bad_broker(command, w[1]));
            const auto ms = detail::parse_int(w[2], 0, detail::max_rtt_ms);
            if (!ms) {
                return error("rtt: '" + std::string(w[2]) +
                             "': MS must be a whole number from 0 to " +
                             std::to_string(detail::max_rtt_ms));
            }
            cluster_.set_round_trip_time(*id, std::chrono::milliseconds(*ms));
            return ok();
        }
        if (command == "error") {
            if (w.size() < 3)
                return usage("error API CODE [CODE...]");
            const auto api = detail::parse_api(w[1]);
            if (!api)
                return error("error command: unknown API '" + std::string(w[1]) +
                             "' (produce, fetch, ...)");
            std::vector<rd_kafka_resp_err_t> codes;
            for (std::size_t i = 2; i < w.size(); ++i) {
                const auto code = detail::parse_error_code(w[i]);
                if (!code) {
                    return error("error command: unknown error code '" + std::string(w[i]) +
                                 "' (a Kafka error name such as NOT_LEADER_FOR_PARTITION, or its "
                                 "number)");
                }
                codes.push_back(*code);
            }
            cluster_.push_request_errors(*api, codes);
            return ok();
        }
        if (command == "topic") {
            if (w.size() != 3 && w.size() != 4)
                return usage("topic NAME PARTITIONS [RF]");
            if (!detail::is_valid_topic_name(w[1]))
                return error("topic: name must be 1-249 characters of a-z A-Z 0-9 . _ -");
            const auto partitions = detail::parse_int(w[2], 1, detail::max_partitions);
            if (!partitions) {
                return error("topic: PARTITIONS must be a whole number from 1 to " +
                             std::to_string(detail::max_partitions));
            }
            const auto rf = w.size() == 4 ? detail::parse_int(w[3], 1, cluster_.broker_count())
                                          : std::optional<int>(1);
            if (!rf) {
                return error("topic: RF must be a whole number from 1 to " +
                             std::to_string(cluster_.broker_count()));
            }
            cluster_.create_topic(w[1], *partitions, *rf);
            return ok();
        }
        return error("unknown command '" + std::string(command) +
                     "' (down, up, rtt, error, topic, quit)");
    }

    kflow::testing::mock_cluster& cluster_;
};

}  // namespace mock_broker
