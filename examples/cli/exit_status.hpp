#pragma once
// The exit statuses kflow-cli promises scripts (usage.hpp lists them), and the failure that
// carries one from deep inside a command to main().

#include <stdexcept>
#include <string>

namespace kflow_cli {

/// What kflow-cli's exit status means, the same for every command.
enum class exit_status : int {
    ok = 0,           ///< done as asked
    failed = 1,       ///< the cluster refused or failed it, or the check found a problem
    usage = 2,        ///< a bad argument or bad input
    unreachable = 3,  ///< no broker could be reached
};

/// A command that could not do what it was asked: main() prints what() and exits with status.
class command_failure : public std::runtime_error {
  public:
    command_failure(exit_status status, const std::string& what)
        : std::runtime_error(what), status_(status) {}

    /// The exit status the failure stands for.
    [[nodiscard]] exit_status status() const noexcept { return status_; }

  private:
    exit_status status_;
};

/// The process's exit code for `status`.
[[nodiscard]] constexpr int exit_code(exit_status status) noexcept {
    return static_cast<int>(status);
}

}  // namespace kflow_cli
