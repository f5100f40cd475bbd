// Broker authorization failures (TOPIC_/GROUP_/CLUSTER_AUTHORIZATION_FAILED) as the application
// sees them: which call reports them, with which code and message, and how soon. The mock cluster
// has no ACLs, so its fault injection answers the requests with the error a broker that denies
// the operation would give. Every *_AUTHORIZATION_FAILED code compares equal to
// std::errc::permission_denied (docs/errors.md, "Portable conditions").
#include <kflow/admin/client.hpp>
#include <kflow/async_consumer.hpp>
#include <kflow/async_producer.hpp>
#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/run_coroutine.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::testing::api_key;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using clock_type = std::chrono::steady_clock;

namespace {

/// How soon a refusal must reach the application: the mock answers within milliseconds, so
/// this only absorbs a busy machine. A report that needs a timeout to arrive misses it.
constexpr auto prompt = 5s;

double seconds_since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

constexpr double prompt_seconds() {
    return std::chrono::duration<double>(prompt).count();
}

/// Polls the consumer until it raises a kafka_error or `deadline` passes.
template <class Consumer>
std::optional<kflow::kafka_error> poll_until_raised(Consumer& consumer,
                                                    std::chrono::milliseconds deadline) {
    const auto until = clock_type::now() + deadline;
    while (clock_type::now() < until) {
        try {
            (void)consumer.poll(100ms);
        } catch (const kflow::kafka_error& e) {
            return e;
        }
    }
    return std::nullopt;
}

kflow::admin_config admin_config_for(const mock_cluster& cluster) {
    kflow::admin_config cfg;
    cfg.bootstrap_servers(cluster.bootstrap_servers()).request_timeout(10s);
    return cfg;
}

}  // namespace

// -- Producer -------------------------------------------------------------------------------------

TEST_CASE("TOPIC_AUTHORIZATION_FAILED on Produce fails the delivery at once, naming the topic",
          "[authorization][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("authz-produce");
    cluster.create_topic(topic, 1);
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    // Both records must be queued before the first refusal comes back: once librdkafka holds
    // the topic as unauthorized, it refuses a send at once (checked below), and a slow build
    // (TSan) can take longer between two sends than the test config's 1 ms linger.
    config.linger(std::chrono::milliseconds(300));
    std::vector<kflow::error_info> heard;
    config.on_error([&](const kflow::error_info& e) { heard.push_back(e); });
    kflow::producer<std::string, std::string> producer(config);
    // One refusal per Produce request, whether librdkafka batches the two records or not.
    cluster.push_request_errors(api_key::produce, {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                                   RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED});

    const auto start = clock_type::now();
    std::optional<std::error_code> delivered;
    kflow::record_metadata delivered_md;
    producer.send({topic, "k", "observed"},
                  [&](std::error_code ec, const kflow::record_metadata& md) {
                      delivered = ec;
                      delivered_md = md;
                  });
    producer.send({topic, "k", "unobserved"});  // its failure goes to on_error
    kflow::error_info flushed;
    producer.flush(30s, flushed);
    const double took = seconds_since(start);
    INFO("reported after " << took << " s; flush: '" << flushed.message << "'");
    CHECK(took < prompt_seconds());

    REQUIRE(delivered);
    CHECK(*delivered == std::errc::permission_denied);
    CHECK(*delivered == kflow::make_error_code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
    CHECK(delivered_md.topic == topic);
    CHECK(delivered_md.partition == 0);
    CHECK_FALSE(delivered_md.persisted);

    REQUIRE(heard.size() == 1);
    INFO("on_error: " << heard.front().message);
    CHECK(heard.front() == std::errc::permission_denied);
    CHECK_THAT(heard.front().message,
               Catch::Contains(topic) && Catch::Contains("Topic authorization failed"));
    CHECK_FALSE(heard.front().flags.fatal);

    // flush() waits for the reports; each record's failure is its delivery report's, so the
    // flush itself succeeds (as for any other delivery error).
    CHECK_FALSE(flushed);

    // librdkafka now holds the topic as unauthorized: the next send is refused at once, by
    // send() itself, until a metadata refresh says otherwise.
    try {
        producer.send({topic, "k", "after"});
        FAIL("a send right after the refusal was accepted");
    } catch (const kflow::kafka_error& e) {
        INFO("send after: " << e.what());
        CHECK(e.code() == std::errc::permission_denied);
        CHECK_THAT(std::string(e.what()), Catch::Contains("cannot send to '" + topic + "'"));
    }
    // The second refusal is still queued when both records went in one request.
    cluster.clear_request_errors(api_key::produce);
    // Not final: librdkafka refreshes the topic's metadata about a second later, and a record
    // sent then goes through (the broker allows it again).
    const auto until = clock_type::now() + 3 * prompt;
    std::optional<std::error_code> later;
    bool accepted = false;
    while (!accepted && clock_type::now() < until) {
        kflow::error_info err;
        producer.send(
            {topic, "k", "later"},
            [&](std::error_code ec, const kflow::record_metadata&) { later = ec; }, err);
        accepted = !err;
        if (!accepted)
            producer.poll(100ms);
    }
    const double recovered = seconds_since(start);
    INFO("accepted again after " << recovered << " s");
    REQUIRE(accepted);
    CHECK(recovered < prompt_seconds());
    producer.flush(prompt);
    REQUIRE(later);
    CHECK_FALSE(*later);
}

TEST_CASE("TOPIC_AUTHORIZATION_FAILED on Produce completes async_send with permission_denied",
          "[authorization][producer][async][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("authz-async-produce");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    kflow::async_producer<std::string, std::string> producer(
        io.get_executor(), kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    cluster.push_request_errors(api_key::produce, {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED});

    const auto start = clock_type::now();
    double took = 0;
    kflow::testing::run_coroutine(
        io,
        [&]() -> asio::awaitable<void> {
            auto [ec, md] = co_await producer.async_send({topic, "k", "v"},
                                                         asio::as_tuple(asio::use_awaitable));
            took = seconds_since(start);
            CHECK(ec == std::errc::permission_denied);
            CHECK(std::error_code(ec) ==
                  kflow::make_error_code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
            CHECK(md.topic == topic);
            CHECK_FALSE(md.persisted);
            // The failure was the record's: flushing has nothing left to wait for.
            auto [flush_ec] = co_await producer.async_flush(asio::as_tuple(asio::use_awaitable));
            CHECK_FALSE(flush_ec);
        },
        20s);
    INFO("async_send completed after " << took << " s");
    CHECK(took < prompt_seconds());
}

TEST_CASE("async_send's exception for a refused topic names the topic",
          "[authorization][producer][async][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("authz-async-what");
    cluster.create_topic(topic, 1);
    asio::io_context io;
    kflow::async_producer<std::string, std::string> producer(
        io.get_executor(), kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    cluster.push_request_errors(api_key::produce, {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED});
    std::optional<kflow::kafka_error> raised;
    kflow::testing::run_coroutine(
        io,
        [&]() -> asio::awaitable<void> {
            try {
                (void)co_await producer.async_send({topic, "k", "v"});  // kflow::use_awaitable
            } catch (const kflow::kafka_error& e) {
                raised = e;
            }
        },
        20s);
    REQUIRE(raised);
    INFO("what(): " << raised->what());
    CHECK(raised->code() == std::errc::permission_denied);
    // As the synchronous producer's on_error: "delivery to <topic> [0] failed: ...".
    CHECK_THAT(std::string(raised->what()), Catch::Contains(topic));
}

TEST_CASE("CLUSTER_AUTHORIZATION_FAILED on InitProducerId is fatal for an idempotent producer",
          "[authorization][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("authz-pid");
    cluster.create_topic(topic, 1);
    // Before the producer exists: its first request after ApiVersions is InitProducerId.
    cluster.push_request_errors(api_key::init_producer_id,
                                {RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED});
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    config.enable_idempotence(true);
    std::vector<kflow::error_info> heard;
    config.on_error([&](const kflow::error_info& e) { heard.push_back(e); });
    kflow::producer<std::string, std::string> producer(config);

    const auto start = clock_type::now();
    std::optional<std::error_code> delivered;
    kflow::error_info refused;  // only if the fatal error came before the send
    producer.send(
        {topic, "k", "v"},
        [&](std::error_code ec, const kflow::record_metadata&) { delivered = ec; }, refused);
    kflow::error_info flushed;
    producer.flush(30s, flushed);
    const double took = seconds_since(start);
    INFO("reported after " << took << " s; flush: '" << flushed.message << "'");
    CHECK(took < prompt_seconds());

    if (refused) {
        CHECK(refused.flags.fatal);
    } else {
        // The record fails at once with the cause, not librdkafka's purge.
        REQUIRE(delivered);
        INFO("delivery: " << delivered->message());
        CHECK(*delivered == kflow::make_error_code(RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED));
    }
    // flush() reports the fatal error: nothing was delivered.
    CHECK(flushed.flags.fatal);

    REQUIRE_FALSE(heard.empty());
    INFO("on_error: " << heard.front().message);
    CHECK(heard.front().flags.fatal);
    CHECK(heard.front().code ==
          kflow::make_error_code(RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED));
    CHECK(heard.front() == std::errc::permission_denied);

    // Fatal: a later send is refused with the same code and the fatal flag.
    try {
        producer.send({topic, "k", "after"});
        FAIL("a send after the fatal error was accepted");
    } catch (const kflow::kafka_error& e) {
        INFO("send after: " << e.what());
        CHECK(e.is_fatal());
        CHECK(e.code() == std::errc::permission_denied);
    }
}

TEST_CASE("a producer's fatal CLUSTER_AUTHORIZATION_FAILED reaches its records and flush",
          "[authorization][producer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("authz-pid-report");
    cluster.create_topic(topic, 1);
    cluster.push_request_errors(api_key::init_producer_id,
                                {RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED});
    // The record must be queued before the refusal arrives (the case above covers a send after
    // it): every response of the broker is held back long enough for that, even under TSan.
    cluster.set_round_trip_time(1, 300ms);
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    config.enable_idempotence(true).on_error([](const kflow::error_info&) {});
    kflow::producer<std::string, std::string> producer(config);
    std::optional<std::error_code> delivered;
    producer.send({topic, "k", "v"},
                  [&](std::error_code ec, const kflow::record_metadata&) { delivered = ec; });
    kflow::error_info flushed;
    producer.flush(30s, flushed);
    REQUIRE(delivered);
    INFO("delivery: " << delivered->message() << "; flush: '" << flushed.message << "'");
    // Not librdkafka's "Local: Purged in queue", and not a flush that succeeds although the
    // producer is dead.
    CHECK(*delivered == kflow::make_error_code(RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED));
    CHECK(flushed.code == kflow::make_error_code(RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED));
    CHECK(flushed.flags.fatal);
}

// -- Consumer -------------------------------------------------------------------------------------

TEST_CASE("TOPIC_AUTHORIZATION_FAILED for a subscribed topic is raised by poll, naming it",
          "[authorization][consumer][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("authz-subscribe");
    cluster.create_topic(topic, 1);
    cluster.set_topic_error(topic, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    kflow::consumer<std::string, std::string> consumer(kflow::testing::test_consumer_config(
        cluster.bootstrap_servers(), unique_name("authz-subscribe-group")));
    consumer.subscribe({topic});

    const auto start = clock_type::now();
    const auto raised = poll_until_raised(consumer, 3 * prompt);
    const double took = seconds_since(start);
    REQUIRE(raised);
    INFO("raised after " << took << " s: " << raised->what());
    CHECK(took < prompt_seconds());
    CHECK(raised->code() == std::errc::permission_denied);
    CHECK(raised->code() == kflow::make_error_code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
    CHECK_THAT(std::string(raised->what()), Catch::Contains(topic));
}

// Not tested here: librdkafka 2.0.2 with its mock does not report an error pushed onto Fetch
// responses at all (the fetcher goes on fetching and the consumer hears nothing). A real broker's
// refusal of a topic comes through Metadata too, which the subscribed-topic case above covers.

TEST_CASE("TOPIC_AUTHORIZATION_FAILED completes async_receive with permission_denied",
          "[authorization][consumer][async][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("authz-async-receive");
    cluster.create_topic(topic, 1);
    cluster.set_topic_error(topic, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    asio::io_context io;
    kflow::async_consumer<std::string, std::string> consumer(
        io.get_executor(), kflow::testing::test_consumer_config(cluster.bootstrap_servers(),
                                                                unique_name("authz-async-group")));
    consumer.subscribe({topic});

    const auto start = clock_type::now();
    double took = 0;
    std::optional<kflow::kafka_error> raised;
    kflow::testing::run_coroutine(
        io,
        [&]() -> asio::awaitable<void> {
            // The error is reported once, to the receive waiting when it arrives.
            try {
                (void)co_await consumer.async_receive();  // kflow::use_awaitable
            } catch (const kflow::kafka_error& e) {
                raised = e;
            }
            took = seconds_since(start);
        },
        3 * prompt);
    INFO("async_receive completed after " << took << " s");
    CHECK(took < prompt_seconds());
    REQUIRE(raised);
    INFO("what(): " << raised->what());
    CHECK(raised->code() == std::errc::permission_denied);
    CHECK_THAT(std::string(raised->what()), Catch::Contains(topic));
}

TEST_CASE("GROUP_AUTHORIZATION_FAILED while joining the group is raised by poll",
          "[authorization][consumer][group][mock]") {
    const auto [api, name] = GENERATE(table<api_key, const char*>({
        {api_key::find_coordinator, "FindCoordinator"},
        {api_key::join_group, "JoinGroup"},
    }));
    INFO("refused: " << name);
    mock_cluster cluster;
    const auto topic = unique_name("authz-group");
    const auto group = unique_name("authz-group-id");
    cluster.create_topic(topic, 1);
    // librdkafka retries some requests; every retry within the test is refused too.
    cluster.push_request_errors(
        api, std::vector<rd_kafka_resp_err_t>(20, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED));
    kflow::consumer<std::string, std::string> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), group));
    consumer.subscribe({topic});

    const auto start = clock_type::now();
    const auto raised = poll_until_raised(consumer, 3 * prompt);
    const double took = seconds_since(start);
    REQUIRE(raised);
    INFO("raised after " << took << " s: " << raised->what());
    CHECK(took < prompt_seconds());
    CHECK(raised->code() == std::errc::permission_denied);
    CHECK(raised->code() == kflow::make_error_code(RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED));
}

TEST_CASE("GROUP_AUTHORIZATION_FAILED on OffsetCommit fails commit",
          "[authorization][consumer][group][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("authz-commit");
    cluster.create_topic(topic, 1);
    kflow::consumer<std::string, std::string> consumer(kflow::testing::test_consumer_config(
        cluster.bootstrap_servers(), unique_name("authz-commit-group")));
    consumer.assign({{topic, 0, 0}});
    cluster.push_request_errors(api_key::offset_commit,
                                {RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED});

    const auto start = clock_type::now();
    kflow::error_info err;
    consumer.commit({{topic, 0, 1}}, err);
    const double took = seconds_since(start);
    INFO("commit reported after " << took << " s: " << err.message);
    CHECK(took < prompt_seconds());
    CHECK(err == std::errc::permission_denied);
    CHECK(err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED));
    CHECK_THAT(err.message, Catch::StartsWith("commit"));

    // The asynchronous commit hears it through its callback.
    cluster.push_request_errors(api_key::offset_commit,
                                {RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED});
    std::optional<std::error_code> async_result;
    consumer.commit_async({{topic, 0, 1}}, [&](std::error_code ec,
                                               const std::vector<kflow::topic_partition_offset>&) {
        async_result = ec;
    });
    const auto until = clock_type::now() + 2 * prompt;
    while (!async_result && clock_type::now() < until)
        (void)consumer.poll(100ms);
    REQUIRE(async_result);
    CHECK(*async_result == std::errc::permission_denied);
}

// -- Admin client ---------------------------------------------------------------------------------

TEST_CASE("authorization failures of admin operations the mock serves",
          "[authorization][admin][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("authz-admin");
    cluster.create_topic(topic, 1);
    kflow::admin_client admin(admin_config_for(cluster));

    SECTION("describe_topics: the topic's entry carries TOPIC_AUTHORIZATION_FAILED") {
        cluster.set_topic_error(topic, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
        const auto start = clock_type::now();
        kflow::error_info err;
        const auto topics = admin.describe_topics({topic}, err);
        const double took = seconds_since(start);
        INFO("answered after " << took << " s; call: '" << err.message << "'");
        CHECK(took < prompt_seconds());
        CHECK_FALSE(err);  // the call succeeded; the topic did not
        REQUIRE(topics.size() == 1);
        INFO("entry: " << topics[0].message);
        CHECK(topics[0].error == std::errc::permission_denied);
        CHECK(topics[0].name == topic);
    }
    SECTION("watermarks: TOPIC_AUTHORIZATION_FAILED on ListOffsets fails the call") {
        cluster.push_request_errors(
            api_key::list_offsets,
            std::vector<rd_kafka_resp_err_t>(4, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
        const auto start = clock_type::now();
        kflow::error_info err;
        (void)admin.watermarks({topic, 0}, err);
        const double took = seconds_since(start);
        INFO("answered after " << took << " s: " << err.message);
        CHECK(took < prompt_seconds());
        CHECK(err == std::errc::permission_denied);
        CHECK_THAT(err.message, Catch::Contains(topic));
    }
    SECTION("list_offsets: the partition's result carries TOPIC_AUTHORIZATION_FAILED") {
        cluster.push_request_errors(
            api_key::list_offsets,
            std::vector<rd_kafka_resp_err_t>(4, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
        const auto start = clock_type::now();
        kflow::error_info err;
        const auto offsets = admin.list_offsets({{topic, 0, kflow::offset_spec::latest()}}, err);
        const double took = seconds_since(start);
        INFO("answered after " << took << " s; call: '" << err.message << "'");
        CHECK(took < prompt_seconds());
        CHECK_FALSE(err);
        REQUIRE(offsets.size() == 1);
        INFO("entry: " << offsets[0].message);
        CHECK(offsets[0].error == std::errc::permission_denied);
    }
    SECTION("list_consumer_group_offsets: GROUP_AUTHORIZATION_FAILED on OffsetFetch") {
        const auto group = unique_name("authz-admin-group");
        cluster.push_request_errors(
            api_key::offset_fetch,
            std::vector<rd_kafka_resp_err_t>(4, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED));
        const auto start = clock_type::now();
        kflow::error_info err;
        const auto offsets = admin.list_consumer_group_offsets(group, {{topic, 0}}, err);
        const double took = seconds_since(start);
        INFO("answered after " << took << " s; call: '" << err.message << "'; group: '"
                               << offsets.message << "'");
        CHECK(took < prompt_seconds());
        // The request as a whole failed: the call's error, not the group's entry.
        CHECK(err == std::errc::permission_denied);
        CHECK(err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED));
        CHECK_THAT(err.message, Catch::StartsWith("list_consumer_group_offsets: "));
    }
}

TEST_CASE("admin authorization failures name the topic or group refused",
          "[authorization][admin][mock]") {
    mock_cluster cluster;
    const auto topic = unique_name("authz-admin-names");
    cluster.create_topic(topic, 1);
    kflow::admin_client admin(admin_config_for(cluster));

    cluster.set_topic_error(topic, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    const auto topics = admin.describe_topics({topic});
    REQUIRE(topics.size() == 1);
    INFO("describe_topics entry: " << topics[0].message);
    // As an unknown topic's entry says "the cluster has no topic '<name>'".
    CHECK(topics[0].message == "Broker: Topic authorization failed (topic '" + topic + "')");

    const auto group = unique_name("authz-admin-names-group");
    cluster.push_request_errors(
        api_key::offset_fetch,
        std::vector<rd_kafka_resp_err_t>(4, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED));
    kflow::error_info err;
    (void)admin.list_consumer_group_offsets(group, {{topic, 0}}, err);
    INFO("list_consumer_group_offsets: " << err.message);
    CHECK(err == std::errc::permission_denied);
    CHECK_THAT(err.message,
               Catch::StartsWith("list_consumer_group_offsets: group '" + group + "': ") &&
                   Catch::Contains("Group authorization failed"));
}
