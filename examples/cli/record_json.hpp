#pragma once
// Records as JSON lines: how `consume --json` prints a record, and how `produce --json` reads
// one. Keys, values and header values are text; Kafka's null is JSON null.

#include "arguments.hpp"

#include <kflow/headers.hpp>
#include <kflow/record.hpp>
#include <kflow/topic_partition.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kflow_cli {

/// The text, or null.
[[nodiscard]] inline nlohmann::json optional_text(const std::optional<std::string>& text) {
    return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

/// One JSON line, bytes that are not UTF-8 replaced by U+FFFD (a record's bytes need not be
/// text; the line must still be valid JSON).
[[nodiscard]] inline std::string json_line(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// How a timestamp's meaning is written.
[[nodiscard]] constexpr std::string_view timestamp_type_name(kflow::timestamp_type t) noexcept {
    switch (t) {
        case kflow::timestamp_type::create_time:
            return "create_time";
        case kflow::timestamp_type::log_append_time:
            return "log_append_time";
        case kflow::timestamp_type::not_available:
            break;
    }
    return "not_available";
}

/// A consumed record: topic, partition, offset, timestamp, key, value and headers.
template <class Record>
[[nodiscard]] nlohmann::json record_json(const Record& r) {
    nlohmann::json headers = nlohmann::json::array();
    for (const auto& h : r.headers)
        headers.push_back(nlohmann::json::array({h.key, optional_text(h.value)}));
    return {{"topic", r.topic},
            {"partition", r.partition},
            {"offset", r.offset},
            {"timestamp",
             r.time ? nlohmann::json(r.time->time_since_epoch().count()) : nlohmann::json(nullptr)},
            {"timestamp_type", timestamp_type_name(r.time_type)},
            {"key", optional_text(r.key)},
            {"value", optional_text(r.value)},
            {"headers", std::move(headers)}};
}

/// The fields of one `produce --json` line; absent ones keep the command line's defaults.
struct json_input {
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::optional<kflow::headers> headers;  ///< replaces -H's headers when present
    std::optional<std::int32_t> partition;
    std::optional<kflow::timestamp> time;
};

/// Parses one `produce --json` line; a usage_error names the line and what is wrong with it.
[[nodiscard]] inline json_input parse_json_input(std::string_view line, std::size_t number) {
    const auto bad = [number](const std::string& why) {
        return usage_error("line " + std::to_string(number) + ": " + why);
    };
    const auto parsed = nlohmann::json::parse(line, nullptr, false);
    if (parsed.is_discarded())
        throw bad("not valid JSON");
    if (!parsed.is_object())
        throw bad("expected a JSON object such as {\"key\": \"k\", \"value\": \"v\"}");
    const auto text = [&](const nlohmann::json& j, const std::string& what) {
        if (j.is_null())
            return std::optional<std::string>();
        if (!j.is_string())
            throw bad(what + " must be a string or null");
        return std::optional<std::string>(j.get<std::string>());
    };
    json_input out;
    for (const auto& [name, field] : parsed.items()) {
        if (name == "key") {
            out.key = text(field, "\"key\"");
        } else if (name == "value") {
            out.value = text(field, "\"value\"");
        } else if (name == "headers") {
            kflow::headers hs;
            if (field.is_object()) {
                for (const auto& [hname, hvalue] : field.items()) {
                    if (auto v = text(hvalue, "header \"" + hname + "\""))
                        hs.add(hname, *v);
                    else
                        hs.add_null(hname);
                }
            } else if (field.is_array()) {
                for (const auto& pair : field) {
                    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string())
                        throw bad("each header must be [\"name\", \"value\" or null]");
                    if (auto v = text(pair[1], "header \"" + pair[0].get<std::string>() + "\""))
                        hs.add(pair[0].get<std::string>(), *v);
                    else
                        hs.add_null(pair[0].get<std::string>());
                }
            } else {
                throw bad("\"headers\" must be an object or an array of [name, value] pairs");
            }
            out.headers = std::move(hs);
        } else if (name == "partition") {
            if (!field.is_number_integer() || field.get<std::int64_t>() < 0 ||
                field.get<std::int64_t>() > INT32_MAX) {
                throw bad("\"partition\" must be a partition number");
            }
            out.partition = field.get<std::int32_t>();
        } else if (name == "timestamp") {
            if (!field.is_number_integer() || field.get<std::int64_t>() < 0)
                throw bad("\"timestamp\" must be milliseconds since the epoch");
            out.time = kflow::timestamp(std::chrono::milliseconds(field.get<std::int64_t>()));
        } else {
            throw bad("unknown field \"" + name +
                      "\" (fields: key, value, headers, partition, timestamp)");
        }
    }
    return out;
}

}  // namespace kflow_cli
