// ensure_topics against librdkafka's mock cluster, over real sockets: topics the mock has are
// described and compared, creating a missing one fails per topic with the broker's "does not
// support" (the mock has no CreateTopics), and configs, which the mock cannot describe, are
// reported as not checked. Throwing, error_info and asynchronous forms.
#include <kflow/admin/ensure_topics.hpp>

#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/run_coroutine.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;

namespace {

// librdkafka 2.0.2 sends a blocking DescribeConfigs for a topic to the controller and waits for
// one the mock never names, until the request timeout; keep that short.
kflow::admin_config admin_config_for(const mock_cluster& cluster) {
    kflow::admin_config cfg;
    cfg.bootstrap_servers(cluster.bootstrap_servers()).request_timeout(3s);
    return cfg;
}

/// How the mock refuses DescribeConfigs: "does not support" at once, or, for the blocking call,
/// no controller to send it to before the request timeout.
bool mock_refusal(const std::error_code& ec) {
    return ec == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE) ||
           ec == std::errc::timed_out;
}

const kflow::topic_ensure_result& result_for(const std::vector<kflow::topic_ensure_result>& all,
                                             const std::string& name) {
    for (const auto& r : all) {
        if (r.name == name)
            return r;
    }
    FAIL("no result for topic " << name);
    throw std::logic_error("unreachable");
}

std::string report(const std::vector<kflow::topic_ensure_result>& results) {
    std::string text;
    for (const auto& r : results) {
        for (const auto& line : r.describe())
            text += line + "\n";
    }
    return text;
}

}  // namespace

TEST_CASE("topics the mock has and that match are up to date", "[ensure_topics][mock]") {
    mock_cluster cluster;
    const auto orders = unique_name("ensure-orders");
    const auto audit = unique_name("ensure-audit");
    cluster.create_topic(orders, 3);
    cluster.create_topic(audit, 1);
    kflow::admin_client admin(admin_config_for(cluster));

    const auto results =
        kflow::ensure_topics(admin, {kflow::topic_spec(orders, 3, 1), kflow::topic_spec(audit)});
    INFO(report(results));
    REQUIRE(results.size() == 2);
    for (const auto& r : results) {
        CHECK(r.existed);
        CHECK(r.outcome == kflow::topic_outcome::up_to_date);
        CHECK(r.ok());
        CHECK(r.configs_checked());  // no configs named: nothing to check
        CHECK(r.as_specified());
        CHECK(r.actions.empty());
    }
    CHECK(results[0].name == orders);
    CHECK(results[1].name == audit);
}

TEST_CASE("a partition count that differs is reported, never silently accepted",
          "[ensure_topics][mock]") {
    mock_cluster cluster;
    const auto small = unique_name("ensure-small");
    const auto large = unique_name("ensure-large");
    cluster.create_topic(small, 2);
    cluster.create_topic(large, 4);
    kflow::admin_client admin(admin_config_for(cluster));
    const std::vector<kflow::topic_spec> specs{kflow::topic_spec(small, 5),
                                               kflow::topic_spec(large, 3),
                                               kflow::topic_spec(large + "-rf", -1, 3)};
    cluster.create_topic(large + "-rf", 1);

    SECTION("when only asked to check") {
        const auto results = kflow::ensure_topics(admin, specs);
        INFO(report(results));
        const auto& s = result_for(results, small);
        CHECK(s.outcome == kflow::topic_outcome::differs);
        REQUIRE(s.found.partitions);
        CHECK(*s.found.partitions == kflow::partition_count_difference{5, 2});
        CHECK(s.found.partitions->can_be_added());
        CHECK_FALSE(s.as_specified());

        const auto& l = result_for(results, large);
        CHECK(l.outcome == kflow::topic_outcome::differs);
        REQUIRE(l.found.partitions);
        CHECK_FALSE(l.found.partitions->can_be_added());
        CHECK(l.describe().at(1) ==
              "  partitions: 3 requested, 4 on the cluster (Kafka cannot remove partitions)");

        const auto& rf = result_for(results, large + "-rf");
        CHECK(rf.outcome == kflow::topic_outcome::differs);
        REQUIRE(rf.found.replication_factor);
        CHECK(*rf.found.replication_factor == kflow::replication_factor_difference{3, 1});
    }
    SECTION("when asked to add partitions: the mock cannot, and says so for that topic") {
        const auto results = kflow::ensure_topics(admin, specs, {.add_partitions = true});
        INFO(report(results));
        const auto& s = result_for(results, small);
        CHECK(s.outcome == kflow::topic_outcome::failed);
        CHECK(s.error == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
        CHECK_THAT(s.message,
                   Contains("create_partitions") && Contains("does not support CreatePartitions"));
        CHECK(s.found.partitions);  // what was found is still reported
        CHECK(s.actions.empty());
        // Fewer partitions are never requested: that topic made no request to fail.
        CHECK(result_for(results, large).outcome == kflow::topic_outcome::differs);
        CHECK(result_for(results, large).ok());
    }
}

TEST_CASE("creating a topic on the mock fails for that topic with 'does not support'",
          "[ensure_topics][mock]") {
    mock_cluster cluster;
    const auto present = unique_name("ensure-present");
    const auto absent = unique_name("ensure-absent");
    cluster.create_topic(present, 1);
    kflow::admin_client admin(admin_config_for(cluster));

    const auto started = std::chrono::steady_clock::now();
    const auto results = kflow::ensure_topics(
        admin, {kflow::topic_spec(absent, 3, 1), kflow::topic_spec(present, 1)});
    CHECK(std::chrono::steady_clock::now() - started < 15s);
    INFO(report(results));
    REQUIRE(results.size() == 2);

    const auto& a = results[0];
    CHECK(a.name == absent);
    CHECK_FALSE(a.existed);
    CHECK(a.outcome == kflow::topic_outcome::failed);
    CHECK(a.error == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
    CHECK(a.error == std::errc::function_not_supported);
    CHECK_THAT(a.message, Contains("create_topics") && Contains("does not support CreateTopics"));
    CHECK(a.describe().at(0) == absent + ": failed");
    CHECK_THAT(a.describe().at(1), Contains("error: create_topics"));

    CHECK(results[1].outcome == kflow::topic_outcome::up_to_date);

    // Nothing was created behind the report's back.
    const auto described = admin.describe_topics({absent});
    CHECK(described.at(0).error == kflow::make_error_code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
}

TEST_CASE("configs the mock cannot describe are reported as not checked, with the reason",
          "[ensure_topics][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("ensure-configs");
    cluster.create_topic(topic, 2);
    kflow::admin_client admin(admin_config_for(cluster));

    const auto results = kflow::ensure_topics(
        admin,
        {kflow::topic_spec(topic, 2, -1, {{"cleanup.policy", "compact"}, {"retention.ms", "1"}})},
        {.add_partitions = true, .alter_configs = true});
    INFO(report(results));
    REQUIRE(results.size() == 1);
    const auto& r = results[0];
    CHECK(r.outcome == kflow::topic_outcome::up_to_date);  // partitions: checked and equal
    CHECK(r.ok());
    CHECK_FALSE(r.configs_checked());
    CHECK_FALSE(r.as_specified());
    CHECK(mock_refusal(r.configs_error));
    CHECK_THAT(r.configs_message, Catch::StartsWith("describe_configs: "));
    CHECK(r.found.configs.empty());  // unknown, not "no differences"
    CHECK_FALSE(r.found.configs_checked);
    CHECK(r.actions.empty());  // nothing altered on a guess
    CHECK_THAT(r.describe().back(), Contains("configs not checked: describe_configs"));
}

TEST_CASE("invalid specs and an unreachable cluster fail the whole call", "[ensure_topics][mock]") {
    mock_cluster cluster;
    kflow::admin_client admin(admin_config_for(cluster));

    SECTION("an invalid spec, before anything is sent") {
        CHECK_THROWS_AS(kflow::ensure_topics(admin, {kflow::topic_spec("bad name")}),
                        kflow::topic_spec_error);
        kflow::error_info err;
        const auto results =
            kflow::ensure_topics(admin, {kflow::topic_spec("ok"), kflow::topic_spec("ok")}, err);
        CHECK(err.code == kflow::errc::invalid_config);
        CHECK_THAT(err.message, Contains("\"ok\""));
        CHECK(results.empty());
    }
    SECTION("no specs: nothing to do") {
        kflow::error_info err{kflow::make_error_code(kflow::errc::closed), "stale", {}};
        CHECK(kflow::ensure_topics(admin, {}, err).empty());
        CHECK_FALSE(err);
    }
    SECTION("no broker to describe the topics") {
        kflow::admin_config unreachable;
        // A port nothing listens on: the mock's, after it has gone.
        std::string bootstrap;
        {
            mock_cluster gone;
            bootstrap = gone.bootstrap_servers();
        }
        unreachable.bootstrap_servers(bootstrap).request_timeout(1500ms);
        kflow::admin_client lost(unreachable);
        kflow::error_info err;
        const auto started = std::chrono::steady_clock::now();
        const auto results = kflow::ensure_topics(lost, {kflow::topic_spec("orders", 1)}, err);
        CHECK(std::chrono::steady_clock::now() - started < 10s);
        CHECK(err);
        CHECK_THAT(err.message, Contains("describe_topics"));
        CHECK(results.empty());
        try {
            (void)kflow::ensure_topics(lost, {kflow::topic_spec("orders", 1)});
            FAIL("ensure_topics did not throw");
        } catch (const kflow::kafka_error& e) {
            CHECK(e.code() == err.code);
            CHECK_THAT(e.what(), Contains("describe_topics"));
        }
    }
}

TEST_CASE("async_ensure_topics decides as the blocking form does", "[ensure_topics][mock][async]") {
    mock_cluster cluster;
    const auto present = unique_name("ensure-async-present");
    const auto short_topic = unique_name("ensure-async-short");
    const auto absent = unique_name("ensure-async-absent");
    cluster.create_topic(present, 2);
    cluster.create_topic(short_topic, 1);
    asio::io_context io;
    kflow::admin_client admin(io.get_executor(), admin_config_for(cluster));
    const std::vector<kflow::topic_spec> specs{
        kflow::topic_spec(present, 2), kflow::topic_spec(short_topic, 4),
        kflow::topic_spec(absent, 1), kflow::topic_spec(present + "-cfg", -1, -1, {{"a.b", "c"}})};
    cluster.create_topic(present + "-cfg", 1);

    SECTION("with co_await") {
        std::optional<std::vector<kflow::topic_ensure_result>> results;
        kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<void> {
            const kflow::ensure_options options{.add_partitions = true};
            results = co_await kflow::async_ensure_topics(admin, specs, options);
        });
        REQUIRE(results);
        INFO(report(*results));
        REQUIRE(results->size() == 4);
        CHECK((*results)[0].outcome == kflow::topic_outcome::up_to_date);
        CHECK((*results)[1].outcome == kflow::topic_outcome::failed);
        CHECK_THAT((*results)[1].message, Contains("create_partitions"));
        CHECK((*results)[1].found.partitions);
        CHECK((*results)[2].outcome == kflow::topic_outcome::failed);
        CHECK((*results)[2].error ==
              kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
        CHECK_THAT((*results)[2].message, Contains("create_topics"));
        CHECK_FALSE((*results)[3].configs_checked());
        CHECK(mock_refusal((*results)[3].configs_error));

        // The same answers as the blocking form.
        const auto blocking =
            kflow::ensure_topics(admin, specs, kflow::ensure_options{.add_partitions = true});
        REQUIRE(blocking.size() == results->size());
        for (std::size_t i = 0; i < blocking.size(); ++i) {
            CHECK(blocking[i].outcome == (*results)[i].outcome);
            CHECK(blocking[i].error == (*results)[i].error);
            CHECK(blocking[i].message == (*results)[i].message);
            CHECK(blocking[i].configs_checked() == (*results)[i].configs_checked());
            CHECK(blocking[i].configs_message == (*results)[i].configs_message);
        }
    }
    SECTION("with a callback, completing on the client's executor") {
        std::optional<std::vector<kflow::topic_ensure_result>> results;
        boost::system::error_code error;
        bool in_io_thread = false;
        kflow::async_ensure_topics(
            admin, specs, {},
            [&](boost::system::error_code ec, std::vector<kflow::topic_ensure_result> r) {
                in_io_thread = io.get_executor().running_in_this_thread();
                error = ec;
                results = std::move(r);
            });
        CHECK_FALSE(results);  // never inside the initiating call
        io.run();
        CHECK(in_io_thread);
        CHECK_FALSE(error);
        REQUIRE(results);
        CHECK((*results)[1].outcome == kflow::topic_outcome::differs);
    }
    SECTION("no specs complete later, with no results") {
        bool done = false;
        kflow::async_ensure_topics(
            admin, {}, {},
            [&](boost::system::error_code ec, std::vector<kflow::topic_ensure_result> r) {
                CHECK_FALSE(ec);
                CHECK(r.empty());
                done = true;
            });
        CHECK_FALSE(done);
        io.run();
        CHECK(done);
    }
    SECTION("an unreachable cluster completes with the error") {
        std::string bootstrap;
        {
            mock_cluster gone;
            bootstrap = gone.bootstrap_servers();
        }
        kflow::admin_config unreachable;
        unreachable.bootstrap_servers(bootstrap).request_timeout(1500ms);
        kflow::admin_client lost(io.get_executor(), unreachable);
        std::optional<boost::system::error_code> error;
        kflow::async_ensure_topics(
            lost, specs, {},
            [&](boost::system::error_code ec, std::vector<kflow::topic_ensure_result> r) {
                error = ec;
                CHECK(r.empty());
            });
        io.run();
        REQUIRE(error);
        CHECK(*error);

        // Under kflow::use_awaitable it throws kafka_error with the message, as the blocking
        // form does.
        io.restart();
        std::string thrown;
        kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<void> {
            try {
                (void)co_await kflow::async_ensure_topics(lost, specs);
            } catch (const kflow::kafka_error& e) {
                thrown = e.what();
            }
        });
        CHECK_THAT(thrown, Contains("describe_topics: "));
    }
}
