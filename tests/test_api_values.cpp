// The value types of the public API without a broker: every enumerator's name (checked against
// Kafka's and librdkafka's), the fallback for values kflow does not know, the ok() / find() /
// item_name() helpers of admin results, and the small parsing and validation rules around them.
#include <kflow/admin/acls.hpp>
#include <kflow/admin/configs.hpp>
#include <kflow/admin/groups.hpp>
#include <kflow/admin/leaders.hpp>
#include <kflow/admin/results.hpp>
#include <kflow/admin/scram.hpp>
#include <kflow/admin/topic_ensure_result.hpp>
#include <kflow/admin/topic_spec_check.hpp>
#include <kflow/consumer_config.hpp>
#include <kflow/env_config.hpp>
#include <kflow/error.hpp>
#include <kflow/headers.hpp>
#include <kflow/metadata.hpp>
#include <kflow/presets.hpp>
#include <kflow/serdes/bytes.hpp>
#include <kflow/serdes/integral.hpp>
#include <kflow/serdes/none.hpp>
#include <kflow/topic_partition.hpp>

#include <catch2/catch.hpp>

#include <cctype>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using Catch::Matchers::Contains;

namespace {

/// Names of enumerators, by number.
using names = std::vector<std::string_view>;

/// Checks to_string of the enumerators numbered 0, 1, ... (Kafka's numbers): each prints its
/// name in `by_value`, the names are distinct, and the next number prints `fallback`.
template <class Enum>
void check_names(const names& by_value, std::string_view fallback) {
    std::set<std::string_view> seen;
    for (std::size_t n = 0; n < by_value.size(); ++n) {
        INFO("enumerator " << n);
        CHECK(kflow::to_string(static_cast<Enum>(n)) == by_value[n]);
        CHECK(seen.insert(by_value[n]).second);
        if (n > 0)
            CHECK(by_value[n] != fallback);
    }
    CHECK(kflow::to_string(static_cast<Enum>(by_value.size())) == fallback);
}

/// Checks that librdkafka names the numbers 0, 1, ... as `by_value` does.
template <class Native>
void check_librdkafka_names(const names& by_value, const char* (*name_of)(Native)) {
    for (std::size_t n = 0; n < by_value.size(); ++n)
        CHECK(std::string_view(name_of(static_cast<Native>(n))) == by_value[n]);
}

template <class T>
std::string printed(const T& value) {
    std::ostringstream os;
    os << value;
    return os.str();
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& ch : out)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

kflow::bytes bytes_of(std::initializer_list<unsigned> values) {
    kflow::bytes out;
    for (unsigned v : values)
        out.push_back(static_cast<std::byte>(v));
    return out;
}

kflow::config_entry entry(std::string name, std::string value, kflow::config_source source) {
    kflow::config_entry e;
    e.name = std::move(name);
    e.value = std::move(value);
    e.source = source;
    return e;
}

const std::error_code broker_error = kflow::make_error_code(RD_KAFKA_RESP_ERR_INVALID_REQUEST);

/// Makes `entries` the process environment until destroyed.
class environment_swap {
  public:
    explicit environment_swap(char** entries) : saved_(environ) { environ = entries; }
    ~environment_swap() { environ = saved_; }
    environment_swap(const environment_swap&) = delete;
    environment_swap& operator=(const environment_swap&) = delete;

  private:
    char** saved_;
};

}  // namespace

// -- ACLs ------------------------------------------------------------------------------------

TEST_CASE("ACL enums print Kafka's names for Kafka's numbers, as librdkafka does; others UNKNOWN",
          "[admin][unit]") {
    const names operations({"UNKNOWN", "ANY", "ALL", "READ", "WRITE", "CREATE", "DELETE", "ALTER",
                            "DESCRIBE", "CLUSTER_ACTION", "DESCRIBE_CONFIGS", "ALTER_CONFIGS",
                            "IDEMPOTENT_WRITE"});
    check_names<kflow::acl_operation>(operations, "UNKNOWN");
    check_librdkafka_names(operations, rd_kafka_AclOperation_name);
    CHECK(kflow::to_string(kflow::acl_operation::remove) == "DELETE");
    CHECK(kflow::to_string(kflow::acl_operation::idempotent_write) == "IDEMPOTENT_WRITE");

    const names patterns({"UNKNOWN", "ANY", "MATCH", "LITERAL", "PREFIXED"});
    check_names<kflow::acl_pattern_type>(patterns, "UNKNOWN");
    check_librdkafka_names(patterns, rd_kafka_ResourcePatternType_name);
    CHECK(kflow::to_string(kflow::acl_pattern_type::prefixed) == "PREFIXED");

    const names permissions({"UNKNOWN", "ANY", "DENY", "ALLOW"});
    check_names<kflow::acl_permission>(permissions, "UNKNOWN");
    check_librdkafka_names(permissions, rd_kafka_AclPermissionType_name);
    CHECK(kflow::to_string(static_cast<kflow::acl_permission>(-1)) == "UNKNOWN");
}

TEST_CASE("ACL bindings and results print as their documentation shows", "[admin][unit]") {
    const kflow::acl_binding binding(kflow::resource_type::topic, "orders",
                                     kflow::acl_pattern_type::literal, "User:alice", "*",
                                     kflow::acl_operation::read, kflow::acl_permission::allow);
    CHECK(printed(binding) == "ALLOW User:alice@* READ topic LITERAL 'orders'");

    kflow::acl_result created{binding, {}, {}};
    CHECK(created.item_name() == "ACL ALLOW User:alice READ on topic 'orders'");
    CHECK(created.ok());

    kflow::acl_binding deny = binding;
    deny.permission = kflow::acl_permission::deny;
    deny.operation = kflow::acl_operation::remove;
    deny.pattern = kflow::acl_pattern_type::prefixed;
    deny.host = "10.0.0.1";
    deny.resource_name = "billing-";
    CHECK(printed(deny) == "DENY User:alice@10.0.0.1 DELETE topic PREFIXED 'billing-'");

    kflow::acl_deletion applied{kflow::acl_filter::exactly(binding), {}, {}, {binding}};
    CHECK(applied.ok());
    kflow::acl_deletion refused{kflow::acl_filter(), broker_error, "no authorizer", {}};
    CHECK_FALSE(refused.ok());
    CHECK(refused.item_name() == "ACL filter on any '*'");
}

// -- Configs ---------------------------------------------------------------------------------

TEST_CASE("resource types and config sources have the documented names", "[admin][unit]") {
    const names types({"unknown", "any", "topic", "group", "broker"});
    check_names<kflow::resource_type>(types, "unknown");
    for (std::size_t n = 0; n < types.size(); ++n) {
        CHECK(lower(rd_kafka_ResourceType_name(static_cast<rd_kafka_ResourceType_t>(n))) ==
              types[n]);
    }
    check_names<kflow::config_source>({"unknown", "dynamic_topic", "dynamic_broker",
                                       "dynamic_default_broker", "static_broker", "default"},
                                      "unknown");
    CHECK(kflow::to_string(kflow::config_source::default_config) == "default");
    CHECK(static_cast<int>(kflow::config_source::default_config) ==
          RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
}

TEST_CASE("a config entry prints its source and flags; a described resource finds entries",
          "[admin][unit]") {
    auto broker_id = entry("broker.id", "1", kflow::config_source::static_broker);
    broker_id.read_only = true;
    CHECK(printed(broker_id) == "broker.id=1 (static_broker, read-only)");
    auto policy = entry("cleanup.policy", "delete", kflow::config_source::default_config);
    policy.is_default = true;
    CHECK(printed(policy) == "cleanup.policy=delete (default, default)");

    kflow::resource_configs described{kflow::config_resource::topic("orders"), {}, {}, {}};
    described.entries = {policy,
                         entry("retention.ms", "86400000", kflow::config_source::dynamic_topic)};
    CHECK(described.ok());
    CHECK(described.item_name() == "topic 'orders'");
    REQUIRE(described.find("retention.ms") != nullptr);
    CHECK(described.find("retention.ms")->value == "86400000");
    CHECK(described.find("cleanup.policy") == &described.entries[0]);
    CHECK(described.find("segment.bytes") == nullptr);

    const kflow::resource_configs missing{kflow::config_resource::broker(7), broker_error, "", {}};
    CHECK_FALSE(missing.ok());
    CHECK(missing.item_name() == "broker '7'");

    CHECK(kflow::config_result{kflow::config_resource::broker(1), {}, {}}.ok());
    CHECK_FALSE(kflow::config_result{kflow::config_resource::broker(1), broker_error, {}}.ok());
}

// -- Groups, elections, generic results, SCRAM -----------------------------------------------

TEST_CASE("group states print Kafka's names, as librdkafka does", "[admin][unit]") {
    const names states(
        {"Unknown", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead", "Empty"});
    check_names<kflow::group_state>(states, "Unknown");
    check_librdkafka_names(states, rd_kafka_consumer_group_state_name);
}

TEST_CASE("group listings find groups by id; group results are ok only without any error",
          "[admin][unit]") {
    kflow::group_listings listing;
    listing.groups = {{"billing", false, kflow::group_state::stable},
                      {"audit", true, kflow::group_state::empty}};
    REQUIRE(listing.find("audit") != nullptr);
    CHECK(listing.find("audit")->simple);
    CHECK(listing.find("billing")->state == kflow::group_state::stable);
    CHECK(listing.find("bill") == nullptr);

    kflow::group_description described;
    described.group_id = "billing";
    CHECK(described.ok());
    described.error = broker_error;
    CHECK_FALSE(described.ok());

    kflow::group_offsets offsets{"billing", {}, {}, {{"orders", 0, 42}, {"orders", 1, 7}}};
    CHECK(offsets.ok());
    offsets.partitions[1].error = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    CHECK_FALSE(offsets.ok());
    offsets.partitions[1].error = 0;
    offsets.error = kflow::make_error_code(RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND);
    CHECK_FALSE(offsets.ok());
}

TEST_CASE("election types have their names; an election result names its partition",
          "[admin][unit]") {
    check_names<kflow::election_type>({"preferred", "unclean"}, "unknown");

    kflow::election_result elected{"orders", 3, {}, {}};
    CHECK(elected.ok());
    CHECK(elected.item_name() == "'orders' [3]");
    elected.error = kflow::make_error_code(RD_KAFKA_RESP_ERR_ELECTION_NOT_NEEDED);
    CHECK_FALSE(elected.ok());
}

TEST_CASE("batch helpers: all_succeeded and failures over item results", "[admin][unit]") {
    const std::vector<kflow::item_result> good{kflow::item_result("a"), kflow::item_result("b")};
    CHECK(good[0].ok());
    CHECK(kflow::all_succeeded(good));
    CHECK(kflow::failures(good).empty());

    const std::vector<kflow::item_result> mixed{kflow::item_result("a"),
                                                kflow::item_result("b", broker_error, "no"),
                                                kflow::item_result("c", broker_error)};
    CHECK_FALSE(mixed[1].ok());
    CHECK_FALSE(kflow::all_succeeded(mixed));
    const auto failed = kflow::failures(mixed);
    REQUIRE(failed.size() == 2);
    CHECK(failed[0] == &mixed[1]);
    CHECK(failed[1] == &mixed[2]);
}

TEST_CASE("SCRAM credential infos compare by mechanism and iterations", "[admin][scram][unit]") {
    const kflow::scram_credential_info defaults;
    CHECK(defaults.mechanism == kflow::scram_mechanism::sha256);
    CHECK(defaults.iterations == 0);
    const kflow::scram_credential_info a{kflow::scram_mechanism::sha256, 8192};
    CHECK(a == kflow::scram_credential_info{kflow::scram_mechanism::sha256, 8192});
    CHECK_FALSE(a == kflow::scram_credential_info{kflow::scram_mechanism::sha512, 8192});
    CHECK_FALSE(a == kflow::scram_credential_info{kflow::scram_mechanism::sha256, 4096});

    kflow::user_scram_credentials alice{"alice", {}, {}, {a}};
    CHECK(alice.ok());
    CHECK(alice.item_name() == "user 'alice'");
    alice.error = kflow::make_error_code(RD_KAFKA_RESP_ERR_RESOURCE_NOT_FOUND);
    CHECK_FALSE(alice.ok());
}

// -- ensure_topics results and topic specs ---------------------------------------------------

TEST_CASE("topic outcomes read as words, and a report lists what was done", "[topics][unit]") {
    check_names<kflow::topic_outcome>({"created", "up to date", "differs", "altered", "failed"},
                                      "unknown");

    kflow::topic_ensure_result result;
    result.name = "orders";
    result.outcome = kflow::topic_outcome::altered;
    result.existed = true;
    result.found.partitions = kflow::partition_count_difference{6, 3};
    result.actions = {"added 3 partitions (now 6)", "set retention.ms=86400000"};
    CHECK(result.describe() ==
          std::vector<std::string>{
              "orders: altered", "  partitions: 6 requested, 3 on the cluster (3 can be added)",
              "  done: added 3 partitions (now 6)", "  done: set retention.ms=86400000"});
}

TEST_CASE("a topic spec's replica assignment and configs are checked field by field",
          "[topics][unit]") {
    kflow::topic_spec spec("orders");
    spec.replica_assignment = {{1, 2}, {}};
    auto problem = kflow::check_topic_spec(spec);
    REQUIRE(problem);
    CHECK(problem->topic == "orders");
    CHECK(problem->field == "replica_assignment[1]");
    CHECK(problem->reason == "a partition needs at least one replica");

    spec.replica_assignment = {{1, -2}};
    problem = kflow::check_topic_spec(spec);
    REQUIRE(problem);
    CHECK(problem->field == "replica_assignment[0][1]");
    CHECK(problem->reason == "broker ids are >= 0, got -2");

    spec.replica_assignment = {{1, 2}};
    spec.configs = {{"", "compact"}};
    problem = kflow::check_topic_spec(spec);
    REQUIRE(problem);
    CHECK(problem->field == "configs");
    CHECK(problem->reason == "a config name must not be empty");
    try {
        kflow::validate_topic_spec(spec);
        FAIL("a config without a name was accepted");
    } catch (const kflow::topic_spec_error& e) {
        CHECK(e.code() == kflow::errc::invalid_config);
        CHECK(e.problem().describe() ==
              "topic \"orders\": field \"configs\": a config name must not be empty");
        CHECK_THAT(e.what(), Contains(e.problem().describe()));
    }
}

// -- Clients' building blocks ----------------------------------------------------------------

TEST_CASE("auto_offset_reset sets librdkafka's word for each choice", "[config][unit]") {
    kflow::consumer_config config;
    config.auto_offset_reset(kflow::offset_reset::latest);
    CHECK(config.get("auto.offset.reset") == "latest");
    config.auto_offset_reset(kflow::offset_reset::error);
    CHECK(config.get("auto.offset.reset") == "error");
    config.auto_offset_reset(kflow::offset_reset::earliest);
    CHECK(config.get("auto.offset.reset") == "earliest");
    // A value outside the enum changes nothing.
    config.auto_offset_reset(static_cast<kflow::offset_reset>(7));
    CHECK(config.get("auto.offset.reset") == "earliest");
}

TEST_CASE("the cluster description finds its controller among its brokers", "[metadata][unit]") {
    kflow::cluster_description cluster{"c1", 2, {{1, "k1", 9092}, {2, "k2", 9092}}};
    REQUIRE(cluster.controller() != nullptr);
    CHECK(*cluster.controller() == kflow::broker_metadata{2, "k2", 9092});
    cluster.controller_id = -1;
    CHECK(cluster.controller() == nullptr);
}

TEST_CASE("headers: last() is the last value of a key, nullopt when null or absent",
          "[headers][unit]") {
    kflow::headers hs{{"trace", "a"}};
    hs.add("trace", "b").add_null("gone").add("gone-then-back", "x");
    CHECK(hs.last("trace") == std::string_view("b"));
    CHECK_FALSE(hs.last("gone").has_value());
    CHECK_FALSE(hs.last("absent").has_value());
    hs.add_null("trace");
    CHECK_FALSE(hs.last("trace").has_value());
}

TEST_CASE("kafka_error: flags as given, the bare message without context, NOENT as ENOENT",
          "[error][unit]") {
    const auto ec = kflow::make_error_code(RD_KAFKA_RESP_ERR__NOENT);
    CHECK(ec == std::errc::no_such_file_or_directory);
    CHECK_FALSE(ec == std::errc::timed_out);

    const kflow::kafka_error plain(ec, "");
    CHECK(std::string(plain.what()) == ec.message());
    CHECK(plain.code() == ec);

    const kflow::kafka_error classified(ec, "fenced", {true, false, true});
    const kflow::error_flags flags = classified.flags();
    CHECK(flags.fatal);
    CHECK_FALSE(flags.retriable);
    CHECK(flags.txn_requires_abort);
    CHECK(flags.fatal == classified.is_fatal());
}

TEST_CASE("codecs: none ignores key bytes, bool reads 0x00/0x01, null bytes are empty",
          "[serde][unit]") {
    CHECK(kflow::serde<kflow::none>{}.deserialize(bytes_of({0x6B, 0x65, 0x79})) == kflow::none{});
    CHECK(kflow::serde<bool>{}.deserialize(bytes_of({0x01})));
    CHECK_FALSE(kflow::serde<bool>{}.deserialize(bytes_of({0x00})));
    const auto t = kflow::serde<bool>{}.serialize(true);
    CHECK(kflow::serde<bool>{}.deserialize(t.bytes()));
    CHECK_THROWS_WITH(kflow::serde<float>{}.deserialize(bytes_of({0x3F, 0xC0})),
                      "expected 4 big-endian bytes for float, got 2");
    CHECK(kflow::serde<kflow::bytes>{}.deserialize_null().empty());
}

TEST_CASE("a missing librdkafka partition list reads as no partitions", "[topic_partition][unit]") {
    CHECK(kflow::detail::partitions_from_native(nullptr).empty());
    CHECK(kflow::detail::offsets_from_native(nullptr).empty());
}

TEST_CASE("config_from_env skips environment entries without '='", "[config][env][unit]") {
    std::string bare = "KFLOWTEST_CLIENT_ID";
    std::string set = "KFLOWTEST_CLIENT_ID=from-env";
    std::string other = "UNRELATED=1";
    // The bare entry comes first: read as an empty variable, it would hide the one after it.
    char* entries[] = {bare.data(), set.data(), other.data(), nullptr};
    const auto config = [&entries] {
        environment_swap swap(entries);
        return kflow::config_from_env("KFLOWTEST_");
    }();
    CHECK(config.get("client.id") == "from-env");
    CHECK(config.ignored_variables().empty());
}

TEST_CASE("empty fields of an Event Hubs connection string are skipped but still counted",
          "[presets][event-hubs][unit]") {
    const auto parsed = kflow::presets::parse_event_hubs_connection_string(
        ";Endpoint=sb://ns.servicebus.windows.net/; ;;SharedAccessKeyName=k;SharedAccessKey=v");
    CHECK(parsed.namespace_host == "ns.servicebus.windows.net");
    CHECK(parsed.bootstrap_servers == "ns.servicebus.windows.net:9093");
    CHECK_THROWS_WITH(kflow::presets::parse_event_hubs_connection_string(
                          "Endpoint=sb://ns.servicebus.windows.net/;;oops;SharedAccessKey=v"),
                      Contains("field 3 is not of the form Name=Value"));
}
