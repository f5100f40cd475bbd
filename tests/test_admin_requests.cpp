// admin_client's requests up to the wire: input and options refused before sending (naming the
// offending item) in every form, the error_info form against the throwing one, the options of
// admin.with(), asynchronous operations without an executor, cancelled or on a closed client,
// and what the mock cluster answers for requests it serves or does not.
#include "admin_test_support.hpp"

#include <kflow/admin/client.hpp>
#include <kflow/admin/ensure_topics.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <future>
#include <optional>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using kflow_test::offline_admin_client;

namespace {

const std::error_code invalid_arg = kflow::make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG);
const std::error_code unsupported = kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE);

struct thrown_error {
    std::error_code code;
    std::string message;
};

/// The code and message of the kafka_error `f` throws; empty when it throws none.
template <class F>
thrown_error error_thrown_by(F f) {
    try {
        f();
    } catch (const kflow::kafka_error& e) {
        return {e.code(), e.what()};
    }
    return {};
}

/// `call` fails with RD_KAFKA_RESP_ERR__INVALID_ARG and a message containing `text`.
#define CHECK_INVALID(call, text)                                       \
    do {                                                                \
        const auto thrown = error_thrown_by([&] { (void)(call); });     \
        INFO(#call << " threw: " << thrown.message);                    \
        CHECK(thrown.code == invalid_arg);                              \
        CHECK_THAT(thrown.message, Catch::Contains(std::string(text))); \
    } while (false)

kflow::admin_config config_for(const mock_cluster& cluster) {
    kflow::admin_config cfg;
    cfg.bootstrap_servers(cluster.bootstrap_servers()).request_timeout(5s);
    return cfg;
}

/// A broker id list longer than librdkafka accepts for one partition (RD_KAFKAP_BROKERS_MAX).
const std::vector<std::int32_t> too_many_brokers(10001, 1);

const kflow::acl_binding acl(kflow::resource_type::topic, "t", kflow::acl_pattern_type::literal,
                             "User:alice", "*", kflow::acl_operation::read,
                             kflow::acl_permission::allow);

/// What an asynchronous operation completed with, and whether it did.
template <class R>
struct outcome {
    std::optional<boost::system::error_code> ec;
    R result{};
    auto handler() {
        return [this](boost::system::error_code e, R r) {
            ec = e;
            result = std::move(r);
        };
    }
};

}  // namespace

TEST_CASE("topic requests refuse bad names, counts and assignments before sending",
          "[admin][validation]") {
    // Nothing listens on the offline client's bootstrap address: a request that went out would
    // wait for its request timeout and fail with a transport or timeout error, not INVALID_ARG.
    auto admin = offline_admin_client();

    CHECK_INVALID(admin.create_topics({kflow::topic_spec(std::string(250, 'a'), 1, 1)}),
                  "longer than 249 characters");
    CHECK_INVALID(admin.create_topics({kflow::topic_spec("..", 1, 1)}),
                  "topic '..': name cannot be '.' or '..'");
    CHECK_INVALID(admin.create_topics({kflow::topic_spec("neg-rf", 1, -2)}),
                  "topic 'neg-rf': replication_factor must be positive or -1");
    CHECK_INVALID(admin.create_topics({kflow::topic_spec("cfg", 1, 1, {{"", "x"}})}),
                  "topic 'cfg': a config has an empty name");
    // Past kflow's own checks, librdkafka's bounds are reported with the topic they concern.
    CHECK_INVALID(admin.create_topics({kflow::topic_spec("ok"), kflow::topic_spec("huge", 100001)}),
                  "create_topics: topic 'huge': ");
    kflow::topic_spec wide("wide");
    wide.replica_assignment = {too_many_brokers};
    CHECK_INVALID(admin.create_topics({wide}), "topic 'wide': replica_assignment[0]: ");

    kflow::error_info err{make_error_code(std::errc::io_error), "stale", {}};
    auto deleted = admin.delete_topics({}, err);
    CHECK(err.code == invalid_arg);
    CHECK(err.message == "delete_topics: no topics given");
    CHECK(deleted.empty());
    CHECK_INVALID(admin.delete_topics({"a", ""}), "delete_topics: a topic name is empty");
    CHECK_INVALID(admin.delete_topics({"x", "y", "x"}), "topic 'x' appears twice in one request");

    CHECK_INVALID(admin.create_partitions(std::vector<kflow::partitions_spec>{}),
                  "create_partitions: no topics given");
    CHECK_INVALID(admin.create_partitions({kflow::partitions_spec("", 3)}),
                  "a topic name is empty");
    CHECK_INVALID(
        admin.create_partitions({kflow::partitions_spec("p", 3), kflow::partitions_spec("p", 4)}),
        "topic 'p' appears twice in one request");
    CHECK_INVALID(admin.create_partitions({kflow::partitions_spec("big", 100001)}),
                  "create_partitions: topic 'big': ");
    CHECK_INVALID(admin.create_partitions({kflow::partitions_spec("p", 3, {{1}, {}})}),
                  "topic 'p': replica_assignment[1] is empty");
    CHECK_INVALID(admin.create_partitions({kflow::partitions_spec("p", 3, {too_many_brokers})}),
                  "topic 'p': replica_assignment[0]: ");
}

TEST_CASE("group, record and metadata requests name the bad group, partition or offset",
          "[admin][validation]") {
    auto admin = offline_admin_client();

    CHECK_INVALID(admin.describe_consumer_groups({}), "describe_consumer_groups: no groups given");
    CHECK_INVALID(admin.describe_consumer_groups({"g", ""}), "a group id is empty");
    CHECK_INVALID(admin.delete_consumer_groups({"g", "g"}),
                  "delete_consumer_groups: group 'g' appears twice in one request");
    CHECK_INVALID(admin.list_consumer_group_offsets("", {}),
                  "list_consumer_group_offsets: group id is empty");
    CHECK_INVALID(admin.list_consumer_group_offsets("g", {{"", 0}}), "a topic name is empty");
    CHECK_INVALID(admin.list_consumer_group_offsets("g", {{"t", -1}}),
                  "'t': partition must not be negative, got -1");
    CHECK_INVALID(admin.list_consumer_group_offsets("g", {{"t", 0}, {"t", 1}, {"t", 0}}),
                  "'t' [0] appears twice in one request");
    CHECK_INVALID(admin.alter_consumer_group_offsets("", {{"t", 0, 5}}), "group id is empty");
    CHECK_INVALID(admin.delete_consumer_group_offsets("g", {}),
                  "delete_consumer_group_offsets: no partitions given");
    CHECK_INVALID(admin.consumer_group_lag("", {}), "group id is empty");

    CHECK_INVALID(admin.delete_records({}), "delete_records: no partitions given");
    CHECK_INVALID(admin.delete_records({{"", 0, 1}}), "a topic name is empty");
    CHECK_INVALID(admin.delete_records({{"t", -2, 1}}), "'t' [-2]: partition must not be negative");
    CHECK_INVALID(admin.delete_records({{"t", 0, 1}, {"t", 0, 9}}),
                  "'t' [0] appears twice in one request");

    kflow::error_info err;
    auto described = admin.describe_topics({}, err);
    CHECK(err.code == invalid_arg);
    CHECK(described.empty());
    CHECK_INVALID(admin.with(kflow::admin_options(1s)).describe_topics({}),
                  "describe_topics: no topics given");
    CHECK_INVALID(admin.watermarks({"", 0}), "watermarks: topic name is empty");
    CHECK_INVALID(admin.list_offsets({}), "list_offsets: no partitions given");
    CHECK_INVALID(admin.list_offsets({{"", 0, kflow::offset_spec::latest()}}),
                  "a topic name is empty");
    CHECK_INVALID(admin.list_offsets({{"t", 0, kflow::offset_spec::latest()},
                                      {"t", -1, kflow::offset_spec::earliest()}}),
                  "'t': partition must not be negative, got -1");
}

TEST_CASE("config and ACL requests name the bad resource, change or filter",
          "[admin][validation]") {
    auto admin = offline_admin_client();
    const auto topic = kflow::config_resource::topic("t");

    CHECK_INVALID(admin.describe_configs({}), "describe_configs: no resources given");
    CHECK_INVALID(admin.describe_configs({kflow::config_resource::topic("")}),
                  "topic resource has no name");
    CHECK_INVALID(admin.describe_configs({topic, kflow::config_resource::broker(1), topic}),
                  "topic 't' appears twice in one request");

    CHECK_INVALID(admin.alter_configs({kflow::config_alteration(
                      kflow::config_resource(kflow::resource_type::group, ""), {{"a", "b"}})}),
                  "alter_configs: group resource has no name");
    CHECK_INVALID(admin.with(kflow::admin_options(1s))
                      .alter_configs({kflow::config_alteration(topic, {{"", "1"}})}),
                  "alter_configs: topic 't': a config has an empty name");

    using change = kflow::config_change;
    using alteration = kflow::incremental_config_alteration;
    CHECK_INVALID(admin.incremental_alter_configs({alteration(kflow::config_resource(), {})}),
                  "resource type must be topic, group or broker, got unknown");
    CHECK_INVALID(admin.incremental_alter_configs({alteration(topic, {})}),
                  "incremental_alter_configs: topic 't': no changes given");
    CHECK_INVALID(
        admin.incremental_alter_configs({alteration(topic, {change("", kflow::config_op::set)})}),
        "topic 't': a change has an empty config name");
    CHECK_INVALID(admin.incremental_alter_configs(
                      {alteration(topic, {change("retention.ms", kflow::config_op{7}, "1")})}),
                  "config 'retention.ms': unknown config_op 7");

    CHECK_INVALID(admin.create_acls({}), "create_acls: no ACL bindings given");
    auto no_host = acl;
    no_host.host.clear();
    CHECK_INVALID(admin.create_acls({acl, no_host}), "ACL on 't': host is empty (use \"*\")");
    kflow::acl_filter unknown_type;
    unknown_type.type = kflow::resource_type::unknown;
    CHECK_INVALID(admin.describe_acls(unknown_type), "describe_acls: ACL filter: ");
    CHECK_INVALID(admin.with(kflow::admin_options(1s)).describe_acls(unknown_type),
                  "describe_acls: ACL filter: ");
    CHECK_INVALID(admin.delete_acls({}), "delete_acls: no ACL filters given");
    CHECK_INVALID(admin.with(kflow::admin_options(1s))
                      .delete_acls({kflow::acl_filter::exactly(acl), unknown_type}),
                  "delete_acls: ACL filter: ");
}

TEST_CASE("options a request cannot honour fail it before anything is sent",
          "[admin][validation]") {
    auto admin = offline_admin_client();
    CHECK_INVALID(admin.with(kflow::admin_options(0ms)).list_consumer_groups(),
                  "list_consumer_groups: request_timeout must be positive, got 0 ms");
    CHECK_INVALID(
        admin.with(kflow::admin_options(1s, -1ms)).create_topics({kflow::topic_spec("t", 1, 1)}),
        "create_topics: operation_timeout must not be negative, got -1 ms");
    // Beyond librdkafka's bound (one hour), named by librdkafka.
    CHECK_INVALID(
        admin.with(kflow::admin_options(2h)).create_topics({kflow::topic_spec("t", 1, 1)}),
        "create_topics: request_timeout: ");

    kflow::admin_client no_time(
        kflow::admin_config().bootstrap_servers("127.0.0.1:1").request_timeout(0ms));
    CHECK_INVALID(no_time.list_consumer_groups(), "request_timeout must be positive, got 0 ms");

    // Only create_topics, create_partitions and the config alterations can validate: every other
    // request that changes the cluster refuses validate_only, also as the client's default.
    kflow::admin_config cfg;
    cfg.bootstrap_servers("127.0.0.1:1").default_options(kflow::admin_options(1s).validating());
    kflow::admin_client validating(cfg);
    CHECK_INVALID(validating.delete_topics({"t"}),
                  "validate_only is not supported by DeleteTopics");
    CHECK_INVALID(validating.delete_consumer_groups({"g"}),
                  "validate_only is not supported by DeleteGroups");
    CHECK_INVALID(validating.delete_consumer_group_offsets("g", {{"t", 0}}),
                  "validate_only is not supported by OffsetDelete");
    CHECK_INVALID(validating.alter_consumer_group_offsets("g", {{"t", 0, 1}}),
                  "validate_only is not supported by OffsetCommit");
    CHECK_INVALID(validating.delete_records({{"t", 0, 1}}),
                  "validate_only is not supported by DeleteRecords");
    CHECK_INVALID(validating.create_acls({acl}), "validate_only is not supported by CreateAcls");
    CHECK_INVALID(validating.delete_acls({kflow::acl_filter::exactly(acl)}),
                  "validate_only is not supported by DeleteAcls");
}

TEST_CASE("the error_info form sets what the throwing form throws, and nothing on success",
          "[admin][validation]") {
    auto admin = offline_admin_client();
    // `throwing` and `setting` make the same call in the two forms.
    const auto same_error = [](auto throwing, auto setting) {
        const auto thrown = error_thrown_by(throwing);
        REQUIRE(thrown.code);
        kflow::error_info err{make_error_code(std::errc::io_error), "stale", {}};
        setting(err);
        CHECK(err.code == thrown.code);
        CHECK(kflow::kafka_error(err.code, err.message, err.flags).what() == thrown.message);
    };
    same_error([&] { (void)admin.create_topics({kflow::topic_spec("", 1, 1)}); },
               [&](auto& err) { (void)admin.create_topics({kflow::topic_spec("", 1, 1)}, err); });
    same_error([&] { (void)admin.delete_consumer_groups({}); },
               [&](auto& err) { (void)admin.delete_consumer_groups({}, err); });
    same_error(
        [&] {
            (void)admin.watermarks({"", 0});
        },
        [&](auto& err) {
            (void)admin.watermarks({"", 0}, err);
        });
    same_error(
        [&] {
            (void)admin.elect_leaders(kflow::election_type::preferred, {{"", 0}});
        },
        [&](auto& err) {
            (void)admin.elect_leaders(kflow::election_type::preferred, {{"", 0}}, err);
        });
    auto no_time = admin.with(kflow::admin_options(0ms));
    same_error([&] { (void)no_time.describe_cluster(); },
               [&](auto& err) { (void)no_time.describe_cluster(err); });
    same_error([&] { (void)no_time.list_consumer_groups(); },
               [&](auto& err) { (void)no_time.list_consumer_groups(err); });

    mock_cluster cluster;
    kflow::admin_client reachable(config_for(cluster));
    kflow::error_info err{make_error_code(std::errc::io_error), "stale", {true, true, true}};
    const auto cluster_info = reachable.describe_cluster(err);
    CHECK_FALSE(err);
    CHECK(err.message.empty());
    CHECK_FALSE(err.flags.fatal);
    CHECK(cluster_info.brokers.size() == 1);
}

TEST_CASE("admin.with(options) runs the same operations with those options instead of defaults()",
          "[admin][validation]") {
    // Before the client: a client without an executor of its own serves each handler executor's
    // operations through a bridge on that executor, so the client must go first.
    asio::io_context io;
    kflow::admin_config cfg;
    cfg.bootstrap_servers("127.0.0.1:1").default_options(kflow::admin_options(1s).validating());
    kflow::admin_client admin(cfg);
    CHECK(admin.defaults().validate_only);

    auto plain = admin.with(kflow::admin_options(300ms));
    CHECK(&plain.client() == &admin);
    CHECK(plain.options().request_timeout == 300ms);
    CHECK_FALSE(plain.options().validate_only);
    // The client's defaults refuse the request before sending; the view's options let it go out,
    // where nothing answers.
    CHECK_INVALID(admin.delete_topics({"t"}), "validate_only is not supported by DeleteTopics");
    const auto sent = error_thrown_by([&] { (void)plain.delete_topics({"t"}); });
    CHECK(sent.code);
    CHECK(sent.code != invalid_arg);
    CHECK_THAT(sent.message, Catch::Contains("delete_topics: cannot read cluster metadata"));
    // And back: a view can validate where the client's defaults would not.
    CHECK_INVALID(admin.with(admin.defaults()).delete_records({{"t", 0, 1}}),
                  "validate_only is not supported by DeleteRecords");

    outcome<std::vector<kflow::item_result>> refused;
    admin.async_delete_consumer_groups({"g"}, asio::bind_executor(io, refused.handler()));
    outcome<std::vector<kflow::item_result>> went_out;
    plain.async_delete_consumer_groups({"g"}, asio::bind_executor(io, went_out.handler()));
    io.run_for(5s);
    REQUIRE(refused.ec);
    CHECK(std::error_code(*refused.ec) == invalid_arg);
    REQUIRE(went_out.ec);
    CHECK(*went_out.ec);
    CHECK(std::error_code(*went_out.ec) != invalid_arg);
}

TEST_CASE("the mock answers what it serves and refuses the rest, whatever validate_only says",
          "[admin][mock]") {
    mock_cluster cluster(2);
    const auto topic = unique_name("requests");
    cluster.create_topic(topic, 2, 1);
    auto cfg = config_for(cluster);
    cfg.default_options(kflow::admin_options(5s).validating());
    kflow::admin_client admin(cfg);

    // Reads ignore validate_only: the request goes out and the mock says what it does not serve.
    const auto acls = error_thrown_by([&] { (void)admin.describe_acls(kflow::acl_filter()); });
    CHECK(acls.code == unsupported);
    CHECK_THAT(acls.message,
               Catch::Contains("describe_acls: the broker does not support DescribeAcls"));
    auto groups = admin.describe_consumer_groups({"g1"});
    REQUIRE(groups.size() == 1);
    CHECK(groups[0].error == unsupported);
    // Alterations can validate: sent, and refused as unsupported rather than invalid.
    const auto altered = error_thrown_by([&] {
        (void)admin.alter_configs({kflow::config_alteration(kflow::config_resource::topic(topic),
                                                            {{"retention.ms", "1"}})});
    });
    CHECK(altered.code == unsupported);
    CHECK_THAT(altered.message, Catch::Contains("does not support AlterConfigs"));
    // Valid new-partition replicas are sent too; the same batch with an invalid one is not.
    kflow::error_info err;
    (void)admin.create_partitions({kflow::partitions_spec(topic, 4, {{1}, {2}})}, err);
    CHECK(err.code == unsupported);
    (void)admin.create_partitions({kflow::partitions_spec(topic, 4, {{1}, {}})}, err);
    CHECK(err.code == invalid_arg);

    auto quick = admin.with(kflow::admin_options(3s));
    const auto internal = "__" + unique_name("internal");
    cluster.create_topic(internal, 1, 1);
    auto count = [&](bool include_internal) {
        const auto listed = quick.list_topics(include_internal);
        return std::count_if(listed.begin(), listed.end(),
                             [&](const auto& t) { return t.name == internal; });
    };
    CHECK(count(false) == 0);
    CHECK(count(true) == 1);

    const auto refused = unique_name("requests-refused");
    cluster.create_topic(refused, 1, 1);
    cluster.set_topic_error(refused, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    const auto described = quick.describe_topics({refused});
    REQUIRE(described.size() == 1);
    CHECK(described[0].error ==
          kflow::make_error_code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
    CHECK_FALSE(described[0].message.empty());

    const auto wm = error_thrown_by([&] { (void)quick.watermarks({topic, 7}); });
    CHECK(wm.code);
    CHECK_THAT(wm.message, Catch::Contains("watermarks: '" + topic + "' [7]: "));

    const auto lag =
        error_thrown_by([&] { (void)admin.consumer_group_lag("g", {"no-such-topic"}); });
    CHECK(lag.code == kflow::make_error_code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
    CHECK_THAT(lag.message, Catch::Contains("consumer_group_lag: topic 'no-such-topic'"));
}

TEST_CASE("group offsets are altered on the mock, and a batch with a bad entry alters none",
          "[admin][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("requests-offsets");
    const auto group = unique_name("requests-group");
    cluster.create_topic(topic, 2, 1);
    asio::io_context io;
    kflow::admin_client admin(io.get_executor(), config_for(cluster));

    CHECK_INVALID(admin.alter_consumer_group_offsets(group, {{topic, 0, 3}, {topic, 1, -1}}),
                  "'" + topic + "' [1]: offset must be an absolute offset (>= 0), got -1");
    auto before = admin.list_consumer_group_offsets(group, {{topic, 0}, {topic, 1}});
    REQUIRE(before.partitions.size() == 2);
    CHECK(before.partitions[0].offset == kflow::offsets::invalid);

    auto altered = admin.alter_consumer_group_offsets(group, {{topic, 0, 3}, {topic, 1, 7}});
    CHECK(altered.ok());
    CHECK(altered.group_id == group);
    CHECK(altered.partitions.size() == 2);

    outcome<kflow::group_offsets> listed;
    kflow::admin_options stable(5s);
    stable.require_stable_offsets = true;
    admin.with(stable).async_list_consumer_group_offsets(group, {{topic, 0}, {topic, 1}},
                                                         listed.handler());
    io.run_for(5s);
    REQUIRE(listed.ec);
    CHECK_FALSE(*listed.ec);
    REQUIRE(listed.result.partitions.size() == 2);
    CHECK(listed.result.partitions[0].offset == 3);
    CHECK(listed.result.partitions[1].offset == 7);

    outcome<kflow::group_offsets> async_altered;
    admin.async_alter_consumer_group_offsets(group, {{topic, 1, 8}}, async_altered.handler());
    io.restart();
    io.run_for(5s);
    REQUIRE(async_altered.ec);
    CHECK_FALSE(*async_altered.ec);
    CHECK(async_altered.result.ok());
    CHECK(admin.list_consumer_group_offsets(group, {{topic, 1}}).partitions.at(0).offset == 8);

    // Watermarks that cannot be read leave the lag of those partitions unknown.
    cluster.push_request_errors(kflow::testing::api_key::list_offsets,
                                std::vector(4, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
    const auto lag = admin.consumer_group_lag(group, {topic});
    REQUIRE(lag.partitions.size() == 2);
    CHECK(lag.partitions[0].error);
    CHECK_FALSE(lag.partitions[0].lag.has_value());
    // A refusal of the committed offsets fails the call with the broker's error.
    cluster.push_request_errors(kflow::testing::api_key::offset_fetch,
                                {RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED});
    const auto refused = error_thrown_by([&] { (void)admin.consumer_group_lag(group, {topic}); });
    CHECK(refused.code == kflow::make_error_code(RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED));
    CHECK_THAT(refused.message, Catch::Contains("Group authorization failed"));
}

TEST_CASE("asynchronous forms complete with the same errors, never inside the initiating call",
          "[admin][async][validation]") {
    asio::io_context io;
    kflow::admin_config cfg;
    cfg.bootstrap_servers("127.0.0.1:1").request_timeout(2s);
    kflow::admin_client admin(io.get_executor(), cfg);
    const auto topic = kflow::config_resource::topic("t");

    outcome<std::vector<kflow::item_result>> partitions;
    admin.async_create_partitions({kflow::partitions_spec("p", 2, {{1}, {}})},
                                  partitions.handler());
    outcome<std::vector<kflow::config_result>> altered;
    admin.async_alter_configs({kflow::config_alteration(topic, {{"", "1"}})}, altered.handler());
    outcome<std::vector<kflow::config_result>> altered_with_options;
    admin.with(kflow::admin_options(1s)).async_alter_configs({}, altered_with_options.handler());
    outcome<std::vector<kflow::config_result>> incremental;
    admin.with(kflow::admin_options(1s))
        .async_incremental_alter_configs({kflow::incremental_config_alteration(topic, {})},
                                         incremental.handler());
    outcome<std::vector<kflow::topic_metadata>> listed;
    admin.with(kflow::admin_options(0ms)).async_list_topics(false, listed.handler());
    outcome<kflow::group_offsets> negative_operation_timeout;
    admin.with(kflow::admin_options(1s, -5ms))
        .async_list_consumer_group_offsets("g", {}, negative_operation_timeout.handler());
    CHECK_FALSE(partitions.ec);
    CHECK_FALSE(listed.ec);
    io.run_for(5s);

    for (auto* ec : {&partitions.ec, &altered.ec, &altered_with_options.ec, &incremental.ec,
                     &listed.ec, &negative_operation_timeout.ec}) {
        REQUIRE(*ec);
        CHECK(std::error_code(**ec) == invalid_arg);
    }
    CHECK(partitions.result.empty());
    CHECK(listed.result.empty());
}

TEST_CASE(
    "asynchronous operations fail cleanly without an executor, when cancelled, when the "
    "cluster is unreachable and when the client closes",
    "[admin][async]") {
    SECTION("no executor: the handler gets invalid_config") {
        kflow::admin_client admin(kflow::admin_config().bootstrap_servers("127.0.0.1:1"));
        std::promise<boost::system::error_code> queued;
        admin.async_delete_topics(
            {"t"}, [&](boost::system::error_code ec, auto) { queued.set_value(ec); });
        std::promise<boost::system::error_code> blocking;
        admin.async_watermarks({"t", 0},
                               [&](boost::system::error_code ec, auto) { blocking.set_value(ec); });
        std::promise<boost::system::error_code> ensured;
        kflow::async_ensure_topics(
            admin, {kflow::topic_spec("t", 1, 1)}, {},
            [&](boost::system::error_code ec, auto) { ensured.set_value(ec); });
        for (auto* p : {&queued, &blocking, &ensured}) {
            auto f = p->get_future();
            REQUIRE(f.wait_for(5s) == std::future_status::ready);
            CHECK(std::error_code(f.get()) == kflow::errc::invalid_config);
        }
    }
    SECTION("cancelled: completes at once with operation_aborted, once") {
        asio::io_context io;
        auto admin = offline_admin_client();
        asio::cancellation_signal cancel;
        outcome<kflow::group_offsets> listed;
        int calls = 0;
        admin.async_list_consumer_group_offsets(
            "g", {},
            asio::bind_executor(io, asio::bind_cancellation_slot(
                                        cancel.slot(), [&](boost::system::error_code ec, auto) {
                                            ++calls;
                                            listed.ec = ec;
                                        })));
        const auto started = std::chrono::steady_clock::now();
        cancel.emit(asio::cancellation_type::terminal);
        cancel.emit(asio::cancellation_type::terminal);  // already cancelled: nothing to do
        io.run_for(1s);
        CHECK(std::chrono::steady_clock::now() - started < 1500ms);
        CHECK(calls == 1);
        REQUIRE(listed.ec);
        CHECK(*listed.ec == asio::error::operation_aborted);
    }
    SECTION("unreachable: a controller request fails when the metadata cannot be read") {
        asio::io_context io;
        auto admin = offline_admin_client();
        auto brief = admin.with(kflow::admin_options(300ms));
        const auto thrown = error_thrown_by([&] { (void)brief.delete_consumer_groups({"g"}); });
        CHECK(thrown.code);
        CHECK_THAT(thrown.message,
                   Catch::Contains("delete_consumer_groups: cannot read cluster metadata"));
        kflow::error_info err;
        (void)brief.list_topics(false, err);
        CHECK(err);
        CHECK_FALSE(err.message.empty());
        const auto lag = error_thrown_by([&] { (void)brief.consumer_group_lag("g", {"t"}); });
        CHECK_THAT(lag.message, Catch::Contains("cannot read cluster metadata"));
        CHECK(error_thrown_by([&] { (void)brief.consumer_group_lag("g", {}); }).code);
        outcome<std::vector<kflow::item_result>> deleted;
        brief.async_delete_topics({"t"}, asio::bind_executor(io, deleted.handler()));
        io.run_for(5s);
        REQUIRE(deleted.ec);
        CHECK(*deleted.ec);
        CHECK(deleted.result.empty());
    }
    SECTION("closed: pending operations and operations started later get errc::closed") {
        asio::io_context io;
        std::optional<kflow::admin_client> admin(std::in_place, offline_admin_client());
        outcome<kflow::group_offsets> pending;
        admin->async_list_consumer_group_offsets("g", {},
                                                 asio::bind_executor(io, pending.handler()));
        auto later_queued =
            admin->async_create_topics({kflow::topic_spec("t", 1, 1)}, asio::deferred);
        auto later_blocking = admin->async_list_topics(false, asio::deferred);
        admin.reset();
        outcome<std::vector<kflow::item_result>> created;
        std::move(later_queued)(asio::bind_executor(io, created.handler()));
        outcome<std::vector<kflow::topic_metadata>> listed;
        std::move(later_blocking)(asio::bind_executor(io, listed.handler()));
        io.run_for(5s);
        for (auto* ec : {&pending.ec, &created.ec, &listed.ec}) {
            REQUIRE(*ec);
            CHECK(std::error_code(**ec) == kflow::errc::closed);
        }
    }
}
