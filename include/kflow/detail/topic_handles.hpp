#pragma once
// The librdkafka topic handles a producer sends with: looked up by name once, then reused.

#include <kflow/detail/handles.hpp>

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>

namespace kflow::detail {

/// librdkafka looks a topic up by name on every send that names it: a read lock on the client,
/// a search of its topics and a reference taken and dropped (about 200 instructions a message
/// with librdkafka 2.0.2, docs/performance.md). A send that passes a topic handle skips all of
/// that. A producer keeps one handle per topic it sent to until it is destroyed (a map entry
/// and one reference on librdkafka's topic object each), and remembers the last one used, so
/// that consecutive sends to one topic find it without a lock.
class topic_handles {
  public:
    topic_handles() = default;
    topic_handles(const topic_handles&) = delete;
    topic_handles& operator=(const topic_handles&) = delete;
    ~topic_handles() { release(); }

    /// The handle for `name`, or null when librdkafka refuses to create one (the caller then
    /// sends by name, and librdkafka's refusal says why).
    [[nodiscard]] rd_kafka_topic_t* find(rd_kafka_t* client, const std::string& name) {
        const entry* last = last_.load(std::memory_order_acquire);
        if (last != nullptr && last->first == name) [[likely]]
            return last->second.get();
        return find_or_create(client, name);
    }

    /// Destroys every handle. The client calls this before it is destroyed itself: a topic
    /// handle must not outlive its client.
    void release() noexcept {
        const std::lock_guard lock(mutex_);
        last_.store(nullptr, std::memory_order_relaxed);
        handles_.clear();
    }

  private:
    using table = std::unordered_map<std::string, topic_handle>;
    using entry = table::value_type;  // a node's address stays valid until release()

    [[gnu::noinline]] rd_kafka_topic_t* find_or_create(rd_kafka_t* client,
                                                       const std::string& name) {
        const std::lock_guard lock(mutex_);
        auto found = handles_.find(name);
        if (found == handles_.end()) {
            topic_handle created(rd_kafka_topic_new(client, name.c_str(), nullptr));
            if (!created)
                return nullptr;
            found = handles_.emplace(name, std::move(created)).first;
        }
        last_.store(&*found, std::memory_order_release);
        return found->second.get();
    }

    std::mutex mutex_;
    table handles_;
    std::atomic<const entry*> last_{nullptr};
};

}  // namespace kflow::detail
