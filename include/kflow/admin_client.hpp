#pragma once

#include <kflow/admin_acls.hpp>
#include <kflow/admin_config.hpp>
#include <kflow/admin_configs.hpp>
#include <kflow/admin_groups.hpp>
#include <kflow/admin_leaders.hpp>
#include <kflow/admin_offsets.hpp>
#include <kflow/admin_options.hpp>
#include <kflow/admin_results.hpp>
#include <kflow/admin_scram.hpp>
#include <kflow/admin_topics.hpp>
#include <kflow/detail/admin_acl_requests.hpp>
#include <kflow/detail/admin_config_requests.hpp>
#include <kflow/detail/admin_core.hpp>
#include <kflow/detail/admin_group_requests.hpp>
#include <kflow/detail/admin_leader_requests.hpp>
#include <kflow/detail/admin_metadata_requests.hpp>
#include <kflow/detail/admin_record_requests.hpp>
#include <kflow/detail/admin_scram_requests.hpp>
#include <kflow/detail/admin_topic_requests.hpp>
#include <kflow/metadata.hpp>
#include <kflow/topic_partition.hpp>
#include <kflow/topic_spec.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace kflow {

namespace asio = boost::asio;

/// Kafka admin client: topics, partitions, configs, consumer groups, offsets, records, ACLs and
/// the cluster itself.
///
/// ```cpp
/// kflow::admin_client admin(io.get_executor(), kflow::admin_config().bootstrap_servers(b));
/// auto results = admin.create_topics({kflow::topic_spec("orders", 6, 3)});
/// kflow::throw_if_any_failed(results, "creating topics");
/// auto groups = co_await admin.async_list_consumer_groups();
/// ```
///
/// Every operation comes in four forms (plus the same with explicit admin_options):
/// - `R op(args, std::error_code& ec)` sets `ec` (details are in the throwing form's exception);
/// - `R op(args)` throws kflow::kafka_error with the broker's message;
/// - `async_op(args, token)` takes any Asio completion token, default kflow::use_awaitable, and
///   completes with `void(boost::system::error_code, R)`.
///
/// The forms without admin_options use the client's defaults() (admin_config::default_options).
///
/// Batches (create three topics, delete two groups...) return one result per item, each with its
/// own error_code and message. The error_code and throwing forms report only request-level
/// failures (nothing reachable, timeout, the broker does not support the request, invalid input);
/// an item the broker refused is in the results: check them, or call throw_if_any_failed().
/// Nothing is reported as done that the broker did not confirm. Invalid input (an empty name,
/// an item named twice, an empty batch where one is required) fails the whole call with
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
class admin_client {
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
    /// The options of calls that pass none (admin_config::default_options).
    [[nodiscard]] const admin_options& defaults() const noexcept {
        return core_->default_options();
    }

    /// Creates topics (partitions and replication factor, or an explicit replica assignment, and
    /// topic configs). One item_result per topic; with options.validate_only the broker only
    /// checks.
    /// Kafka's CreateTopics, sent to the controller; options.operation_timeout is how long the
    /// broker waits for the new topics to spread through the cluster. A topic that already
    /// exists comes back with TOPIC_ALREADY_EXISTS; an invalid name or count fails the whole call
    /// before sending.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<item_result> create_topics(std::vector<topic_spec> topics,
                                                         const admin_options& options,
                                                         std::error_code& ec) {
        return run_sync(detail::create_topics_request{std::move(topics)}, options, ec);
    }
    /// create_topics() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<item_result> create_topics(std::vector<topic_spec> topics,
                                                         std::error_code& ec) {
        return create_topics(std::move(topics), defaults(), ec);
    }
    /// create_topics() that throws kafka_error, carrying the broker's or librdkafka's message, on a
    /// request-level failure.
    [[nodiscard]] std::vector<item_result> create_topics(std::vector<topic_spec> topics,
                                                         const admin_options& options) {
        return run_or_throw(detail::create_topics_request{std::move(topics)}, options);
    }
    /// create_topics() with the client's defaults(), throwing kafka_error on a request-level
    /// failure.
    [[nodiscard]] std::vector<item_result> create_topics(std::vector<topic_spec> topics) {
        return create_topics(std::move(topics), defaults());
    }
    /// Starts create_topics() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<item_result>)` on the handler's associated
    /// executor, else the client's. With the default kflow::use_awaitable, `co_await` returns the
    /// result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_topics(std::vector<topic_spec> topics, const admin_options& options,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_topics_request{std::move(topics)}, options,
                        std::forward<Token>(token));
    }
    /// Starts create_topics() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_topics(std::vector<topic_spec> topics,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_topics_request{std::move(topics)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Deletes topics. One item_result per topic.
    /// Kafka's DeleteTopics, sent to the controller: the topics and all their records are gone.
    /// A missing topic comes back with UNKNOWN_TOPIC_OR_PART; a broker with
    /// delete.topic.enable=false refuses with TOPIC_DELETION_DISABLED.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<item_result> delete_topics(std::vector<std::string> topics,
                                                         const admin_options& options,
                                                         std::error_code& ec) {
        return run_sync(detail::delete_topics_request{std::move(topics)}, options, ec);
    }
    /// delete_topics() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<item_result> delete_topics(std::vector<std::string> topics,
                                                         std::error_code& ec) {
        return delete_topics(std::move(topics), defaults(), ec);
    }
    /// delete_topics() that throws kafka_error, carrying the broker's or librdkafka's message, on a
    /// request-level failure.
    [[nodiscard]] std::vector<item_result> delete_topics(std::vector<std::string> topics,
                                                         const admin_options& options) {
        return run_or_throw(detail::delete_topics_request{std::move(topics)}, options);
    }
    /// delete_topics() with the client's defaults(), throwing kafka_error on a request-level
    /// failure.
    [[nodiscard]] std::vector<item_result> delete_topics(std::vector<std::string> topics) {
        return delete_topics(std::move(topics), defaults());
    }
    /// Starts delete_topics() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<item_result>)` on the handler's associated
    /// executor, else the client's. With the default kflow::use_awaitable, `co_await` returns the
    /// result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_topics(std::vector<std::string> topics, const admin_options& options,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_topics_request{std::move(topics)}, options,
                        std::forward<Token>(token));
    }
    /// Starts delete_topics() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_topics(std::vector<std::string> topics,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_topics_request{std::move(topics)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Raises topics' partition counts. One item_result per topic.
    /// Kafka's CreatePartitions, sent to the controller; see partitions_spec. A count not larger
    /// than the current one comes back with INVALID_PARTITIONS; options.validate_only only checks.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<item_result> create_partitions(std::vector<partitions_spec> topics,
                                                             const admin_options& options,
                                                             std::error_code& ec) {
        return run_sync(detail::create_partitions_request{std::move(topics)}, options, ec);
    }
    /// create_partitions() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<item_result> create_partitions(std::vector<partitions_spec> topics,
                                                             std::error_code& ec) {
        return create_partitions(std::move(topics), defaults(), ec);
    }
    /// create_partitions() that throws kafka_error, carrying the broker's or librdkafka's message,
    /// on a request-level failure.
    [[nodiscard]] std::vector<item_result> create_partitions(std::vector<partitions_spec> topics,
                                                             const admin_options& options) {
        return run_or_throw(detail::create_partitions_request{std::move(topics)}, options);
    }
    /// create_partitions() with the client's defaults(), throwing kafka_error on a request-level
    /// failure.
    [[nodiscard]] std::vector<item_result> create_partitions(std::vector<partitions_spec> topics) {
        return create_partitions(std::move(topics), defaults());
    }
    /// Starts create_partitions() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<item_result>)` on the handler's associated
    /// executor, else the client's. With the default kflow::use_awaitable, `co_await` returns the
    /// result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_partitions(std::vector<partitions_spec> topics, const admin_options& options,
                                 Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_partitions_request{std::move(topics)}, options,
                        std::forward<Token>(token));
    }
    /// Starts create_partitions() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_partitions(std::vector<partitions_spec> topics,
                                 Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_partitions_request{std::move(topics)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Every topic with its partitions, leaders, replicas and in-sync replicas, sorted by name
    /// (internal topics such as `__consumer_offsets` only when include_internal).
    /// Read from one Metadata request for all topics, which never auto-creates a topic; topics
    /// whose names start with `__` count as internal. Partitions are sorted by id.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<topic_metadata> list_topics(bool include_internal,
                                                          const admin_options& options,
                                                          std::error_code& ec) {
        return run_sync(detail::list_topics_request{include_internal}, options, ec);
    }
    /// list_topics() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<topic_metadata> list_topics(bool include_internal,
                                                          std::error_code& ec) {
        return list_topics(include_internal, defaults(), ec);
    }
    /// list_topics() that throws kafka_error, carrying the broker's or librdkafka's message, on a
    /// request-level failure.
    [[nodiscard]] std::vector<topic_metadata> list_topics(bool include_internal,
                                                          const admin_options& options) {
        return run_or_throw(detail::list_topics_request{include_internal}, options);
    }
    /// list_topics() with the client's defaults(), throwing kafka_error on a request-level failure.
    [[nodiscard]] std::vector<topic_metadata> list_topics(bool include_internal) {
        return list_topics(include_internal, defaults());
    }
    /// Starts list_topics() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<topic_metadata>)` on the handler's associated
    /// executor, else the client's. With the default kflow::use_awaitable, `co_await` returns the
    /// result and throws kafka_error on failure. Runs on the client's worker thread, one such
    /// operation at a time, and cannot be cancelled.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<topic_metadata>)>
            Token = kflow::use_awaitable_t>
    auto async_list_topics(bool include_internal, const admin_options& options,
                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_topics_request{include_internal}, options,
                        std::forward<Token>(token));
    }
    /// Starts list_topics() asynchronously with the client's defaults().
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<topic_metadata>)>
            Token = kflow::use_awaitable_t>
    auto async_list_topics(bool include_internal, Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_topics_request{include_internal}, defaults(),
                        std::forward<Token>(token));
    }

    /// The named topics' metadata, in the order asked; a topic the cluster does not have is
    /// reported with UNKNOWN_TOPIC_OR_PART (asking never auto-creates it).
    /// Read from one Metadata request for all topics.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<topic_metadata> describe_topics(std::vector<std::string> topics,
                                                              const admin_options& options,
                                                              std::error_code& ec) {
        return run_sync(detail::describe_topics_request{std::move(topics)}, options, ec);
    }
    /// describe_topics() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<topic_metadata> describe_topics(std::vector<std::string> topics,
                                                              std::error_code& ec) {
        return describe_topics(std::move(topics), defaults(), ec);
    }
    /// describe_topics() that throws kafka_error, carrying the broker's or librdkafka's message, on
    /// a request-level failure.
    [[nodiscard]] std::vector<topic_metadata> describe_topics(std::vector<std::string> topics,
                                                              const admin_options& options) {
        return run_or_throw(detail::describe_topics_request{std::move(topics)}, options);
    }
    /// describe_topics() with the client's defaults(), throwing kafka_error on a request-level
    /// failure.
    [[nodiscard]] std::vector<topic_metadata> describe_topics(std::vector<std::string> topics) {
        return describe_topics(std::move(topics), defaults());
    }
    /// Starts describe_topics() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<topic_metadata>)` on the handler's associated
    /// executor, else the client's. With the default kflow::use_awaitable, `co_await` returns the
    /// result and throws kafka_error on failure. Runs on the client's worker thread, one such
    /// operation at a time, and cannot be cancelled.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<topic_metadata>)>
            Token = kflow::use_awaitable_t>
    auto async_describe_topics(std::vector<std::string> topics, const admin_options& options,
                               Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_topics_request{std::move(topics)}, options,
                        std::forward<Token>(token));
    }
    /// Starts describe_topics() asynchronously with the client's defaults().
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<topic_metadata>)>
            Token = kflow::use_awaitable_t>
    auto async_describe_topics(std::vector<std::string> topics,
                               Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_topics_request{std::move(topics)}, defaults(),
                        std::forward<Token>(token));
    }

    /// The cluster id, its brokers and the controller.
    /// Read from one Metadata request; brokers are sorted by id, and controller_id is -1 when the
    /// cluster names none.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] cluster_description describe_cluster(const admin_options& options,
                                                       std::error_code& ec) {
        return run_sync(detail::describe_cluster_request{}, options, ec);
    }
    /// describe_cluster() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] cluster_description describe_cluster(std::error_code& ec) {
        return describe_cluster(defaults(), ec);
    }
    /// describe_cluster() that throws kafka_error, carrying the broker's or librdkafka's message,
    /// on a request-level failure.
    [[nodiscard]] cluster_description describe_cluster(const admin_options& options) {
        return run_or_throw(detail::describe_cluster_request{}, options);
    }
    /// describe_cluster() with the client's defaults(), throwing kafka_error on a request-level
    /// failure.
    [[nodiscard]] cluster_description describe_cluster() { return describe_cluster(defaults()); }
    /// Starts describe_cluster() asynchronously; completes with
    /// `void(boost::system::error_code, cluster_description)` on the handler's associated executor,
    /// else the client's. With the default kflow::use_awaitable, `co_await` returns the result and
    /// throws kafka_error on failure. Runs on the client's worker thread, one such operation at a
    /// time, and cannot be cancelled.
    template <asio::completion_token_for<void(boost::system::error_code, cluster_description)>
                  Token = kflow::use_awaitable_t>
    auto async_describe_cluster(const admin_options& options,
                                Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_cluster_request{}, options, std::forward<Token>(token));
    }
    /// Starts describe_cluster() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, cluster_description)>
                  Token = kflow::use_awaitable_t>
    auto async_describe_cluster(Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_cluster_request{}, defaults(), std::forward<Token>(token));
    }

    /// A partition's low and high watermarks, asked of its leader.
    /// The low watermark is the first offset still stored, the high watermark the offset the
    /// next record will get (Kafka's ListOffsets). Any error, e.g. UNKNOWN_TOPIC_OR_PART or
    /// NOT_LEADER_FOR_PARTITION, fails the call.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] watermark_offsets watermarks(topic_partition partition,
                                               const admin_options& options, std::error_code& ec) {
        return run_sync(detail::watermarks_request{std::move(partition)}, options, ec);
    }
    /// watermarks() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] watermark_offsets watermarks(topic_partition partition, std::error_code& ec) {
        return watermarks(std::move(partition), defaults(), ec);
    }
    /// watermarks() that throws kafka_error, carrying the broker's or librdkafka's message, on a
    /// request-level failure.
    [[nodiscard]] watermark_offsets watermarks(topic_partition partition,
                                               const admin_options& options) {
        return run_or_throw(detail::watermarks_request{std::move(partition)}, options);
    }
    /// watermarks() with the client's defaults(), throwing kafka_error on a request-level failure.
    [[nodiscard]] watermark_offsets watermarks(topic_partition partition) {
        return watermarks(std::move(partition), defaults());
    }
    /// Starts watermarks() asynchronously; completes with
    /// `void(boost::system::error_code, watermark_offsets)` on the handler's associated executor,
    /// else the client's. With the default kflow::use_awaitable, `co_await` returns the result and
    /// throws kafka_error on failure. Runs on the client's worker thread, one such operation at a
    /// time, and cannot be cancelled.
    template <asio::completion_token_for<void(boost::system::error_code, watermark_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_watermarks(topic_partition partition, const admin_options& options,
                          Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::watermarks_request{std::move(partition)}, options,
                        std::forward<Token>(token));
    }
    /// Starts watermarks() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, watermark_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_watermarks(topic_partition partition, Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::watermarks_request{std::move(partition)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Earliest, latest or by-time offsets of partitions; each partition reports its own error.
    /// One partition_offset_result per query, in the order asked; the partitions are asked one
    /// after another, each within the request timeout. An empty list, an empty topic name or a
    /// negative partition fails the whole call before sending.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<partition_offset_result> list_offsets(
        std::vector<offset_query> queries, const admin_options& options, std::error_code& ec) {
        return run_sync(detail::list_offsets_request{std::move(queries)}, options, ec);
    }
    /// list_offsets() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<partition_offset_result> list_offsets(
        std::vector<offset_query> queries, std::error_code& ec) {
        return list_offsets(std::move(queries), defaults(), ec);
    }
    /// list_offsets() that throws kafka_error, carrying the broker's or librdkafka's message, on a
    /// request-level failure.
    [[nodiscard]] std::vector<partition_offset_result> list_offsets(
        std::vector<offset_query> queries, const admin_options& options) {
        return run_or_throw(detail::list_offsets_request{std::move(queries)}, options);
    }
    /// list_offsets() with the client's defaults(), throwing kafka_error on a request-level
    /// failure.
    [[nodiscard]] std::vector<partition_offset_result> list_offsets(
        std::vector<offset_query> queries) {
        return list_offsets(std::move(queries), defaults());
    }
    /// Starts list_offsets() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<partition_offset_result>)` on the handler's
    /// associated executor, else the client's. With the default kflow::use_awaitable, `co_await`
    /// returns the result and throws kafka_error on failure. Runs on the client's worker thread,
    /// one such operation at a time, and cannot be cancelled.
    template <asio::completion_token_for<void(boost::system::error_code,
                                              std::vector<partition_offset_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_list_offsets(std::vector<offset_query> queries, const admin_options& options,
                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_offsets_request{std::move(queries)}, options,
                        std::forward<Token>(token));
    }
    /// Starts list_offsets() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code,
                                              std::vector<partition_offset_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_list_offsets(std::vector<offset_query> queries,
                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_offsets_request{std::move(queries)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Configs of topics, brokers or groups with their source and flags; one entry per resource.
    /// Kafka's DescribeConfigs. A resource that does not exist is reported in its entry's error
    /// (e.g. UNKNOWN_TOPIC_OR_PART); sensitive values come back without their value.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<resource_configs> describe_configs(
        std::vector<config_resource> resources, const admin_options& options, std::error_code& ec) {
        return run_sync(detail::describe_configs_request{std::move(resources)}, options, ec);
    }
    /// describe_configs() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<resource_configs> describe_configs(
        std::vector<config_resource> resources, std::error_code& ec) {
        return describe_configs(std::move(resources), defaults(), ec);
    }
    /// describe_configs() that throws kafka_error, carrying the broker's or librdkafka's message,
    /// on a request-level failure.
    [[nodiscard]] std::vector<resource_configs> describe_configs(
        std::vector<config_resource> resources, const admin_options& options) {
        return run_or_throw(detail::describe_configs_request{std::move(resources)}, options);
    }
    /// describe_configs() with the client's defaults(), throwing kafka_error on a request-level
    /// failure.
    [[nodiscard]] std::vector<resource_configs> describe_configs(
        std::vector<config_resource> resources) {
        return describe_configs(std::move(resources), defaults());
    }
    /// Starts describe_configs() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<resource_configs>)` on the handler's associated
    /// executor, else the client's. With the default kflow::use_awaitable, `co_await` returns the
    /// result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<resource_configs>)>
            Token = kflow::use_awaitable_t>
    auto async_describe_configs(std::vector<config_resource> resources,
                                const admin_options& options,
                                Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_configs_request{std::move(resources)}, options,
                        std::forward<Token>(token));
    }
    /// Starts describe_configs() asynchronously with the client's defaults().
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<resource_configs>)>
            Token = kflow::use_awaitable_t>
    auto async_describe_configs(std::vector<config_resource> resources,
                                Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_configs_request{std::move(resources)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Replaces resources' dynamic configs (Kafka's AlterConfigs: configs not given return to their
    /// defaults). Prefer incremental_alter_configs where librdkafka has it.
    /// One config_result per resource; options.validate_only only checks.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<config_result> alter_configs(
        std::vector<config_alteration> alterations, const admin_options& options,
        std::error_code& ec) {
        return run_sync(detail::alter_configs_request{std::move(alterations)}, options, ec);
    }
    /// alter_configs() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<config_result> alter_configs(
        std::vector<config_alteration> alterations, std::error_code& ec) {
        return alter_configs(std::move(alterations), defaults(), ec);
    }
    /// alter_configs() that throws kafka_error, carrying the broker's or librdkafka's message, on a
    /// request-level failure.
    [[nodiscard]] std::vector<config_result> alter_configs(
        std::vector<config_alteration> alterations, const admin_options& options) {
        return run_or_throw(detail::alter_configs_request{std::move(alterations)}, options);
    }
    /// alter_configs() with the client's defaults(), throwing kafka_error on a request-level
    /// failure.
    [[nodiscard]] std::vector<config_result> alter_configs(
        std::vector<config_alteration> alterations) {
        return alter_configs(std::move(alterations), defaults());
    }
    /// Starts alter_configs() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<config_result>)` on the handler's associated
    /// executor, else the client's. With the default kflow::use_awaitable, `co_await` returns the
    /// result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<config_result>)>
            Token = kflow::use_awaitable_t>
    auto async_alter_configs(std::vector<config_alteration> alterations,
                             const admin_options& options,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::alter_configs_request{std::move(alterations)}, options,
                        std::forward<Token>(token));
    }
    /// Starts alter_configs() asynchronously with the client's defaults().
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<config_result>)>
            Token = kflow::use_awaitable_t>
    auto async_alter_configs(std::vector<config_alteration> alterations,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::alter_configs_request{std::move(alterations)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Sets, removes, appends to or subtracts from single configs (KIP-339). Needs
    /// librdkafka 2.2.0: built against an older one it fails with errc::unsupported_by_librdkafka.
    /// Kafka's IncrementalAlterConfigs (brokers from Kafka 2.3): configs not named keep their
    /// values. One config_result per resource; options.validate_only only checks.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<config_result> incremental_alter_configs(
        std::vector<incremental_config_alteration> alterations, const admin_options& options,
        std::error_code& ec) {
        return run_sync(detail::incremental_alter_configs_request{std::move(alterations)}, options,
                        ec);
    }
    /// incremental_alter_configs() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<config_result> incremental_alter_configs(
        std::vector<incremental_config_alteration> alterations, std::error_code& ec) {
        return incremental_alter_configs(std::move(alterations), defaults(), ec);
    }
    /// incremental_alter_configs() that throws kafka_error, carrying the broker's or librdkafka's
    /// message, on a request-level failure.
    [[nodiscard]] std::vector<config_result> incremental_alter_configs(
        std::vector<incremental_config_alteration> alterations, const admin_options& options) {
        return run_or_throw(detail::incremental_alter_configs_request{std::move(alterations)},
                            options);
    }
    /// incremental_alter_configs() with the client's defaults(), throwing kafka_error on a
    /// request-level failure.
    [[nodiscard]] std::vector<config_result> incremental_alter_configs(
        std::vector<incremental_config_alteration> alterations) {
        return incremental_alter_configs(std::move(alterations), defaults());
    }
    /// Starts incremental_alter_configs() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<config_result>)` on the handler's associated
    /// executor, else the client's. With the default kflow::use_awaitable, `co_await` returns the
    /// result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<config_result>)>
            Token = kflow::use_awaitable_t>
    auto async_incremental_alter_configs(std::vector<incremental_config_alteration> alterations,
                                         const admin_options& options,
                                         Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::incremental_alter_configs_request{std::move(alterations)}, options,
                        std::forward<Token>(token));
    }
    /// Starts incremental_alter_configs() asynchronously with the client's defaults().
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<config_result>)>
            Token = kflow::use_awaitable_t>
    auto async_incremental_alter_configs(std::vector<incremental_config_alteration> alterations,
                                         Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::incremental_alter_configs_request{std::move(alterations)},
                        defaults(), std::forward<Token>(token));
    }

    /// Every consumer group of every broker, with its state. A broker that did not answer is
    /// reported in group_listings::errors, so a partial listing is never taken for all.
    /// Kafka's ListGroups, sent to every broker; groups are sorted by id.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] group_listings list_consumer_groups(const admin_options& options,
                                                      std::error_code& ec) {
        return run_sync(detail::list_consumer_groups_request{}, options, ec);
    }
    /// list_consumer_groups() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] group_listings list_consumer_groups(std::error_code& ec) {
        return list_consumer_groups(defaults(), ec);
    }
    /// list_consumer_groups() that throws kafka_error, carrying the broker's or librdkafka's
    /// message, on a request-level failure.
    [[nodiscard]] group_listings list_consumer_groups(const admin_options& options) {
        return run_or_throw(detail::list_consumer_groups_request{}, options);
    }
    /// list_consumer_groups() with the client's defaults(), throwing kafka_error on a request-level
    /// failure.
    [[nodiscard]] group_listings list_consumer_groups() { return list_consumer_groups(defaults()); }
    /// Starts list_consumer_groups() asynchronously; completes with
    /// `void(boost::system::error_code, group_listings)` on the handler's associated executor, else
    /// the client's. With the default kflow::use_awaitable, `co_await` returns the result and
    /// throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, group_listings)> Token =
                  kflow::use_awaitable_t>
    auto async_list_consumer_groups(const admin_options& options,
                                    Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_consumer_groups_request{}, options,
                        std::forward<Token>(token));
    }
    /// Starts list_consumer_groups() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, group_listings)> Token =
                  kflow::use_awaitable_t>
    auto async_list_consumer_groups(Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_consumer_groups_request{}, defaults(),
                        std::forward<Token>(token));
    }

    /// Groups' state, assignor, coordinator and members with their assignments; one per group.
    /// Kafka's DescribeGroups, sent to each group's coordinator. Each group_description has its
    /// own error (e.g. GROUP_AUTHORIZATION_FAILED); an empty list, an empty id or an id named
    /// twice fails the whole call before sending.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<group_description> describe_consumer_groups(
        std::vector<std::string> groups, const admin_options& options, std::error_code& ec) {
        return run_sync(detail::describe_consumer_groups_request{std::move(groups)}, options, ec);
    }
    /// describe_consumer_groups() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<group_description> describe_consumer_groups(
        std::vector<std::string> groups, std::error_code& ec) {
        return describe_consumer_groups(std::move(groups), defaults(), ec);
    }
    /// describe_consumer_groups() that throws kafka_error, carrying the broker's or librdkafka's
    /// message, on a request-level failure.
    [[nodiscard]] std::vector<group_description> describe_consumer_groups(
        std::vector<std::string> groups, const admin_options& options) {
        return run_or_throw(detail::describe_consumer_groups_request{std::move(groups)}, options);
    }
    /// describe_consumer_groups() with the client's defaults(), throwing kafka_error on a
    /// request-level failure.
    [[nodiscard]] std::vector<group_description> describe_consumer_groups(
        std::vector<std::string> groups) {
        return describe_consumer_groups(std::move(groups), defaults());
    }
    /// Starts describe_consumer_groups() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<group_description>)` on the handler's
    /// associated executor, else the client's. With the default kflow::use_awaitable, `co_await`
    /// returns the result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<group_description>)>
            Token = kflow::use_awaitable_t>
    auto async_describe_consumer_groups(std::vector<std::string> groups,
                                        const admin_options& options,
                                        Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_consumer_groups_request{std::move(groups)}, options,
                        std::forward<Token>(token));
    }
    /// Starts describe_consumer_groups() asynchronously with the client's defaults().
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<group_description>)>
            Token = kflow::use_awaitable_t>
    auto async_describe_consumer_groups(std::vector<std::string> groups,
                                        Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_consumer_groups_request{std::move(groups)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Deletes groups (they must be empty: no active members). One item_result per group.
    /// Kafka's DeleteGroups, which also removes the groups' committed offsets. A group with
    /// members comes back with NON_EMPTY_GROUP, a missing one with GROUP_ID_NOT_FOUND.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<item_result> delete_consumer_groups(std::vector<std::string> groups,
                                                                  const admin_options& options,
                                                                  std::error_code& ec) {
        return run_sync(detail::delete_consumer_groups_request{std::move(groups)}, options, ec);
    }
    /// delete_consumer_groups() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<item_result> delete_consumer_groups(std::vector<std::string> groups,
                                                                  std::error_code& ec) {
        return delete_consumer_groups(std::move(groups), defaults(), ec);
    }
    /// delete_consumer_groups() that throws kafka_error, carrying the broker's or librdkafka's
    /// message, on a request-level failure.
    [[nodiscard]] std::vector<item_result> delete_consumer_groups(std::vector<std::string> groups,
                                                                  const admin_options& options) {
        return run_or_throw(detail::delete_consumer_groups_request{std::move(groups)}, options);
    }
    /// delete_consumer_groups() with the client's defaults(), throwing kafka_error on a
    /// request-level failure.
    [[nodiscard]] std::vector<item_result> delete_consumer_groups(std::vector<std::string> groups) {
        return delete_consumer_groups(std::move(groups), defaults());
    }
    /// Starts delete_consumer_groups() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<item_result>)` on the handler's associated
    /// executor, else the client's. With the default kflow::use_awaitable, `co_await` returns the
    /// result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_consumer_groups(std::vector<std::string> groups, const admin_options& options,
                                      Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_consumer_groups_request{std::move(groups)}, options,
                        std::forward<Token>(token));
    }
    /// Starts delete_consumer_groups() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_consumer_groups(std::vector<std::string> groups,
                                      Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_consumer_groups_request{std::move(groups)}, defaults(),
                        std::forward<Token>(token));
    }

    /// A group's committed offsets for `partitions` (empty: every partition it has committed).
    /// Kafka's OffsetFetch, sent to the group's coordinator. With options.require_stable_offsets
    /// the broker holds back offsets of transactions still open. A partition the group has no
    /// offset for has offset offsets::invalid; group-level errors are in group_offsets::error.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] group_offsets list_consumer_group_offsets(std::string group,
                                                            std::vector<topic_partition> partitions,
                                                            const admin_options& options,
                                                            std::error_code& ec) {
        return run_sync(detail::list_group_offsets_request{std::move(group), std::move(partitions)},
                        options, ec);
    }
    /// list_consumer_group_offsets() with the client's defaults(); a request-level failure sets
    /// `ec`.
    [[nodiscard]] group_offsets list_consumer_group_offsets(std::string group,
                                                            std::vector<topic_partition> partitions,
                                                            std::error_code& ec) {
        return list_consumer_group_offsets(std::move(group), std::move(partitions), defaults(), ec);
    }
    /// list_consumer_group_offsets() that throws kafka_error, carrying the broker's or librdkafka's
    /// message, on a request-level failure.
    [[nodiscard]] group_offsets list_consumer_group_offsets(std::string group,
                                                            std::vector<topic_partition> partitions,
                                                            const admin_options& options) {
        return run_or_throw(
            detail::list_group_offsets_request{std::move(group), std::move(partitions)}, options);
    }
    /// list_consumer_group_offsets() with the client's defaults(), throwing kafka_error on a
    /// request-level failure.
    [[nodiscard]] group_offsets list_consumer_group_offsets(
        std::string group, std::vector<topic_partition> partitions) {
        return list_consumer_group_offsets(std::move(group), std::move(partitions), defaults());
    }
    /// Starts list_consumer_group_offsets() asynchronously; completes with
    /// `void(boost::system::error_code, group_offsets)` on the handler's associated executor, else
    /// the client's. With the default kflow::use_awaitable, `co_await` returns the result and
    /// throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, group_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_list_consumer_group_offsets(std::string group,
                                           std::vector<topic_partition> partitions,
                                           const admin_options& options,
                                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_group_offsets_request{std::move(group), std::move(partitions)},
                        options, std::forward<Token>(token));
    }
    /// Starts list_consumer_group_offsets() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, group_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_list_consumer_group_offsets(std::string group,
                                           std::vector<topic_partition> partitions,
                                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_group_offsets_request{std::move(group), std::move(partitions)},
                        defaults(), std::forward<Token>(token));
    }

    /// Commits offsets for a group that has no active members (e.g. to rewind it). Each partition
    /// reports its own error.
    /// Kafka's OffsetCommit, sent to the group's coordinator; the group need not exist yet.
    /// Offsets must be absolute (>= 0): a logical offset such as offsets::end fails the call
    /// before sending. A group with active members refuses the commit: check both
    /// group_offsets::error and each partition's error.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] group_offsets alter_consumer_group_offsets(
        std::string group, std::vector<topic_partition_offset> offsets,
        const admin_options& options, std::error_code& ec) {
        return run_sync(detail::alter_group_offsets_request{std::move(group), std::move(offsets)},
                        options, ec);
    }
    /// alter_consumer_group_offsets() with the client's defaults(); a request-level failure sets
    /// `ec`.
    [[nodiscard]] group_offsets alter_consumer_group_offsets(
        std::string group, std::vector<topic_partition_offset> offsets, std::error_code& ec) {
        return alter_consumer_group_offsets(std::move(group), std::move(offsets), defaults(), ec);
    }
    /// alter_consumer_group_offsets() that throws kafka_error, carrying the broker's or
    /// librdkafka's message, on a request-level failure.
    [[nodiscard]] group_offsets alter_consumer_group_offsets(
        std::string group, std::vector<topic_partition_offset> offsets,
        const admin_options& options) {
        return run_or_throw(
            detail::alter_group_offsets_request{std::move(group), std::move(offsets)}, options);
    }
    /// alter_consumer_group_offsets() with the client's defaults(), throwing kafka_error on a
    /// request-level failure.
    [[nodiscard]] group_offsets alter_consumer_group_offsets(
        std::string group, std::vector<topic_partition_offset> offsets) {
        return alter_consumer_group_offsets(std::move(group), std::move(offsets), defaults());
    }
    /// Starts alter_consumer_group_offsets() asynchronously; completes with
    /// `void(boost::system::error_code, group_offsets)` on the handler's associated executor, else
    /// the client's. With the default kflow::use_awaitable, `co_await` returns the result and
    /// throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, group_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_alter_consumer_group_offsets(std::string group,
                                            std::vector<topic_partition_offset> offsets,
                                            const admin_options& options,
                                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::alter_group_offsets_request{std::move(group), std::move(offsets)},
                        options, std::forward<Token>(token));
    }
    /// Starts alter_consumer_group_offsets() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, group_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_alter_consumer_group_offsets(std::string group,
                                            std::vector<topic_partition_offset> offsets,
                                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::alter_group_offsets_request{std::move(group), std::move(offsets)},
                        defaults(), std::forward<Token>(token));
    }

    /// Removes a group's committed offsets for partitions it no longer consumes.
    /// Kafka's OffsetDelete (brokers from Kafka 2.4). A partition of a topic the group is still
    /// subscribed to comes back with GROUP_SUBSCRIBED_TO_TOPIC; `partitions` must not be empty.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] group_offsets delete_consumer_group_offsets(
        std::string group, std::vector<topic_partition> partitions, const admin_options& options,
        std::error_code& ec) {
        return run_sync(
            detail::delete_group_offsets_request{std::move(group), std::move(partitions)}, options,
            ec);
    }
    /// delete_consumer_group_offsets() with the client's defaults(); a request-level failure sets
    /// `ec`.
    [[nodiscard]] group_offsets delete_consumer_group_offsets(
        std::string group, std::vector<topic_partition> partitions, std::error_code& ec) {
        return delete_consumer_group_offsets(std::move(group), std::move(partitions), defaults(),
                                             ec);
    }
    /// delete_consumer_group_offsets() that throws kafka_error, carrying the broker's or
    /// librdkafka's message, on a request-level failure.
    [[nodiscard]] group_offsets delete_consumer_group_offsets(
        std::string group, std::vector<topic_partition> partitions, const admin_options& options) {
        return run_or_throw(
            detail::delete_group_offsets_request{std::move(group), std::move(partitions)}, options);
    }
    /// delete_consumer_group_offsets() with the client's defaults(), throwing kafka_error on a
    /// request-level failure.
    [[nodiscard]] group_offsets delete_consumer_group_offsets(
        std::string group, std::vector<topic_partition> partitions) {
        return delete_consumer_group_offsets(std::move(group), std::move(partitions), defaults());
    }
    /// Starts delete_consumer_group_offsets() asynchronously; completes with
    /// `void(boost::system::error_code, group_offsets)` on the handler's associated executor, else
    /// the client's. With the default kflow::use_awaitable, `co_await` returns the result and
    /// throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, group_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_delete_consumer_group_offsets(std::string group,
                                             std::vector<topic_partition> partitions,
                                             const admin_options& options,
                                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(
            detail::delete_group_offsets_request{std::move(group), std::move(partitions)}, options,
            std::forward<Token>(token));
    }
    /// Starts delete_consumer_group_offsets() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, group_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_delete_consumer_group_offsets(std::string group,
                                             std::vector<topic_partition> partitions,
                                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(
            detail::delete_group_offsets_request{std::move(group), std::move(partitions)},
            defaults(), std::forward<Token>(token));
    }

    /// Committed offset, watermarks and lag per partition, in one call. With topics, every
    /// partition of those topics; without (empty), every partition the group has committed.
    /// Built from Metadata (when topics are given), the group's committed offsets (OffsetFetch)
    /// and each partition's watermarks, each step within the request timeout;
    /// options.require_stable_offsets is not used. A missing topic or a group-level error fails
    /// the call; a partition whose watermarks cannot be read has its own error. Partitions are
    /// sorted by topic and partition.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] group_lag consumer_group_lag(std::string group, std::vector<std::string> topics,
                                               const admin_options& options, std::error_code& ec) {
        return run_sync(detail::consumer_group_lag_request{std::move(group), std::move(topics)},
                        options, ec);
    }
    /// consumer_group_lag() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] group_lag consumer_group_lag(std::string group, std::vector<std::string> topics,
                                               std::error_code& ec) {
        return consumer_group_lag(std::move(group), std::move(topics), defaults(), ec);
    }
    /// consumer_group_lag() that throws kafka_error, carrying the broker's or librdkafka's message,
    /// on a request-level failure.
    [[nodiscard]] group_lag consumer_group_lag(std::string group, std::vector<std::string> topics,
                                               const admin_options& options) {
        return run_or_throw(detail::consumer_group_lag_request{std::move(group), std::move(topics)},
                            options);
    }
    /// consumer_group_lag() with the client's defaults(), throwing kafka_error on a request-level
    /// failure.
    [[nodiscard]] group_lag consumer_group_lag(std::string group, std::vector<std::string> topics) {
        return consumer_group_lag(std::move(group), std::move(topics), defaults());
    }
    /// Starts consumer_group_lag() asynchronously; completes with
    /// `void(boost::system::error_code, group_lag)` on the handler's associated executor, else the
    /// client's. With the default kflow::use_awaitable, `co_await` returns the result and throws
    /// kafka_error on failure. Runs on the client's worker thread, one such operation at a time,
    /// and cannot be cancelled.
    template <asio::completion_token_for<void(boost::system::error_code, group_lag)> Token =
                  kflow::use_awaitable_t>
    auto async_consumer_group_lag(std::string group, std::vector<std::string> topics,
                                  const admin_options& options,
                                  Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::consumer_group_lag_request{std::move(group), std::move(topics)},
                        options, std::forward<Token>(token));
    }
    /// Starts consumer_group_lag() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, group_lag)> Token =
                  kflow::use_awaitable_t>
    auto async_consumer_group_lag(std::string group, std::vector<std::string> topics,
                                  Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::consumer_group_lag_request{std::move(group), std::move(topics)},
                        defaults(), std::forward<Token>(token));
    }

    /// Deletes each partition's records before the given offset (offsets::end: all of them);
    /// reports each partition's new low watermark or its error.
    /// Kafka's DeleteRecords, sent to each partition's leader. Offsets must be >= 0 or
    /// offsets::end, and each partition appear once, else the whole call fails before sending.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<partition_offset_result> delete_records(
        std::vector<topic_partition_offset> before, const admin_options& options,
        std::error_code& ec) {
        return run_sync(detail::delete_records_request{std::move(before)}, options, ec);
    }
    /// delete_records() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<partition_offset_result> delete_records(
        std::vector<topic_partition_offset> before, std::error_code& ec) {
        return delete_records(std::move(before), defaults(), ec);
    }
    /// delete_records() that throws kafka_error, carrying the broker's or librdkafka's message, on
    /// a request-level failure.
    [[nodiscard]] std::vector<partition_offset_result> delete_records(
        std::vector<topic_partition_offset> before, const admin_options& options) {
        return run_or_throw(detail::delete_records_request{std::move(before)}, options);
    }
    /// delete_records() with the client's defaults(), throwing kafka_error on a request-level
    /// failure.
    [[nodiscard]] std::vector<partition_offset_result> delete_records(
        std::vector<topic_partition_offset> before) {
        return delete_records(std::move(before), defaults());
    }
    /// Starts delete_records() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<partition_offset_result>)` on the handler's
    /// associated executor, else the client's. With the default kflow::use_awaitable, `co_await`
    /// returns the result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code,
                                              std::vector<partition_offset_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_records(std::vector<topic_partition_offset> before,
                              const admin_options& options,
                              Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_records_request{std::move(before)}, options,
                        std::forward<Token>(token));
    }
    /// Starts delete_records() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code,
                                              std::vector<partition_offset_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_records(std::vector<topic_partition_offset> before,
                              Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_records_request{std::move(before)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Elects leaders for `partitions` (empty: every partition of the cluster, and only those
    /// where something was elected or failed are reported): the preferred replica, or with
    /// election_type::unclean an out-of-sync replica where no in-sync one is left. One
    /// election_result per partition; ELECTION_NOT_NEEDED means it already had that leader.
    /// Needs librdkafka 2.6.0 and a broker from Kafka 2.4: built against an older librdkafka it
    /// fails with errc::unsupported_by_librdkafka.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<election_result> elect_leaders(
        election_type type, std::vector<topic_partition> partitions, const admin_options& options,
        std::error_code& ec) {
        return run_sync(detail::elect_leaders_request{type, std::move(partitions)}, options, ec);
    }
    /// elect_leaders() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<election_result> elect_leaders(
        election_type type, std::vector<topic_partition> partitions, std::error_code& ec) {
        return elect_leaders(type, std::move(partitions), defaults(), ec);
    }
    /// elect_leaders() that throws kafka_error, carrying the broker's or librdkafka's message, on a
    /// request-level failure.
    [[nodiscard]] std::vector<election_result> elect_leaders(
        election_type type, std::vector<topic_partition> partitions, const admin_options& options) {
        return run_or_throw(detail::elect_leaders_request{type, std::move(partitions)}, options);
    }
    /// elect_leaders() with the client's defaults(), throwing kafka_error on a request-level
    /// failure.
    [[nodiscard]] std::vector<election_result> elect_leaders(
        election_type type, std::vector<topic_partition> partitions) {
        return elect_leaders(type, std::move(partitions), defaults());
    }
    /// Starts elect_leaders() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<election_result>)` on the handler's associated
    /// executor, else the client's. With the default kflow::use_awaitable, `co_await` returns the
    /// result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<election_result>)>
            Token = kflow::use_awaitable_t>
    auto async_elect_leaders(election_type type, std::vector<topic_partition> partitions,
                             const admin_options& options,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::elect_leaders_request{type, std::move(partitions)}, options,
                        std::forward<Token>(token));
    }
    /// Starts elect_leaders() asynchronously with the client's defaults().
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<election_result>)>
            Token = kflow::use_awaitable_t>
    auto async_elect_leaders(election_type type, std::vector<topic_partition> partitions,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::elect_leaders_request{type, std::move(partitions)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Creates ACLs; one acl_result per binding. A broker without an authorizer answers
    /// SECURITY_DISABLED.
    /// Kafka's CreateAcls. A binding with an empty principal or host, or with `any`, `match` or
    /// `unknown` in a field, fails the whole call before sending.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<acl_result> create_acls(std::vector<acl_binding> bindings,
                                                      const admin_options& options,
                                                      std::error_code& ec) {
        return run_sync(detail::create_acls_request{std::move(bindings)}, options, ec);
    }
    /// create_acls() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<acl_result> create_acls(std::vector<acl_binding> bindings,
                                                      std::error_code& ec) {
        return create_acls(std::move(bindings), defaults(), ec);
    }
    /// create_acls() that throws kafka_error, carrying the broker's or librdkafka's message, on a
    /// request-level failure.
    [[nodiscard]] std::vector<acl_result> create_acls(std::vector<acl_binding> bindings,
                                                      const admin_options& options) {
        return run_or_throw(detail::create_acls_request{std::move(bindings)}, options);
    }
    /// create_acls() with the client's defaults(), throwing kafka_error on a request-level failure.
    [[nodiscard]] std::vector<acl_result> create_acls(std::vector<acl_binding> bindings) {
        return create_acls(std::move(bindings), defaults());
    }
    /// Starts create_acls() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<acl_result>)` on the handler's associated
    /// executor, else the client's. With the default kflow::use_awaitable, `co_await` returns the
    /// result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<acl_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_acls(std::vector<acl_binding> bindings, const admin_options& options,
                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_acls_request{std::move(bindings)}, options,
                        std::forward<Token>(token));
    }
    /// Starts create_acls() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<acl_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_acls(std::vector<acl_binding> bindings,
                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_acls_request{std::move(bindings)}, defaults(),
                        std::forward<Token>(token));
    }

    /// The ACLs matching `filter`.
    /// Kafka's DescribeAcls; see acl_filter for how fields match. A broker without an
    /// authorizer fails the call with SECURITY_DISABLED.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<acl_binding> describe_acls(acl_filter filter,
                                                         const admin_options& options,
                                                         std::error_code& ec) {
        return run_sync(detail::describe_acls_request{std::move(filter)}, options, ec);
    }
    /// describe_acls() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<acl_binding> describe_acls(acl_filter filter, std::error_code& ec) {
        return describe_acls(std::move(filter), defaults(), ec);
    }
    /// describe_acls() that throws kafka_error, carrying the broker's or librdkafka's message, on a
    /// request-level failure.
    [[nodiscard]] std::vector<acl_binding> describe_acls(acl_filter filter,
                                                         const admin_options& options) {
        return run_or_throw(detail::describe_acls_request{std::move(filter)}, options);
    }
    /// describe_acls() with the client's defaults(), throwing kafka_error on a request-level
    /// failure.
    [[nodiscard]] std::vector<acl_binding> describe_acls(acl_filter filter) {
        return describe_acls(std::move(filter), defaults());
    }
    /// Starts describe_acls() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<acl_binding>)` on the handler's associated
    /// executor, else the client's. With the default kflow::use_awaitable, `co_await` returns the
    /// result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<acl_binding>)>
                  Token = kflow::use_awaitable_t>
    auto async_describe_acls(acl_filter filter, const admin_options& options,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_acls_request{std::move(filter)}, options,
                        std::forward<Token>(token));
    }
    /// Starts describe_acls() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<acl_binding>)>
                  Token = kflow::use_awaitable_t>
    auto async_describe_acls(acl_filter filter, Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_acls_request{std::move(filter)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Deletes the ACLs matching each filter; one acl_deletion per filter with what it deleted.
    /// Kafka's DeleteAcls. A default acl_filter matches, and so deletes, every ACL of the
    /// cluster.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<acl_deletion> delete_acls(std::vector<acl_filter> filters,
                                                        const admin_options& options,
                                                        std::error_code& ec) {
        return run_sync(detail::delete_acls_request{std::move(filters)}, options, ec);
    }
    /// delete_acls() with the client's defaults(); a request-level failure sets `ec`.
    [[nodiscard]] std::vector<acl_deletion> delete_acls(std::vector<acl_filter> filters,
                                                        std::error_code& ec) {
        return delete_acls(std::move(filters), defaults(), ec);
    }
    /// delete_acls() that throws kafka_error, carrying the broker's or librdkafka's message, on a
    /// request-level failure.
    [[nodiscard]] std::vector<acl_deletion> delete_acls(std::vector<acl_filter> filters,
                                                        const admin_options& options) {
        return run_or_throw(detail::delete_acls_request{std::move(filters)}, options);
    }
    /// delete_acls() with the client's defaults(), throwing kafka_error on a request-level failure.
    [[nodiscard]] std::vector<acl_deletion> delete_acls(std::vector<acl_filter> filters) {
        return delete_acls(std::move(filters), defaults());
    }
    /// Starts delete_acls() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<acl_deletion>)` on the handler's associated
    /// executor, else the client's. With the default kflow::use_awaitable, `co_await` returns the
    /// result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<acl_deletion>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_acls(std::vector<acl_filter> filters, const admin_options& options,
                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_acls_request{std::move(filters)}, options,
                        std::forward<Token>(token));
    }
    /// Starts delete_acls() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<acl_deletion>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_acls(std::vector<acl_filter> filters,
                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_acls_request{std::move(filters)}, defaults(),
                        std::forward<Token>(token));
    }

    /// The SCRAM credentials (mechanism and iterations, never the password) of `users`, one
    /// item per user; empty `users`: every user that has credentials. A user without
    /// credentials comes back with RESOURCE_NOT_FOUND. Needs librdkafka 2.2.0 and a broker from
    /// Kafka 2.7: built against an older librdkafka it fails with errc::unsupported_by_librdkafka.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<user_scram_credentials> describe_user_scram_credentials(
        std::vector<std::string> users, const admin_options& options, std::error_code& ec) {
        return run_sync(detail::describe_user_scram_credentials_request{std::move(users)}, options,
                        ec);
    }
    /// describe_user_scram_credentials() with the client's defaults(); a request-level failure sets
    /// `ec`.
    [[nodiscard]] std::vector<user_scram_credentials> describe_user_scram_credentials(
        std::vector<std::string> users, std::error_code& ec) {
        return describe_user_scram_credentials(std::move(users), defaults(), ec);
    }
    /// describe_user_scram_credentials() that throws kafka_error, carrying the broker's or
    /// librdkafka's message, on a request-level failure.
    [[nodiscard]] std::vector<user_scram_credentials> describe_user_scram_credentials(
        std::vector<std::string> users, const admin_options& options) {
        return run_or_throw(detail::describe_user_scram_credentials_request{std::move(users)},
                            options);
    }
    /// describe_user_scram_credentials() with the client's defaults(), throwing kafka_error on a
    /// request-level failure. No `users` (the default): every user that has credentials.
    [[nodiscard]] std::vector<user_scram_credentials> describe_user_scram_credentials(
        std::vector<std::string> users = {}) {
        return describe_user_scram_credentials(std::move(users), defaults());
    }
    /// Starts describe_user_scram_credentials() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<user_scram_credentials>)` on the handler's
    /// associated executor, else the client's. With the default kflow::use_awaitable, `co_await`
    /// returns the result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code,
                                              std::vector<user_scram_credentials>)>
                  Token = kflow::use_awaitable_t>
    auto async_describe_user_scram_credentials(std::vector<std::string> users,
                                               const admin_options& options,
                                               Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_user_scram_credentials_request{std::move(users)}, options,
                        std::forward<Token>(token));
    }
    /// Starts describe_user_scram_credentials() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code,
                                              std::vector<user_scram_credentials>)>
                  Token = kflow::use_awaitable_t>
    auto async_describe_user_scram_credentials(std::vector<std::string> users,
                                               Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_user_scram_credentials_request{std::move(users)},
                        defaults(), std::forward<Token>(token));
    }

    /// Sets or deletes users' SCRAM credentials (scram_credential_alteration::upsert / remove).
    /// Kafka answers per user, not per alteration: one item_result per user named, failed when
    /// any of that user's alterations failed. Needs librdkafka 2.2.0 built with OpenSSL (it
    /// salts and hashes the password; the password itself never leaves the client) and a broker
    /// from Kafka 2.7.
    /// A request-level failure sets `ec` and leaves the result empty; success clears `ec`.
    [[nodiscard]] std::vector<item_result> alter_user_scram_credentials(
        std::vector<scram_credential_alteration> alterations, const admin_options& options,
        std::error_code& ec) {
        return run_sync(detail::alter_user_scram_credentials_request{std::move(alterations)},
                        options, ec);
    }
    /// alter_user_scram_credentials() with the client's defaults(); a request-level failure sets
    /// `ec`.
    [[nodiscard]] std::vector<item_result> alter_user_scram_credentials(
        std::vector<scram_credential_alteration> alterations, std::error_code& ec) {
        return alter_user_scram_credentials(std::move(alterations), defaults(), ec);
    }
    /// alter_user_scram_credentials() that throws kafka_error, carrying the broker's or
    /// librdkafka's message, on a request-level failure.
    [[nodiscard]] std::vector<item_result> alter_user_scram_credentials(
        std::vector<scram_credential_alteration> alterations, const admin_options& options) {
        return run_or_throw(detail::alter_user_scram_credentials_request{std::move(alterations)},
                            options);
    }
    /// alter_user_scram_credentials() with the client's defaults(), throwing kafka_error on a
    /// request-level failure.
    [[nodiscard]] std::vector<item_result> alter_user_scram_credentials(
        std::vector<scram_credential_alteration> alterations) {
        return alter_user_scram_credentials(std::move(alterations), defaults());
    }
    /// Starts alter_user_scram_credentials() asynchronously; completes with
    /// `void(boost::system::error_code, std::vector<item_result>)` on the handler's associated
    /// executor, else the client's. With the default kflow::use_awaitable, `co_await` returns the
    /// result and throws kafka_error on failure. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_alter_user_scram_credentials(std::vector<scram_credential_alteration> alterations,
                                            const admin_options& options,
                                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::alter_user_scram_credentials_request{std::move(alterations)},
                        options, std::forward<Token>(token));
    }
    /// Starts alter_user_scram_credentials() asynchronously with the client's defaults().
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_alter_user_scram_credentials(std::vector<scram_credential_alteration> alterations,
                                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::alter_user_scram_credentials_request{std::move(alterations)},
                        defaults(), std::forward<Token>(token));
    }

    /// Every topic except internal ones, sorted by name.
    [[nodiscard]] std::vector<topic_metadata> list_topics() { return list_topics(false); }
    /// Starts list_topics() asynchronously for every topic except internal ones, with the client's
    /// defaults().
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<topic_metadata>)>
            Token = kflow::use_awaitable_t>
    auto async_list_topics(Token&& token = kflow::use_awaitable_t{}) {
        return async_list_topics(false, std::forward<Token>(token));
    }

  private:
    template <class Request>
    using result_of = typename Request::result_type;

    template <class Request>
    result_of<Request> run_sync(Request request, const admin_options& options,
                                std::error_code& ec) {
        error_info err;
        auto result = core_->run(std::move(request), options, err);
        ec = err.code;
        return result;
    }

    template <class Request>
    result_of<Request> run_or_throw(Request request, const admin_options& options) {
        error_info err;
        auto result = core_->run(std::move(request), options, err);
        if (err)
            throw kafka_error(err.code, err.message, err.flags);
        return result;
    }

    /// The initiation of every async_ operation; it exposes the client's executor so token
    /// adapters (asio::cancel_after, ...) can find one.
    struct initiation {
        std::shared_ptr<detail::admin_core> core;

        using executor_type = asio::any_io_executor;
        [[nodiscard]] executor_type get_executor() const noexcept { return core->executor(); }

        template <class Handler, class Request>
        void operator()(Handler&& handler, Request request, const admin_options& options) const {
            core->start(std::move(request), options, std::forward<Handler>(handler));
        }
    };

    template <class Request, class Token>
    auto initiate(Request request, const admin_options& options, Token&& token) {
        return asio::async_initiate<Token, void(boost::system::error_code, result_of<Request>)>(
            initiation{core_}, token, std::move(request), options);
    }

    std::shared_ptr<detail::admin_core> core_;
};

}  // namespace kflow
