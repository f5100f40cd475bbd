// kflow-event-bus: the chat application's event bus, one producer and three consumer groups.
//
// One async_producer publishes JSON task events (task_created, task_updated, task_completed,
// reminder_due) at a steady rate, keyed by task so that a task's events stay in order on one
// partition. Three consumer groups read the same topic, each in its own group so that each sees
// every event:
//   tasks          keeps a table of the tasks and their state
//   notifications  counts the reminders due (the ones it would push to users)
//   audit          counts every event by type
// Each group commits after each handled batch, never before (at-least-once: a crash means a
// batch is handled again, never skipped), and counts unique events, so a duplicate is harmless.
// SIGINT/SIGTERM stops publishing; the groups then catch up with what was published (bounded by
// --drain), commit and close. Everything runs on one io_context, in coroutines.
//
//   kflow-event-bus                                       embedded mock cluster, 2,000 events
//   kflow-event-bus --events 0                            until Ctrl-C
//   KAFKA_BOOTSTRAP_SERVERS=broker:9092 KAFKA_SASL_MECHANISM=SCRAM-SHA-512 ... kflow-event-bus

#include "connection.hpp"
#include "event.hpp"
#include "options.hpp"
#include "stop_on_signal.hpp"

#include <kflow/async_consumer.hpp>
#include <kflow/async_producer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using event_consumer = kflow::async_consumer<std::string, example::task_event>;
using event_producer = kflow::async_producer<std::string, example::task_event>;

// The scenario's targets.
constexpr double publish_target_ms = 100.0;      // p99, send -> delivery report
constexpr double end_to_end_target_ms = 5000.0;  // p99, sent_at -> handled, in every group
constexpr int scenario_rate = 10000;             // events per minute

/// Records taken from one receive at most: the unit of "handle, then commit".
constexpr std::size_t max_batch = 500;

enum class role { tasks, notifications, audit };

struct task_row {
    std::string user;
    std::string title;
    std::int64_t due_at_ms = 0;
    bool completed = false;
    std::int64_t last_seq = -1;       ///< the latest event of the task handled so far
    std::int32_t last_partition = 0;  ///< where that event was
    std::int64_t last_offset = 0;
};

/// One consumer group: its consumer, what it handled, and its own view of the events.
struct group {
    role kind;
    std::string name;  ///< tasks, notifications, audit
    std::string id;    ///< the group.id
    std::unique_ptr<event_consumer> consumer;
    /// Interrupts the waiting receive once the group has caught up, or the drain is over.
    asio::cancellation_signal wake;
    bool assigned = false;
    bool closed = false;

    std::vector<bool> seen;  ///< by seq, this run's events handled at least once
    std::int64_t unique = 0;
    std::int64_t records = 0;
    std::int64_t duplicates = 0;
    std::int64_t earlier_runs = 0;  ///< events of an earlier run (a real cluster's history)
    std::int64_t malformed = 0;
    int commits = 0;
    int failed_commits = 0;
    std::vector<double> end_to_end_ms;

    std::map<std::string, task_row> tasks;                  // role::tasks
    std::int64_t out_of_order = 0;                          // role::tasks
    std::int64_t not_keyed_by_task = 0;                     // role::tasks
    std::string first_out_of_order;                         // role::tasks
    std::int64_t reminders = 0;                             // role::notifications
    std::map<std::string, std::int64_t> reminders_by_user;  // role::notifications
    std::array<std::int64_t, 4> by_type{};                  // role::audit
};

/// What the publisher and the groups share. One thread runs everything: no locks.
struct bus {
    bus(const example::options& o, std::string run_id, asio::io_context& io)
        : opts(o), run(std::move(run_id)), drain_timer(io) {}

    const example::options& opts;
    std::string run;
    std::vector<std::unique_ptr<group>> groups;
    asio::steady_timer drain_timer;

    std::int64_t sent = 0;
    std::int64_t delivered = 0;
    std::int64_t failed = 0;
    std::string first_failure;
    std::vector<double> publish_ms;
    clock_type::duration publishing_time{};
    bool publishing_done = false;
    bool drain_expired = false;
    bool aborted = false;  ///< a coroutine failed: everything stops

    /// True when the group has handled as many distinct events as were delivered.
    [[nodiscard]] bool caught_up(const group& g) const {
        return publishing_done && g.unique >= delivered;
    }
};

[[nodiscard]] double percentile(std::vector<double> values, double p) {
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    // Nearest rank: the smallest value with at least p of the values at or below it.
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
    return values[std::max<std::size_t>(rank, 1) - 1];
}

[[nodiscard]] std::string ms(double value) {
    char text[32];
    std::snprintf(text, sizeof text, value < 10 ? "%.2f ms" : "%.1f ms", value);
    return text;
}

/// A record's place, as "[partition] @ offset".
[[nodiscard]] std::string where(std::int32_t partition, std::int64_t offset) {
    return "[" + std::to_string(partition) + "] @ " + std::to_string(offset);
}

/// The group's own work for one event it has not handled before.
void handle(group& g, const example::task_event& e, const event_consumer::record_type& record) {
    switch (g.kind) {
        case role::tasks: {
            task_row& row = g.tasks[e.task_id];
            // Kafka keeps a partition's order, and a task's events share its key, so its
            // partition: an event older than one handled before is a broken promise.
            if (record.key != e.task_id)
                ++g.not_keyed_by_task;
            if (e.seq < row.last_seq) {
                if (g.out_of_order++ == 0)
                    g.first_out_of_order = e.task_id + ": event " + std::to_string(e.seq) + " at " +
                                           where(record.partition, record.offset) +
                                           " after event " + std::to_string(row.last_seq) + " at " +
                                           where(row.last_partition, row.last_offset);
                break;  // the task's state is already past it
            }
            row.last_seq = e.seq;
            row.last_partition = record.partition;
            row.last_offset = record.offset;
            row.user = e.user;
            row.title = e.title;
            row.due_at_ms = e.due_at_ms;
            row.completed = e.type == example::event_type::task_completed;
            break;
        }
        case role::notifications:
            if (e.type == example::event_type::reminder_due) {
                ++g.reminders;
                ++g.reminders_by_user[e.user];
            }
            break;
        case role::audit:
            ++g.by_type[static_cast<std::size_t>(e.type)];
            break;
    }
}

/// Handles a batch: every record is counted, each event's work is done once.
void handle_batch(group& g, const bus& b, const std::vector<event_consumer::record_type>& batch) {
    const std::int64_t now = example::now_us();
    for (const auto& record : batch) {
        const example::task_event& e = record.value;
        ++g.records;
        if (e.run != b.run || e.seq < 0) {
            ++g.earlier_runs;  // handled too: committed past, not counted for this run
            continue;
        }
        const auto seq = static_cast<std::size_t>(e.seq);
        if (seq >= g.seen.size())
            g.seen.resize(std::max(seq + 1, g.seen.size() * 2));
        if (g.seen[seq]) {
            ++g.duplicates;  // at-least-once: seen before (a batch handled again)
            continue;
        }
        g.seen[seq] = true;
        ++g.unique;
        g.end_to_end_ms.push_back(static_cast<double>(now - e.sent_at_us) / 1000.0);
        handle(g, e, record);
    }
}

/// Commits what the group handled. A failed commit is not fatal: the next one covers the same
/// offsets, and at worst the events are handled again after a restart.
asio::awaitable<void> commit(group& g) {
    try {
        co_await g.consumer->async_commit();
        ++g.commits;
    } catch (const kflow::kafka_error& e) {
        if (g.failed_commits++ == 0)
            std::cout << "  " << g.name << ": commit failed, the next one covers it: " << e.what()
                      << '\n';
    }
}

asio::awaitable<void> consume(group& g, bus& b) {
    const auto wakeable =
        kflow::throw_kafka_errors(asio::bind_cancellation_slot(g.wake.slot(), asio::use_awaitable));
    while (!b.caught_up(g) && !b.drain_expired) {
        std::vector<event_consumer::record_type> batch;
        try {
            batch = co_await g.consumer->async_receive_batch(max_batch, wakeable);
        } catch (const kflow::deserialization_error& e) {
            // Not an event of ours: say where it is, let the partition move past it.
            const kflow::raw_record& raw = e.record();
            if (g.malformed++ == 0)
                std::cout << "  " << g.name << ": " << raw.topic << " [" << raw.partition << "] @ "
                          << raw.offset << " is not a task event, skipped (" << e.failure().reason
                          << ")\n";
            g.consumer->mark_handled(e.failure());
            continue;
        } catch (const kflow::kafka_error& e) {
            if (b.caught_up(g) || b.drain_expired)
                break;  // woken (the receive was cancelled): nothing more to wait for
            throw;
        }
        handle_batch(g, b, batch);
        co_await commit(g);  // only now: every record of the batch was handled
    }
    if (!b.caught_up(g))
        std::cout << "  " << g.name << ": drain time (" << b.opts.drain_seconds
                  << " s) over before it caught up\n";
    if (g.malformed > 0)
        co_await commit(g);  // the skipped records' offsets, if no batch came after them
    co_await g.consumer->async_close(10s);  // leaves the group; bounded even if brokers are gone
    g.closed = true;
    if (std::all_of(b.groups.begin(), b.groups.end(), [](const auto& x) { return x->closed; }))
        b.drain_timer.cancel();
}

/// Bounds the catching up once publishing has stopped; cancelled when every group has closed.
asio::awaitable<void> drain_deadline(bus& b) {
    b.drain_timer.expires_after(std::chrono::seconds(b.opts.drain_seconds));
    const auto [ec] = co_await b.drain_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec)
        co_return;  // every group closed first
    b.drain_expired = true;
    for (auto& g : b.groups)
        g->wake.emit(asio::cancellation_type::terminal);
}

/// Waits (up to 30 s) until every group has its partitions: the groups join while their
/// receives wait, and events published before they joined would only measure the join.
asio::awaitable<bool> groups_ready(bus& b, example::stop_on_signal& stop) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = clock_type::now() + 30s;
    while (!stop.requested() && !b.aborted && clock_type::now() < deadline) {
        if (std::all_of(b.groups.begin(), b.groups.end(),
                        [](const auto& g) { return g->assigned; }))
            co_return true;
        timer.expires_after(20ms);
        co_await timer.async_wait(
            asio::bind_cancellation_slot(stop.slot(), asio::as_tuple(asio::use_awaitable)));
    }
    co_return false;
}

asio::awaitable<void> publish(event_producer& producer, bus& b, example::stop_on_signal& stop) {
    const example::options& opts = b.opts;
    if (!co_await groups_ready(b, stop)) {
        if (!stop.requested() && !b.aborted)
            throw std::runtime_error("the consumer groups did not get their partitions in 30 s");
    } else {
        std::cout << "All three groups have their partitions; publishing "
                  << (opts.events == 0 ? std::string("until SIGINT or SIGTERM")
                                       : std::to_string(opts.events) + " events")
                  << " at " << opts.rate << " events/min\n";
    }
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto start = clock_type::now();
    // Event n is due at start + n * (1 min / rate): a steady rate, catching up after a stall.
    const auto due = [&](std::int64_t n) {
        return start + std::chrono::nanoseconds(n * 60'000'000'000 / opts.rate);
    };
    std::int64_t n = 0;
    while (!stop.requested() && !b.aborted && (opts.events == 0 || n < opts.events)) {
        if (due(n) > clock_type::now()) {
            timer.expires_at(due(n));
            co_await timer.async_wait(
                asio::bind_cancellation_slot(stop.slot(), asio::as_tuple(asio::use_awaitable)));
            continue;
        }
        example::task_event e = example::make_event(b.run, n);
        e.sent_at_us = example::now_us();
        // The key first: a function's arguments are evaluated in no set order, and moving the
        // event in the same call could leave an empty key (which librdkafka partitions at
        // random, scattering the task's events).
        std::string key = e.task_id;
        event_producer::record_type record(opts.topic, std::move(key), std::move(e));
        const auto sent_at = clock_type::now();
        // A callback, not co_await: many sends in flight, each timed from its own send.
        producer.async_send(std::move(record), [&b, sent_at](const boost::system::error_code& ec,
                                                             const kflow::record_metadata&) {
            if (ec) {
                if (b.failed++ == 0)
                    b.first_failure = ec.message();
                return;
            }
            ++b.delivered;
            b.publish_ms.push_back(
                std::chrono::duration<double, std::milli>(clock_type::now() - sent_at).count());
        });
        ++n;
        ++b.sent;
        if (n % 1000 == 0)
            std::cout << "  " << n << " events sent, " << b.delivered << " delivered\n";
    }
    b.publishing_time = clock_type::now() - start;
    if (stop.requested())
        std::cout << "  " << stop.signal_name() << ": publishing stopped after " << n
                  << " events; the groups catch up, commit and close\n";
    stop.disarm();  // the rest is bounded by --drain, not by a second signal
    // Every delivery report in (the close waits for nothing more, and would purge after 30 s).
    const auto [closed] = co_await producer.async_close(30s, asio::as_tuple(asio::use_awaitable));
    if (closed)
        std::cout << "  producer closed with messages undelivered: " << closed.message() << '\n';
    b.publishing_done = true;
    for (auto& g : b.groups) {
        if (b.caught_up(*g))
            g->wake.emit(asio::cancellation_type::terminal);  // waiting for more: no more comes
    }
    if (!b.aborted)
        co_await drain_deadline(b);
}

/// Asks for the topic's metadata before the first send: a producer learns a topic's partitions
/// on its first send otherwise, and the events sent meanwhile wait (about a second on the mock),
/// which would be measured as publish latency. Blocking (up to 10 s), before the io_context runs.
void prime_metadata(const event_producer& producer, const std::string& topic) {
    rd_kafka_topic_t* handle = rd_kafka_topic_new(producer.native_handle(), topic.c_str(), nullptr);
    if (handle == nullptr)
        return;  // the first send reports what is wrong with the topic
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t err =
        rd_kafka_metadata(producer.native_handle(), 0, handle, &metadata, 10000);
    if (metadata != nullptr)
        rd_kafka_metadata_destroy(metadata);
    rd_kafka_topic_destroy(handle);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        std::cout << "  (no metadata for '" << topic << "' yet: " << rd_kafka_err2str(err)
                  << "; the first events may wait for it)\n";
}

[[nodiscard]] std::string random_run_id() {
    std::random_device device;
    char text[9];
    std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(device()));
    return text;
}

/// Says how the example connects: the embedded mock speaks plain TCP only; a real cluster gets
/// the KAFKA_* settings, printed with secrets redacted.
void describe_connection(const example::connection& cluster) {
    if (cluster.embedded) {
        std::cout << "  security: PLAINTEXT (the embedded mock has no SASL or TLS listener)\n";
        for (const char* name : {"KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM",
                                 "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"}) {
            if (const char* value = std::getenv(name); value != nullptr && *value != '\0')
                std::cout << "  " << name << " is set but not applied to the embedded mock\n";
        }
        return;
    }
    // Without security.protocol, kflow picks it from the settings (docs/configuration.md).
    const auto has = [&](std::string_view prefix) {
        const auto& properties = cluster.config.properties();
        return std::any_of(properties.begin(), properties.end(),
                           [&](const auto& p) { return p.first.starts_with(prefix); });
    };
    const auto protocol = cluster.config.get("security.protocol");
    const auto mechanism = cluster.config.get("sasl.mechanism");
    std::cout << "  security: "
              << (protocol       ? *protocol
                  : has("sasl.") ? std::string("SASL_SSL (inferred from the sasl.* settings)")
                  : has("ssl.")  ? std::string("SSL (inferred from the ssl.* settings)")
                                 : std::string("PLAINTEXT"))
              << (mechanism ? ", SASL mechanism " + *mechanism : std::string()) << '\n'
              << "  configuration from the environment (secrets redacted):\n";
    std::string lines = cluster.config.to_string();
    for (std::size_t at = 0; at < lines.size();) {
        const std::size_t end = lines.find('\n', at);
        std::cout << "    " << lines.substr(at, end - at) << '\n';
        at = end == std::string::npos ? lines.size() : end + 1;
    }
}

/// The summary and the verdict; true when every target is met.
bool report(const bus& b) {
    const double seconds = std::chrono::duration<double>(b.publishing_time).count();
    const double achieved_rate = seconds > 0 ? static_cast<double>(b.sent) * 60.0 / seconds : 0.0;
    std::cout << "\nkflow-event-bus: published " << b.delivered << " events (" << b.sent
              << " sent, " << b.failed << " failed"
              << (b.failed > 0 ? ": " + b.first_failure : std::string()) << ") in "
              << static_cast<int>(seconds * 10) / 10.0 << " s, "
              << static_cast<std::int64_t>(achieved_rate) << " events/min\n";
    const double publish_p50 = percentile(b.publish_ms, 0.50);
    const double publish_p99 = percentile(b.publish_ms, 0.99);
    const bool publish_ok = !b.publish_ms.empty() && publish_p99 < publish_target_ms;
    std::cout << "publish latency (send -> delivery report): p50 " << ms(publish_p50) << ", p99 "
              << ms(publish_p99) << " (target p99 < " << publish_target_ms << " ms) "
              << (publish_ok ? "ok" : "MISSED") << '\n';

    bool all_handled = b.delivered > 0 && b.failed == 0;
    bool end_to_end_ok = true;
    bool in_order = true;
    for (const auto& g : b.groups) {
        const double p50 = percentile(g->end_to_end_ms, 0.50);
        const double p99 = percentile(g->end_to_end_ms, 0.99);
        const bool complete = g->unique >= b.delivered;
        const bool fast = !g->end_to_end_ms.empty() && p99 < end_to_end_target_ms;
        all_handled = all_handled && complete;
        end_to_end_ok = end_to_end_ok && fast;
        std::cout << "group " << g->name << " (" << g->id << "): handled " << g->unique << " of "
                  << b.delivered << " events (" << g->records << " records, " << g->duplicates
                  << " duplicates";
        if (g->earlier_runs > 0)
            std::cout << ", " << g->earlier_runs << " from earlier runs";
        if (g->malformed > 0)
            std::cout << ", " << g->malformed << " malformed";
        std::cout << "), " << g->commits << " commits (" << g->failed_commits << " failed)\n"
                  << "  end-to-end latency (sent -> handled): p50 " << ms(p50) << ", p99 "
                  << ms(p99) << " (target p99 < " << end_to_end_target_ms / 1000 << " s) "
                  << (fast ? "ok" : "MISSED") << '\n';
        switch (g->kind) {
            case role::tasks: {
                const auto done = std::count_if(g->tasks.begin(), g->tasks.end(),
                                                [](const auto& t) { return t.second.completed; });
                std::cout << "  task table: " << g->tasks.size() << " tasks, " << done
                          << " completed, " << static_cast<std::int64_t>(g->tasks.size()) - done
                          << " open\n"
                          << "  per-task order: " << g->out_of_order << " events out of order"
                          << (g->out_of_order > 0 ? " (first: " + g->first_out_of_order + ")"
                                                  : std::string())
                          << ", " << g->not_keyed_by_task << " not keyed by their task\n";
                in_order = g->out_of_order == 0 && g->not_keyed_by_task == 0;
                break;
            }
            case role::notifications:
                std::cout << "  reminders due: " << g->reminders << " for "
                          << g->reminders_by_user.size() << " users\n";
                break;
            case role::audit:
                std::cout << "  by type:";
                for (const auto t : example::event_types)
                    std::cout << ' ' << example::name(t) << ' '
                              << g->by_type[static_cast<std::size_t>(t)];
                std::cout << '\n';
                break;
        }
    }
    const bool pass = all_handled && publish_ok && end_to_end_ok && in_order;
    std::cout << "verdict: " << (pass ? "PASS" : "FAIL") << " at "
              << static_cast<std::int64_t>(achieved_rate) << " events/min (scenario "
              << scenario_rate << "/min): every group handled every event "
              << (all_handled ? "yes" : "NO") << ", publish p99 < 100 ms "
              << (publish_ok ? "yes" : "NO") << ", end-to-end p99 < 5 s "
              << (end_to_end_ok ? "yes" : "NO") << ", every task's events in order "
              << (in_order ? "yes" : "NO") << '\n';
    if (pass && achieved_rate < 0.95 * scenario_rate)
        std::cout << "  (below the scenario's rate: the targets were met under a lighter load)\n";
    return pass;
}

}  // namespace

int main(int argc, char** argv) try {
    // Every line at once, also into a pipe or a log file: a long run is watched as it goes.
    std::cout << std::unitbuf;
    const auto parsed = example::parse_options({argv + 1, argv + argc});
    if (!parsed.parsed) {
        std::cerr << "kflow-event-bus: " << parsed.error << "\n\n" << example::usage_text;
        return 2;
    }
    const example::options& opts = *parsed.parsed;
    if (opts.help) {
        std::cout << example::usage_text;
        return EXIT_SUCCESS;
    }

    auto cluster =
        example::connect("kflow-event-bus", opts.bootstrap, {{opts.topic, opts.partitions}});
    describe_connection(cluster);

    kflow::producer_config producer_config(cluster.config);  // idempotent, acks=all by default
    producer_config.client_id("kflow-event-bus").linger(2ms);

    asio::io_context io;
    bus b(opts, random_run_id(), io);
    for (const auto& [kind, name] :
         {std::pair{role::tasks, "tasks"}, std::pair{role::notifications, "notifications"},
          std::pair{role::audit, "audit"}}) {
        auto g = std::make_unique<group>();
        g->kind = kind;
        g->name = name;
        g->id = opts.group_prefix + "-" + name;
        kflow::consumer_config config(cluster.config);
        config.client_id("kflow-event-bus-" + g->name)
            .group_id(g->id)
            .auto_offset_reset(kflow::offset_reset::earliest)
            .enable_auto_commit(false)  // commits are ours: after each handled batch
            // The mock holds an empty fetch for the whole wait even when records arrive
            // meanwhile: keep it short, it bounds the end-to-end latency of a quiet moment.
            .fetch_wait_max(10ms);
        g->consumer = std::make_unique<event_consumer>(io.get_executor(), config);
        group* self = g.get();
        g->consumer->subscribe({opts.topic},
                               kflow::rebalance_listener{.on_assigned =
                                                             [self](const auto& partitions) {
                                                                 if (!partitions.empty())
                                                                     self->assigned = true;
                                                             },
                                                         .on_revoked = {},
                                                         .on_lost = {}});
        b.groups.push_back(std::move(g));
    }
    event_producer producer(io.get_executor(), producer_config);
    prime_metadata(producer, opts.topic);
    example::stop_on_signal stop(io.get_executor());
    std::cout << "Run " << b.run << ": topic '" << opts.topic << "', groups " << opts.group_prefix
              << "-{tasks,notifications,audit}\n";

    std::exception_ptr failure;
    const auto on_done = [&](std::exception_ptr e) {
        if (e && !failure) {
            failure = e;
            // Stop the rest promptly: the groups stop waiting, the signal set stops listening.
            b.aborted = true;
            b.drain_expired = true;
            for (auto& g : b.groups)
                g->wake.emit(asio::cancellation_type::terminal);
            b.drain_timer.cancel();
            stop.disarm();
        }
    };
    asio::co_spawn(io, publish(producer, b, stop), on_done);
    for (auto& g : b.groups)
        asio::co_spawn(io, consume(*g, b), on_done);
    io.run();
    if (failure)
        std::rethrow_exception(failure);

    return report(b) ? EXIT_SUCCESS : EXIT_FAILURE;
} catch (const std::exception& e) {
    std::cerr << "kflow-event-bus: " << e.what() << '\n';
    return EXIT_FAILURE;
}
