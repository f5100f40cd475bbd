#pragma once
// kflow::cluster_health: a bounded check of a cluster's brokers, controller and partitions, and
// optionally a produce-and-read-back canary, with a one-line verdict (healthy / degraded /
// unreachable) and the details behind it.

#include <kflow/admin/client.hpp>
#include <kflow/admin/detail/handles.hpp>
#include <kflow/admin/detail/metadata_requests.hpp>
#include <kflow/admin/health_canary.hpp>
#include <kflow/error.hpp>
#include <kflow/metadata.hpp>
#include <kflow/topic_partition.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kflow {

/// The overall outcome of cluster_health().
enum class health_verdict {
    healthy,      ///< metadata read, a controller known, every checked partition fully in sync
    degraded,     ///< reachable, but something needs attention (see cluster_health_report)
    unreachable,  ///< no broker answered a metadata request within the deadline
};

/// "healthy", "degraded" or "unreachable".
[[nodiscard]] constexpr std::string_view to_string(health_verdict v) noexcept {
    switch (v) {
        case health_verdict::healthy:
            return "healthy";
        case health_verdict::degraded:
            return "degraded";
        case health_verdict::unreachable:
            return "unreachable";
    }
    return "unknown";
}

/// What cluster_health() checks and how long it may take.
struct cluster_health_options {
    /// The whole check's budget: the metadata request, the broker probes and the canary
    /// together. The blocking forms return within about this long, whatever the cluster does.
    std::chrono::milliseconds deadline = std::chrono::seconds(10);
    /// Topics to check; empty checks every topic the cluster has, internal ones included. A
    /// topic named here that the cluster does not have makes the cluster degraded.
    std::vector<std::string> topics;
    /// When set, one record is produced (acks=all) to the canary's partition and read back
    /// from where it was stored, within the deadline, while the brokers are probed; a canary
    /// that fails or runs out of time makes the cluster degraded. Off by default.
    std::optional<health_canary> canary{};
};

/// Why a partition counts against the cluster's health.
enum class partition_problem {
    offline,             ///< no leader (or the metadata reports an error for it)
    under_replicated,    ///< fewer in-sync replicas than replicas
    leader_unreachable,  ///< its leader broker did not answer within the deadline
};

/// "offline", "under-replicated" or "leader unreachable".
[[nodiscard]] constexpr std::string_view to_string(partition_problem p) noexcept {
    switch (p) {
        case partition_problem::offline:
            return "offline";
        case partition_problem::under_replicated:
            return "under-replicated";
        case partition_problem::leader_unreachable:
            return "leader unreachable";
    }
    return "unknown";
}

/// One unhealthy partition.
struct partition_health_issue {
    std::string topic;             ///< the partition's topic
    partition_metadata partition;  ///< leader, replicas and ISR as the metadata reported
    partition_problem problem = partition_problem::offline;  ///< what is wrong with it
};

/// The outcome of cluster_health(): the verdict, and what it rests on.
///
/// What counts as unhealthy (verdict degraded): no controller id; a topic asked for that the
/// cluster does not have or reports with an error; a partition with no leader or with an error
/// (offline); a partition whose in-sync replicas are fewer than its replicas
/// (under-replicated); a broker the metadata lists that does not answer a request sent to it
/// within the deadline, or a partition leader the metadata does not list at all (newer brokers
/// leave a down broker out), both listed in unreachable_brokers, and every partition such a
/// broker leads (leader_unreachable); a canary, when one was asked for, that was not produced
/// and read back within the deadline. unreachable: no metadata within the deadline. A
/// controller id that is not among the brokers is reported as is (librdkafka 2.0.2's mock names
/// broker 0).
struct cluster_health_report {
    health_verdict verdict = health_verdict::unreachable;  ///< the overall outcome
    /// One line: "healthy", "degraded: <reasons>" or "unreachable: <reason>".
    std::string summary;
    std::string cluster_id;                ///< as the brokers report it; empty when unknown
    std::int32_t controller_id = -1;       ///< -1 when unknown
    std::vector<broker_metadata> brokers;  ///< the brokers the metadata lists, sorted by id
    /// Ids of leader brokers that did not answer within the deadline, sorted.
    std::vector<std::int32_t> unreachable_brokers;
    std::vector<topic_metadata> topics;          ///< the topics checked, with their partitions
    std::vector<partition_health_issue> issues;  ///< every unhealthy partition
    /// Topics asked for that could not be described (unknown, or an error), with the reason.
    std::vector<topic_metadata> topic_errors;
    /// The canary's outcome when cluster_health_options::canary was set (on an unreachable
    /// cluster it was not run); std::nullopt otherwise.
    std::optional<health_canary_report> canary{};

    /// True when the verdict is healthy.
    [[nodiscard]] bool healthy() const noexcept { return verdict == health_verdict::healthy; }

    /// The summary, then brokers, controller, each checked partition's leader and ISR, the
    /// problems found, and the canary's line when there was one.
    friend std::ostream& operator<<(std::ostream& os, const cluster_health_report& r) {
        os << r.summary << '\n';
        if (r.verdict == health_verdict::unreachable)
            return os;
        os << "controller: " << r.controller_id << '\n' << "brokers:";
        for (const auto& b : r.brokers) {
            const bool down = std::find(r.unreachable_brokers.begin(), r.unreachable_brokers.end(),
                                        b.id) != r.unreachable_brokers.end();
            os << ' ' << b.id << '@' << b.host << ':' << b.port << (down ? "(unreachable)" : "");
        }
        os << '\n';
        for (const auto& t : r.topics) {
            for (const auto& p : t.partitions) {
                os << partition_label(t.name, p.id) << " leader " << p.leader << " replicas "
                   << join(p.replicas) << " isr " << join(p.in_sync_replicas) << '\n';
            }
        }
        for (const auto& t : r.topic_errors)
            os << t.item_name() << ": " << t.message << '\n';
        for (const auto& i : r.issues)
            os << partition_label(i.topic, i.partition.id) << ": " << to_string(i.problem) << '\n';
        if (r.canary)
            os << *r.canary << '\n';
        return os;
    }

  private:
    static std::string join(const std::vector<std::int32_t>& ids) {
        // Appended piecewise: g++ 12 warns falsely (array-bounds) on `"," + std::to_string(id)`.
        std::string out = "[";
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (i > 0)
                out += ',';
            out += std::to_string(ids[i]);
        }
        out += ']';
        return out;
    }
};

namespace detail {

/// Gives operations written outside admin_operations the client's core.
struct admin_access {
    [[nodiscard]] static const std::shared_ptr<admin_core>& core(const admin_client& a) noexcept {
        return a.core();
    }
};

/// The health check as a blocking admin request: it runs on the caller's thread (blocking
/// forms) or on the client's worker thread (asynchronous form), as describe_cluster does. The
/// admin_options' request_timeout is the deadline.
struct cluster_health_request {
    using result_type = cluster_health_report;
    static constexpr std::string_view name = "cluster_health";
    std::vector<std::string> topics;
    std::optional<health_canary> canary{};

    result_type run(rd_kafka_t* rk, const admin_options& o, error_info& err) {
        for (const auto& t : topics) {
            if (t.empty()) {
                err = invalid_argument(name, "a topic name is empty");
                return {};
            }
        }
        if (canary && canary->topic.empty()) {
            err = invalid_argument(name, "the canary's topic name is empty");
            return {};
        }
        if (canary && canary->partition < 0) {
            err = invalid_argument(name, "the canary's partition is negative (" +
                                             std::to_string(canary->partition) + ")");
            return {};
        }
        using clock = std::chrono::steady_clock;
        const auto deadline = clock::now() + o.request_timeout;
        // The canary's clients are created first: a config librdkafka refuses fails the call
        // before anything is sent, and they connect while the metadata is read.
        std::optional<health_canary_run> canary_run;
        if (canary) {
            try {
                canary_run.emplace(*canary, o.request_timeout);
            } catch (const kafka_error& e) {
                err = {e.code(), std::string(name) + ": canary: " + e.what(), e.flags()};
                return {};
            }
        }
        result_type out;
        // Two metadata attempts of a third of the deadline each: librdkafka may send the first
        // to a broker that has just gone down, where it waits for the whole timeout; the retry
        // goes to another. The last third is left for the broker probes.
        const auto attempt = std::max(o.request_timeout / 3, std::chrono::milliseconds(1));
        const rd_kafka_metadata_t* raw = nullptr;
        rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR_NO_ERROR;
        for (int tries = 0; tries < 2; ++tries) {
            code = rd_kafka_metadata(rk, 1, nullptr, &raw, to_timeout_ms(attempt));
            if (code == RD_KAFKA_RESP_ERR_NO_ERROR)
                break;
        }
        if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
            // Not an error of the call: an unreachable cluster is an answer.
            out.verdict = health_verdict::unreachable;
            out.summary = std::string("unreachable: no metadata within ") +
                          std::to_string(o.request_timeout.count()) +
                          " ms: " + rd_kafka_err2str(code);
            if (canary)
                out.canary = health_canary_run::not_run(*canary, "the cluster is unreachable");
            return out;
        }
        const metadata_handle md(raw);
        for (int i = 0; i < md->broker_cnt; ++i)
            out.brokers.push_back({md->brokers[i].id, md->brokers[i].host, md->brokers[i].port});
        std::sort(out.brokers.begin(), out.brokers.end(),
                  [](const auto& a, const auto& b) { return a.id < b.id; });
        // The metadata just read carries both: these return at once.
        out.controller_id = rd_kafka_controllerid(rk, 0);
        if (char* id = rd_kafka_clusterid(rk, 0)) {
            out.cluster_id = id;
            rd_kafka_mem_free(rk, id);
        }
        select_topics(*md, out);
        // The canary runs while the probes are out: each may take up to the deadline on a
        // broker that does not answer, and neither should eat into the other's time.
        broker_probes probes(rk, deadline, out.brokers);
        if (canary_run)
            out.canary = canary_run->run(*md, deadline);
        probes.collect(out);
        classify(out);
        return out;
    }

  private:
    void select_topics(const rd_kafka_metadata_t& md, result_type& out) const {
        if (topics.empty()) {
            for (int i = 0; i < md.topic_cnt; ++i)
                out.topics.push_back(topic_of(md.topics[i]));
            std::sort(out.topics.begin(), out.topics.end(),
                      [](const auto& a, const auto& b) { return a.name < b.name; });
        } else {
            for (const auto& wanted : topics) {
                topic_metadata found;
                found.name = wanted;
                found.error = make_error_code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
                found.message = "the cluster has no topic '" + wanted + "'";
                for (int i = 0; i < md.topic_cnt; ++i) {
                    if (wanted == md.topics[i].topic) {
                        found = topic_of(md.topics[i]);
                        break;
                    }
                }
                out.topics.push_back(std::move(found));
            }
        }
        std::erase_if(out.topics, [&](topic_metadata& t) {
            if (t.ok())
                return false;
            out.topic_errors.push_back(std::move(t));
            return true;
        });
    }

    // Metadata lists brokers whether or not they are up, so each broker is asked directly: a
    // DescribeConfigs of its own broker resource, sent to it alone (AdminOptions' broker), all
    // at once so that one silent broker cannot use up the others' time. Any answer, refusals
    // included (the mock does not serve DescribeConfigs; an ACL may deny it), proves the broker
    // is up; only a timeout or a transport failure marks it unreachable. An admin request is
    // used because its timeout is kept: librdkafka 2.0.2's watermark query to a down leader
    // waits for the socket timeout whatever timeout it is given. Sent first and collected
    // last, so that the canary runs while they are out.
    class broker_probes {
      public:
        // Sends every probe, each with the time left until `deadline` as its timeout.
        broker_probes(rd_kafka_t* rk, std::chrono::steady_clock::time_point deadline,
                      const std::vector<broker_metadata>& brokers)
            : deadline_(deadline), queue_(rd_kafka_queue_new(rk)), answered_(brokers.size()) {
            char errstr[256];
            for (std::size_t i = 0; i < brokers.size(); ++i) {
                const admin_options_handle options(
                    rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS));
                if (rd_kafka_AdminOptions_set_request_timeout(options.get(), left(), errstr,
                                                              sizeof errstr) ||
                    rd_kafka_AdminOptions_set_broker(options.get(), brokers[i].id, errstr,
                                                     sizeof errstr)) {
                    continue;  // cannot ask it: counted as unreachable
                }
                rd_kafka_AdminOptions_set_opaque(options.get(), reinterpret_cast<void*>(i + 1));
                config_resource_handle resource(rd_kafka_ConfigResource_new(
                    RD_KAFKA_RESOURCE_BROKER, std::to_string(brokers[i].id).c_str()));
                rd_kafka_ConfigResource_t* resources[] = {resource.get()};
                rd_kafka_DescribeConfigs(rk, resources, 1, options.get(), queue_.get());
                ++sent_;
            }
        }

        // Waits for the answers until the deadline (those already in are taken even after it)
        // and lists the brokers that gave none in `out.unreachable_brokers`.
        void collect(result_type& out) {
            for (std::size_t got = 0; got < sent_;) {
                const event_handle ev(rd_kafka_queue_poll(queue_.get(), left()));
                if (!ev) {
                    if (std::chrono::steady_clock::now() >= deadline_)
                        break;
                    continue;
                }
                if (rd_kafka_event_type(ev.get()) != RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT)
                    continue;
                ++got;
                const auto index =
                    reinterpret_cast<std::uintptr_t>(rd_kafka_event_opaque(ev.get()));
                const auto code = rd_kafka_event_error(ev.get());
                if (index >= 1 && index <= answered_.size() &&
                    code != RD_KAFKA_RESP_ERR__TIMED_OUT && code != RD_KAFKA_RESP_ERR__TRANSPORT)
                    answered_[index - 1] = true;
            }
            for (std::size_t i = 0; i < answered_.size(); ++i) {
                if (!answered_[i])
                    out.unreachable_brokers.push_back(out.brokers[i].id);
            }
        }

      private:
        [[nodiscard]] int left() const {
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline_ - std::chrono::steady_clock::now());
            return static_cast<int>(std::max<std::int64_t>(ms.count(), 1));
        }

        std::chrono::steady_clock::time_point deadline_;
        queue_handle queue_;
        std::vector<bool> answered_;
        std::size_t sent_ = 0;
    };

    static void classify(result_type& out) {
        // A leader the metadata does not list among the brokers cannot be reached either: newer
        // brokers (and librdkafka's newer mock) leave a broker that is down out of the list.
        for (const auto& t : out.topics) {
            for (const auto& p : t.partitions) {
                const auto listed = std::any_of(out.brokers.begin(), out.brokers.end(),
                                                [&](const auto& b) { return b.id == p.leader; });
                const auto known =
                    std::find(out.unreachable_brokers.begin(), out.unreachable_brokers.end(),
                              p.leader) != out.unreachable_brokers.end();
                if (p.leader >= 0 && !listed && !known)
                    out.unreachable_brokers.push_back(p.leader);
            }
        }
        std::sort(out.unreachable_brokers.begin(), out.unreachable_brokers.end());
        std::size_t offline = 0;
        std::size_t under = 0;
        std::size_t unreachable_leader = 0;
        for (const auto& t : out.topics) {
            for (const auto& p : t.partitions) {
                partition_health_issue issue{t.name, p, partition_problem::offline};
                if (p.leader < 0 || p.error) {
                    ++offline;
                } else if (std::find(out.unreachable_brokers.begin(), out.unreachable_brokers.end(),
                                     p.leader) != out.unreachable_brokers.end()) {
                    issue.problem = partition_problem::leader_unreachable;
                    ++unreachable_leader;
                } else if (p.in_sync_replicas.size() < p.replicas.size()) {
                    issue.problem = partition_problem::under_replicated;
                    ++under;
                } else {
                    continue;
                }
                out.issues.push_back(std::move(issue));
            }
        }
        std::vector<std::string> reasons;
        if (out.controller_id < 0)
            reasons.push_back("no controller");
        if (!out.unreachable_brokers.empty()) {
            std::string ids;
            for (auto id : out.unreachable_brokers) {
                if (!ids.empty())
                    ids += ',';
                ids += std::to_string(id);
            }
            reasons.push_back("broker(s) " + ids + " unreachable");
        }
        if (offline)
            reasons.push_back(std::to_string(offline) + " offline partition(s)");
        if (unreachable_leader)
            reasons.push_back(std::to_string(unreachable_leader) +
                              " partition(s) with an unreachable leader");
        if (under)
            reasons.push_back(std::to_string(under) + " under-replicated partition(s)");
        for (const auto& t : out.topic_errors)
            reasons.push_back(t.message.empty() ? t.item_name() + ": " + t.error.message()
                                                : t.message);
        if (out.canary && !out.canary->ok()) {
            reasons.push_back("canary on " +
                              partition_label(out.canary->topic, out.canary->partition) + " " +
                              out.canary->failure);
        }
        if (reasons.empty()) {
            out.verdict = health_verdict::healthy;
            out.summary = "healthy";
            return;
        }
        out.verdict = health_verdict::degraded;
        out.summary = "degraded:";
        for (std::size_t i = 0; i < reasons.size(); ++i)
            out.summary += (i ? "; " : " ") + reasons[i];
    }
};

[[nodiscard]] inline admin_options health_admin_options(const admin_client& admin,
                                                        const cluster_health_options& options) {
    admin_options o = admin.defaults();
    o.request_timeout = options.deadline;
    return o;
}

/// Starts the request on the client's worker thread, as the admin client's own operations do;
/// exposes the client's executor to token adapters.
struct cluster_health_initiation {
    std::shared_ptr<admin_core> core;

    using executor_type = asio::any_io_executor;
    [[nodiscard]] executor_type get_executor() const noexcept { return core->executor(); }

    template <class Handler>
    void operator()(Handler&& handler, cluster_health_request request,
                    const admin_options& options) const {
        core->start(std::move(request), options, std::forward<Handler>(handler));
    }
};

}  // namespace detail

/// Checks `admin`'s cluster within `options.deadline`: brokers and controller from one metadata
/// request, then every broker asked directly, all at once, and the canary (when
/// `options.canary` is set) meanwhile; see cluster_health_report for what counts as unhealthy.
/// An unreachable or degraded cluster is a result, not an exception: this throws kafka_error
/// only for invalid input (an empty topic name, a deadline that is not positive, a canary with
/// an empty topic name, a negative partition or a config librdkafka refuses) or a closed client.
/// The canary's clients run the callbacks of its config on the calling thread.
[[nodiscard]] inline cluster_health_report cluster_health(
    admin_client& admin, const cluster_health_options& options = {}) {
    error_info err;
    auto report = detail::admin_access::core(admin)->run(
        detail::cluster_health_request{options.topics, options.canary},
        detail::health_admin_options(admin, options), err);
    if (err)
        throw kafka_error(err.code, err.message, err.flags);
    return report;
}

/// cluster_health() that sets `err` instead of throwing (and clears it on success).
[[nodiscard]] inline cluster_health_report cluster_health(admin_client& admin,
                                                          const cluster_health_options& options,
                                                          error_info& err) {
    return detail::admin_access::core(admin)->run(
        detail::cluster_health_request{options.topics, options.canary},
        detail::health_admin_options(admin, options), err);
}

/// Starts cluster_health(); completes with `void(boost::system::error_code,
/// cluster_health_report)` on the handler's associated executor (else the client's). Runs on the
/// client's worker thread like describe_cluster, after any blocking operation queued before it;
/// it cannot be cancelled and completes within the deadline once started. A canary's clients
/// run the callbacks of its config on that worker thread.
template <asio::completion_token_for<void(boost::system::error_code, cluster_health_report)> Token =
              kflow::use_awaitable_t>
auto async_cluster_health(admin_client& admin, const cluster_health_options& options = {},
                          Token&& token = kflow::use_awaitable_t{}) {
    return asio::async_initiate<Token, void(boost::system::error_code, cluster_health_report)>(
        detail::cluster_health_initiation{detail::admin_access::core(admin)}, token,
        detail::cluster_health_request{options.topics, options.canary},
        detail::health_admin_options(admin, options));
}

}  // namespace kflow
