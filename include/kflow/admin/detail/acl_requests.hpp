#pragma once
// CreateAcls, DescribeAcls and DeleteAcls: bindings and filters to librdkafka's AclBinding
// objects and back.

#include <kflow/admin/acls.hpp>
#include <kflow/admin/detail/request.hpp>

#include <string>
#include <vector>

namespace kflow::detail {

[[nodiscard]] inline acl_binding binding_of(const rd_kafka_AclBinding_t* b) {
    return {static_cast<resource_type>(rd_kafka_AclBinding_restype(b)),
            rd_kafka_AclBinding_name(b) ? rd_kafka_AclBinding_name(b) : "",
            static_cast<acl_pattern_type>(rd_kafka_AclBinding_resource_pattern_type(b)),
            rd_kafka_AclBinding_principal(b) ? rd_kafka_AclBinding_principal(b) : "",
            rd_kafka_AclBinding_host(b) ? rd_kafka_AclBinding_host(b) : "",
            static_cast<acl_operation>(rd_kafka_AclBinding_operation(b)),
            static_cast<acl_permission>(rd_kafka_AclBinding_permission_type(b))};
}

/// librdkafka's AclBinding for `b`; `err` names what is wrong with it.
[[nodiscard]] inline acl_binding_handle to_native(const acl_binding& b, std::string_view op,
                                                  error_info& err) {
    if (b.principal.empty()) {
        err = invalid_argument(op, "ACL on '" + b.resource_name + "': principal is empty");
        return {};
    }
    if (b.host.empty()) {
        err = invalid_argument(op, "ACL on '" + b.resource_name + "': host is empty (use \"*\")");
        return {};
    }
    char errstr[512] = {0};
    acl_binding_handle native(rd_kafka_AclBinding_new(
        static_cast<rd_kafka_ResourceType_t>(b.type), b.resource_name.c_str(),
        static_cast<rd_kafka_ResourcePatternType_t>(b.pattern), b.principal.c_str(), b.host.c_str(),
        static_cast<rd_kafka_AclOperation_t>(b.operation),
        static_cast<rd_kafka_AclPermissionType_t>(b.permission), errstr, sizeof errstr));
    if (!native)
        err = invalid_argument(op, "ACL on '" + b.resource_name + "': " + errstr);
    return native;
}

[[nodiscard]] inline acl_binding_handle to_native(const acl_filter& f, std::string_view op,
                                                  error_info& err) {
    char errstr[512] = {0};
    auto c_str = [](const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; };
    acl_binding_handle native(rd_kafka_AclBindingFilter_new(
        static_cast<rd_kafka_ResourceType_t>(f.type), c_str(f.resource_name),
        static_cast<rd_kafka_ResourcePatternType_t>(f.pattern), c_str(f.principal), c_str(f.host),
        static_cast<rd_kafka_AclOperation_t>(f.operation),
        static_cast<rd_kafka_AclPermissionType_t>(f.permission), errstr, sizeof errstr));
    if (!native)
        err = invalid_argument(op, std::string("ACL filter: ") + errstr);
    return native;
}

struct create_acls_request {
    using result_type = std::vector<acl_result>;
    static constexpr std::string_view name = "create_acls";
    static constexpr bool needs_controller = true;
    static constexpr std::string_view kafka_api = "CreateAcls";
    static constexpr bool changes_cluster = true;
    static constexpr bool can_validate_only = false;

    std::vector<acl_binding> bindings;
    handle_array<acl_binding_handle> native{};

    error_info prepare() {
        if (bindings.empty())
            return invalid_argument(name, "no ACL bindings given");
        for (const auto& b : bindings) {
            error_info err;
            auto n = to_native(b, name, err);
            if (err)
                return err;
            native.push_back(std::move(n));
        }
        return {};
    }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_CreateAcls(rk, native.data(), native.size(), o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        std::size_t n = 0;
        const auto* res = rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev), &n);
        result_type out;
        // Kafka answers in request order, one result per binding.
        for (std::size_t i = 0; i < n && i < bindings.size(); ++i) {
            acl_result r;
            r.binding = bindings[i];
            take_error(rd_kafka_acl_result_error(res[i]), r.error, r.message);
            out.push_back(std::move(r));
        }
        return out;
    }
};

struct describe_acls_request {
    using result_type = std::vector<acl_binding>;
    static constexpr std::string_view name = "describe_acls";
    static constexpr bool needs_controller = true;
    static constexpr std::string_view kafka_api = "DescribeAcls";
    static constexpr bool changes_cluster = false;
    static constexpr bool can_validate_only = false;

    acl_filter filter;
    acl_binding_handle native{};

    error_info prepare() {
        error_info err;
        native = to_native(filter, name, err);
        return err;
    }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_DescribeAcls(rk, native.get(), o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        std::size_t n = 0;
        const auto* acls =
            rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(ev), &n);
        result_type out;
        for (std::size_t i = 0; i < n; ++i)
            out.push_back(binding_of(acls[i]));
        return out;
    }
};

struct delete_acls_request {
    using result_type = std::vector<acl_deletion>;
    static constexpr std::string_view name = "delete_acls";
    static constexpr bool needs_controller = true;
    static constexpr std::string_view kafka_api = "DeleteAcls";
    static constexpr bool changes_cluster = true;
    static constexpr bool can_validate_only = false;

    std::vector<acl_filter> filters;
    handle_array<acl_binding_handle> native{};

    error_info prepare() {
        if (filters.empty())
            return invalid_argument(name, "no ACL filters given");
        for (const auto& f : filters) {
            error_info err;
            auto n = to_native(f, name, err);
            if (err)
                return err;
            native.push_back(std::move(n));
        }
        return {};
    }
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_DeleteAcls(rk, native.data(), native.size(), o, q);
    }
    result_type parse(rd_kafka_event_t* ev) {
        std::size_t n = 0;
        const auto* res =
            rd_kafka_DeleteAcls_result_responses(rd_kafka_event_DeleteAcls_result(ev), &n);
        result_type out;
        for (std::size_t i = 0; i < n && i < filters.size(); ++i) {
            acl_deletion d;
            d.filter = filters[i];
            take_error(rd_kafka_DeleteAcls_result_response_error(res[i]), d.error, d.message);
            std::size_t m = 0;
            const auto* matching = rd_kafka_DeleteAcls_result_response_matching_acls(res[i], &m);
            for (std::size_t j = 0; j < m; ++j)
                d.deleted.push_back(binding_of(matching[j]));
            out.push_back(std::move(d));
        }
        return out;
    }
};

}  // namespace kflow::detail
