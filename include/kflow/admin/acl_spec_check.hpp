#pragma once
// The rules an acl_spec must follow before any broker sees it: Kafka's principal form, a
// resource and pattern Kafka can bind, operations that apply to the resource type, and no
// binding declared twice. Checked for specs read from JSON and for specs built in code alike, so
// a mistake is reported with the entry and field it is in rather than as a broker's terse
// INVALID_REQUEST, or, worse, as an ACL that never matches anything.
//
// Fields are named as in the JSON format (resource_type, pattern_type, operations[i]).

#include <kflow/admin/acl_spec.hpp>
#include <kflow/admin/acl_spec_error.hpp>
#include <kflow/admin/acls.hpp>
#include <kflow/admin/topic_spec_check.hpp>  // topic_name_problem

#include <algorithm>
#include <cstddef>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kflow {

/// The operations Kafka's authorizer checks on a resource type (with `all`), in Kafka's
/// documentation order; empty for a type an ACL spec cannot use. An ACL for another operation
/// would be accepted by the broker and never match a request.
[[nodiscard]] inline std::vector<acl_operation> acl_operations_for(resource_type type) {
    using op = acl_operation;
    switch (type) {
        case resource_type::topic:
            return {op::read,  op::write,    op::create,           op::remove,
                    op::alter, op::describe, op::describe_configs, op::alter_configs,
                    op::all};
        case resource_type::group:
            return {op::read, op::describe, op::remove, op::all};
        case resource_type::broker:
            return {
                op::create,           op::cluster_action, op::describe_configs, op::alter_configs,
                op::idempotent_write, op::alter,          op::describe,         op::all};
        case resource_type::unknown:
        case resource_type::any:
            break;
    }
    return {};
}

/// Why `principal` is not in Kafka's "Type:name" form (e.g. "User:alice", "User:*"), or
/// std::nullopt when it is.
[[nodiscard]] inline std::optional<std::string> acl_principal_problem(std::string_view principal) {
    const auto colon = principal.find(':');
    if (principal.empty())
        return "must not be empty";
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == principal.size()) {
        return "expected \"Type:name\", e.g. \"User:alice\", got \"" + std::string(principal) +
               "\"";
    }
    return std::nullopt;
}

/// The first rule `entry` breaks, with the field it is in (index left unset), or std::nullopt
/// when Kafka could bind it.
[[nodiscard]] inline std::optional<acl_spec_problem> check_acl_entry(const acl_entry& entry) {
    const auto problem = [](std::string field, std::string reason) {
        return std::optional<acl_spec_problem>(
            acl_spec_problem{"", std::nullopt, std::move(field), std::move(reason)});
    };
    if (auto reason = acl_principal_problem(entry.principal))
        return problem("principal", *reason);
    if (entry.host.empty())
        return problem("host", "must not be empty (\"*\" is every host)");
    if (acl_spec_name(entry.type).empty()) {
        return problem("resource_type", "must be topic, group or cluster, got " +
                                            std::string(to_string(entry.type)));
    }
    if (entry.resource_name.empty())
        return problem("resource_name", "must not be empty (\"*\" with literal is every one)");
    if (entry.type == resource_type::broker && entry.resource_name != acl_cluster_resource_name) {
        return problem("resource_name", "the cluster resource is named \"" +
                                            std::string(acl_cluster_resource_name) + "\", got \"" +
                                            entry.resource_name + "\"");
    }
    if (entry.type == resource_type::topic && entry.pattern == acl_pattern_type::literal &&
        entry.resource_name != "*") {
        if (auto reason = topic_name_problem(entry.resource_name))
            return problem("resource_name", "not a legal topic name: " + *reason);
    }
    if (acl_spec_name(entry.pattern).empty()) {
        return problem("pattern_type",
                       "must be literal or prefixed, got " + std::string(to_string(entry.pattern)));
    }
    if (entry.type == resource_type::broker && entry.pattern != acl_pattern_type::literal)
        return problem("pattern_type", "must be literal for the cluster resource");
    if (entry.operations.empty())
        return problem("operations", "must list at least one operation");
    const auto applicable = acl_operations_for(entry.type);
    for (std::size_t i = 0; i < entry.operations.size(); ++i) {
        const auto op = entry.operations[i];
        const std::string field = "operations[" + std::to_string(i) + "]";
        if (acl_spec_name(op).empty())
            return problem(field,
                           "must be a concrete operation, got " + std::string(to_string(op)));
        if (std::find(applicable.begin(), applicable.end(), op) == applicable.end()) {
            std::string names;
            for (const auto a : applicable)
                names += (names.empty() ? "" : ", ") + std::string(acl_spec_name(a));
            return problem(field, "\"" + std::string(acl_spec_name(op)) +
                                      "\" does not apply to a " +
                                      std::string(acl_spec_name(entry.type)) +
                                      " (Kafka never checks it there); a " +
                                      std::string(acl_spec_name(entry.type)) + " takes " + names);
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (entry.operations[j] == op) {
                return problem(field, "\"" + std::string(acl_spec_name(op)) +
                                          "\" is listed twice (also operations[" +
                                          std::to_string(j) + "])");
            }
        }
    }
    if (acl_spec_name(entry.permission).empty()) {
        return problem("permission",
                       "must be allow or deny, got " + std::string(to_string(entry.permission)));
    }
    return std::nullopt;
}

/// The first rule `spec` breaks, with the entry's index and the field, or std::nullopt when
/// Kafka could bind every entry. Besides each entry's rules: one binding declared by two entries
/// is refused (a deny and an allow of the same operation are two bindings, and may both be
/// declared: deny wins in Kafka).
[[nodiscard]] inline std::optional<acl_spec_problem> check_acl_spec(const acl_spec& spec) {
    // Every binding declared so far, with the entry that declared it. Specs are small (tens of
    // bindings): a linear search keeps acl_binding free of an ordering of its own.
    std::vector<std::pair<acl_binding, std::size_t>> declared;
    for (std::size_t i = 0; i < spec.acls.size(); ++i) {
        if (auto problem = check_acl_entry(spec.acls[i])) {
            problem->index = i;
            return problem;
        }
        const auto bindings = spec.acls[i].bindings();
        for (std::size_t k = 0; k < bindings.size(); ++k) {
            const auto earlier = std::find_if(declared.begin(), declared.end(), [&](const auto& d) {
                return d.first == bindings[k];
            });
            if (earlier != declared.end()) {
                std::ostringstream text;
                text << "declares " << bindings[k] << ", as acls[" << earlier->second
                     << "] does; each binding may be declared once";
                return acl_spec_problem{"", i, "operations[" + std::to_string(k) + "]", text.str()};
            }
        }
        for (const auto& b : bindings)
            declared.emplace_back(b, i);
    }
    return std::nullopt;
}

/// Throws acl_spec_error (errc::invalid_config) naming the entry and field when check_acl_spec
/// finds a problem.
inline void validate_acl_spec(const acl_spec& spec) {
    if (auto problem = check_acl_spec(spec))
        throw acl_spec_error(std::move(*problem));
}

}  // namespace kflow
