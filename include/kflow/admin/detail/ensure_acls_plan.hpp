#pragma once
// ensure_acls as an I/O-free state machine: it says which admin request comes next, builds its
// input, and takes its answer (or its failure as a whole). The blocking and the Asio forms of
// ensure_acls both drive this one plan, so they decide alike and are tested alike.
//
// The steps, each skipped when it has nothing to do:
//   describe_acls  the cluster's bindings (DescribeAcls, every binding: principals are matched
//                  here, so that one request serves a spec of any number of principals)
//   create_acls    the declared bindings that are missing
//   delete_acls    with prune, the bindings of the spec's principals it does not declare, each
//                  by an exact filter. Deleting comes after creating so that replacing one
//                  binding with another never leaves a principal without either.
// A dry run stops after describe_acls, with the plan.

#include <kflow/admin/acl_ensure_result.hpp>
#include <kflow/admin/acl_plan.hpp>
#include <kflow/admin/acl_spec.hpp>
#include <kflow/admin/acl_spec_check.hpp>
#include <kflow/admin/acl_spec_error.hpp>
#include <kflow/admin/acls.hpp>
#include <kflow/error.hpp>

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace kflow::detail {

enum class acl_step {
    describe_acls,
    create_acls,
    delete_acls,
    done,
};

class ensure_acls_plan {
  public:
    /// Throws acl_spec_error for a spec that breaks check_acl_spec's rules: nothing is sent
    /// then.
    ensure_acls_plan(const acl_spec& spec, bool prune, bool dry_run) : prune_(prune) {
        validate_acl_spec(spec);
        desired_ = spec.bindings();
        result_.dry_run = dry_run;
        result_.plan.prune = prune;
        // No principal named: nothing is in the spec's scope, not even to prune.
        step_ = desired_.empty() ? acl_step::done : acl_step::describe_acls;
    }

    [[nodiscard]] acl_step next() const noexcept { return step_; }

    /// The admin operation of the current step, for messages.
    [[nodiscard]] std::string_view request_name() const noexcept {
        switch (step_) {
            case acl_step::describe_acls:
                return "describe_acls";
            case acl_step::create_acls:
                return "create_acls";
            case acl_step::delete_acls:
                return "delete_acls";
            case acl_step::done:
                break;
        }
        return "ensure_acls";
    }

    // --- describe_acls -------------------------------------------------------------------------

    /// Every binding of the cluster: the plan keeps those of the spec's principals.
    [[nodiscard]] static acl_filter describe_filter() { return acl_filter(); }

    void acls_described(const std::vector<acl_binding>& current) {
        result_.plan = plan_acls(desired_, current, acl_plan_options{.prune = prune_});
        result_.kept = result_.plan.present;
        if (result_.dry_run)
            step_ = acl_step::done;
        else
            advance_from(acl_step::create_acls);
    }

    // --- create_acls ---------------------------------------------------------------------------

    [[nodiscard]] std::vector<acl_binding> bindings_to_create() const {
        return result_.plan.to_create;
    }

    void acls_created(const std::vector<acl_result>& results) {
        for (const auto& b : result_.plan.to_create) {
            const auto r = std::find_if(results.begin(), results.end(),
                                        [&b](const acl_result& x) { return x.binding == b; });
            if (r == results.end())
                fail(b, false, make_error_code(RD_KAFKA_RESP_ERR__BAD_MSG),
                     "create_acls: no answer for this binding");
            else if (r->error)
                fail(b, false, r->error, "create_acls: " + text_of(r->error, r->message));
            else
                result_.created.push_back(b);
        }
        advance_from(acl_step::delete_acls);
    }

    // --- delete_acls ---------------------------------------------------------------------------

    /// One exact filter per binding to delete: a filter matches nothing else.
    [[nodiscard]] std::vector<acl_filter> filters_to_delete() const {
        std::vector<acl_filter> filters;
        for (const auto& b : result_.plan.to_delete)
            filters.push_back(acl_filter::exactly(b));
        return filters;
    }

    void acls_deleted(const std::vector<acl_deletion>& deletions) {
        for (const auto& b : result_.plan.to_delete) {
            const auto filter = acl_filter::exactly(b);
            const auto d =
                std::find_if(deletions.begin(), deletions.end(),
                             [&filter](const acl_deletion& x) { return x.filter == filter; });
            if (d == deletions.end()) {
                fail(b, true, make_error_code(RD_KAFKA_RESP_ERR__BAD_MSG),
                     "delete_acls: no answer for this binding");
            } else if (d->error) {
                fail(b, true, d->error, "delete_acls: " + text_of(d->error, d->message));
            } else if (std::find(d->deleted.begin(), d->deleted.end(), b) != d->deleted.end()) {
                result_.deleted.push_back(b);
            }
            // Else the filter matched nothing: the binding went meanwhile, as asked.
        }
        step_ = acl_step::done;
    }

    // --- failures ------------------------------------------------------------------------------

    /// The current step's request failed as a whole (nothing reachable, timeout, the broker
    /// does not support it, no authorizer). Every binding it was for reports it; describe_acls'
    /// failure is the caller's to report, since nothing is known then.
    void step_failed(std::error_code ec, const std::string& message) {
        switch (step_) {
            case acl_step::describe_acls:
            case acl_step::done:
                step_ = acl_step::done;
                return;
            case acl_step::create_acls:
                for (const auto& b : result_.plan.to_create)
                    fail(b, false, ec, message);
                advance_from(acl_step::delete_acls);
                return;
            case acl_step::delete_acls:
                for (const auto& b : result_.plan.to_delete)
                    fail(b, true, ec, message);
                step_ = acl_step::done;
                return;
        }
    }

    /// The result. Call once, after next() says done.
    [[nodiscard]] acl_ensure_result result() && { return std::move(result_); }

  private:
    /// Moves to `from`, or the first step after it that has work.
    void advance_from(acl_step from) {
        step_ = from;
        if (step_ == acl_step::create_acls && result_.plan.to_create.empty())
            step_ = acl_step::delete_acls;
        if (step_ == acl_step::delete_acls && result_.plan.to_delete.empty())
            step_ = acl_step::done;
    }

    void fail(const acl_binding& b, bool deleting, std::error_code ec, std::string message) {
        result_.errors.push_back(acl_binding_error{b, deleting, ec, std::move(message)});
    }

    [[nodiscard]] static std::string text_of(std::error_code ec, const std::string& message) {
        return message.empty() ? ec.message() : message;
    }

    std::vector<acl_binding> desired_;
    bool prune_ = false;
    acl_ensure_result result_;
    acl_step step_ = acl_step::done;
};

}  // namespace kflow::detail
