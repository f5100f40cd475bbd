#pragma once
// A declarative description of ACLs: the bindings an application's principals should have, as
// ensure_acls makes them so. One entry names a principal, a resource and several operations; it
// stands for one acl_binding per operation.
//
//   kflow::acl_spec spec{{kflow::acl_entry("User:app", kflow::resource_type::topic, "orders",
//                                          {kflow::acl_operation::read,
//                                           kflow::acl_operation::describe})}};
//   spec.bindings();  // ALLOW User:app@* READ topic LITERAL 'orders', and DESCRIBE

#include <kflow/admin/acls.hpp>
#include <kflow/admin/configs.hpp>  // resource_type

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kflow {

/// Kafka's resource name of the cluster resource: the only name an ACL on the cluster
/// (resource_type::broker, Kafka's CLUSTER) can have.
inline constexpr std::string_view acl_cluster_resource_name = "kafka-cluster";

/// Some operations for one principal on one resource, all allowed or all denied.
struct acl_entry {
    /// No principal, resource or operations: set them before use.
    acl_entry() = default;
    /// `acl_entry("User:app", resource_type::topic, "orders", {acl_operation::read})`: allowed
    /// from any host, the name matched literally, unless the later arguments say otherwise.
    acl_entry(std::string who, resource_type resource, std::string name,
              std::vector<acl_operation> ops, acl_permission perm = acl_permission::allow,
              acl_pattern_type pattern_type = acl_pattern_type::literal,
              std::string from_host = "*")
        : principal(std::move(who)),
          host(std::move(from_host)),
          type(resource),
          resource_name(std::move(name)),
          pattern(pattern_type),
          operations(std::move(ops)),
          permission(perm) {}

    std::string principal;   ///< e.g. "User:app"; Kafka's "Type:name" form
    std::string host = "*";  ///< the client's IP address, or "*" for any host
    /// topic, group, or broker (Kafka's CLUSTER resource, named "kafka-cluster").
    resource_type type = resource_type::topic;
    /// The topic or group name ("*" with literal: every one), or a prefix with prefixed.
    std::string resource_name;
    acl_pattern_type pattern = acl_pattern_type::literal;  ///< literal or prefixed
    std::vector<acl_operation> operations;                 ///< at least one; each once
    acl_permission permission = acl_permission::allow;     ///< allow or deny

    /// One binding per operation, in the order of operations.
    [[nodiscard]] std::vector<acl_binding> bindings() const {
        std::vector<acl_binding> out;
        out.reserve(operations.size());
        for (const auto op : operations)
            out.emplace_back(type, resource_name, pattern, principal, host, op, permission);
        return out;
    }

    /// Equal when every field is (operations in the same order).
    friend bool operator==(const acl_entry&, const acl_entry&) = default;
};

/// The ACL bindings an application wants: what ensure_acls creates, and, asked to prune,
/// the whole set of bindings of the principals it names.
struct acl_spec {
    std::vector<acl_entry> acls;  ///< the entries, in the order they were declared

    /// Every entry's bindings, in entry order, then operation order. check_acl_spec() rejects
    /// a spec in which one binding appears twice.
    [[nodiscard]] std::vector<acl_binding> bindings() const {
        std::vector<acl_binding> out;
        for (const auto& entry : acls) {
            for (auto& b : entry.bindings())
                out.push_back(std::move(b));
        }
        return out;
    }

    /// The principals the entries name, sorted, each once: the principals whose other bindings
    /// ensure_acls deletes when asked to prune.
    [[nodiscard]] std::vector<std::string> principals() const {
        std::vector<std::string> out;
        for (const auto& entry : acls)
            out.push_back(entry.principal);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }

    /// Equal when the entries are, in the same order.
    friend bool operator==(const acl_spec&, const acl_spec&) = default;
};

/// The name an ACL spec gives a resource type: "topic", "group", "cluster" (for
/// resource_type::broker, Kafka's CLUSTER resource); "" for the others, which a spec cannot use.
[[nodiscard]] constexpr std::string_view acl_spec_name(resource_type t) noexcept {
    switch (t) {
        case resource_type::topic:
            return "topic";
        case resource_type::group:
            return "group";
        case resource_type::broker:
            return "cluster";
        case resource_type::unknown:
        case resource_type::any:
            break;
    }
    return "";
}

/// The name an ACL spec gives a pattern type: "literal" or "prefixed"; "" for the others.
[[nodiscard]] constexpr std::string_view acl_spec_name(acl_pattern_type p) noexcept {
    switch (p) {
        case acl_pattern_type::literal:
            return "literal";
        case acl_pattern_type::prefixed:
            return "prefixed";
        case acl_pattern_type::unknown:
        case acl_pattern_type::any:
        case acl_pattern_type::match:
            break;
    }
    return "";
}

/// The name an ACL spec gives an operation: Kafka's name in lower case ("read", "delete" for
/// acl_operation::remove, "idempotent_write", "all"); "" for unknown and any.
[[nodiscard]] constexpr std::string_view acl_spec_name(acl_operation o) noexcept {
    switch (o) {
        case acl_operation::all:
            return "all";
        case acl_operation::read:
            return "read";
        case acl_operation::write:
            return "write";
        case acl_operation::create:
            return "create";
        case acl_operation::remove:
            return "delete";
        case acl_operation::alter:
            return "alter";
        case acl_operation::describe:
            return "describe";
        case acl_operation::cluster_action:
            return "cluster_action";
        case acl_operation::describe_configs:
            return "describe_configs";
        case acl_operation::alter_configs:
            return "alter_configs";
        case acl_operation::idempotent_write:
            return "idempotent_write";
        case acl_operation::unknown:
        case acl_operation::any:
            break;
    }
    return "";
}

/// The name an ACL spec gives a permission: "allow" or "deny"; "" for the others.
[[nodiscard]] constexpr std::string_view acl_spec_name(acl_permission p) noexcept {
    switch (p) {
        case acl_permission::allow:
            return "allow";
        case acl_permission::deny:
            return "deny";
        case acl_permission::unknown:
        case acl_permission::any:
            break;
    }
    return "";
}

}  // namespace kflow
