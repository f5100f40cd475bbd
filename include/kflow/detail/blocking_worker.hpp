#pragma once
// blocking_worker: one thread, started on first use, that runs librdkafka calls which block
// (transactional calls, some admin requests) one at a time and in order, so that an
// asynchronous operation never blocks the application's executor.

#include <kflow/error.hpp>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace kflow::detail {

/// A call waiting for, or running on, a blocking_worker.
class worker_task {
  public:
    virtual ~worker_task() = default;
    /// Runs the call, on the worker thread, and completes the operation.
    virtual void run() = 0;
    /// Completes the operation with `err` without running it (the worker stopped first).
    virtual void fail(const error_info& err) = 0;
};

/// Runs worker_tasks on a thread of its own, in the order submitted.
class blocking_worker {
  public:
    blocking_worker() = default;
    blocking_worker(const blocking_worker&) = delete;
    blocking_worker& operator=(const blocking_worker&) = delete;
    ~blocking_worker() { stop({make_error_code(errc::closed), "the client is closing", {}}); }

    /// Queues `task`, starting the thread if it is not running; after stop() fails it with
    /// errc::closed at once.
    void submit(std::unique_ptr<worker_task> task) {
        {
            const std::lock_guard lock(mutex_);
            if (!stopping_) {
                tasks_.push_back(std::move(task));
                if (!thread_.joinable())
                    thread_ = std::thread([this] { work(); });
                wake_.notify_one();
                return;
            }
        }
        task->fail({make_error_code(errc::closed), "the client is closing", {}});
    }

    /// Fails the tasks not started yet with `why`, waits for the running one to end (its own
    /// timeout bounds it) and joins the thread. Idempotent.
    void stop(const error_info& why) {
        std::deque<std::unique_ptr<worker_task>> not_started;
        {
            const std::lock_guard lock(mutex_);
            stopping_ = true;
            not_started.swap(tasks_);
        }
        wake_.notify_all();
        if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id())
            thread_.join();
        for (auto& task : not_started)
            task->fail(why);
    }

  private:
    void work() {
        while (true) {
            std::unique_ptr<worker_task> task;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
                if (tasks_.empty())
                    return;  // stopping
                task = std::move(tasks_.front());
                tasks_.pop_front();
            }
            task->run();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::unique_ptr<worker_task>> tasks_;  // guarded by mutex_
    bool stopping_ = false;                           // guarded by mutex_
    std::thread thread_;
};

}  // namespace kflow::detail
