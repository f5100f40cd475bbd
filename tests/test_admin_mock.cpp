// admin_client against librdkafka's mock cluster: what the mock serves (metadata, watermarks,
// offsets, committed offsets and lag) end to end, and every admin request it does not serve
// completing promptly with a clear error, in the blocking and the asynchronous forms; and
// ensure_acls, whose first request (DescribeAcls) the mock does not serve, failing as clearly;
// and cluster_health on healthy, degraded and unreachable clusters, within its deadline, with
// and without its produce-and-read-back canary.
#include <kflow/admin/client.hpp>
#include <kflow/admin/cluster_health.hpp>
#include <kflow/admin/ensure_acls.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/produce.hpp>
#include <kflow/testing/run_coroutine.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::produce_n;
using kflow::testing::run_coroutine;
using kflow::testing::unique_name;

namespace {

kflow::admin_config admin_config_for(const mock_cluster& cluster) {
    kflow::admin_config cfg;
    cfg.bootstrap_servers(cluster.bootstrap_servers()).request_timeout(10s);
    return cfg;
}

}  // namespace

TEST_CASE("describe_topics reports partitions, leaders, replicas and ISR", "[admin][mock]") {
    mock_cluster cluster(3);
    const auto topic = unique_name("admin-describe");
    cluster.create_topic(topic, 4, 3);
    kflow::admin_client admin(admin_config_for(cluster));

    auto topics = admin.describe_topics({topic, "no-such-topic"});
    REQUIRE(topics.size() == 2);
    const auto& t = topics[0];
    CHECK(t.ok());
    CHECK(t.name == topic);
    REQUIRE(t.partitions.size() == 4);
    for (std::size_t i = 0; i < t.partitions.size(); ++i) {
        const auto& p = t.partitions[i];
        CHECK(p.id == static_cast<std::int32_t>(i));
        CHECK(p.leader >= 1);
        CHECK(p.leader <= 3);
        CHECK(p.replicas.size() == 3);
        CHECK(p.in_sync_replicas.size() == 3);
        CHECK_FALSE(p.error);
    }
    CHECK(t.replication_factor() == 3);
    CHECK(topics[1].error == kflow::make_error_code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
    CHECK_THAT(topics[1].message, Catch::Contains("no-such-topic"));
}

TEST_CASE("list_topics and describe_cluster read the mock's metadata", "[admin][mock]") {
    mock_cluster cluster(3);
    const auto a = unique_name("admin-list-a");
    const auto b = unique_name("admin-list-b");
    cluster.create_topic(a, 2, 1);
    cluster.create_topic(b, 1, 1);
    kflow::admin_client admin(admin_config_for(cluster));

    const auto topics = admin.list_topics();
    std::vector<std::string> names;
    for (const auto& t : topics)
        names.push_back(t.name);
    CHECK(std::is_sorted(names.begin(), names.end()));
    CHECK(std::count(names.begin(), names.end(), a) == 1);
    CHECK(std::count(names.begin(), names.end(), b) == 1);

    const auto cluster_info = admin.describe_cluster();
    REQUIRE(cluster_info.brokers.size() == 3);
    for (std::int32_t id = 1; id <= 3; ++id) {
        CHECK(cluster_info.brokers[static_cast<std::size_t>(id - 1)].id == id);
        CHECK(cluster_info.brokers[static_cast<std::size_t>(id - 1)].host == "127.0.0.1");
        CHECK(cluster_info.brokers[static_cast<std::size_t>(id - 1)].port > 0);
    }
    // librdkafka 2.0.2's mock names broker 0 as the controller, which is none of its brokers.
    CHECK(cluster_info.controller_id == 0);
    CHECK(cluster_info.controller() == nullptr);
    CHECK_FALSE(cluster_info.cluster_id.empty());
}

TEST_CASE("the blocking metadata operations work asynchronously too", "[admin][mock][async]") {
    mock_cluster cluster(2);
    const auto topic = unique_name("admin-async-md");
    cluster.create_topic(topic, 3, 2);
    asio::io_context io;
    kflow::admin_client admin(io.get_executor(), admin_config_for(cluster));

    run_coroutine(io, [&]() -> asio::awaitable<void> {
        // g++ 12 miscompiles temporaries built inside co_await: name the argument first.
        std::vector<std::string> wanted{topic};
        auto described = co_await admin.async_describe_topics(std::move(wanted));
        REQUIRE(described.size() == 1);
        CHECK(described[0].partitions.size() == 3);
        auto info = co_await admin.async_describe_cluster();
        CHECK(info.brokers.size() == 2);
        auto [ec, listed] = co_await admin.async_list_topics(asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec);
        CHECK_FALSE(listed.empty());
    });
}

TEST_CASE("create_topics against the mock fails promptly: the broker does not support it",
          "[admin][mock][unsupported]") {
    mock_cluster cluster;
    kflow::admin_client admin(admin_config_for(cluster));
    const auto started = std::chrono::steady_clock::now();
    kflow::error_info err;
    auto results = admin.create_topics({kflow::topic_spec(unique_name("t"), 1, 1)}, err);
    CHECK(std::chrono::steady_clock::now() - started < 15s);
    CHECK(err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
    CHECK_THAT(err.message, Catch::Contains("create_topics") &&
                                Catch::Contains("does not support CreateTopics"));
    CHECK(results.empty());
    try {
        (void)admin.create_topics({kflow::topic_spec(unique_name("t"), 1, 1)});
        FAIL("create_topics did not throw");
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
        CHECK_THAT(e.what(), Catch::Contains("create_topics") &&
                                 Catch::Contains("does not support CreateTopics"));
    }
}

TEST_CASE("watermarks and list_offsets read what was produced", "[admin][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("admin-offsets");
    cluster.create_topic(topic, 2, 1);
    kflow::producer<std::string, std::string> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    for (int p = 0; p < 2; ++p)
        produce_n(producer, topic, 3, {.partition = p});
    kflow::admin_client admin(admin_config_for(cluster));

    const auto wm = admin.watermarks({topic, 1});
    CHECK(wm.low == 0);
    CHECK(wm.high == 3);

    std::vector<kflow::offset_query> queries{
        {topic, 0, kflow::offset_spec::earliest()},
        {topic, 0, kflow::offset_spec::latest()},
        {topic, 1, kflow::offset_spec::at_time(0)},
        {topic, 7, kflow::offset_spec::latest()},  // no such partition
    };
    const auto offsets = admin.list_offsets(queries);
    REQUIRE(offsets.size() == 4);
    CHECK(offsets[0].offset == 0);
    CHECK(offsets[1].offset == 3);
    // librdkafka 2.0.2's mock answers a by-time lookup with -1 whatever the time; the offset
    // found is checked against a real broker in test_admin_integration.
    CHECK(offsets[2].ok());
    for (std::size_t i = 0; i < 3; ++i)
        CHECK(offsets[i].ok());
    CHECK(offsets[3].error);
    CHECK(offsets[3].item_name() == "'" + topic + "' [7]");
}

TEST_CASE("committed offsets and lag of a group after a consumer commits", "[admin][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("admin-lag");
    const auto group = unique_name("admin-lag-group");
    cluster.create_topic(topic, 3, 1);
    kflow::producer<std::string, std::string> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    for (int p = 0; p < 3; ++p)
        produce_n(producer, topic, 5, {.partition = p});
    {
        // A consumer of the group commits offsets for partitions 0 and 1 (assigned, not
        // subscribed: no rebalance to wait for).
        kflow::consumer<std::string, std::string> consumer(
            kflow::testing::test_consumer_config(cluster.bootstrap_servers(), group));
        consumer.assign({{topic, 0, 0}, {topic, 1, 0}});
        consumer.commit({{topic, 0, 2}, {topic, 1, 5}});
    }
    kflow::admin_client admin(admin_config_for(cluster));

    const auto committed =
        admin.list_consumer_group_offsets(group, {{topic, 0}, {topic, 1}, {topic, 2}});
    CHECK(committed.ok());
    CHECK(committed.group_id == group);
    REQUIRE(committed.partitions.size() == 3);
    CHECK(committed.partitions[0].offset == 2);
    CHECK(committed.partitions[1].offset == 5);
    CHECK(committed.partitions[2].offset == kflow::offsets::invalid);

    const auto lag = admin.consumer_group_lag(group, {topic});
    REQUIRE(lag.partitions.size() == 3);
    CHECK(lag.partitions[0].committed == 2);
    CHECK(lag.partitions[0].high_watermark == 5);
    CHECK(lag.partitions[0].lag == 3);
    CHECK(lag.partitions[1].lag == 0);
    CHECK(lag.partitions[2].committed == kflow::offsets::invalid);
    CHECK_FALSE(lag.partitions[2].lag.has_value());
    CHECK(lag.total() == 3);

    asio::io_context io;
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<std::string> topics{topic};
        // The client has no executor of its own: the coroutine's serves.
        auto async_lag = co_await admin.async_consumer_group_lag(group, std::move(topics));
        CHECK(async_lag.total() == 3);
    });
}

namespace {

using clock_type = std::chrono::steady_clock;

/// Checks an error the mock gives for an admin request it does not serve.
template <class Result>
void check_unsupported(const char* what, const kflow::error_info& err, const Result&,
                       clock_type::time_point started) {
    INFO(what);
    CHECK(clock_type::now() - started < 15s);
    CHECK(err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
    CHECK_THAT(err.message, Catch::StartsWith(std::string(what) + ": "));
}

/// The same for an asynchronous form, which completes with the code alone.
template <class Result>
void check_unsupported(const char* what, boost::system::error_code ec, const Result&,
                       clock_type::time_point started) {
    INFO(what);
    CHECK(clock_type::now() - started < 15s);
    CHECK(std::error_code(ec) == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
}

}  // namespace

TEST_CASE("every admin request the mock does not serve fails promptly and clearly, sync and async",
          "[admin][mock][unsupported]") {
    mock_cluster cluster(2);
    const auto topic = unique_name("admin-unsupported");
    cluster.create_topic(topic, 1, 1);
    asio::io_context io;
    kflow::admin_client admin(io.get_executor(), admin_config_for(cluster));
    const kflow::acl_binding acl(kflow::resource_type::topic, topic,
                                 kflow::acl_pattern_type::literal, "User:alice", "*",
                                 kflow::acl_operation::read, kflow::acl_permission::allow);

    SECTION("blocking forms") {
        kflow::error_info err;
        auto t0 = clock_type::now();
        auto r1 = admin.create_topics({kflow::topic_spec(unique_name("t"), 1, 1)}, err);
        check_unsupported("create_topics", err, r1, t0);
        t0 = clock_type::now();
        auto r2 = admin.delete_topics({topic}, err);
        check_unsupported("delete_topics", err, r2, t0);
        t0 = clock_type::now();
        auto r3 = admin.create_partitions({kflow::partitions_spec(topic, 3)}, err);
        check_unsupported("create_partitions", err, r3, t0);
        t0 = clock_type::now();
        auto r4 = admin.describe_configs({kflow::config_resource::topic(topic)}, err);
        check_unsupported("describe_configs", err, r4, t0);
        t0 = clock_type::now();
        auto r5 =
            admin.alter_configs({kflow::config_alteration(kflow::config_resource::topic(topic),
                                                          {{"retention.ms", "1000"}})},
                                err);
        check_unsupported("alter_configs", err, r5, t0);
        t0 = clock_type::now();
        auto r6 = admin.list_consumer_groups(err);
        // ListGroups goes to every broker: each refusal is a per-broker error of the listing.
        CHECK(clock_type::now() - t0 < 15s);
        if (!err) {
            CHECK_FALSE(r6.complete());
            REQUIRE_FALSE(r6.errors.empty());
            CHECK(r6.errors[0].code ==
                  kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
        } else {
            CHECK(err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
        }
        t0 = clock_type::now();
        auto r7 = admin.describe_consumer_groups({"g1"}, err);
        CHECK(clock_type::now() - t0 < 15s);
        // DescribeGroups goes to each group's coordinator: the refusal is the group's error.
        CHECK_FALSE(err);
        REQUIRE(r7.size() == 1);
        CHECK(r7[0].error == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
        CHECK(r7[0].group_id == "g1");
        t0 = clock_type::now();
        auto r8 = admin.delete_consumer_groups({"g1"}, err);
        CHECK(clock_type::now() - t0 < 15s);
        CHECK_FALSE(kflow::all_succeeded(r8));
        t0 = clock_type::now();
        auto r9 = admin.delete_records({{topic, 0, kflow::offsets::end}}, err);
        CHECK(clock_type::now() - t0 < 15s);
        CHECK((err || !r9.empty()));
        if (!err)
            CHECK(r9[0].error == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
        t0 = clock_type::now();
        auto r10 = admin.create_acls({acl}, err);
        check_unsupported("create_acls", err, r10, t0);
        t0 = clock_type::now();
        auto r11 = admin.describe_acls(kflow::acl_filter(), err);
        check_unsupported("describe_acls", err, r11, t0);
        t0 = clock_type::now();
        auto r12 = admin.delete_acls({kflow::acl_filter::exactly(acl)}, err);
        check_unsupported("delete_acls", err, r12, t0);
        t0 = clock_type::now();
        auto r13 = admin.delete_consumer_group_offsets("g1", {{topic, 0}}, err);
        CHECK(clock_type::now() - t0 < 15s);
        CHECK((err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE) ||
               r13.error == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE)));
        t0 = clock_type::now();
        auto r14 = admin.incremental_alter_configs(
            {kflow::incremental_config_alteration(
                kflow::config_resource::topic(topic),
                {kflow::config_change("retention.ms", kflow::config_op::set, "1")})},
            err);
        CHECK(clock_type::now() - t0 < 15s);
        if constexpr (!kflow::librdkafka_at_least(2, 2, 0)) {
            CHECK(err.code == kflow::errc::unsupported_by_librdkafka);
        } else {
            CHECK(err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
        }
        try {
            (void)admin.describe_configs({kflow::config_resource::topic(topic)});
            FAIL("describe_configs did not throw");
        } catch (const kflow::kafka_error& e) {
            CHECK_THAT(
                e.what(),
                Catch::Contains("describe_configs: the broker does not support DescribeConfigs"));
        }
        try {
            (void)admin.incremental_alter_configs({kflow::incremental_config_alteration(
                kflow::config_resource::topic(topic),
                {kflow::config_change("retention.ms", kflow::config_op::set, "1")})});
            if constexpr (!kflow::librdkafka_at_least(2, 2, 0))
                FAIL("did not throw");
        } catch (const kflow::kafka_error& e) {
            if constexpr (!kflow::librdkafka_at_least(2, 2, 0)) {
                CHECK_THAT(e.what(), Catch::Contains("needs librdkafka 2.2.0"));
            }
        }
    }

    SECTION("asynchronous forms") {
        run_coroutine(io, [&]() -> asio::awaitable<void> {
            using asio::as_tuple;
            using asio::use_awaitable;
            auto t0 = clock_type::now();
            std::vector<kflow::topic_spec> specs{kflow::topic_spec(unique_name("t"), 1, 1)};
            auto [e1, r1] =
                co_await admin.async_create_topics(std::move(specs), as_tuple(use_awaitable));
            check_unsupported("async_create_topics", e1, r1, t0);
            t0 = clock_type::now();
            std::vector<std::string> names{topic};
            auto [e2, r2] =
                co_await admin.async_delete_topics(std::move(names), as_tuple(use_awaitable));
            check_unsupported("async_delete_topics", e2, r2, t0);
            t0 = clock_type::now();
            std::vector<kflow::partitions_spec> parts{kflow::partitions_spec(topic, 3)};
            auto [e3, r3] =
                co_await admin.async_create_partitions(std::move(parts), as_tuple(use_awaitable));
            check_unsupported("async_create_partitions", e3, r3, t0);
            t0 = clock_type::now();
            std::vector<kflow::config_resource> resources{kflow::config_resource::topic(topic)};
            auto [e4, r4] = co_await admin.async_describe_configs(std::move(resources),
                                                                  as_tuple(use_awaitable));
            check_unsupported("async_describe_configs", e4, r4, t0);
            t0 = clock_type::now();
            std::vector<kflow::acl_binding> acls{acl};
            auto [e5, r5] =
                co_await admin.async_create_acls(std::move(acls), as_tuple(use_awaitable));
            check_unsupported("async_create_acls", e5, r5, t0);
            t0 = clock_type::now();
            kflow::acl_filter filter;
            auto [e6, r6] =
                co_await admin.async_describe_acls(std::move(filter), as_tuple(use_awaitable));
            check_unsupported("async_describe_acls", e6, r6, t0);
            t0 = clock_type::now();
            std::vector<std::string> groups{"g1"};
            auto [e7, r7] = co_await admin.async_describe_consumer_groups(std::move(groups),
                                                                          as_tuple(use_awaitable));
            CHECK_FALSE(e7);
            REQUIRE(r7.size() == 1);
            CHECK(r7[0].error == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
            // The default token throws kafka_error with the message.
            try {
                std::vector<kflow::config_resource> again{kflow::config_resource::topic(topic)};
                (void)co_await admin.async_describe_configs(std::move(again));
                FAIL("async_describe_configs did not throw");
            } catch (const kflow::kafka_error& e) {
                CHECK_THAT(e.what(), Catch::Contains("does not support DescribeConfigs"));
            }
        });
    }
}

TEST_CASE("ensure_acls against the mock fails promptly, naming describe_acls",
          "[admin][mock][ensure_acls]") {
    mock_cluster cluster;
    asio::io_context io;
    kflow::admin_client admin(io.get_executor(), admin_config_for(cluster));
    const kflow::acl_spec spec{{kflow::acl_entry("User:app", kflow::resource_type::topic, "orders",
                                                 {kflow::acl_operation::read})}};
    const auto unsupported = kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE);

    SECTION("blocking forms, dry run or not") {
        for (const bool dry_run : {true, false}) {
            INFO("dry_run " << dry_run);
            auto t0 = clock_type::now();
            try {
                (void)kflow::ensure_acls(admin, spec, {.prune = true, .dry_run = dry_run});
                FAIL("ensure_acls did not throw");
            } catch (const kflow::kafka_error& e) {
                CHECK(e.code() == unsupported);
                CHECK_THAT(e.what(), Catch::StartsWith("describe_acls: ") &&
                                         Catch::Contains("does not support DescribeAcls"));
            }
            CHECK(clock_type::now() - t0 < 15s);
            kflow::error_info err;
            t0 = clock_type::now();
            const auto result = kflow::ensure_acls(admin, spec, {.dry_run = dry_run}, err);
            check_unsupported("describe_acls", err, result, t0);
            CHECK(result.created.empty());
            CHECK(result.plan.changes_nothing());
        }
    }
    SECTION("asynchronous forms") {
        const auto t0 = clock_type::now();
        std::optional<boost::system::error_code> error;
        kflow::async_ensure_acls(admin, spec, {},
                                 [&](boost::system::error_code ec, kflow::acl_ensure_result r) {
                                     error = ec;
                                     CHECK(r.created.empty());
                                 });
        CHECK_FALSE(error);  // never inside the initiating call
        io.run();
        REQUIRE(error);
        CHECK(std::error_code(*error) == unsupported);
        CHECK(clock_type::now() - t0 < 15s);

        io.restart();
        std::string thrown;
        run_coroutine(io, [&]() -> asio::awaitable<void> {
            try {
                (void)co_await kflow::async_ensure_acls(
                    admin, spec, kflow::ensure_acls_options{.dry_run = true});
            } catch (const kflow::kafka_error& e) {
                thrown = e.what();
            }
        });
        CHECK_THAT(thrown, Catch::StartsWith("describe_acls: ") &&
                               Catch::Contains("does not support DescribeAcls"));
    }
    SECTION("an invalid spec fails before anything is sent; an empty one sends nothing") {
        kflow::acl_spec bad = spec;
        bad.acls[0].operations.push_back(kflow::acl_operation::cluster_action);
        CHECK_THROWS_AS(kflow::ensure_acls(admin, bad), kflow::acl_spec_error);
        CHECK_THROWS_AS(kflow::async_ensure_acls(admin, bad, {}, asio::detached),
                        kflow::acl_spec_error);
        kflow::error_info err;
        (void)kflow::ensure_acls(admin, bad, err);
        CHECK(err.code == kflow::errc::invalid_config);
        CHECK_THAT(err.message, Catch::Contains(R"(acls[0]: field "operations[1]")"));

        err = {unsupported, "stale", {}};
        const auto nothing = kflow::ensure_acls(admin, kflow::acl_spec{}, {.prune = true}, err);
        CHECK_FALSE(err);
        CHECK(nothing.ok());
        CHECK(nothing.plan.changes_nothing());
    }
}

TEST_CASE("cluster_health: a healthy three-broker cluster", "[admin][mock][health]") {
    mock_cluster cluster(3);
    const auto topic = unique_name("health-ok");
    cluster.create_topic(topic, 3, 3);
    kflow::admin_client admin(admin_config_for(cluster));

    const auto report = kflow::cluster_health(admin, {5s, {topic}});
    INFO(report);
    CHECK(report.healthy());
    CHECK(report.summary == "healthy");
    CHECK(report.brokers.size() == 3);
    CHECK(report.unreachable_brokers.empty());
    CHECK(report.issues.empty());
    REQUIRE(report.topics.size() == 1);
    CHECK(report.topics[0].partitions.size() == 3);
    std::ostringstream printed;
    printed << report;
    CHECK_THAT(printed.str(), Catch::StartsWith("healthy\n") && Catch::Contains(topic + "' [2]") &&
                                  Catch::Contains("isr [") && Catch::Contains("controller: "));

    // Without a topic list every topic is checked.
    CHECK(kflow::cluster_health(admin, {5s, {}}).healthy());
}

TEST_CASE("cluster_health: a topic the cluster lacks makes it degraded; empty names are refused",
          "[admin][mock][health]") {
    mock_cluster cluster(1);
    kflow::admin_client admin(admin_config_for(cluster));
    // Asking the metadata for every topic never auto-creates one, even on the mock.
    const auto report = kflow::cluster_health(admin, {5s, {"health-missing-topic"}});
    CHECK(report.verdict == kflow::health_verdict::degraded);
    CHECK_THAT(report.summary, Catch::StartsWith("degraded: ") &&
                                   Catch::Contains("no topic 'health-missing-topic'"));

    kflow::error_info err;
    const auto refused = kflow::cluster_health(admin, {5s, {""}}, err);
    CHECK(err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG));
    CHECK(refused.summary.empty());
    CHECK_THROWS_AS(kflow::cluster_health(admin, {0ms, {}}), kflow::kafka_error);
}

TEST_CASE("cluster_health: a broker set down is reported within the deadline",
          "[admin][mock][health]") {
    mock_cluster cluster(3);
    const auto topic = unique_name("health-down");
    cluster.create_topic(topic, 6, 3);
    kflow::admin_client admin(admin_config_for(cluster));
    REQUIRE(kflow::cluster_health(admin, {5s, {topic}}).healthy());

    // Leadership does not move on the mock: broker 2's partitions lose their leader's service.
    const auto described = admin.describe_topics({topic});
    std::int32_t led_by_2 = -1;
    for (const auto& p : described.at(0).partitions) {
        if (p.leader == 2)
            led_by_2 = p.id;
    }
    if (led_by_2 < 0) {
        cluster.set_partition_leader(topic, 0, 2);
        led_by_2 = 0;
    }
    cluster.broker_down(2);

    // The mock closes broker 2's open connections on its own thread: a probe sent in between
    // may still be answered. Each check keeps its deadline; the down broker must show within a
    // few of them.
    kflow::cluster_health_report report;
    const auto first = std::chrono::steady_clock::now();
    for (int attempt = 0; attempt < 5; ++attempt) {
        const auto started = std::chrono::steady_clock::now();
        kflow::error_info err;
        report = kflow::cluster_health(admin, {2s, {topic}}, err);
        CHECK_FALSE(err);
        CHECK(std::chrono::steady_clock::now() - started < 4s);
        if (report.verdict != kflow::health_verdict::healthy)
            break;
    }
    INFO(report);
    INFO("reported degraded after "
         << std::chrono::duration<double>(std::chrono::steady_clock::now() - first).count()
         << " s");
    CHECK(report.verdict == kflow::health_verdict::degraded);
    CHECK(report.unreachable_brokers == std::vector<std::int32_t>{2});
    CHECK_THAT(report.summary, Catch::Contains("broker(s) 2 unreachable"));
    bool flagged = false;
    for (const auto& i : report.issues) {
        CHECK(i.partition.leader == 2);
        CHECK(i.problem == kflow::partition_problem::leader_unreachable);
        flagged = flagged || i.partition.id == led_by_2;
    }
    CHECK(flagged);

    cluster.broker_up(2);
}

TEST_CASE("cluster_health: a partition led by a down broker, and one with no leader",
          "[admin][mock][health][async]") {
    mock_cluster cluster(3);
    const auto topic = unique_name("health-leader");
    cluster.create_topic(topic, 2, 3);
    cluster.broker_down(3);
    cluster.set_partition_leader(topic, 0, 3);
    cluster.set_partition_leader(topic, 1, -1);
    asio::io_context io;
    kflow::admin_client admin(io.get_executor(), admin_config_for(cluster));

    run_coroutine(io, [&]() -> asio::awaitable<void> {
        kflow::cluster_health_options options{2s, {topic}};
        auto [ec, report] = co_await kflow::async_cluster_health(
            admin, options, asio::as_tuple(asio::use_awaitable));
        INFO(report);
        CHECK_FALSE(ec);
        CHECK(report.verdict == kflow::health_verdict::degraded);
        REQUIRE(report.issues.size() == 2);
        CHECK(report.issues[0].partition.id == 0);
        CHECK(report.issues[0].problem == kflow::partition_problem::leader_unreachable);
        CHECK(report.issues[1].partition.id == 1);
        CHECK(report.issues[1].problem == kflow::partition_problem::offline);
        CHECK_THAT(report.summary,
                   Catch::Contains("1 offline partition(s)") &&
                       Catch::Contains("1 partition(s) with an unreachable leader"));
    });
}

TEST_CASE("cluster_health: an unreachable bootstrap gives the unreachable verdict in time",
          "[admin][mock][health]") {
    kflow::admin_config cfg;
    // Port 1 on the loopback: nothing listens there, connections are refused at once.
    cfg.bootstrap_servers("127.0.0.1:1").request_timeout(10s);
    kflow::admin_client admin(cfg);

    const auto started = std::chrono::steady_clock::now();
    const auto report = kflow::cluster_health(admin, {1500ms, {}});
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(took < 3s);
    CHECK(report.verdict == kflow::health_verdict::unreachable);
    CHECK_THAT(report.summary, Catch::StartsWith("unreachable: "));
    CHECK(report.brokers.empty());
    std::ostringstream printed;
    printed << report;
    CHECK(printed.str() == report.summary + "\n");
}

// -- cluster_health's canary
// ------------------------------------------------------------------------

namespace {

/// The canary's value as a consumer of its own finds it in `topic` [`partition`], from the start.
std::optional<kflow::consumer_record<std::string, std::string>> find_canary(
    const mock_cluster& cluster, const std::string& topic, std::int32_t partition,
    const std::string& value) {
    kflow::consumer<std::string, std::string> reader(kflow::testing::test_consumer_config(
        cluster.bootstrap_servers(), unique_name("health-canary-reader")));
    reader.assign({kflow::topic_partition_offset(topic, partition, kflow::offsets::beginning)});
    auto found = kflow::testing::expect_record(reader, {.value = value}, 5s);
    if (!found)
        return std::nullopt;
    return found.value();
}

}  // namespace

TEST_CASE("cluster_health: a canary is produced and read back on a healthy cluster",
          "[admin][mock][health]") {
    mock_cluster cluster(3);
    const auto topic = unique_name("health-canary");
    cluster.create_topic(topic, 3, 3);
    const auto config = admin_config_for(cluster);
    kflow::admin_client admin(config);

    kflow::cluster_health_options options{5s, {topic}, kflow::health_canary(topic, config, 1)};
    const auto started = std::chrono::steady_clock::now();
    const auto report = kflow::cluster_health(admin, options);
    CHECK(std::chrono::steady_clock::now() - started < 6s);
    INFO(report);
    CHECK(report.healthy());
    CHECK(report.summary == "healthy");
    REQUIRE(report.canary);
    const auto& canary = *report.canary;
    CHECK(canary.ok());
    CHECK(canary.produced);
    CHECK(canary.failure.empty());
    CHECK(canary.topic == topic);
    CHECK(canary.partition == 1);
    CHECK(canary.offset >= 0);
    CHECK(canary.produce_latency > 0us);
    CHECK(canary.end_to_end_latency >= canary.produce_latency);
    CHECK_THAT(canary.value, Catch::StartsWith("kflow-health-canary "));
    std::ostringstream printed;
    printed << report;
    CHECK_THAT(printed.str(), Catch::Contains("\ncanary: '" + topic + "' [1] @ " +
                                              std::to_string(canary.offset) + ": produced in ") &&
                                  Catch::Contains(", read back in ") && Catch::EndsWith(" ms\n"));

    // The record is on the topic, where the canary said, marked by its header.
    const auto found = find_canary(cluster, topic, 1, canary.value);
    REQUIRE(found);
    CHECK(found->offset == canary.offset);
    CHECK(found->key == "kflow-health-canary");
    CHECK(found->headers.last(kflow::health_canary_marker) == canary.value);

    // Each run writes a record of its own.
    const auto again = kflow::cluster_health(admin, options);
    REQUIRE(again.canary);
    CHECK(again.canary->ok());
    CHECK(again.canary->value != canary.value);
    CHECK(again.canary->offset == canary.offset + 1);
}

TEST_CASE("cluster_health: a canary on a topic or partition the cluster lacks fails at once",
          "[admin][mock][health]") {
    mock_cluster cluster(1);
    const auto config = admin_config_for(cluster);
    kflow::admin_client admin(config);
    const auto missing = unique_name("health-canary-missing");

    const auto started = std::chrono::steady_clock::now();
    const auto report =
        kflow::cluster_health(admin, {2s, {}, kflow::health_canary(missing, config)});
    CHECK(std::chrono::steady_clock::now() - started < 3s);
    INFO(report);
    CHECK(report.verdict == kflow::health_verdict::degraded);
    CHECK(report.summary == "degraded: canary on '" + missing +
                                "' [0] not sent: the cluster has no topic '" + missing + "'");
    REQUIRE(report.canary);
    CHECK_FALSE(report.canary->produced);
    CHECK(report.canary->offset == kflow::offsets::invalid);
    // The check created nothing.
    CHECK(admin.describe_topics({missing}).at(0).error ==
          kflow::make_error_code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));

    const auto topic = unique_name("health-canary-one");
    cluster.create_topic(topic, 1, 1);
    const auto beyond =
        kflow::cluster_health(admin, {2s, {topic}, kflow::health_canary(topic, config, 7)});
    CHECK(beyond.verdict == kflow::health_verdict::degraded);
    CHECK_THAT(beyond.summary, Catch::Contains("canary on '" + topic +
                                               "' [7] not sent: the topic has 1 partition(s)"));

    // Invalid input fails the call: an empty topic name, a negative partition.
    kflow::error_info err;
    (void)kflow::cluster_health(admin, {2s, {}, kflow::health_canary("", config)}, err);
    CHECK(err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG));
    CHECK_THAT(err.message, Catch::Contains("canary"));
    CHECK_THROWS_AS(kflow::cluster_health(admin, {2s, {}, kflow::health_canary(topic, config, -1)}),
                    kflow::kafka_error);
}

TEST_CASE("cluster_health: a canary whose partition leader is down degrades within the deadline",
          "[admin][mock][health]") {
    mock_cluster cluster(3);
    const auto topic = unique_name("health-canary-down");
    // librdkafka 2.0.2's mock replicates every partition on three brokers whatever the
    // replication factor: the leader is set, and leadership does not move on the mock.
    cluster.create_topic(topic, 1, 1);
    cluster.set_partition_leader(topic, 0, 2);
    cluster.broker_down(2);
    const auto config = admin_config_for(cluster);
    kflow::admin_client admin(config);

    const auto started = std::chrono::steady_clock::now();
    kflow::error_info err;
    const auto report =
        kflow::cluster_health(admin, {2s, {topic}, kflow::health_canary(topic, config)}, err);
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK_FALSE(err);
    INFO(report);
    INFO("took " << std::chrono::duration<double>(took).count() << " s");
    CHECK(took < 3500ms);
    CHECK(report.verdict == kflow::health_verdict::degraded);
    REQUIRE(report.canary);
    CHECK_FALSE(report.canary->produced);
    CHECK(report.canary->failure == "not delivered within 2000 ms");
    CHECK_THAT(report.summary,
               Catch::Contains("canary on '" + topic + "' [0] not delivered within 2000 ms"));
    std::ostringstream printed;
    printed << report;
    CHECK_THAT(printed.str(),
               Catch::Contains("canary: '" + topic + "' [0]: not delivered within 2000 ms\n"));
    cluster.broker_up(2);
}

TEST_CASE("cluster_health: the asynchronous form runs the canary too",
          "[admin][mock][health][async]") {
    mock_cluster cluster(3);
    const auto topic = unique_name("health-canary-async");
    cluster.create_topic(topic, 2, 3);
    const auto config = admin_config_for(cluster);
    asio::io_context io;
    kflow::admin_client admin(io.get_executor(), config);

    kflow::cluster_health_report report;
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        kflow::cluster_health_options options{5s, {topic}, kflow::health_canary(topic, config)};
        auto [ec, r] = co_await kflow::async_cluster_health(admin, options,
                                                            asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec);
        report = std::move(r);
    });
    INFO(report);
    CHECK(report.healthy());
    REQUIRE(report.canary);
    CHECK(report.canary->ok());
    CHECK(report.canary->partition == 0);
    CHECK(report.canary->end_to_end_latency > 0us);
    const auto found = find_canary(cluster, topic, 0, report.canary->value);
    REQUIRE(found);
    CHECK(found->offset == report.canary->offset);
}

TEST_CASE("cluster_health: with a canary, an unreachable cluster is still reported in time",
          "[admin][mock][health]") {
    kflow::admin_config cfg;
    cfg.bootstrap_servers("127.0.0.1:1").request_timeout(10s);
    kflow::admin_client admin(cfg);

    const auto started = std::chrono::steady_clock::now();
    const auto report =
        kflow::cluster_health(admin, {1500ms, {}, kflow::health_canary("health", cfg)});
    CHECK(std::chrono::steady_clock::now() - started < 3s);
    CHECK(report.verdict == kflow::health_verdict::unreachable);
    CHECK_THAT(report.summary, Catch::StartsWith("unreachable: "));
    REQUIRE(report.canary);
    CHECK_FALSE(report.canary->produced);
    CHECK(report.canary->failure == "not sent: the cluster is unreachable");
}

// -- Errors and logs
// --------------------------------------------------------------------------------

TEST_CASE("an admin client's errors and logs reach its callbacks on the calling thread",
          "[admin][callbacks][mock]") {
    mock_cluster cluster;
    cluster.broker_down(1);  // every connection is refused: librdkafka reports it
    std::vector<kflow::error_info> errors;
    std::vector<std::thread::id> error_threads;
    std::size_t logs = 0;
    std::vector<std::thread::id> log_threads;
    auto config = admin_config_for(cluster);
    config.request_timeout(1500ms)
        .on_error([&](const kflow::error_info& e) {
            errors.push_back(e);
            error_threads.push_back(std::this_thread::get_id());
        })
        .on_log([&](const kflow::log_entry&) {
            ++logs;
            log_threads.push_back(std::this_thread::get_id());
        });
    kflow::admin_client admin(config);
    kflow::error_info failed;
    (void)admin.list_topics(false, failed);
    REQUIRE(failed);
    INFO("list_topics: " << failed.message);
    // The call served what librdkafka queued meanwhile, on this thread.
    REQUIRE_FALSE(errors.empty());
    INFO("first error: " << errors.front().message);
    CHECK((errors.front().code == kflow::make_error_code(RD_KAFKA_RESP_ERR__TRANSPORT) ||
           errors.front().code == kflow::make_error_code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)));
    CHECK(logs > 0);
    for (const auto& id : error_threads)
        CHECK(id == std::this_thread::get_id());
    for (const auto& id : log_threads)
        CHECK(id == std::this_thread::get_id());
}
