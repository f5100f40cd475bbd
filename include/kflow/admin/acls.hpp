#pragma once
// Access control lists: bindings to create, filters to describe and delete them, and the
// per-item results. The enum values are Kafka's (and librdkafka's).

#include <kflow/admin/configs.hpp>  // resource_type

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace kflow {

/// How an ACL's resource name is matched against resource names (Kafka's PatternType).
enum class acl_pattern_type : int {
    unknown = 0,   ///< a type kflow does not know, as reported by a newer broker
    any = 1,       ///< filters only: literal or prefixed
    match = 2,     ///< filters only: every binding that would apply to the name
    literal = 3,   ///< the exact name, or every resource of the type when the name is "*"
    prefixed = 4,  ///< every resource whose name starts with the binding's name
};

/// The operation an ACL allows or denies (Kafka's AclOperation). Which operations apply to which
/// resource type is Kafka's (see its authorization documentation).
enum class acl_operation : int {
    unknown = 0,            ///< an operation kflow does not know, as reported by a newer broker
    any = 1,                ///< filters only
    all = 2,                ///< every operation on the resource
    read = 3,               ///< consume from a topic, join a group, fetch offsets
    write = 4,              ///< produce to a topic, or transactional writes
    create = 5,             ///< create topics (on a topic, or on the cluster for any topic)
    remove = 6,             ///< Kafka's DELETE: delete topics, groups or records
    alter = 7,              ///< e.g. create partitions, alter ACLs (on the cluster)
    describe = 8,           ///< read metadata, offsets, groups, ACLs
    cluster_action = 9,     ///< inter-broker operations (replication, controlled shutdown)
    describe_configs = 10,  ///< describe_configs
    alter_configs = 11,     ///< alter_configs and incremental_alter_configs
    idempotent_write = 12,  ///< idempotent produce (a cluster operation)
};

/// Whether an ACL grants or refuses its operation. A matching DENY wins over any ALLOW.
enum class acl_permission : int {
    unknown = 0,  ///< a permission kflow does not know, as reported by a newer broker
    any = 1,      ///< filters only
    deny = 2,     ///< refuse the operation
    allow = 3,    ///< grant the operation
};

/// Kafka's name of the pattern type ("LITERAL", "PREFIXED", ...); "UNKNOWN" for other values.
[[nodiscard]] constexpr std::string_view to_string(acl_pattern_type p) noexcept {
    switch (p) {
        case acl_pattern_type::unknown:
            return "UNKNOWN";
        case acl_pattern_type::any:
            return "ANY";
        case acl_pattern_type::match:
            return "MATCH";
        case acl_pattern_type::literal:
            return "LITERAL";
        case acl_pattern_type::prefixed:
            return "PREFIXED";
    }
    return "UNKNOWN";
}

/// Kafka's name of the operation ("READ", "DELETE" for acl_operation::remove, ...); "UNKNOWN"
/// for other values.
[[nodiscard]] constexpr std::string_view to_string(acl_operation o) noexcept {
    switch (o) {
        case acl_operation::unknown:
            return "UNKNOWN";
        case acl_operation::any:
            return "ANY";
        case acl_operation::all:
            return "ALL";
        case acl_operation::read:
            return "READ";
        case acl_operation::write:
            return "WRITE";
        case acl_operation::create:
            return "CREATE";
        case acl_operation::remove:
            return "DELETE";
        case acl_operation::alter:
            return "ALTER";
        case acl_operation::describe:
            return "DESCRIBE";
        case acl_operation::cluster_action:
            return "CLUSTER_ACTION";
        case acl_operation::describe_configs:
            return "DESCRIBE_CONFIGS";
        case acl_operation::alter_configs:
            return "ALTER_CONFIGS";
        case acl_operation::idempotent_write:
            return "IDEMPOTENT_WRITE";
    }
    return "UNKNOWN";
}

/// "ALLOW", "DENY" or "ANY"; "UNKNOWN" for other values.
[[nodiscard]] constexpr std::string_view to_string(acl_permission p) noexcept {
    switch (p) {
        case acl_permission::unknown:
            return "UNKNOWN";
        case acl_permission::any:
            return "ANY";
        case acl_permission::deny:
            return "DENY";
        case acl_permission::allow:
            return "ALLOW";
    }
    return "UNKNOWN";
}

/// One ACL: `principal` from `host` may (or may not) do `operation` on the resources named by
/// `resource_name` and `pattern`.
///
/// What create_acls takes and describe_acls returns. create_acls checks it before sending: an
/// empty principal or host, or a field librdkafka rejects (`any`, `match` or `unknown` values),
/// fails the call with RD_KAFKA_RESP_ERR__INVALID_ARG.
struct acl_binding {
    /// ALLOW READ on a literal topic from any host; resource_name and principal are empty and
    /// must be set before create_acls.
    acl_binding() = default;
    /// `acl_binding(resource_type::topic, "orders", acl_pattern_type::literal, "User:alice", "*",
    /// acl_operation::read, acl_permission::allow)`.
    acl_binding(resource_type resource, std::string name, acl_pattern_type pattern_type,
                std::string who, std::string from_host, acl_operation op, acl_permission perm)
        : type(resource),
          resource_name(std::move(name)),
          pattern(pattern_type),
          principal(std::move(who)),
          host(std::move(from_host)),
          operation(op),
          permission(perm) {}

    /// The kind of resource: topic, group, or broker (Kafka's CLUSTER resource, named
    /// "kafka-cluster").
    resource_type type = resource_type::topic;
    /// The topic or group name; with pattern literal, "*" means every resource of the type; with
    /// prefixed, the name prefix.
    std::string resource_name;
    acl_pattern_type pattern = acl_pattern_type::literal;  ///< literal or prefixed
    std::string principal;   ///< e.g. "User:alice"; "User:*" is every user
    std::string host = "*";  ///< the client's IP address, or "*" for any host
    acl_operation operation = acl_operation::read;      ///< what is allowed or denied
    acl_permission permission = acl_permission::allow;  ///< allow or deny

    /// Equal when every field is.
    friend bool operator==(const acl_binding&, const acl_binding&) = default;
    /// Writes e.g. `ALLOW User:alice@* READ topic LITERAL 'orders'`.
    friend std::ostream& operator<<(std::ostream& os, const acl_binding& b) {
        return os << to_string(b.permission) << ' ' << b.principal << '@' << b.host << ' '
                  << to_string(b.operation) << ' ' << to_string(b.type) << ' '
                  << to_string(b.pattern) << " '" << b.resource_name << "'";
    }
};

/// Selects ACLs to describe or delete; an unset field (nullopt or `any`) matches everything.
///
/// A filter with `unknown` in a field fails describe_acls / delete_acls with
/// RD_KAFKA_RESP_ERR__INVALID_ARG. Note that a default filter matches every ACL of the
/// cluster: delete_acls({acl_filter()}) deletes them all.
struct acl_filter {
    /// Matches every ACL.
    acl_filter() = default;
    /// A filter from its fields; pass std::nullopt or `any` for what should not be filtered on.
    acl_filter(resource_type resource, std::optional<std::string> name,
               acl_pattern_type pattern_type, std::optional<std::string> who,
               std::optional<std::string> from_host, acl_operation op, acl_permission perm)
        : type(resource),
          resource_name(std::move(name)),
          pattern(pattern_type),
          principal(std::move(who)),
          host(std::move(from_host)),
          operation(op),
          permission(perm) {}

    /// Matches exactly this binding.
    static acl_filter exactly(const acl_binding& b) {
        return {b.type, b.resource_name, b.pattern, b.principal, b.host, b.operation, b.permission};
    }

    resource_type type = resource_type::any;  ///< `any`: every resource type
    /// The resource name bindings must have (compared as written, "*" only matches "*"; with
    /// pattern `match`, every binding that applies to this name); nullopt: any name.
    std::optional<std::string> resource_name;
    /// `any`: literal and prefixed; `match`: see acl_pattern_type::match.
    acl_pattern_type pattern = acl_pattern_type::any;
    std::optional<std::string> principal;             ///< e.g. "User:alice"; nullopt: any principal
    std::optional<std::string> host;                  ///< nullopt: any host
    acl_operation operation = acl_operation::any;     ///< `any`: every operation
    acl_permission permission = acl_permission::any;  ///< `any`: allow and deny

    /// Equal when every field is.
    friend bool operator==(const acl_filter&, const acl_filter&) = default;
};

/// create_acls' answer for one binding.
struct acl_result {
    acl_binding binding;  ///< the binding as it was asked for
    /// Empty when the broker created it; else e.g. SECURITY_DISABLED (no authorizer),
    /// CLUSTER_AUTHORIZATION_FAILED, INVALID_REQUEST.
    std::error_code error;
    std::string message;  ///< the broker's explanation when error is set

    /// True when the broker created the binding.
    [[nodiscard]] bool ok() const noexcept { return !error; }
    /// The binding for reports, e.g. `ACL ALLOW User:alice READ on topic 'orders'`.
    [[nodiscard]] std::string item_name() const {
        return "ACL " + std::string(to_string(binding.permission)) + " " + binding.principal + " " +
               std::string(to_string(binding.operation)) + " on " +
               std::string(to_string(binding.type)) + " '" + binding.resource_name + "'";
    }
};

/// delete_acls' answer for one filter: the bindings it deleted.
struct acl_deletion {
    acl_filter filter;  ///< the filter as it was asked for
    /// Empty when the broker applied the filter (even if it matched nothing); else e.g.
    /// SECURITY_DISABLED or CLUSTER_AUTHORIZATION_FAILED.
    std::error_code error;
    std::string message;  ///< the broker's explanation when error is set
    /// The bindings the filter matched and the broker deleted; empty when none matched.
    std::vector<acl_binding> deleted;

    /// True when the broker applied the filter.
    [[nodiscard]] bool ok() const noexcept { return !error; }
    /// The filter for reports, e.g. `ACL filter on topic 'orders'` ('*' when any name).
    [[nodiscard]] std::string item_name() const {
        return "ACL filter on " + std::string(to_string(filter.type)) + " '" +
               filter.resource_name.value_or("*") + "'";
    }
};

}  // namespace kflow
