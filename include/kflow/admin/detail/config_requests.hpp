#pragma once
// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs (librdkafka 2.2.0 and newer).

#include <kflow/admin/configs.hpp>
#include <kflow/admin/detail/request.hpp>
#include <kflow/admin/results.hpp>
#include <kflow/version.hpp>

#include <string>
#include <vector>

namespace kflow::detail {

/// Why `r` cannot be asked about or altered; empty when it is fine.
[[nodiscard]] inline std::string config_resource_problem(const config_resource& r) {
    switch (r.type) {
        case resource_type::topic:
        case resource_type::group:
            if (r.name.empty())
                return std::string(to_string(r.type)) + " resource has no name";
            return {};
        case resource_type::broker:
            // An empty broker name means "the cluster-wide default" to Kafka.
            for (char c : r.name) {
                if (c < '0' || c > '9') {
                    return "broker resource name must be a broker id, got '" + r.name + "'";
                }
            }
            return {};
        case resource_type::unknown:
        case resource_type::any:
            break;
    }
    return "resource type must be topic, group or broker, got " + std::string(to_string(r.type));
}

[[nodiscard]] inline config_resource_handle to_native(const config_resource& r) {
    return config_resource_handle(
        rd_kafka_ConfigResource_new(static_cast<rd_kafka_ResourceType_t>(r.type), r.name.c_str()));
}

[[nodiscard]] inline config_resource resource_of(const rd_kafka_ConfigResource_t* r) {
    return {static_cast<resource_type>(rd_kafka_ConfigResource_type(r)),
            rd_kafka_ConfigResource_name(r)};
}

[[nodiscard]] inline config_entry entry_of(const rd_kafka_ConfigEntry_t* e) {
    config_entry out;
    out.name = rd_kafka_ConfigEntry_name(e);
    if (const char* v = rd_kafka_ConfigEntry_value(e))
        out.value = v;
    out.source = static_cast<config_source>(rd_kafka_ConfigEntry_source(e));
    out.read_only = rd_kafka_ConfigEntry_is_read_only(e) != 0;
    out.is_default = rd_kafka_ConfigEntry_is_default(e) != 0;
    out.sensitive = rd_kafka_ConfigEntry_is_sensitive(e) != 0;
    out.synonym = rd_kafka_ConfigEntry_is_synonym(e) != 0;
    std::size_t n = 0;
    const auto* synonyms = rd_kafka_ConfigEntry_synonyms(e, &n);
    for (std::size_t i = 0; i < n; ++i)
        out.synonyms.push_back(entry_of(synonyms[i]));
    return out;
}

/// Per-resource results of AlterConfigs and IncrementalAlterConfigs.
inline std::vector<config_result> config_results(const rd_kafka_ConfigResource_t* const* res,
                                                 std::size_t n) {
    std::vector<config_result> out;
    for (std::size_t i = 0; i < n; ++i) {
        config_result r;
        r.resource = resource_of(res[i]);
        take_error(rd_kafka_ConfigResource_error(res[i]),
                   rd_kafka_ConfigResource_error_string(res[i]), r.error, r.message);
        out.push_back(std::move(r));
    }
    return out;
}

/// Checks a batch's resources: valid, and each at most once (Kafka rejects duplicates).
template <class Items, class Resource>
[[nodiscard]] error_info check_resources(std::string_view op, const Items& items,
                                         Resource resource_of_item) {
    if (items.empty())
        return invalid_argument(op, "no resources given");
    std::vector<config_resource> seen;
    for (const auto& item : items) {
        const config_resource& r = resource_of_item(item);
        if (auto problem = config_resource_problem(r); !problem.empty()) {
            return invalid_argument(op, problem);
        }
        for (const auto& s : seen) {
            if (s == r) {
                return invalid_argument(op, std::string(to_string(r.type)) + " '" + r.name +
                                                "' appears twice in one request");
            }
        }
        seen.push_back(r);
    }
    return {};
}

struct describe_configs_request {
    using result_type = std::vector<resource_configs>;
    static constexpr std::string_view name = "describe_configs";
    static constexpr bool needs_controller = true;
    static constexpr std::string_view kafka_api = "DescribeConfigs";
    static constexpr bool changes_cluster = false;
    static constexpr bool can_validate_only = false;

    std::vector<config_resource> resources;
    handle_array<config_resource_handle> native{};

    error_info prepare() {
        if (auto err = check_resources(
                name, resources, [](const auto& r) -> const auto& { return r; })) {
            return err;
        }
        for (const auto& r : resources)
            native.push_back(to_native(r));
        return {};
    }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_DescribeConfigs(rk, native.data(), native.size(), o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        std::size_t n = 0;
        const auto* res = rd_kafka_DescribeConfigs_result_resources(
            rd_kafka_event_DescribeConfigs_result(ev), &n);
        result_type out;
        for (std::size_t i = 0; i < n; ++i) {
            resource_configs rc;
            rc.resource = resource_of(res[i]);
            take_error(rd_kafka_ConfigResource_error(res[i]),
                       rd_kafka_ConfigResource_error_string(res[i]), rc.error, rc.message);
            std::size_t count = 0;
            const auto* entries = rd_kafka_ConfigResource_configs(res[i], &count);
            for (std::size_t e = 0; e < count; ++e)
                rc.entries.push_back(entry_of(entries[e]));
            out.push_back(std::move(rc));
        }
        return out;
    }
};

struct alter_configs_request {
    using result_type = std::vector<config_result>;
    static constexpr std::string_view name = "alter_configs";
    static constexpr bool needs_controller = true;
    static constexpr std::string_view kafka_api = "AlterConfigs";
    static constexpr bool changes_cluster = true;
    static constexpr bool can_validate_only = true;

    std::vector<config_alteration> alterations;
    handle_array<config_resource_handle> native{};

    error_info prepare() {
        if (auto err = check_resources(
                name, alterations, [](const auto& a) -> const auto& { return a.resource; })) {
            return err;
        }
        for (const auto& a : alterations) {
            auto r = to_native(a.resource);
            for (const auto& [key, value] : a.configs) {
                if (key.empty()) {
                    return invalid_argument(name, std::string(to_string(a.resource.type)) + " '" +
                                                      a.resource.name +
                                                      "': a config has an empty name");
                }
                if (rd_kafka_ConfigResource_set_config(r.get(), key.c_str(), value.c_str()) !=
                    RD_KAFKA_RESP_ERR_NO_ERROR) {
                    return invalid_argument(name,
                                            "config '" + key + "' was rejected by librdkafka");
                }
            }
            native.push_back(std::move(r));
        }
        return {};
    }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_AlterConfigs(rk, native.data(), native.size(), o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        std::size_t n = 0;
        const auto* res =
            rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
        return config_results(res, n);
    }
};

/// IncrementalAlterConfigs arrived in librdkafka 2.2.0. Against older headers the request
/// exists but fails in prepare() with errc::unsupported_by_librdkafka; the calls to the newer
/// API are compiled only when the headers declare them (a discarded `if constexpr` branch
/// outside a template would still have to name declared functions).
struct incremental_alter_configs_request {
    using result_type = std::vector<config_result>;
    static constexpr std::string_view name = "incremental_alter_configs";
    static constexpr bool needs_controller = true;
    static constexpr std::string_view kafka_api = "IncrementalAlterConfigs";
    static constexpr bool changes_cluster = true;
    static constexpr bool can_validate_only = true;
    static constexpr bool available = librdkafka_at_least(2, 2, 0);

    std::vector<incremental_config_alteration> alterations;
    handle_array<config_resource_handle> native{};

    error_info prepare() {
        if (auto err = check_resources(
                name, alterations, [](const auto& a) -> const auto& { return a.resource; })) {
            return err;
        }
        for (const auto& a : alterations) {
            if (a.changes.empty()) {
                return invalid_argument(name, std::string(to_string(a.resource.type)) + " '" +
                                                  a.resource.name + "': no changes given");
            }
            for (const auto& c : a.changes) {
                if (c.name.empty()) {
                    return invalid_argument(name, std::string(to_string(a.resource.type)) + " '" +
                                                      a.resource.name +
                                                      "': a change has an empty config name");
                }
                if (static_cast<int>(c.op) < 0 || static_cast<int>(c.op) > 3) {
                    return invalid_argument(name, "config '" + c.name + "': unknown config_op " +
                                                      std::to_string(static_cast<int>(c.op)));
                }
            }
        }
        if constexpr (!available) {
            return unsupported_by_librdkafka(name, "2.2.0");
        } else {
#if RD_KAFKA_VERSION >= 0x020200ff
            for (const auto& a : alterations) {
                auto r = to_native(a.resource);
                for (const auto& c : a.changes) {
                    auto e = error_info::adopt(rd_kafka_ConfigResource_add_incremental_config(
                        r.get(), c.name.c_str(), static_cast<rd_kafka_AlterConfigOpType_t>(c.op),
                        c.op == config_op::remove ? nullptr : c.value.c_str()));
                    if (e)
                        return invalid_argument(name, "config '" + c.name + "': " + e.message);
                }
                native.push_back(std::move(r));
            }
#endif
            return {};
        }
    }
    void launch([[maybe_unused]] rd_kafka_t* rk, [[maybe_unused]] const rd_kafka_AdminOptions_t* o,
                [[maybe_unused]] rd_kafka_queue_t* q) {
#if RD_KAFKA_VERSION >= 0x020200ff
        rd_kafka_IncrementalAlterConfigs(rk, native.data(), native.size(), o, q);
#endif
    }
    result_type parse([[maybe_unused]] rd_kafka_event_t* ev) {
#if RD_KAFKA_VERSION >= 0x020200ff
        std::size_t n = 0;
        const auto* res = rd_kafka_IncrementalAlterConfigs_result_resources(
            rd_kafka_event_IncrementalAlterConfigs_result(ev), &n);
        return config_results(res, n);
#else
        return {};
#endif
    }
};

}  // namespace kflow::detail
