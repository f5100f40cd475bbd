// An async consumer whose value type has no codec, used: receiving adds no error of its own and
// no warning.
#include <kflow/async_consumer.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <string>

struct no_codec {
    int x = 0;
};

boost::asio::awaitable<int> receive(boost::asio::io_context& io,
                                    const kflow::consumer_config& config) {
    // expected error: kflow: no deserializer for the value type V of consumer<K, V>
    kflow::async_consumer<std::string, no_codec> consumer(io.get_executor(), config);
    auto record = co_await consumer.async_receive();
    co_return record.value.x;
}
