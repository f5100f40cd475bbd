// admin_client without a broker: specs and options to librdkafka's admin objects, validation
// that names the field, result parsing helpers, enum mappings, and redaction when printing.
#include "admin_test_support.hpp"

#include <kflow/admin/client.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace std::chrono_literals;

using kflow_test::offline_admin_client;

namespace {

std::string problem_of(const kflow::topic_spec& spec) {
    return kflow::detail::topic_spec_problem(spec);
}

}  // namespace

TEST_CASE("invalid topic specs get an error naming the field", "[admin][mapping]") {
    CHECK(problem_of(kflow::topic_spec("ok", 3, 1)).empty());
    CHECK(problem_of(kflow::topic_spec("defaults")).empty());
    CHECK_THAT(problem_of(kflow::topic_spec("", 1, 1)), Catch::Contains("topic name is empty"));
    CHECK_THAT(problem_of(kflow::topic_spec("t", 0, 1)), Catch::Contains("partitions"));
    CHECK_THAT(problem_of(kflow::topic_spec("t", 1, 0)), Catch::Contains("replication_factor"));
    CHECK_THAT(problem_of(kflow::topic_spec("bad name", 1, 1)), Catch::Contains("' '"));
    kflow::topic_spec assigned("t", -1, 2);
    assigned.replica_assignment = {{1, 2}, {2, 3}};
    CHECK_THAT(problem_of(assigned),
               Catch::Contains("replication_factor must be -1 when replica_assignment is set"));
    assigned.replication_factor = -1;
    CHECK(problem_of(assigned).empty());
    assigned.partitions = 3;
    CHECK_THAT(problem_of(assigned), Catch::Contains("size of replica_assignment"));
    assigned.partitions = -1;
    assigned.replica_assignment = {{1}, {}};
    CHECK_THAT(problem_of(assigned), Catch::Contains("replica_assignment[1] is empty"));
}

TEST_CASE("invalid input fails before anything is sent, in every form", "[admin][mapping]") {
    auto admin = offline_admin_client();
    kflow::error_info err;
    auto results = admin.create_topics({kflow::topic_spec("t", 0, 1)}, err);
    CHECK(err.code == std::errc::invalid_argument);
    CHECK_THAT(err.message,
               Catch::Contains("create_topics: topic 't': partitions must be positive"));
    CHECK(results.empty());
    CHECK_THROWS_WITH(admin.create_topics({kflow::topic_spec("t", 0, 1)}),
                      Catch::Contains("create_topics: topic 't': partitions must be positive"));
    CHECK_THROWS_WITH(admin.create_topics({kflow::topic_spec("a"), kflow::topic_spec("a")}),
                      Catch::Contains("'a' appears twice"));
    CHECK_THROWS_WITH(admin.create_topics(std::vector<kflow::topic_spec>{}),
                      Catch::Contains("no topics given"));
    CHECK_THROWS_WITH(admin.with(admin.defaults().validating()).delete_topics({"t"}),
                      Catch::Contains("validate_only is not supported by DeleteTopics"));
    CHECK_THROWS_WITH(admin.create_partitions({kflow::partitions_spec("t", 0)}),
                      Catch::Contains("total_count must be positive"));
    CHECK_THROWS_WITH(
        admin.describe_configs({kflow::config_resource(kflow::resource_type::any, "x")}),
        Catch::Contains("resource type must be topic, group or broker"));
    CHECK_THROWS_WITH(
        admin.describe_configs({kflow::config_resource(kflow::resource_type::broker, "b1")}),
        Catch::Contains("must be a broker id"));
    CHECK_THROWS_WITH(admin.alter_consumer_group_offsets("g", {{"t", 0, -5}}),
                      Catch::Contains("offset must be an absolute offset"));
    CHECK_THROWS_WITH(admin.delete_records({{"t", 0, -7}}),
                      Catch::Contains("offset must be >= 0 or offsets::end"));
    CHECK_THROWS_WITH(admin.describe_consumer_groups({"g", "g"}),
                      Catch::Contains("'g' appears twice"));
    kflow::acl_binding no_principal;
    no_principal.resource_name = "t";
    CHECK_THROWS_WITH(admin.create_acls({no_principal}), Catch::Contains("principal is empty"));
    CHECK_THROWS_WITH(admin.describe_topics({""}), Catch::Contains("a topic name is empty"));
    CHECK_THROWS_WITH(admin.with(kflow::admin_options(0ms)).list_topics(),
                      Catch::Contains("request_timeout must be positive"));
}

TEST_CASE("topic specs become librdkafka NewTopic objects librdkafka accepts", "[admin][mapping]") {
    kflow::topic_spec spec("orders", 6, 3,
                           {{"cleanup.policy", "compact"}, {"retention.ms", "1000"}});
    kflow::error_info err;
    auto native = kflow::detail::to_native(spec, "create_topics", err);
    CHECK_FALSE(err);
    CHECK(native != nullptr);

    kflow::topic_spec assigned("placed");
    assigned.replica_assignment = {{1, 2}, {2, 3}, {3, 1}};
    native = kflow::detail::to_native(assigned, "create_topics", err);
    CHECK_FALSE(err);
    CHECK(native != nullptr);

    kflow::detail::create_topics_request request{{spec, assigned}};
    CHECK_FALSE(request.prepare());
}

TEST_CASE("ACL bindings and filters round-trip through librdkafka's objects", "[admin][mapping]") {
    const kflow::acl_binding binding(kflow::resource_type::group, "billing",
                                     kflow::acl_pattern_type::prefixed, "User:alice", "10.0.0.1",
                                     kflow::acl_operation::describe, kflow::acl_permission::deny);
    kflow::error_info err;
    auto native = kflow::detail::to_native(binding, "create_acls", err);
    REQUIRE_FALSE(err);
    CHECK(kflow::detail::binding_of(native.get()) == binding);

    auto filter = kflow::detail::to_native(kflow::acl_filter(), "describe_acls", err);
    REQUIRE_FALSE(err);
    const auto any = kflow::detail::binding_of(filter.get());
    CHECK(any.type == kflow::resource_type::any);
    CHECK(any.pattern == kflow::acl_pattern_type::any);
    CHECK(any.operation == kflow::acl_operation::any);
    CHECK(any.permission == kflow::acl_permission::any);

    kflow::acl_binding bad = binding;
    bad.pattern = kflow::acl_pattern_type::match;  // only valid in filters
    (void)kflow::detail::to_native(bad, "create_acls", err);
    CHECK(err);
}

TEST_CASE("enum values match librdkafka's", "[admin][mapping]") {
    CHECK(static_cast<int>(kflow::resource_type::topic) == RD_KAFKA_RESOURCE_TOPIC);
    CHECK(static_cast<int>(kflow::resource_type::broker) == RD_KAFKA_RESOURCE_BROKER);
    CHECK(static_cast<int>(kflow::config_source::default_config) ==
          RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
    CHECK(static_cast<int>(kflow::group_state::empty) == RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY);
    CHECK(static_cast<int>(kflow::acl_operation::idempotent_write) ==
          RD_KAFKA_ACL_OPERATION_IDEMPOTENT_WRITE);
    CHECK(static_cast<int>(kflow::acl_permission::allow) == RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW);
    CHECK(static_cast<int>(kflow::acl_pattern_type::prefixed) ==
          RD_KAFKA_RESOURCE_PATTERN_PREFIXED);
    for (int s = 0; s < RD_KAFKA_CONSUMER_GROUP_STATE__CNT; ++s) {
        CHECK(kflow::to_string(static_cast<kflow::group_state>(s)) ==
              rd_kafka_consumer_group_state_name(static_cast<rd_kafka_consumer_group_state_t>(s)));
    }
    for (int o = 0; o < RD_KAFKA_ACL_OPERATION__CNT; ++o) {
        CHECK(kflow::to_string(static_cast<kflow::acl_operation>(o)) ==
              rd_kafka_AclOperation_name(static_cast<rd_kafka_AclOperation_t>(o)));
    }
}

TEST_CASE("sensitive config values are never printed", "[admin][mapping]") {
    kflow::config_entry secret;
    secret.name = "ssl.keystore.password";
    secret.value = "hunter2";
    secret.sensitive = true;
    std::ostringstream out;
    out << secret;
    CHECK(out.str().find("hunter2") == std::string::npos);
    CHECK_THAT(out.str(), Catch::Contains("[redacted]"));
    kflow::config_entry plain;
    plain.name = "retention.ms";
    plain.value = "1000";
    plain.source = kflow::config_source::dynamic_topic;
    std::ostringstream shown;
    shown << plain;
    CHECK(shown.str() == "retention.ms=1000 (dynamic_topic)");
}

TEST_CASE("per-item results: helpers name each failure", "[admin][mapping]") {
    std::vector<kflow::item_result> results{
        kflow::item_result("good"),
        kflow::item_result("bad", kflow::make_error_code(RD_KAFKA_RESP_ERR_INVALID_PARTITIONS),
                           "Number of partitions must be larger than 0.")};
    CHECK_FALSE(kflow::all_succeeded(results));
    REQUIRE(kflow::failures(results).size() == 1);
    CHECK(kflow::failures(results)[0]->name == "bad");
    try {
        kflow::throw_if_any_failed(results, "create_topics");
        FAIL("did not throw");
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::make_error_code(RD_KAFKA_RESP_ERR_INVALID_PARTITIONS));
        CHECK_THAT(e.what(), Catch::Contains("create_topics: 1 of 2 failed") &&
                                 Catch::Contains("'bad'") &&
                                 Catch::Contains("Number of partitions must be larger than 0."));
    }
    results.pop_back();
    CHECK_NOTHROW(kflow::throw_if_any_failed(results, "create_topics"));
}

TEST_CASE("incremental_alter_configs is gated on the librdkafka version", "[admin][mapping]") {
    auto admin = offline_admin_client();
    kflow::error_info err;
    (void)admin.incremental_alter_configs(
        {kflow::incremental_config_alteration(
            kflow::config_resource::topic("t"),
            {kflow::config_change("retention.ms", kflow::config_op::set, "1")})},
        err);
    if constexpr (!kflow::librdkafka_at_least(2, 2, 0)) {
        CHECK(err.code == kflow::errc::unsupported_by_librdkafka);
        CHECK(err.code == std::errc::function_not_supported);
        CHECK_THAT(err.message,
                   Catch::Contains("incremental_alter_configs needs librdkafka 2.2.0"));
    } else {
        CHECK(err.code != kflow::errc::unsupported_by_librdkafka);
    }
}
