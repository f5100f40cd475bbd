// ensure_topics against a real Kafka cluster (KFLOW_TEST_BOOTSTRAP=host:port): create, find up
// to date with configs read back, then add partitions and change configs, and check the cluster
// agrees. Topics get names unique to the run and are deleted afterwards. Without
// KFLOW_TEST_BOOTSTRAP ctest reports the program Skipped (exit code 77).
#include <kflow/admin/ensure_topics.hpp>

#include <kflow/testing/helpers.hpp>
#include <kflow/testing/run_coroutine.hpp>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

/// Deletes the topics it was given when the test ends, whatever happened.
class topic_cleanup {
  public:
    topic_cleanup(kflow::admin_client& admin, std::vector<std::string> topics)
        : admin_(admin), topics_(std::move(topics)) {}
    topic_cleanup(const topic_cleanup&) = delete;
    topic_cleanup& operator=(const topic_cleanup&) = delete;
    ~topic_cleanup() {
        kflow::error_info err;
        (void)admin_.delete_topics(topics_, err);
    }

  private:
    kflow::admin_client& admin_;
    std::vector<std::string> topics_;
};

/// A topic's config value as the cluster reports it now.
std::optional<std::string> config_value(kflow::admin_client& admin, const std::string& topic,
                                        const std::string& name) {
    const auto described = admin.describe_configs({kflow::config_resource::topic(topic)});
    if (const auto* entry = described.at(0).find(name))
        return entry->value;
    return std::nullopt;
}

/// Metadata reaches every broker shortly after a change: ask until `done` holds or 30 s pass.
template <class Predicate>
bool eventually(Predicate done) {
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < until) {
        if (done())
            return true;
        std::this_thread::sleep_for(200ms);  // polling a remote cluster: no event to await
    }
    return done();
}

std::string report(const std::vector<kflow::topic_ensure_result>& results) {
    std::string text;
    for (const auto& r : results) {
        for (const auto& line : r.describe())
            text += line + "\n";
    }
    return text;
}

}  // namespace

TEST_CASE("ensure_topics creates, verifies and alters topics on a real cluster",
          "[ensure_topics][integration]") {
    const auto bootstrap = kflow::testing::real_cluster_bootstrap();
    if (!bootstrap) {
        WARN(
            "SKIPPED: ensure_topics creates, verifies and alters topics on a real cluster: set "
            "KFLOW_TEST_BOOTSTRAP");
        return;
    }
    kflow::admin_config cfg;
    cfg.bootstrap_servers(*bootstrap).request_timeout(30s);
    kflow::admin_client admin(cfg);
    const auto orders = kflow::testing::unique_name("kflow-it-ensure-orders");
    const auto compacted = kflow::testing::unique_name("kflow-it-ensure-compacted");
    const topic_cleanup cleanup(admin, {orders, compacted});

    std::vector<kflow::topic_spec> specs{
        kflow::topic_spec(orders, 2, 1, {{"retention.ms", "86400000"}, {"segment.ms", "7200000"}}),
        kflow::topic_spec(compacted, 1, 1, {{"cleanup.policy", "compact"}})};

    auto created = kflow::ensure_topics(admin, specs);
    INFO(report(created));
    REQUIRE(created.size() == 2);
    for (const auto& r : created) {
        CHECK(r.outcome == kflow::topic_outcome::created);
        CHECK(r.as_specified());
    }
    REQUIRE(eventually([&] { return admin.describe_topics({orders, compacted}).at(1).ok(); }));

    // A second run finds both as specified, configs read back and compared.
    const auto again = kflow::ensure_topics(admin, specs);
    INFO(report(again));
    for (const auto& r : again) {
        CHECK(r.outcome == kflow::topic_outcome::up_to_date);
        CHECK(r.configs_checked());
        CHECK(r.as_specified());
    }

    // More partitions and another retention: reported, then applied when allowed.
    specs[0] = kflow::topic_spec(orders, 4, 1, {{"retention.ms", "3600000"}});
    const auto differs = kflow::ensure_topics(admin, specs);
    INFO(report(differs));
    CHECK(differs[0].outcome == kflow::topic_outcome::differs);
    REQUIRE(differs[0].found.partitions);
    CHECK(*differs[0].found.partitions == kflow::partition_count_difference{4, 2});
    REQUIRE(differs[0].found.configs.size() == 1);
    CHECK(differs[0].found.configs[0] ==
          kflow::config_difference{"retention.ms", "3600000", "86400000"});

    const auto altered = kflow::ensure_topics(
        admin, specs, kflow::ensure_options{.add_partitions = true, .alter_configs = true});
    INFO(report(altered));
    CHECK(altered[0].outcome == kflow::topic_outcome::altered);
    CHECK(altered[0].as_specified());
    CHECK(altered[1].outcome == kflow::topic_outcome::up_to_date);
    CHECK(eventually([&] { return admin.describe_topics({orders}).at(0).partitions.size() == 4; }));
    CHECK(eventually([&] { return config_value(admin, orders, "retention.ms") == "3600000"; }));
    // A config set on the topic that the new spec does not name is kept, whether the change
    // went through incremental alteration or the replacing fallback.
    CHECK(config_value(admin, orders, "segment.ms") == "7200000");
    CHECK(config_value(admin, compacted, "cleanup.policy") == "compact");

    // Fewer partitions than the cluster has: reported, never "fixed".
    specs[0] = kflow::topic_spec(orders, 1, 1);
    const auto fewer = kflow::ensure_topics(admin, specs, {.add_partitions = true});
    CHECK(fewer[0].outcome == kflow::topic_outcome::differs);
    CHECK(fewer[0].ok());
}

TEST_CASE("async_ensure_topics against a real cluster", "[ensure_topics][integration][async]") {
    const auto bootstrap = kflow::testing::real_cluster_bootstrap();
    if (!bootstrap) {
        WARN("SKIPPED: async_ensure_topics against a real cluster: set KFLOW_TEST_BOOTSTRAP");
        return;
    }
    asio::io_context io;
    kflow::admin_config cfg;
    cfg.bootstrap_servers(*bootstrap).request_timeout(30s);
    kflow::admin_client admin(io.get_executor(), cfg);
    const auto topic = kflow::testing::unique_name("kflow-it-ensure-async");
    const topic_cleanup cleanup(admin, {topic});

    std::vector<kflow::topic_ensure_result> results;
    kflow::testing::run_coroutine(io, [&]() -> asio::awaitable<void> {
        const std::vector<kflow::topic_spec> specs{kflow::topic_spec(topic, 1, 1)};
        results = co_await kflow::async_ensure_topics(admin, specs);
    });
    INFO(report(results));
    REQUIRE(results.size() == 1);
    CHECK(results[0].outcome == kflow::topic_outcome::created);
}
