#pragma once
// The event bridge: wakes an Asio executor when a librdkafka queue has something to serve.
//
// librdkafka writes to an eventfd when a queue goes from empty to non-empty (and only once per
// "non-polling period": serving the queue re-enables the write). An Asio descriptor waits on the
// eventfd; when it is readable the bridge clears it FIRST and then lets its owner drain the queue
// completely, so an event that lands after the drain writes again and nothing is lost. No thread,
// no timer, no busy loop: an idle client costs no CPU.
//
// The wait is armed only while someone holds the bridge (an operation is outstanding), so
// io_context::run() returns once a client's work is done.
//
// All bridge state lives on a strand; hold()/release() may be called from any thread. hold() and
// poke() post to the strand rather than dispatch: they are called from inside async initiations,
// and a drain run inline there could complete the operation being initiated before its
// initiating function returned, which Asio forbids.

#include <kflow/detail/config.hpp>
#include <kflow/detail/handles.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <system_error>

namespace kflow::detail {

namespace asio = boost::asio;

class queue_bridge : public std::enable_shared_from_this<queue_bridge> {
  public:
    using strand_type = asio::strand<asio::any_io_executor>;

    /// `drain` runs on the strand each time the queue may have something; it must serve the
    /// queue until it is empty (or until nobody wants more).
    static std::shared_ptr<queue_bridge> create(const asio::any_io_executor& executor,
                                                queue_handle queue, std::function<void()> drain) {
        return create_on(asio::make_strand(executor), std::move(queue), std::move(drain));
    }
    /// The same on an existing strand: a client bridging several queues drains them all on
    /// one strand, so that all of its state is touched from that strand only.
    static std::shared_ptr<queue_bridge> create_on(const strand_type& strand, queue_handle queue,
                                                   std::function<void()> drain) {
        return std::shared_ptr<queue_bridge>(
            new queue_bridge(strand, std::move(queue), std::move(drain)));
    }

    queue_bridge(const queue_bridge&) = delete;
    queue_bridge& operator=(const queue_bridge&) = delete;

    ~queue_bridge() { detach(); }

    [[nodiscard]] const strand_type& strand() const noexcept { return strand_; }
    /// The bridged queue (null after shutdown()).
    [[nodiscard]] rd_kafka_queue_t* queue() const noexcept { return queue_.get(); }

    /// Someone is waiting for what the queue will bring: keep the wait armed.
    KFLOW_DECL void hold();
    /// That someone is done; the last release disarms the wait so the executor can run out
    /// of work.
    KFLOW_DECL void release();

    /// Drains soon, on the strand (e.g. when an operation starts and events may be queued
    /// already from before the wait was armed).
    KFLOW_DECL void poke();

    /// Detaches from the queue at once (the client may be destroyed right after) and stops
    /// draining. Called by the owner before it goes away; pending waits end harmlessly.
    KFLOW_DECL void shutdown();

  private:
    KFLOW_DECL queue_bridge(const strand_type& strand, queue_handle queue,
                            std::function<void()> drain);

    /// Stops librdkafka writing to our descriptor and drops our reference to the queue (which
    /// must go before the client is destroyed).
    KFLOW_DECL void detach();

    KFLOW_DECL static int open_eventfd();

    KFLOW_DECL void arm();

    strand_type strand_;
    asio::posix::stream_descriptor descriptor_;
    std::mutex detach_mutex_;
    queue_handle queue_;
    std::function<void()> drain_;
    std::atomic<int> holds_{0};
    bool waiting_ = false;
    bool stopped_ = false;
};

}  // namespace kflow::detail

#if !defined(KFLOW_SEPARATE_COMPILATION)
#include <kflow/detail/impl/queue_bridge.ipp>
#endif
