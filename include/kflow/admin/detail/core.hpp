#pragma once
// The non-template core of admin_client: one rd_kafka_t (created as a producer, as admin clients
// usually are), and the machinery that runs admin requests both ways.
//
// Blocking: a queued request posts its result to a temporary queue that the calling thread
// polls for the request timeout plus a margin; a blocking request runs on the calling thread.
//
// Asynchronous: queued requests share one result queue, woken into Asio by the same event bridge
// the producer and consumer use (queue_bridge: rd_kafka_queue_io_event_enable + eventfd). Each
// request carries an opaque id naming its pending operation; the bridge's drain parses the
// event on its strand and hands the result to the handler's associated executor, never running
// application code on a librdkafka thread. Blocking requests run one at a time on a worker
// thread the core starts on first use; their handlers are dispatched the same way.

#include <kflow/admin/config.hpp>
#include <kflow/admin/detail/request.hpp>
#include <kflow/detail/blocking_worker.hpp>
#include <kflow/detail/client_core.hpp>
#include <kflow/detail/deliver_from_worker.hpp>
#include <kflow/detail/queue_bridge.hpp>
#include <kflow/use_awaitable.hpp>  // detail::complete

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace kflow::detail {

/// An asynchronous operation between initiation and completion. complete/fail consume it.
class pending_admin_op {
  public:
    virtual ~pending_admin_op() = default;
    virtual void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) = 0;
    virtual void complete(rd_kafka_event_t* ev) = 0;
    virtual void fail(const error_info& err) = 0;
};

template <queued_admin_request Request, class Handler>
class queued_admin_op final : public pending_admin_op {
  public:
    queued_admin_op(Request request, Handler handler, asio::any_io_executor fallback)
        : request_(std::move(request)),
          handler_(std::move(handler)),
          fallback_(std::move(fallback)),
          work_(asio::get_associated_executor(handler_, fallback_)) {}

    /// Hands the request to librdkafka; its native objects live here until then.
    void launch(rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) override {
        request_.launch(rk, o, q);
    }

    void complete(rd_kafka_event_t* ev) override {
        error_info err;
        auto result = finish(request_, ev, err);
        deliver(std::move(handler_), fallback_, work_, std::move(err), std::move(result));
    }
    void fail(const error_info& err) override {
        deliver(std::move(handler_), fallback_, work_, err, typename Request::result_type{});
    }

  private:
    Request request_;
    Handler handler_;
    asio::any_io_executor fallback_;
    asio::executor_work_guard<asio::associated_executor_t<Handler, asio::any_io_executor>> work_;
};

/// A blocking request waiting for, or running on, the worker thread, with the client's handle.
class blocking_task : public worker_task {
  public:
    /// Runs the request with the client's handle, on the worker thread.
    virtual void run_with(rd_kafka_t* rk) = 0;
    void run() final { run_with(rk_); }
    /// The handle run_with() gets: set when the task is queued.
    void bind(rd_kafka_t* rk) noexcept { rk_ = rk; }

  private:
    rd_kafka_t* rk_ = nullptr;
};

template <blocking_admin_request Request, class Handler>
class blocking_admin_op final : public blocking_task {
  public:
    blocking_admin_op(Request request, admin_options options, Handler handler,
                      asio::any_io_executor fallback)
        : request_(std::move(request)),
          options_(options),
          handler_(std::move(handler)),
          fallback_(std::move(fallback)),
          work_(asio::get_associated_executor(handler_, fallback_)) {}

    void run_with(rd_kafka_t* rk) override {
        error_info err;
        typename Request::result_type result{};
        try {
            result = request_.run(rk, options_, err);
        } catch (const std::exception& e) {
            err = {make_error_code(RD_KAFKA_RESP_ERR__FAIL),
                   std::string(Request::name) + ": " + e.what(),
                   {}};
        }
        deliver(std::move(handler_), fallback_, work_, std::move(err), std::move(result));
    }
    void fail(const error_info& err) override {
        deliver(std::move(handler_), fallback_, work_, err, typename Request::result_type{});
    }

  private:
    Request request_;
    admin_options options_;
    Handler handler_;
    asio::any_io_executor fallback_;
    asio::executor_work_guard<asio::associated_executor_t<Handler, asio::any_io_executor>> work_;
};

class admin_core : public std::enable_shared_from_this<admin_core> {
  public:
    static std::shared_ptr<admin_core> create(const admin_config& config,
                                              asio::any_io_executor executor) {
        return std::shared_ptr<admin_core>(new admin_core(config, std::move(executor)));
    }

    admin_core(const admin_core&) = delete;
    admin_core& operator=(const admin_core&) = delete;
    ~admin_core() { close(); }

    [[nodiscard]] rd_kafka_t* native() const noexcept { return client_.native(); }
    [[nodiscard]] const admin_options& default_options() const noexcept { return defaults_; }
    [[nodiscard]] const asio::any_io_executor& executor() const noexcept { return executor_; }
    [[nodiscard]] client_core& client() noexcept { return client_; }

    // -- blocking ------------------------------------------------------------------------------

    template <queued_admin_request Request>
    [[nodiscard]] typename Request::result_type run(Request request, const admin_options& opts,
                                                    error_info& err) {
        err = {};
        if (closed_.load()) {
            err = closed_error(Request::name);
            return {};
        }
        err = check_options<Request>(opts);
        if (!err)
            err = request.prepare();
        if (err)
            return {};
        auto result = run_queued(native(), request, opts, err, [&](rd_kafka_AdminOptions_t* o) {
            if constexpr (goes_to_controller<Request>()) {
                return route_without_controller(o, Request::name, opts);
            } else {
                return error_info{};
            }
        });
        serve_callbacks();
        return result;
    }

    template <blocking_admin_request Request>
    [[nodiscard]] typename Request::result_type run(Request request, const admin_options& opts,
                                                    error_info& err) {
        err = {};
        if (closed_.load()) {
            err = closed_error(Request::name);
            return {};
        }
        if (opts.request_timeout.count() <= 0) {
            err = invalid_argument(Request::name, "request_timeout must be positive, got " +
                                                      std::to_string(opts.request_timeout.count()) +
                                                      " ms");
            return {};
        }
        auto result = request.run(native(), opts, err);
        serve_callbacks();
        return result;
    }

    /// Serves the client's main queue, where librdkafka puts its errors, logs (with on_log) and
    /// statistics: the callbacks then run here, on the application's side, as a producer's or
    /// consumer's do in their polls. A callback's exception is rethrown here. Called when a
    /// synchronous request returns and when results are drained on the executor.
    void serve_callbacks() { (void)client_.serve(std::chrono::milliseconds(0)); }

    // -- asynchronous ---------------------------------------------------------------------------

    template <queued_admin_request Request, class Handler>
    void start(Request request, const admin_options& opts, Handler handler) {
        using result_type = typename Request::result_type;
        error_info err =
            closed_.load() ? closed_error(Request::name) : check_options<Request>(opts);
        if (!err)
            err = request.prepare();
        const auto ex = handler_executor(handler, Request::name, err);
        if (err) {
            deliver(std::move(handler), ex, std::move(err), result_type{});
            return;
        }
        auto* bridge = bridge_for(ex);
        auto slot = asio::get_associated_cancellation_slot(handler);
        const std::uint64_t id = next_id_.fetch_add(1) + 1;
        auto native_opts =
            native_admin_options(native(), Request::name, opts,
                                 reinterpret_cast<void*>(static_cast<std::uintptr_t>(id)), err);
        if (err) {
            deliver(std::move(handler), ex, std::move(err), result_type{});
            return;
        }
        std::unique_ptr<pending_admin_op> op = std::make_unique<queued_admin_op<Request, Handler>>(
            std::move(request), std::move(handler), ex);
        if (slot.is_connected()) {
            slot.assign([weak = weak_from_this(), id](asio::cancellation_type) {
                if (auto self = weak.lock())
                    self->cancel(id);
            });
        }
        bridge->hold();
        if (goes_to_controller<Request>()) {
            // Finding the broker to send it to blocks: leave that to the worker thread.
            enqueue(
                std::make_unique<routed_launch>(*this, id, std::move(op), std::move(native_opts),
                                                opts, std::string(Request::name)),
                Request::name);
            return;
        }
        register_and_launch(id, std::move(op), native_opts.get());
    }

    template <blocking_admin_request Request, class Handler>
    void start(Request request, const admin_options& opts, Handler handler) {
        using result_type = typename Request::result_type;
        error_info err;
        if (closed_.load())
            err = closed_error(Request::name);
        if (!err && opts.request_timeout.count() <= 0) {
            err = invalid_argument(Request::name, "request_timeout must be positive, got " +
                                                      std::to_string(opts.request_timeout.count()) +
                                                      " ms");
        }
        const auto ex = handler_executor(handler, Request::name, err);
        if (err) {
            deliver(std::move(handler), ex, std::move(err), result_type{});
            return;
        }
        enqueue(std::make_unique<blocking_admin_op<Request, Handler>>(std::move(request), opts,
                                                                      std::move(handler), ex),
                Request::name);
    }

    /// Fails every outstanding operation with errc::closed, stops the worker (a blocking call in
    /// progress finishes first: it is bounded by its request timeout) and detaches the bridge.
    void close() {
        if (closed_.exchange(true))
            return;
        worker_.stop(closed_error("admin operation"));
        std::map<std::uint64_t, std::unique_ptr<pending_admin_op>> pending;
        {
            const std::lock_guard lock(mutex_);
            pending.swap(pending_);
        }
        for (auto& [id, op] : pending) {
            op->fail(closed_error("admin operation"));
            if (bridge_)
                bridge_->release();
        }
        if (bridge_)
            bridge_->shutdown();
    }

    /// Completes a pending operation with operation_aborted; its result, if it comes, is
    /// dropped.
    void cancel(std::uint64_t id) {
        auto op = take(id);
        if (!op)
            return;
        op->fail(
            {make_error_code(asio::error::operation_aborted), "admin operation cancelled", {}});
        bridge_->release();
    }

  private:
    admin_core(const admin_config& config, asio::any_io_executor executor)
        : client_(RD_KAFKA_PRODUCER, config.native_copy(), config.callbacks()),
          defaults_(config.default_options()),
          executor_(std::move(executor)) {}

    static error_info closed_error(std::string_view op) {
        return {
            make_error_code(errc::closed), std::string(op) + ": the admin client is closed", {}};
    }

    /// The executor the handler completes on: its own, else the client's. Without either there
    /// is nowhere to run it but Asio's system executor, and the operation fails.
    template <class Handler>
    asio::any_io_executor handler_executor(const Handler& handler, std::string_view op,
                                           error_info& err) const {
        asio::any_io_executor ex = asio::get_associated_executor(handler, executor_);
        if (!ex) {
            if (!err) {
                err = {make_error_code(errc::invalid_config),
                       std::string(op) +
                           ": the admin client has no executor: construct it with one or bind "
                           "one to the completion handler (asio::bind_executor)",
                       {}};
            }
            return asio::system_executor();
        }
        return ex;
    }

    queue_bridge* bridge_for(const asio::any_io_executor& ex) {
        const std::lock_guard lock(bridge_mutex_);
        if (!bridge_) {
            std::weak_ptr<admin_core> weak = weak_from_this();
            // The bridge outlives this operation: an executor that tracks outstanding work
            // (e.g. an async_compose operation's) would keep io_context::run() from returning.
            const asio::any_io_executor untracked =
                asio::prefer(ex, asio::execution::outstanding_work.untracked);
            bridge_ =
                queue_bridge::create(untracked, queue_handle(rd_kafka_queue_new(native())), [weak] {
                    if (auto self = weak.lock())
                        self->drain();
                });
        }
        return bridge_.get();
    }

    /// An asynchronous controller request whose routing needs a metadata round trip first.
    class routed_launch final : public blocking_task {
      public:
        routed_launch(admin_core& core, std::uint64_t id, std::unique_ptr<pending_admin_op> op,
                      admin_options_handle native_opts, const admin_options& opts, std::string name)
            : core_(core),
              id_(id),
              op_(std::move(op)),
              native_opts_(std::move(native_opts)),
              opts_(opts),
              name_(std::move(name)) {}

        void run_with(rd_kafka_t*) override {
            if (auto err = core_.route_without_controller(native_opts_.get(), name_, opts_)) {
                fail(err);
                return;
            }
            core_.register_and_launch(id_, std::move(op_), native_opts_.get());
        }
        void fail(const error_info& err) override {
            op_->fail(err);
            core_.bridge_->release();
        }

      private:
        admin_core& core_;
        std::uint64_t id_;
        std::unique_ptr<pending_admin_op> op_;
        admin_options_handle native_opts_;
        admin_options opts_;
        std::string name_;
    };

    template <class Request>
    static constexpr bool goes_to_controller() {
        if constexpr (requires { Request::needs_controller; }) {
            return Request::needs_controller;
        } else {
            return false;
        }
    }

    /// librdkafka sends a controller request only to the controller the cluster names, and
    /// waits for it until the request times out. A cluster that names none, or names a broker
    /// that is not in its broker list (librdkafka's mock names broker 0), would make such a
    /// request hang for the whole timeout. Then the request goes to a broker directly, which
    /// serves it (brokers forward to the controller since Kafka 2.8), refuses it
    /// (NOT_CONTROLLER, reported per item) or says it does not support it.
    ///
    /// Group and record requests are routed the same way on such a cluster: librdkafka 2.0.2
    /// never completes DescribeGroups, DeleteGroups, OffsetDelete or DeleteRecords against
    /// the mock otherwise (measured), and a cluster without a controller serves none of them.
    error_info route_without_controller(rd_kafka_AdminOptions_t* native_opts, std::string_view op,
                                        const admin_options& opts) {
        const rd_kafka_metadata_t* raw = nullptr;
        const auto code =
            rd_kafka_metadata(native(), 0, nullptr, &raw, to_timeout_ms(opts.request_timeout));
        if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
            return {make_error_code(code),
                    std::string(op) + ": cannot read cluster metadata: " + rd_kafka_err2str(code),
                    {}};
        }
        const metadata_handle md(raw);
        if (md->broker_cnt == 0) {
            return {make_error_code(RD_KAFKA_RESP_ERR__TRANSPORT),
                    std::string(op) + ": the cluster reported no brokers",
                    {}};
        }
        const std::int32_t controller = rd_kafka_controllerid(native(), 0);
        for (int i = 0; i < md->broker_cnt; ++i) {
            if (md->brokers[i].id == controller)
                return {};
        }
        char errstr[256] = {0};
        if (rd_kafka_AdminOptions_set_broker(native_opts, md->brokers[0].id, errstr,
                                             sizeof errstr) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            return invalid_argument(op, errstr);
        }
        return {};
    }

    void register_and_launch(std::uint64_t id, std::unique_ptr<pending_admin_op> op,
                             const rd_kafka_AdminOptions_t* native_opts) {
        // Registered and launched under the lock: the result (drain) and a cancellation both
        // look the operation up under it, so neither can see it half made.
        const std::lock_guard lock(mutex_);
        auto* raw = op.get();
        pending_.emplace(id, std::move(op));
        raw->launch(native(), native_opts, bridge_->queue());
    }

    void enqueue(std::unique_ptr<blocking_task> task, std::string_view op) {
        if (closed_.load()) {
            task->fail(closed_error(op));
            return;
        }
        task->bind(native());
        worker_.submit(std::move(task));
    }

    std::unique_ptr<pending_admin_op> take(std::uint64_t id) {
        const std::lock_guard lock(mutex_);
        auto it = pending_.find(id);
        if (it == pending_.end())
            return nullptr;
        auto op = std::move(it->second);
        pending_.erase(it);
        return op;
    }

    /// On the bridge's strand: every result event that has arrived.
    void drain() {
        auto* queue = bridge_->queue();
        if (queue == nullptr)
            return;
        while (true) {
            const event_handle ev(rd_kafka_queue_poll(queue, 0));
            if (!ev)
                break;
            const auto id = static_cast<std::uint64_t>(
                reinterpret_cast<std::uintptr_t>(rd_kafka_event_opaque(ev.get())));
            if (auto op = take(id)) {
                op->complete(ev.get());
                bridge_->release();
            }
        }
        serve_callbacks();  // on the application's executor, like the results
    }

    client_core client_;
    admin_options defaults_;
    asio::any_io_executor executor_;
    std::atomic<bool> closed_{false};
    std::atomic<std::uint64_t> next_id_{0};

    std::mutex bridge_mutex_;
    std::shared_ptr<queue_bridge> bridge_;
    std::mutex mutex_;
    std::map<std::uint64_t, std::unique_ptr<pending_admin_op>> pending_;

    blocking_worker worker_;  // last: stopped (joined) before the handle goes
};

}  // namespace kflow::detail
