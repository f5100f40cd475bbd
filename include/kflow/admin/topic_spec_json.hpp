#pragma once
// Topic specs as JSON, for declaring an application's topics in a file:
//
//     {"topics": [
//       {"name": "orders", "partitions": 6, "replication_factor": 3,
//        "configs": {"cleanup.policy": "delete", "retention.ms": 604800000,
//                    "compression.type": "zstd", "min.insync.replicas": 2}},
//       {"name": "customers", "replica_assignment": [[1, 2], [2, 3], [3, 1]],
//        "configs": {"cleanup.policy": "compact"}}
//     ]}
//
// The document is an array of topics or an object with one field, "topics". A topic takes
// exactly these fields: name (required), partitions, replication_factor, replica_assignment
// (exclusive with replication_factor) and configs (string values; numbers and booleans are
// taken in their JSON text, since "retention.ms": 86400000 is what people write). Anything else
// is an error, never ignored: a misspelt "partitons" would otherwise create a topic with the
// broker's default partition count. So is a key given twice in one object, when the spec is
// read from text. Errors are topic_spec_error, naming the file, the topic and the field.

#include <kflow/admin/topic_spec.hpp>
#include <kflow/admin/topic_spec_check.hpp>
#include <kflow/admin/topic_spec_error.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace kflow {

namespace detail {

/// The fields a topic takes in JSON, in the order to_json writes them.
inline constexpr std::array<std::string_view, 5> topic_spec_json_fields = {
    "name", "partitions", "replication_factor", "replica_assignment", "configs"};

/// A JSON value as it appears in the file, shortened for an error message.
[[nodiscard]] inline std::string shown_json(const nlohmann::json& value) {
    constexpr std::size_t max_length = 60;
    std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (text.size() > max_length)
        text = text.substr(0, max_length - 3) + "...";
    return text;
}

/// Where in a document a topic's fields are being read, for error messages.
struct topic_spec_json_context {
    std::string source;
    std::optional<std::size_t> index;
    std::string topic;

    [[noreturn]] void fail(std::string field, std::string reason) const {
        throw topic_spec_error(
            kflow::topic_spec_problem{source, index, topic, std::move(field), std::move(reason)});
    }
};

[[nodiscard]] inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

[[nodiscard]] inline std::string unknown_field_reason(std::string_view field) {
    std::string reason = "unknown field";
    std::string_view closest;
    std::size_t best = 3;  // a typo, not a different word
    for (const auto known : topic_spec_json_fields) {
        if (const auto d = edit_distance(field, known); d < best) {
            best = d;
            closest = known;
        }
    }
    if (!closest.empty())
        reason += " (did you mean \"" + std::string(closest) + "\"?)";
    reason += "; a topic takes name, partitions, replication_factor, replica_assignment, configs";
    return reason;
}

/// `value` as an integer in [min, max], or std::nullopt when it is not one (a float, a string
/// holding digits and a boolean are not).
template <class Int>
[[nodiscard]] std::optional<Int> json_integer(const nlohmann::json& value, std::int64_t min) {
    if (value.is_number_unsigned()) {
        const auto v = value.get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(std::numeric_limits<Int>::max()) ||
            static_cast<std::int64_t>(v) < min)
            return std::nullopt;
        return static_cast<Int>(v);
    }
    if (value.is_number_integer()) {
        const auto v = value.get<std::int64_t>();
        if (v < min || v > static_cast<std::int64_t>(std::numeric_limits<Int>::max()))
            return std::nullopt;
        return static_cast<Int>(v);
    }
    return std::nullopt;
}

/// A config value in the string form brokers take: strings as they are, numbers and booleans
/// as their JSON text (86400000, 0.5, true).
[[nodiscard]] inline std::optional<std::string> config_value_text(const nlohmann::json& value) {
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_number() || value.is_boolean())
        return value.dump();
    return std::nullopt;
}

[[nodiscard]] inline std::vector<std::vector<std::int32_t>> replica_assignment_from_json(
    const nlohmann::json& value, const topic_spec_json_context& where) {
    constexpr std::string_view field = "replica_assignment";
    if (!value.is_array() || value.empty()) {
        where.fail(std::string(field),
                   "expected a non-empty array with one array of broker ids per partition, got " +
                       shown_json(value));
    }
    std::vector<std::vector<std::int32_t>> assignment;
    for (std::size_t p = 0; p < value.size(); ++p) {
        const std::string partition_field = std::string(field) + "[" + std::to_string(p) + "]";
        const auto& replicas = value[p];
        if (!replicas.is_array() || replicas.empty()) {
            where.fail(partition_field,
                       "expected a non-empty array of broker ids, got " + shown_json(replicas));
        }
        auto& brokers = assignment.emplace_back();
        for (std::size_t r = 0; r < replicas.size(); ++r) {
            const auto broker = json_integer<std::int32_t>(replicas[r], 0);
            if (!broker) {
                where.fail(
                    partition_field + "[" + std::to_string(r) + "]",
                    "expected a broker id (an integer >= 0), got " + shown_json(replicas[r]));
            }
            brokers.push_back(*broker);
        }
    }
    return assignment;
}

[[nodiscard]] inline std::map<std::string, std::string> configs_from_json(
    const nlohmann::json& value, const topic_spec_json_context& where) {
    if (!value.is_object()) {
        where.fail("configs",
                   "expected an object of config names to values, got " + shown_json(value));
    }
    std::map<std::string, std::string> configs;
    for (const auto& [key, config] : value.items()) {
        if (key.empty())
            where.fail("configs", "a config name must not be empty");
        auto text = config_value_text(config);
        if (!text) {
            where.fail("configs." + key,
                       "expected a string, number or boolean, got " + shown_json(config));
        }
        configs.emplace(key, std::move(*text));
    }
    return configs;
}

/// One topic; `where` says where it is in its document.
[[nodiscard]] inline topic_spec topic_spec_from_json(const nlohmann::json& json,
                                                     topic_spec_json_context where) {
    if (!json.is_object())
        where.fail("", "expected a topic (an object with a \"name\"), got " + shown_json(json));

    topic_spec spec;
    const auto name = json.find("name");
    // Named in every message once known, so that "nmae" is reported as the typo it is rather
    // than as a missing name.
    if (name != json.end() && name->is_string() && !topic_name_problem(name->get<std::string>()))
        where.topic = name->get<std::string>();
    for (const auto& [key, value] : json.items()) {
        if (std::find(topic_spec_json_fields.begin(), topic_spec_json_fields.end(), key) ==
            topic_spec_json_fields.end())
            where.fail(key, unknown_field_reason(key));
    }
    if (name == json.end())
        where.fail("name", "is required");
    if (!name->is_string())
        where.fail("name", "expected a string, got " + shown_json(*name));
    spec.name = name->get<std::string>();
    if (auto reason = topic_name_problem(spec.name))
        where.fail("name", *reason);
    if (const auto it = json.find("partitions"); it != json.end()) {
        const auto count = json_integer<std::int32_t>(*it, 1);
        if (!count)
            where.fail("partitions", "expected an integer >= 1, got " + shown_json(*it));
        spec.partitions = *count;
    }
    if (const auto it = json.find("replication_factor"); it != json.end()) {
        const auto factor = json_integer<std::int16_t>(*it, 1);
        if (!factor) {
            where.fail("replication_factor",
                       "expected an integer from 1 to 32767, got " + shown_json(*it));
        }
        spec.replication_factor = *factor;
    }
    if (const auto it = json.find("replica_assignment"); it != json.end())
        spec.replica_assignment = replica_assignment_from_json(*it, where);
    if (const auto it = json.find("configs"); it != json.end())
        spec.configs = configs_from_json(*it, where);

    // The rules between fields (assignment vs. counts, duplicate brokers), shared with specs
    // built in code.
    if (auto problem = check_topic_spec(spec))
        where.fail(std::move(problem->field), std::move(problem->reason));
    return spec;
}

[[nodiscard]] inline std::vector<topic_spec> topic_specs_from_json(const nlohmann::json& document,
                                                                   const std::string& source) {
    const topic_spec_json_context top{source, std::nullopt, ""};
    const nlohmann::json* topics = &document;
    if (document.is_object()) {
        for (const auto& [key, value] : document.items()) {
            if (key != "topics") {
                top.fail(key,
                         "unknown field; the document is an array of topics or "
                         "{\"topics\": [...]}");
            }
        }
        const auto it = document.find("topics");
        if (it == document.end())
            top.fail("topics", "is required: the document is {\"topics\": [...]}");
        if (!it->is_array())
            top.fail("topics", "expected an array of topics, got " + shown_json(*it));
        topics = &*it;
    } else if (!document.is_array()) {
        top.fail("",
                 "expected an array of topics or {\"topics\": [...]}, got " + shown_json(document));
    }

    std::vector<topic_spec> specs;
    std::map<std::string, std::size_t> index_of_name;
    for (std::size_t i = 0; i < topics->size(); ++i) {
        auto spec = topic_spec_from_json((*topics)[i], {source, i, ""});
        const auto [first, inserted] = index_of_name.emplace(spec.name, i);
        if (!inserted) {
            topic_spec_json_context{source, i, spec.name}.fail(
                "name", "topics[" + std::to_string(first->second) + "] has the same name");
        }
        specs.push_back(std::move(spec));
    }
    return specs;
}

/// Rejects a key given twice in one object while the text is parsed: nlohmann keeps the last
/// one silently, and `"partitions": 3, ..., "partitions": 30` is a mistake to report.
class duplicate_key_check {
  public:
    explicit duplicate_key_check(std::string source) : source_(std::move(source)) {}

    bool operator()(int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using event_t = nlohmann::json::parse_event_t;
        switch (event) {
            case event_t::object_start:
            case event_t::array_start:
                frames_.push_back({event == event_t::object_start, child_path(), {}, {}, 0});
                break;
            case event_t::object_end:
            case event_t::array_end:
                frames_.pop_back();
                break;
            case event_t::key: {
                auto& object = frames_.back();
                object.key = parsed.get<std::string>();
                if (!object.keys.insert(object.key).second) {
                    throw topic_spec_error(kflow::topic_spec_problem{
                        source_, std::nullopt, "", "",
                        "key \"" + object.key + "\" appears twice in " +
                            (object.path.empty() ? std::string("the top-level object")
                                                 : object.path) +
                            "; each key may appear once"});
                }
                break;
            }
            case event_t::value:
                (void)child_path();  // counts array elements
                break;
        }
        return true;
    }

  private:
    struct frame {
        bool is_object;
        std::string path;
        std::set<std::string> keys;
        std::string key;
        std::size_t next_index;
    };

    // The path of the value starting now, e.g. "topics[2].configs"; a top-level array's
    // elements are "topics[i]" too, as in every other message.
    std::string child_path() {
        if (frames_.empty())
            return "";
        auto& parent = frames_.back();
        if (parent.is_object)
            return parent.path.empty() ? parent.key : parent.path + "." + parent.key;
        const std::string index = "[" + std::to_string(parent.next_index++) + "]";
        return parent.path.empty() && frames_.size() == 1 ? "topics" + index : parent.path + index;
    }

    std::string source_;
    std::vector<frame> frames_;
};

/// nlohmann's parse error without its "[json.exception.parse_error.101] " prefix.
[[nodiscard]] inline std::string parse_error_text(const nlohmann::json::parse_error& e) {
    std::string_view text = e.what();
    if (text.starts_with("[json.exception.")) {
        if (const auto end = text.find("] "); end != std::string_view::npos)
            text.remove_prefix(end + 2);
    }
    return std::string(text);
}

}  // namespace detail

/// Topic specs from a parsed JSON document: an array of topics or {"topics": [...]}. Throws
/// topic_spec_error naming the topic and the field for anything malformed, unknown, duplicated
/// or inconsistent.
[[nodiscard]] inline std::vector<topic_spec> parse_topic_specs(const nlohmann::json& document) {
    return detail::topic_specs_from_json(document, "");
}

/// Topic specs from JSON text; `source_name` (e.g. a file name) starts every error message.
/// Also rejects a key given twice in one object, and names nlohmann's position for text that
/// is not JSON.
[[nodiscard]] inline std::vector<topic_spec> read_topic_specs(std::istream& in,
                                                              std::string_view source_name = "") {
    const std::string source(source_name);
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(in, detail::duplicate_key_check(source));
    } catch (const nlohmann::json::parse_error& e) {
        throw topic_spec_error(
            kflow::topic_spec_problem{source, std::nullopt, "", "", detail::parse_error_text(e)});
    } catch (const nlohmann::json::exception& e) {
        // The parser reports some text as other errors: a number too large for a double
        // (1e400) is out_of_range.
        throw topic_spec_error(kflow::topic_spec_problem{source, std::nullopt, "", "", e.what()});
    }
    return detail::topic_specs_from_json(document, source);
}

/// Topic specs from a JSON file; every error message starts with the file's path as given.
[[nodiscard]] inline std::vector<topic_spec> load_topic_specs(const std::filesystem::path& file) {
    const std::string source = file.string();
    const auto fail = [&source](std::string reason, std::error_code ec) {
        throw topic_spec_error(
            kflow::topic_spec_problem{source, std::nullopt, "", "", std::move(reason)}, ec);
    };
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (ec)
        fail("cannot read the spec file", ec);
    if (std::filesystem::is_directory(status))
        fail("is a directory, not a spec file", std::make_error_code(std::errc::is_a_directory));
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        fail("cannot open the spec file",
             std::error_code(errno != 0 ? errno : EIO, std::generic_category()));
    }
    return read_topic_specs(in, source);
}

/// nlohmann's hook: `json.get<kflow::topic_spec>()`. Throws topic_spec_error like
/// parse_topic_specs.
inline void from_json(const nlohmann::json& json, topic_spec& spec) {
    spec = detail::topic_spec_from_json(json, {});
}

/// nlohmann's hook: writes the fields that are set (counts of -1 and empty lists are left out),
/// so parse_topic_specs reads back an equal spec.
inline void to_json(nlohmann::json& json, const topic_spec& spec) {
    json = nlohmann::json::object();
    json["name"] = spec.name;
    if (spec.partitions != -1)
        json["partitions"] = spec.partitions;
    if (spec.replication_factor != -1)
        json["replication_factor"] = spec.replication_factor;
    if (!spec.replica_assignment.empty())
        json["replica_assignment"] = spec.replica_assignment;
    if (!spec.configs.empty())
        json["configs"] = spec.configs;
}

}  // namespace kflow
