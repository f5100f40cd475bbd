// admin_client's requests up to the wire: input and options refused before sending (naming the
// offending item) in every form, asynchronous operations without an executor, cancelled or on a
// closed client, and what the mock cluster answers for requests it serves or does not.
#include "admin_test_support.hpp"

#include <kflow/admin_client.hpp>
#include <kflow/ensure_topics.hpp>
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

    std::error_code ec = make_error_code(std::errc::io_error);
    auto deleted = admin.delete_topics({}, ec);
    CHECK(ec == invalid_arg);
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

    std::error_code ec;
    auto described = admin.describe_topics({}, ec);
    CHECK(ec == invalid_arg);
    CHECK(described.empty());
    CHECK_INVALID(admin.describe_topics({}, kflow::admin_options(1s)),
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
    CHECK_INVALID(admin.alter_configs({kflow::config_alteration(topic, {{"", "1"}})},
                                      kflow::admin_options(1s)),
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
    CHECK_INVALID(admin.describe_acls(unknown_type, kflow::admin_options(1s)),
                  "describe_acls: ACL filter: ");
    CHECK_INVALID(admin.delete_acls({}), "delete_acls: no ACL filters given");
    CHECK_INVALID(admin.delete_acls({kflow::acl_filter::exactly(acl), unknown_type},
                                    kflow::admin_options(1s)),
                  "delete_acls: ACL filter: ");
}

TEST_CASE("options a request cannot honour fail it before anything is sent",
          "[admin][validation]") {
    auto admin = offline_admin_client();
    CHECK_INVALID(admin.list_consumer_groups(kflow::admin_options(0ms)),
                  "list_consumer_groups: request_timeout must be positive, got 0 ms");
    CHECK_INVALID(
        admin.create_topics({kflow::topic_spec("t", 1, 1)}, kflow::admin_options(1s, -1ms)),
        "create_topics: operation_timeout must not be negative, got -1 ms");
    // Beyond librdkafka's bound (one hour), named by librdkafka.
    CHECK_INVALID(admin.create_topics({kflow::topic_spec("t", 1, 1)}, kflow::admin_options(2h)),
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
    std::error_code ec;
    (void)admin.create_partitions({kflow::partitions_spec(topic, 4, {{1}, {2}})}, ec);
    CHECK(ec == unsupported);
    (void)admin.create_partitions({kflow::partitions_spec(topic, 4, {{1}, {}})}, ec);
    CHECK(ec == invalid_arg);

    const kflow::admin_options quick(3s);
    const auto internal = "__" + unique_name("internal");
    cluster.create_topic(internal, 1, 1);
    auto count = [&](bool include_internal) {
        const auto listed = admin.list_topics(include_internal, quick);
        return std::count_if(listed.begin(), listed.end(),
                             [&](const auto& t) { return t.name == internal; });
    };
    CHECK(count(false) == 0);
    CHECK(count(true) == 1);

    const auto refused = unique_name("requests-refused");
    cluster.create_topic(refused, 1, 1);
    cluster.set_topic_error(refused, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    const auto described = admin.describe_topics({refused}, quick);
    REQUIRE(described.size() == 1);
    CHECK(described[0].error ==
          kflow::make_error_code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
    CHECK_FALSE(described[0].message.empty());

    const auto wm = error_thrown_by([&] { (void)admin.watermarks({topic, 7}, quick); });
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
    admin.async_list_consumer_group_offsets(group, {{topic, 0}, {topic, 1}}, stable,
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
    admin.async_alter_configs({}, kflow::admin_options(1s), altered_with_options.handler());
    outcome<std::vector<kflow::config_result>> incremental;
    admin.async_incremental_alter_configs({kflow::incremental_config_alteration(topic, {})},
                                          kflow::admin_options(1s), incremental.handler());
    outcome<std::vector<kflow::topic_metadata>> listed;
    admin.async_list_topics(false, kflow::admin_options(0ms), listed.handler());
    outcome<kflow::group_offsets> negative_operation_timeout;
    admin.async_list_consumer_group_offsets("g", {}, kflow::admin_options(1s, -5ms),
                                            negative_operation_timeout.handler());
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
        std::error_code ec;
        const auto thrown = error_thrown_by(
            [&] { (void)admin.delete_consumer_groups({"g"}, kflow::admin_options(300ms)); });
        CHECK(thrown.code);
        CHECK_THAT(thrown.message,
                   Catch::Contains("delete_consumer_groups: cannot read cluster metadata"));
        (void)admin.list_topics(false, kflow::admin_options(300ms), ec);
        CHECK(ec);
        const auto lag = error_thrown_by(
            [&] { (void)admin.consumer_group_lag("g", {"t"}, kflow::admin_options(300ms)); });
        CHECK_THAT(lag.message, Catch::Contains("cannot read cluster metadata"));
        CHECK(error_thrown_by([&] {
                  (void)admin.consumer_group_lag("g", {}, kflow::admin_options(300ms));
              }).code);
        outcome<std::vector<kflow::item_result>> deleted;
        admin.async_delete_topics({"t"}, kflow::admin_options(300ms),
                                  asio::bind_executor(io, deleted.handler()));
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
