#pragma once
// A TCP relay from fixed 127.0.0.1 ports to the mock brokers' own ports.
//
// librdkafka's mock binds each broker to an ephemeral port and has no API to choose it (2.0.2),
// so `--port BASE` listens on BASE+i-1 itself and copies bytes both ways between each accepted
// connection and broker i's real port. One thread runs every connection with poll(): the relay
// only ever carries a few client connections of a test, and a thread per connection would need
// stopping one by one.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <list>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "unique_fd.hpp"

namespace mock_broker {

/// Relays 127.0.0.1:listen_port[i] to 127.0.0.1:target_port[i].
class tcp_relay {
  public:
    /// Binds and listens on 127.0.0.1 at each port, before anything else takes them. Throws
    /// std::runtime_error naming the port when one cannot be had (most often: in use).
    explicit tcp_relay(const std::vector<int>& listen_ports) {
        for (const int port : listen_ports)
            listeners_.push_back(listen_on(port));
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
            throw std::runtime_error(std::string("relay: pipe: ") + std::strerror(errno));
        wake_read_ = unique_fd(fds[0]);
        wake_write_ = unique_fd(fds[1]);
    }

    tcp_relay(const tcp_relay&) = delete;
    tcp_relay& operator=(const tcp_relay&) = delete;

    ~tcp_relay() { stop(); }

    /// Starts relaying: a connection accepted on listen_ports[i] goes to target_ports[i].
    void start(std::vector<int> target_ports) {
        targets_ = std::move(target_ports);
        thread_ = std::thread([this] { run(); });
    }

    /// Stops the thread and closes every connection. Idempotent.
    void stop() noexcept {
        if (!thread_.joinable())
            return;
        const char byte = 0;
        // The pipe only wakes poll(); a full pipe already does.
        (void)!::write(wake_write_.get(), &byte, 1);
        thread_.join();
    }

  private:
    // One direction of a connection: bytes read from `from` wait in `buffer` until written to
    // the other side.
    struct direction {
        std::array<char, 64 * 1024> buffer{};
        std::size_t begin = 0;
        std::size_t end = 0;
        bool eof = false;        // `from` has no more to send
        bool shut_down = false;  // the write side of the other socket is shut down
        [[nodiscard]] bool empty() const { return begin == end; }
    };
    struct connection {
        unique_fd client;
        unique_fd broker;
        direction to_broker;
        direction to_client;
        bool failed = false;
    };

    static unique_fd listen_on(int port) {
        unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        if (!fd)
            throw std::runtime_error(std::string("relay: socket: ") + std::strerror(errno));
        // Lets a restarted broker take its port back from connections still in TIME_WAIT; a
        // port another socket listens on still fails with EADDRINUSE.
        const int on = 1;
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        const sockaddr_in addr = loopback(port);
        if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(fd.get(), SOMAXCONN) != 0) {
            const int err = errno;
            throw std::runtime_error("--port: cannot listen on 127.0.0.1:" + std::to_string(port) +
                                     ": " + std::strerror(err) +
                                     (err == EADDRINUSE ? " (another process has it)" : ""));
        }
        return fd;
    }

    static sockaddr_in loopback(int port) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return addr;
    }

    // A blocking connect: on loopback it completes or is refused at once.
    static unique_fd connect_to(int port) {
        unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!fd)
            return {};
        const sockaddr_in addr = loopback(port);
        if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
            return {};
        ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) | O_NONBLOCK);
        return fd;
    }

    static void set_nodelay(int fd) {
        // Kafka requests are small and latency tests measure them: no Nagle delay in between.
        const int on = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    }

    void accept_from(std::size_t listener) {
        for (;;) {
            unique_fd client(::accept4(listeners_[listener].get(), nullptr, nullptr,
                                       SOCK_CLOEXEC | SOCK_NONBLOCK));
            if (!client)
                return;  // EAGAIN, or a connection that went away before it was accepted
            unique_fd broker = connect_to(targets_[listener]);
            if (!broker)
                continue;  // closing the client tells it what a refused connection would
            set_nodelay(client.get());
            set_nodelay(broker.get());
            auto& c = connections_.emplace_back();
            c.client = std::move(client);
            c.broker = std::move(broker);
        }
    }

    // Moves what it can from `from` through `d` to `to`; false on a broken connection.
    static bool pump(int from, int to, direction& d, short from_events, short to_events) {
        if ((from_events & (POLLIN | POLLHUP | POLLERR)) && d.empty() && !d.eof) {
            const ssize_t n = ::read(from, d.buffer.data(), d.buffer.size());
            if (n > 0) {
                d.begin = 0;
                d.end = static_cast<std::size_t>(n);
            } else if (n == 0) {
                d.eof = true;
            } else if (errno != EAGAIN && errno != EINTR) {
                return false;
            }
        }
        if ((to_events & (POLLOUT | POLLERR)) || !d.empty()) {
            while (!d.empty()) {
                const ssize_t n =
                    ::send(to, d.buffer.data() + d.begin, d.end - d.begin, MSG_NOSIGNAL);
                if (n > 0) {
                    d.begin += static_cast<std::size_t>(n);
                } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                    break;
                } else {
                    return false;
                }
            }
        }
        if (d.eof && d.empty() && !d.shut_down) {
            ::shutdown(to, SHUT_WR);
            d.shut_down = true;
        }
        return true;
    }

    static short wanted(const direction& from_side, const direction& to_side) {
        // A socket is read when its buffer is free, and written when the other side's has data.
        short events = 0;
        if (from_side.empty() && !from_side.eof)
            events |= POLLIN;
        if (!to_side.empty())
            events |= POLLOUT;
        return events;
    }

    void run() {
        std::vector<pollfd> fds;
        for (;;) {
            fds.clear();
            fds.push_back({wake_read_.get(), POLLIN, 0});
            for (const auto& l : listeners_)
                fds.push_back({l.get(), POLLIN, 0});
            for (const auto& c : connections_) {
                fds.push_back({c.client.get(), wanted(c.to_broker, c.to_client), 0});
                fds.push_back({c.broker.get(), wanted(c.to_client, c.to_broker), 0});
            }
            if (::poll(fds.data(), fds.size(), -1) < 0) {
                if (errno == EINTR)
                    continue;
                return;
            }
            if (fds[0].revents != 0)
                return;
            std::size_t i = 1;
            for (std::size_t l = 0; l < listeners_.size(); ++l, ++i) {
                if (fds[i].revents & POLLIN)
                    accept_from(l);
            }
            // Connections accepted just now were not polled: they come after the polled ones.
            for (auto it = connections_.begin(); i < fds.size(); i += 2) {
                auto& c = *it;
                const short client_events = fds[i].revents;
                const short broker_events = fds[i + 1].revents;
                const bool ok =
                    pump(c.client.get(), c.broker.get(), c.to_broker, client_events,
                         broker_events) &&
                    pump(c.broker.get(), c.client.get(), c.to_client, broker_events, client_events);
                const bool done = c.to_broker.shut_down && c.to_client.shut_down;
                // The broker closing (taken down, or a client it refuses) ends the connection
                // even if the client still has something to send. A hung-up socket that has
                // nothing left to read cannot take more either: poll() would report it again
                // and again.
                const bool hung_up = ((client_events | broker_events) & POLLERR) ||
                                     ((client_events & POLLHUP) && c.to_broker.eof) ||
                                     ((broker_events & POLLHUP) && c.to_client.eof);
                if (!ok || done || hung_up || (c.to_client.eof && c.to_client.empty()))
                    it = connections_.erase(it);
                else
                    ++it;
            }
        }
    }

    std::vector<unique_fd> listeners_;
    std::vector<int> targets_;
    std::list<connection> connections_;
    unique_fd wake_read_;
    unique_fd wake_write_;
    std::thread thread_;
};

}  // namespace mock_broker
