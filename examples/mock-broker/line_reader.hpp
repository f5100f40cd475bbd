#pragma once
// Lines from a file descriptor (standard input), read so that another thread can stop the
// reader at any time: poll() waits on the descriptor and on a pipe that stop() writes to. A
// std::getline() blocked on a terminal or an idle pipe could not be stopped, and the broker could
// not join its thread before destroying the cluster the commands act on.

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "unique_fd.hpp"

namespace mock_broker {

class line_reader {
  public:
    explicit line_reader(int fd) : fd_(fd) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
            throw std::runtime_error(std::string("commands: pipe: ") + std::strerror(errno));
        wake_read_ = unique_fd(fds[0]);
        wake_write_ = unique_fd(fds[1]);
    }

    /// The next line without its newline; std::nullopt at the end of input (a last line without
    /// a newline is still returned first), on a read error, or once stop() was called.
    [[nodiscard]] std::optional<std::string> next() {
        for (;;) {
            // Lines already read are dropped too: a stopping broker runs no more commands.
            if (stopped_.load())
                return std::nullopt;
            if (const auto nl = pending_.find('\n'); nl != std::string::npos) {
                std::string line = pending_.substr(0, nl);
                pending_.erase(0, nl + 1);
                return line;
            }
            if (eof_) {
                if (pending_.empty())
                    return std::nullopt;
                return std::exchange(pending_, {});
            }
            pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR)
                    continue;
                return std::nullopt;
            }
            if (fds[1].revents != 0)
                return std::nullopt;
            char buffer[4096];
            const ssize_t n = ::read(fd_, buffer, sizeof buffer);
            if (n > 0)
                pending_.append(buffer, static_cast<std::size_t>(n));
            else if (n == 0 || (errno != EINTR && errno != EAGAIN))
                eof_ = true;
        }
    }

    /// Makes next() return std::nullopt, now or the next time it is called. Any thread.
    void stop() noexcept {
        stopped_.store(true);
        const char byte = 0;
        (void)!::write(wake_write_.get(), &byte, 1);
    }

  private:
    int fd_;
    unique_fd wake_read_;
    unique_fd wake_write_;
    std::string pending_;
    bool eof_ = false;
    std::atomic<bool> stopped_{false};
};

}  // namespace mock_broker
