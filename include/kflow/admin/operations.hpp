#pragma once
// Every admin operation, written once: admin_client runs them with its defaults(), and the view
// admin_client::with() returns runs the same operations with other admin_options. Each operation
// has three forms; admin/client.hpp describes them.

#include <kflow/admin/acls.hpp>
#include <kflow/admin/configs.hpp>
#include <kflow/admin/detail/acl_requests.hpp>
#include <kflow/admin/detail/config_requests.hpp>
#include <kflow/admin/detail/core.hpp>
#include <kflow/admin/detail/group_requests.hpp>
#include <kflow/admin/detail/leader_requests.hpp>
#include <kflow/admin/detail/metadata_requests.hpp>
#include <kflow/admin/detail/record_requests.hpp>
#include <kflow/admin/detail/scram_requests.hpp>
#include <kflow/admin/detail/topic_requests.hpp>
#include <kflow/admin/groups.hpp>
#include <kflow/admin/leaders.hpp>
#include <kflow/admin/offsets.hpp>
#include <kflow/admin/options.hpp>
#include <kflow/admin/results.hpp>
#include <kflow/admin/scram.hpp>
#include <kflow/admin/topic_spec.hpp>
#include <kflow/admin/topics.hpp>
#include <kflow/error.hpp>
#include <kflow/metadata.hpp>
#include <kflow/topic_partition.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kflow {

namespace asio = boost::asio;

/// The admin operations of kflow::admin_client and kflow::admin_view, in their three forms
/// (admin_client describes them). `Derived` supplies the client's core and the admin_options the
/// operations use: admin_client its defaults(), admin_view the options it was made with.
template <class Derived>
class admin_operations {
  public:
    /// Creates topics (partitions and replication factor, or an explicit replica assignment, and
    /// topic configs). One item_result per topic; with admin_options::validate_only the broker
    /// only checks.
    /// Kafka's CreateTopics, sent to the controller; admin_options::operation_timeout is how long
    /// the broker waits for the new topics to spread through the cluster. A topic that already
    /// exists comes back with TOPIC_ALREADY_EXISTS; an invalid name or count fails the whole call
    /// before sending.
    [[nodiscard]] std::vector<item_result> create_topics(std::vector<topic_spec> topics) {
        return run(detail::create_topics_request{std::move(topics)});
    }
    /// create_topics() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<item_result> create_topics(std::vector<topic_spec> topics,
                                                         error_info& err) {
        return run(detail::create_topics_request{std::move(topics)}, err);
    }
    /// Starts create_topics(); completes with
    /// `void(boost::system::error_code, std::vector<item_result>)`. Cancellation completes it at
    /// once with asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_topics(std::vector<topic_spec> topics,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_topics_request{std::move(topics)},
                        std::forward<Token>(token));
    }

    /// Deletes topics. One item_result per topic.
    /// Kafka's DeleteTopics, sent to the controller: the topics and all their records are gone.
    /// A missing topic comes back with UNKNOWN_TOPIC_OR_PART; a broker with
    /// delete.topic.enable=false refuses with TOPIC_DELETION_DISABLED.
    [[nodiscard]] std::vector<item_result> delete_topics(std::vector<std::string> topics) {
        return run(detail::delete_topics_request{std::move(topics)});
    }
    /// delete_topics() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<item_result> delete_topics(std::vector<std::string> topics,
                                                         error_info& err) {
        return run(detail::delete_topics_request{std::move(topics)}, err);
    }
    /// Starts delete_topics(); completes with
    /// `void(boost::system::error_code, std::vector<item_result>)`. Cancellation completes it at
    /// once with asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_topics(std::vector<std::string> topics,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_topics_request{std::move(topics)},
                        std::forward<Token>(token));
    }

    /// Raises topics' partition counts. One item_result per topic.
    /// Kafka's CreatePartitions, sent to the controller; see partitions_spec. A count not larger
    /// than the current one comes back with INVALID_PARTITIONS; admin_options::validate_only only
    /// checks.
    [[nodiscard]] std::vector<item_result> create_partitions(std::vector<partitions_spec> topics) {
        return run(detail::create_partitions_request{std::move(topics)});
    }
    /// create_partitions() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<item_result> create_partitions(std::vector<partitions_spec> topics,
                                                             error_info& err) {
        return run(detail::create_partitions_request{std::move(topics)}, err);
    }
    /// Starts create_partitions(); completes with
    /// `void(boost::system::error_code, std::vector<item_result>)`. Cancellation completes it at
    /// once with asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_partitions(std::vector<partitions_spec> topics,
                                 Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_partitions_request{std::move(topics)},
                        std::forward<Token>(token));
    }

    /// Every topic with its partitions, leaders, replicas and in-sync replicas, sorted by name
    /// (internal topics such as `__consumer_offsets` only when include_internal).
    /// Read from one Metadata request for all topics, which never auto-creates a topic; topics
    /// whose names start with `__` count as internal. Partitions are sorted by id.
    [[nodiscard]] std::vector<topic_metadata> list_topics(bool include_internal = false) {
        return run(detail::list_topics_request{include_internal});
    }
    /// list_topics() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<topic_metadata> list_topics(bool include_internal, error_info& err) {
        return run(detail::list_topics_request{include_internal}, err);
    }
    /// Starts list_topics(); completes with
    /// `void(boost::system::error_code, std::vector<topic_metadata>)`. Runs on the client's worker
    /// thread, one such operation at a time, and cannot be cancelled.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<topic_metadata>)>
            Token = kflow::use_awaitable_t>
    auto async_list_topics(bool include_internal, Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_topics_request{include_internal}, std::forward<Token>(token));
    }
    /// Starts list_topics() for every topic except internal ones.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<topic_metadata>)>
            Token = kflow::use_awaitable_t>
    auto async_list_topics(Token&& token = kflow::use_awaitable_t{}) {
        return async_list_topics(false, std::forward<Token>(token));
    }

    /// The named topics' metadata, in the order asked; a topic the cluster does not have is
    /// reported with UNKNOWN_TOPIC_OR_PART (asking never auto-creates it).
    /// Read from one Metadata request for all topics.
    [[nodiscard]] std::vector<topic_metadata> describe_topics(std::vector<std::string> topics) {
        return run(detail::describe_topics_request{std::move(topics)});
    }
    /// describe_topics() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<topic_metadata> describe_topics(std::vector<std::string> topics,
                                                              error_info& err) {
        return run(detail::describe_topics_request{std::move(topics)}, err);
    }
    /// Starts describe_topics(); completes with
    /// `void(boost::system::error_code, std::vector<topic_metadata>)`. Runs on the client's worker
    /// thread, one such operation at a time, and cannot be cancelled.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<topic_metadata>)>
            Token = kflow::use_awaitable_t>
    auto async_describe_topics(std::vector<std::string> topics,
                               Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_topics_request{std::move(topics)},
                        std::forward<Token>(token));
    }

    /// The cluster id, its brokers and the controller.
    /// Read from one Metadata request; brokers are sorted by id, and controller_id is -1 when the
    /// cluster names none.
    [[nodiscard]] cluster_description describe_cluster() {
        return run(detail::describe_cluster_request{});
    }
    /// describe_cluster() that sets `err` instead of throwing.
    [[nodiscard]] cluster_description describe_cluster(error_info& err) {
        return run(detail::describe_cluster_request{}, err);
    }
    /// Starts describe_cluster(); completes with
    /// `void(boost::system::error_code, cluster_description)`. Runs on the client's worker thread,
    /// one such operation at a time, and cannot be cancelled.
    template <asio::completion_token_for<void(boost::system::error_code, cluster_description)>
                  Token = kflow::use_awaitable_t>
    auto async_describe_cluster(Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_cluster_request{}, std::forward<Token>(token));
    }

    /// A partition's low and high watermarks, asked of its leader.
    /// The low watermark is the first offset still stored, the high watermark the offset the
    /// next record will get (Kafka's ListOffsets). Any error, e.g. UNKNOWN_TOPIC_OR_PART or
    /// NOT_LEADER_FOR_PARTITION, fails the call.
    [[nodiscard]] watermark_offsets watermarks(topic_partition partition) {
        return run(detail::watermarks_request{std::move(partition)});
    }
    /// watermarks() that sets `err` instead of throwing.
    [[nodiscard]] watermark_offsets watermarks(topic_partition partition, error_info& err) {
        return run(detail::watermarks_request{std::move(partition)}, err);
    }
    /// Starts watermarks(); completes with `void(boost::system::error_code, watermark_offsets)`.
    /// Runs on the client's worker thread, one such operation at a time, and cannot be cancelled.
    template <asio::completion_token_for<void(boost::system::error_code, watermark_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_watermarks(topic_partition partition, Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::watermarks_request{std::move(partition)},
                        std::forward<Token>(token));
    }

    /// Earliest, latest or by-time offsets of partitions; each partition reports its own error.
    /// One partition_offset_result per query, in the order asked; the partitions are asked one
    /// after another, each within the request timeout. An empty list, an empty topic name or a
    /// negative partition fails the whole call before sending.
    [[nodiscard]] std::vector<partition_offset_result> list_offsets(
        std::vector<offset_query> queries) {
        return run(detail::list_offsets_request{std::move(queries)});
    }
    /// list_offsets() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<partition_offset_result> list_offsets(
        std::vector<offset_query> queries, error_info& err) {
        return run(detail::list_offsets_request{std::move(queries)}, err);
    }
    /// Starts list_offsets(); completes with
    /// `void(boost::system::error_code, std::vector<partition_offset_result>)`. Runs on the
    /// client's worker thread, one such operation at a time, and cannot be cancelled.
    template <asio::completion_token_for<void(boost::system::error_code,
                                              std::vector<partition_offset_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_list_offsets(std::vector<offset_query> queries,
                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_offsets_request{std::move(queries)},
                        std::forward<Token>(token));
    }

    /// Configs of topics, brokers or groups with their source and flags; one entry per resource.
    /// Kafka's DescribeConfigs. A resource that does not exist is reported in its entry's error
    /// (e.g. UNKNOWN_TOPIC_OR_PART); sensitive values come back without their value.
    [[nodiscard]] std::vector<resource_configs> describe_configs(
        std::vector<config_resource> resources) {
        return run(detail::describe_configs_request{std::move(resources)});
    }
    /// describe_configs() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<resource_configs> describe_configs(
        std::vector<config_resource> resources, error_info& err) {
        return run(detail::describe_configs_request{std::move(resources)}, err);
    }
    /// Starts describe_configs(); completes with
    /// `void(boost::system::error_code, std::vector<resource_configs>)`. Cancellation completes it
    /// at once with asio::error::operation_aborted; a request already sent still runs on the
    /// broker.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<resource_configs>)>
            Token = kflow::use_awaitable_t>
    auto async_describe_configs(std::vector<config_resource> resources,
                                Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_configs_request{std::move(resources)},
                        std::forward<Token>(token));
    }

    /// Replaces resources' dynamic configs (Kafka's AlterConfigs: configs not given return to their
    /// defaults). Prefer incremental_alter_configs where librdkafka has it.
    /// One config_result per resource; admin_options::validate_only only checks.
    [[nodiscard]] std::vector<config_result> alter_configs(
        std::vector<config_alteration> alterations) {
        return run(detail::alter_configs_request{std::move(alterations)});
    }
    /// alter_configs() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<config_result> alter_configs(
        std::vector<config_alteration> alterations, error_info& err) {
        return run(detail::alter_configs_request{std::move(alterations)}, err);
    }
    /// Starts alter_configs(); completes with
    /// `void(boost::system::error_code, std::vector<config_result>)`. Cancellation completes it
    /// at once with asio::error::operation_aborted; a request already sent still runs on the
    /// broker.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<config_result>)>
            Token = kflow::use_awaitable_t>
    auto async_alter_configs(std::vector<config_alteration> alterations,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::alter_configs_request{std::move(alterations)},
                        std::forward<Token>(token));
    }

    /// Sets, removes, appends to or subtracts from single configs (KIP-339). Needs
    /// librdkafka 2.2.0: built against an older one it fails with errc::unsupported_by_librdkafka.
    /// Kafka's IncrementalAlterConfigs (brokers from Kafka 2.3): configs not named keep their
    /// values. One config_result per resource; admin_options::validate_only only checks.
    [[nodiscard]] std::vector<config_result> incremental_alter_configs(
        std::vector<incremental_config_alteration> alterations) {
        return run(detail::incremental_alter_configs_request{std::move(alterations)});
    }
    /// incremental_alter_configs() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<config_result> incremental_alter_configs(
        std::vector<incremental_config_alteration> alterations, error_info& err) {
        return run(detail::incremental_alter_configs_request{std::move(alterations)}, err);
    }
    /// Starts incremental_alter_configs(); completes with
    /// `void(boost::system::error_code, std::vector<config_result>)`. Cancellation completes it
    /// at once with asio::error::operation_aborted; a request already sent still runs on the
    /// broker.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<config_result>)>
            Token = kflow::use_awaitable_t>
    auto async_incremental_alter_configs(std::vector<incremental_config_alteration> alterations,
                                         Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::incremental_alter_configs_request{std::move(alterations)},
                        std::forward<Token>(token));
    }

    /// Every consumer group of every broker, with its state. A broker that did not answer is
    /// reported in group_listings::errors, so a partial listing is never taken for all.
    /// Kafka's ListGroups, sent to every broker; groups are sorted by id.
    [[nodiscard]] group_listings list_consumer_groups() {
        return run(detail::list_consumer_groups_request{});
    }
    /// list_consumer_groups() that sets `err` instead of throwing.
    [[nodiscard]] group_listings list_consumer_groups(error_info& err) {
        return run(detail::list_consumer_groups_request{}, err);
    }
    /// Starts list_consumer_groups(); completes with
    /// `void(boost::system::error_code, group_listings)`. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, group_listings)> Token =
                  kflow::use_awaitable_t>
    auto async_list_consumer_groups(Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_consumer_groups_request{}, std::forward<Token>(token));
    }

    /// Groups' state, assignor, coordinator and members with their assignments; one per group.
    /// Kafka's DescribeGroups, sent to each group's coordinator. Each group_description has its
    /// own error (e.g. GROUP_AUTHORIZATION_FAILED); an empty list, an empty id or an id named
    /// twice fails the whole call before sending.
    [[nodiscard]] std::vector<group_description> describe_consumer_groups(
        std::vector<std::string> groups) {
        return run(detail::describe_consumer_groups_request{std::move(groups)});
    }
    /// describe_consumer_groups() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<group_description> describe_consumer_groups(
        std::vector<std::string> groups, error_info& err) {
        return run(detail::describe_consumer_groups_request{std::move(groups)}, err);
    }
    /// Starts describe_consumer_groups(); completes with
    /// `void(boost::system::error_code, std::vector<group_description>)`. Cancellation completes
    /// it at once with asio::error::operation_aborted; a request already sent still runs on the
    /// broker.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<group_description>)>
            Token = kflow::use_awaitable_t>
    auto async_describe_consumer_groups(std::vector<std::string> groups,
                                        Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_consumer_groups_request{std::move(groups)},
                        std::forward<Token>(token));
    }

    /// Deletes groups (they must be empty: no active members). One item_result per group.
    /// Kafka's DeleteGroups, which also removes the groups' committed offsets. A group with
    /// members comes back with NON_EMPTY_GROUP, a missing one with GROUP_ID_NOT_FOUND.
    [[nodiscard]] std::vector<item_result> delete_consumer_groups(std::vector<std::string> groups) {
        return run(detail::delete_consumer_groups_request{std::move(groups)});
    }
    /// delete_consumer_groups() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<item_result> delete_consumer_groups(std::vector<std::string> groups,
                                                                  error_info& err) {
        return run(detail::delete_consumer_groups_request{std::move(groups)}, err);
    }
    /// Starts delete_consumer_groups(); completes with
    /// `void(boost::system::error_code, std::vector<item_result>)`. Cancellation completes it at
    /// once with asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_consumer_groups(std::vector<std::string> groups,
                                      Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_consumer_groups_request{std::move(groups)},
                        std::forward<Token>(token));
    }

    /// A group's committed offsets for `partitions` (empty: every partition it has committed).
    /// Kafka's OffsetFetch, sent to the group's coordinator. With
    /// admin_options::require_stable_offsets the broker holds back offsets of transactions still
    /// open. A partition the group has no offset for has offset offsets::invalid; group-level
    /// errors are in group_offsets::error.
    [[nodiscard]] group_offsets list_consumer_group_offsets(
        std::string group, std::vector<topic_partition> partitions) {
        return run(detail::list_group_offsets_request{std::move(group), std::move(partitions)});
    }
    /// list_consumer_group_offsets() that sets `err` instead of throwing.
    [[nodiscard]] group_offsets list_consumer_group_offsets(std::string group,
                                                            std::vector<topic_partition> partitions,
                                                            error_info& err) {
        return run(detail::list_group_offsets_request{std::move(group), std::move(partitions)},
                   err);
    }
    /// Starts list_consumer_group_offsets(); completes with
    /// `void(boost::system::error_code, group_offsets)`. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, group_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_list_consumer_group_offsets(std::string group,
                                           std::vector<topic_partition> partitions,
                                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::list_group_offsets_request{std::move(group), std::move(partitions)},
                        std::forward<Token>(token));
    }

    /// Commits offsets for a group that has no active members (e.g. to rewind it). Each partition
    /// reports its own error.
    /// Kafka's OffsetCommit, sent to the group's coordinator; the group need not exist yet.
    /// Offsets must be absolute (>= 0): a logical offset such as offsets::end fails the call
    /// before sending. A group with active members refuses the commit: check both
    /// group_offsets::error and each partition's error.
    [[nodiscard]] group_offsets alter_consumer_group_offsets(
        std::string group, std::vector<topic_partition_offset> offsets) {
        return run(detail::alter_group_offsets_request{std::move(group), std::move(offsets)});
    }
    /// alter_consumer_group_offsets() that sets `err` instead of throwing.
    [[nodiscard]] group_offsets alter_consumer_group_offsets(
        std::string group, std::vector<topic_partition_offset> offsets, error_info& err) {
        return run(detail::alter_group_offsets_request{std::move(group), std::move(offsets)}, err);
    }
    /// Starts alter_consumer_group_offsets(); completes with
    /// `void(boost::system::error_code, group_offsets)`. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, group_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_alter_consumer_group_offsets(std::string group,
                                            std::vector<topic_partition_offset> offsets,
                                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::alter_group_offsets_request{std::move(group), std::move(offsets)},
                        std::forward<Token>(token));
    }

    /// Removes a group's committed offsets for partitions it no longer consumes.
    /// Kafka's OffsetDelete (brokers from Kafka 2.4). A partition of a topic the group is still
    /// subscribed to comes back with GROUP_SUBSCRIBED_TO_TOPIC; `partitions` must not be empty.
    [[nodiscard]] group_offsets delete_consumer_group_offsets(
        std::string group, std::vector<topic_partition> partitions) {
        return run(detail::delete_group_offsets_request{std::move(group), std::move(partitions)});
    }
    /// delete_consumer_group_offsets() that sets `err` instead of throwing.
    [[nodiscard]] group_offsets delete_consumer_group_offsets(
        std::string group, std::vector<topic_partition> partitions, error_info& err) {
        return run(detail::delete_group_offsets_request{std::move(group), std::move(partitions)},
                   err);
    }
    /// Starts delete_consumer_group_offsets(); completes with
    /// `void(boost::system::error_code, group_offsets)`. Cancellation completes it at once with
    /// asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, group_offsets)> Token =
                  kflow::use_awaitable_t>
    auto async_delete_consumer_group_offsets(std::string group,
                                             std::vector<topic_partition> partitions,
                                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(
            detail::delete_group_offsets_request{std::move(group), std::move(partitions)},
            std::forward<Token>(token));
    }

    /// Committed offset, watermarks and lag per partition, in one call. With topics, every
    /// partition of those topics; without (empty), every partition the group has committed.
    /// Built from Metadata (when topics are given), the group's committed offsets (OffsetFetch)
    /// and each partition's watermarks, each step within the request timeout;
    /// admin_options::require_stable_offsets is not used. A missing topic or a group-level error
    /// fails the call; a partition whose watermarks cannot be read has its own error. Partitions
    /// are sorted by topic and partition.
    [[nodiscard]] group_lag consumer_group_lag(std::string group, std::vector<std::string> topics) {
        return run(detail::consumer_group_lag_request{std::move(group), std::move(topics)});
    }
    /// consumer_group_lag() that sets `err` instead of throwing.
    [[nodiscard]] group_lag consumer_group_lag(std::string group, std::vector<std::string> topics,
                                               error_info& err) {
        return run(detail::consumer_group_lag_request{std::move(group), std::move(topics)}, err);
    }
    /// Starts consumer_group_lag(); completes with `void(boost::system::error_code, group_lag)`.
    /// Runs on the client's worker thread, one such operation at a time, and cannot be cancelled.
    template <asio::completion_token_for<void(boost::system::error_code, group_lag)> Token =
                  kflow::use_awaitable_t>
    auto async_consumer_group_lag(std::string group, std::vector<std::string> topics,
                                  Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::consumer_group_lag_request{std::move(group), std::move(topics)},
                        std::forward<Token>(token));
    }

    /// Deletes each partition's records before the given offset (offsets::end: all of them);
    /// reports each partition's new low watermark or its error.
    /// Kafka's DeleteRecords, sent to each partition's leader. Offsets must be >= 0 or
    /// offsets::end, and each partition appear once, else the whole call fails before sending.
    [[nodiscard]] std::vector<partition_offset_result> delete_records(
        std::vector<topic_partition_offset> before) {
        return run(detail::delete_records_request{std::move(before)});
    }
    /// delete_records() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<partition_offset_result> delete_records(
        std::vector<topic_partition_offset> before, error_info& err) {
        return run(detail::delete_records_request{std::move(before)}, err);
    }
    /// Starts delete_records(); completes with
    /// `void(boost::system::error_code, std::vector<partition_offset_result>)`. Cancellation
    /// completes it at once with asio::error::operation_aborted; a request already sent still runs
    /// on the broker.
    template <asio::completion_token_for<void(boost::system::error_code,
                                              std::vector<partition_offset_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_records(std::vector<topic_partition_offset> before,
                              Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_records_request{std::move(before)},
                        std::forward<Token>(token));
    }

    /// Elects leaders for `partitions` (empty: every partition of the cluster, and only those
    /// where something was elected or failed are reported): the preferred replica, or with
    /// election_type::unclean an out-of-sync replica where no in-sync one is left. One
    /// election_result per partition; ELECTION_NOT_NEEDED means it already had that leader.
    /// Needs librdkafka 2.6.0 and a broker from Kafka 2.4: built against an older librdkafka it
    /// fails with errc::unsupported_by_librdkafka.
    [[nodiscard]] std::vector<election_result> elect_leaders(
        election_type type, std::vector<topic_partition> partitions) {
        return run(detail::elect_leaders_request{type, std::move(partitions)});
    }
    /// elect_leaders() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<election_result> elect_leaders(
        election_type type, std::vector<topic_partition> partitions, error_info& err) {
        return run(detail::elect_leaders_request{type, std::move(partitions)}, err);
    }
    /// Starts elect_leaders(); completes with
    /// `void(boost::system::error_code, std::vector<election_result>)`. Cancellation completes it
    /// at once with asio::error::operation_aborted; a request already sent still runs on the
    /// broker.
    template <
        asio::completion_token_for<void(boost::system::error_code, std::vector<election_result>)>
            Token = kflow::use_awaitable_t>
    auto async_elect_leaders(election_type type, std::vector<topic_partition> partitions,
                             Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::elect_leaders_request{type, std::move(partitions)},
                        std::forward<Token>(token));
    }

    /// Creates ACLs; one acl_result per binding. A broker without an authorizer answers
    /// SECURITY_DISABLED.
    /// Kafka's CreateAcls. A binding with an empty principal or host, or with `any`, `match` or
    /// `unknown` in a field, fails the whole call before sending.
    [[nodiscard]] std::vector<acl_result> create_acls(std::vector<acl_binding> bindings) {
        return run(detail::create_acls_request{std::move(bindings)});
    }
    /// create_acls() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<acl_result> create_acls(std::vector<acl_binding> bindings,
                                                      error_info& err) {
        return run(detail::create_acls_request{std::move(bindings)}, err);
    }
    /// Starts create_acls(); completes with
    /// `void(boost::system::error_code, std::vector<acl_result>)`. Cancellation completes it at
    /// once with asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<acl_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_create_acls(std::vector<acl_binding> bindings,
                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::create_acls_request{std::move(bindings)},
                        std::forward<Token>(token));
    }

    /// The ACLs matching `filter`.
    /// Kafka's DescribeAcls; see acl_filter for how fields match. A broker without an
    /// authorizer fails the call with SECURITY_DISABLED.
    [[nodiscard]] std::vector<acl_binding> describe_acls(acl_filter filter) {
        return run(detail::describe_acls_request{std::move(filter)});
    }
    /// describe_acls() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<acl_binding> describe_acls(acl_filter filter, error_info& err) {
        return run(detail::describe_acls_request{std::move(filter)}, err);
    }
    /// Starts describe_acls(); completes with
    /// `void(boost::system::error_code, std::vector<acl_binding>)`. Cancellation completes it at
    /// once with asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<acl_binding>)>
                  Token = kflow::use_awaitable_t>
    auto async_describe_acls(acl_filter filter, Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_acls_request{std::move(filter)},
                        std::forward<Token>(token));
    }

    /// Deletes the ACLs matching each filter; one acl_deletion per filter with what it deleted.
    /// Kafka's DeleteAcls. A default acl_filter matches, and so deletes, every ACL of the
    /// cluster.
    [[nodiscard]] std::vector<acl_deletion> delete_acls(std::vector<acl_filter> filters) {
        return run(detail::delete_acls_request{std::move(filters)});
    }
    /// delete_acls() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<acl_deletion> delete_acls(std::vector<acl_filter> filters,
                                                        error_info& err) {
        return run(detail::delete_acls_request{std::move(filters)}, err);
    }
    /// Starts delete_acls(); completes with
    /// `void(boost::system::error_code, std::vector<acl_deletion>)`. Cancellation completes it at
    /// once with asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<acl_deletion>)>
                  Token = kflow::use_awaitable_t>
    auto async_delete_acls(std::vector<acl_filter> filters,
                           Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::delete_acls_request{std::move(filters)},
                        std::forward<Token>(token));
    }

    /// The SCRAM credentials (mechanism and iterations, never the password) of `users`, one
    /// item per user; empty `users` (the default): every user that has credentials. A user
    /// without credentials comes back with RESOURCE_NOT_FOUND. Needs librdkafka 2.2.0 and a
    /// broker from Kafka 2.7: built against an older librdkafka it fails with
    /// errc::unsupported_by_librdkafka.
    [[nodiscard]] std::vector<user_scram_credentials> describe_user_scram_credentials(
        std::vector<std::string> users = {}) {
        return run(detail::describe_user_scram_credentials_request{std::move(users)});
    }
    /// describe_user_scram_credentials() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<user_scram_credentials> describe_user_scram_credentials(
        std::vector<std::string> users, error_info& err) {
        return run(detail::describe_user_scram_credentials_request{std::move(users)}, err);
    }
    /// Starts describe_user_scram_credentials(); completes with
    /// `void(boost::system::error_code, std::vector<user_scram_credentials>)`. Cancellation
    /// completes it at once with asio::error::operation_aborted; a request already sent still runs
    /// on the broker.
    template <asio::completion_token_for<void(boost::system::error_code,
                                              std::vector<user_scram_credentials>)>
                  Token = kflow::use_awaitable_t>
    auto async_describe_user_scram_credentials(std::vector<std::string> users,
                                               Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::describe_user_scram_credentials_request{std::move(users)},
                        std::forward<Token>(token));
    }

    /// Sets or deletes users' SCRAM credentials (scram_credential_alteration::upsert / remove).
    /// Kafka answers per user, not per alteration: one item_result per user named, failed when
    /// any of that user's alterations failed. Needs librdkafka 2.2.0 built with OpenSSL (it
    /// salts and hashes the password; the password itself never leaves the client) and a broker
    /// from Kafka 2.7.
    [[nodiscard]] std::vector<item_result> alter_user_scram_credentials(
        std::vector<scram_credential_alteration> alterations) {
        return run(detail::alter_user_scram_credentials_request{std::move(alterations)});
    }
    /// alter_user_scram_credentials() that sets `err` instead of throwing.
    [[nodiscard]] std::vector<item_result> alter_user_scram_credentials(
        std::vector<scram_credential_alteration> alterations, error_info& err) {
        return run(detail::alter_user_scram_credentials_request{std::move(alterations)}, err);
    }
    /// Starts alter_user_scram_credentials(); completes with
    /// `void(boost::system::error_code, std::vector<item_result>)`. Cancellation completes it at
    /// once with asio::error::operation_aborted; a request already sent still runs on the broker.
    template <asio::completion_token_for<void(boost::system::error_code, std::vector<item_result>)>
                  Token = kflow::use_awaitable_t>
    auto async_alter_user_scram_credentials(std::vector<scram_credential_alteration> alterations,
                                            Token&& token = kflow::use_awaitable_t{}) {
        return initiate(detail::alter_user_scram_credentials_request{std::move(alterations)},
                        std::forward<Token>(token));
    }

  private:
    template <class Request>
    using result_of = typename Request::result_type;

    // Derived grants access to its core() and bound_options(), which are not part of its API.
    [[nodiscard]] Derived& derived() noexcept { return static_cast<Derived&>(*this); }

    // The error_info form: admin_core::run sets `err` on failure and clears it on success.
    template <class Request>
    result_of<Request> run(Request request, error_info& err) {
        Derived& self = derived();
        return self.core()->run(std::move(request), self.bound_options(), err);
    }

    // The throwing form: the same call, its error thrown with the message and flags.
    template <class Request>
    result_of<Request> run(Request request) {
        error_info err;
        auto result = run(std::move(request), err);
        if (err)
            throw kafka_error(err.code, err.message, err.flags);
        return result;
    }

    // The initiation of every async_ operation; it exposes the client's executor so token
    // adapters (asio::cancel_after, ...) can find one.
    struct initiation {
        std::shared_ptr<detail::admin_core> core;

        using executor_type = asio::any_io_executor;
        [[nodiscard]] executor_type get_executor() const noexcept { return core->executor(); }

        template <class Handler, class Request>
        void operator()(Handler&& handler, Request request, const admin_options& options) const {
            core->start(std::move(request), options, std::forward<Handler>(handler));
        }
    };

    // The options are passed by value to the initiation, so a deferred operation keeps its own
    // copy and never refers back to the client or the view that started it.
    template <class Request, class Token>
    auto initiate(Request request, Token&& token) {
        Derived& self = derived();
        return asio::async_initiate<Token, void(boost::system::error_code, result_of<Request>)>(
            initiation{self.core()}, token, std::move(request), self.bound_options());
    }
};

}  // namespace kflow
