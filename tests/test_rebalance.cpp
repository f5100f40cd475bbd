// The rebalance listener of consumer<K, V>, end to end against the mock cluster: assigned and
// revoked with eager assignment (the whole assignment each time) and with cooperative-sticky
// assignment (only the partitions that move), as a second member joins and leaves; lost when
// the coordinator no longer knows the member; commits inside on_revoked; and no record lost
// across the members.
//
// The mock takes about 3 s for each group join, so each case keeps its joins few and waits on
// the listener being called (with a deadline), never on a fixed sleep.
#include <kflow/consumer.hpp>

#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/produce.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using kflow::topic_partition;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using string_consumer = kflow::consumer<std::string, std::string>;
using partition_list = std::vector<topic_partition>;

namespace {

constexpr int partitions = 4;

/// Writes `count` records to each partition of `topic`.
void produce_each(const std::string& bootstrap, const std::string& topic, int count) {
    kflow::producer<std::string, std::string> producer(
        kflow::testing::test_producer_config(bootstrap));
    for (int p = 0; p < partitions; ++p)
        kflow::testing::produce_n(producer, topic, count, {.partition = p});
}

partition_list sorted(partition_list list) {
    std::sort(list.begin(), list.end());
    return list;
}

partition_list all_partitions(const std::string& topic) {
    partition_list out;
    for (int p = 0; p < partitions; ++p)
        out.push_back({topic, p});
    return out;
}

/// One member of the group: its consumer, what its listener heard, what it read.
struct member {
    std::string name;
    std::optional<string_consumer> consumer;
    std::vector<partition_list> assigned;
    std::vector<partition_list> revoked;
    std::vector<partition_list> lost;
    std::vector<std::error_code> revoke_commits;  ///< outcome of each commit in on_revoked
    /// Where the group's committed offset said each newly assigned partition resumes.
    std::map<topic_partition, std::int64_t> resume_at;
    std::map<topic_partition, std::int64_t> first_read;
    std::set<std::pair<std::int32_t, std::int64_t>> read;  ///< (partition, offset)

    member(std::string member_name, const kflow::consumer_config& config)
        : name(std::move(member_name)), consumer(std::in_place, config) {}
    member(const member&) = delete;
    member& operator=(const member&) = delete;
    /// The consumer goes first: closing it calls the listener, which records into the members
    /// declared after it.
    ~member() { consumer.reset(); }

    /// What the listener heard, for a failure message.
    [[nodiscard]] std::string describe() const {
        return name + ": " + std::to_string(assigned.size()) + " assignment(s), " +
               std::to_string(revoked.size()) + " revocation(s), " + std::to_string(lost.size()) +
               " loss(es), " + std::to_string(read.size()) + " record(s) read, owns " +
               std::to_string(consumer->assignment().size()) + " partition(s)";
    }

    void subscribe(const std::string& topic, bool with_on_lost = true) {
        kflow::rebalance_listener listener;
        listener.on_assigned = [this](const partition_list& parts) {
            assigned.push_back(parts);
            if (parts.empty())
                return;
            // The listener may use the consumer: where will these partitions resume?
            for (const auto& c : consumer->committed(parts)) {
                resume_at[c.partition_id()] = c.offset < 0 ? 0 : c.offset;
            }
        };
        listener.on_revoked = [this](const partition_list& parts) {
            revoked.push_back(parts);
            if (parts.empty())
                return;
            kflow::error_info ec;
            consumer->commit(ec);  // the work done so far, before the partitions move
            revoke_commits.push_back(ec.code);
        };
        if (with_on_lost) {
            listener.on_lost = [this](const partition_list& parts) { lost.push_back(parts); };
        }
        consumer->subscribe({topic}, std::move(listener));
    }

    void poll_once() {
        for (const auto& r : consumer->poll_batch(100, 20ms)) {
            first_read.try_emplace(r.position().partition_id(), r.offset);
            read.insert({r.partition, r.offset});
        }
    }

    /// How often the listener was given, or asked to give up, partitions (a cooperative
    /// rebalance may also call it with none).
    [[nodiscard]] std::size_t non_empty_assignments() const { return non_empty(assigned); }
    [[nodiscard]] std::size_t non_empty_revocations() const { return non_empty(revoked); }

    static std::size_t non_empty(const std::vector<partition_list>& calls) {
        return static_cast<std::size_t>(
            std::count_if(calls.begin(), calls.end(), [](const auto& c) { return !c.empty(); }));
    }
};

/// Polls every member in turn until `done()` holds or `deadline` passes (generous: a loaded
/// machine slows the mock's joins down).
bool poll_until(const std::vector<member*>& members, const std::function<bool()>& done,
                std::chrono::milliseconds deadline = 60s) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= until) {
            for (auto* m : members)
                UNSCOPED_INFO(m->describe());
            return false;
        }
        for (auto* m : members)
            m->poll_once();
    }
    return true;
}

/// True when the two members together read every offset below `count` in every partition.
bool read_everything(const std::vector<member*>& members, std::int64_t count) {
    for (int p = 0; p < partitions; ++p) {
        for (std::int64_t o = 0; o < count; ++o) {
            const bool seen = std::any_of(members.begin(), members.end(), [&](member* m) {
                return m->read.count({p, o}) != 0;
            });
            if (!seen)
                return false;
        }
    }
    return true;
}

/// A commit inside on_revoked: Kafka accepts it (the generation is still current); librdkafka
/// 2.0.2's mock may answer REBALANCE_IN_PROGRESS while the rebalance is pending.
void check_revoke_commits(const member& m) {
    for (const auto& ec : m.revoke_commits) {
        if (kflow::testing::real_cluster_bootstrap()) {
            CHECK_FALSE(ec);
        } else {
            CHECK((!ec || ec == kflow::make_error_code(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS)));
        }
    }
}

/// Every partition the member was newly given started exactly where the group had committed.
void check_resumed_at_commit(const member& m) {
    for (const auto& [tp, first] : m.first_read) {
        const auto it = m.resume_at.find(tp);
        REQUIRE(it != m.resume_at.end());
        CHECK(first == it->second);
    }
}

kflow::consumer_config group_config(const std::string& bootstrap, const std::string& group,
                                    std::string_view strategy) {
    auto config = kflow::testing::test_consumer_config(bootstrap, group);
    config.enable_auto_commit(false).partition_assignment_strategy(strategy);
    return config;
}

}  // namespace

TEST_CASE("eager assignment: the listener hears of whole assignments, and commits in on_revoked",
          "[consumer][rebalance][mock]") {
    mock_cluster cluster;
    const auto real = kflow::testing::real_cluster_bootstrap();
    const auto bootstrap = real.value_or(cluster.bootstrap_servers());
    const auto topic = unique_name("eager");
    if (!real)
        cluster.create_topic(topic, partitions);
    const auto config = group_config(bootstrap, unique_name("g"), "range,roundrobin");
    produce_each(bootstrap, topic, 10);

    member a("a", config);
    a.subscribe(topic);
    REQUIRE(poll_until({&a}, [&] { return a.read.size() == 4 * 10; }));
    CHECK(a.consumer->rebalance_protocol() == "EAGER");
    REQUIRE(a.assigned.size() == 1);
    CHECK(sorted(a.assigned[0]) == all_partitions(topic));
    // Half of the work is committed now; the rest only when the partitions are revoked.
    std::vector<kflow::topic_partition_offset> half;
    for (int p = 0; p < partitions; ++p)
        half.push_back({topic, p, 5});
    a.consumer->commit(half);

    // A second member joins: the first gives up everything, then both get half.
    member b("b", config);
    b.subscribe(topic);
    REQUIRE(poll_until({&a, &b}, [&] {
        // The group may take more than one round to settle (a member can be late for a round):
        // wait for the settled state, not for a number of callbacks.
        return !a.assigned.empty() && a.assigned.back().size() == 2 && !b.assigned.empty() &&
               b.assigned.back().size() == 2;
    }));
    REQUIRE_FALSE(a.revoked.empty());
    CHECK(sorted(a.revoked[0]) == all_partitions(topic));  // eager: all of it
    auto both = a.assigned.back();
    both.insert(both.end(), b.assigned.back().begin(), b.assigned.back().end());
    CHECK(sorted(both) == all_partitions(topic));
    CHECK(b.consumer->assignment().size() == 2);

    // New records go to both; together they read every record, and the newcomer began each
    // of its partitions exactly where the group's commit said.
    produce_each(bootstrap, topic, 10);
    REQUIRE(poll_until({&a, &b}, [&] { return read_everything({&a, &b}, 20); }));
    check_resumed_at_commit(b);
    for (const auto& [tp, at] : b.resume_at)
        CHECK((at == 5 || at == 10));

    // The second member leaves: the first hears of the revocation and gets everything back.
    b.consumer->close();
    const auto revocations_before = a.revoked.size();
    REQUIRE(poll_until({&a}, [&] {
        return a.revoked.size() > revocations_before &&
               sorted(a.assigned.back()) == all_partitions(topic);
    }));
    CHECK(a.revoked.back().size() == 2);
    produce_each(bootstrap, topic, 5);
    REQUIRE(poll_until({&a}, [&] { return read_everything({&a, &b}, 25); }));  // b is closed

    REQUIRE_FALSE(a.revoke_commits.empty());
    check_revoke_commits(a);
    check_revoke_commits(b);
    a.consumer->close();
}

TEST_CASE("cooperative-sticky assignment: the listener hears only of partitions that move",
          "[consumer][rebalance][mock]") {
    mock_cluster cluster;
    const auto real = kflow::testing::real_cluster_bootstrap();
    const auto bootstrap = real.value_or(cluster.bootstrap_servers());
    const auto topic = unique_name("cooperative");
    if (!real)
        cluster.create_topic(topic, partitions);
    const auto config = group_config(bootstrap, unique_name("g"), "cooperative-sticky");
    produce_each(bootstrap, topic, 10);

    member a("a", config);
    a.subscribe(topic);
    REQUIRE(poll_until({&a}, [&] { return a.read.size() == 4 * 10; }));
    CHECK(a.consumer->rebalance_protocol() == "COOPERATIVE");
    REQUIRE(a.non_empty_assignments() == 1);
    CHECK(sorted(a.assigned[0]) == all_partitions(topic));

    // A second member joins: the first gives up two partitions and keeps the others, without
    // hearing of them again; the newcomer gets the two.
    member b("b", config);
    b.subscribe(topic);
    REQUIRE(poll_until({&a, &b}, [&] {
        return b.consumer->assignment().size() == 2 && a.consumer->assignment().size() == 2;
    }));
    REQUIRE(a.non_empty_revocations() >= 1);
    partition_list given_up;  // everything the first member gave up, over every round
    for (const auto& r : a.revoked) {
        CHECK(r.size() < std::size_t{partitions});  // never the whole assignment
        given_up.insert(given_up.end(), r.begin(), r.end());
    }
    CHECK(given_up.size() == 2);
    CHECK(a.non_empty_assignments() == 1);
    CHECK(sorted(b.consumer->assignment()) == sorted(given_up));
    CHECK(a.consumer->assignment().size() == 2);
    CHECK(b.consumer->assignment().size() == 2);

    produce_each(bootstrap, topic, 10);
    REQUIRE(poll_until({&a, &b}, [&] { return read_everything({&a, &b}, 20); }));
    check_resumed_at_commit(b);

    // The second member leaves: the first is given its two partitions, and revokes nothing.
    b.consumer->close();
    const auto revocations_before = a.non_empty_revocations();
    REQUIRE(poll_until({&a}, [&] { return a.consumer->assignment().size() == 4; }));
    CHECK(a.non_empty_revocations() == revocations_before);
    const auto last = *std::find_if(a.assigned.rbegin(), a.assigned.rend(),
                                    [](const auto& parts) { return !parts.empty(); });
    CHECK(sorted(last) == sorted(given_up));
    CHECK(sorted(a.consumer->assignment()) == all_partitions(topic));
    produce_each(bootstrap, topic, 5);
    REQUIRE(poll_until({&a}, [&] { return read_everything({&a, &b}, 25); }));

    REQUIRE_FALSE(a.revoke_commits.empty());
    check_revoke_commits(a);
    check_revoke_commits(b);
    a.consumer->close();
}

TEST_CASE("partitions are lost when the coordinator forgets the member",
          "[consumer][rebalance][mock]") {
    // The mock can produce a loss: a heartbeat answered UNKNOWN_MEMBER_ID makes librdkafka drop
    // its assignment as lost (another member may own it already) and join again.
    mock_cluster cluster;
    const auto topic = unique_name("lost");
    cluster.create_topic(topic, partitions);
    const auto config =
        group_config(cluster.bootstrap_servers(), unique_name("g"), "range,roundrobin");

    SECTION("on_lost hears of it, on_revoked does not") {
        member a("a", config);
        a.subscribe(topic);
        REQUIRE(poll_until({&a}, [&] { return a.non_empty_assignments() == 1; }));
        cluster.push_request_errors(kflow::testing::api_key::heartbeat,
                                    {RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID});
        REQUIRE(poll_until({&a}, [&] { return !a.lost.empty(); }));
        CHECK(sorted(a.lost[0]) == all_partitions(topic));
        CHECK(a.revoked.empty());
        // It joins again and is given the partitions anew.
        REQUIRE(poll_until({&a}, [&] { return a.non_empty_assignments() == 2; }));
        CHECK(sorted(a.consumer->assignment()) == all_partitions(topic));
    }
    SECTION("without on_lost, on_revoked hears of it") {
        produce_each(cluster.bootstrap_servers(), topic, 2);
        member a("a", config);
        a.subscribe(topic, false);
        REQUIRE(poll_until({&a}, [&] { return a.read.size() == 4 * 2; }));
        cluster.push_request_errors(kflow::testing::api_key::heartbeat,
                                    {RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID});
        REQUIRE(poll_until({&a}, [&] { return !a.revoked.empty(); }));
        CHECK(sorted(a.revoked[0]) == all_partitions(topic));
        // Committing for lost partitions cannot succeed: the group no longer knows the member.
        REQUIRE(a.revoke_commits.size() == 1);
        CHECK(a.revoke_commits[0]);
    }
}
