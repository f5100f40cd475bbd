#pragma once
// SIGINT and SIGTERM as a stop request for an Asio program: the signal sets requested() and
// cancels the operation bound to slot() (a receive waiting for records), so the loop that
// awaits it ends at once instead of at its next record.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>

namespace example {

namespace asio = boost::asio;

class stop_on_signal {
  public:
    explicit stop_on_signal(const asio::any_io_executor& executor)
        : signals_(executor, SIGINT, SIGTERM) {
        signals_.async_wait([this](const boost::system::error_code& ec, int signal_number) {
            if (ec)
                return;  // disarmed: the program finished first
            signal_number_ = signal_number;
            cancel_.emit(asio::cancellation_type::terminal);
        });
    }
    stop_on_signal(const stop_on_signal&) = delete;
    stop_on_signal& operator=(const stop_on_signal&) = delete;

    /// Bind the operation that a signal must interrupt to this slot.
    [[nodiscard]] asio::cancellation_slot slot() { return cancel_.slot(); }
    [[nodiscard]] bool requested() const noexcept { return signal_number_ != 0; }
    /// "SIGINT", "SIGTERM", or "" before any signal.
    [[nodiscard]] const char* signal_name() const noexcept {
        return signal_number_ == SIGINT ? "SIGINT" : signal_number_ == SIGTERM ? "SIGTERM" : "";
    }
    /// Stops listening, so that io_context::run() can return once the work is done.
    void disarm() { signals_.cancel(); }

  private:
    asio::signal_set signals_;
    asio::cancellation_signal cancel_;
    int signal_number_ = 0;
};

}  // namespace example
