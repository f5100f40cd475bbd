#pragma once
// What ensure_acls found and did: its plan, the bindings the broker confirmed creating or
// deleting, and each binding it could not change.

#include <kflow/admin/acl_plan.hpp>
#include <kflow/admin/acls.hpp>
#include <kflow/admin/results.hpp>  // throw_if_any_failed, describe_failures on errors
#include <kflow/error.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace kflow {

/// A binding ensure_acls was to create or delete and could not. Satisfies admin_item_result,
/// so throw_if_any_failed(result.errors, "ensuring ACLs") and describe_failures work on a list.
struct acl_binding_error {
    acl_binding binding;    ///< the binding concerned
    bool deleting = false;  ///< true: it was to be deleted; false: to be created
    std::error_code error;  ///< why it failed (never empty in a result)
    /// The request and what the broker (or librdkafka) said, e.g. "create_acls: ...".
    std::string message;

    /// Always false in a result: kept for admin_item_result's helpers.
    [[nodiscard]] bool ok() const noexcept { return !error; }
    /// The binding for reports, e.g. `creating ACL ALLOW User:app@* READ topic LITERAL 'orders'`.
    [[nodiscard]] std::string item_name() const {
        std::ostringstream text;
        text << (deleting ? "deleting" : "creating") << " ACL " << binding;
        return text.str();
    }
};

/// What ensure_acls found and did.
struct acl_ensure_result {
    /// What was found and decided: bindings to create, to delete (with prune), present and
    /// kept. In a dry run, what would have been done.
    acl_plan plan;
    bool dry_run = false;  ///< nothing was sent after describing the current bindings
    /// Bindings the broker confirmed creating, in the spec's order.
    std::vector<acl_binding> created;
    /// Bindings the broker confirmed deleting, in the cluster's order. A binding to delete that
    /// the broker found already gone (deleted meanwhile) is in neither list nor errors.
    std::vector<acl_binding> deleted;
    /// Declared bindings that were already there (plan.present).
    std::vector<acl_binding> kept;
    /// Each binding that could not be created or deleted, with the broker's message.
    std::vector<acl_binding_error> errors;

    /// True unless a binding could not be created or deleted.
    [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
    /// True when the cluster is known to hold the spec: nothing failed and, unless nothing was
    /// to change, it was not a dry run.
    [[nodiscard]] bool as_specified() const noexcept {
        return ok() && (!dry_run || plan.changes_nothing());
    }

    /// Lines for a report: the plan's summary, then one line per binding with what happened to
    /// it, e.g.
    ///     ACLs: 1 to create, 0 to delete, 1 present, 0 not in the spec (kept)
    ///       created ALLOW User:app@* WRITE topic LITERAL 'orders'
    ///       present ALLOW User:app@* READ topic LITERAL 'orders'
    /// In a dry run the bindings read "would create" and "would delete".
    [[nodiscard]] std::vector<std::string> describe() const {
        std::vector<std::string> lines{plan.describe().front() + (dry_run ? " [dry run]" : "")};
        const auto line = [&lines](const char* label, const acl_binding& b, std::string note) {
            std::ostringstream text;
            text << "  " << label << b << note;
            lines.push_back(text.str());
        };
        const auto error_of = [this](const acl_binding& b) -> const acl_binding_error* {
            for (const auto& e : errors) {
                if (e.binding == b)
                    return &e;
            }
            return nullptr;
        };
        const auto listed = [](const std::vector<acl_binding>& list, const acl_binding& b) {
            return std::find(list.begin(), list.end(), b) != list.end();
        };
        for (const auto& b : plan.to_create) {
            if (dry_run)
                line("would create ", b, "");
            else if (const auto* e = error_of(b))
                line("failed  ", b, ": " + e->message);
            else if (listed(created, b))
                line("created ", b, "");
        }
        for (const auto& b : plan.to_delete) {
            if (dry_run)
                line("would delete ", b, " (not in the spec)");
            else if (const auto* e = error_of(b))
                line("failed  ", b, ": " + e->message);
            else
                line("deleted ", b, listed(deleted, b) ? "" : " (already gone)");
        }
        for (const auto& b : plan.present)
            line("present ", b, "");
        for (const auto& b : plan.not_in_spec) {
            line("keep    ", b,
                 plan.prune ? " (not in the spec; kflow cannot name it to delete it)"
                            : " (not in the spec)");
        }
        return lines;
    }
};

}  // namespace kflow
