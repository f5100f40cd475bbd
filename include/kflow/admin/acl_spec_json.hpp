#pragma once
// ACL specs as JSON, for declaring an application's ACLs in a file:
//
//     {"acls": [
//       {"principal": "User:app", "host": "*", "resource_type": "topic",
//        "resource_name": "orders", "pattern_type": "literal",
//        "operations": ["read", "describe"], "permission": "allow"},
//       {"principal": "User:app", "resource_type": "group", "resource_name": "billing-",
//        "pattern_type": "prefixed", "operations": ["read"], "permission": "allow"}
//     ]}
//
// The document is an object with one field, "acls", an array of entries. An entry takes exactly
// these fields: principal, resource_type, resource_name, operations and permission (required),
// host (default "*") and pattern_type (default "literal"). Names are lower case: resource types
// topic, group, cluster; pattern types literal, prefixed; operations as Kafka names them (read,
// write, create, delete, alter, describe, cluster_action, describe_configs, alter_configs,
// idempotent_write, all); permissions allow, deny. Anything else is an error, never ignored: a
// misspelt field or name would otherwise grant or deny something else than meant. So is a key
// given twice in one object, when the spec is read from text. Errors are acl_spec_error, naming
// the file, the entry and the field.

#include <kflow/admin/acl_spec.hpp>
#include <kflow/admin/acl_spec_check.hpp>
#include <kflow/admin/acl_spec_error.hpp>
#include <kflow/admin/topic_spec_error.hpp>
#include <kflow/admin/topic_spec_json.hpp>  // the JSON helpers both spec formats share

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace kflow {

namespace detail {

/// The fields an ACL entry takes in JSON, in the order to_json writes them.
inline constexpr std::array<std::string_view, 7> acl_entry_json_fields = {
    "principal",    "host",       "resource_type", "resource_name",
    "pattern_type", "operations", "permission"};

/// Where in a document an entry is being read, for error messages.
struct acl_spec_json_context {
    std::string source;
    std::optional<std::size_t> index;

    [[noreturn]] void fail(std::string field, std::string reason) const {
        throw acl_spec_error(
            kflow::acl_spec_problem{source, index, std::move(field), std::move(reason)});
    }
};

/// `word` among `known`, a likely typo of one of them (within two edits), or nothing.
[[nodiscard]] inline std::string_view closest_name(std::string_view word,
                                                   const std::vector<std::string_view>& known) {
    std::string_view closest;
    std::size_t best = 3;  // a typo, not a different word
    for (const auto k : known) {
        if (const auto d = edit_distance(word, k); d < best) {
            best = d;
            closest = k;
        }
    }
    return closest;
}

[[nodiscard]] inline std::string acl_unknown_field_reason(std::string_view field) {
    const std::vector<std::string_view> known(acl_entry_json_fields.begin(),
                                              acl_entry_json_fields.end());
    std::string reason = "unknown field";
    if (const auto closest = closest_name(field, known); !closest.empty())
        reason += " (did you mean \"" + std::string(closest) + "\"?)";
    reason +=
        "; an ACL entry takes principal, host, resource_type, resource_name, pattern_type, "
        "operations, permission";
    return reason;
}

/// The value whose spec name is `value`'s text; fails naming the field, the names it takes and
/// the one probably meant.
template <class Enum, std::size_t N>
[[nodiscard]] Enum acl_enum_from_json(const nlohmann::json& value, const std::string& field,
                                      std::string_view what, const std::array<Enum, N>& values,
                                      const acl_spec_json_context& where) {
    std::vector<std::string_view> names;
    std::string listed;
    for (const auto v : values) {
        names.push_back(acl_spec_name(v));
        listed += (listed.empty() ? "" : ", ") + std::string(acl_spec_name(v));
    }
    if (!value.is_string()) {
        where.fail(field, "expected " + std::string(what) + " (one of " + listed + "), got " +
                              shown_json(value));
    }
    const auto text = value.get<std::string>();
    for (const auto v : values) {
        if (acl_spec_name(v) == text)
            return v;
    }
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string reason = "unknown " + std::string(what) + " \"" + text + "\"";
    if (std::find(names.begin(), names.end(), lower) != names.end()) {
        reason += " (names are lower case: \"" + lower + "\")";
    } else if (const auto closest = closest_name(lower, names); !closest.empty()) {
        reason += " (did you mean \"" + std::string(closest) + "\"?)";
    } else if (lower == "broker") {
        reason += " (the brokers' ACLs are on the cluster resource: \"cluster\")";
    }
    where.fail(field, reason + "; one of " + listed);
}

inline constexpr std::array<resource_type, 3> acl_spec_resource_types = {
    resource_type::topic, resource_type::group, resource_type::broker};
inline constexpr std::array<acl_pattern_type, 2> acl_spec_pattern_types = {
    acl_pattern_type::literal, acl_pattern_type::prefixed};
inline constexpr std::array<acl_operation, 11> acl_spec_operations = {
    acl_operation::read,
    acl_operation::write,
    acl_operation::create,
    acl_operation::remove,
    acl_operation::alter,
    acl_operation::describe,
    acl_operation::cluster_action,
    acl_operation::describe_configs,
    acl_operation::alter_configs,
    acl_operation::idempotent_write,
    acl_operation::all};
inline constexpr std::array<acl_permission, 2> acl_spec_permissions = {acl_permission::allow,
                                                                       acl_permission::deny};

/// A required or optional string field; nullopt when optional and absent.
[[nodiscard]] inline std::optional<std::string> acl_string_field(
    const nlohmann::json& entry, std::string_view field, bool required,
    const acl_spec_json_context& where) {
    const auto it = entry.find(field);
    if (it == entry.end()) {
        if (required)
            where.fail(std::string(field), "is required");
        return std::nullopt;
    }
    if (!it->is_string())
        where.fail(std::string(field), "expected a string, got " + shown_json(*it));
    return it->get<std::string>();
}

/// One entry; `where` says where it is in its document.
[[nodiscard]] inline acl_entry acl_entry_from_json(const nlohmann::json& json,
                                                   const acl_spec_json_context& where) {
    if (!json.is_object()) {
        where.fail("",
                   "expected an ACL entry (an object with principal, resource_type, "
                   "resource_name, operations, permission), got " +
                       shown_json(json));
    }
    for (const auto& [key, value] : json.items()) {
        if (std::find(acl_entry_json_fields.begin(), acl_entry_json_fields.end(), key) ==
            acl_entry_json_fields.end())
            where.fail(key, acl_unknown_field_reason(key));
    }
    const auto required = [&](std::string_view field) -> const nlohmann::json& {
        const auto it = json.find(field);
        if (it == json.end())
            where.fail(std::string(field), "is required");
        return *it;
    };

    acl_entry entry;
    entry.principal = *acl_string_field(json, "principal", true, where);
    if (auto host = acl_string_field(json, "host", false, where))
        entry.host = std::move(*host);
    entry.type = acl_enum_from_json(required("resource_type"), "resource_type", "resource type",
                                    acl_spec_resource_types, where);
    entry.resource_name = *acl_string_field(json, "resource_name", true, where);
    if (const auto it = json.find("pattern_type"); it != json.end()) {
        entry.pattern =
            acl_enum_from_json(*it, "pattern_type", "pattern type", acl_spec_pattern_types, where);
    }
    const auto& operations = required("operations");
    if (!operations.is_array() || operations.empty()) {
        where.fail("operations", "expected a non-empty array of operations, e.g. [\"read\"], got " +
                                     shown_json(operations));
    }
    for (std::size_t i = 0; i < operations.size(); ++i) {
        entry.operations.push_back(acl_enum_from_json(operations[i],
                                                      "operations[" + std::to_string(i) + "]",
                                                      "operation", acl_spec_operations, where));
    }
    entry.permission = acl_enum_from_json(required("permission"), "permission", "permission",
                                          acl_spec_permissions, where);

    // The rules between fields (principal form, applicable operations...), shared with specs
    // built in code.
    if (auto problem = check_acl_entry(entry))
        where.fail(std::move(problem->field), std::move(problem->reason));
    return entry;
}

[[nodiscard]] inline acl_spec acl_spec_from_json(const nlohmann::json& document,
                                                 const std::string& source) {
    const acl_spec_json_context top{source, std::nullopt};
    if (!document.is_object())
        top.fail("", "expected {\"acls\": [...]}, got " + shown_json(document));
    for (const auto& [key, value] : document.items()) {
        if (key != "acls")
            top.fail(key, "unknown field; an ACL spec is {\"acls\": [...]}");
    }
    const auto acls = document.find("acls");
    if (acls == document.end())
        top.fail("acls", "is required: an ACL spec is {\"acls\": [...]}");
    if (!acls->is_array())
        top.fail("acls", "expected an array of ACL entries, got " + shown_json(*acls));

    acl_spec spec;
    for (std::size_t i = 0; i < acls->size(); ++i)
        spec.acls.push_back(acl_entry_from_json((*acls)[i], {source, i}));
    // What no single entry shows: a binding two entries declare.
    if (auto problem = check_acl_spec(spec)) {
        problem->source = source;
        throw acl_spec_error(std::move(*problem));
    }
    return spec;
}

}  // namespace detail

/// An ACL spec from a parsed JSON document, {"acls": [...]}. Throws acl_spec_error naming the
/// entry and the field for anything malformed, unknown, duplicated or that Kafka would refuse.
[[nodiscard]] inline acl_spec parse_acl_spec(const nlohmann::json& document) {
    return detail::acl_spec_from_json(document, "");
}

/// An ACL spec from JSON text; `source_name` (e.g. a file name) starts every error message. Also
/// rejects a key given twice in one object, and names nlohmann's position for text that is not
/// JSON.
[[nodiscard]] inline acl_spec read_acl_spec(std::istream& in, std::string_view source_name = "") {
    const std::string source(source_name);
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(in, detail::duplicate_key_check(source));
    } catch (const topic_spec_error& e) {
        // The duplicate-key check both formats share; its message names the JSON path.
        throw acl_spec_error(kflow::acl_spec_problem{source, std::nullopt, "", e.problem().reason});
    } catch (const nlohmann::json::parse_error& e) {
        throw acl_spec_error(
            kflow::acl_spec_problem{source, std::nullopt, "", detail::parse_error_text(e)});
    } catch (const nlohmann::json::exception& e) {
        // The parser reports some text as other errors: a number too large for a double
        // (1e400) is out_of_range.
        throw acl_spec_error(kflow::acl_spec_problem{source, std::nullopt, "", e.what()});
    }
    return detail::acl_spec_from_json(document, source);
}

/// An ACL spec from a JSON file; every error message starts with the file's path as given.
[[nodiscard]] inline acl_spec load_acl_spec(const std::filesystem::path& file) {
    const std::string source = file.string();
    const auto fail = [&source](std::string reason, std::error_code ec) {
        throw acl_spec_error(kflow::acl_spec_problem{source, std::nullopt, "", std::move(reason)},
                             ec);
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
    return read_acl_spec(in, source);
}

/// nlohmann's hook: `json.get<kflow::acl_entry>()`. Throws acl_spec_error like parse_acl_spec.
inline void from_json(const nlohmann::json& json, acl_entry& entry) {
    entry = detail::acl_entry_from_json(json, {});
}

/// nlohmann's hook: writes every field, host and pattern_type included, so parse_acl_spec reads
/// back an equal entry.
inline void to_json(nlohmann::json& json, const acl_entry& entry) {
    json = nlohmann::json::object();
    json["principal"] = entry.principal;
    json["host"] = entry.host;
    json["resource_type"] = acl_spec_name(entry.type);
    json["resource_name"] = entry.resource_name;
    json["pattern_type"] = acl_spec_name(entry.pattern);
    auto& operations = json["operations"] = nlohmann::json::array();
    for (const auto op : entry.operations)
        operations.push_back(acl_spec_name(op));
    json["permission"] = acl_spec_name(entry.permission);
}

/// nlohmann's hook: `json.get<kflow::acl_spec>()`. Throws acl_spec_error like parse_acl_spec.
inline void from_json(const nlohmann::json& json, acl_spec& spec) {
    spec = detail::acl_spec_from_json(json, "");
}

/// nlohmann's hook: {"acls": [...]}, which parse_acl_spec reads back as an equal spec.
inline void to_json(nlohmann::json& json, const acl_spec& spec) {
    json = nlohmann::json::object();
    auto& acls = json["acls"] = nlohmann::json::array();
    for (const auto& entry : spec.acls)
        acls.push_back(entry);
}

}  // namespace kflow
