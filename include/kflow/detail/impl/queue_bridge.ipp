#pragma once
// The out-of-line members of queue_bridge: holding, waking and draining, shutdown.
// kflow/detail/queue_bridge.hpp includes this file at its end in header-only mode; with
// KFLOW_SEPARATE_COMPILATION only kflow/src.hpp does (see kflow/detail/config.hpp).

#include <kflow/detail/queue_bridge.hpp>

namespace kflow::detail {

void queue_bridge::hold() {
    if (holds_.fetch_add(1, std::memory_order_acq_rel) == 0) {
        asio::post(strand_, [self = shared_from_this()] {
            self->arm();
            // Events queued while nobody waited wrote no new wake-up: serve them now.
            if (!self->stopped_)
                self->drain_();
        });
    }
}

void queue_bridge::release() {
    if (holds_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        asio::dispatch(strand_, [self = shared_from_this()] {
            if (self->holds_.load(std::memory_order_acquire) == 0 && self->waiting_) {
                self->descriptor_.cancel();
            }
        });
    }
}

void queue_bridge::poke() {
    asio::post(strand_, [self = shared_from_this()] {
        if (!self->stopped_)
            self->drain_();
    });
}

void queue_bridge::shutdown() {
    detach();
    asio::dispatch(strand_, [self = shared_from_this()] {
        self->stopped_ = true;
        self->descriptor_.cancel();
    });
}

queue_bridge::queue_bridge(const strand_type& strand, queue_handle queue,
                           std::function<void()> drain)
    : strand_(strand),
      descriptor_(strand_, open_eventfd()),
      queue_(std::move(queue)),
      drain_(std::move(drain)) {
    static const std::uint64_t one = 1;  // an eventfd counts 8-byte writes
    rd_kafka_queue_io_event_enable(queue_.get(), descriptor_.native_handle(), &one, sizeof one);
}

void queue_bridge::detach() {
    const std::lock_guard lock(detach_mutex_);
    if (!queue_)
        return;
    rd_kafka_queue_io_event_enable(queue_.get(), -1, nullptr, 0);
    queue_.reset();
}

int queue_bridge::open_eventfd() {
    const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0)
        throw std::system_error(errno, std::generic_category(), "eventfd");
    return fd;
}

void queue_bridge::arm() {
    if (waiting_ || stopped_ || holds_.load(std::memory_order_acquire) == 0)
        return;
    waiting_ = true;
    descriptor_.async_wait(
        asio::posix::descriptor_base::wait_read,
        asio::bind_executor(strand_, [self = shared_from_this()](boost::system::error_code ec) {
            self->waiting_ = false;
            if (self->stopped_)
                return;
            if (!ec) {
                std::uint64_t count = 0;
                // Clear the wake-up before draining: a later event writes again.
                [[maybe_unused]] auto n =
                    ::read(self->descriptor_.native_handle(), &count, sizeof count);
                self->drain_();
            }
            self->arm();
        }));
}

}  // namespace kflow::detail
