#pragma once
// GET /metrics over HTTP/1.1 with Boost.Beast, on an Asio executor: one coroutine accepts
// connections and one per connection reads requests and answers them, keeping the connection
// open between requests as Prometheus expects. No thread of its own: it runs wherever the
// executor's io_context runs, beside the Kafka clients.
//
// Every scrape renders the registry afresh (kflow::metrics::registry::render_text()), so what
// Prometheus sees is what the exporter held at that moment.

#include <kflow/metrics/registry.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <iostream>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace example {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class metrics_server {
  public:
    /// Listens on `endpoint` at once (port 0: a free one, see local_endpoint()); throws
    /// boost::system::system_error when the address cannot be bound.
    metrics_server(const asio::any_io_executor& executor, const tcp::endpoint& endpoint,
                   const kflow::metrics::registry& registry)
        : acceptor_(executor, endpoint), registry_(registry) {}
    metrics_server(const metrics_server&) = delete;
    metrics_server& operator=(const metrics_server&) = delete;

    /// The address and port connections are accepted on.
    [[nodiscard]] tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

    /// The URL Prometheus scrapes: http://ADDRESS:PORT/metrics.
    [[nodiscard]] std::string url() const {
        const auto at = local_endpoint();
        const auto address = at.address().to_string();
        return "http://" + (at.address().is_v6() ? "[" + address + "]" : address) + ":" +
               std::to_string(at.port()) + "/metrics";
    }

    /// Starts accepting connections on the executor.
    void start() {
        asio::co_spawn(acceptor_.get_executor(), accept_loop(), [](std::exception_ptr e) {
            if (e)
                report(e, "accepting connections");
        });
    }

    /// Stops accepting and closes every open connection: a request being read is dropped, and
    /// the coroutines end, so that the io_context can run out of work.
    void stop() {
        stopping_ = true;
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        for (auto* stream : open_)
            stream->close();
    }

    /// Requests answered so far, /metrics or not.
    [[nodiscard]] std::size_t requests() const noexcept { return requests_; }

  private:
    // How long a connection may stay idle, or take to send its request.
    static constexpr std::chrono::seconds idle_timeout{60};

    static void report(std::exception_ptr e, const char* what) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            std::cerr << "metrics server: " << what << ": " << x.what() << '\n';
        }
    }

    asio::awaitable<void> accept_loop() {
        while (!stopping_) {
            auto [ec, socket] =
                co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) {
                if (stopping_)
                    break;
                // E.g. out of file descriptors: this connection is lost, the server goes on.
                std::cerr << "metrics server: accept: " << ec.message() << '\n';
                continue;
            }
            asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)),
                           [](std::exception_ptr e) {
                               if (e)
                                   report(e, "serving a connection");
                           });
        }
    }

    asio::awaitable<void> serve(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        // Known to stop() while it is open. The executor runs on one thread: no lock.
        open_.insert(&stream);
        struct forget {
            std::set<beast::tcp_stream*>& open;
            beast::tcp_stream* stream;
            ~forget() { open.erase(stream); }
        } registered{open_, &stream};

        beast::flat_buffer buffer;
        while (!stopping_) {
            http::request<http::string_body> request;
            stream.expires_after(idle_timeout);
            auto [read_error, read] = co_await http::async_read(
                stream, buffer, request, asio::as_tuple(asio::use_awaitable));
            // end_of_stream when the client closed the connection, timeout when it idled,
            // operation_aborted or a closed socket after stop().
            if (read_error || stopping_)
                break;
            auto response = respond(request);
            auto [write_error, written] =
                co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
            if (write_error || response.need_eof())
                break;
        }
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    http::response<http::string_body> respond(const http::request<http::string_body>& request) {
        ++requests_;
        http::response<http::string_body> response;
        response.version(request.version());
        response.keep_alive(request.keep_alive());
        std::string_view path = request.target();
        path = path.substr(0, path.find('?'));
        if (path != "/metrics") {
            response.result(http::status::not_found);
            response.set(http::field::content_type, "text/plain; charset=utf-8");
            response.body() = "not found: the metrics are at /metrics\n";
        } else if (request.method() != http::verb::get) {
            response.result(http::status::method_not_allowed);
            response.set(http::field::allow, "GET");
            response.set(http::field::content_type, "text/plain; charset=utf-8");
            response.body() = "only GET is served\n";
        } else {
            response.result(http::status::ok);
            response.set(http::field::content_type, kflow::metrics::content_type);
            response.body() = registry_.render_text();
        }
        response.prepare_payload();
        return response;
    }

    tcp::acceptor acceptor_;
    const kflow::metrics::registry& registry_;
    std::set<beast::tcp_stream*> open_;
    bool stopping_ = false;
    std::size_t requests_ = 0;
};

}  // namespace example
