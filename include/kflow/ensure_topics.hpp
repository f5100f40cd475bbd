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
// Errors: request-level failures of the first step (describing the topics: nothing reachable,
// timeout) fail the call: the error_code form sets ec, the throwing form throws kafka_error, the
// asynchronous form completes with the error. Invalid specs fail the call before anything is
// sent (topic_spec_error, errc::invalid_config). Everything later is per topic: a topic whose
// creation or change failed has outcome failed with the error and message, and configs that
// could not be read back (the broker does not support DescribeConfigs, as with librdkafka's mock
// cluster, or denies it) are reported in configs_error, never as matching.

#include <kflow/admin_client.hpp>
#include <kflow/detail/ensure_topics_plan.hpp>
#include <kflow/topic_ensure_result.hpp>
#include <kflow/topic_spec.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/system/error_code.hpp>

#include <optional>
#include <system_error>
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

/// Runs one blocking admin request for the plan: its answer goes to `take`, a failure of the
/// request as a whole to the plan with its full message.
template <class Call, class Take>
void run_step(ensure_topics_plan& plan, Call&& call, Take&& take) {
    try {
        take(call());
    } catch (const topic_spec_error&) {
        throw;
    } catch (const kafka_error& e) {
        plan.step_failed(e.code(), e.what());
    }
}

}  // namespace detail

/// Ensures every topic of `specs` exists as specified (see the top of this file). One result
/// per spec, in spec order. Throws topic_spec_error for an invalid spec and kafka_error when the
/// topics cannot be described at all.
[[nodiscard]] inline std::vector<topic_ensure_result> ensure_topics(
    admin_client& admin, const std::vector<topic_spec>& specs, const ensure_options& options = {}) {
    detail::ensure_topics_plan plan(specs, options.add_partitions, options.alter_configs);
    const admin_options o = detail::ensure_admin_options(admin, options);
    while (plan.next() != detail::ensure_step::done) {
        switch (plan.next()) {
            case detail::ensure_step::describe_topics:
                // Without knowing which topics exist there is nothing to decide: fail the call.
                plan.topics_described(admin.describe_topics(plan.topic_names(), o));
                break;
            case detail::ensure_step::describe_configs:
                detail::run_step(
                    plan, [&] { return admin.describe_configs(plan.configs_to_describe(), o); },
                    [&](const auto& r) { plan.configs_described(r); });
                break;
            case detail::ensure_step::create_topics:
                detail::run_step(
                    plan, [&] { return admin.create_topics(plan.topics_to_create(), o); },
                    [&](const auto& r) { plan.topics_created(r); });
                break;
            case detail::ensure_step::add_partitions:
                detail::run_step(
                    plan, [&] { return admin.create_partitions(plan.partitions_to_add(), o); },
                    [&](const auto& r) { plan.partitions_added(r); });
                break;
            case detail::ensure_step::alter_incremental:
                detail::run_step(
                    plan,
                    [&] {
                        return admin.incremental_alter_configs(plan.incremental_alterations(), o);
                    },
                    [&](const auto& r) { plan.configs_altered(r); });
                break;
            case detail::ensure_step::alter_replace:
                detail::run_step(
                    plan, [&] { return admin.alter_configs(plan.replacing_alterations(), o); },
                    [&](const auto& r) { plan.configs_altered(r); });
                break;
            case detail::ensure_step::done:
                break;
        }
    }
    return std::move(plan).results();
}

/// The error_code form: `ec` is set (and the result empty) where the throwing form throws;
/// per-topic failures are in the results as there.
[[nodiscard]] inline std::vector<topic_ensure_result> ensure_topics(
    admin_client& admin, const std::vector<topic_spec>& specs, const ensure_options& options,
    std::error_code& ec) {
    ec.clear();
    try {
        return ensure_topics(admin, specs, options);
    } catch (const kafka_error& e) {
        ec = e.code();
        return {};
    }
}
/// As above, with the default ensure_options (create missing topics; report differences, change
/// nothing).
[[nodiscard]] inline std::vector<topic_ensure_result> ensure_topics(
    admin_client& admin, const std::vector<topic_spec>& specs, std::error_code& ec) {
    return ensure_topics(admin, specs, ensure_options{}, ec);
}

namespace detail {

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
        const admin_options options = options_;
        switch (plan_.next()) {
            case ensure_step::describe_topics: {
                auto names = plan_.topic_names();
                admin_->async_describe_topics(std::move(names), options, next(self));
                return;
            }
            case ensure_step::describe_configs: {
                auto resources = plan_.configs_to_describe();
                admin_->async_describe_configs(std::move(resources), options, next(self));
                return;
            }
            case ensure_step::create_topics: {
                auto specs = plan_.topics_to_create();
                admin_->async_create_topics(std::move(specs), options, next(self));
                return;
            }
            case ensure_step::add_partitions: {
                auto partitions = plan_.partitions_to_add();
                admin_->async_create_partitions(std::move(partitions), options, next(self));
                return;
            }
            case ensure_step::alter_incremental: {
                auto changes = plan_.incremental_alterations();
                admin_->async_incremental_alter_configs(std::move(changes), options, next(self));
                return;
            }
            case ensure_step::alter_replace: {
                auto alterations = plan_.replacing_alterations();
                admin_->async_alter_configs(std::move(alterations), options, next(self));
                return;
            }
            case ensure_step::done:
                self.complete(boost::system::error_code(), std::move(plan_).results());
                return;
        }
    }

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec, std::vector<topic_metadata> topics) {
        if (ec) {
            // As in the blocking form: without the topics there is nothing to decide.
            self.complete(ec, std::vector<topic_ensure_result>());
            return;
        }
        plan_.topics_described(topics);
        (*this)(self);
    }
    template <class Self>
    void operator()(Self& self, boost::system::error_code ec,
                    std::vector<resource_configs> configs) {
        if (ec)
            plan_.step_failed(ec, message_of(ec));
        else
            plan_.configs_described(configs);
        (*this)(self);
    }
    /// create_topics and create_partitions answer alike; the plan knows which step it is in.
    template <class Self>
    void operator()(Self& self, boost::system::error_code ec, std::vector<item_result> items) {
        if (ec)
            plan_.step_failed(ec, message_of(ec));
        else if (plan_.next() == ensure_step::create_topics)
            plan_.topics_created(items);
        else
            plan_.partitions_added(items);
        (*this)(self);
    }
    template <class Self>
    void operator()(Self& self, boost::system::error_code ec, std::vector<config_result> results) {
        if (ec)
            plan_.step_failed(ec, message_of(ec));
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
        return asio::bind_executor(
            asio::prefer(self.get_executor(), asio::execution::outstanding_work.untracked),
            std::move(self));
    }

    // The asynchronous admin forms report a request-level failure by its code alone.
    [[nodiscard]] std::string message_of(const boost::system::error_code& ec) const {
        return std::string(plan_.request_name()) + ": " + ec.message();
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
                std::move(h)(boost::system::error_code(make_error_code(errc::invalid_config)),
                             std::vector<topic_ensure_result>());
            });
            return;
        }
        asio::async_compose<Handler,
                            void(boost::system::error_code, std::vector<topic_ensure_result>)>(
            ensure_topics_op(*admin, std::move(plan), options), handler, ex);
    }
};

}  // namespace detail

/// The asynchronous form: completes with void(boost::system::error_code,
/// std::vector<topic_ensure_result>) on the handler's associated executor (else the admin
/// client's). Throws topic_spec_error at once for an invalid spec. Request-level failures of
/// later steps are per topic, with the error's message (the asynchronous admin forms carry no
/// broker text). `admin` must outlive the operation; cancelling it cancels the admin request in
/// flight, which completes the whole operation with that error only if it was the first step.
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
