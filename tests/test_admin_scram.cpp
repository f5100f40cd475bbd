// SCRAM credential operations (describe_user_scram_credentials, alter_user_scram_credentials):
// input checked before anything is sent, secrets never printed, librdkafka's objects built from
// kflow's values, the version gate (librdkafka 2.2.0) in every form, and against the mock: the
// request completes promptly with a clear error (the mock serves no admin API). The round trip
// against a real broker is in test_admin_integration.
#include "admin_test_support.hpp"

#include <kflow/admin/client.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/run_coroutine.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <sstream>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::scram_credential_alteration;
using kflow::scram_mechanism;

using kflow_test::kafka_error_thrown_by;
using kflow_test::offline_admin_client;

namespace {

constexpr bool scram_available = kflow::librdkafka_at_least(2, 2, 0);

std::string problem_of(const scram_credential_alteration& a) {
    return kflow::detail::scram_alteration_problem(a);
}

std::string printed(const scram_credential_alteration& a) {
    std::ostringstream out;
    out << a;
    return out.str();
}

}  // namespace

TEST_CASE("SCRAM alterations are checked before anything is sent", "[admin][scram][mapping]") {
    const auto ok = scram_credential_alteration::upsert("alice", scram_mechanism::sha512, "pw");
    CHECK(problem_of(ok).empty());
    CHECK(ok.iterations == kflow::scram_min_iterations);
    CHECK(problem_of(scram_credential_alteration::remove("bob", scram_mechanism::sha256)).empty());

    CHECK_THAT(problem_of(scram_credential_alteration::upsert("", scram_mechanism::sha256, "pw")),
               Catch::Contains("empty user name"));
    CHECK_THAT(problem_of(scram_credential_alteration::upsert(
                   "alice", static_cast<scram_mechanism>(0), "pw")),
               Catch::Contains("user 'alice': mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512"));
    CHECK_THAT(
        problem_of(scram_credential_alteration::remove("alice", static_cast<scram_mechanism>(7))),
        Catch::Contains("mechanism must be"));
    CHECK_THAT(
        problem_of(scram_credential_alteration::upsert("alice", scram_mechanism::sha256, "")),
        Catch::Contains("user 'alice': the password is empty"));
    CHECK_THAT(problem_of(scram_credential_alteration::upsert("alice", scram_mechanism::sha256,
                                                              "pw", 4095)),
               Catch::Contains("iterations must be within [4096, 16384], got 4095"));
    CHECK_THAT(problem_of(scram_credential_alteration::upsert("alice", scram_mechanism::sha256,
                                                              "pw", 16385)),
               Catch::Contains("got 16385"));
    // Deletions carry no password or iterations: none is asked for.
    auto removal = scram_credential_alteration::remove("carol", scram_mechanism::sha512);
    removal.iterations = 0;
    CHECK(problem_of(removal).empty());
}

TEST_CASE("SCRAM requests name what is wrong with a batch, in every form",
          "[admin][scram][mapping]") {
    auto admin = offline_admin_client();
    kflow::error_info err;
    auto altered = admin.alter_user_scram_credentials({}, err);
    CHECK(err.code == std::errc::invalid_argument);
    CHECK(altered.empty());
    CHECK_THAT(kafka_error_thrown_by([&] { (void)admin.alter_user_scram_credentials({}); }),
               Catch::Contains("alter_user_scram_credentials: no alterations given"));
    CHECK_THAT(kafka_error_thrown_by([&] {
                   (void)admin.alter_user_scram_credentials(
                       {scram_credential_alteration::upsert("alice", scram_mechanism::sha256, "a"),
                        scram_credential_alteration::remove("alice", scram_mechanism::sha256)});
               }),
               Catch::Contains("user 'alice' SCRAM-SHA-256 is altered twice in one request"));
    // Two mechanisms of one user in one batch are fine: only the check for the pair is up front.
    CHECK_THAT(kafka_error_thrown_by([&] {
                   (void)admin.alter_user_scram_credentials(
                       {scram_credential_alteration::upsert("alice", scram_mechanism::sha256, "a"),
                        scram_credential_alteration::upsert("alice", scram_mechanism::sha512, "")});
               }),
               Catch::Contains("user 'alice': the password is empty"));
    CHECK_THAT(kafka_error_thrown_by([&] {
                   (void)admin.describe_user_scram_credentials({"alice", ""});
               }),
               Catch::Contains("describe_user_scram_credentials: a user name is empty"));
    CHECK_THAT(kafka_error_thrown_by([&] {
                   (void)admin.describe_user_scram_credentials({"bob", "bob"});
               }),
               Catch::Contains("user 'bob' appears twice in one request"));
    CHECK_THAT(kafka_error_thrown_by([&] {
                   (void)admin.with(admin.defaults().validating())
                       .alter_user_scram_credentials(
                           {scram_credential_alteration::remove("bob", scram_mechanism::sha256)});
               }),
               Catch::Contains("validate_only is not supported by AlterUserScramCredentials"));

    // The asynchronous form reports the same error through the handler.
    asio::io_context io;
    std::error_code async_ec;
    std::vector<kflow::item_result> async_results{kflow::item_result("sentinel")};
    admin.async_alter_user_scram_credentials(
        {scram_credential_alteration::upsert("dave", scram_mechanism::sha512, "pw", 100)},
        asio::bind_executor(io,
                            [&](boost::system::error_code e, std::vector<kflow::item_result> r) {
                                async_ec = e;
                                async_results = std::move(r);
                            }));
    io.run();
    CHECK(async_ec == std::errc::invalid_argument);
    CHECK(async_results.empty());
}

TEST_CASE("SCRAM credentials default to the mechanism a client defaults to",
          "[admin][scram][mapping]") {
    // A credential created with the defaults must be the one a client with the defaults uses:
    // sasl_scram{} and a bare "SCRAM" both mean SCRAM-SHA-256.
    const scram_credential_alteration alteration;
    CHECK(alteration.mechanism == scram_mechanism::sha256);
    CHECK(alteration.mechanism == kflow::sasl_scram{}.mechanism);
    CHECK(kflow::scram_credential_info{}.mechanism == scram_mechanism::sha256);
    kflow::client_config client;
    client.set("sasl.mechanism", "SCRAM");
    CHECK(client.get("sasl.mechanism") == std::string(kflow::to_string(alteration.mechanism)));
}

TEST_CASE("SCRAM alterations print without their secrets", "[admin][scram][mapping]") {
    const auto upsert = scram_credential_alteration::upsert("alice", scram_mechanism::sha512,
                                                            "hunter2", 8192, "pepper");
    const auto text = printed(upsert);
    CHECK(text == "upsert alice SCRAM-SHA-512 iterations=8192 password=[redacted] salt=[redacted]");
    CHECK(text.find("hunter2") == std::string::npos);
    CHECK(text.find("pepper") == std::string::npos);
    CHECK(printed(scram_credential_alteration::remove("bob", scram_mechanism::sha256)) ==
          "remove bob SCRAM-SHA-256");
    const kflow::user_scram_credentials described{"alice", {}, {}, {}};
    CHECK(described.item_name() == "user 'alice'");
}

TEST_CASE("SCRAM operations are gated on librdkafka 2.2.0, in every form",
          "[admin][scram][mapping]") {
#if RD_KAFKA_VERSION >= 0x020200ff
    {
        // The newer librdkafka takes kflow's values as its own objects.
        CHECK(static_cast<int>(scram_mechanism::sha256) == RD_KAFKA_SCRAM_MECHANISM_SHA_256);
        CHECK(static_cast<int>(scram_mechanism::sha512) == RD_KAFKA_SCRAM_MECHANISM_SHA_512);
        kflow::detail::alter_user_scram_credentials_request alter{
            {scram_credential_alteration::upsert("alice", scram_mechanism::sha256, "pw", 8192),
             scram_credential_alteration::upsert("alice", scram_mechanism::sha512, "pw", 4096,
                                                 "fixed-salt"),
             scram_credential_alteration::remove("bob", scram_mechanism::sha512)}};
        CHECK_FALSE(alter.prepare());
        CHECK(alter.native.size() == 3);
        kflow::detail::describe_user_scram_credentials_request all{};
        CHECK_FALSE(all.prepare());
        CHECK(all.native.empty());  // NULL to librdkafka: every user
        kflow::detail::describe_user_scram_credentials_request some{{"alice", "bob"}};
        CHECK_FALSE(some.prepare());
        REQUIRE(some.native.size() == 2);
        CHECK(std::string(some.native[1]) == "bob");
    }
#else
    {
        auto admin = offline_admin_client();
        const std::string needs =
            "needs librdkafka 2.2.0 or newer; kflow was built against "
            "librdkafka " +
            kflow::detail::built_librdkafka_version();
        kflow::error_info err;
        (void)admin.describe_user_scram_credentials({"alice"}, err);
        CHECK(err.code == kflow::errc::unsupported_by_librdkafka);
        CHECK(err.code == std::errc::function_not_supported);
        (void)admin.alter_user_scram_credentials(
            {scram_credential_alteration::remove("alice", scram_mechanism::sha256)}, err);
        CHECK(err.code == kflow::errc::unsupported_by_librdkafka);
        CHECK_THAT(kafka_error_thrown_by([&] { (void)admin.describe_user_scram_credentials(); }),
                   Catch::Contains("describe_user_scram_credentials " + needs));
        CHECK_THAT(
            kafka_error_thrown_by([&] {
                (void)admin.alter_user_scram_credentials(
                    {scram_credential_alteration::upsert("alice", scram_mechanism::sha256, "pw")});
            }),
            Catch::Contains("alter_user_scram_credentials " + needs));

        asio::io_context io;
        std::string async_message;
        kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<void> {
            // A named vector: g++ 12 rejects a braced temporary inside co_await.
            std::vector<std::string> users{"alice"};
            try {
                (void)co_await admin.async_describe_user_scram_credentials(std::move(users));
            } catch (const kflow::kafka_error& e) {
                async_message = e.what();
            }
        });
        CHECK_THAT(async_message, Catch::Contains("describe_user_scram_credentials " + needs));
    }
#endif
}

TEST_CASE("SCRAM operations against the mock complete promptly with a clear error",
          "[admin][scram][mock]") {
    kflow::testing::mock_cluster cluster(1);
    asio::io_context io;
    kflow::admin_config cfg;
    cfg.bootstrap_servers(cluster.bootstrap_servers()).request_timeout(10s);
    kflow::admin_client admin(io.get_executor(), cfg);
    // librdkafka 2.2 and newer send the request; the mock's ApiVersions lists neither SCRAM API,
    // so librdkafka refuses it. Older librdkafka stops at kflow's version gate.
    const auto expected = scram_available
                              ? kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE)
                              : kflow::make_error_code(kflow::errc::unsupported_by_librdkafka);
    const auto started = std::chrono::steady_clock::now();
    kflow::error_info err;
    (void)admin.describe_user_scram_credentials({}, err);
    CHECK(err.code == expected);
    (void)admin.alter_user_scram_credentials(
        {scram_credential_alteration::upsert("alice", scram_mechanism::sha256, "pw")}, err);
    CHECK(err.code == expected);
    if constexpr (scram_available) {
        CHECK_THAT(
            kafka_error_thrown_by([&] { (void)admin.describe_user_scram_credentials({"alice"}); }),
            Catch::Contains("describe_user_scram_credentials: the broker does not support "
                            "DescribeUserScramCredentials"));
    }

    boost::system::error_code async_describe, async_alter;
    kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<void> {
        auto token = asio::as_tuple(asio::use_awaitable);
        std::vector<std::string> users{"alice"};
        auto [e1, described] =
            co_await admin.async_describe_user_scram_credentials(std::move(users), token);
        async_describe = e1;
        CHECK(described.empty());
        std::vector<scram_credential_alteration> alterations{
            scram_credential_alteration::remove("alice", scram_mechanism::sha512)};
        auto [e2, altered] =
            co_await admin.async_alter_user_scram_credentials(std::move(alterations), token);
        async_alter = e2;
        CHECK(altered.empty());
    });
    CHECK(async_describe == expected);
    CHECK(async_alter == expected);
    CHECK(std::chrono::steady_clock::now() - started < 20s);
}
