// Declarative ACLs without a broker: ACL specs from JSON (every field rule, good and bad, and the
// messages that name file, entry and field), the checks shared with specs built in code, the
// plan comparing desired with current bindings, and ensure_acls' steps: which request comes
// next, what it carries, and how every answer (and the failure of a whole request) ends up in
// the result. The mock cluster has no ACL APIs; test_admin_mock runs ensure_acls against it and
// test_admin_integration against a real cluster.
#include <kflow/admin/acl_plan.hpp>
#include <kflow/admin/acl_spec_json.hpp>
#include <kflow/admin/detail/ensure_acls_plan.hpp>

#include <kflow/testing/helpers.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using kflow::acl_binding;
using kflow::acl_entry;
using kflow::acl_operation;
using kflow::acl_pattern_type;
using kflow::acl_permission;
using kflow::resource_type;
using kflow::detail::acl_step;
using kflow::detail::ensure_acls_plan;
using nlohmann::json;

namespace {

/// What parse_acl_spec throws for `document`; fails the test when it accepts it.
kflow::acl_spec_error parse_error(const json& document) {
    try {
        (void)kflow::parse_acl_spec(document);
    } catch (const kflow::acl_spec_error& e) {
        return e;
    }
    FAIL("parse_acl_spec accepted " << document.dump());
    throw std::logic_error("unreachable");
}

/// A valid entry, to break one field of.
json good_entry() {
    return json{{"principal", "User:app"},   {"host", "*"},
                {"resource_type", "topic"},  {"resource_name", "orders"},
                {"pattern_type", "literal"}, {"operations", {"read", "describe"}},
                {"permission", "allow"}};
}

/// The message for one bad entry, given as the only element of {"acls": [...]}.
std::string entry_message(const json& entry) {
    return parse_error(json{{"acls", json::array({entry})}}).problem().describe();
}

/// good_entry() with `field` set to `value`, or removed when `value` is null.
json with(const std::string& field, const json& value) {
    auto entry = good_entry();
    if (value.is_null())
        entry.erase(field);
    else
        entry[field] = value;
    return entry;
}

acl_binding topic_acl(const std::string& principal, const std::string& topic, acl_operation op,
                      acl_permission permission = acl_permission::allow,
                      const std::string& host = "*") {
    return {
        resource_type::topic, topic, acl_pattern_type::literal, principal, host, op, permission};
}

std::string lines_of(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines)
        text += line + "\n";
    return text;
}

}  // namespace

// --- the JSON format --------------------------------------------------------------------------

TEST_CASE("an ACL spec is read as written, one binding per operation", "[acl_spec]") {
    const auto spec = kflow::parse_acl_spec(json::parse(R"({"acls": [
        {"principal": "User:app", "host": "*", "resource_type": "topic",
         "resource_name": "orders", "pattern_type": "literal",
         "operations": ["read", "describe"], "permission": "allow"},
        {"principal": "User:app", "resource_type": "group", "resource_name": "billing-",
         "pattern_type": "prefixed", "operations": ["read"], "permission": "allow"},
        {"principal": "User:ops", "host": "10.0.0.7", "resource_type": "cluster",
         "resource_name": "kafka-cluster", "operations": ["describe_configs", "alter"],
         "permission": "deny"},
        {"principal": "User:app", "resource_type": "topic", "resource_name": "orders",
         "operations": ["delete"], "permission": "deny"}
    ]})"));
    REQUIRE(spec.acls.size() == 4);
    CHECK(spec.acls[0] == acl_entry("User:app", resource_type::topic, "orders",
                                    {acl_operation::read, acl_operation::describe}));
    // host and pattern_type left out: any host, literal.
    CHECK(spec.acls[1] == acl_entry("User:app", resource_type::group, "billing-",
                                    {acl_operation::read}, acl_permission::allow,
                                    acl_pattern_type::prefixed));
    CHECK(spec.acls[2] == acl_entry("User:ops", resource_type::broker, "kafka-cluster",
                                    {acl_operation::describe_configs, acl_operation::alter},
                                    acl_permission::deny, acl_pattern_type::literal, "10.0.0.7"));
    CHECK(spec.acls[3].operations == std::vector<acl_operation>{acl_operation::remove});

    const auto bindings = spec.bindings();
    REQUIRE(bindings.size() == 6);
    CHECK(bindings[0] == topic_acl("User:app", "orders", acl_operation::read));
    CHECK(bindings[1] == topic_acl("User:app", "orders", acl_operation::describe));
    CHECK(bindings[2] == acl_binding(resource_type::group, "billing-", acl_pattern_type::prefixed,
                                     "User:app", "*", acl_operation::read, acl_permission::allow));
    CHECK(bindings[5] ==
          topic_acl("User:app", "orders", acl_operation::remove, acl_permission::deny));
    CHECK(spec.principals() == std::vector<std::string>{"User:app", "User:ops"});
}

TEST_CASE("an ACL spec written with to_json reads back equal", "[acl_spec]") {
    kflow::acl_spec spec{{
        acl_entry("User:app", resource_type::topic, "*",
                  {acl_operation::write, acl_operation::create}),
        acl_entry("User:*", resource_type::group, "g-", {acl_operation::all}, acl_permission::deny,
                  acl_pattern_type::prefixed, "192.168.0.1"),
        acl_entry("User:app", resource_type::broker, "kafka-cluster",
                  {acl_operation::idempotent_write, acl_operation::cluster_action}),
    }};
    const json document = spec;
    CHECK(document["acls"][2]["resource_type"] == "cluster");
    CHECK(document["acls"][2]["operations"] == json({"idempotent_write", "cluster_action"}));
    CHECK(kflow::parse_acl_spec(document) == spec);
    CHECK(document.get<kflow::acl_spec>() == spec);
    CHECK(document["acls"][1].get<acl_entry>() == spec.acls[1]);
    CHECK(kflow::parse_acl_spec(json{{"acls", json::array()}}).acls.empty());
}

TEST_CASE("the ACL document is {\"acls\": [...]} and nothing else", "[acl_spec]") {
    CHECK(parse_error(json::array()).problem().describe() == R"(expected {"acls": [...]}, got [])");
    CHECK(parse_error(json::object()).problem().describe() ==
          R"(field "acls": is required: an ACL spec is {"acls": [...]})");
    // A topic spec given by mistake.
    CHECK(parse_error(json{{"topics", json::array()}}).problem().describe() ==
          R"(field "topics": unknown field; an ACL spec is {"acls": [...]})");
    CHECK_THAT(parse_error(json{{"acls", good_entry()}}).problem().describe(),
               Catch::StartsWith(R"(field "acls": expected an array of ACL entries, got {)"));
    CHECK(parse_error(json{{"acls", json::array({good_entry(), "read"})}}).problem().describe() ==
          R"(acls[1]: expected an ACL entry (an object with principal, resource_type, )"
          R"(resource_name, operations, permission), got "read")");
}

TEST_CASE("every missing, unknown or mistyped field is named with its entry", "[acl_spec]") {
    CHECK(entry_message(with("principal", nullptr)) ==
          R"(acls[0]: field "principal": is required)");
    CHECK(entry_message(with("resource_type", nullptr)) ==
          R"(acls[0]: field "resource_type": is required)");
    CHECK(entry_message(with("resource_name", nullptr)) ==
          R"(acls[0]: field "resource_name": is required)");
    CHECK(entry_message(with("operations", nullptr)) ==
          R"(acls[0]: field "operations": is required)");
    // Deny or allow is never guessed.
    CHECK(entry_message(with("permission", nullptr)) ==
          R"(acls[0]: field "permission": is required)");

    auto misspelt = good_entry();
    misspelt.erase("operations");
    misspelt["operation"] = json{"read"};
    CHECK(entry_message(misspelt) ==
          R"(acls[0]: field "operation": unknown field (did you mean "operations"?); an ACL entry )"
          R"(takes principal, host, resource_type, resource_name, pattern_type, operations, )"
          R"(permission)");
    auto extra = good_entry();
    extra["comment"] = "why";
    CHECK_THAT(entry_message(extra), Contains(R"(field "comment": unknown field; an ACL entry)"));

    CHECK(entry_message(with("principal", 7)) ==
          R"(acls[0]: field "principal": expected a string, got 7)");
    CHECK(entry_message(with("host", json::array())) ==
          R"(acls[0]: field "host": expected a string, got [])");
    CHECK(entry_message(with("operations", "read")) ==
          R"(acls[0]: field "operations": expected a non-empty array of operations, e.g. )"
          R"(["read"], got "read")");
    CHECK(entry_message(with("operations", json::array())) ==
          R"(acls[0]: field "operations": expected a non-empty array of operations, e.g. )"
          R"(["read"], got [])");
    CHECK(entry_message(with("operations", json{"read", 3})) ==
          R"(acls[0]: field "operations[1]": expected operation (one of read, write, create, )"
          R"(delete, alter, describe, cluster_action, describe_configs, alter_configs, )"
          R"(idempotent_write, all), got 3)");
}

TEST_CASE("a name an ACL spec does not know is refused with the one probably meant", "[acl_spec]") {
    CHECK(entry_message(with("operations", json{"read", "reed"})) ==
          R"(acls[0]: field "operations[1]": unknown operation "reed" (did you mean "read"?); )"
          R"(one of read, write, create, delete, alter, describe, cluster_action, )"
          R"(describe_configs, alter_configs, idempotent_write, all)");
    CHECK_THAT(entry_message(with("operations", json{"READ"})),
               Contains(R"(unknown operation "READ" (names are lower case: "read"))"));
    CHECK_THAT(entry_message(with("operations", json{"any"})),
               Contains(R"(field "operations[0]": unknown operation "any" (did you mean "all"?))"));
    CHECK(entry_message(with("resource_type", "broker")) ==
          R"(acls[0]: field "resource_type": unknown resource type "broker" (the brokers' ACLs )"
          R"(are on the cluster resource: "cluster"); one of topic, group, cluster)");
    CHECK_THAT(entry_message(with("resource_type", "topics")),
               Contains(R"(unknown resource type "topics" (did you mean "topic"?))"));
    CHECK_THAT(entry_message(with("resource_type", "transactional_id")),
               Contains(R"(unknown resource type "transactional_id"; one of topic, group, )"));
    CHECK(entry_message(with("pattern_type", "match")) ==
          R"(acls[0]: field "pattern_type": unknown pattern type "match"; one of literal, )"
          R"(prefixed)");
    CHECK(entry_message(with("permission", "Allow")) ==
          R"(acls[0]: field "permission": unknown permission "Allow" (names are lower case: )"
          R"("allow"); one of allow, deny)");
}

TEST_CASE("entries Kafka would refuse, or never match, are refused", "[acl_spec]") {
    CHECK(entry_message(with("principal", "app")) ==
          R"(acls[0]: field "principal": expected "Type:name", e.g. "User:alice", got "app")");
    CHECK_THAT(entry_message(with("principal", "User:")), Contains("expected \"Type:name\""));
    CHECK(entry_message(with("principal", "")) ==
          R"(acls[0]: field "principal": must not be empty)");
    CHECK(entry_message(with("host", "")) ==
          R"(acls[0]: field "host": must not be empty ("*" is every host))");
    CHECK_THAT(entry_message(with("resource_name", "")),
               Contains(R"(field "resource_name": must not be empty)"));
    CHECK_THAT(entry_message(with("resource_name", "bad name")),
               Contains(R"(field "resource_name": not a legal topic name: contains 0x20)"));
    // A prefix and a group id are not topic names.
    auto prefixed = with("resource_name", "orders.");
    prefixed["pattern_type"] = "prefixed";
    CHECK_NOTHROW(kflow::parse_acl_spec(json{{"acls", json::array({prefixed})}}));

    // Operations Kafka never checks on the resource type.
    auto group_write = with("resource_type", "group");
    group_write["operations"] = json{"read", "write"};
    CHECK(entry_message(group_write) ==
          R"(acls[0]: field "operations[1]": "write" does not apply to a group (Kafka never )"
          R"(checks it there); a group takes read, describe, delete, all)");
    auto cluster_read = with("resource_type", "cluster");
    cluster_read["resource_name"] = "kafka-cluster";
    cluster_read["operations"] = json{"idempotent_write", "read"};
    CHECK_THAT(entry_message(cluster_read),
               Contains(R"(field "operations[1]": "read" does not apply to a cluster)"));
    CHECK_THAT(entry_message(with("operations", json{"idempotent_write"})),
               Contains(R"("idempotent_write" does not apply to a topic)"));
    CHECK(entry_message(with("operations", json{"read", "write", "read"})) ==
          R"(acls[0]: field "operations[2]": "read" is listed twice (also operations[0]))");

    // The cluster resource has one name, matched literally.
    auto cluster = with("resource_type", "cluster");
    cluster["operations"] = json{"describe"};
    CHECK(entry_message(cluster) ==
          R"(acls[0]: field "resource_name": the cluster resource is named "kafka-cluster", )"
          R"(got "orders")");
    cluster["resource_name"] = "kafka-cluster";
    cluster["pattern_type"] = "prefixed";
    CHECK(entry_message(cluster) ==
          R"(acls[0]: field "pattern_type": must be literal for the cluster resource)");
}

TEST_CASE("a binding two entries declare is refused; allow and deny of one may both be",
          "[acl_spec]") {
    auto second = good_entry();
    second["operations"] = json{"write", "describe"};
    const auto e = parse_error(json{{"acls", json::array({good_entry(), second})}});
    CHECK(e.code() == kflow::errc::invalid_config);
    CHECK(e.problem().index == 1u);
    CHECK(e.problem().field == "operations[1]");
    CHECK(e.problem().describe() ==
          R"(acls[1]: field "operations[1]": declares ALLOW User:app@* DESCRIBE topic LITERAL )"
          R"('orders', as acls[0] does; each binding may be declared once)");

    auto deny = good_entry();
    deny["permission"] = "deny";
    auto other_host = good_entry();
    other_host["host"] = "10.1.1.1";
    const auto spec =
        kflow::parse_acl_spec(json{{"acls", json::array({good_entry(), deny, other_host})}});
    CHECK(spec.bindings().size() == 6);
}

TEST_CASE("ACL spec text: source names, duplicate keys, parse errors and files", "[acl_spec]") {
    const auto read_error = [](const std::string& text) {
        std::istringstream in(text);
        try {
            (void)kflow::read_acl_spec(in, "acls.json");
        } catch (const kflow::acl_spec_error& e) {
            return e.problem().describe();
        }
        FAIL("read_acl_spec accepted " << text);
        return std::string();
    };
    CHECK(read_error(R"({"acls": [{"principal": "User:a", "principal": "User:b"}]})") ==
          R"(acls.json: key "principal" appears twice in acls[0]; each key may appear once)");
    CHECK_THAT(read_error(R"({"acls": [)"), Catch::StartsWith("acls.json: parse error"));
    CHECK(read_error(R"({"acls": [{"principal": "User:a"}]})") ==
          R"(acls.json: acls[0]: field "resource_type": is required)");

    const auto dir =
        std::filesystem::temp_directory_path() / kflow::testing::unique_name("kflow-acl-spec");
    std::filesystem::create_directories(dir);
    struct remove_dir {
        std::filesystem::path path;
        ~remove_dir() {
            std::error_code ignored;
            std::filesystem::remove_all(path, ignored);
        }
    } cleanup{dir};
    const auto file = dir / "acls.json";
    std::ofstream(file) << json{{"acls", json::array({good_entry()})}}.dump(2);
    CHECK(kflow::load_acl_spec(file).bindings().size() == 2);
    try {
        (void)kflow::load_acl_spec(dir / "missing.json");
        FAIL("a missing file was read");
    } catch (const kflow::acl_spec_error& e) {
        CHECK(e.code() == std::errc::no_such_file_or_directory);
        CHECK_THAT(e.what(), Contains("missing.json: cannot read the spec file"));
    }
}

TEST_CASE("ACL specs built in code follow the same rules", "[acl_spec]") {
    CHECK_FALSE(kflow::check_acl_spec({}));
    kflow::acl_spec spec{
        {acl_entry("User:app", resource_type::topic, "orders", {acl_operation::read})}};
    CHECK_FALSE(kflow::check_acl_spec(spec));
    spec.acls.push_back(acl_entry("User:app", resource_type::any, "orders", {acl_operation::read}));
    const auto problem = kflow::check_acl_spec(spec);
    REQUIRE(problem);
    CHECK(problem->describe() == R"(acls[1]: field "resource_type": must be topic, group or )"
                                 R"(cluster, got any)");
    spec.acls[1].type = resource_type::topic;
    spec.acls[1].operations = {acl_operation::any};
    CHECK(kflow::check_acl_spec(spec)->describe() ==
          R"(acls[1]: field "operations[0]": must be a concrete operation, got ANY)");
    spec.acls[1].operations = {};
    CHECK(kflow::check_acl_spec(spec)->field == "operations");
    spec.acls[1].operations = {acl_operation::write};
    spec.acls[1].permission = acl_permission::any;
    CHECK_THROWS_AS(kflow::validate_acl_spec(spec), kflow::acl_spec_error);
    spec.acls[1].permission = acl_permission::deny;
    spec.acls[1].pattern = acl_pattern_type::match;
    CHECK(kflow::check_acl_spec(spec)->field == "pattern_type");
}

// --- the plan -----------------------------------------------------------------------------------

TEST_CASE("plan_acls: missing bindings are created, present ones kept", "[acl_plan]") {
    const auto read = topic_acl("User:app", "orders", acl_operation::read);
    const auto write = topic_acl("User:app", "orders", acl_operation::write);
    const auto other = topic_acl("User:someone", "orders", acl_operation::alter);

    SECTION("nothing on the cluster") {
        const auto plan = kflow::plan_acls({read, write}, {});
        CHECK(plan.to_create == std::vector<acl_binding>{read, write});
        CHECK(plan.present.empty());
        CHECK(plan.to_delete.empty());
        CHECK(plan.not_in_spec.empty());
        CHECK_FALSE(plan.changes_nothing());
    }
    SECTION("everything already there: nothing to do") {
        const auto plan = kflow::plan_acls({read, write}, {other, write, read});
        CHECK(plan.to_create.empty());
        CHECK(plan.present == std::vector<acl_binding>{read, write});  // the spec's order
        CHECK(plan.changes_nothing());
    }
    SECTION("a binding differing in any one field is another binding") {
        auto elsewhere = read;
        elsewhere.host = "10.0.0.1";
        auto prefixed = read;
        prefixed.pattern = acl_pattern_type::prefixed;
        auto denied = read;
        denied.permission = acl_permission::deny;
        auto group = read;
        group.type = resource_type::group;
        for (const auto& current : {elsewhere, prefixed, denied, group}) {
            const auto plan = kflow::plan_acls({read}, {current});
            CHECK(plan.to_create == std::vector<acl_binding>{read});
            CHECK(plan.not_in_spec == std::vector<acl_binding>{current});
        }
    }
    SECTION("a binding listed twice is planned once") {
        const auto plan = kflow::plan_acls({read, read, write}, {write});
        CHECK(plan.to_create == std::vector<acl_binding>{read});
        CHECK(plan.present == std::vector<acl_binding>{write});
    }
    SECTION("no desired bindings: nothing is in scope") {
        const auto plan =
            kflow::plan_acls(std::vector<acl_binding>{}, {read, other}, {.prune = true});
        CHECK(plan.changes_nothing());
        CHECK(plan.not_in_spec.empty());
        CHECK(plan.present.empty());
    }
}

TEST_CASE("plan_acls: bindings not in the spec are kept, deleted only with prune", "[acl_plan]") {
    const auto read = topic_acl("User:app", "orders", acl_operation::read);
    const auto stale = topic_acl("User:app", "old-orders", acl_operation::read);
    const auto stale_group =
        acl_binding(resource_type::group, "billing", acl_pattern_type::literal, "User:app", "*",
                    acl_operation::read, acl_permission::allow);
    const auto someone_else = topic_acl("User:someone", "orders", acl_operation::write);
    // A binding of a resource type newer than kflow's (Kafka's TRANSACTIONAL_ID is 5).
    const auto newer = acl_binding(static_cast<resource_type>(5), "tx", acl_pattern_type::literal,
                                   "User:app", "*", acl_operation::write, acl_permission::allow);
    const std::vector<acl_binding> current{someone_else, stale, read, newer, stale_group};

    SECTION("additive by default") {
        const auto plan = kflow::plan_acls({read}, current);
        CHECK(plan.to_delete.empty());
        CHECK(plan.present == std::vector<acl_binding>{read});
        // The cluster's order; never another principal's.
        CHECK(plan.not_in_spec == std::vector<acl_binding>{stale, newer, stale_group});
        CHECK(plan.changes_nothing());
    }
    SECTION("with prune, authoritative for the principals it names") {
        const auto plan = kflow::plan_acls({read}, current, {.prune = true});
        CHECK(plan.to_delete == std::vector<acl_binding>{stale, stale_group});
        // Never someone else's; and one kflow cannot name in a request is kept, and says so.
        CHECK(plan.not_in_spec == std::vector<acl_binding>{newer});
        CHECK(plan.prune);
        CHECK_FALSE(plan.changes_nothing());
    }
    SECTION("from a spec") {
        const kflow::acl_spec spec{{acl_entry("User:app", resource_type::topic, "orders",
                                              {acl_operation::read, acl_operation::write})}};
        const auto plan = kflow::plan_acls(spec, current, {.prune = true});
        CHECK(plan.to_create ==
              std::vector<acl_binding>{topic_acl("User:app", "orders", acl_operation::write)});
        CHECK(plan.present == std::vector<acl_binding>{read});
        CHECK(plan.to_delete == std::vector<acl_binding>{stale, stale_group});
    }
}

TEST_CASE("an ACL plan prints as a dry run would show it", "[acl_plan]") {
    const auto read = topic_acl("User:app", "orders", acl_operation::read);
    const auto write = topic_acl("User:app", "orders", acl_operation::write);
    const auto alter = topic_acl("User:app", "orders", acl_operation::alter);

    const auto additive = kflow::plan_acls({read, write}, {read, alter});
    CHECK(kflow::to_string(additive) ==
          "ACLs: 1 to create, 0 to delete, 1 present, 1 not in the spec (kept; prune deletes "
          "them)\n"
          "  create  ALLOW User:app@* WRITE topic LITERAL 'orders'\n"
          "  present ALLOW User:app@* READ topic LITERAL 'orders'\n"
          "  keep    ALLOW User:app@* ALTER topic LITERAL 'orders' (not in the spec)\n");

    const auto pruning = kflow::plan_acls({read, write}, {read, alter}, {.prune = true});
    std::ostringstream out;
    out << pruning;
    CHECK(out.str() ==
          "ACLs: 1 to create, 1 to delete, 1 present, 0 not in the spec (kept)\n"
          "  create  ALLOW User:app@* WRITE topic LITERAL 'orders'\n"
          "  delete  ALLOW User:app@* ALTER topic LITERAL 'orders' (not in the "
          "spec)\n"
          "  present ALLOW User:app@* READ topic LITERAL 'orders'\n");
    CHECK(kflow::to_string(kflow::acl_plan{}) ==
          "ACLs: 0 to create, 0 to delete, 0 present, 0 not in the spec (kept)\n");
}

// --- ensure_acls' steps -------------------------------------------------------------------------

namespace {

const kflow::acl_spec app_spec{{acl_entry("User:app", resource_type::topic, "orders",
                                          {acl_operation::read, acl_operation::write})}};

kflow::acl_result created(const acl_binding& b, std::error_code ec = {}, std::string why = {}) {
    kflow::acl_result r;
    r.binding = b;
    r.error = ec;
    r.message = std::move(why);
    return r;
}

kflow::acl_deletion deletion(const acl_binding& b, bool matched, std::error_code ec = {}) {
    kflow::acl_deletion d;
    d.filter = kflow::acl_filter::exactly(b);
    d.error = ec;
    if (ec)
        d.message = "Broker: " + ec.message();
    if (matched)
        d.deleted.push_back(b);
    return d;
}

}  // namespace

TEST_CASE("ensure_acls describes, creates, then deletes, and reports each binding",
          "[ensure_acls]") {
    const auto read = topic_acl("User:app", "orders", acl_operation::read);
    const auto write = topic_acl("User:app", "orders", acl_operation::write);
    const auto stale = topic_acl("User:app", "old", acl_operation::read);
    const auto gone = topic_acl("User:app", "older", acl_operation::read);

    ensure_acls_plan plan(app_spec, /*prune=*/true, /*dry_run=*/false);
    REQUIRE(plan.next() == acl_step::describe_acls);
    CHECK(plan.request_name() == "describe_acls");
    CHECK(ensure_acls_plan::describe_filter() == kflow::acl_filter());
    plan.acls_described({read, stale, gone});

    REQUIRE(plan.next() == acl_step::create_acls);
    CHECK(plan.bindings_to_create() == std::vector<acl_binding>{write});
    plan.acls_created({created(write)});

    REQUIRE(plan.next() == acl_step::delete_acls);
    CHECK(plan.request_name() == "delete_acls");
    CHECK(plan.filters_to_delete() ==
          std::vector<kflow::acl_filter>{kflow::acl_filter::exactly(stale),
                                         kflow::acl_filter::exactly(gone)});
    plan.acls_deleted({deletion(stale, true), deletion(gone, false)});
    REQUIRE(plan.next() == acl_step::done);

    const auto result = std::move(plan).result();
    INFO(lines_of(result.describe()));
    CHECK(result.ok());
    CHECK(result.as_specified());
    CHECK_FALSE(result.dry_run);
    CHECK(result.created == std::vector<acl_binding>{write});
    CHECK(result.kept == std::vector<acl_binding>{read});
    // A filter that matched nothing: the binding went meanwhile; not reported as deleted.
    CHECK(result.deleted == std::vector<acl_binding>{stale});
    CHECK(result.describe() ==
          std::vector<std::string>{
              "ACLs: 1 to create, 2 to delete, 1 present, 0 not in the spec (kept)",
              "  created ALLOW User:app@* WRITE topic LITERAL 'orders'",
              "  deleted ALLOW User:app@* READ topic LITERAL 'old'",
              "  deleted ALLOW User:app@* READ topic LITERAL 'older' (already gone)",
              "  present ALLOW User:app@* READ topic LITERAL 'orders'",
          });
}

TEST_CASE("ensure_acls skips the steps with nothing to do", "[ensure_acls]") {
    const auto read = topic_acl("User:app", "orders", acl_operation::read);
    const auto write = topic_acl("User:app", "orders", acl_operation::write);
    const auto stale = topic_acl("User:app", "old", acl_operation::read);

    SECTION("everything present, prune off: done after describing") {
        ensure_acls_plan plan(app_spec, false, false);
        plan.acls_described({read, write, stale});
        CHECK(plan.next() == acl_step::done);
        const auto result = std::move(plan).result();
        CHECK(result.kept == std::vector<acl_binding>{read, write});
        CHECK(result.plan.not_in_spec == std::vector<acl_binding>{stale});
        CHECK(result.as_specified());
    }
    SECTION("only something to delete") {
        ensure_acls_plan plan(app_spec, true, false);
        plan.acls_described({read, write, stale});
        CHECK(plan.next() == acl_step::delete_acls);
    }
    SECTION("an empty spec asks nothing at all") {
        ensure_acls_plan plan(kflow::acl_spec{}, true, false);
        CHECK(plan.next() == acl_step::done);
        const auto result = std::move(plan).result();
        CHECK(result.ok());
        CHECK(result.plan.changes_nothing());
    }
}

TEST_CASE("a dry run stops after describing, with the plan", "[ensure_acls]") {
    const auto read = topic_acl("User:app", "orders", acl_operation::read);
    const auto stale = topic_acl("User:app", "old", acl_operation::read);
    ensure_acls_plan plan(app_spec, true, true);
    plan.acls_described({read, stale});
    REQUIRE(plan.next() == acl_step::done);
    const auto result = std::move(plan).result();
    CHECK(result.dry_run);
    CHECK(result.created.empty());
    CHECK(result.deleted.empty());
    CHECK(result.ok());
    CHECK_FALSE(result.as_specified());  // changes were due and not made
    CHECK(result.plan.to_create.size() == 1);
    CHECK(result.plan.to_delete == std::vector<acl_binding>{stale});
    CHECK(result.describe() ==
          std::vector<std::string>{
              "ACLs: 1 to create, 1 to delete, 1 present, 0 not in the spec (kept) [dry run]",
              "  would create ALLOW User:app@* WRITE topic LITERAL 'orders'",
              "  would delete ALLOW User:app@* READ topic LITERAL 'old' (not in the spec)",
              "  present ALLOW User:app@* READ topic LITERAL 'orders'",
          });

    ensure_acls_plan nothing_due(app_spec, false, true);
    nothing_due.acls_described({read, topic_acl("User:app", "orders", acl_operation::write)});
    CHECK(std::move(nothing_due).result().as_specified());
}

TEST_CASE("ensure_acls reports failures per binding, and the first step's as the caller's",
          "[ensure_acls]") {
    const auto read = topic_acl("User:app", "orders", acl_operation::read);
    const auto write = topic_acl("User:app", "orders", acl_operation::write);
    const auto stale = topic_acl("User:app", "old", acl_operation::read);
    const auto denied = kflow::make_error_code(RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED);

    SECTION("a binding the broker refused, and one it did not answer for") {
        ensure_acls_plan plan(app_spec, true, false);
        plan.acls_described({stale});
        plan.acls_created({created(read, denied, "Broker: Cluster authorization failed")});
        REQUIRE(plan.next() == acl_step::delete_acls);  // still prunes
        plan.acls_deleted({deletion(stale, false, denied)});
        const auto result = std::move(plan).result();
        INFO(lines_of(result.describe()));
        CHECK_FALSE(result.ok());
        CHECK(result.created.empty());
        REQUIRE(result.errors.size() == 3);
        CHECK(result.errors[0].binding == read);
        CHECK_FALSE(result.errors[0].deleting);
        CHECK(result.errors[0].error == denied);
        CHECK(result.errors[0].message == "create_acls: Broker: Cluster authorization failed");
        CHECK(result.errors[1].binding == write);
        CHECK(result.errors[1].error == kflow::make_error_code(RD_KAFKA_RESP_ERR__BAD_MSG));
        CHECK(result.errors[1].message == "create_acls: no answer for this binding");
        CHECK(result.errors[2].binding == stale);
        CHECK(result.errors[2].deleting);
        CHECK_THAT(result.errors[2].message, Catch::StartsWith("delete_acls: Broker: "));
        CHECK(result.describe().at(1) ==
              "  failed  ALLOW User:app@* READ topic LITERAL 'orders': "
              "create_acls: Broker: Cluster authorization failed");
        // The admin helpers work on the errors.
        CHECK_THAT(kflow::describe_failures(result.errors, "ensuring ACLs"),
                   Contains("ensuring ACLs: 3 of 3 failed; creating ACL ALLOW User:app@* READ "
                            "topic LITERAL 'orders'"));
        CHECK_THROWS_AS(kflow::throw_if_any_failed(result.errors, "ensuring ACLs"),
                        kflow::kafka_error);
    }
    SECTION("a whole request failing fails each of its bindings, and the next step still runs") {
        ensure_acls_plan plan(app_spec, true, false);
        plan.acls_described({stale});
        plan.step_failed(denied, "create_acls: denied");
        REQUIRE(plan.next() == acl_step::delete_acls);
        plan.step_failed(denied, "delete_acls: denied");
        REQUIRE(plan.next() == acl_step::done);
        const auto result = std::move(plan).result();
        REQUIRE(result.errors.size() == 3);
        CHECK(result.errors[0].message == "create_acls: denied");
        CHECK(result.errors[2].message == "delete_acls: denied");
        CHECK(result.errors[2].item_name() ==
              "deleting ACL ALLOW User:app@* READ topic LITERAL 'old'");
    }
    SECTION("describing failing ends the plan: the caller reports it") {
        ensure_acls_plan plan(app_spec, true, false);
        plan.step_failed(denied, "describe_acls: denied");
        CHECK(plan.next() == acl_step::done);
        CHECK(std::move(plan).result().errors.empty());
    }
    SECTION("an invalid spec is refused before any step") {
        kflow::acl_spec bad = app_spec;
        bad.acls[0].principal = "app";
        try {
            ensure_acls_plan refused(bad, false, false);
            FAIL("an invalid spec was planned");
        } catch (const kflow::acl_spec_error& e) {
            CHECK(e.code() == kflow::errc::invalid_config);
            CHECK(e.problem().describe() ==
                  R"(acls[0]: field "principal": expected "Type:name", e.g. "User:alice", got )"
                  R"("app")");
        }
    }
}
