// admin_client against librdkafka's mock cluster: what the mock serves (metadata, watermarks,
// offsets, committed offsets and lag) end to end, and every admin request it does not serve
// completing promptly with a clear error, in the blocking and the asynchronous forms.
#include <kflow/admin_client.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;

namespace {

kflow::admin_config admin_config_for(const mock_cluster& cluster) {
    kflow::admin_config cfg;
    cfg.bootstrap_servers(cluster.bootstrap_servers()).request_timeout(10s);
    return cfg;
}

/// Runs `f` as a coroutine on a fresh io_context until everything finished; rethrows.
template <class F>
void run_coroutine(asio::io_context& io, F f) {
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(f), [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure)
        std::rethrow_exception(failure);
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
    std::error_code ec;
    auto results = admin.create_topics({kflow::topic_spec(unique_name("t"), 1, 1)}, ec);
    CHECK(std::chrono::steady_clock::now() - started < 15s);
    CHECK(ec == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
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
