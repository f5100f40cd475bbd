#pragma once
// kflow::admin_client, and kflow::admin_view: the same client with other admin_options.

#include <kflow/admin/config.hpp>
#include <kflow/admin/detail/core.hpp>
#include <kflow/admin/operations.hpp>
#include <kflow/admin/options.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <type_traits>
#include <utility>

namespace kflow {

namespace asio = boost::asio;

class admin_client;

namespace detail {
struct admin_access;
}  // namespace detail

/// An admin_client's operations with other admin_options than its defaults():
/// `admin.with(admin_options(5s).validating()).create_topics(specs)`. admin_client::with()
/// returns one.
///
/// A light view: it refers to the client and holds a copy of the options. Use it while the client
/// lives; an asynchronous operation started through it needs neither the view nor its options
/// afterwards. Cheap to copy, and trivially destructible, so `co_await
/// admin.with(admin_options(5s)).async_create_topics(specs)` is safe with g++ 12 (which destroys
/// non-trivial temporaries of a co_await expression twice).
class admin_view : public admin_operations<admin_view> {
  public:
    /// `client`'s operations with `options`.
    admin_view(admin_client& client, const admin_options& options) noexcept
        : client_(&client), options_(options) {}

    /// The options every operation of this view uses.
    [[nodiscard]] const admin_options& options() const noexcept { return options_; }
    /// The client the operations run on.
    [[nodiscard]] admin_client& client() const noexcept { return *client_; }

  private:
    friend class admin_operations<admin_view>;
    [[nodiscard]] const admin_options& bound_options() const noexcept { return options_; }
    [[nodiscard]] const std::shared_ptr<detail::admin_core>& core() const noexcept;

    admin_client* client_;
    admin_options options_;
};
static_assert(std::is_trivially_destructible_v<admin_view>,
              "admin_view is built inline in co_await expressions; see its comment");

/// Kafka admin client: topics, partitions, configs, consumer groups, offsets, records, ACLs and
/// the cluster itself.
///
/// ```cpp
/// kflow::admin_client admin(io.get_executor(), kflow::admin_config().bootstrap_servers(b));
/// auto results = admin.create_topics({kflow::topic_spec("orders", 6, 3)});
/// kflow::throw_if_any_failed(results, "creating topics");
/// auto groups = co_await admin.async_list_consumer_groups();
/// auto checked = admin.with(kflow::admin_options(5s).validating()).create_topics(specs);
/// ```
///
/// Every operation comes in three forms:
/// - `R op(args)` throws kflow::kafka_error (code, the broker's or librdkafka's message, flags);
/// - `R op(args, kflow::error_info& err)` sets `err` (code, message, flags) instead and leaves the
///   result empty; on success it resets `err` to empty;
/// - `async_op(args, token)` takes any Asio completion token, default kflow::use_awaitable, and
///   completes with `void(boost::system::error_code, R)` on the handler's associated executor,
///   else the client's. Under kflow::use_awaitable `co_await` returns R and throws kafka_error
///   with the message, as the throwing form does.
///
/// The client's own operations use its defaults() (admin_config::default_options);
/// `with(options)` returns an admin_view with the same operations using `options`.
///
/// Batches (create three topics, delete two groups...) return one result per item, each with its
/// own error_code and message. All three forms report only request-level failures (nothing
/// reachable, timeout, the broker does not support the request, invalid input); an item the
/// broker refused is in the results: check them, or call throw_if_any_failed(). Nothing is
/// reported as done that the broker did not confirm. Invalid input (an empty name, an item named
/// twice, an empty batch where one is required) fails the whole call with
/// RD_KAFKA_RESP_ERR__INVALID_ARG before anything is sent.
///
/// Timeouts: admin_options::request_timeout bounds each call (default 30 s); the blocking forms
/// wait at most that plus a 5 s margin for librdkafka's own timeout result. Most admin requests
/// first read the cluster's metadata to find the controller, which the request timeout bounds
/// as well. Operations served by blocking librdkafka calls apply the request timeout to each
/// call: list_offsets to each partition, consumer_group_lag to each of its steps.
///
/// Asynchronous forms: handlers run on their associated executor (else the client's), never on a
/// librdkafka thread. Admin requests are woken through librdkafka's queue events; operations that
/// librdkafka serves with blocking calls (list/describe topics, describe_cluster, watermarks,
/// list_offsets, consumer_group_lag) run one at a time on a worker thread of the client.
/// Per-operation cancellation (any type) of the other operations completes them at once with
/// asio::error::operation_aborted; a request already sent still runs on the broker. The
/// operations run on the worker thread cannot be cancelled: they complete when their blocking
/// calls return.
///
/// Thread safety: every operation may be called from any thread, concurrently. Destruction must
/// not race with calls; it fails outstanding asynchronous operations with errc::closed (waiting
/// for a blocking call in progress, bounded by its request timeout).
///
/// librdkafka version: operations newer librdkafka added and 2.0.2 lacks exist in every build;
/// built against an older librdkafka they fail with errc::unsupported_by_librdkafka naming the
/// version needed (incremental_alter_configs, describe_user_scram_credentials and
/// alter_user_scram_credentials: 2.2.0; elect_leaders: 2.6.0). describe_topics, describe_cluster
/// and list_offsets are served from Metadata and ListOffsets, which every librdkafka has.
class admin_client : public admin_operations<admin_client> {
  public:
    /// The executor asynchronous operations complete on when their handler has none of its own.
    using executor_type = asio::any_io_executor;

    /// A client whose asynchronous operations complete on `executor` (unless their handler has
    /// an executor of its own). Throws kafka_error (errc::invalid_config) when librdkafka cannot
    /// create a client from `config`.
    admin_client(executor_type executor, const admin_config& config)
        : core_(detail::admin_core::create(config, std::move(executor))) {}
    /// A client for the blocking forms; asynchronous calls need a handler with an associated
    /// executor (a coroutine's, or asio::bind_executor), else they fail with errc::invalid_config.
    explicit admin_client(const admin_config& config)
        : core_(detail::admin_core::create(config, executor_type())) {}

    /// Takes over `other`'s librdkafka client and outstanding operations; `other` may then only
    /// be destroyed or assigned to.
    admin_client(admin_client&&) noexcept = default;
    /// Takes over `other`'s client; the client this one held is closed as by the destructor.
    admin_client& operator=(admin_client&&) noexcept = default;
    /// Closes the client: outstanding asynchronous operations complete with errc::closed, a
    /// blocking call running on the worker thread is waited for (bounded by its request
    /// timeout), then the librdkafka client is destroyed. Must not race with other calls.
    ~admin_client() {
        if (core_)
            core_->close();
    }

    /// The executor given at construction; empty for a client built without one.
    [[nodiscard]] executor_type get_executor() const noexcept { return core_->executor(); }
    /// librdkafka's client (created as a producer) for calls kflow does not wrap. Owned by the
    /// admin_client: valid until it is destroyed, never to be destroyed by the caller.
    [[nodiscard]] rd_kafka_t* native_handle() const noexcept { return core_->native(); }
    /// The options of the client's own operations (admin_config::default_options).
    [[nodiscard]] const admin_options& defaults() const noexcept {
        return core_->default_options();
    }
    /// This client's operations with `options` instead of defaults(), e.g.
    /// `admin.with(admin_options(5s)).delete_topics({"orders"})`. The view refers to this client:
    /// see admin_view.
    [[nodiscard]] admin_view with(const admin_options& options) noexcept {
        return admin_view(*this, options);
    }

  private:
    friend class admin_operations<admin_client>;
    friend class admin_view;
    // Operations written outside admin_operations (cluster_health) run through the same core.
    friend struct detail::admin_access;
    [[nodiscard]] const admin_options& bound_options() const noexcept { return defaults(); }
    [[nodiscard]] const std::shared_ptr<detail::admin_core>& core() const noexcept { return core_; }

    std::shared_ptr<detail::admin_core> core_;
};

inline const std::shared_ptr<detail::admin_core>& admin_view::core() const noexcept {
    return client_->core_;
}

}  // namespace kflow
