#pragma once
// ensure_topics: make a cluster's topics match their specs, declaratively.
//
//   auto specs = kflow::load_topic_specs("topics.json");
//   for (const auto& topic : kflow::ensure_topics(admin, specs))
//       for (const auto& line : topic.describe()) std::cout << line << '\n';
//
// It describes the cluster's topics, creates the missing ones and reports, per topic, how an
// existing one differs from its spec: partition count, replication factor, replica placement
// (for explicit assignments) and each config the spec names. Asked to, it adds partitions
// (ensure_options::add_partitions) and changes configs (ensure_options::alter_configs). It never
// deletes a topic, removes partitions (Kafka cannot) or moves replicas.
//
// Configs are changed with incremental_alter_configs (one "set" per config that differs) where
// librdkafka has it (2.2.0); otherwise with alter_configs and the topic's complete dynamic
// config set (what is set on it now, with the spec's values over it), so that other configs set
// on the topic are kept.
//
// Errors, as everywhere in admin: a request-level failure of the first step (describing the
// topics: nothing reachable, timeout) fails the call: the throwing form throws kafka_error, the
// error_info form sets its error_info, the asynchronous form completes with the error (and under
// kflow::use_awaitable throws kafka_error with the message). An invalid spec fails the call
// before anything is sent: the throwing and asynchronous forms throw topic_spec_error
// (errc::invalid_config), the error_info form sets it. Everything later is per topic: a topic whose
// creation or change failed has outcome failed with the error and message, and configs that could
// not be read back (the broker does not support DescribeConfigs, as with librdkafka's mock cluster,
// or denies it) are reported in configs_error, never as matching.

#include <kflow/admin/client.hpp>
#include <kflow/admin/detail/ensure_topics_plan.hpp>
#include <kflow/admin/topic_ensure_result.hpp>
#include <kflow/admin/topic_spec.hpp>
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

/// What ensure_topics may change besides creating missing topics.
///
/// An aggregate, for `ensure_options{.add_partitions = true, .alter_configs = true}`. Every
/// member is trivially destructible, which keeps such a temporary safe inside a co_await
/// expression (g++ 12 destroys non-trivial aggregate temporaries there twice).
struct ensure_options {
    /// Add partitions to existing topics that have fewer than their spec asks for.
    bool add_partitions = false;
    /// Set configs of existing topics whose values differ from their spec.
    bool alter_configs = false;
    /// The options of each admin request ensure_topics makes; the admin client's defaults when
    /// unset. validate_only is ignored: ensure_topics reports what it did, so it does it.
    std::optional<admin_options> admin = std::nullopt;
};
static_assert(std::is_trivially_destructible_v<ensure_options>,
              "ensure_options is built inline in co_await expressions; see its comment");

namespace detail {

[[nodiscard]] inline admin_options ensure_admin_options(const admin_client& admin,
                                                        const ensure_options& options) {
    admin_options o = options.admin.value_or(admin.defaults());
    o.validate_only = false;
    return o;
}

/// What a failed step leaves on its topics: the message with the code's, as kafka_error::what()
/// composes them (the blocking and asynchronous forms report alike).
[[nodiscard]] inline std::string step_message(const error_info& err) {
    return kafka_error(err.code, err.message, err.flags).what();
}

/// The blocking forms: runs the plan one admin request at a time. A failure to describe the
/// topics sets `err` (without them there is nothing to decide); a later request's failure goes
/// to the plan, which reports it on the topics concerned.
[[nodiscard]] inline std::vector<topic_ensure_result> run_ensure_topics(admin_view admin,
                                                                        ensure_topics_plan plan,
                                                                        error_info& err) {
    err = {};
    while (plan.next() != ensure_step::done) {
        error_info step;
        switch (plan.next()) {
            case ensure_step::describe_topics: {
                auto topics = admin.describe_topics(plan.topic_names(), step);
                if (step) {
                    err = std::move(step);
                    return {};
                }
                plan.topics_described(topics);
                break;
            }
            case ensure_step::describe_configs: {
                auto configs = admin.describe_configs(plan.configs_to_describe(), step);
                if (!step)
                    plan.configs_described(configs);
                break;
            }
            case ensure_step::create_topics: {
                auto created = admin.create_topics(plan.topics_to_create(), step);
                if (!step)
                    plan.topics_created(created);
                break;
            }
            case ensure_step::add_partitions: {
                auto added = admin.create_partitions(plan.partitions_to_add(), step);
                if (!step)
                    plan.partitions_added(added);
                break;
            }
            case ensure_step::alter_incremental: {
                auto altered =
                    admin.incremental_alter_configs(plan.incremental_alterations(), step);
                if (!step)
                    plan.configs_altered(altered);
                break;
            }
            case ensure_step::alter_replace: {
                auto altered = admin.alter_configs(plan.replacing_alterations(), step);
                if (!step)
                    plan.configs_altered(altered);
                break;
            }
            case ensure_step::done:
                break;
        }
        if (step)
            plan.step_failed(step.code, step_message(step));
    }
    return std::move(plan).results();
}

}  // namespace detail

/// Ensures every topic of `specs` exists as specified (see the top of this file). One result
/// per spec, in spec order. Throws topic_spec_error for an invalid spec and kafka_error (code,
/// message, flags) when the topics cannot be described at all.
[[nodiscard]] inline std::vector<topic_ensure_result> ensure_topics(
    admin_client& admin, const std::vector<topic_spec>& specs, const ensure_options& options = {}) {
    detail::ensure_topics_plan plan(specs, options.add_partitions, options.alter_configs);
    error_info err;
    auto results = detail::run_ensure_topics(
        admin.with(detail::ensure_admin_options(admin, options)), std::move(plan), err);
    if (err)
        throw kafka_error(err.code, err.message, err.flags);
    return results;
}

/// ensure_topics() that sets `err` (and returns no results) where the throwing form throws, an
/// invalid spec included (errc::invalid_config, with the problem as message); resets it to empty
/// on success. Per-topic failures are in the results as there.
[[nodiscard]] inline std::vector<topic_ensure_result> ensure_topics(
    admin_client& admin, const std::vector<topic_spec>& specs, const ensure_options& options,
    error_info& err) {
    err = {};
    std::optional<detail::ensure_topics_plan> plan;
    try {
        plan.emplace(specs, options.add_partitions, options.alter_configs);
    } catch (const topic_spec_error& e) {
        err = {e.code(), e.problem().describe(), e.flags()};
        return {};
    }
    return detail::run_ensure_topics(admin.with(detail::ensure_admin_options(admin, options)),
                                     std::move(*plan), err);
}
/// ensure_topics() with the default ensure_options (create missing topics; report differences,
/// change nothing) that sets `err` instead of throwing.
[[nodiscard]] inline std::vector<topic_ensure_result> ensure_topics(
    admin_client& admin, const std::vector<topic_spec>& specs, error_info& err) {
    return ensure_topics(admin, specs, ensure_options{}, err);
}

namespace detail {

/// The handler of one admin request of the asynchronous form. admin_core hands it the error's
/// details (message, flags) before completing, as it does kflow::use_awaitable's handler; it
/// passes them on to the composed operation, so per-topic messages carry the broker's text as in
/// the blocking form. Asio's associators see through it to `Inner`.
template <class Inner>
class ensure_step_handler {
  public:
    explicit ensure_step_handler(Inner inner) : inner_(std::move(inner)) {}

    void set_details(error_info info) { details_ = std::move(info); }

    template <class Result>
    void operator()(boost::system::error_code ec, Result result) {
        error_info err = std::move(details_);
        if (ec && !err.code)
            err.code = ec;
        std::move(inner_)(std::move(err), std::move(result));
    }

    using inner_handler_type = Inner;
    [[nodiscard]] const Inner& inner() const noexcept { return inner_; }

  private:
    Inner inner_;
    error_info details_;
};

/// The application's handler as the composed operation's: the operation completes with an
/// error_info, handed on through detail::complete, so kflow::use_awaitable throws kafka_error
/// with the message and any other handler gets the code. Asio's associators see through it.
template <class Handler>
class ensure_completion_handler {
  public:
    explicit ensure_completion_handler(Handler handler) : handler_(std::move(handler)) {}

    void operator()(error_info err, std::vector<topic_ensure_result> results) {
        complete(handler_, err, std::move(results));
    }

    using inner_handler_type = Handler;
    [[nodiscard]] const Handler& inner() const noexcept { return handler_; }

  private:
    Handler handler_;
};

/// The asynchronous form's state machine over ensure_topics_plan, for asio::async_compose.
class ensure_topics_op {
  public:
    ensure_topics_op(admin_client& admin, ensure_topics_plan plan, admin_options options)
        : admin_(&admin), plan_(std::move(plan)), options_(options) {}

    /// Starts the next request, or completes when there is none.
    template <class Self>
    void operator()(Self& self) {
        if (!started_) {
            started_ = true;
            if (plan_.next() == ensure_step::done) {
                // Nothing to ask (no specs): complete later, never inside the initiating call.
                asio::post(std::move(self));
                return;
            }
        }
        // Everything the request needs is taken out of the plan before next(self) moves the
        // plan, with the rest of this operation, into the request's handler.
        admin_view admin = admin_->with(options_);
        switch (plan_.next()) {
            case ensure_step::describe_topics: {
                auto names = plan_.topic_names();
                admin.async_describe_topics(std::move(names), next(self));
                return;
            }
            case ensure_step::describe_configs: {
                auto resources = plan_.configs_to_describe();
                admin.async_describe_configs(std::move(resources), next(self));
                return;
            }
            case ensure_step::create_topics: {
                auto specs = plan_.topics_to_create();
                admin.async_create_topics(std::move(specs), next(self));
                return;
            }
            case ensure_step::add_partitions: {
                auto partitions = plan_.partitions_to_add();
                admin.async_create_partitions(std::move(partitions), next(self));
                return;
            }
            case ensure_step::alter_incremental: {
                auto changes = plan_.incremental_alterations();
                admin.async_incremental_alter_configs(std::move(changes), next(self));
                return;
            }
            case ensure_step::alter_replace: {
                auto alterations = plan_.replacing_alterations();
                admin.async_alter_configs(std::move(alterations), next(self));
                return;
            }
            case ensure_step::done:
                self.complete(error_info(), std::move(plan_).results());
                return;
        }
    }

    template <class Self>
    void operator()(Self& self, error_info err, std::vector<topic_metadata> topics) {
        if (err) {
            // As in the blocking form: without the topics there is nothing to decide.
            self.complete(std::move(err), std::vector<topic_ensure_result>());
            return;
        }
        plan_.topics_described(topics);
        (*this)(self);
    }
    template <class Self>
    void operator()(Self& self, error_info err, std::vector<resource_configs> configs) {
        if (err)
            step_failed(err);
        else
            plan_.configs_described(configs);
        (*this)(self);
    }
    /// create_topics and create_partitions answer alike; the plan knows which step it is in.
    template <class Self>
    void operator()(Self& self, error_info err, std::vector<item_result> items) {
        if (err)
            step_failed(err);
        else if (plan_.next() == ensure_step::create_topics)
            plan_.topics_created(items);
        else
            plan_.partitions_added(items);
        (*this)(self);
    }
    template <class Self>
    void operator()(Self& self, error_info err, std::vector<config_result> results) {
        if (err)
            step_failed(err);
        else
            plan_.configs_altered(results);
        (*this)(self);
    }

  private:
    /// `self` as the handler of the next admin request. Its executor is the composed
    /// operation's, which tracks outstanding work; the admin client may keep the executor of a
    /// request's handler for later requests (its event bridge does), and a tracked one would keep
    /// io_context::run() from ever returning. The composed operation's own work guard keeps the
    /// executor busy until it completes.
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
    ensure_topics_plan plan_;
    admin_options options_;
    bool started_ = false;
};

/// Starts the composed operation on the handler's executor (else the admin client's), as the
/// admin client's own operations do; exposes the client's executor to token adapters.
struct ensure_topics_initiation {
    admin_client* admin;

    using executor_type = asio::any_io_executor;
    [[nodiscard]] executor_type get_executor() const noexcept { return admin->get_executor(); }

    template <class Handler>
    void operator()(Handler&& handler, ensure_topics_plan plan, admin_options options) const {
        auto ex = asio::get_associated_executor(handler, admin->get_executor());
        if (!ex) {
            // Nowhere to run the handler but Asio's system executor: fail there.
            asio::post(asio::system_executor(), [h = std::forward<Handler>(handler)]() mutable {
                complete(h,
                         error_info{make_error_code(errc::invalid_config),
                                    "async_ensure_topics: the admin client has no executor: "
                                    "construct it with one or bind one to the completion handler "
                                    "(asio::bind_executor)",
                                    {}},
                         std::vector<topic_ensure_result>());
            });
            return;
        }
        ensure_completion_handler<std::decay_t<Handler>> completion(std::forward<Handler>(handler));
        asio::async_compose<decltype(completion),
                            void(error_info, std::vector<topic_ensure_result>)>(
            ensure_topics_op(*admin, std::move(plan), options), completion, ex);
    }
};

}  // namespace detail

/// The asynchronous form: completes with void(boost::system::error_code,
/// std::vector<topic_ensure_result>) on the handler's associated executor (else the admin
/// client's); under kflow::use_awaitable, `co_await` throws kafka_error with the message where
/// the throwing form throws. Throws topic_spec_error at once for an invalid spec. Later requests'
/// failures are per topic, with the broker's message as in the blocking form. `admin` must
/// outlive the operation; cancelling it cancels the admin request in flight, which completes the
/// whole operation with that error only if it was the first step.
template <
    asio::completion_token_for<void(boost::system::error_code, std::vector<topic_ensure_result>)>
        Token = kflow::use_awaitable_t>
auto async_ensure_topics(admin_client& admin, const std::vector<topic_spec>& specs,
                         const ensure_options& options = {},
                         Token&& token = kflow::use_awaitable_t{}) {
    detail::ensure_topics_plan plan(specs, options.add_partitions, options.alter_configs);
    return asio::async_initiate<Token,
                                void(boost::system::error_code, std::vector<topic_ensure_result>)>(
        detail::ensure_topics_initiation{&admin}, token, std::move(plan),
        detail::ensure_admin_options(admin, options));
}

}  // namespace kflow

namespace boost::asio {

/// Asio's associators (executor, allocator, cancellation slot) see through the asynchronous
/// ensure_topics' handler adapters to the handler they wrap.
template <template <class, class> class Associator, class Inner, class DefaultCandidate>
struct associator<Associator, kflow::detail::ensure_step_handler<Inner>, DefaultCandidate>
    : Associator<Inner, DefaultCandidate> {
    static typename Associator<Inner, DefaultCandidate>::type get(
        const kflow::detail::ensure_step_handler<Inner>& h) noexcept {
        return Associator<Inner, DefaultCandidate>::get(h.inner());
    }
    static auto get(const kflow::detail::ensure_step_handler<Inner>& h,
                    const DefaultCandidate& c) noexcept
        -> decltype(Associator<Inner, DefaultCandidate>::get(h.inner(), c)) {
        return Associator<Inner, DefaultCandidate>::get(h.inner(), c);
    }
};

/// As above, for the handler the composed operation completes.
template <template <class, class> class Associator, class Handler, class DefaultCandidate>
struct associator<Associator, kflow::detail::ensure_completion_handler<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
    static typename Associator<Handler, DefaultCandidate>::type get(
        const kflow::detail::ensure_completion_handler<Handler>& h) noexcept {
        return Associator<Handler, DefaultCandidate>::get(h.inner());
    }
    static auto get(const kflow::detail::ensure_completion_handler<Handler>& h,
                    const DefaultCandidate& c) noexcept
        -> decltype(Associator<Handler, DefaultCandidate>::get(h.inner(), c)) {
        return Associator<Handler, DefaultCandidate>::get(h.inner(), c);
    }
};

}  // namespace boost::asio
