#pragma once
// `kflow-cli consume TOPIC...`: records to standard output, read from assigned partitions or in
// a consumer group, from and to offsets or times.

#include "arguments.hpp"
#include "connection.hpp"
#include "exit_status.hpp"
#include "record_json.hpp"
#include "stop_signal.hpp"
#include "time_text.hpp"

#include <kflow/admin.hpp>
#include <kflow/consumer.hpp>
#include <kflow/serdes/optional.hpp>
#include <kflow/serdes/string.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kflow_cli {

/// A position in a partition as given on the command line (--from, --to).
struct position_arg {
    enum class kind { beginning, end, offset, before_end, time };
    kind what = kind::beginning;
    std::int64_t value = 0;  ///< the offset, N of -N, or milliseconds since the epoch
};

/// Parses FROM or TO; `option` names it in the error.
[[nodiscard]] inline position_arg parse_position(const std::string& text, std::string_view option,
                                                 bool from) {
    using kind = position_arg::kind;
    if (text == "beginning" && from)
        return {kind::beginning, 0};
    if (text == "end")
        return {kind::end, 0};
    if (text.starts_with("@")) {
        if (const auto ms = parse_time(std::string_view(text).substr(1)))
            return {kind::time, *ms};
    } else if (text.starts_with("-") && from) {
        if (const auto n = parse_number<std::int64_t>(std::string_view(text).substr(1));
            n && *n > 0)
            return {kind::before_end, *n};
    } else if (const auto n = parse_number<std::int64_t>(text); n && *n >= 0) {
        return {kind::offset, *n};
    }
    throw usage_error(std::string(option) + " '" + text + "': expected " +
                      (from ? "beginning, end, OFFSET, -N or @TIME" : "end, OFFSET or @TIME") +
                      " (TIME: milliseconds since the epoch or 2026-12-05T10:00:00Z)");
}

/// The arguments of `consume`.
struct consume_options {
    std::vector<std::string> topics;
    std::string group;                         ///< -g; empty: assigned partitions, no group
    std::vector<std::int32_t> partitions;      ///< -p; empty: all
    position_arg from;                         ///< -o / --from
    std::optional<position_arg> to;            ///< --to / -e
    std::optional<std::uint64_t> count;        ///< -c
    std::optional<std::string> key_delimiter;  ///< -K
    bool json = false;
    std::optional<std::chrono::seconds> timeout;
};

/// Parses `consume`'s arguments.
[[nodiscard]] inline consume_options parse_consume(argument_reader& args) {
    consume_options out;
    while (args.more()) {
        const auto arg = args.take();
        if (arg == "-g" || arg == "--group") {
            out.group = args.value();
            if (out.group.empty())
                throw usage_error(std::string(arg) + " must not be empty");
        } else if (arg == "-p" || arg == "--partition") {
            out.partitions.push_back(args.number<std::int32_t>(0, INT32_MAX));
        } else if (arg == "-o" || arg == "--from") {
            out.from = parse_position(args.value(), arg, true);
        } else if (arg == "--to") {
            out.to = parse_position(args.value(), arg, false);
        } else if (arg == "-e" || arg == "--exit") {
            args.no_value();
            out.to = position_arg{position_arg::kind::end, 0};
        } else if (arg == "-c" || arg == "--count") {
            out.count = args.number<std::uint64_t>(1, UINT64_MAX);
        } else if (arg == "-K" || arg == "--key-delimiter") {
            out.key_delimiter = args.value();
        } else if (arg == "--json") {
            args.no_value();
            out.json = true;
        } else if (arg == "--timeout") {
            out.timeout = std::chrono::seconds(args.number<int>(1, 86400));
        } else if (!is_option(arg)) {
            out.topics.emplace_back(arg);
        } else {
            args.unknown("consume");
        }
    }
    if (out.topics.empty())
        throw usage_error("consume needs a TOPIC");
    if (!out.group.empty()) {
        using kind = position_arg::kind;
        if (!out.partitions.empty())
            throw usage_error("-p reads partitions directly and excludes -g (the group assigns)");
        if (out.from.what != kind::beginning && out.from.what != kind::end)
            throw usage_error(
                "with -g, --from is beginning or end (where the group has no offset)");
        if (out.to && out.to->what != kind::end)
            throw usage_error("with -g, --to is end (or -e)");
    }
    if (out.json && out.key_delimiter)
        throw usage_error("-K and --json exclude each other: --json prints the key as a field");
    return out;
}

namespace detail {

using cli_consumer = kflow::consumer<std::optional<std::string>, std::optional<std::string>>;

/// Where reading one partition stops, and whether it has.
struct partition_goal {
    std::int64_t end = -1;        ///< stop before this offset
    std::int64_t stop_time = -1;  ///< --to @TIME: stop at a record this late (ms); -1: none
    bool done = false;
};

/// The partitions' goals and the records counted, deciding when the run is over.
class consume_progress {
  public:
    explicit consume_progress(const consume_options& opts) : opts_(opts) {}

    /// Sets a partition's end (`start` its first offset to read): done at once if start >= end.
    void set_end(const kflow::topic_partition& tp, std::int64_t start, std::int64_t end,
                 std::int64_t stop_time = -1) {
        goals_[tp] = {end, stop_time, start >= end};
    }
    /// Forgets a partition taken away by the group.
    void forget(const kflow::topic_partition& tp) { goals_.erase(tp); }

    /// True when the record at `tp`/`offset`, stamped `time` (ms; -1 for none), is before its
    /// partition's end (and marks the partition done when it is the last one).
    bool accept(const kflow::topic_partition& tp, std::int64_t offset, std::int64_t time) {
        if (!opts_.to)
            return true;
        const auto it = goals_.find(tp);
        if (it == goals_.end())
            return false;  // its end is not known yet; the group's assignment will say
        auto& goal = it->second;
        if (goal.done || offset >= goal.end || (goal.stop_time >= 0 && time >= goal.stop_time)) {
            goal.done = true;
            return false;
        }
        goal.done = offset + 1 >= goal.end;
        return true;
    }
    /// Counts a printed record.
    void printed() { ++printed_; }

    /// True when -c or --to is reached.
    [[nodiscard]] bool finished() const {
        if (opts_.count && printed_ >= *opts_.count)
            return true;
        if (!opts_.to || goals_.empty())
            return false;
        return std::all_of(goals_.begin(), goals_.end(),
                           [](const auto& g) { return g.second.done; });
    }
    /// How many records were printed.
    [[nodiscard]] std::uint64_t count() const noexcept { return printed_; }

  private:
    const consume_options& opts_;
    std::map<kflow::topic_partition, partition_goal> goals_;
    std::uint64_t printed_ = 0;
};

/// The next offset after the last record printed, per partition: what a group commits.
class printed_offsets {
  public:
    /// Notes a printed record.
    void printed(const std::string& topic, std::int32_t partition, std::int64_t offset) {
        next_[{topic, partition}] = offset + 1;
    }
    /// Commits what changed since the last commit, for `only` these partitions (all when empty).
    /// A failed commit (e.g. a rebalance in progress) is kept and tried again with the next one,
    /// unless `last_chance` (the partitions are being revoked, or the run ends): then the group
    /// reads those records again, which at-least-once allows.
    void commit(cli_consumer& consumer, const std::vector<kflow::topic_partition>& only,
                bool last_chance = false) {
        std::vector<kflow::topic_partition_offset> offsets;
        for (const auto& [tp, next] : next_) {
            if (only.empty() || std::find(only.begin(), only.end(), tp) != only.end())
                offsets.emplace_back(tp.topic, tp.partition, next);
        }
        last_ = std::chrono::steady_clock::now();
        if (offsets.empty())
            return;
        kflow::error_info err;
        consumer.commit(offsets, err);
        if (err) {
            std::cerr << "kflow-cli: commit failed"
                      << (last_chance ? " (the records will be read again): "
                                      : " (it is tried again): ")
                      << err.message << '\n';
        }
        if (err && !last_chance)
            return;
        for (const auto& o : offsets)
            next_.erase({o.topic, o.partition});
    }

    /// Commits when `interval` passed since the last commit.
    void commit_every(cli_consumer& consumer, std::chrono::milliseconds interval) {
        if (std::chrono::steady_clock::now() - last_ >= interval)
            commit(consumer, {});
    }

  private:
    std::map<kflow::topic_partition, std::int64_t> next_;
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

/// An offset for `at` in `tp`, asked of the cluster: the first offset whose timestamp is at or
/// after it, or the high watermark when there is none.
inline std::int64_t offset_at_time(cli_consumer& consumer, const kflow::topic_partition& tp,
                                   std::int64_t ms, std::int64_t high) {
    const auto found = consumer.offsets_for_times(
        {tp}, kflow::timestamp(std::chrono::milliseconds(ms)), std::chrono::seconds(10));
    if (found.empty() || found.front().offset < 0)
        return high;
    return found.front().offset;
}

/// The absolute offset `pos` means in `tp`, given its watermarks.
inline std::int64_t resolve(cli_consumer& consumer, const kflow::topic_partition& tp,
                            const position_arg& pos, const kflow::watermark_offsets& w) {
    using kind = position_arg::kind;
    switch (pos.what) {
        case kind::beginning:
            return w.low;
        case kind::end:
            return w.high;
        case kind::offset:
            return std::clamp(pos.value, w.low, w.high);
        case kind::before_end:
            return std::max(w.low, w.high - pos.value);
        case kind::time:
            return offset_at_time(consumer, tp, pos.value, w.high);
    }
    return w.low;
}

/// Prints one record as the options say.
template <class Record>
void print_record(const Record& r, const consume_options& opts) {
    if (opts.json) {
        std::cout << json_line(record_json(r)) << '\n';
    } else if (opts.key_delimiter) {
        std::cout << r.key.value_or("") << *opts.key_delimiter << r.value.value_or("") << '\n';
    } else {
        std::cout << r.value.value_or("") << '\n';
    }
}

/// The partitions of the topics to read directly (-p, or every partition).
inline std::vector<kflow::topic_partition> partitions_to_read(const connection& conn,
                                                              const consume_options& opts) {
    kflow::admin_client admin(
        conn.client<kflow::admin_config>("kflow-cli").request_timeout(std::chrono::seconds(10)));
    kflow::error_info err;
    const auto topics = admin.describe_topics(opts.topics, err);
    if (err)
        throw conn.failure("cannot read the topics' metadata", err);
    std::vector<kflow::topic_partition> out;
    for (const auto& topic : topics) {
        if (topic.error) {
            throw command_failure(exit_status::failed,
                                  "topic '" + topic.name + "': " + topic.error.message());
        }
        for (const auto& p : topic.partitions) {
            if (opts.partitions.empty() || std::find(opts.partitions.begin(), opts.partitions.end(),
                                                     p.id) != opts.partitions.end()) {
                out.emplace_back(topic.name, p.id);
            }
        }
        for (const auto wanted : opts.partitions) {
            if (std::none_of(topic.partitions.begin(), topic.partitions.end(),
                             [&](const auto& p) { return p.id == wanted; })) {
                throw command_failure(exit_status::failed,
                                      "topic '" + topic.name + "' has no partition " +
                                          std::to_string(wanted) + " (it has " +
                                          std::to_string(topic.partitions.size()) + ")");
            }
        }
    }
    return out;
}

}  // namespace detail

/// Reads and prints records; the exit status as consume's help says.
[[nodiscard]] inline exit_status run_consume(const connection& conn, const consume_options& opts) {
    using namespace std::chrono_literals;
    const bool in_group = !opts.group.empty();
    auto config = conn.client<kflow::consumer_config>("kflow-cli");
    // Reading directly needs no group; librdkafka still wants an id, and nothing is committed.
    // In a group, kflow-cli commits itself, exactly the records it printed: a batch may hold
    // records past -c or --to that it never prints, and those must stay for the next reader.
    config.group_id(in_group ? opts.group : "kflow-cli")
        .enable_auto_commit(false)
        .auto_offset_reset(opts.from.what == position_arg::kind::end
                               ? kflow::offset_reset::latest
                               : kflow::offset_reset::earliest);
    const auto started = std::chrono::steady_clock::now();
    const stop_signal stop;

    // Only with -g: partitions assigned by the group, whose ends are still to be set.
    std::set<kflow::topic_partition> newly_assigned;
    detail::consume_progress progress(opts);
    detail::printed_offsets commits;
    detail::cli_consumer consumer(config);

    if (in_group) {
        kflow::rebalance_listener listener;
        listener.on_assigned = [&](const std::vector<kflow::topic_partition>& parts) {
            newly_assigned.insert(parts.begin(), parts.end());
        };
        listener.on_revoked = [&](const std::vector<kflow::topic_partition>& parts) {
            commits.commit(consumer, parts, true);
            for (const auto& tp : parts) {
                newly_assigned.erase(tp);
                progress.forget(tp);
            }
        };
        consumer.subscribe(opts.topics, listener);
    } else {
        std::vector<kflow::topic_partition_offset> assignment;
        for (const auto& tp : detail::partitions_to_read(conn, opts)) {
            const auto w = consumer.watermarks(tp, 10s);
            const auto start = detail::resolve(consumer, tp, opts.from, w);
            if (opts.to && opts.to->what == position_arg::kind::time) {
                // By the records' own timestamps, so it needs no lookup by time (which
                // librdkafka's mock cluster cannot answer); the end bounds it.
                progress.set_end(tp, start, w.high, opts.to->value);
            } else if (opts.to) {
                progress.set_end(tp, start, detail::resolve(consumer, tp, *opts.to, w));
            }
            assignment.emplace_back(tp.topic, tp.partition, start);
        }
        consumer.assign(assignment);
    }

    while (!progress.finished() && !stop.requested()) {
        if (opts.timeout && std::chrono::steady_clock::now() - started >= *opts.timeout) {
            if (in_group)
                commits.commit(consumer, {}, true);
            consumer.close();
            const std::string what = "--timeout of " + std::to_string(opts.timeout->count()) +
                                     " s passed after " + std::to_string(progress.count()) +
                                     " record(s)";
            if (progress.count() == 0 && conn.watch().connection_failed()) {
                throw command_failure(
                    exit_status::unreachable,
                    what + ": cluster unreachable: " + conn.watch().last_connection_error());
            }
            throw command_failure(exit_status::failed, what);
        }
        // No more records than -c still wants: the rest would be fetched for nothing.
        const auto wanted =
            opts.count ? std::min<std::uint64_t>(500, *opts.count - progress.count()) : 500;
        auto records = consumer.poll_batch(static_cast<std::size_t>(wanted), 100ms);
        if (!newly_assigned.empty() && opts.to) {
            // The group's committed offsets, else where auto.offset.reset starts.
            const std::vector<kflow::topic_partition> parts(newly_assigned.begin(),
                                                            newly_assigned.end());
            newly_assigned.clear();
            const auto committed = consumer.committed(parts, 10s);
            for (const auto& tp : parts) {
                const auto w = consumer.watermarks(tp, 10s);
                std::int64_t start = opts.from.what == position_arg::kind::end ? w.high : w.low;
                for (const auto& c : committed) {
                    if (c.topic == tp.topic && c.partition == tp.partition && c.offset >= 0)
                        start = c.offset;
                }
                progress.set_end(tp, start, w.high);
            }
        }
        for (const auto& r : records) {
            const std::int64_t time = r.time ? r.time->time_since_epoch().count() : -1;
            if (!progress.accept({r.topic, r.partition}, r.offset, time))
                continue;
            detail::print_record(r, opts);
            progress.printed();
            commits.printed(r.topic, r.partition, r.offset);
            if (progress.finished())
                break;
        }
        // Written out before they count as handled.
        std::cout.flush();
        if (in_group)
            commits.commit_every(consumer, 1s);
    }
    if (in_group)
        commits.commit(consumer, {}, true);
    consumer.close();
    return exit_status::ok;
}

}  // namespace kflow_cli
