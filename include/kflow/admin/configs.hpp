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
    /// Not reported, or not valid: a config request naming it fails before anything is sent.
    unknown = 0,
    any = 1,  ///< only in ACL filters: matches every type
    /// A topic; its resource name is the topic name.
    topic = 2,
    /// A consumer group; its resource name is the group id.
    group = 3,
    /// A broker; its resource name is its id in decimal ("" in a config request: the
    /// cluster-wide broker default).
    broker = 4,
};

/// "unknown", "any", "topic", "group" or "broker"; "unknown" for a value kflow does not know.
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

/// A thing that has configs: a topic by name, a broker by id (or a group by id, made with the
/// two-argument constructor). A config request fails as a whole with
/// RD_KAFKA_RESP_ERR__INVALID_ARG (a kafka_error, or `ec`), before anything is sent, when a
/// resource has type unknown or any, a topic or group has no name, a broker name is not all
/// digits, or a resource appears twice in one request.
struct config_resource {
    /// Type unknown, no name: assign a real resource before using it.
    config_resource() = default;
    /// A resource of any type; `resource_name` as resource_type describes for that type.
    config_resource(resource_type resource, std::string resource_name)
        : type(resource), name(std::move(resource_name)) {}

    /// The topic called `name`.
    static config_resource topic(std::string name) {
        return {resource_type::topic, std::move(name)};
    }
    /// The broker whose `node.id` / `broker.id` is `id`.
    static config_resource broker(std::int32_t id) {
        return {resource_type::broker, std::to_string(id)};
    }

    resource_type type = resource_type::unknown;  ///< what kind of thing `name` names
    std::string name;                             ///< topic name, group id, or broker id in decimal

    /// Same type and same name.
    friend bool operator==(const config_resource&, const config_resource&) = default;
};

/// Where a config value comes from (Kafka's DescribeConfigs source).
enum class config_source : int {
    unknown = 0,                 ///< not reported; a source kflow does not name keeps its number
    dynamic_topic = 1,           ///< set on this topic
    dynamic_broker = 2,          ///< set dynamically on this broker
    dynamic_default_broker = 3,  ///< set dynamically as the cluster-wide broker default
    static_broker = 4,           ///< server.properties
    default_config = 5,          ///< Kafka's built-in default
};

/// The enumerator's name ("dynamic_topic", ...), except "default" for default_config;
/// "unknown" for a value kflow does not know.
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

/// One config of a described resource: its value, where the value comes from, and whether it
/// may be changed. Print it (operator<<, display_value()) rather than `value`: that redacts
/// secrets.
struct config_entry {
    /// The config's name, e.g. "retention.ms".
    std::string name;
    std::optional<std::string> value;  ///< brokers send no value for sensitive configs
    /// Where `value` comes from.
    config_source source = config_source::unknown;
    bool read_only = false;   ///< cannot be changed by alter_configs / incremental_alter_configs
    bool is_default = false;  ///< the value is the default: nothing set it for this resource
    bool sensitive = false;   ///< a secret (password, key): the broker does not send its value
    bool synonym = false;     ///< this entry is one of another entry's `synonyms`
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
    config_resource resource;  ///< the resource described
    /// kafka_category(): the resource could not be described (e.g. the topic does not exist);
    /// empty on success.
    std::error_code error;
    std::string message;  ///< the broker's (or librdkafka's) explanation when `error` is set
    std::vector<config_entry> entries;  ///< the resource's configs, in the broker's order

    /// True when the resource was described (`error` is empty).
    [[nodiscard]] bool ok() const noexcept { return !error; }
    /// "topic 'orders'", "broker '1'": for failure reports (describe_failures()).
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
    /// Gives `target` exactly the dynamic configs in `values` (name to value).
    config_alteration(config_resource target, std::map<std::string, std::string> values)
        : resource(std::move(target)), configs(std::move(values)) {}

    config_resource resource;  ///< the resource to alter
    /// Config name to value; an empty name fails the whole request
    /// (RD_KAFKA_RESP_ERR__INVALID_ARG) before anything is sent.
    std::map<std::string, std::string> configs;
};

/// One change of incremental_alter_configs (KIP-339). The values are Kafka's.
enum class config_op : int {
    /// Set the config to the change's value.
    set = 0,
    remove = 1,  ///< back to the default ("DELETE")
    append = 2,  ///< add to a list config
    /// Remove the change's value from a list config.
    subtract = 3,
};

/// One edit of one config, for incremental_config_alteration.
struct config_change {
    config_change() = default;
    /// Applies `operation` to `config_name` with `new_value` (left empty for config_op::remove).
    config_change(std::string config_name, config_op operation, std::string new_value = {})
        : name(std::move(config_name)), op(operation), value(std::move(new_value)) {}

    /// The config to change; must not be empty.
    std::string name;
    /// What to do with it.
    config_op op = config_op::set;
    std::string value;  ///< unused by config_op::remove
};

/// incremental_alter_configs (KIP-339): changes to some configs of one resource; its other
/// configs stay as they are. Needs librdkafka 2.2.0 (built against an older one, the call fails
/// with errc::unsupported_by_librdkafka). A resource without changes, a change with an empty
/// name or an unknown config_op fails the whole request (RD_KAFKA_RESP_ERR__INVALID_ARG) before
/// anything is sent.
struct incremental_config_alteration {
    incremental_config_alteration() = default;
    /// Applies `edits`, in order, to `target`.
    incremental_config_alteration(config_resource target, std::vector<config_change> edits)
        : resource(std::move(target)), changes(std::move(edits)) {}

    config_resource resource;            ///< the resource to alter
    std::vector<config_change> changes;  ///< at least one
};

/// alter_configs' / incremental_alter_configs' answer for one resource.
struct config_result {
    config_resource resource;  ///< the resource altered
    /// kafka_category(): the broker refused this resource's change (e.g. an invalid value,
    /// INVALID_CONFIG; not authorized); empty when it applied it.
    std::error_code error;
    std::string message;  ///< the broker's (or librdkafka's) explanation when `error` is set

    /// True when the broker applied the change (`error` is empty).
    [[nodiscard]] bool ok() const noexcept { return !error; }
    /// "topic 'orders'", "broker '1'": for failure reports (describe_failures()).
    [[nodiscard]] std::string item_name() const {
        return std::string(to_string(resource.type)) + " '" + resource.name + "'";
    }
};

}  // namespace kflow
