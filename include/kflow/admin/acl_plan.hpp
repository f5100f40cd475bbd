#pragma once
// What ensure_acls would do: the desired bindings compared with the cluster's current ones (what
// describe_acls returned). A pure function, no broker involved, so every decision is tested
// without one and a dry run can print it.
//
// The spec is additive unless the caller asks to prune: bindings it declares are created when
// missing, and nothing else is touched. With prune it is authoritative for the principals it
// names: their bindings that it does not declare are deleted. Principals it does not name are
// never touched, either way.

#include <kflow/admin/acl_spec.hpp>
#include <kflow/admin/acls.hpp>

#include <algorithm>
#include <cstddef>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace kflow {

/// How plan_acls treats bindings of the spec's principals that the spec does not declare.
///
/// An aggregate, for `acl_plan_options{.prune = true}`; trivially destructible like
/// ensure_options.
struct acl_plan_options {
    /// Delete them: the spec is the whole set of its principals' bindings. Off: keep them.
    bool prune = false;
};

/// What ensure_acls does (or, in a dry run, would do) to make the cluster's bindings match a
/// spec. Every list keeps the order of its source: the spec's for to_create and present, the
/// cluster's for to_delete and not_in_spec.
struct acl_plan {
    std::vector<acl_binding> to_create;  ///< declared and missing from the cluster
    /// On the cluster for a principal the spec names, not declared; only with prune.
    std::vector<acl_binding> to_delete;
    std::vector<acl_binding> present;  ///< declared and already on the cluster
    /// On the cluster for a principal the spec names, not declared, and kept: without prune
    /// all of them; with prune those kflow cannot name in a request (a resource type, pattern
    /// type, operation or permission newer than kflow's, reported as `unknown`).
    std::vector<acl_binding> not_in_spec;
    bool prune = false;  ///< whether the plan was made with acl_plan_options::prune

    /// True when nothing is to be created or deleted.
    [[nodiscard]] bool changes_nothing() const noexcept {
        return to_create.empty() && to_delete.empty();
    }

    /// A summary line, then one line per binding (to create, to delete, present, kept), e.g.
    ///     ACLs: 1 to create, 0 to delete, 1 present, 1 not in the spec (kept)
    ///       create  ALLOW User:app@* WRITE topic LITERAL 'orders'
    ///       present ALLOW User:app@* READ topic LITERAL 'orders'
    ///       keep    ALLOW User:app@* ALTER topic LITERAL 'orders' (not in the spec)
    [[nodiscard]] std::vector<std::string> describe() const {
        std::vector<std::string> lines;
        lines.push_back("ACLs: " + std::to_string(to_create.size()) + " to create, " +
                        std::to_string(to_delete.size()) + " to delete, " +
                        std::to_string(present.size()) + " present, " +
                        std::to_string(not_in_spec.size()) + " not in the spec (kept" +
                        (prune || not_in_spec.empty() ? "" : "; prune deletes them") + ")");
        const auto add = [&lines](const char* label, const std::vector<acl_binding>& bindings,
                                  const char* note) {
            for (const auto& b : bindings) {
                std::ostringstream line;
                line << "  " << label << b << note;
                lines.push_back(line.str());
            }
        };
        add("create  ", to_create, "");
        add("delete  ", to_delete, " (not in the spec)");
        add("present ", present, "");
        add("keep    ", not_in_spec,
            prune ? " (not in the spec; kflow cannot name it to delete it)" : " (not in the spec)");
        return lines;
    }

    /// Writes describe()'s lines, each ending with a newline.
    friend std::ostream& operator<<(std::ostream& os, const acl_plan& plan) {
        for (const auto& line : plan.describe())
            os << line << '\n';
        return os;
    }
};

/// describe()'s lines joined, each ending with a newline.
[[nodiscard]] inline std::string to_string(const acl_plan& plan) {
    std::ostringstream text;
    text << plan;
    return text.str();
}

namespace detail {

/// True when every field of `b` is a value a request can carry (librdkafka refuses `unknown`
/// and the filter-only values): only such a binding can be named to delete it.
[[nodiscard]] inline bool nameable(const acl_binding& b) noexcept {
    return !acl_spec_name(b.type).empty() && !acl_spec_name(b.pattern).empty() &&
           !acl_spec_name(b.operation).empty() && !acl_spec_name(b.permission).empty();
}

}  // namespace detail

/// The plan that makes `current` (the cluster's bindings, e.g. describe_acls(acl_filter()))
/// hold `desired`; see the top of this file. Bindings compare field by field, exactly as
/// describe_acls reports them (principal, host, resource type and name, pattern type, operation,
/// permission). A binding listed twice in `desired` is planned once.
[[nodiscard]] inline acl_plan plan_acls(const std::vector<acl_binding>& desired,
                                        const std::vector<acl_binding>& current,
                                        const acl_plan_options& options = {}) {
    const auto contains = [](const std::vector<acl_binding>& list, const acl_binding& b) {
        return std::find(list.begin(), list.end(), b) != list.end();
    };
    std::vector<std::string> principals;
    for (const auto& b : desired)
        principals.push_back(b.principal);

    acl_plan plan;
    plan.prune = options.prune;
    for (const auto& b : desired) {
        if (contains(plan.to_create, b) || contains(plan.present, b))
            continue;
        (contains(current, b) ? plan.present : plan.to_create).push_back(b);
    }
    for (const auto& b : current) {
        if (contains(desired, b) || contains(plan.to_delete, b) || contains(plan.not_in_spec, b) ||
            std::find(principals.begin(), principals.end(), b.principal) == principals.end())
            continue;
        (options.prune && detail::nameable(b) ? plan.to_delete : plan.not_in_spec).push_back(b);
    }
    return plan;
}

/// plan_acls() for the bindings `spec` declares.
[[nodiscard]] inline acl_plan plan_acls(const acl_spec& spec,
                                        const std::vector<acl_binding>& current,
                                        const acl_plan_options& options = {}) {
    return plan_acls(spec.bindings(), current, options);
}

}  // namespace kflow
