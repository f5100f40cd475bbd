#pragma once
// ensure_acls: make a cluster's ACL bindings match a spec, declaratively.
//
//   auto spec = kflow::load_acl_spec("acls.json");
//   auto result = kflow::ensure_acls(admin, spec, {.prune = true});
//   for (const auto& line : result.describe()) std::cout << line << '\n';
//
// It describes the cluster's bindings (DescribeAcls), plans (plan_acls: to create, to delete,
// present, kept) and, unless asked for a dry run, creates the declared bindings that are missing
// and, asked to prune, deletes the bindings of the spec's principals that it does not declare.
// Without prune the spec is additive: nothing is ever deleted. Principals the spec does not name
// are never touched.
//
// Errors, as everywhere in admin and as ensure_topics: a request-level failure of the first step
// (describing the bindings: nothing reachable, timeout, a broker without an authorizer
// (SECURITY_DISABLED) or without the ACL APIs, as librdkafka's mock cluster) fails the call: the
// throwing form throws kafka_error, the error_info form sets its error_info, the asynchronous form
// completes with the error (and under kflow::use_awaitable throws kafka_error with the message).
// An invalid spec fails the call before anything is sent: the throwing and asynchronous forms
// throw acl_spec_error (errc::invalid_config), the error_info form sets it. Everything later is
// per binding: a binding that could not be created or deleted is in the result's errors with the
// broker's message.

#include <kflow/admin/acl_ensure_result.hpp>
#include <kflow/admin/acl_plan.hpp>
#include <kflow/admin/acl_spec.hpp>
#include <kflow/admin/acl_spec_error.hpp>
#include <kflow/admin/client.hpp>
#include <kflow/admin/detail/ensure_acls_plan.hpp>
#include <kflow/admin/ensure_topics.hpp>  // the composed operations' shared handler adapters
#include <kflow/use_awaitable.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/system/error_code.hpp>

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace kflow {

/// How ensure_acls goes about it.
///
/// An aggregate, for `ensure_acls_options{.prune = true, .dry_run = true}`. Every member is
/// trivially destructible, which keeps such a temporary safe inside a co_await expression (g++ 12
/// destroys non-trivial aggregate temporaries there twice).
struct ensure_acls_options {
    /// Delete the bindings of the spec's principals that the spec does not declare: the spec is
    /// then authoritative for those principals. Off (the default): the spec only adds.
    bool prune = false;
    /// Describe and plan only: create and delete nothing. The result's plan says what would be
    /// done.
    bool dry_run = false;
    /// The options of each admin request ensure_acls makes; the admin client's defaults when
    /// unset. validate_only is ignored: Kafka cannot validate ACL changes without making them.
    std::optional<admin_options> admin = std::nullopt;
};
static_assert(std::is_trivially_destructible_v<ensure_acls_options>,
              "ensure_acls_options is built inline in co_await expressions; see its comment");

namespace detail {

[[nodiscard]] inline admin_options ensure_admin_options(const admin_client& admin,
                                                        const ensure_acls_options& options) {
    admin_options o = options.admin.value_or(admin.defaults());
    o.validate_only = false;
    return o;
}

/// The blocking forms: runs the plan one admin request at a time. A failure to describe the
/// bindings sets `err` (without them there is nothing to decide); a later request's failure
/// goes to the plan, which reports it on the bindings concerned.
[[nodiscard]] inline acl_ensure_result run_ensure_acls(admin_view admin, ensure_acls_plan plan,
                                                       error_info& err) {
    err = {};
    while (plan.next() != acl_step::done) {
        error_info step;
        switch (plan.next()) {
            case acl_step::describe_acls: {
                auto current = admin.describe_acls(ensure_acls_plan::describe_filter(), step);
                if (step) {
                    err = std::move(step);
                    return {};
                }
                plan.acls_described(current);
                break;
            }
            case acl_step::create_acls: {
                auto created = admin.create_acls(plan.bindings_to_create(), step);
                if (!step)
                    plan.acls_created(created);
                break;
            }
            case acl_step::delete_acls: {
                auto deleted = admin.delete_acls(plan.filters_to_delete(), step);
                if (!step)
                    plan.acls_deleted(deleted);
                break;
            }
            case acl_step::done:
                break;
        }
        if (step)
            plan.step_failed(step.code, step_message(step));
    }
    return std::move(plan).result();
}

}  // namespace detail

/// Ensures the cluster holds the bindings of `spec` (see the top of this file). Throws
/// acl_spec_error for an invalid spec and kafka_error (code, message, flags) when the current
/// bindings cannot be described at all.
[[nodiscard]] inline acl_ensure_result ensure_acls(admin_client& admin, const acl_spec& spec,
                                                   const ensure_acls_options& options = {}) {
    detail::ensure_acls_plan plan(spec, options.prune, options.dry_run);
    error_info err;
    auto result = detail::run_ensure_acls(admin.with(detail::ensure_admin_options(admin, options)),
                                          std::move(plan), err);
    if (err)
        throw kafka_error(err.code, err.message, err.flags);
    return result;
}

/// ensure_acls() that sets `err` (and returns an empty result) where the throwing form throws,
/// an invalid spec included (errc::invalid_config, with the problem as message); resets it to
/// empty on success. Per-binding failures are in the result as there.
[[nodiscard]] inline acl_ensure_result ensure_acls(admin_client& admin, const acl_spec& spec,
                                                   const ensure_acls_options& options,
                                                   error_info& err) {
    err = {};
    std::optional<detail::ensure_acls_plan> plan;
    try {
        plan.emplace(spec, options.prune, options.dry_run);
    } catch (const acl_spec_error& e) {
        err = {e.code(), e.problem().describe(), e.flags()};
        return {};
    }
    return detail::run_ensure_acls(admin.with(detail::ensure_admin_options(admin, options)),
                                   std::move(*plan), err);
}

/// ensure_acls() with the default ensure_acls_options (create what is missing, delete nothing)
/// that sets `err` instead of throwing.
[[nodiscard]] inline acl_ensure_result ensure_acls(admin_client& admin, const acl_spec& spec,
                                                   error_info& err) {
    return ensure_acls(admin, spec, ensure_acls_options{}, err);
}

namespace detail {

/// The application's handler as the composed operation's: the operation completes with an
/// error_info, handed on through detail::complete, so kflow::use_awaitable throws kafka_error
/// with the message and any other handler gets the code. Asio's associators see through it.
template <class Handler>
class acl_completion_handler {
  public:
    explicit acl_completion_handler(Handler handler) : handler_(std::move(handler)) {}

    void operator()(error_info err, acl_ensure_result result) {
        complete(handler_, err, std::move(result));
    }

    using inner_handler_type = Handler;
    [[nodiscard]] const Handler& inner() const noexcept { return handler_; }

  private:
    Handler handler_;
};

/// The asynchronous form's state machine over ensure_acls_plan, for asio::async_compose.
class ensure_acls_op {
  public:
    ensure_acls_op(admin_client& admin, ensure_acls_plan plan, admin_options options)
        : admin_(&admin), plan_(std::move(plan)), options_(options) {}

    /// Starts the next request, or completes when there is none.
    template <class Self>
    void operator()(Self& self) {
        if (!started_) {
            started_ = true;
            if (plan_.next() == acl_step::done) {
                // Nothing to ask (an empty spec): complete later, never inside the initiating
                // call.
                asio::post(std::move(self));
                return;
            }
        }
        // Everything the request needs is taken out of the plan before next(self) moves the
        // plan, with the rest of this operation, into the request's handler.
        admin_view admin = admin_->with(options_);
        switch (plan_.next()) {
            case acl_step::describe_acls:
                admin.async_describe_acls(ensure_acls_plan::describe_filter(), next(self));
                return;
            case acl_step::create_acls: {
                auto bindings = plan_.bindings_to_create();
                admin.async_create_acls(std::move(bindings), next(self));
                return;
            }
            case acl_step::delete_acls: {
                auto filters = plan_.filters_to_delete();
                admin.async_delete_acls(std::move(filters), next(self));
                return;
            }
            case acl_step::done:
                self.complete(error_info(), std::move(plan_).result());
                return;
        }
    }

    template <class Self>
    void operator()(Self& self, error_info err, std::vector<acl_binding> current) {
        if (err) {
            // As in the blocking form: without the current bindings there is nothing to decide.
            self.complete(std::move(err), acl_ensure_result());
            return;
        }
        plan_.acls_described(current);
        (*this)(self);
    }
    template <class Self>
    void operator()(Self& self, error_info err, std::vector<acl_result> created) {
        if (err)
            step_failed(err);
        else
            plan_.acls_created(created);
        (*this)(self);
    }
    template <class Self>
    void operator()(Self& self, error_info err, std::vector<acl_deletion> deleted) {
        if (err)
            step_failed(err);
        else
            plan_.acls_deleted(deleted);
        (*this)(self);
    }

  private:
    /// `self` as the handler of the next admin request, with an untracked executor: see
    /// ensure_topics_op::next for why.
    template <class Self>
    static auto next(Self& self) {
        auto bound = asio::bind_executor(
            asio::prefer(self.get_executor(), asio::execution::outstanding_work.untracked),
            std::move(self));
        return ensure_step_handler<decltype(bound)>(std::move(bound));
    }

    void step_failed(const error_info& err) {
        // Every admin failure comes with its details; a bare code is still named by its request.
        plan_.step_failed(err.code, err.message.empty() ? std::string(plan_.request_name()) + ": " +
                                                              err.code.message()
                                                        : step_message(err));
    }

    admin_client* admin_;
    ensure_acls_plan plan_;
    admin_options options_;
    bool started_ = false;
};

/// Starts the composed operation on the handler's executor (else the admin client's), as the
/// admin client's own operations do; exposes the client's executor to token adapters.
struct ensure_acls_initiation {
    admin_client* admin;

    using executor_type = asio::any_io_executor;
    [[nodiscard]] executor_type get_executor() const noexcept { return admin->get_executor(); }

    template <class Handler>
    void operator()(Handler&& handler, ensure_acls_plan plan, admin_options options) const {
        auto ex = asio::get_associated_executor(handler, admin->get_executor());
        if (!ex) {
            // Nowhere to run the handler but Asio's system executor: fail there.
            asio::post(asio::system_executor(), [h = std::forward<Handler>(handler)]() mutable {
                complete(h,
                         error_info{make_error_code(errc::invalid_config),
                                    "async_ensure_acls: the admin client has no executor: "
                                    "construct it with one or bind one to the completion handler "
                                    "(asio::bind_executor)",
                                    {}},
                         acl_ensure_result());
            });
            return;
        }
        acl_completion_handler<std::decay_t<Handler>> completion(std::forward<Handler>(handler));
        asio::async_compose<decltype(completion), void(error_info, acl_ensure_result)>(
            ensure_acls_op(*admin, std::move(plan), options), completion, ex);
    }
};

}  // namespace detail

/// The asynchronous form: completes with void(boost::system::error_code, acl_ensure_result) on
/// the handler's associated executor (else the admin client's); under kflow::use_awaitable,
/// `co_await` throws kafka_error with the message where the throwing form throws. Throws
/// acl_spec_error at once for an invalid spec. Later requests' failures are per binding, with the
/// broker's message as in the blocking form. `admin` must outlive the operation; cancelling it
/// cancels the admin request in flight, which completes the whole operation with that error only
/// if it was the first step.
template <asio::completion_token_for<void(boost::system::error_code, acl_ensure_result)> Token =
              kflow::use_awaitable_t>
auto async_ensure_acls(admin_client& admin, const acl_spec& spec,
                       const ensure_acls_options& options = {},
                       Token&& token = kflow::use_awaitable_t{}) {
    detail::ensure_acls_plan plan(spec, options.prune, options.dry_run);
    return asio::async_initiate<Token, void(boost::system::error_code, acl_ensure_result)>(
        detail::ensure_acls_initiation{&admin}, token, std::move(plan),
        detail::ensure_admin_options(admin, options));
}

}  // namespace kflow

namespace boost::asio {

/// Asio's associators (executor, allocator, cancellation slot) see through the asynchronous
/// ensure_acls' completion handler to the handler it wraps.
template <template <class, class> class Associator, class Handler, class DefaultCandidate>
struct associator<Associator, kflow::detail::acl_completion_handler<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
    static typename Associator<Handler, DefaultCandidate>::type get(
        const kflow::detail::acl_completion_handler<Handler>& h) noexcept {
        return Associator<Handler, DefaultCandidate>::get(h.inner());
    }
    static auto get(const kflow::detail::acl_completion_handler<Handler>& h,
                    const DefaultCandidate& c) noexcept
        -> decltype(Associator<Handler, DefaultCandidate>::get(h.inner(), c)) {
        return Associator<Handler, DefaultCandidate>::get(h.inner(), c);
    }
};

}  // namespace boost::asio
