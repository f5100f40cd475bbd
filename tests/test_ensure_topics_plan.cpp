// ensure_topics' decisions without a broker: which request comes next, what it carries, and how
// every answer (including failures of a whole request) ends up in the per-topic results. The
// steps the mock cluster cannot serve (DescribeConfigs, CreatePartitions, AlterConfigs) are
// covered here; test_ensure_topics runs the same plan over real sockets.
#include <kflow/admin/detail/ensure_topics_plan.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using kflow::detail::ensure_step;
using kflow::detail::ensure_topics_plan;

namespace {

/// A topic as Metadata reports it: `partitions` partitions, each on `replicas`.
kflow::topic_metadata existing(const std::string& name, int partitions,
                               std::vector<std::int32_t> replicas = {1}) {
    kflow::topic_metadata md;
    md.name = name;
    for (int p = 0; p < partitions; ++p) {
        kflow::partition_metadata pm;
        pm.id = p;
        pm.leader = replicas.front();
        pm.replicas = replicas;
        pm.in_sync_replicas = replicas;
        md.partitions.push_back(pm);
    }
    return md;
}

kflow::topic_metadata missing(const std::string& name) {
    kflow::topic_metadata md;
    md.name = name;
    md.error = kflow::make_error_code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    md.message = "the cluster has no topic '" + name + "'";
    return md;
}

kflow::config_entry entry(const std::string& name, std::optional<std::string> value,
                          kflow::config_source source = kflow::config_source::default_config) {
    kflow::config_entry e;
    e.name = name;
    e.value = std::move(value);
    e.source = source;
    e.sensitive = !e.value;
    return e;
}

kflow::resource_configs configs_of(const std::string& topic,
                                   std::vector<kflow::config_entry> entries) {
    kflow::resource_configs rc;
    rc.resource = kflow::config_resource::topic(topic);
    rc.entries = std::move(entries);
    return rc;
}

kflow::config_result altered(const std::string& topic, std::error_code ec = {},
                             std::string message = {}) {
    kflow::config_result r;
    r.resource = kflow::config_resource::topic(topic);
    r.error = ec;
    r.message = std::move(message);
    return r;
}

const kflow::config_change* change_of(const kflow::incremental_config_alteration& a,
                                      const std::string& name) {
    for (const auto& c : a.changes) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("no specs: nothing to ask", "[ensure_topics]") {
    ensure_topics_plan plan({}, true, true);
    CHECK(plan.next() == ensure_step::done);
    CHECK(std::move(plan).results().empty());
}

TEST_CASE("invalid or repeated specs are refused before any request", "[ensure_topics]") {
    try {
        ensure_topics_plan plan({kflow::topic_spec("ok"), kflow::topic_spec("bad", 0)}, false,
                                false);
        FAIL("a spec with 0 partitions was accepted");
    } catch (const kflow::topic_spec_error& e) {
        CHECK(e.code() == kflow::errc::invalid_config);
        CHECK(
            e.problem().describe() ==
            R"(topics[1] ("bad"): field "partitions": must be at least 1 (or -1 for the broker's default), got 0)");
    }
    CHECK_THROWS_WITH(
        ensure_topics_plan({kflow::topic_spec("a"), kflow::topic_spec("a", 2)}, false, false),
        Contains(R"(topics[1] ("a"): field "name": topics[0] has the same name)"));
}

TEST_CASE("missing topics are created, existing ones compared", "[ensure_topics]") {
    ensure_topics_plan plan({kflow::topic_spec("new", 6, 3), kflow::topic_spec("old", 3)}, false,
                            false);
    REQUIRE(plan.next() == ensure_step::describe_topics);
    CHECK(plan.topic_names() == std::vector<std::string>{"new", "old"});
    CHECK(plan.request_name() == "describe_topics");

    plan.topics_described({existing("old", 3), missing("new")});
    // "old" names no configs: there is nothing to describe.
    REQUIRE(plan.next() == ensure_step::create_topics);
    const auto to_create = plan.topics_to_create();
    REQUIRE(to_create.size() == 1);
    CHECK(to_create[0] == kflow::topic_spec("new", 6, 3));

    plan.topics_created({kflow::item_result("new")});
    REQUIRE(plan.next() == ensure_step::done);
    const auto results = std::move(plan).results();
    REQUIRE(results.size() == 2);
    CHECK(results[0].name == "new");
    CHECK(results[0].outcome == kflow::topic_outcome::created);
    CHECK_FALSE(results[0].existed);
    CHECK(results[0].actions ==
          std::vector<std::string>{"created with 6 partitions, replication factor 3"});
    CHECK(results[0].as_specified());
    CHECK(results[1].name == "old");
    CHECK(results[1].outcome == kflow::topic_outcome::up_to_date);
    CHECK(results[1].existed);
    CHECK(results[1].configs_checked());
    CHECK(results[1].as_specified());
    CHECK(results[1].describe() == std::vector<std::string>{"old: up to date"});
}

TEST_CASE("a topic the broker refused to create, or a refused request, fails that topic",
          "[ensure_topics]") {
    SECTION("per topic") {
        ensure_topics_plan plan({kflow::topic_spec("a", 1), kflow::topic_spec("b", 1)}, false,
                                false);
        plan.topics_described({missing("a"), missing("b")});
        plan.topics_created(
            {kflow::item_result("a"),
             kflow::item_result("b", kflow::make_error_code(RD_KAFKA_RESP_ERR_POLICY_VIOLATION),
                                "topic names may not start with b")});
        const auto results = std::move(plan).results();
        CHECK(results[0].outcome == kflow::topic_outcome::created);
        CHECK(results[1].outcome == kflow::topic_outcome::failed);
        CHECK(results[1].error == kflow::make_error_code(RD_KAFKA_RESP_ERR_POLICY_VIOLATION));
        CHECK(results[1].message == "create_topics: topic names may not start with b");
        CHECK_FALSE(results[1].ok());
    }
    SECTION("the whole request") {
        ensure_topics_plan plan({kflow::topic_spec("a", 1), kflow::topic_spec("b", 1)}, false,
                                false);
        plan.topics_described({missing("a"), existing("b", 1)});
        REQUIRE(plan.next() == ensure_step::create_topics);
        plan.step_failed(kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE),
                         "create_topics: the broker does not support CreateTopics");
        CHECK(plan.next() == ensure_step::done);
        const auto results = std::move(plan).results();
        CHECK(results[0].outcome == kflow::topic_outcome::failed);
        CHECK(results[0].message == "create_topics: the broker does not support CreateTopics");
        CHECK(results[1].outcome == kflow::topic_outcome::up_to_date);
    }
    SECTION("a topic Metadata reports with another error") {
        ensure_topics_plan plan({kflow::topic_spec("secret", 1)}, false, false);
        auto md = missing("secret");
        md.error = kflow::make_error_code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
        md.message = "Broker: Topic authorization failed";
        plan.topics_described({md});
        CHECK(plan.next() == ensure_step::done);  // neither created nor compared
        const auto results = std::move(plan).results();
        CHECK(results[0].outcome == kflow::topic_outcome::failed);
        CHECK(results[0].error == std::errc::permission_denied);
        CHECK(results[0].message == "describe_topics: Broker: Topic authorization failed");
    }
}

TEST_CASE("partitions: more are added when allowed, fewer are only reported", "[ensure_topics]") {
    kflow::topic_spec placed("placed");
    placed.replica_assignment = {{1, 2}, {2, 3}, {3, 1}, {1, 3}};
    const std::vector<kflow::topic_spec> specs{kflow::topic_spec("grow", 6),
                                               kflow::topic_spec("shrink", 2), placed};
    const std::vector<kflow::topic_metadata> cluster{existing("grow", 3), existing("shrink", 3),
                                                     existing("placed", 2, {1, 2})};

    SECTION("not allowed") {
        ensure_topics_plan plan(specs, false, false);
        plan.topics_described(cluster);
        CHECK(plan.next() == ensure_step::done);
        const auto results = std::move(plan).results();
        for (const auto& r : results)
            CHECK(r.outcome == kflow::topic_outcome::differs);
        CHECK(results[0].describe() ==
              std::vector<std::string>{"grow: differs",
                                       "  partitions: 6 requested, 3 on the cluster (3 can be "
                                       "added)"});
        CHECK_FALSE(results[0].as_specified());
    }
    SECTION("allowed") {
        ensure_topics_plan plan(specs, true, false);
        plan.topics_described(cluster);
        REQUIRE(plan.next() == ensure_step::add_partitions);
        const auto to_add = plan.partitions_to_add();
        REQUIRE(to_add.size() == 2);  // never "shrink"
        CHECK(to_add[0].topic == "grow");
        CHECK(to_add[0].total_count == 6);
        CHECK(to_add[0].replica_assignment.empty());
        CHECK(to_add[1].topic == "placed");
        CHECK(to_add[1].total_count == 4);
        // The spec's assignment places the new partitions too.
        CHECK(to_add[1].replica_assignment ==
              std::vector<std::vector<std::int32_t>>{{3, 1}, {1, 3}});

        plan.partitions_added(
            {kflow::item_result("grow"),
             kflow::item_result(
                 "placed", kflow::make_error_code(RD_KAFKA_RESP_ERR_INVALID_REPLICA_ASSIGNMENT),
                 "broker 3 does not exist")});
        CHECK(plan.next() == ensure_step::done);
        const auto results = std::move(plan).results();
        CHECK(results[0].outcome == kflow::topic_outcome::altered);
        CHECK(results[0].actions == std::vector<std::string>{"added 3 partitions (now 6)"});
        CHECK(results[0].found.partitions);  // what was found stays reported
        CHECK_FALSE(results[0].remaining.partitions);
        CHECK(results[0].as_specified());
        CHECK(results[1].outcome == kflow::topic_outcome::differs);
        CHECK(results[1].remaining.partitions);
        CHECK(results[2].outcome == kflow::topic_outcome::failed);
        CHECK(results[2].message == "create_partitions: broker 3 does not exist");
    }
}

TEST_CASE("configs are read back for existing topics whose spec names configs", "[ensure_topics]") {
    const std::vector<kflow::topic_spec> specs{
        kflow::topic_spec("same", 1, -1, {{"cleanup.policy", "compact"}}),
        kflow::topic_spec("other", 1, -1,
                          {{"retention.ms", "86400000"}, {"compression.type", "zstd"}}),
        kflow::topic_spec("plain", 1)};

    ensure_topics_plan plan(specs, false, true);
    plan.topics_described({existing("same", 1), existing("other", 1), existing("plain", 1)});
    REQUIRE(plan.next() == ensure_step::describe_configs);
    const auto resources = plan.configs_to_describe();
    REQUIRE(resources.size() == 2);
    CHECK(resources[0] == kflow::config_resource::topic("same"));
    CHECK(resources[1] == kflow::config_resource::topic("other"));

    SECTION("and changed one set at a time") {
        plan.configs_described(
            {configs_of("same",
                        {entry("cleanup.policy", "compact", kflow::config_source::dynamic_topic)}),
             configs_of("other",
                        {entry("retention.ms", "604800000"), entry("compression.type", "producer"),
                         entry("segment.ms", "3600000", kflow::config_source::dynamic_topic)})});
        REQUIRE(plan.next() == ensure_step::alter_incremental);
        const auto alterations = plan.incremental_alterations();
        REQUIRE(alterations.size() == 1);
        CHECK(alterations[0].resource == kflow::config_resource::topic("other"));
        REQUIRE(alterations[0].changes.size() == 2);
        CHECK(change_of(alterations[0], "retention.ms")->value == "86400000");
        CHECK(change_of(alterations[0], "retention.ms")->op == kflow::config_op::set);
        CHECK(change_of(alterations[0], "compression.type")->value == "zstd");

        plan.configs_altered({altered("other")});
        CHECK(plan.next() == ensure_step::done);
        const auto results = std::move(plan).results();
        CHECK(results[0].outcome == kflow::topic_outcome::up_to_date);
        CHECK(results[0].as_specified());
        CHECK(results[1].outcome == kflow::topic_outcome::altered);
        CHECK(results[1].actions ==
              std::vector<std::string>{"set compression.type=zstd", "set retention.ms=86400000"});
        CHECK(results[2].outcome == kflow::topic_outcome::up_to_date);
    }

    SECTION("and, without incremental alteration, replaced keeping the topic's other configs") {
        plan.configs_described(
            {configs_of("same", {entry("cleanup.policy", "compact")}),
             configs_of("other",
                        {entry("retention.ms", "604800000", kflow::config_source::dynamic_topic),
                         entry("compression.type", "producer"),
                         entry("segment.ms", "3600000", kflow::config_source::dynamic_topic)})});
        REQUIRE(plan.next() == ensure_step::alter_incremental);
        plan.step_failed(kflow::make_error_code(kflow::errc::unsupported_by_librdkafka),
                         "incremental_alter_configs needs librdkafka 2.2.0");
        REQUIRE(plan.next() == ensure_step::alter_replace);
        CHECK(plan.request_name() == "alter_configs");
        const auto alterations = plan.replacing_alterations();
        REQUIRE(alterations.size() == 1);
        CHECK(alterations[0].configs == std::map<std::string, std::string>{
                                            {"compression.type", "zstd"},
                                            {"retention.ms", "86400000"},
                                            {"segment.ms", "3600000"},
                                        });
        plan.configs_altered({altered("other")});
        const auto results = std::move(plan).results();
        CHECK(results[1].outcome == kflow::topic_outcome::altered);
    }

    SECTION("never replaced when a sensitive config would be lost") {
        plan.configs_described(
            {configs_of("same", {entry("cleanup.policy", "compact")}),
             configs_of("other",
                        {entry("retention.ms", "604800000"), entry("compression.type", "producer"),
                         entry("x.secret", std::nullopt, kflow::config_source::dynamic_topic)})});
        plan.step_failed(kflow::make_error_code(kflow::errc::unsupported_by_librdkafka),
                         "incremental_alter_configs needs librdkafka 2.2.0");
        CHECK(plan.next() == ensure_step::done);
        const auto results = std::move(plan).results();
        CHECK(results[1].outcome == kflow::topic_outcome::failed);
        CHECK_THAT(results[1].message, Contains("sensitive config 'x.secret'"));
    }

    SECTION("a refused change fails its topic") {
        plan.configs_described(
            {configs_of("same", {entry("cleanup.policy", "delete")}),
             configs_of("other", {entry("retention.ms", "1"), entry("compression.type", "zstd")})});
        REQUIRE(plan.incremental_alterations().size() == 2);
        plan.configs_altered(
            {altered("same"),
             altered("other", kflow::make_error_code(RD_KAFKA_RESP_ERR_INVALID_CONFIG),
                     "retention.ms must be at least -1")});
        const auto results = std::move(plan).results();
        CHECK(results[0].outcome == kflow::topic_outcome::altered);
        CHECK(results[1].outcome == kflow::topic_outcome::failed);
        CHECK(results[1].message == "incremental_alter_configs: retention.ms must be at least -1");
        CHECK(results[1].found.configs.size() == 1);
    }
}

TEST_CASE("configs that cannot be read are reported as not checked, never as matching",
          "[ensure_topics]") {
    ensure_topics_plan plan({kflow::topic_spec("orders", 3, -1, {{"cleanup.policy", "compact"}}),
                             kflow::topic_spec("plain", 3)},
                            true, true);
    plan.topics_described({existing("orders", 3), existing("plain", 3)});
    REQUIRE(plan.next() == ensure_step::describe_configs);
    plan.step_failed(kflow::make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE),
                     "describe_configs: the broker does not support DescribeConfigs");
    // Nothing to alter: the configs are unknown, not different.
    CHECK(plan.next() == ensure_step::done);
    const auto results = std::move(plan).results();
    CHECK(results[0].outcome == kflow::topic_outcome::up_to_date);
    CHECK(results[0].ok());
    CHECK_FALSE(results[0].configs_checked());
    CHECK_FALSE(results[0].as_specified());
    CHECK(results[0].configs_message ==
          "describe_configs: the broker does not support DescribeConfigs");
    CHECK(results[0].describe() ==
          std::vector<std::string>{
              "orders: up to date",
              "  configs not checked: describe_configs: the broker does not support "
              "DescribeConfigs"});
    CHECK(results[1].configs_checked());  // it names no configs
    CHECK(results[1].as_specified());
}

TEST_CASE("a describe_configs answer with an error for one topic", "[ensure_topics]") {
    ensure_topics_plan plan({kflow::topic_spec("a", -1, -1, {{"retention.ms", "1"}}),
                             kflow::topic_spec("b", -1, -1, {{"retention.ms", "1"}})},
                            false, false);
    plan.topics_described({existing("a", 1), existing("b", 1)});
    auto denied = configs_of("b", {});
    denied.error = kflow::make_error_code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    plan.configs_described({configs_of("a", {entry("retention.ms", "1")}), denied});
    const auto results = std::move(plan).results();
    CHECK(results[0].as_specified());
    CHECK(results[1].outcome == kflow::topic_outcome::up_to_date);
    CHECK(results[1].configs_error == std::errc::permission_denied);
    CHECK_THAT(results[1].configs_message, Contains("describe_configs: "));
}
