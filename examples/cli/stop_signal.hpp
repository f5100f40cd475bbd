#pragma once
// Ctrl-C and SIGTERM end a consume run cleanly: the loop sees the request within one poll
// (100 ms), commits what it printed and leaves the group, instead of dying mid-record.

#include <csignal>

namespace kflow_cli {

/// While it lives, SIGINT and SIGTERM set a flag instead of ending the process.
class stop_signal {
  public:
    stop_signal() {
        flag() = 0;
        previous_int_ = std::signal(SIGINT, &on_signal);
        previous_term_ = std::signal(SIGTERM, &on_signal);
    }
    ~stop_signal() {
        std::signal(SIGINT, previous_int_);
        std::signal(SIGTERM, previous_term_);
    }
    stop_signal(const stop_signal&) = delete;
    stop_signal& operator=(const stop_signal&) = delete;

    /// True once a signal asked the run to stop.
    [[nodiscard]] bool requested() const noexcept { return flag() != 0; }

  private:
    static volatile std::sig_atomic_t& flag() noexcept {
        static volatile std::sig_atomic_t requested = 0;
        return requested;
    }
    static void on_signal(int) noexcept { flag() = 1; }

    using handler = void (*)(int);
    handler previous_int_ = SIG_DFL;
    handler previous_term_ = SIG_DFL;
};

}  // namespace kflow_cli
