#pragma once
// kflow::testing::scoped_topic: a topic of the test's own, under a name no other test uses,
// created with the partitions the test needs.
//
//   kflow::testing::mock_cluster cluster;
//   const kflow::testing::scoped_topic orders(cluster, "orders", 3);
//   producer.send({orders, "alice", "hello"});  // converts to the topic's name
//
// On a real cluster (through an admin_client) the topic is deleted when the scoped_topic goes
// away. librdkafka's mock cluster cannot delete topics: it serves no DeleteTopics request and
// rdkafka_mock.h has no call for it (2.0.2, and the newer releases looked at). There the topic
// stays until the mock_cluster is destroyed, which a test's own cluster is at the test's end.

#include <kflow/admin/client.hpp>
#include <kflow/admin/results.hpp>
#include <kflow/admin/topic_spec.hpp>
#include <kflow/error.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace kflow::testing {

/// A topic named unique_name(name_prefix), created with a chosen partition count when the
/// scoped_topic is constructed; converts to its name (std::string_view or const std::string&)
/// wherever kflow takes a topic name.
///
/// Created on a mock_cluster, it lives as long as the cluster: the mock cannot delete topics
/// (no DeleteTopics request, no C API call), so nothing is deleted at the end of the scope, and
/// the unique name is what keeps tests on one cluster apart. Created through an admin_client
/// (a real cluster), it is deleted when the scoped_topic is destroyed, best effort: a deletion
/// that fails is ignored, since a destructor cannot report it and a leftover topic has a name
/// no other test uses.
///
/// Movable (the moved-from object is empty and deletes nothing), not copyable.
class scoped_topic {
  public:
    /// How long the admin_client constructor waits for a new topic to appear in the cluster's
    /// metadata with all its partitions.
    static constexpr std::chrono::milliseconds visible_deadline{30000};

    /// Creates the topic on `cluster` with `partitions` partitions and `replication_factor`
    /// replicas (mock_cluster::create_topic: at least 1, at most the broker count). Throws
    /// kafka_error as create_topic does.
    explicit scoped_topic(mock_cluster& cluster, std::string_view name_prefix = "topic",
                          int partitions = 1, int replication_factor = 1)
        : name_(unique_name(name_prefix)), partitions_(partitions) {
        cluster.create_topic(name_, partitions, replication_factor);
    }

    /// Creates the topic through `admin` (a real cluster: the mock serves no CreateTopics) with
    /// `partitions` partitions and `replication_factor` replicas (-1: the broker's
    /// default.replication.factor), and waits until the cluster's metadata shows it with all its
    /// partitions, for up to visible_deadline. Deletes it when destroyed; `admin` must outlive
    /// this object. Throws kafka_error when the cluster refuses the topic (the broker's code and
    /// message) or when it does not appear in time (errc::timed_out).
    explicit scoped_topic(admin_client& admin, std::string_view name_prefix = "topic",
                          int partitions = 1, int replication_factor = -1)
        : name_(unique_name(name_prefix)), partitions_(partitions) {
        const auto context = "scoped_topic: creating " + name_;
        error_info err;
        const auto created = admin.create_topics(
            {topic_spec(name_, partitions, static_cast<std::int16_t>(replication_factor))}, err);
        if (err)  // the request failed as a whole
            throw kafka_error(err.code, context + ": " + err.message, err.flags);
        throw_if_any_failed(created, context);
        admin_ = &admin;  // from here on, the destructor deletes it
        try {
            wait_until_visible();
        } catch (...) {
            delete_quietly();
            throw;
        }
    }

    scoped_topic(const scoped_topic&) = delete;
    scoped_topic& operator=(const scoped_topic&) = delete;
    /// Takes over the topic (and its deletion); `other` is left empty.
    scoped_topic(scoped_topic&& other) noexcept
        : name_(std::move(other.name_)),
          partitions_(std::exchange(other.partitions_, 0)),
          admin_(std::exchange(other.admin_, nullptr)) {
        other.name_.clear();
    }
    /// Deletes this object's own topic (if it was made through an admin_client), then takes
    /// over `other`'s.
    scoped_topic& operator=(scoped_topic&& other) noexcept {
        if (this != &other) {
            delete_quietly();
            name_ = std::move(other.name_);
            other.name_.clear();
            partitions_ = std::exchange(other.partitions_, 0);
            admin_ = std::exchange(other.admin_, nullptr);
        }
        return *this;
    }
    /// Deletes the topic when it was created through an admin_client; see the class comment.
    ~scoped_topic() { delete_quietly(); }

    /// The topic's name: unique_name(name_prefix).
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    /// The partition count it was created with.
    [[nodiscard]] int partitions() const noexcept { return partitions_; }

    /// The name, for parameters taking a std::string_view.
    operator std::string_view() const noexcept { return name_; }
    /// The name, for parameters (and fields, as producer_record::topic) taking a std::string.
    operator const std::string&() const noexcept { return name_; }

    /// Compares the name, so CHECK(record.topic == topic) reads naturally.
    friend bool operator==(const scoped_topic& topic, std::string_view name) noexcept {
        return topic.name_ == name;
    }
    /// Prints the name (Catch2 shows it in failed checks).
    friend std::ostream& operator<<(std::ostream& os, const scoped_topic& topic) {
        return os << topic.name_;
    }

  private:
    void wait_until_visible() {
        const auto until = std::chrono::steady_clock::now() + visible_deadline;
        for (;;) {
            error_info err;  // a failed request is asked again until the deadline
            const auto described = admin_->describe_topics({name_}, err);
            if (!err && described.size() == 1 && described[0].ok() &&
                described[0].partitions.size() == static_cast<std::size_t>(partitions_))
                return;
            if (std::chrono::steady_clock::now() >= until) {
                throw kafka_error(make_error_code(errc::timed_out),
                                  "scoped_topic: " + name_ + " was created but the cluster did " +
                                      "not show it with " + std::to_string(partitions_) +
                                      " partition(s) within " +
                                      std::to_string(visible_deadline.count()) + " ms");
            }
            // Metadata spreads to the brokers on its own schedule, with no event to await.
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    void delete_quietly() noexcept {
        if (admin_ == nullptr)
            return;
        try {
            error_info ignored;  // a topic that cannot be deleted is only left behind
            (void)admin_->delete_topics({name_}, ignored);
        } catch (...) {  // a destructor must not throw (std::bad_alloc, ...)
        }
        admin_ = nullptr;
    }

    std::string name_;
    int partitions_ = 0;
    admin_client* admin_ = nullptr;  // set when the topic is to be deleted through it
};

}  // namespace kflow::testing
