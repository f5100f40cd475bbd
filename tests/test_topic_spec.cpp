// Topic specs from JSON: every field rule, good and bad, the messages that name file, topic and
// field, files on disk, and the checks shared with specs built in code.
#include <kflow/admin/topic_spec_json.hpp>

#include <kflow/testing/helpers.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

/// What parse_topic_specs throws for `document`; fails the test when it accepts it.
kflow::topic_spec_error parse_error(const json& document) {
    try {
        (void)kflow::parse_topic_specs(document);
    } catch (const kflow::topic_spec_error& e) {
        return e;
    }
    FAIL("parse_topic_specs accepted " << document.dump());
    throw std::logic_error("unreachable");
}

/// What read_topic_specs throws for `text`; fails the test when it accepts it.
kflow::topic_spec_error read_error(const std::string& text, std::string_view source) {
    std::istringstream in(text);
    try {
        (void)kflow::read_topic_specs(in, source);
    } catch (const kflow::topic_spec_error& e) {
        return e;
    }
    FAIL("read_topic_specs accepted " << text);
    throw std::logic_error("unreachable");
}

/// The message for one bad topic, given as the only element of {"topics": [...]}.
std::string topic_message(const json& topic) {
    return parse_error(json{{"topics", json::array({topic})}}).problem().describe();
}

/// A directory of its own under the system's temp dir, removed with everything in it.
class temp_dir {
  public:
    temp_dir()
        : path_(std::filesystem::temp_directory_path() /
                kflow::testing::unique_name("kflow-topic-spec")) {
        std::filesystem::create_directories(path_);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }

    std::filesystem::path write(const std::string& name, const std::string& text) const {
        const auto file = path_ / name;
        std::ofstream(file, std::ios::binary) << text;
        return file;
    }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace

TEST_CASE("a spec with every field is read as written", "[topic_spec]") {
    const auto specs = kflow::parse_topic_specs(json::parse(R"({"topics": [
        {"name": "orders", "partitions": 6, "replication_factor": 3,
         "configs": {"cleanup.policy": "delete", "retention.ms": 86400000,
                     "compression.type": "zstd", "min.insync.replicas": 2,
                     "max.message.bytes": "1048588", "min.cleanable.dirty.ratio": 0.25,
                     "preallocate": true}},
        {"name": "customers", "replica_assignment": [[1, 2], [2, 3], [3, 1]]},
        {"name": "audit.log_v2"}
    ]})"));
    REQUIRE(specs.size() == 3);

    CHECK(specs[0].name == "orders");
    CHECK(specs[0].partitions == 6);
    CHECK(specs[0].replication_factor == 3);
    CHECK(specs[0].replica_assignment.empty());
    CHECK(specs[0].configs == std::map<std::string, std::string>{
                                  {"cleanup.policy", "delete"},
                                  {"retention.ms", "86400000"},
                                  {"compression.type", "zstd"},
                                  {"min.insync.replicas", "2"},
                                  {"max.message.bytes", "1048588"},
                                  {"min.cleanable.dirty.ratio", "0.25"},
                                  {"preallocate", "true"},
                              });

    CHECK(specs[1].name == "customers");
    CHECK(specs[1].partitions == -1);
    CHECK(specs[1].replication_factor == -1);
    CHECK(specs[1].replica_assignment ==
          std::vector<std::vector<std::int32_t>>{{1, 2}, {2, 3}, {3, 1}});
    CHECK(kflow::requested_partition_count(specs[1]) == 3);
    CHECK(kflow::requested_replication_factor(specs[1]) == 2);

    // Counts left out are the broker's defaults.
    CHECK(specs[2] == kflow::topic_spec("audit.log_v2"));
    CHECK_FALSE(kflow::requested_partition_count(specs[2]));
    CHECK_FALSE(kflow::requested_replication_factor(specs[2]));
}

TEST_CASE("the document is an array of topics or {\"topics\": [...]}", "[topic_spec]") {
    const auto from_array =
        kflow::parse_topic_specs(json::parse(R"([{"name": "a"}, {"name": "b"}])"));
    const auto from_object =
        kflow::parse_topic_specs(json::parse(R"({"topics": [{"name": "a"}, {"name": "b"}]})"));
    REQUIRE(from_array.size() == 2);
    CHECK(from_array == from_object);
    CHECK(kflow::parse_topic_specs(json::array()).empty());

    CHECK(parse_error(json("orders")).problem().describe() ==
          R"(expected an array of topics or {"topics": [...]}, got "orders")");
    CHECK(parse_error(json::object()).problem().describe() ==
          R"(field "topics": is required: the document is {"topics": [...]})");
    CHECK(parse_error(json{{"topics", json{{"name", "a"}}}}).problem().describe() ==
          R"(field "topics": expected an array of topics, got {"name":"a"})");
    const auto extra = parse_error(json{{"topics", json::array()}, {"topic", "x"}});
    CHECK(extra.problem().field == "topic");
    CHECK_THAT(extra.what(), Contains("unknown field"));
    CHECK(parse_error(json::array({json{{"name", "a"}}, 5})).problem().describe() ==
          R"(topics[1]: expected a topic (an object with a "name"), got 5)");
}

TEST_CASE("a number too large for a double is a topic_spec_error naming the source",
          "[topic_spec]") {
    // Found by fuzz_topic_spec_json: nlohmann reports 1e400 as out_of_range, not parse_error,
    // and it escaped read_topic_specs as nlohmann's own exception.
    const auto e = read_error(R"([{"name":"orders","configs":{"retention.ms":1e400}}])",
                              "topics.json");
    CHECK(e.code() == kflow::errc::invalid_config);
    CHECK_THAT(e.what(), Catch::Contains("topics.json"));
    CHECK_THAT(e.what(), Catch::Contains("1e400"));
}

TEST_CASE("errors are invalid_config topic_spec_errors that say where", "[topic_spec]") {
    const auto e = parse_error(json::parse(
        R"({"topics": [{"name": "a"}, {"name": "b"}, {"name": "orders", "partitions": "3"}]})"));
    CHECK(e.code() == kflow::errc::invalid_config);
    CHECK(e.code() == std::errc::invalid_argument);
    CHECK(e.problem().source.empty());
    CHECK(e.problem().index == 2u);
    CHECK(e.problem().topic == "orders");
    CHECK(e.problem().field == "partitions");
    CHECK(e.problem().reason == R"(expected an integer >= 1, got "3")");
    CHECK(e.problem().describe() ==
          R"(topics[2] ("orders"): field "partitions": expected an integer >= 1, got "3")");
    CHECK_THAT(e.what(), Contains(e.problem().describe()));
    // A kafka_error like every other error kflow throws.
    const kflow::kafka_error& base = e;
    CHECK(base.code() == kflow::errc::invalid_config);
}

TEST_CASE("name: required, a string, a legal Kafka topic name", "[topic_spec]") {
    CHECK(topic_message(json{{"partitions", 3}}) == R"(topics[0]: field "name": is required)");
    CHECK(topic_message(json{{"name", 7}}) ==
          R"(topics[0]: field "name": expected a string, got 7)");
    CHECK(topic_message(json{{"name", ""}}) == R"(topics[0]: field "name": must not be empty)");
    CHECK(
        topic_message(json{{"name", "my orders"}}) ==
        R"(topics[0]: field "name": contains 0x20; Kafka allows only ASCII letters, digits, '.', '_' and '-')");
    CHECK_THAT(topic_message(json{{"name", "orders/eu"}}), Contains("contains '/'"));
    CHECK_THAT(topic_message(json{{"name", ".."}}), Contains(R"(".." is not a legal topic name)"));
    CHECK_THAT(topic_message(json{{"name", std::string(250, 'x')}}),
               Contains("is 250 characters long; Kafka allows at most 249"));
    CHECK(kflow::parse_topic_specs(json::array({json{{"name", std::string(249, 'x')}}})).size() ==
          1);
}

TEST_CASE("a field that is not a topic field is an error, with the likely meant one",
          "[topic_spec]") {
    CHECK(
        topic_message(json{{"name", "orders"}, {"partitons", 3}}) ==
        R"(topics[0] ("orders"): field "partitons": unknown field (did you mean "partitions"?); a topic takes name, partitions, replication_factor, replica_assignment, configs)");
    CHECK_THAT(topic_message(json{{"name", "orders"}, {"replication", 3}}),
               Contains(R"(field "replication": unknown field;)"));
    // A misspelt name is reported as the typo, not as a missing name.
    CHECK_THAT(topic_message(json{{"nmae", "orders"}}),
               Contains(R"(field "nmae": unknown field (did you mean "name"?))"));
    CHECK_THAT(topic_message(json{{"name", "orders"}, {"config", json::object()}}),
               Contains(R"(did you mean "configs"?)"));
}

TEST_CASE("partitions: an integer >= 1", "[topic_spec]") {
    const auto message = [](const json& value) {
        return topic_message(json{{"name", "orders"}, {"partitions", value}});
    };
    CHECK(message(0) ==
          R"(topics[0] ("orders"): field "partitions": expected an integer >= 1, got 0)");
    CHECK_THAT(message(-1), Contains("got -1"));
    CHECK_THAT(message(2.5), Contains("got 2.5"));
    CHECK_THAT(message(3.0), Contains("got 3.0"));
    CHECK_THAT(message(true), Contains("got true"));
    CHECK_THAT(message(nullptr), Contains("got null"));
    CHECK_THAT(message(3000000000LL), Contains("got 3000000000"));
    CHECK_THAT(message(json::array({3})), Contains("got [3]"));
    CHECK(kflow::parse_topic_specs(json::array({json{{"name", "o"}, {"partitions", 2147483647}}}))
              .front()
              .partitions == 2147483647);
}

TEST_CASE("replication_factor: an integer from 1 to 32767", "[topic_spec]") {
    const auto message = [](const json& value) {
        return topic_message(json{{"name", "orders"}, {"replication_factor", value}});
    };
    CHECK(
        message(0) ==
        R"(topics[0] ("orders"): field "replication_factor": expected an integer from 1 to 32767, got 0)");
    CHECK_THAT(message(32768), Contains("got 32768"));
    CHECK_THAT(message("3"), Contains(R"(got "3")"));
    CHECK(kflow::parse_topic_specs(json::array({json{{"name", "o"}, {"replication_factor", 3}}}))
              .front()
              .replication_factor == 3);
}

TEST_CASE("replica_assignment: broker ids per partition, consistent with the counts",
          "[topic_spec]") {
    const auto message = [](json topic) {
        topic["name"] = "orders";
        return topic_message(topic);
    };
    CHECK(
        message(json{{"replica_assignment", json::array()}}) ==
        R"(topics[0] ("orders"): field "replica_assignment": expected a non-empty array with one array of broker ids per partition, got [])");
    CHECK_THAT(
        message(json{{"replica_assignment", json::array({1, 2})}}),
        Contains(
            R"(field "replica_assignment[0]": expected a non-empty array of broker ids, got 1)"));
    CHECK_THAT(message(json{{"replica_assignment", json::parse("[[1], []]")}}),
               Contains(R"(field "replica_assignment[1]": expected a non-empty array)"));
    CHECK_THAT(
        message(json{{"replica_assignment", json::parse(R"([[1, 2], [2, "3"]])")}}),
        Contains(
            R"(field "replica_assignment[1][1]": expected a broker id (an integer >= 0), got "3")"));
    CHECK_THAT(message(json{{"replica_assignment", json::parse("[[1, -2]]")}}),
               Contains(R"(field "replica_assignment[0][1]": expected a broker id)"));
    CHECK_THAT(
        message(json{{"replica_assignment", json::parse("[[1, 2], [2, 3, 1]]")}}),
        Contains(
            R"(field "replica_assignment[1]": has 3 replicas but replica_assignment[0] has 2; every partition needs the same number of replicas)"));
    CHECK_THAT(message(json{{"replica_assignment", json::parse("[[1, 2], [3, 3]]")}}),
               Contains(R"(field "replica_assignment[1]": lists broker 3 twice)"));
    CHECK_THAT(
        message(json{{"replica_assignment", json::parse("[[1, 2]]")}, {"replication_factor", 2}}),
        Contains(R"(field "replica_assignment": cannot be combined with replication_factor)"));
    CHECK(
        message(json{{"replica_assignment", json::parse("[[1, 2], [2, 1]]")}, {"partitions", 3}}) ==
        R"(topics[0] ("orders"): field "partitions": is 3 but replica_assignment lists 2 partitions)");

    const auto specs = kflow::parse_topic_specs(json::array({json{
        {"name", "o"}, {"partitions", 2}, {"replica_assignment", json::parse("[[0], [1]]")}}}));
    CHECK(specs.front().partitions == 2);
    CHECK(specs.front().replica_assignment == std::vector<std::vector<std::int32_t>>{{0}, {1}});
}

TEST_CASE("configs: names to strings, numbers or booleans", "[topic_spec]") {
    const auto message = [](const json& configs) {
        return topic_message(json{{"name", "orders"}, {"configs", configs}});
    };
    CHECK(
        message(json::array({"cleanup.policy", "compact"})) ==
        R"(topics[0] ("orders"): field "configs": expected an object of config names to values, got ["cleanup.policy","compact"])");
    CHECK(
        message(json{{"retention.ms", nullptr}}) ==
        R"(topics[0] ("orders"): field "configs.retention.ms": expected a string, number or boolean, got null)");
    CHECK_THAT(
        message(json{{"cleanup.policy", json::array({"compact", "delete"})}}),
        Contains(
            R"(field "configs.cleanup.policy": expected a string, number or boolean, got ["compact","delete"])"));
    CHECK_THAT(message(json{{"", "x"}}),
               Contains(R"(field "configs": a config name must not be empty)"));
    CHECK(kflow::parse_topic_specs(json::array({json{{"name", "o"}, {"configs", json::object()}}}))
              .front()
              .configs.empty());
    CHECK(kflow::parse_topic_specs(
              json::array({json{{"name", "o"}, {"configs", json{{"retention.ms", -1}}}}}))
              .front()
              .configs.at("retention.ms") == "-1");
}

TEST_CASE("two topics of the same name are an error naming both", "[topic_spec]") {
    CHECK(parse_error(json::parse(R"([{"name": "a"}, {"name": "orders"}, {"name": "orders"}])"))
              .problem()
              .describe() == R"(topics[2] ("orders"): field "name": topics[1] has the same name)");
}

TEST_CASE("from_json and to_json round-trip a topic_spec", "[topic_spec]") {
    kflow::topic_spec full("orders", 6, 3, {{"cleanup.policy", "compact"}, {"retention.ms", "1"}});
    kflow::topic_spec assigned("customers");
    assigned.replica_assignment = {{1, 2}, {2, 1}};
    const kflow::topic_spec plain("plain");

    for (const auto& spec : {full, assigned, plain}) {
        const json j = spec;
        CHECK(j.get<kflow::topic_spec>() == spec);
        CHECK(kflow::parse_topic_specs(json::array({j})) == std::vector{spec});
    }
    CHECK(json(plain) == json{{"name", "plain"}});
    CHECK(
        json(full).dump() ==
        R"({"configs":{"cleanup.policy":"compact","retention.ms":"1"},"name":"orders","partitions":6,"replication_factor":3})");

    // A single topic has no position: its message names the topic and field only.
    try {
        (void)json{{"name", "orders"}, {"partitions", 0}}.get<kflow::topic_spec>();
        FAIL("get<topic_spec>() accepted partitions 0");
    } catch (const kflow::topic_spec_error& e) {
        CHECK(std::string(e.problem().describe()) ==
              R"(topic "orders": field "partitions": expected an integer >= 1, got 0)");
    }
}

TEST_CASE("topic specs built in code follow the same rules", "[topic_spec]") {
    CHECK_FALSE(kflow::check_topic_spec(kflow::topic_spec("orders")));
    CHECK_FALSE(kflow::check_topic_spec(kflow::topic_spec("orders", 3, 2)));

    const auto problem = kflow::check_topic_spec(kflow::topic_spec("orders", 0));
    REQUIRE(problem);
    CHECK(
        problem->describe() ==
        R"(topic "orders": field "partitions": must be at least 1 (or -1 for the broker's default), got 0)");
    CHECK(kflow::check_topic_spec(kflow::topic_spec("orders", 1, 0))->field ==
          "replication_factor");
    CHECK(
        kflow::check_topic_spec(kflow::topic_spec("bad name"))->describe() ==
        R"(field "name": contains 0x20; Kafka allows only ASCII letters, digits, '.', '_' and '-')");

    kflow::topic_spec assigned("orders", -1, 2);
    assigned.replica_assignment = {{1, 2}};
    CHECK(kflow::check_topic_spec(assigned)->field == "replica_assignment");
    CHECK_THROWS_AS(kflow::validate_topic_spec(assigned), kflow::topic_spec_error);
    CHECK_NOTHROW(kflow::validate_topic_spec(kflow::topic_spec("orders", 1)));
}

TEST_CASE("a spec file: messages start with the file's name", "[topic_spec]") {
    const temp_dir dir;
    const auto file = dir.write("topics.json", R"({"topics": [
        {"name": "a", "partitions": 1},
        {"name": "b", "partitions": 1},
        {"name": "orders", "partitions": "3"}
    ]})");
    try {
        (void)kflow::load_topic_specs(file);
        FAIL("load_topic_specs accepted a string partition count");
    } catch (const kflow::topic_spec_error& e) {
        CHECK(e.problem().describe() == file.string() +
                                            R"(: topics[2] ("orders"): field "partitions": )"
                                            R"(expected an integer >= 1, got "3")");
        CHECK(e.problem().source == file.string());
    }

    const auto good = dir.write("good.json", R"([{"name": "orders", "partitions": 3,
        "configs": {"retention.ms": 86400000}}])");
    const auto specs = kflow::load_topic_specs(good);
    REQUIRE(specs.size() == 1);
    CHECK(specs[0] == kflow::topic_spec("orders", 3, -1, {{"retention.ms", "86400000"}}));
}

TEST_CASE("a spec file that is missing, a directory or not JSON", "[topic_spec]") {
    const temp_dir dir;
    const auto missing = dir.path() / "missing.json";
    try {
        (void)kflow::load_topic_specs(missing);
        FAIL("load_topic_specs read a missing file");
    } catch (const kflow::topic_spec_error& e) {
        CHECK(e.code() == std::errc::no_such_file_or_directory);
        CHECK_THAT(e.what(), Contains(missing.string() + ": cannot read the spec file"));
    }
    try {
        (void)kflow::load_topic_specs(dir.path());
        FAIL("load_topic_specs read a directory");
    } catch (const kflow::topic_spec_error& e) {
        CHECK(e.code() == std::errc::is_a_directory);
        CHECK_THAT(e.what(), Contains("is a directory"));
    }

    const auto broken = dir.write("broken.json", "{\"topics\": [\n  {\"name\": \"a\",}\n]}");
    try {
        (void)kflow::load_topic_specs(broken);
        FAIL("load_topic_specs accepted a trailing comma");
    } catch (const kflow::topic_spec_error& e) {
        CHECK(e.code() == kflow::errc::invalid_config);
        const std::string message = e.problem().describe();
        CHECK_THAT(message, Contains(broken.string() + ": parse error at line 2, column 16"));
        CHECK_THAT(message, !Contains("json.exception"));
    }
    const auto empty = dir.write("empty.json", "");
    CHECK_THROWS_WITH(kflow::load_topic_specs(empty), Contains(empty.string() + ": parse error"));
}

TEST_CASE("a key given twice in one object is an error, not last-one-wins", "[topic_spec]") {
    CHECK(read_error(R"({"topics": [{"name": "a"},
                                    {"name": "b", "partitions": 3, "partitions": 30}]})",
                     "topics.json")
              .problem()
              .describe() ==
          R"(topics.json: key "partitions" appears twice in topics[1]; each key may appear once)");
    CHECK_THAT(read_error(R"([{"name": "a", "configs": {"retention.ms": 1, "retention.ms": 2}}])",
                          "t.json")
                   .what(),
               Contains(R"(key "retention.ms" appears twice in topics[0].configs)"));
    CHECK_THAT(read_error(R"({"topics": [], "topics": []})", "t.json").what(),
               Contains("appears twice in the top-level object"));
    // The same key in different objects is fine.
    std::istringstream in(R"([{"name": "a", "partitions": 1}, {"name": "b", "partitions": 1}])");
    CHECK(kflow::read_topic_specs(in).size() == 2);
}
