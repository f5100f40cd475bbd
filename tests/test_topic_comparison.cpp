// compare_topic: what differs between a topic spec and what a cluster reports, without a broker.
#include <kflow/admin/topic_comparison.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

using configs_t = std::map<std::string, std::string>;

namespace {

kflow::observed_topic observed(std::int32_t partitions, std::int32_t replication_factor,
                               std::optional<configs_t> configs = configs_t{}) {
    kflow::observed_topic topic;
    topic.partitions = partitions;
    topic.replication_factor = replication_factor;
    topic.configs = std::move(configs);
    return topic;
}

}  // namespace

TEST_CASE("a topic as its spec asks has no differences", "[topic_comparison]") {
    const kflow::topic_spec spec("orders", 3, 2, {{"cleanup.policy", "compact"}});
    const auto differences = kflow::compare_topic(
        spec,
        observed(3, 2, configs_t{{"cleanup.policy", "compact"}, {"retention.ms", "604800000"}}));
    CHECK(differences.none());
    CHECK(differences.configs_checked);
    CHECK(differences.describe().empty());
}

TEST_CASE("counts left to the broker match whatever the cluster has", "[topic_comparison]") {
    const auto differences = kflow::compare_topic(kflow::topic_spec("orders"), observed(12, 3));
    CHECK(differences.none());
}

TEST_CASE("more partitions requested can be added; fewer cannot", "[topic_comparison]") {
    const auto more = kflow::compare_topic(kflow::topic_spec("orders", 6), observed(3, 1));
    REQUIRE(more.partitions);
    CHECK(*more.partitions == kflow::partition_count_difference{6, 3});
    CHECK(more.partitions->can_be_added());
    CHECK(more.describe() ==
          std::vector<std::string>{"partitions: 6 requested, 3 on the cluster (3 can be added)"});

    const auto fewer = kflow::compare_topic(kflow::topic_spec("orders", 2), observed(3, 1));
    REQUIRE(fewer.partitions);
    CHECK_FALSE(fewer.partitions->can_be_added());
    CHECK(fewer.describe() ==
          std::vector<std::string>{"partitions: 2 requested, 3 on the cluster (Kafka cannot "
                                   "remove partitions)"});
    CHECK_FALSE(fewer.none());
}

TEST_CASE("a different replication factor is reported", "[topic_comparison]") {
    const auto differences =
        kflow::compare_topic(kflow::topic_spec("orders", 3, 3), observed(3, 1));
    CHECK_FALSE(differences.partitions);
    REQUIRE(differences.replication_factor);
    CHECK(*differences.replication_factor == kflow::replication_factor_difference{3, 1});
    CHECK(differences.describe() ==
          std::vector<std::string>{"replication factor: 3 requested, 1 on the cluster (changing "
                                   "it takes a partition reassignment)"});
}

TEST_CASE("an explicit replica assignment is compared partition by partition",
          "[topic_comparison]") {
    kflow::topic_spec spec("orders");
    spec.replica_assignment = {{1, 2}, {2, 3}, {3, 1}};

    auto cluster = observed(3, 2);
    cluster.replica_assignment = {{1, 2}, {3, 2}, {3, 1}};
    const auto differences = kflow::compare_topic(spec, cluster);
    CHECK_FALSE(differences.partitions);
    CHECK_FALSE(differences.replication_factor);
    REQUIRE(differences.replica_placement.size() == 1);
    CHECK(differences.replica_placement[0] ==
          kflow::replica_placement_difference{1, {2, 3}, {3, 2}});
    CHECK(differences.describe() ==
          std::vector<std::string>{"replicas of partition 1: [2, 3] requested, [3, 2] on the "
                                   "cluster"});

    // Its size is the partition count and its replica count the replication factor.
    auto smaller = observed(2, 1);
    smaller.replica_assignment = {{1}, {2}};
    const auto counts = kflow::compare_topic(spec, smaller);
    REQUIRE(counts.partitions);
    CHECK(*counts.partitions == kflow::partition_count_difference{3, 2});
    REQUIRE(counts.replication_factor);
    CHECK(*counts.replication_factor == kflow::replication_factor_difference{2, 1});
    CHECK(counts.replica_placement.size() == 2);

    // Without the cluster's placement, only the counts are compared.
    CHECK(kflow::compare_topic(spec, observed(3, 2)).none());
}

TEST_CASE("each config that differs or is missing is reported; others are not looked at",
          "[topic_comparison]") {
    const kflow::topic_spec spec("orders", -1, -1,
                                 {{"cleanup.policy", "compact"},
                                  {"compression.type", "zstd"},
                                  {"retention.ms", "86400000"},
                                  {"x.custom", "1"}});
    const auto differences =
        kflow::compare_topic(spec, observed(3, 1,
                                            configs_t{{"cleanup.policy", "compact"},
                                                      {"compression.type", "producer"},
                                                      {"retention.ms", "604800000"},
                                                      {"segment.bytes", "1073741824"}}));
    CHECK(differences.configs == std::vector<kflow::config_difference>{
                                     {"compression.type", "zstd", "producer"},
                                     {"retention.ms", "86400000", "604800000"},
                                     {"x.custom", "1", std::nullopt},
                                 });
    CHECK(differences.describe() ==
          std::vector<std::string>{
              R"(config compression.type: "zstd" requested, "producer" on the cluster)",
              R"(config retention.ms: "86400000" requested, "604800000" on the cluster)",
              R"(config x.custom: "1" requested, not reported by the cluster)",
          });
    // Values are compared exactly, as brokers report them.
    CHECK_FALSE(kflow::compare_topic(kflow::topic_spec("t", -1, -1, {{"compression.type", "ZSTD"}}),
                                     observed(1, 1, configs_t{{"compression.type", "zstd"}}))
                    .none());
}

TEST_CASE("configs that could not be read are not checked, never matching", "[topic_comparison]") {
    const kflow::topic_spec spec("orders", 3, -1, {{"cleanup.policy", "compact"}});
    const auto unknown = kflow::compare_topic(spec, observed(3, 1, std::nullopt));
    CHECK_FALSE(unknown.configs_checked);
    CHECK(unknown.configs.empty());
    CHECK(unknown.none());  // nothing found to differ, but configs_checked says why

    // A spec without configs has nothing to check.
    CHECK(kflow::compare_topic(kflow::topic_spec("orders", 3), observed(3, 1, std::nullopt))
              .configs_checked);

    // The counts are still compared.
    const auto partitions = kflow::compare_topic(spec, observed(1, 1, std::nullopt));
    CHECK(partitions.partitions);
    CHECK_FALSE(partitions.configs_checked);
}
