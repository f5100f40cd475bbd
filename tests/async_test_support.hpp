#pragma once
// What the async tests share: an io_context running on a thread of its own, running a coroutine
// to completion, producing test records, and telling where a handler runs.

#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/produce.hpp>
#include <kflow/testing/run_coroutine.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <pthread.h>

#include <string>
#include <system_error>
#include <thread>

namespace kflow_test {

namespace asio = boost::asio;

/// An io_context run by `threads` threads until this object goes away.
class io_thread {
  public:
    explicit io_thread(int threads = 1) : guard_(asio::make_work_guard(io_)) {
        for (int i = 0; i < threads; ++i)
            threads_.emplace_back([this] { io_.run(); });
    }
    io_thread(const io_thread&) = delete;
    io_thread& operator=(const io_thread&) = delete;
    ~io_thread() {
        guard_.reset();
        io_.stop();
        for (auto& t : threads_)
            t.join();
    }

    [[nodiscard]] asio::io_context& context() noexcept { return io_; }
    [[nodiscard]] asio::any_io_executor executor() { return io_.get_executor(); }
    /// The running thread (of a single-threaded io_thread).
    [[nodiscard]] std::thread::id id() const { return threads_.front().get_id(); }
    /// Whether the calling thread is one of this io_context's threads.
    [[nodiscard]] bool runs_here() const {
        for (const auto& t : threads_) {
            if (t.get_id() == std::this_thread::get_id())
                return true;
        }
        return false;
    }

  private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_;
    std::vector<std::thread> threads_;
};

/// Runs the coroutine `f` on `ctx` and waits for it; rethrows what it threw. The deadline is
/// generous (some of these tests loop for up to 60 s on purpose): it only turns a hang into a
/// failure.
template <class F>
void run_on(io_thread& ctx, F f) {
    kflow::testing::run_coroutine(ctx.executor(), std::move(f), std::chrono::seconds(120));
}

/// Whether the calling thread is one of librdkafka's (they are named "rdk:...").
inline bool on_librdkafka_thread() {
    char name[32] = {};
    pthread_getname_np(pthread_self(), name, sizeof name);
    return std::string(name).rfind("rdk:", 0) == 0;
}

/// Produces `count` records "k<i>" / "<prefix><i>" to one partition and waits for them: the
/// names these tests expect, kept over kflow::testing::produce_n.
inline void produce(const kflow::testing::mock_cluster& cluster, const std::string& topic,
                    int count, std::int32_t partition = 0, const std::string& prefix = "v") {
    (void)kflow::testing::produce_n(
        cluster.bootstrap_servers(), topic, count,
        {.partition = partition, .key_prefix = "k", .value_prefix = prefix});
}

/// Consumer settings for tests that commit themselves: a fresh group, auto-commit off.
inline kflow::consumer_config manual_commit_config(const kflow::testing::mock_cluster& cluster) {
    auto config = kflow::testing::test_consumer_config(cluster.bootstrap_servers(),
                                                       kflow::testing::unique_name("g"));
    config.enable_auto_commit(false);
    return config;
}

/// The code of the kafka_error that `f` throws; empty if it throws none.
template <class F>
std::error_code thrown_code(F f) {
    try {
        f();
    } catch (const kflow::kafka_error& e) {
        return e.code();
    }
    return {};
}

}  // namespace kflow_test
