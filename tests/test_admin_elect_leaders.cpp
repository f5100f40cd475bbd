// elect_leaders: input checked before anything is sent, librdkafka's object built from kflow's
// values, the version gate (librdkafka 2.6.0) in every form, and against the mock: the request
// completes promptly with a clear error (the mock serves no ElectLeaders). The election on a
// real broker is in test_admin_integration.
#include "admin_test_support.hpp"

#include <kflow/admin/client.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/run_coroutine.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::election_type;

using kflow_test::kafka_error_thrown_by;
using kflow_test::offline_admin_client;

namespace {

constexpr bool elect_leaders_available = kflow::librdkafka_at_least(2, 6, 0);

}  // namespace

TEST_CASE("elect_leaders names what is wrong with its input, in every form",
          "[admin][elect_leaders][mapping]") {
    auto admin = offline_admin_client();
    kflow::error_info err;
    auto results = admin.elect_leaders(election_type::preferred, {{"", 0}}, err);
    CHECK(err.code == std::errc::invalid_argument);
    CHECK(results.empty());
    CHECK_THAT(kafka_error_thrown_by([&] {
                   (void)admin.elect_leaders(election_type::preferred, {{"", 0}});
               }),
               Catch::Contains("elect_leaders: a topic name is empty"));
    CHECK_THAT(kafka_error_thrown_by([&] {
                   (void)admin.elect_leaders(election_type::unclean, {{"orders", -1}});
               }),
               Catch::Contains("'orders' [-1]: partition must not be negative"));
    CHECK_THAT(kafka_error_thrown_by([&] {
                   (void)admin.elect_leaders(election_type::preferred,
                                             {{"orders", 1}, {"orders", 2}, {"orders", 1}});
               }),
               Catch::Contains("'orders' [1] appears twice in one request"));
    CHECK_THAT(kafka_error_thrown_by([&] {
                   (void)admin.elect_leaders(static_cast<election_type>(5), {{"orders", 1}});
               }),
               Catch::Contains("unknown election_type 5"));
    CHECK_THAT(kafka_error_thrown_by([&] {
                   (void)admin.with(admin.defaults().validating())
                       .elect_leaders(election_type::preferred, {{"orders", 1}});
               }),
               Catch::Contains("validate_only is not supported by ElectLeaders"));

    CHECK(kflow::to_string(election_type::unclean) == "unclean");
    const kflow::election_result r{"orders", 3, {}, {}};
    CHECK(r.item_name() == "'orders' [3]");
}

TEST_CASE("elect_leaders is gated on librdkafka 2.6.0, in every form",
          "[admin][elect_leaders][mapping]") {
#if RD_KAFKA_VERSION >= 0x020600ff
    CHECK(static_cast<int>(election_type::preferred) == RD_KAFKA_ELECTION_TYPE_PREFERRED);
    CHECK(static_cast<int>(election_type::unclean) == RD_KAFKA_ELECTION_TYPE_UNCLEAN);
    kflow::detail::elect_leaders_request some{election_type::unclean, {{"orders", 0}, {"b", 2}}};
    CHECK_FALSE(some.prepare());
    CHECK(some.native != nullptr);
    kflow::detail::elect_leaders_request all{election_type::preferred, {}};
    CHECK_FALSE(all.prepare());
    CHECK(all.native != nullptr);
#else
    auto admin = offline_admin_client();
    const std::string needs =
        "elect_leaders needs librdkafka 2.6.0 or newer; kflow was built "
        "against librdkafka " +
        kflow::detail::built_librdkafka_version();
    kflow::error_info err;
    (void)admin.elect_leaders(election_type::preferred, {}, err);
    CHECK(err.code == kflow::errc::unsupported_by_librdkafka);
    CHECK_THAT(kafka_error_thrown_by([&] {
                   (void)admin.elect_leaders(election_type::preferred, {{"orders", 0}});
               }),
               Catch::Contains(needs));
    asio::io_context io;
    std::string async_message;
    kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<kflow::topic_partition> partitions{{"orders", 0}};
        try {
            (void)co_await admin.async_elect_leaders(election_type::unclean, std::move(partitions));
        } catch (const kflow::kafka_error& e) {
            async_message = e.what();
        }
    });
    CHECK_THAT(async_message, Catch::Contains(needs));
#endif
}

TEST_CASE("elect_leaders against the mock completes promptly with a clear error",
          "[admin][elect_leaders][mock]") {
    kflow::testing::mock_cluster cluster(3);
    const auto topic = kflow::testing::unique_name("elect");
    cluster.create_topic(topic, 2, 3);
    asio::io_context io;
    kflow::admin_config cfg;
    cfg.bootstrap_servers(cluster.bootstrap_servers()).request_timeout(10s);
    kflow::admin_client admin(io.get_executor(), cfg);
    // librdkafka 2.6 and newer send the request; the mock's ApiVersions does not list
    // ElectLeaders, so librdkafka refuses it. Older librdkafka stops at kflow's version gate.
    const auto expected = elect_leaders_available
                              ? kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE)
                              : kflow::make_error_code(kflow::errc::unsupported_by_librdkafka);
    const auto started = std::chrono::steady_clock::now();
    kflow::error_info err;
    (void)admin.elect_leaders(election_type::preferred, {{topic, 0}, {topic, 1}}, err);
    CHECK(err.code == expected);
    if constexpr (elect_leaders_available) {
        CHECK_THAT(
            kafka_error_thrown_by([&] { (void)admin.elect_leaders(election_type::preferred, {}); }),
            Catch::Contains("elect_leaders: the broker does not support ElectLeaders"));
    }
    boost::system::error_code async_ec;
    kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<kflow::topic_partition> partitions{{topic, 1}};
        auto [e, results] = co_await admin.async_elect_leaders(
            election_type::unclean, std::move(partitions), asio::as_tuple(asio::use_awaitable));
        async_ec = e;
        CHECK(results.empty());
    });
    CHECK(async_ec == expected);
    CHECK(std::chrono::steady_clock::now() - started < 20s);
}
