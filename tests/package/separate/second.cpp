// The second translation unit of tests/package/separate's program (see main.cpp).
#include "round_trip.hpp"

#include <kflow/async_consumer.hpp>
#include <kflow/async_producer.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace separate {

void send_mixed(const std::string& bootstrap, const std::string& topic,
                const std::vector<std::string>& values) {
    const auto config = kflow::testing::test_producer_config(bootstrap);
    {
        asio::io_context io;
        kflow::async_producer<std::string, std::string> producer(io.get_executor(), config);
        auto send = [&]() -> asio::awaitable<void> {
            (void)co_await producer.async_send({topic, "key", values.front()});
            co_await producer.async_close(10s);
        };
        std::exception_ptr failure;
        asio::co_spawn(io, send(), [&](std::exception_ptr e) { failure = e; });
        io.run_for(60s);
        if (failure)
            std::rethrow_exception(failure);
    }
    kflow::producer<std::string, std::string> producer(config);
    for (std::size_t i = 1; i < values.size(); ++i)
        (void)kflow::testing::send_and_wait(producer, {topic, "key", values[i]});
}

std::string first_value(const std::string& bootstrap, const std::string& topic) {
    asio::io_context io;
    kflow::async_consumer<std::string, std::string> consumer(
        io.get_executor(), kflow::testing::test_consumer_config(
                               bootstrap, kflow::testing::unique_name("separate-callback")));
    consumer.subscribe({topic});
    std::optional<std::string> value;
    boost::system::error_code error;
    consumer.async_receive(
        [&](boost::system::error_code ec, kflow::consumer_record<std::string, std::string> r) {
            error = ec;
            value = std::move(r.value);
            consumer.async_close(10s, [](boost::system::error_code) {});
        });
    io.run_for(60s);
    if (error)
        throw std::runtime_error("async_receive: " + error.message());
    if (!value)
        throw std::runtime_error("async_receive did not complete within 60 s");
    return *value;
}

}  // namespace separate
