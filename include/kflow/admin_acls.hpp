#pragma once
// Access control lists: bindings to create, filters to describe and delete them, and the
// per-item results. The enum values are Kafka's (and librdkafka's).

#include <kflow/admin_configs.hpp>  // resource_type

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace kflow {

enum class acl_pattern_type : int {
    unknown = 0,
    any = 1,    ///< filters only: literal or prefixed
    match = 2,  ///< filters only: every binding that would apply to the name
    literal = 3,
    prefixed = 4,
};

enum class acl_operation : int {
    unknown = 0,
    any = 1,  ///< filters only
    all = 2,
    read = 3,
    write = 4,
    create = 5,
    remove = 6,  ///< Kafka's DELETE
    alter = 7,
    describe = 8,
    cluster_action = 9,
    describe_configs = 10,
    alter_configs = 11,
    idempotent_write = 12,
};

enum class acl_permission : int {
    unknown = 0,
    any = 1,  ///< filters only
    deny = 2,
    allow = 3,
};

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
struct acl_binding {
    acl_binding() = default;
    acl_binding(resource_type resource, std::string name, acl_pattern_type pattern_type,
                std::string who, std::string from_host, acl_operation op, acl_permission perm)
        : type(resource),
          resource_name(std::move(name)),
          pattern(pattern_type),
          principal(std::move(who)),
          host(std::move(from_host)),
          operation(op),
          permission(perm) {}

    resource_type type = resource_type::topic;
    std::string resource_name;
    acl_pattern_type pattern = acl_pattern_type::literal;
    std::string principal;  ///< e.g. "User:alice"
    std::string host = "*";
    acl_operation operation = acl_operation::read;
    acl_permission permission = acl_permission::allow;

    friend bool operator==(const acl_binding&, const acl_binding&) = default;
    friend std::ostream& operator<<(std::ostream& os, const acl_binding& b) {
        return os << to_string(b.permission) << ' ' << b.principal << '@' << b.host << ' '
                  << to_string(b.operation) << ' ' << to_string(b.type) << ' '
                  << to_string(b.pattern) << " '" << b.resource_name << "'";
    }
};

/// Selects ACLs to describe or delete; an unset field (nullopt or `any`) matches everything.
struct acl_filter {
    acl_filter() = default;
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

    resource_type type = resource_type::any;
    std::optional<std::string> resource_name;
    acl_pattern_type pattern = acl_pattern_type::any;
    std::optional<std::string> principal;
    std::optional<std::string> host;
    acl_operation operation = acl_operation::any;
    acl_permission permission = acl_permission::any;

    friend bool operator==(const acl_filter&, const acl_filter&) = default;
};

/// create_acls' answer for one binding.
struct acl_result {
    acl_binding binding;
    std::error_code error;
    std::string message;

    [[nodiscard]] bool ok() const noexcept { return !error; }
    [[nodiscard]] std::string item_name() const {
        return "ACL " + std::string(to_string(binding.permission)) + " " + binding.principal + " " +
               std::string(to_string(binding.operation)) + " on " +
               std::string(to_string(binding.type)) + " '" + binding.resource_name + "'";
    }
};

/// delete_acls' answer for one filter: the bindings it deleted.
struct acl_deletion {
    acl_filter filter;
    std::error_code error;
    std::string message;
    std::vector<acl_binding> deleted;

    [[nodiscard]] bool ok() const noexcept { return !error; }
    [[nodiscard]] std::string item_name() const {
        return "ACL filter on " + std::string(to_string(filter.type)) + " '" +
               filter.resource_name.value_or("*") + "'";
    }
};

}  // namespace kflow
