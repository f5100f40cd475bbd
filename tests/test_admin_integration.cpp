// admin_client against a real cluster: every operation end to end. Set KFLOW_TEST_BOOTSTRAP
// (e.g. localhost:9092) to run; without it the program exits with 77 and ctest reports it Skipped.
// Every run uses unique topic and group names and removes what it created.
#include <kflow/admin/client.hpp>
#include <kflow/admin/cluster_health.hpp>
#include <kflow/admin/ensure_acls.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/run_coroutine.hpp>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kflow::testing::unique_name;

namespace {

std::optional<std::string> cluster_or_skip(const std::string& test) {
    auto bootstrap = kflow::testing::real_cluster_bootstrap();
    if (!bootstrap)
        WARN("SKIPPED: " << test << ": set KFLOW_TEST_BOOTSTRAP");
    return bootstrap;
}

kflow::admin_config config_for(const std::string& bootstrap) {
    kflow::admin_config cfg;
    cfg.bootstrap_servers(bootstrap).request_timeout(30s);
    return cfg;
}

/// Runs `cleanup` when the test leaves, however it leaves.
class scope_guard {
  public:
    explicit scope_guard(std::function<void()> f) : f_(std::move(f)) {}
    scope_guard(const scope_guard&) = delete;
    scope_guard& operator=(const scope_guard&) = delete;
    ~scope_guard() {
        try {
            f_();
        } catch (...) {
        }
    }

  private:
    std::function<void()> f_;
};

void delete_quietly(kflow::admin_client& admin, std::vector<std::string> topics) {
    kflow::error_info err;
    (void)admin.delete_topics(std::move(topics), err);
}

/// Waits until the cluster's metadata shows `topic` with `partitions` partitions.
bool wait_for_topic(kflow::admin_client& admin, const std::string& topic, std::size_t partitions) {
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < until) {
        kflow::error_info err;
        auto md = admin.describe_topics({topic}, err);
        if (!err && md.size() == 1 && md[0].ok() && md[0].partitions.size() == partitions)
            return true;
        std::this_thread::sleep_for(200ms);  // metadata propagation has no event to await
    }
    return false;
}

}  // namespace

TEST_CASE("integration: create topics with configs, describe them, delete them",
          "[admin][integration]") {
    auto bootstrap = cluster_or_skip("create topics with configs");
    if (!bootstrap)
        return;
    kflow::admin_client admin(config_for(*bootstrap));
    const auto topic = unique_name("kflow-admin-create");
    scope_guard cleanup([&] { delete_quietly(admin, {topic}); });

    const auto cluster = admin.describe_cluster();
    REQUIRE_FALSE(cluster.brokers.empty());
    CHECK(cluster.controller() != nullptr);
    kflow::topic_spec spec(topic, 3, 1,
                           {{"cleanup.policy", "compact"},
                            {"retention.ms", "3600000"},
                            {"compression.type", "lz4"},
                            {"min.insync.replicas", "1"},
                            {"max.message.bytes", "2000000"}});
    auto created = admin.create_topics({spec});
    kflow::throw_if_any_failed(created, "create_topics");
    REQUIRE(wait_for_topic(admin, topic, 3));

    auto configs = admin.describe_configs({kflow::config_resource::topic(topic)});
    REQUIRE(configs.size() == 1);
    REQUIRE(configs[0].ok());
    for (const auto& [name, value] : spec.configs) {
        const auto* entry = configs[0].find(name);
        REQUIRE(entry != nullptr);
        CHECK(entry->value == value);
        CHECK(entry->source == kflow::config_source::dynamic_topic);
    }

    const auto listed = admin.list_topics();
    const auto found =
        std::find_if(listed.begin(), listed.end(), [&](const auto& t) { return t.name == topic; });
    REQUIRE(found != listed.end());
    CHECK(found->partitions.size() == 3);
    CHECK(std::is_sorted(listed.begin(), listed.end(),
                         [](const auto& a, const auto& b) { return a.name < b.name; }));

    auto deleted = admin.delete_topics({topic});
    REQUIRE(deleted.size() == 1);
    CHECK(deleted[0].ok());
}

TEST_CASE("integration: validate-only create creates nothing", "[admin][integration]") {
    auto bootstrap = cluster_or_skip("validate-only create");
    if (!bootstrap)
        return;
    kflow::admin_client admin(config_for(*bootstrap));
    const auto topic = unique_name("kflow-admin-validate");
    scope_guard cleanup([&] { delete_quietly(admin, {topic}); });
    auto results =
        admin.with(admin.defaults().validating()).create_topics({kflow::topic_spec(topic, 2, 1)});
    REQUIRE(results.size() == 1);
    CHECK(results[0].ok());
    auto md = admin.describe_topics({topic});
    CHECK(md[0].error == kflow::make_error_code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
}

TEST_CASE("integration: replica assignment, create partitions, partial failure",
          "[admin][integration]") {
    auto bootstrap = cluster_or_skip("replica assignment and partial failure");
    if (!bootstrap)
        return;
    kflow::admin_client admin(config_for(*bootstrap));
    const auto placed = unique_name("kflow-admin-placed");
    const auto existing = unique_name("kflow-admin-existing");
    scope_guard cleanup([&] { delete_quietly(admin, {placed, existing}); });
    const auto broker = admin.describe_cluster().brokers.front().id;

    kflow::topic_spec spec(placed);
    spec.replica_assignment = {{broker}, {broker}};
    kflow::throw_if_any_failed(admin.create_topics({spec}), "create with assignment");
    REQUIRE(wait_for_topic(admin, placed, 2));
    auto md = admin.describe_topics({placed});
    for (const auto& p : md[0].partitions)
        CHECK(p.replicas == std::vector<std::int32_t>{broker});

    kflow::throw_if_any_failed(admin.create_partitions({kflow::partitions_spec(placed, 4)}),
                               "create partitions");
    CHECK(wait_for_topic(admin, placed, 4));

    // One good and one bad topic in one batch: per-item results.
    kflow::throw_if_any_failed(admin.create_topics({kflow::topic_spec(existing, 1, 1)}), "setup");
    auto mixed = admin.create_topics({kflow::topic_spec(existing, 1, 1),
                                      kflow::topic_spec(unique_name("kflow-admin-fresh"), 1, 1)});
    REQUIRE(mixed.size() == 2);
    const auto& dup = mixed[0].name == existing ? mixed[0] : mixed[1];
    const auto& fresh = mixed[0].name == existing ? mixed[1] : mixed[0];
    CHECK(dup.error == kflow::make_error_code(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS));
    CHECK(fresh.ok());
    delete_quietly(admin, {fresh.name});
    CHECK_THROWS_WITH(kflow::throw_if_any_failed(mixed, "mixed"), Catch::Contains(existing));
}

TEST_CASE("integration: alter and incremental alter configs", "[admin][integration]") {
    auto bootstrap = cluster_or_skip("alter configs");
    if (!bootstrap)
        return;
    kflow::admin_client admin(config_for(*bootstrap));
    const auto topic = unique_name("kflow-admin-configs");
    scope_guard cleanup([&] { delete_quietly(admin, {topic}); });
    kflow::throw_if_any_failed(admin.create_topics({kflow::topic_spec(topic, 1, 1)}), "setup");
    REQUIRE(wait_for_topic(admin, topic, 1));
    const auto resource = kflow::config_resource::topic(topic);
    auto altered =
        admin.alter_configs({kflow::config_alteration(resource, {{"retention.ms", "7200000"}})});
    REQUIRE(altered.size() == 1);
    CHECK(altered[0].ok());
    auto configs = admin.describe_configs({resource});
    CHECK(configs[0].find("retention.ms")->value == "7200000");

    kflow::error_info err;
    auto incremental = admin.incremental_alter_configs(
        {kflow::incremental_config_alteration(
            resource, {kflow::config_change("retention.ms", kflow::config_op::set, "1800000")})},
        err);
    if (err.code == kflow::errc::unsupported_by_librdkafka) {
        WARN("SKIPPED: incremental_alter_configs: " << err.message);
    } else {
        REQUIRE_FALSE(err);
        CHECK(kflow::all_succeeded(incremental));
    }
}

TEST_CASE("integration: groups, group offsets, lag and delete records", "[admin][integration]") {
    auto bootstrap = cluster_or_skip("groups, offsets, lag, delete records");
    if (!bootstrap)
        return;
    kflow::admin_client admin(config_for(*bootstrap));
    const auto topic = unique_name("kflow-admin-groups");
    const auto group = unique_name("kflow-admin-group");
    scope_guard cleanup([&] {
        kflow::error_info err;
        (void)admin.delete_consumer_groups({group}, err);
        delete_quietly(admin, {topic});
    });
    kflow::throw_if_any_failed(admin.create_topics({kflow::topic_spec(topic, 2, 1)}), "setup");
    REQUIRE(wait_for_topic(admin, topic, 2));
    {
        kflow::producer<std::string, std::string> producer(
            kflow::testing::test_producer_config(*bootstrap));
        for (int i = 0; i < 10; ++i)
            (void)kflow::testing::send_and_wait(producer, {topic, "k", "v", {}, 0});
    }
    auto altered = admin.alter_consumer_group_offsets(group, {{topic, 0, 4}});
    CHECK(altered.ok());
    auto listed = admin.list_consumer_group_offsets(group, {});
    REQUIRE(listed.partitions.size() == 1);
    CHECK(listed.partitions[0].offset == 4);
    auto lag = admin.consumer_group_lag(group, {topic});
    REQUIRE(lag.partitions.size() == 2);
    CHECK(lag.partitions[0].lag == 6);
    CHECK(lag.total() == 6);

    auto groups = admin.list_consumer_groups();
    CHECK(groups.find(group) != nullptr);
    auto described = admin.describe_consumer_groups({group});
    REQUIRE(described.size() == 1);
    CHECK(described[0].ok());
    CHECK(described[0].members.empty());

    auto deleted_offsets = admin.delete_consumer_group_offsets(group, {{topic, 0}});
    CHECK(deleted_offsets.ok());
    CHECK(admin.list_consumer_group_offsets(group, {{topic, 0}}).partitions[0].offset ==
          kflow::offsets::invalid);

    auto records = admin.delete_records({{topic, 0, 3}});
    REQUIRE(records.size() == 1);
    CHECK(records[0].ok());
    CHECK(records[0].offset == 3);
    CHECK(admin.watermarks({topic, 0}).low == 3);
    std::vector<kflow::offset_query> queries{{topic, 0, kflow::offset_spec::at_time(0)}};
    CHECK(admin.list_offsets(queries)[0].offset == 3);

    auto deleted = admin.delete_consumer_groups({group});
    REQUIRE(deleted.size() == 1);
    CHECK(deleted[0].ok());
}

TEST_CASE("integration: ACLs create, describe, delete", "[admin][integration]") {
    auto bootstrap = cluster_or_skip("ACLs");
    if (!bootstrap)
        return;
    kflow::admin_client admin(config_for(*bootstrap));
    const kflow::acl_binding acl(kflow::resource_type::topic, unique_name("kflow-admin-acl"),
                                 kflow::acl_pattern_type::literal, "User:kflow-test", "*",
                                 kflow::acl_operation::read, kflow::acl_permission::allow);
    scope_guard cleanup([&] {
        kflow::error_info err;
        (void)admin.delete_acls({kflow::acl_filter::exactly(acl)}, err);
    });
    kflow::error_info err;
    auto created = admin.create_acls({acl}, err);
    if (err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR_SECURITY_DISABLED) ||
        (!created.empty() &&
         created[0].error == kflow::make_error_code(RD_KAFKA_RESP_ERR_SECURITY_DISABLED))) {
        WARN("SKIPPED: ACLs: the broker has no authorizer (SECURITY_DISABLED)");
        return;
    }
    REQUIRE_FALSE(err);
    kflow::throw_if_any_failed(created, "create_acls");
    auto found = admin.describe_acls(kflow::acl_filter::exactly(acl));
    REQUIRE(found.size() == 1);
    CHECK(found[0] == acl);
    auto deleted = admin.delete_acls({kflow::acl_filter::exactly(acl)});
    REQUIRE(deleted.size() == 1);
    CHECK(deleted[0].ok());
    REQUIRE(deleted[0].deleted.size() == 1);
    CHECK(deleted[0].deleted[0] == acl);
}

namespace {

/// The bindings `filter` matches, sorted, once they equal `expected` (sorted) or 30 s have
/// passed. Brokers apply ACL changes from the controller's log, so a describe right after a
/// change may still see the old set; there is no event to await.
std::vector<kflow::acl_binding> wait_for_acls(kflow::admin_client& admin,
                                              const kflow::acl_filter& filter,
                                              std::vector<kflow::acl_binding> expected) {
    const auto order = [](const kflow::acl_binding& a, const kflow::acl_binding& b) {
        std::ostringstream x, y;
        x << a;
        y << b;
        return x.str() < y.str();
    };
    std::sort(expected.begin(), expected.end(), order);
    std::vector<kflow::acl_binding> seen;
    const auto until = std::chrono::steady_clock::now() + 30s;
    do {
        kflow::error_info err;
        seen = admin.describe_acls(filter, err);
        std::sort(seen.begin(), seen.end(), order);
        if (!err && seen == expected)
            break;
        std::this_thread::sleep_for(200ms);  // polling a remote cluster: no event to await
    } while (std::chrono::steady_clock::now() < until);
    return seen;
}

std::string report(const kflow::acl_ensure_result& result) {
    std::string text;
    for (const auto& line : result.describe())
        text += line + "\n";
    return text;
}

}  // namespace

TEST_CASE("integration: ensure_acls creates a spec, finds it in place, prunes, cleans up",
          "[admin][integration][ensure_acls]") {
    auto bootstrap = cluster_or_skip("ensure_acls");
    if (!bootstrap)
        return;
    kflow::admin_client admin(config_for(*bootstrap));
    const auto principal = "User:" + unique_name("kflow-ensure-acls");
    const auto topic = unique_name("kflow-ensure-acls-topic");
    const kflow::acl_spec spec{{
        kflow::acl_entry(principal, kflow::resource_type::topic, topic,
                         {kflow::acl_operation::read, kflow::acl_operation::describe}),
        kflow::acl_entry(principal, kflow::resource_type::group, topic + "-",
                         {kflow::acl_operation::read}, kflow::acl_permission::allow,
                         kflow::acl_pattern_type::prefixed),
    }};
    // Every binding of the run's principal, whatever the test left.
    const kflow::acl_filter mine(kflow::resource_type::any, std::nullopt,
                                 kflow::acl_pattern_type::any, principal, std::nullopt,
                                 kflow::acl_operation::any, kflow::acl_permission::any);
    scope_guard cleanup([&] {
        kflow::error_info err;
        (void)admin.delete_acls({mine}, err);
    });

    kflow::error_info err;
    const auto first = kflow::ensure_acls(admin, spec, {}, err);
    if (err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR_SECURITY_DISABLED)) {
        WARN("SKIPPED: ensure_acls: the broker has no authorizer (SECURITY_DISABLED)");
        return;
    }
    REQUIRE_FALSE(err);
    INFO(report(first));
    REQUIRE(first.ok());
    CHECK(first.created == spec.bindings());
    CHECK(first.kept.empty());
    CHECK(wait_for_acls(admin, mine, spec.bindings()).size() == 3);

    // Again: nothing to do, dry run or not.
    const auto again = kflow::ensure_acls(admin, spec);
    INFO(report(again));
    CHECK(again.plan.changes_nothing());
    CHECK(again.created.empty());
    CHECK(again.kept == spec.bindings());
    CHECK(again.as_specified());

    // A binding of the principal the spec does not declare: kept without prune, listed in a
    // pruning dry run, deleted by prune.
    const kflow::acl_binding extra(kflow::resource_type::topic, topic,
                                   kflow::acl_pattern_type::literal, principal, "*",
                                   kflow::acl_operation::write, kflow::acl_permission::allow);
    kflow::throw_if_any_failed(admin.create_acls({extra}), "create_acls");
    auto with_extra = spec.bindings();
    with_extra.push_back(extra);
    REQUIRE(wait_for_acls(admin, mine, with_extra).size() == 4);
    const auto additive = kflow::ensure_acls(admin, spec);
    CHECK(additive.plan.not_in_spec == std::vector<kflow::acl_binding>{extra});
    CHECK(additive.deleted.empty());
    std::optional<kflow::acl_ensure_result> dry;
    asio::io_context io;
    kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<void> {
        // The client has no executor of its own: the coroutine's runs the operation.
        dry = co_await kflow::async_ensure_acls(
            admin, spec, kflow::ensure_acls_options{.prune = true, .dry_run = true});
    });
    REQUIRE(dry);
    INFO(report(*dry));
    CHECK(dry->plan.to_delete == std::vector<kflow::acl_binding>{extra});
    CHECK(dry->deleted.empty());
    const auto pruned = kflow::ensure_acls(admin, spec, {.prune = true});
    INFO(report(pruned));
    CHECK(pruned.ok());
    CHECK(pruned.deleted == std::vector<kflow::acl_binding>{extra});
    const auto left = wait_for_acls(admin, mine, spec.bindings());
    CHECK(left.size() == 3);
    CHECK(std::find(left.begin(), left.end(), extra) == left.end());
}

namespace {

/// The credentials the cluster reports for `user`, sorted by mechanism, once they equal
/// `expected` or 30 s have passed. Brokers apply credential changes from the controller's log,
/// so a describe right after an alter may still see the old state; there is no event to await.
std::vector<kflow::scram_credential_info> wait_for_credentials(
    kflow::admin_client& admin, const std::string& user,
    const std::vector<kflow::scram_credential_info>& expected) {
    auto by_mechanism = [](const auto& a, const auto& b) { return a.mechanism < b.mechanism; };
    std::vector<kflow::scram_credential_info> seen;
    const auto until = std::chrono::steady_clock::now() + 30s;
    do {
        kflow::error_info err;
        auto described = admin.describe_user_scram_credentials({user}, err);
        if (!err && described.size() == 1) {
            seen = described[0].ok() ? described[0].credentials
                                     : std::vector<kflow::scram_credential_info>{};
            std::sort(seen.begin(), seen.end(), by_mechanism);
            if (seen == expected)
                return seen;
        }
        std::this_thread::sleep_for(200ms);
    } while (std::chrono::steady_clock::now() < until);
    return seen;
}

}  // namespace

TEST_CASE("integration: SCRAM credentials upsert, describe, delete", "[admin][integration]") {
    auto bootstrap = cluster_or_skip("SCRAM credentials");
    if (!bootstrap)
        return;
    using kflow::scram_credential_alteration;
    using kflow::scram_mechanism;
    kflow::admin_client admin(config_for(*bootstrap));
    const auto user = unique_name("kflow-scram-user");
    const auto stranger = unique_name("kflow-scram-nobody");
    scope_guard cleanup([&] {
        kflow::error_info err;
        (void)admin.alter_user_scram_credentials(
            {scram_credential_alteration::remove(user, scram_mechanism::sha256),
             scram_credential_alteration::remove(user, scram_mechanism::sha512)},
            err);
    });

    kflow::error_info err;
    auto upserted = admin.alter_user_scram_credentials(
        {scram_credential_alteration::upsert(user, scram_mechanism::sha256, "pw-256-" + user, 8192),
         scram_credential_alteration::upsert(user, scram_mechanism::sha512, "pw-512-" + user),
         // Deleting a credential nobody has fails for that user alone.
         scram_credential_alteration::remove(stranger, scram_mechanism::sha256)},
        err);
    if (err.code == kflow::errc::unsupported_by_librdkafka) {
        CHECK_THAT(err.message, Catch::Contains("librdkafka"));
        WARN("SKIPPED: SCRAM credentials: kflow was built against librdkafka "
             << kflow::detail::built_librdkafka_version() << "; they need 2.2.0");
        return;
    }
    if (err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE)) {
        WARN(
            "SKIPPED: SCRAM credentials: the broker does not support AlterUserScramCredentials "
            "(Apache Kafka 2.7 or newer does)");
        return;
    }
    REQUIRE_FALSE(err);
    REQUIRE(upserted.size() == 2);
    const auto* mine = upserted[0].name == user ? &upserted[0] : &upserted[1];
    const auto* theirs = upserted[0].name == user ? &upserted[1] : &upserted[0];
    CHECK(mine->name == user);
    CHECK(mine->ok());
    CHECK(theirs->name == stranger);
    CHECK(theirs->error == kflow::make_error_code(RD_KAFKA_RESP_ERR_RESOURCE_NOT_FOUND));
    CHECK_THAT(kflow::describe_failures(upserted, "alter"), Catch::Contains(stranger));

    const std::vector<kflow::scram_credential_info> both{{scram_mechanism::sha256, 8192},
                                                         {scram_mechanism::sha512, 4096}};
    CHECK(wait_for_credentials(admin, user, both) == both);
    auto everyone = admin.describe_user_scram_credentials();
    CHECK(std::any_of(everyone.begin(), everyone.end(),
                      [&](const auto& u) { return u.user == user && u.ok(); }));

    // The asynchronous forms: remove one credential, then describe the user.
    asio::io_context io;
    std::vector<kflow::item_result> removed;
    std::vector<kflow::user_scram_credentials> nobody;
    kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<scram_credential_alteration> alterations{
            scram_credential_alteration::remove(user, scram_mechanism::sha256)};
        removed = co_await admin.async_alter_user_scram_credentials(std::move(alterations));
        std::vector<std::string> users{stranger};
        nobody = co_await admin.async_describe_user_scram_credentials(std::move(users));
    });
    REQUIRE(removed.size() == 1);
    CHECK(removed[0].ok());
    REQUIRE(nobody.size() == 1);
    CHECK(nobody[0].user == stranger);
    CHECK(nobody[0].error == kflow::make_error_code(RD_KAFKA_RESP_ERR_RESOURCE_NOT_FOUND));
    const std::vector<kflow::scram_credential_info> one{{scram_mechanism::sha512, 4096}};
    CHECK(wait_for_credentials(admin, user, one) == one);

    auto last = admin.alter_user_scram_credentials(
        {scram_credential_alteration::remove(user, scram_mechanism::sha512)});
    kflow::throw_if_any_failed(last, "removing the last credential");
    CHECK(wait_for_credentials(admin, user, {}).empty());
}

TEST_CASE("integration: elect preferred leaders", "[admin][integration]") {
    auto bootstrap = cluster_or_skip("elect leaders");
    if (!bootstrap)
        return;
    kflow::admin_client admin(config_for(*bootstrap));
    const auto topic = unique_name("kflow-admin-elect");
    scope_guard cleanup([&] { delete_quietly(admin, {topic}); });
    kflow::throw_if_any_failed(admin.create_topics({kflow::topic_spec(topic, 2, 1)}), "setup");
    REQUIRE(wait_for_topic(admin, topic, 2));

    kflow::error_info err;
    auto elected =
        admin.elect_leaders(kflow::election_type::preferred, {{topic, 0}, {topic, 1}}, err);
    if (err.code == kflow::errc::unsupported_by_librdkafka) {
        CHECK_THAT(err.message, Catch::Contains("librdkafka"));
        WARN("SKIPPED: elect_leaders: kflow was built against librdkafka "
             << kflow::detail::built_librdkafka_version() << "; it needs 2.6.0");
        return;
    }
    if (err.code == kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE)) {
        WARN("SKIPPED: elect_leaders: the broker does not support ElectLeaders (Kafka 2.4+ does)");
        return;
    }
    REQUIRE_FALSE(err);
    REQUIRE(elected.size() == 2);
    for (const auto& r : elected) {
        INFO(r.item_name() << ": " << r.message);
        CHECK(r.topic == topic);
        // With one replica per partition the preferred replica already leads.
        CHECK((r.ok() || r.error == kflow::make_error_code(RD_KAFKA_RESP_ERR_ELECTION_NOT_NEEDED)));
    }

    // A partition the topic does not have fails alone (asynchronous form).
    asio::io_context io;
    std::vector<kflow::election_result> missing;
    kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<kflow::topic_partition> partitions{{topic, 7}};
        missing = co_await admin.async_elect_leaders(kflow::election_type::preferred,
                                                     std::move(partitions));
    });
    REQUIRE(missing.size() == 1);
    CHECK(missing[0].partition == 7);
    CHECK(missing[0].error == kflow::make_error_code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
}

TEST_CASE("integration: cluster_health with a canary", "[admin][integration][health]") {
    auto bootstrap = cluster_or_skip("cluster_health canary");
    if (!bootstrap)
        return;
    kflow::client_config connection;
    connection.bootstrap_servers(*bootstrap);
    kflow::admin_client admin(kflow::admin_config(connection).request_timeout(30s));
    const auto topic = unique_name("kflow-admin-health-canary");
    scope_guard cleanup([&] { delete_quietly(admin, {topic}); });
    kflow::throw_if_any_failed(admin.create_topics({kflow::topic_spec(topic, 2, 1)}), "setup");
    REQUIRE(wait_for_topic(admin, topic, 2));

    const auto started = std::chrono::steady_clock::now();
    const auto report =
        kflow::cluster_health(admin, {10s, {topic}, kflow::health_canary(topic, connection, 1)});
    CHECK(std::chrono::steady_clock::now() - started < 12s);
    INFO(report);
    CHECK(report.healthy());
    REQUIRE(report.canary);
    CHECK(report.canary->ok());
    CHECK(report.canary->partition == 1);
    CHECK(report.canary->offset >= 0);
    CHECK(report.canary->produce_latency.count() > 0);
    CHECK(report.canary->end_to_end_latency >= report.canary->produce_latency);

    // A partition the topic lacks: degraded, naming the canary, nothing sent.
    const auto beyond =
        kflow::cluster_health(admin, {10s, {topic}, kflow::health_canary(topic, connection, 5)});
    CHECK(beyond.verdict == kflow::health_verdict::degraded);
    CHECK_THAT(beyond.summary, Catch::Contains("canary on '" + topic + "' [5] not sent"));
}
