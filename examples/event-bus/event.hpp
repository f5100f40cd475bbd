#pragma once
// The chat application's task events, as JSON through nlohmann_json's to_json/from_json (kflow's
// default codec finds them by ADL).
//
//   {"run":"5f3a9c1e","seq":17,"type":"reminder_due","task_id":"task-0042","user":"bob",
//    "title":"Book the venue","due_at_ms":1764950400000,"sent_at_us":1764946800123456}
//
// `run` and `seq` identify an event: at-least-once delivery may hand a consumer the same event
// twice, and handlers count unique (run, seq) pairs. `sent_at_us` is the producer's wall clock
// when the event was sent, for the end-to-end latency (a real deployment needs synchronized
// clocks for it to mean anything across hosts).

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace example {

enum class event_type { task_created, task_updated, task_completed, reminder_due };

inline constexpr std::array<event_type, 4> event_types = {
    event_type::task_created, event_type::task_updated, event_type::task_completed,
    event_type::reminder_due};

[[nodiscard]] constexpr std::string_view name(event_type t) noexcept {
    switch (t) {
        case event_type::task_created:
            return "task_created";
        case event_type::task_updated:
            return "task_updated";
        case event_type::task_completed:
            return "task_completed";
        case event_type::reminder_due:
            return "reminder_due";
    }
    return "?";
}

/// Throws std::invalid_argument for a name that is no event type: the consumer reports the
/// record as undeserializable, with its coordinates, instead of guessing.
[[nodiscard]] inline event_type event_type_from(std::string_view text) {
    for (const event_type t : event_types) {
        if (name(t) == text)
            return t;
    }
    throw std::invalid_argument("unknown event type \"" + std::string(text) + "\"");
}

struct task_event {
    std::string run;  ///< the publishing run: events of earlier runs are told apart
    std::int64_t seq = 0;
    event_type type = event_type::task_created;
    std::string task_id;
    std::string user;
    std::string title;
    std::int64_t due_at_ms = 0;   ///< when the task is due, Unix time in milliseconds
    std::int64_t sent_at_us = 0;  ///< when it was sent, Unix time in microseconds

    friend bool operator==(const task_event&, const task_event&) = default;
};

inline void to_json(nlohmann::json& j, const task_event& e) {
    j = nlohmann::json{{"run", e.run},
                       {"seq", e.seq},
                       {"type", name(e.type)},
                       {"task_id", e.task_id},
                       {"user", e.user},
                       {"title", e.title},
                       {"due_at_ms", e.due_at_ms},
                       {"sent_at_us", e.sent_at_us}};
}

// at() throws naming a missing field: a malformed event becomes a deserialization_error.
inline void from_json(const nlohmann::json& j, task_event& e) {
    j.at("run").get_to(e.run);
    j.at("seq").get_to(e.seq);
    e.type = event_type_from(j.at("type").get<std::string>());
    j.at("task_id").get_to(e.task_id);
    j.at("user").get_to(e.user);
    j.at("title").get_to(e.title);
    j.at("due_at_ms").get_to(e.due_at_ms);
    j.at("sent_at_us").get_to(e.sent_at_us);
}

/// Unix time in microseconds, the unit of sent_at_us.
[[nodiscard]] inline std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The n-th event of a run: a task's life of four events (created, updated, reminder due,
/// completed), interleaved with other tasks' so that every type flows all the time.
[[nodiscard]] inline task_event make_event(const std::string& run, std::int64_t n) {
    static constexpr std::array<std::string_view, 5> users = {"alice", "bob", "carol", "dave",
                                                              "erin"};
    static constexpr std::array<std::string_view, 6> titles = {
        "Book the venue",     "Send the agenda",  "Review the budget",
        "Order the catering", "Print the badges", "Collect feedback"};
    // Tasks start in waves of 16; each task's k-th event comes 16 events after its (k-1)-th.
    const std::int64_t wave = n / 64;
    const std::int64_t step = (n % 64) / 16;  // 0 created, 1 updated, 2 reminder, 3 completed
    const std::int64_t task = wave * 16 + n % 16;
    static constexpr std::array<event_type, 4> life = {
        event_type::task_created, event_type::task_updated, event_type::reminder_due,
        event_type::task_completed};
    task_event e;
    e.run = run;
    e.seq = n;
    e.type = life[static_cast<std::size_t>(step)];
    e.task_id = "task-" + std::to_string(task);
    e.user = std::string(users[static_cast<std::size_t>(task % 5)]);
    e.title = std::string(titles[static_cast<std::size_t>(task % 6)]);
    e.due_at_ms = now_us() / 1000 + (task % 48 + 1) * 3'600'000;
    return e;
}

}  // namespace example
