// kflow-admin: makes a cluster's topics match a JSON spec file, then prints consumer lag; or
// makes its ACLs match a JSON ACL spec.
//
//   kflow-admin --bootstrap broker:9092 --spec topics.json [--apply] [--group billing]...
//   kflow-admin acls ensure acls.json --bootstrap broker:9092 [--dry-run] [--prune]
//
// The cluster is --bootstrap's, else KAFKA_BOOTSTRAP_SERVERS's; every other KAFKA_* variable
// (security protocol, SASL, TLS, ...) applies to it through kflow::config_from_env. With neither
// it runs against an embedded mock cluster (librdkafka's), so every step runs anywhere: it creates
// the spec's topics there itself (the mock does not serve CreateTopics), ensures them as it would
// on a real cluster, produces a few records, commits offsets for a demo consumer group and prints
// that group's lag. The mock has no ACL APIs at all: `acls ensure` against it shows how ensure_acls
// reports a cluster that cannot describe its ACLs.

#include "options.hpp"

#include <kflow/admin.hpp>
#include <kflow/consumer.hpp>
#include <kflow/env_config.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

constexpr const char* demo_group = "kflow-admin-demo";
constexpr int demo_records_per_partition = 5;

/// The connection to a real cluster: every KAFKA_* variable (kflow::config_from_env), with
/// --bootstrap, when given, in place of KAFKA_BOOTSTRAP_SERVERS. Without bootstrap.servers the
/// example runs its embedded mock cluster instead, which speaks plain TCP: the KAFKA_* security
/// settings then do not apply.
kflow::client_config connection_from(const std::string& bootstrap_option) {
    kflow::client_config connection = kflow::config_from_env();
    if (!bootstrap_option.empty())
        connection.bootstrap_servers(bootstrap_option);
    return connection;
}

/// Enough mock brokers for every replication factor and broker id the spec names.
int brokers_needed(const std::vector<kflow::topic_spec>& specs) {
    int brokers = 1;
    for (const auto& spec : specs) {
        brokers = std::max(brokers,
                           static_cast<int>(kflow::requested_replication_factor(spec).value_or(1)));
        for (const auto& replicas : spec.replica_assignment) {
            for (const auto broker : replicas)
                brokers = std::max(brokers, static_cast<int>(broker));
        }
    }
    return brokers;
}

/// The spec's topics on the mock, created the only way the mock allows.
void create_on_mock(kflow::testing::mock_cluster& cluster,
                    const std::vector<kflow::topic_spec>& specs) {
    for (const auto& spec : specs) {
        cluster.create_topic(spec.name, kflow::requested_partition_count(spec).value_or(1),
                             kflow::requested_replication_factor(spec).value_or(1));
    }
}

/// Prints what ensure_topics found and did; true when nothing failed or still differs.
bool print_topics(const std::vector<kflow::topic_ensure_result>& results) {
    bool all_good = true;
    int unchecked = 0;
    for (const auto& topic : results) {
        for (const auto& line : topic.describe())
            std::cout << "  " << line << '\n';
        all_good = all_good && topic.ok() && topic.outcome != kflow::topic_outcome::differs;
        unchecked += topic.configs_checked() ? 0 : 1;
    }
    if (unchecked > 0) {
        std::cout << "  (" << unchecked << " topic(s) with configs that could not be read back:"
                  << " neither confirmed nor changed)\n";
    }
    return all_good;
}

/// Produces a few keyed records to every partition of `topics`; returns how many were confirmed.
std::size_t produce_demo_records(const std::string& bootstrap,
                                 const std::vector<kflow::topic_metadata>& topics) {
    kflow::producer<std::string, std::string> producer(
        kflow::producer_config().bootstrap_servers(bootstrap).client_id("kflow-admin"));
    std::size_t confirmed = 0;
    std::size_t sent = 0;
    for (const auto& topic : topics) {
        for (const auto& partition : topic.partitions) {
            for (int i = 0; i < demo_records_per_partition; ++i) {
                kflow::producer_record<std::string, std::string> record(
                    topic.name, "key-" + std::to_string(i), "record " + std::to_string(i), {},
                    partition.id);
                producer.send(record,
                              [&confirmed](std::error_code ec, const kflow::record_metadata&) {
                                  if (!ec)
                                      ++confirmed;
                              });
                ++sent;
            }
        }
    }
    kflow::error_info flushed;
    producer.flush(30s, flushed);
    if (flushed)
        std::cerr << "kflow-admin: " << flushed.message << '\n';
    std::cout << "  produced " << confirmed << " of " << sent << " records ("
              << demo_records_per_partition << " per partition)\n";
    return confirmed;
}

/// A consumer of the demo group reads `topic` and commits as if it had processed all but the
/// last `p` records of partition p, so the lag table has something to show.
void commit_demo_offsets(const std::string& bootstrap, const kflow::topic_metadata& topic) {
    kflow::consumer<std::string, std::string> consumer(
        kflow::testing::test_consumer_config(bootstrap, demo_group)
            .client_id("kflow-admin")
            // Only the explicit commit below: auto-commit would commit everything read on close.
            .enable_auto_commit(false));
    std::vector<kflow::topic_partition_offset> start;
    for (const auto& partition : topic.partitions)
        start.emplace_back(topic.name, partition.id, 0);
    // Assigned rather than subscribed: no group rebalance to wait for.
    consumer.assign(start);
    const auto expected = topic.partitions.size() * demo_records_per_partition;
    const auto records = kflow::testing::consume_until(consumer, expected, 30s);
    std::vector<kflow::topic_partition_offset> commits;
    for (const auto& partition : topic.partitions) {
        const auto behind = std::min<std::int64_t>(partition.id, demo_records_per_partition);
        commits.emplace_back(topic.name, partition.id, demo_records_per_partition - behind);
    }
    consumer.commit(commits);
    std::cout << "  group " << demo_group << " read " << records.size() << " records of "
              << topic.name << " and committed offsets\n";
    consumer.close();
}

std::string offset_text(std::int64_t offset) {
    return offset < 0 ? std::string("-") : std::to_string(offset);
}

/// The lag table of `groups`; true when every lag could be read.
bool print_lag(kflow::admin_client& admin, const std::vector<std::string>& groups,
               const std::vector<std::string>& topics) {
    struct row {
        std::string group, topic, partition, committed, high, lag;
    };
    std::vector<row> rows{{"GROUP", "TOPIC", "PARTITION", "COMMITTED", "HIGH WATERMARK", "LAG"}};
    std::vector<std::string> totals;
    bool all_read = true;
    for (const auto& group : groups) {
        kflow::error_info err;
        const auto lag = admin.consumer_group_lag(group, topics, err);
        if (err) {
            std::cout << "  " << group << ": cannot read lag: " << err.message << '\n';
            all_read = false;
            continue;
        }
        if (lag.partitions.empty())
            std::cout << "  " << group << ": no committed offsets\n";
        for (const auto& p : lag.partitions) {
            std::string lag_text = p.lag ? std::to_string(*p.lag) : std::string("-");
            if (p.error) {
                lag_text = "error: " + (p.message.empty() ? p.error.message() : p.message);
                all_read = false;
            }
            rows.push_back({group, p.topic, std::to_string(p.partition), offset_text(p.committed),
                            offset_text(p.high_watermark), lag_text});
        }
        totals.push_back(group + ": total lag " + std::to_string(lag.total()));
    }
    std::vector<std::size_t> width(6, 0);
    for (const auto& r : rows) {
        const std::string* cells[] = {&r.group,     &r.topic, &r.partition,
                                      &r.committed, &r.high,  &r.lag};
        for (std::size_t i = 0; i < 6; ++i)
            width[i] = std::max(width[i], cells[i]->size());
    }
    if (rows.size() > 1) {
        for (const auto& r : rows) {
            const std::string* cells[] = {&r.group,     &r.topic, &r.partition,
                                          &r.committed, &r.high,  &r.lag};
            std::cout << "  ";
            for (std::size_t i = 0; i < 6; ++i) {
                // Names left-aligned, numbers right-aligned.
                std::cout << (i < 2 ? std::left : std::right)
                          << std::setw(static_cast<int>(width[i])) << *cells[i]
                          << (i + 1 < 6 ? "  " : "\n");
            }
        }
    }
    for (const auto& total : totals)
        std::cout << "  " << total << '\n';
    return all_read;
}

/// `acls ensure FILE`: the plan, then what was done; exit status as the usage text says.
int run_acls(const admin_example::options& opts) {
    const auto spec = kflow::load_acl_spec(opts.spec_file);

    std::optional<kflow::testing::mock_cluster> cluster;
    const kflow::client_config connection = connection_from(opts.bootstrap);
    std::string bootstrap = connection.get("bootstrap.servers").value_or("");
    kflow::admin_config config;
    if (bootstrap.empty()) {
        cluster.emplace(1);
        bootstrap = cluster->bootstrap_servers();
        std::cout << "kflow-admin: embedded mock Kafka cluster at " << bootstrap << '\n'
                  << "  The mock serves no ACL API (DescribeAcls, CreateAcls, DeleteAcls): pass\n"
                  << "  --bootstrap (or set KAFKA_BOOTSTRAP_SERVERS) to ensure ACLs on a real\n"
                  << "  cluster.\n";
        config.request_timeout(3s);
    } else {
        config = kflow::admin_config(connection);
        std::cout << "kflow-admin: Kafka cluster at " << bootstrap << '\n';
    }
    config.bootstrap_servers(bootstrap).client_id("kflow-admin");
    kflow::admin_client admin(config);

    std::cout << "\nACLs of " << opts.spec_file << " ("
              << (opts.dry_run ? "dry run, changing nothing" : "creating what is missing")
              << (opts.prune ? "; pruning: the spec is authoritative for its principals"
                             : "; additive: --prune deletes other bindings of its principals")
              << "):\n";
    kflow::error_info err;
    const auto result =
        kflow::ensure_acls(admin, spec, {.prune = opts.prune, .dry_run = opts.dry_run}, err);
    if (err) {
        std::cerr << "kflow-admin: cannot ensure ACLs: " << err.message << '\n';
        return EXIT_FAILURE;
    }
    for (const auto& line : result.describe())
        std::cout << "  " << line << '\n';
    return result.as_specified() ? EXIT_SUCCESS : EXIT_FAILURE;
}

int run(const admin_example::options& opts) {
    if (opts.what == admin_example::command::acls_ensure)
        return run_acls(opts);
    const auto specs = kflow::load_topic_specs(opts.spec_file);

    // Declared first so that it outlives every client that talks to it.
    std::optional<kflow::testing::mock_cluster> cluster;
    const kflow::client_config connection = connection_from(opts.bootstrap);
    std::string bootstrap = connection.get("bootstrap.servers").value_or("");
    kflow::admin_config config;
    if (bootstrap.empty()) {
        cluster.emplace(brokers_needed(specs));
        bootstrap = cluster->bootstrap_servers();
        std::cout
            << "kflow-admin: embedded mock Kafka cluster at " << bootstrap << " ("
            << cluster->broker_count() << " broker(s))\n"
            << "  The mock does not serve CreateTopics, CreatePartitions, DescribeConfigs or\n"
            << "  AlterConfigs: kflow-admin creates the spec's topics with\n"
            << "  mock_cluster::create_topic, so ensure_topics finds them; their configs\n"
            << "  cannot be read back from the mock.\n";
        create_on_mock(*cluster, specs);
        // librdkafka 2.0.2 waits for a controller the mock never names before DescribeConfigs
        // fails: do not wait the default 30 s for that.
        config.request_timeout(3s);
    } else {
        config = kflow::admin_config(connection);
        std::cout << "kflow-admin: Kafka cluster at " << bootstrap << '\n';
    }
    config.bootstrap_servers(bootstrap).client_id("kflow-admin");
    kflow::admin_client admin(config);

    std::cout << "\nTopics of " << opts.spec_file << " ("
              << (opts.apply ? "adding partitions and changing configs that differ"
                             : "checking only; --apply adds partitions and changes configs")
              << "):\n";
    const auto results = kflow::ensure_topics(
        admin, specs, {.add_partitions = opts.apply, .alter_configs = opts.apply});
    const bool topics_good = print_topics(results);

    std::vector<std::string> groups = opts.groups;
    std::vector<std::string> lag_topics;  // empty: every partition a group committed
    if (cluster && !specs.empty()) {
        std::cout << "\nDemo traffic:\n";
        std::vector<std::string> names;
        for (const auto& spec : specs)
            names.push_back(spec.name);
        const auto described = admin.describe_topics(names);
        produce_demo_records(bootstrap, described);
        commit_demo_offsets(bootstrap, described.front());
        groups.insert(groups.begin(), demo_group);
        lag_topics.push_back(described.front().name);
    }

    bool lag_good = true;
    if (!groups.empty()) {
        std::cout << "\nConsumer lag:\n";
        lag_good = print_lag(admin, groups, lag_topics);
    }
    return topics_good && lag_good ? EXIT_SUCCESS : EXIT_FAILURE;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    const auto parsed = admin_example::parse_options(args);
    if (!parsed.parsed) {
        std::cerr << "kflow-admin: " << parsed.error << "\n\n" << admin_example::usage_text;
        return 2;
    }
    if (parsed.parsed->help) {
        std::cout << admin_example::usage_text;
        return EXIT_SUCCESS;
    }
    try {
        return run(*parsed.parsed);
    } catch (const kflow::topic_spec_error& e) {
        std::cerr << "kflow-admin: " << e.what() << '\n';
        return 2;
    } catch (const kflow::acl_spec_error& e) {
        std::cerr << "kflow-admin: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "kflow-admin: " << e.what() << '\n';
        return EXIT_FAILURE;
    }
}
