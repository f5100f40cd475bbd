#pragma once
// SIGINT and SIGTERM as a stop request for a synchronous loop: the handler only sets a flag
// (all a signal handler may safely do), and the loop checks it between transactions. A poll
// waits at most 100 ms, so the program stops promptly, and a transaction under way is
// finished first, never cut off.

#include <csignal>

namespace example {

class signal_flag {
  public:
    signal_flag() {
        previous_int_ = std::signal(SIGINT, &signal_flag::on_signal);
        previous_term_ = std::signal(SIGTERM, &signal_flag::on_signal);
    }
    signal_flag(const signal_flag&) = delete;
    signal_flag& operator=(const signal_flag&) = delete;
    /// Puts the previous handlers back: a signal after the loop ended acts as it did before.
    ~signal_flag() {
        std::signal(SIGINT, previous_int_);
        std::signal(SIGTERM, previous_term_);
    }

    [[nodiscard]] bool requested() const noexcept { return received_ != 0; }
    /// "SIGINT", "SIGTERM", or "" before any signal.
    [[nodiscard]] const char* signal_name() const noexcept {
        return received_ == SIGINT ? "SIGINT" : received_ == SIGTERM ? "SIGTERM" : "";
    }

  private:
    static void on_signal(int signal_number) { received_ = signal_number; }

    static inline volatile std::sig_atomic_t received_ = 0;
    void (*previous_int_)(int) = SIG_DFL;
    void (*previous_term_)(int) = SIG_DFL;
};

}  // namespace example
