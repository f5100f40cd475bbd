#pragma once
// The operations behind async_producer<K, V>: a send between initiation and delivery report,
// flush waiters, and the steps of async_close.

#include <kflow/detail/async_producer_service.hpp>
#include <kflow/detail/outstanding_work.hpp>
#include <kflow/detail/pending_handler.hpp>
#include <kflow/detail/post_completion.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <type_traits>

namespace kflow {

namespace asio = boost::asio;

namespace detail {

/// True when `ex` is the service's own executor: the service then keeps its execution context
/// busy (its bridge is held) from a send's initiation until the send's completion is dispatched,
/// and the send need not count work of its own.
template <class Executor>
bool kept_busy_by(const async_producer_service& service, const Executor& ex) {
    if constexpr (std::is_same_v<Executor, asio::any_io_executor>) {
        return ex == service.executor();
    } else {
        return false;
    }
}

/// One async_send between initiation and completion.
template <class Handler>
class async_delivery final : public deferred_delivery {
  public:
    using executor_type = asio::associated_executor_t<Handler, asio::any_io_executor>;

    async_delivery(Handler handler, async_producer_service& service)
        : handler_(std::move(handler)), work_(make_work(handler_, service)), service_(service) {}

    /// Keeps the record's topic name for the metadata: the report then needs no copy of
    /// librdkafka's. Returns the kept name, for the send.
    [[nodiscard]] const std::string& keep_topic(std::string&& topic) noexcept {
        metadata_.topic = std::move(topic);
        return metadata_.topic;
    }

    bool complete(std::error_code ec, const rd_kafka_message_t& msg) override {
        ec_ = ec;
        if (metadata_.topic.empty())
            metadata_.topic = rd_kafka_topic_name(msg.rkt);
        fill_delivery(metadata_, &msg);
        service_.push_ready(this);
        return false;  // finish() runs once librdkafka's poll has returned
    }

    void finish() override {
        if (!ec_) {
            run(std::nullopt, false);  // the usual case: no error_info is built
            return;
        }
        // Worded as the synchronous producer's on_error, naming where the record went.
        std::string message = "delivery to " + metadata_.topic + " [" +
                              std::to_string(metadata_.partition) + "] failed: " + ec_.message();
        run(error_info{ec_, std::move(message), {}}, false);
    }
    // Posted, never run inline: abort() is called from inside async_send's initiation and from
    // inside a cancellation handler, where completing at once is forbidden or unsafe.
    void abort(const error_info& err) override {
        metadata_ = record_metadata{};  // the record was not sent: nothing to report
        run(err, true);
    }

  private:
    static outstanding_work<executor_type> make_work(const Handler& handler,
                                                     const async_producer_service& service) {
        auto ex = asio::get_associated_executor(handler, service.executor());
        const bool kept_busy = kept_busy_by(service, ex);
        return outstanding_work<executor_type>(std::move(ex), kept_busy);
    }

    /// Completes the handler with `err` (none: success) and the metadata, and deletes this.
    void run(std::optional<error_info> err, bool post) {
        auto& service = service_;
        // The handler runs on the service's own executor and this is the service's strand,
        // so the thread runs that executor's context: dispatch() would run the handler here
        // and now as well, after three layers of type erasure. Many deliveries complete per
        // wake-up, and each would pay them.
        const bool here_and_now =
            !post && !work_.counts_work() && service.strand().running_in_this_thread();
        if (here_and_now) {
            Handler handler = std::move(handler_);
            record_metadata md = std::move(metadata_);
            delete this;
            // Released after the handler, even if it throws: a coroutine that sends again at
            // once then finds the bridge still armed.
            const struct release_on_exit {
                async_producer_service& service;
                ~release_on_exit() { service.release(); }
            } hold{service};
            asio::get_associated_cancellation_slot(handler).clear();
            detail::complete(handler, err, std::move(md));
            return;
        }
        auto ex = work_.get_executor();
        auto completion = [h = std::move(handler_), err = std::move(err), md = std::move(metadata_),
                           work = std::move(work_)]() mutable {
            asio::get_associated_cancellation_slot(h).clear();
            detail::complete(h, err, std::move(md));
        };
        if (post) {
            asio::post(ex, std::move(completion));
        } else {
            asio::dispatch(ex, std::move(completion));
        }
        delete this;
        service.release();
    }

    Handler handler_;
    outstanding_work<executor_type> work_;
    async_producer_service& service_;
    std::error_code ec_;
    record_metadata metadata_;
};

template <class Handler>
class async_flush_waiter final : public flush_waiter {
  public:
    async_flush_waiter(Handler handler, const asio::any_io_executor& fallback)
        : handler_(std::move(handler)), work_(asio::get_associated_executor(handler_, fallback)) {}

    // Posted: cancel_flush_waiter() calls this from inside the operation's cancellation handler.
    void complete(const error_info& err) override {
        auto ex = work_.get_executor();
        asio::post(ex, [h = std::move(handler_), err, work = std::move(work_)]() mutable {
            asio::get_associated_cancellation_slot(h).clear();
            detail::complete(h, err);
        });
        delete this;
    }

  private:
    Handler handler_;
    outstanding_work<asio::associated_executor_t<Handler, asio::any_io_executor>> work_;
};

/// The serializers of an async_producer, shared with its initiations.
template <class KeySerde, class ValueSerde>
struct serializers {
    serializers(KeySerde k, ValueSerde v) : key(std::move(k)), value(std::move(v)) {}
    [[no_unique_address]] KeySerde key;
    [[no_unique_address]] ValueSerde value;
};

/// How a producer and its initiations hold its serializers: shared when they have state, a copy
/// of their own when they have none (serde<none>, serde<std::string_view>, ...), which spares
/// every send a reference count's two atomic operations.
template <class Serdes, bool Stateless = std::is_empty_v<Serdes>>
class serializers_handle {
  public:
    explicit serializers_handle(Serdes serdes)
        : shared_(std::make_shared<const Serdes>(std::move(serdes))) {}
    const Serdes* operator->() const noexcept { return shared_.get(); }

  private:
    std::shared_ptr<const Serdes> shared_;
};

template <class Serdes>
class serializers_handle<Serdes, true> {
  public:
    explicit serializers_handle(Serdes serdes) : serdes_(std::move(serdes)) {}
    const Serdes* operator->() const noexcept { return &serdes_; }

  private:
    [[no_unique_address]] Serdes serdes_;
};

/// What every async_producer initiation holds: the service, not the producer, so an operation
/// created with asio::deferred still works after the producer was moved. Exposes the executor,
/// for tokens that ask the initiation for it.
struct producer_initiation {
    using executor_type = asio::any_io_executor;
    [[nodiscard]] executor_type get_executor() const noexcept { return service->executor(); }

    std::shared_ptr<async_producer_service> service;
};

/// async_close: refuses new sends, waits up to the timeout for every delivery report, then
/// purges what is left and waits (producer_core::purge_grace at most) for the purged messages'
/// reports. Every step runs on the service's strand.
template <class Handler>
class producer_close_op : public std::enable_shared_from_this<producer_close_op<Handler>> {
  public:
    producer_close_op(Handler handler, std::shared_ptr<async_producer_service> service,
                      std::chrono::milliseconds timeout)
        : pending_(std::move(handler), service->executor()),
          service_(std::move(service)),
          timeout_(timeout) {}

    /// On the strand; `first` is what async_producer_service::begin_close() said, when the
    /// operation was initiated (so sends after the initiation fail, whenever this runs).
    void start(bool first) {
        if (!first) {
            pending_.complete({});  // closed already, or closing: that close reports the outcome
            return;
        }
        wait_for_reports(timeout_, [self = this->shared_from_this()](const error_info& err) {
            if (err) {
                self->purge();
            } else {
                self->finish(0);
            }
        });
    }

  private:
    template <class Then>
    void wait_for_reports(std::chrono::milliseconds timeout, Then then) {
        service_->add_flush_waiter(
            std::make_unique<callback_flush_waiter>(std::move(then)), timeout,
            {make_error_code(errc::timed_out), "close: deliveries still outstanding", {}},
            [](std::uint64_t) {});
    }

    void purge() {
        const auto undelivered = service_->purge();
        wait_for_reports(producer_core::purge_grace,
                         [self = this->shared_from_this(), undelivered](const error_info&) {
                             self->finish(undelivered);
                         });
    }

    void finish(std::size_t undelivered) {
        service_->finish_close();
        if (undelivered == 0) {
            pending_.complete({});
            return;
        }
        pending_.complete({make_error_code(errc::timed_out),
                           "close: " + std::to_string(undelivered) +
                               " message(s) not delivered within " +
                               std::to_string(timeout_.count()) + " ms; each send failed",
                           {}});
    }

    pending_handler<Handler> pending_;
    std::shared_ptr<async_producer_service> service_;
    std::chrono::milliseconds timeout_;
};

}  // namespace detail

}  // namespace kflow
