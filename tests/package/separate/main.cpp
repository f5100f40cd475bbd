// A program built in kflow's separate-compilation mode (tests/package/separate): kflow's
// non-template code is compiled once, in kflow_src.cpp (or kflow::kflow_separate), and this file
// and second.cpp only declare it. It sends records through kflow's embedded mock cluster with
// every client kind and reads them back; exits 0 only when each came back as sent.
#include "round_trip.hpp"

#include <kflow/async_consumer.hpp>
#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#if !defined(KFLOW_SEPARATE_COMPILATION)
#error \
    "tests/package/separate checks the separate-compilation mode: define KFLOW_SEPARATE_COMPILATION"
#endif

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace separate {

std::vector<std::string> receive_async(const std::string& bootstrap, const std::string& topic,
                                       std::size_t count) {
    asio::io_context io;
    kflow::async_consumer<std::string, std::string> consumer(
        io.get_executor(), kflow::testing::test_consumer_config(
                               bootstrap, kflow::testing::unique_name("separate-coroutine")));
    consumer.subscribe({topic});
    std::vector<std::string> values;
    auto read = [&]() -> asio::awaitable<void> {
        while (values.size() < count)
            values.push_back((co_await consumer.async_receive()).value);
        co_await consumer.async_close(10s);
    };
    std::exception_ptr failure;
    asio::co_spawn(io, read(), [&](std::exception_ptr e) { failure = e; });
    io.run_for(60s);
    if (failure)
        std::rethrow_exception(failure);
    return values;
}

}  // namespace separate

namespace {

void expect(bool ok, const std::string& what) {
    if (!ok)
        throw std::runtime_error(what);
}

}  // namespace

int main() try {
    kflow::testing::mock_cluster cluster(1);
    const std::string bootstrap = cluster.bootstrap_servers();
    const auto first = kflow::testing::unique_name("separate-sync");
    const auto second = kflow::testing::unique_name("separate-mixed");
    cluster.create_topic(first, 1);
    cluster.create_topic(second, 1);

    // This file's producer, its async_consumer.
    kflow::producer<std::string, std::string> producer(
        kflow::testing::test_producer_config(bootstrap));
    (void)kflow::testing::send_and_wait(producer, {first, "key", "one"});
    const auto one = separate::receive_async(bootstrap, first, 1);
    expect(one == std::vector<std::string>{"one"},
           "the record sent to " + first + " came back wrong");

    // second.cpp's producers, then both files' async_consumers.
    separate::send_mixed(bootstrap, second, {"two", "three"});
    const auto both = separate::receive_async(bootstrap, second, 2);
    expect(both == std::vector<std::string>{"two", "three"},
           "the records sent to " + second + " came back wrong");
    expect(separate::first_value(bootstrap, second) == "two",
           "second.cpp's async_consumer read the wrong record");

    // The synchronous consumer, and a query that goes to the broker.
    kflow::consumer<std::string, std::string> consumer(kflow::testing::test_consumer_config(
        bootstrap, kflow::testing::unique_name("separate-sync-group")));
    const auto marks = consumer.watermarks({second, 0}, 10s);
    expect(marks.low == 0 && marks.high == 2, "the watermarks of " + second + " are wrong");
    consumer.close();

    std::cout << "separate: kflow compiled once, round trips ok\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "separate: " << e.what() << '\n';
    return 1;
}
