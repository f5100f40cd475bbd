#pragma once
// kflow::admin_client: topics, partitions, configs, consumer groups, offsets, records, ACLs and
// the cluster itself.
//
//   kflow::admin_client admin(io.get_executor(), kflow::admin_config().bootstrap_servers(b));
//   auto results = admin.create_topics({kflow::topic_spec("orders", 6, 3)});
//   kflow::throw_if_any_failed(results, "creating topics");
//   auto groups = co_await admin.async_list_consumer_groups();
//
// Every operation comes in four forms (plus the same with explicit admin_options):
//   R op(args, std::error_code& ec)     sets ec (details are in the throwing form's exception)
//   R op(args)                          throws kflow::kafka_error with the broker's message
//   async_op(args, token)               any Asio completion token, default kflow::use_awaitable:
//                                       completes with void(boost::system::error_code, R)
//
// Batches (create three topics, delete two groups...) return one result per item, each with its
// own error_code and message. The error_code and throwing forms report only request-level
// failures (nothing reachable, timeout, the broker does not support the request, invalid input);
// an item the broker refused is in the results: check them, or call throw_if_any_failed().
// Nothing is reported as done that the broker did not confirm.
//
// Timeouts: admin_options::request_timeout bounds each call (default 30 s); the blocking forms
// wait at most that plus a 5 s margin for librdkafka's own timeout result.
//
// Asynchronous forms: handlers run on their associated executor (else the client's), never on a
// librdkafka thread. Admin requests are woken through librdkafka's queue events; operations that
// librdkafka serves with blocking calls (list/describe topics, describe_cluster, watermarks,
// list_offsets, consumer_group_lag) run one at a time on a worker thread of the client.
// Per-operation cancellation (any type) completes the operation at once with
// asio::error::operation_aborted; a request already sent still runs on the broker.
//
// Thread safety: every operation may be called from any thread, concurrently. Destruction must
// not race with calls; it fails outstanding asynchronous operations with errc::closed (waiting
// for a blocking call in progress, bounded by its request timeout).
//
// librdkafka version: operations newer librdkafka added and 2.0.2 lacks exist in every build;
// built against an older librdkafka they fail with errc::unsupported_by_librdkafka naming the
// version needed (incremental_alter_configs, describe_user_scram_credentials and
// alter_user_scram_credentials: 2.2.0; elect_leaders: 2.6.0). describe_topics, describe_cluster and
// list_offsets are served from Metadata and ListOffsets, which every librdkafka has.

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

class admin_client {
  public:
    using executor_type = asio::any_io_executor;

    /// A client whose asynchronous operations complete on `executor` (unless their handler has
    /// an executor of its own).
    admin_client(executor_type executor, const admin_config& config)
        : core_(detail::admin_core::create(config, std::move(executor))) {}
    /// A client for the blocking forms; asynchronous calls need a handler with an associated
    /// executor (a coroutine's, or asio::bind_executor), else they fail with errc::invalid_config.
    explicit admin_client(const admin_config& config)
        : core_(detail::admin_core::create(config, executor_type())) {}

    admin_client(admin_client&&) noexcept = default;
    admin_client& operator=(admin_client&&) noexcept = default;
    ~admin_client() {
        if (core_)
            core_->close();
    }

    [[nodiscard]] executor_type get_executor() const noexcept { return core_->executor(); }
    [[nodiscard]] rd_kafka_t* native_handle() const noexcept { return core_->native(); }
    /// The options of calls that pass none (admin_config::default_options).
    [[nodiscard]] const admin_options& defaults() const noexcept {
        return core_->default_options();
    }

    /// Creates topics (partitions and replication factor, or an explicit replica assignment, and
    /// topic configs). One item_result per topic; with options.validate_only the broker only
    /// checks.
    [[nodiscard]] std::vector<item_result> create_topics(std::vector<topic_spec> topics,
                                                         const admin_options& options,
                                                         std::error_code& ec) {
        return run_sync(detail::create_topics_request{std::move(topics)}, options, ec);
    }
    [[nodiscard]] std::vector<item_result> create_topics(std::vector<topic_spec> topics,
                                                         std::error_code& ec) {
        return create_topics(std::move(topics), defaults(), ec);
    }
    [[nodiscard]] std::vector<item_result> create_topics(std::vector<topic_spec> topics,
                                                         const admin_options& options) {
        return run_or_throw(detail::create_topics_request{std::move(topics)}, options);
    }
    [[nodiscard]] std::vector<item_result> create_topics(std::vector<topic_spec> topics) {
        return create_topics(std::move(topics), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_topics(std::vector<topic_spec> topics, const admin_options& options,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_topics_request{std::move(topics)}, options,
                        std::forward<Token>(token));
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_topics(std::vector<topic_spec> topics,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_topics_request{std::move(topics)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Deletes topics. One item_result per topic.
    [[nodiscard]] std::vector<item_result> delete_topics(std::vector<std::string> topics,
                                                         const admin_options& options,
                                                         std::error_code& ec) {
        return run_sync(detail::delete_topics_request{std::move(topics)}, options, ec);
    }
    [[nodiscard]] std::vector<item_result> delete_topics(std::vector<std::string> topics,
                                                         std::error_code& ec) {
        return delete_topics(std::move(topics), defaults(), ec);
    }
    [[nodiscard]] std::vector<item_result> delete_topics(std::vector<std::string> topics,
                                                         const admin_options& options) {
        return run_or_throw(detail::delete_topics_request{std::move(topics)}, options);
    }
    [[nodiscard]] std::vector<item_result> delete_topics(std::vector<std::string> topics) {
        return delete_topics(std::move(topics), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_topics(std::vector<std::string> topics, const admin_options& options,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_topics_request{std::move(topics)}, options,
                        std::forward<Token>(token));
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_topics(std::vector<std::string> topics,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_topics_request{std::move(topics)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Raises topics' partition counts. One item_result per topic.
    [[nodiscard]] std::vector<item_result> create_partitions(std::vector<partitions_spec> topics,
                                                             const admin_options& options,
                                                             std::error_code& ec) {
        return run_sync(detail::create_partitions_request{std::move(topics)}, options, ec);
    }
    [[nodiscard]] std::vector<item_result> create_partitions(std::vector<partitions_spec> topics,
                                                             std::error_code& ec) {
        return create_partitions(std::move(topics), defaults(), ec);
    }
    [[nodiscard]] std::vector<item_result> create_partitions(std::vector<partitions_spec> topics,
                                                             const admin_options& options) {
        return run_or_throw(detail::create_partitions_request{std::move(topics)}, options);
    }
    [[nodiscard]] std::vector<item_result> create_partitions(std::vector<partitions_spec> topics) {
        return create_partitions(std::move(topics), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_partitions(std::vector<partitions_spec> topics, const admin_options& options,
                                 Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_partitions_request{std::move(topics)}, options,
                        std::forward<Token>(token));
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_partitions(std::vector<partitions_spec> topics,
                                 Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_partitions_request{std::move(topics)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Every topic with its partitions, leaders, replicas and in-sync replicas, sorted by name
    /// (internal topics such as __consumer_offsets only when include_internal).
    [[nodiscard]] std::vector<topic_metadata> list_topics(bool include_internal,
                                                          const admin_options& options,
                                                          std::error_code& ec) {
        return run_sync(detail::list_topics_request{include_internal}, options, ec);
    }
    [[nodiscard]] std::vector<topic_metadata> list_topics(bool include_internal,
                                                          std::error_code& ec) {
        return list_topics(include_internal, defaults(), ec);
    }
    [[nodiscard]] std::vector<topic_metadata> list_topics(bool include_internal,
                                                          const admin_options& options) {
        return run_or_throw(detail::list_topics_request{include_internal}, options);
    }
    [[nodiscard]] std::vector<topic_metadata> list_topics(bool include_internal) {
        return list_topics(include_internal, defaults());
    }
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<topic_metadata>)>
            Token = kflow::use_awaitable_t>
    auto async_list_topics(bool include_internal, const admin_options& options,
                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_topics_request{include_internal}, options,
                        std::forward<Token>(token));
    }
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<topic_metadata>)>
            Token = kflow::use_awaitable_t>
    auto async_list_topics(bool include_internal, Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_topics_request{include_internal}, defaults(),
                        std::forward<Token>(token));
    }

    /// The named topics' metadata, in the order asked; a topic the cluster does not have is
    /// reported with UNKNOWN_TOPIC_OR_PART (asking never auto-creates it).
    [[nodiscard]] std::vector<topic_metadata> describe_topics(std::vector<std::string> topics,
                                                              const admin_options& options,
                                                              std::error_code& ec) {
        return run_sync(detail::describe_topics_request{std::move(topics)}, options, ec);
    }
    [[nodiscard]] std::vector<topic_metadata> describe_topics(std::vector<std::string> topics,
                                                              std::error_code& ec) {
        return describe_topics(std::move(topics), defaults(), ec);
    }
    [[nodiscard]] std::vector<topic_metadata> describe_topics(std::vector<std::string> topics,
                                                              const admin_options& options) {
        return run_or_throw(detail::describe_topics_request{std::move(topics)}, options);
    }
    [[nodiscard]] std::vector<topic_metadata> describe_topics(std::vector<std::string> topics) {
        return describe_topics(std::move(topics), defaults());
    }
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<topic_metadata>)>
            Token = kflow::use_awaitable_t>
    auto async_describe_topics(std::vector<std::string> topics, const admin_options& options,
                               Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_topics_request{std::move(topics)}, options,
                        std::forward<Token>(token));
    }
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<topic_metadata>)>
            Token = kflow::use_awaitable_t>
    auto async_describe_topics(std::vector<std::string> topics,
                               Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_topics_request{std::move(topics)}, defaults(),
                        std::forward<Token>(token));
    }

    /// The cluster id, its brokers and the controller.
    [[nodiscard]] cluster_description describe_cluster(const admin_options& options,
                                                       std::error_code& ec) {
        return run_sync(detail::describe_cluster_request{}, options, ec);
    }
    [[nodiscard]] cluster_description describe_cluster(std::error_code& ec) {
        return describe_cluster(defaults(), ec);
    }
    [[nodiscard]] cluster_description describe_cluster(const admin_options& options) {
        return run_or_throw(detail::describe_cluster_request{}, options);
    }
    [[nodiscard]] cluster_description describe_cluster() { return describe_cluster(defaults()); }
    template <asio::completion_token_for<void(boost::system::error_code, cluster_description)>
                  Token = kflow::use_awaitable_t>
    auto async_describe_cluster(const admin_options& options,
                                Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_cluster_request{}, options, std::forward<Token>(token));
    }
    template <asio::completion_token_for<void(boost::system::error_code, cluster_description)>
                  Token = kflow::use_awaitable_t>
    auto async_describe_cluster(Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_cluster_request{}, defaults(), std::forward<Token>(token));
    }

    /// A partition's low and high watermarks, asked of its leader.
    [[nodiscard]] watermark_offsets watermarks(topic_partition partition,
                                               const admin_options& options, std::error_code& ec) {
        return run_sync(detail::watermarks_request{std::move(partition)}, options, ec);
    }
    [[nodiscard]] watermark_offsets watermarks(topic_partition partition, std::error_code& ec) {
        return watermarks(std::move(partition), defaults(), ec);
    }
    [[nodiscard]] watermark_offsets watermarks(topic_partition partition,
                                               const admin_options& options) {
        return run_or_throw(detail::watermarks_request{std::move(partition)}, options);
    }
    [[nodiscard]] watermark_offsets watermarks(topic_partition partition) {
        return watermarks(std::move(partition), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code, watermark_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_watermarks(topic_partition partition, const admin_options& options,
                          Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::watermarks_request{std::move(partition)}, options,
                        std::forward<Token>(token));
    }
    template <asio::completion_token_for<void(boost::system::error_code, watermark_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_watermarks(topic_partition partition, Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::watermarks_request{std::move(partition)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Earliest, latest or by-time offsets of partitions; each partition reports its own error.
    [[nodiscard]] std::vector<partition_offset_result> list_offsets(
        std::vector<offset_query> queries, const admin_options& options, std::error_code& ec) {
        return run_sync(detail::list_offsets_request{std::move(queries)}, options, ec);
    }
    [[nodiscard]] std::vector<partition_offset_result> list_offsets(
        std::vector<offset_query> queries, std::error_code& ec) {
        return list_offsets(std::move(queries), defaults(), ec);
    }
    [[nodiscard]] std::vector<partition_offset_result> list_offsets(
        std::vector<offset_query> queries, const admin_options& options) {
        return run_or_throw(detail::list_offsets_request{std::move(queries)}, options);
    }
    [[nodiscard]] std::vector<partition_offset_result> list_offsets(
        std::vector<offset_query> queries) {
        return list_offsets(std::move(queries), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code,
                                              std::vector<partition_offset_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_list_offsets(std::vector<offset_query> queries, const admin_options& options,
                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_offsets_request{std::move(queries)}, options,
                        std::forward<Token>(token));
    }
    template <asio::completion_token_for<void(boost::system::error_code,
                                              std::vector<partition_offset_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_list_offsets(std::vector<offset_query> queries,
                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_offsets_request{std::move(queries)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Configs of topics, brokers or groups with their source and flags; one entry per resource.
    [[nodiscard]] std::vector<resource_configs> describe_configs(
        std::vector<config_resource> resources, const admin_options& options, std::error_code& ec) {
        return run_sync(detail::describe_configs_request{std::move(resources)}, options, ec);
    }
    [[nodiscard]] std::vector<resource_configs> describe_configs(
        std::vector<config_resource> resources, std::error_code& ec) {
        return describe_configs(std::move(resources), defaults(), ec);
    }
    [[nodiscard]] std::vector<resource_configs> describe_configs(
        std::vector<config_resource> resources, const admin_options& options) {
        return run_or_throw(detail::describe_configs_request{std::move(resources)}, options);
    }
    [[nodiscard]] std::vector<resource_configs> describe_configs(
        std::vector<config_resource> resources) {
        return describe_configs(std::move(resources), defaults());
    }
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<resource_configs>)>
            Token = kflow::use_awaitable_t>
    auto async_describe_configs(std::vector<config_resource> resources,
                                const admin_options& options,
                                Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_configs_request{std::move(resources)}, options,
                        std::forward<Token>(token));
    }
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
    [[nodiscard]] std::vector<config_result> alter_configs(
        std::vector<config_alteration> alterations, const admin_options& options,
        std::error_code& ec) {
        return run_sync(detail::alter_configs_request{std::move(alterations)}, options, ec);
    }
    [[nodiscard]] std::vector<config_result> alter_configs(
        std::vector<config_alteration> alterations, std::error_code& ec) {
        return alter_configs(std::move(alterations), defaults(), ec);
    }
    [[nodiscard]] std::vector<config_result> alter_configs(
        std::vector<config_alteration> alterations, const admin_options& options) {
        return run_or_throw(detail::alter_configs_request{std::move(alterations)}, options);
    }
    [[nodiscard]] std::vector<config_result> alter_configs(
        std::vector<config_alteration> alterations) {
        return alter_configs(std::move(alterations), defaults());
    }
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<config_result>)>
            Token = kflow::use_awaitable_t>
    auto async_alter_configs(std::vector<config_alteration> alterations,
                             const admin_options& options,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::alter_configs_request{std::move(alterations)}, options,
                        std::forward<Token>(token));
    }
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
    [[nodiscard]] std::vector<config_result> incremental_alter_configs(
        std::vector<incremental_config_alteration> alterations, const admin_options& options,
        std::error_code& ec) {
        return run_sync(detail::incremental_alter_configs_request{std::move(alterations)}, options,
                        ec);
    }
    [[nodiscard]] std::vector<config_result> incremental_alter_configs(
        std::vector<incremental_config_alteration> alterations, std::error_code& ec) {
        return incremental_alter_configs(std::move(alterations), defaults(), ec);
    }
    [[nodiscard]] std::vector<config_result> incremental_alter_configs(
        std::vector<incremental_config_alteration> alterations, const admin_options& options) {
        return run_or_throw(detail::incremental_alter_configs_request{std::move(alterations)},
                            options);
    }
    [[nodiscard]] std::vector<config_result> incremental_alter_configs(
        std::vector<incremental_config_alteration> alterations) {
        return incremental_alter_configs(std::move(alterations), defaults());
    }
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<config_result>)>
            Token = kflow::use_awaitable_t>
    auto async_incremental_alter_configs(std::vector<incremental_config_alteration> alterations,
                                         const admin_options& options,
                                         Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::incremental_alter_configs_request{std::move(alterations)}, options,
                        std::forward<Token>(token));
    }
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
    [[nodiscard]] group_listings list_consumer_groups(const admin_options& options,
                                                      std::error_code& ec) {
        return run_sync(detail::list_consumer_groups_request{}, options, ec);
    }
    [[nodiscard]] group_listings list_consumer_groups(std::error_code& ec) {
        return list_consumer_groups(defaults(), ec);
    }
    [[nodiscard]] group_listings list_consumer_groups(const admin_options& options) {
        return run_or_throw(detail::list_consumer_groups_request{}, options);
    }
    [[nodiscard]] group_listings list_consumer_groups() { return list_consumer_groups(defaults()); }
    template <asio::completion_token_for<void(boost::system::error_code, group_listings)> Token =
                  kflow::use_awaitable_t>
    auto async_list_consumer_groups(const admin_options& options,
                                    Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_consumer_groups_request{}, options,
                        std::forward<Token>(token));
    }
    template <asio::completion_token_for<void(boost::system::error_code, group_listings)> Token =
                  kflow::use_awaitable_t>
    auto async_list_consumer_groups(Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_consumer_groups_request{}, defaults(),
                        std::forward<Token>(token));
    }

    /// Groups' state, assignor, coordinator and members with their assignments; one per group.
    [[nodiscard]] std::vector<group_description> describe_consumer_groups(
        std::vector<std::string> groups, const admin_options& options, std::error_code& ec) {
        return run_sync(detail::describe_consumer_groups_request{std::move(groups)}, options, ec);
    }
    [[nodiscard]] std::vector<group_description> describe_consumer_groups(
        std::vector<std::string> groups, std::error_code& ec) {
        return describe_consumer_groups(std::move(groups), defaults(), ec);
    }
    [[nodiscard]] std::vector<group_description> describe_consumer_groups(
        std::vector<std::string> groups, const admin_options& options) {
        return run_or_throw(detail::describe_consumer_groups_request{std::move(groups)}, options);
    }
    [[nodiscard]] std::vector<group_description> describe_consumer_groups(
        std::vector<std::string> groups) {
        return describe_consumer_groups(std::move(groups), defaults());
    }
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<group_description>)>
            Token = kflow::use_awaitable_t>
    auto async_describe_consumer_groups(std::vector<std::string> groups,
                                        const admin_options& options,
                                        Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_consumer_groups_request{std::move(groups)}, options,
                        std::forward<Token>(token));
    }
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<group_description>)>
            Token = kflow::use_awaitable_t>
    auto async_describe_consumer_groups(std::vector<std::string> groups,
                                        Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_consumer_groups_request{std::move(groups)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Deletes groups (they must be empty: no active members). One item_result per group.
    [[nodiscard]] std::vector<item_result> delete_consumer_groups(std::vector<std::string> groups,
                                                                  const admin_options& options,
                                                                  std::error_code& ec) {
        return run_sync(detail::delete_consumer_groups_request{std::move(groups)}, options, ec);
    }
    [[nodiscard]] std::vector<item_result> delete_consumer_groups(std::vector<std::string> groups,
                                                                  std::error_code& ec) {
        return delete_consumer_groups(std::move(groups), defaults(), ec);
    }
    [[nodiscard]] std::vector<item_result> delete_consumer_groups(std::vector<std::string> groups,
                                                                  const admin_options& options) {
        return run_or_throw(detail::delete_consumer_groups_request{std::move(groups)}, options);
    }
    [[nodiscard]] std::vector<item_result> delete_consumer_groups(std::vector<std::string> groups) {
        return delete_consumer_groups(std::move(groups), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_consumer_groups(std::vector<std::string> groups, const admin_options& options,
                                      Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_consumer_groups_request{std::move(groups)}, options,
                        std::forward<Token>(token));
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_consumer_groups(std::vector<std::string> groups,
                                      Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_consumer_groups_request{std::move(groups)}, defaults(),
                        std::forward<Token>(token));
    }

    /// A group's committed offsets for `partitions` (empty: every partition it has committed).
    [[nodiscard]] group_offsets list_consumer_group_offsets(std::string group,
                                                            std::vector<topic_partition> partitions,
                                                            const admin_options& options,
                                                            std::error_code& ec) {
        return run_sync(detail::list_group_offsets_request{std::move(group), std::move(partitions)},
                        options, ec);
    }
    [[nodiscard]] group_offsets list_consumer_group_offsets(std::string group,
                                                            std::vector<topic_partition> partitions,
                                                            std::error_code& ec) {
        return list_consumer_group_offsets(std::move(group), std::move(partitions), defaults(), ec);
    }
    [[nodiscard]] group_offsets list_consumer_group_offsets(std::string group,
                                                            std::vector<topic_partition> partitions,
                                                            const admin_options& options) {
        return run_or_throw(
            detail::list_group_offsets_request{std::move(group), std::move(partitions)}, options);
    }
    [[nodiscard]] group_offsets list_consumer_group_offsets(
        std::string group, std::vector<topic_partition> partitions) {
        return list_consumer_group_offsets(std::move(group), std::move(partitions), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code, group_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_list_consumer_group_offsets(std::string group,
                                           std::vector<topic_partition> partitions,
                                           const admin_options& options,
                                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_group_offsets_request{std::move(group), std::move(partitions)},
                        options, std::forward<Token>(token));
    }
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
    [[nodiscard]] group_offsets alter_consumer_group_offsets(
        std::string group, std::vector<topic_partition_offset> offsets,
        const admin_options& options, std::error_code& ec) {
        return run_sync(detail::alter_group_offsets_request{std::move(group), std::move(offsets)},
                        options, ec);
    }
    [[nodiscard]] group_offsets alter_consumer_group_offsets(
        std::string group, std::vector<topic_partition_offset> offsets, std::error_code& ec) {
        return alter_consumer_group_offsets(std::move(group), std::move(offsets), defaults(), ec);
    }
    [[nodiscard]] group_offsets alter_consumer_group_offsets(
        std::string group, std::vector<topic_partition_offset> offsets,
        const admin_options& options) {
        return run_or_throw(
            detail::alter_group_offsets_request{std::move(group), std::move(offsets)}, options);
    }
    [[nodiscard]] group_offsets alter_consumer_group_offsets(
        std::string group, std::vector<topic_partition_offset> offsets) {
        return alter_consumer_group_offsets(std::move(group), std::move(offsets), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code, group_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_alter_consumer_group_offsets(std::string group,
                                            std::vector<topic_partition_offset> offsets,
                                            const admin_options& options,
                                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::alter_group_offsets_request{std::move(group), std::move(offsets)},
                        options, std::forward<Token>(token));
    }
    template <asio::completion_token_for<void(boost::system::error_code, group_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_alter_consumer_group_offsets(std::string group,
                                            std::vector<topic_partition_offset> offsets,
                                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::alter_group_offsets_request{std::move(group), std::move(offsets)},
                        defaults(), std::forward<Token>(token));
    }

    /// Removes a group's committed offsets for partitions it no longer consumes.
    [[nodiscard]] group_offsets delete_consumer_group_offsets(
        std::string group, std::vector<topic_partition> partitions, const admin_options& options,
        std::error_code& ec) {
        return run_sync(
            detail::delete_group_offsets_request{std::move(group), std::move(partitions)}, options,
            ec);
    }
    [[nodiscard]] group_offsets delete_consumer_group_offsets(
        std::string group, std::vector<topic_partition> partitions, std::error_code& ec) {
        return delete_consumer_group_offsets(std::move(group), std::move(partitions), defaults(),
                                             ec);
    }
    [[nodiscard]] group_offsets delete_consumer_group_offsets(
        std::string group, std::vector<topic_partition> partitions, const admin_options& options) {
        return run_or_throw(
            detail::delete_group_offsets_request{std::move(group), std::move(partitions)}, options);
    }
    [[nodiscard]] group_offsets delete_consumer_group_offsets(
        std::string group, std::vector<topic_partition> partitions) {
        return delete_consumer_group_offsets(std::move(group), std::move(partitions), defaults());
    }
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
    [[nodiscard]] group_lag consumer_group_lag(std::string group, std::vector<std::string> topics,
                                               const admin_options& options, std::error_code& ec) {
        return run_sync(detail::consumer_group_lag_request{std::move(group), std::move(topics)},
                        options, ec);
    }
    [[nodiscard]] group_lag consumer_group_lag(std::string group, std::vector<std::string> topics,
                                               std::error_code& ec) {
        return consumer_group_lag(std::move(group), std::move(topics), defaults(), ec);
    }
    [[nodiscard]] group_lag consumer_group_lag(std::string group, std::vector<std::string> topics,
                                               const admin_options& options) {
        return run_or_throw(detail::consumer_group_lag_request{std::move(group), std::move(topics)},
                            options);
    }
    [[nodiscard]] group_lag consumer_group_lag(std::string group, std::vector<std::string> topics) {
        return consumer_group_lag(std::move(group), std::move(topics), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code, group_lag)> Token =
                  kflow::use_awaitable_t>
    auto async_consumer_group_lag(std::string group, std::vector<std::string> topics,
                                  const admin_options& options,
                                  Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::consumer_group_lag_request{std::move(group), std::move(topics)},
                        options, std::forward<Token>(token));
    }
    template <asio::completion_token_for<void(boost::system::error_code, group_lag)> Token =
                  kflow::use_awaitable_t>
    auto async_consumer_group_lag(std::string group, std::vector<std::string> topics,
                                  Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::consumer_group_lag_request{std::move(group), std::move(topics)},
                        defaults(), std::forward<Token>(token));
    }

    /// Deletes each partition's records before the given offset (offsets::end: all of them);
    /// reports each partition's new low watermark or its error.
    [[nodiscard]] std::vector<partition_offset_result> delete_records(
        std::vector<topic_partition_offset> before, const admin_options& options,
        std::error_code& ec) {
        return run_sync(detail::delete_records_request{std::move(before)}, options, ec);
    }
    [[nodiscard]] std::vector<partition_offset_result> delete_records(
        std::vector<topic_partition_offset> before, std::error_code& ec) {
        return delete_records(std::move(before), defaults(), ec);
    }
    [[nodiscard]] std::vector<partition_offset_result> delete_records(
        std::vector<topic_partition_offset> before, const admin_options& options) {
        return run_or_throw(detail::delete_records_request{std::move(before)}, options);
    }
    [[nodiscard]] std::vector<partition_offset_result> delete_records(
        std::vector<topic_partition_offset> before) {
        return delete_records(std::move(before), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code,
                                              std::vector<partition_offset_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_records(std::vector<topic_partition_offset> before,
                              const admin_options& options,
                              Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_records_request{std::move(before)}, options,
                        std::forward<Token>(token));
    }
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
    [[nodiscard]] std::vector<election_result> elect_leaders(
        election_type type, std::vector<topic_partition> partitions, const admin_options& options,
        std::error_code& ec) {
        return run_sync(detail::elect_leaders_request{type, std::move(partitions)}, options, ec);
    }
    [[nodiscard]] std::vector<election_result> elect_leaders(
        election_type type, std::vector<topic_partition> partitions, std::error_code& ec) {
        return elect_leaders(type, std::move(partitions), defaults(), ec);
    }
    [[nodiscard]] std::vector<election_result> elect_leaders(
        election_type type, std::vector<topic_partition> partitions, const admin_options& options) {
        return run_or_throw(detail::elect_leaders_request{type, std::move(partitions)}, options);
    }
    [[nodiscard]] std::vector<election_result> elect_leaders(
        election_type type, std::vector<topic_partition> partitions) {
        return elect_leaders(type, std::move(partitions), defaults());
    }
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<election_result>)>
            Token = kflow::use_awaitable_t>
    auto async_elect_leaders(election_type type, std::vector<topic_partition> partitions,
                             const admin_options& options,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::elect_leaders_request{type, std::move(partitions)}, options,
                        std::forward<Token>(token));
    }
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
    [[nodiscard]] std::vector<acl_result> create_acls(std::vector<acl_binding> bindings,
                                                      const admin_options& options,
                                                      std::error_code& ec) {
        return run_sync(detail::create_acls_request{std::move(bindings)}, options, ec);
    }
    [[nodiscard]] std::vector<acl_result> create_acls(std::vector<acl_binding> bindings,
                                                      std::error_code& ec) {
        return create_acls(std::move(bindings), defaults(), ec);
    }
    [[nodiscard]] std::vector<acl_result> create_acls(std::vector<acl_binding> bindings,
                                                      const admin_options& options) {
        return run_or_throw(detail::create_acls_request{std::move(bindings)}, options);
    }
    [[nodiscard]] std::vector<acl_result> create_acls(std::vector<acl_binding> bindings) {
        return create_acls(std::move(bindings), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<acl_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_acls(std::vector<acl_binding> bindings, const admin_options& options,
                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_acls_request{std::move(bindings)}, options,
                        std::forward<Token>(token));
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<acl_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_acls(std::vector<acl_binding> bindings,
                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_acls_request{std::move(bindings)}, defaults(),
                        std::forward<Token>(token));
    }

    /// The ACLs matching `filter`.
    [[nodiscard]] std::vector<acl_binding> describe_acls(acl_filter filter,
                                                         const admin_options& options,
                                                         std::error_code& ec) {
        return run_sync(detail::describe_acls_request{std::move(filter)}, options, ec);
    }
    [[nodiscard]] std::vector<acl_binding> describe_acls(acl_filter filter, std::error_code& ec) {
        return describe_acls(std::move(filter), defaults(), ec);
    }
    [[nodiscard]] std::vector<acl_binding> describe_acls(acl_filter filter,
                                                         const admin_options& options) {
        return run_or_throw(detail::describe_acls_request{std::move(filter)}, options);
    }
    [[nodiscard]] std::vector<acl_binding> describe_acls(acl_filter filter) {
        return describe_acls(std::move(filter), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<acl_binding>)>
                  Token = kflow::use_awaitable_t>
    auto async_describe_acls(acl_filter filter, const admin_options& options,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_acls_request{std::move(filter)}, options,
                        std::forward<Token>(token));
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<acl_binding>)>
                  Token = kflow::use_awaitable_t>
    auto async_describe_acls(acl_filter filter, Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_acls_request{std::move(filter)}, defaults(),
                        std::forward<Token>(token));
    }

    /// Deletes the ACLs matching each filter; one acl_deletion per filter with what it deleted.
    [[nodiscard]] std::vector<acl_deletion> delete_acls(std::vector<acl_filter> filters,
                                                        const admin_options& options,
                                                        std::error_code& ec) {
        return run_sync(detail::delete_acls_request{std::move(filters)}, options, ec);
    }
    [[nodiscard]] std::vector<acl_deletion> delete_acls(std::vector<acl_filter> filters,
                                                        std::error_code& ec) {
        return delete_acls(std::move(filters), defaults(), ec);
    }
    [[nodiscard]] std::vector<acl_deletion> delete_acls(std::vector<acl_filter> filters,
                                                        const admin_options& options) {
        return run_or_throw(detail::delete_acls_request{std::move(filters)}, options);
    }
    [[nodiscard]] std::vector<acl_deletion> delete_acls(std::vector<acl_filter> filters) {
        return delete_acls(std::move(filters), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<acl_deletion>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_acls(std::vector<acl_filter> filters, const admin_options& options,
                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_acls_request{std::move(filters)}, options,
                        std::forward<Token>(token));
    }
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
    [[nodiscard]] std::vector<user_scram_credentials> describe_user_scram_credentials(
        std::vector<std::string> users, const admin_options& options, std::error_code& ec) {
        return run_sync(detail::describe_user_scram_credentials_request{std::move(users)}, options,
                        ec);
    }
    [[nodiscard]] std::vector<user_scram_credentials> describe_user_scram_credentials(
        std::vector<std::string> users, std::error_code& ec) {
        return describe_user_scram_credentials(std::move(users), defaults(), ec);
    }
    [[nodiscard]] std::vector<user_scram_credentials> describe_user_scram_credentials(
        std::vector<std::string> users, const admin_options& options) {
        return run_or_throw(detail::describe_user_scram_credentials_request{std::move(users)},
                            options);
    }
    [[nodiscard]] std::vector<user_scram_credentials> describe_user_scram_credentials(
        std::vector<std::string> users = {}) {
        return describe_user_scram_credentials(std::move(users), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code,
                                              std::vector<user_scram_credentials>)>
                  Token = kflow::use_awaitable_t>
    auto async_describe_user_scram_credentials(std::vector<std::string> users,
                                               const admin_options& options,
                                               Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_user_scram_credentials_request{std::move(users)}, options,
                        std::forward<Token>(token));
    }
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
    [[nodiscard]] std::vector<item_result> alter_user_scram_credentials(
        std::vector<scram_credential_alteration> alterations, const admin_options& options,
        std::error_code& ec) {
        return run_sync(detail::alter_user_scram_credentials_request{std::move(alterations)},
                        options, ec);
    }
    [[nodiscard]] std::vector<item_result> alter_user_scram_credentials(
        std::vector<scram_credential_alteration> alterations, std::error_code& ec) {
        return alter_user_scram_credentials(std::move(alterations), defaults(), ec);
    }
    [[nodiscard]] std::vector<item_result> alter_user_scram_credentials(
        std::vector<scram_credential_alteration> alterations, const admin_options& options) {
        return run_or_throw(detail::alter_user_scram_credentials_request{std::move(alterations)},
                            options);
    }
    [[nodiscard]] std::vector<item_result> alter_user_scram_credentials(
        std::vector<scram_credential_alteration> alterations) {
        return alter_user_scram_credentials(std::move(alterations), defaults());
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_alter_user_scram_credentials(std::vector<scram_credential_alteration> alterations,
                                            const admin_options& options,
                                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::alter_user_scram_credentials_request{std::move(alterations)},
                        options, std::forward<Token>(token));
    }
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_alter_user_scram_credentials(std::vector<scram_credential_alteration> alterations,
                                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::alter_user_scram_credentials_request{std::move(alterations)},
                        defaults(), std::forward<Token>(token));
    }

    /// Every topic except internal ones, sorted by name.
    [[nodiscard]] std::vector<topic_metadata> list_topics() { return list_topics(false); }
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
