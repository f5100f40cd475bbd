#pragma once
// Configs of topics, brokers and groups as describe_configs reports them, and the changes
// alter_configs / incremental_alter_configs apply. Sensitive values are never printed.

#include <kflow/config.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <system_error>
#include <vector>

namespace kflow {

/// What a config or an ACL applies to. The values are Kafka's (and librdkafka's).
enum class resource_type : int {
    unknown = 0,
    any = 1,  ///< only in ACL filters: matches every type
    topic = 2,
    group = 3,
    broker = 4,
};

[[nodiscard]] constexpr std::string_view to_string(resource_type t) noexcept {
    switch (t) {
        case resource_type::unknown:
            return "unknown";
        case resource_type::any:
            return "any";
        case resource_type::topic:
            return "topic";
        case resource_type::group:
            return "group";
        case resource_type::broker:
            return "broker";
    }
    return "unknown";
}

/// A thing that has configs: a topic by name, a broker by id.
struct config_resource {
    config_resource() = default;
    config_resource(resource_type resource, std::string resource_name)
        : type(resource), name(std::move(resource_name)) {}

    static config_resource topic(std::string name) {
        return {resource_type::topic, std::move(name)};
    }
    static config_resource broker(std::int32_t id) {
        return {resource_type::broker, std::to_string(id)};
    }

    resource_type type = resource_type::unknown;
    std::string name;

    friend bool operator==(const config_resource&, const config_resource&) = default;
};

/// Where a config value comes from (Kafka's DescribeConfigs source).
enum class config_source : int {
    unknown = 0,
    dynamic_topic = 1,           ///< set on this topic
    dynamic_broker = 2,          ///< set dynamically on this broker
    dynamic_default_broker = 3,  ///< set dynamically as the cluster-wide broker default
    static_broker = 4,           ///< server.properties
    default_config = 5,          ///< Kafka's built-in default
};

[[nodiscard]] constexpr std::string_view to_string(config_source s) noexcept {
    switch (s) {
        case config_source::unknown:
            return "unknown";
        case config_source::dynamic_topic:
            return "dynamic_topic";
        case config_source::dynamic_broker:
            return "dynamic_broker";
        case config_source::dynamic_default_broker:
            return "dynamic_default_broker";
        case config_source::static_broker:
            return "static_broker";
        case config_source::default_config:
            return "default";
    }
    return "unknown";
}

struct config_entry {
    std::string name;
    std::optional<std::string> value;  ///< brokers send no value for sensitive configs
    config_source source = config_source::unknown;
    bool read_only = false;
    bool is_default = false;
    bool sensitive = false;
    bool synonym = false;
    std::vector<config_entry> synonyms;  ///< lower-precedence sources of the same config

    /// The value for printing: "[redacted]" when sensitive (whatever the broker sent),
    /// "(null)" when the broker sent none.
    [[nodiscard]] std::string display_value() const {
        if (sensitive || is_secret_property(name))
            return std::string(redacted);
        return value ? *value : std::string("(null)");
    }

    /// "name=value (source, read-only, default)", with sensitive values redacted.
    friend std::ostream& operator<<(std::ostream& os, const config_entry& e) {
        os << e.name << '=' << e.display_value() << " (" << to_string(e.source);
        if (e.read_only)
            os << ", read-only";
        if (e.is_default)
            os << ", default";
        if (e.sensitive)
            os << ", sensitive";
        return os << ')';
    }
};

/// describe_configs' answer for one resource.
struct resource_configs {
    config_resource resource;
    std::error_code error;
    std::string message;
    std::vector<config_entry> entries;

    [[nodiscard]] bool ok() const noexcept { return !error; }
    [[nodiscard]] std::string item_name() const {
        return std::string(to_string(resource.type)) + " '" + resource.name + "'";
    }
    /// The entry named `config_name`, or nullptr.
    [[nodiscard]] const config_entry* find(std::string_view config_name) const noexcept {
        for (const auto& e : entries) {
            if (e.name == config_name)
                return &e;
        }
        return nullptr;
    }
};

/// alter_configs: the complete set of dynamic configs a resource should have. Kafka's legacy
/// AlterConfigs replaces every dynamic config of the resource: configs left out return to their
/// defaults. Prefer incremental_alter_configs where the librdkafka in use has it.
struct config_alteration {
    config_alteration() = default;
    config_alteration(config_resource target, std::map<std::string, std::string> values)
        : resource(std::move(target)), configs(std::move(values)) {}

    config_resource resource;
    std::map<std::string, std::string> configs;
};

/// One change of incremental_alter_configs (KIP-339). The values are Kafka's.
enum class config_op : int {
    set = 0,
    remove = 1,  ///< back to the default ("DELETE")
    append = 2,  ///< add to a list config
    subtract = 3,
};

struct config_change {
    config_change() = default;
    config_change(std::string config_name, config_op operation, std::string new_value = {})
        : name(std::move(config_name)), op(operation), value(std::move(new_value)) {}

    std::string name;
    config_op op = config_op::set;
    std::string value;  ///< unused by config_op::remove
};

struct incremental_config_alteration {
    incremental_config_alteration() = default;
    incremental_config_alteration(config_resource target, std::vector<config_change> edits)
        : resource(std::move(target)), changes(std::move(edits)) {}

    config_resource resource;
    std::vector<config_change> changes;
};

/// alter_configs' / incremental_alter_configs' answer for one resource.
struct config_result {
    config_resource resource;
    std::error_code error;
    std::string message;

    [[nodiscard]] bool ok() const noexcept { return !error; }
    [[nodiscard]] std::string item_name() const {
        return std::string(to_string(resource.type)) + " '" + resource.name + "'";
    }
};

}  // namespace kflow
