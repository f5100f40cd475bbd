#pragma once
// The command line of kflow-event-bus, parsed without I/O: every mistake becomes one message
// naming the argument at fault.

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace example {

struct options {
    std::string bootstrap;  ///< empty: KAFKA_BOOTSTRAP_SERVERS, else an embedded mock cluster
    std::string topic = "task-events";
    std::string group_prefix =
        "kflow-event-bus";   ///< groups <prefix>-tasks, -notifications, -audit
    int events = 2000;       ///< events to publish; 0: until SIGINT or SIGTERM
    int rate = 10000;        ///< events per minute
    int partitions = 3;      ///< of the topic on the embedded cluster
    int drain_seconds = 10;  ///< how long consumers may take to catch up once publishing stops
    bool help = false;
};

struct parse_result {
    std::optional<options> parsed;
    std::string error;
};

inline constexpr std::string_view usage_text =
    R"(usage: kflow-event-bus [--bootstrap HOST:PORT] [--topic TOPIC] [--groups PREFIX]
                       [--events N] [--rate EVENTS_PER_MIN] [--partitions N]
                       [--drain SECONDS]

The chat application's event bus: one producer publishes JSON task events
(task_created, task_updated, task_completed, reminder_due) at a steady rate; three
consumer groups read the whole topic, each for its own purpose (tasks keeps a task
table, notifications counts reminders due, audit counts everything), committing
after each handled batch (at-least-once). SIGINT/SIGTERM stops publishing; the
groups then catch up, commit and close. It ends with the events published, what
each group handled, publish and end-to-end latencies, and a verdict against the
scenario's targets (publish p99 < 100 ms, end-to-end p99 < 5 s, at 10,000
events/min, every event handled by every group).

  --bootstrap HOST:PORT  the cluster (default: KAFKA_BOOTSTRAP_SERVERS, with the other
                         KAFKA_* settings, SASL/SCRAM included; without either, an
                         embedded mock cluster)
  --topic TOPIC          the events topic (default task-events)
  --groups PREFIX        consumer groups PREFIX-tasks, PREFIX-notifications and
                         PREFIX-audit (default kflow-event-bus)
  --events N             events to publish, 0..10000000; 0: until a signal (default 2000)
  --rate EVENTS_PER_MIN  publishing rate, 1..6000000 (default 10000)
  --partitions N         partitions of the topic on the embedded cluster, 1..64 (default 3)
  --drain SECONDS        how long the groups may take to catch up after publishing
                         stops, 1..600 (default 10)
  -h, --help             show this help and exit

Exit status: 0 when every group handled every published event and the targets are
met, 1 otherwise or on an error, 2 on a bad argument.
)";

[[nodiscard]] inline std::optional<int> parse_int(std::string_view text, int min, int max) {
    int value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || value < min || value > max)
        return std::nullopt;
    return value;
}

[[nodiscard]] inline parse_result parse_options(const std::vector<std::string_view>& args) {
    options out;
    const auto fail = [](std::string why) { return parse_result{std::nullopt, std::move(why)}; };
    struct int_option {
        std::string_view name;
        int* value;
        int min;
        int max;
    };
    const int_option int_options[] = {{"--events", &out.events, 0, 10'000'000},
                                      {"--rate", &out.rate, 1, 6'000'000},
                                      {"--partitions", &out.partitions, 1, 64},
                                      {"--drain", &out.drain_seconds, 1, 600}};
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view name = args[i];
        if (name == "-h" || name == "--help") {
            out.help = true;
            continue;
        }
        std::string* text = name == "--bootstrap" ? &out.bootstrap
                            : name == "--topic"   ? &out.topic
                            : name == "--groups"  ? &out.group_prefix
                                                  : nullptr;
        const int_option* number = nullptr;
        for (const auto& o : int_options) {
            if (o.name == name)
                number = &o;
        }
        if (text == nullptr && number == nullptr)
            return fail("unknown argument '" + std::string(name) + "'");
        if (i + 1 == args.size())
            return fail(std::string(name) + " needs a value");
        const std::string_view value = args[++i];
        if (text != nullptr) {
            if (value.empty())
                return fail(std::string(name) + " must not be empty");
            *text = std::string(value);
        } else if (const auto n = parse_int(value, number->min, number->max)) {
            *number->value = *n;
        } else {
            return fail(std::string(name) + " '" + std::string(value) + "': must be " +
                        std::to_string(number->min) + ".." + std::to_string(number->max));
        }
    }
    return {out, {}};
}

}  // namespace example
