#pragma once
// Reading a command line one argument at a time, without I/O: every mistake becomes a
// usage_error naming the argument at fault, which main() prints with the command's help and
// turns into exit status 2.

#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kflow_cli {

/// A bad argument or bad input: exit status 2. `what()` names the argument and the reason.
class usage_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The arguments of one command, consumed front to back. Options may be written `--name VALUE`,
/// `--name=VALUE` or `-n VALUE`; positional arguments are whatever is not an option.
class argument_reader {
  public:
    explicit argument_reader(std::vector<std::string_view> args) : args_(std::move(args)) {}

    /// True while arguments remain.
    [[nodiscard]] bool more() const noexcept { return next_ < args_.size(); }

    /// The next argument, without consuming it.
    [[nodiscard]] std::string_view peek() const { return args_.at(next_); }

    /// Consumes the next argument and returns it. For `--name=VALUE`, returns `--name` and keeps
    /// VALUE for value().
    std::string_view take() {
        pending_value_.reset();
        std::string_view arg = args_.at(next_++);
        current_ = arg;
        if (arg.starts_with("--")) {
            if (const auto eq = arg.find('='); eq != std::string_view::npos) {
                pending_value_ = arg.substr(eq + 1);
                arg = arg.substr(0, eq);
                current_ = arg;
            }
        }
        return arg;
    }

    /// The value of the option just taken: its `=VALUE`, else the next argument.
    std::string value() {
        if (pending_value_) {
            std::string v(*pending_value_);
            pending_value_.reset();
            return v;
        }
        if (next_ >= args_.size())
            throw usage_error(std::string(current_) + " needs a value");
        return std::string(args_[next_++]);
    }

    /// Refuses a `--flag=VALUE` for an option that takes no value.
    void no_value() const {
        if (pending_value_)
            throw usage_error(std::string(current_) + " takes no value");
    }

    /// The value of the option just taken, as a whole number in [min, max].
    template <class Int>
    Int number(Int min, Int max) {
        const std::string text = value();
        Int out{};
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
        if (ec != std::errc{} || end != text.data() + text.size() || out < min || out > max) {
            throw usage_error(std::string(current_) + " '" + text + "': expected a whole number " +
                              "from " + std::to_string(min) + " to " + std::to_string(max));
        }
        return out;
    }

    /// The value of the option just taken, split at its first '=' (NAME=VALUE, KEY=VALUE).
    std::pair<std::string, std::string> assignment() {
        const std::string text = value();
        const auto eq = text.find('=');
        if (eq == std::string::npos || eq == 0)
            throw usage_error(std::string(current_) + " '" + text + "': expected NAME=VALUE");
        return {text.substr(0, eq), text.substr(eq + 1)};
    }

    /// Refuses the argument just taken as unknown to `command`.
    [[noreturn]] void unknown(std::string_view command) const {
        throw usage_error("unknown argument '" + std::string(current_) + "' for " +
                          std::string(command));
    }

  private:
    std::vector<std::string_view> args_;
    std::size_t next_ = 0;
    std::string_view current_;
    std::optional<std::string_view> pending_value_;
};

/// True for an argument that looks like an option (`-x`, `--name`), not a value such as `-`.
[[nodiscard]] inline bool is_option(std::string_view arg) noexcept {
    return arg.size() > 1 && arg.front() == '-';
}

/// A whole number from text, or std::nullopt.
template <class Int>
[[nodiscard]] std::optional<Int> parse_number(std::string_view text) {
    Int out{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return out;
}

}  // namespace kflow_cli
