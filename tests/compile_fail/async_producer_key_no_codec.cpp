// An async producer whose key type has no codec, used: sending adds no error of its own and no
// warning.
#include <kflow/async_producer.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <string>

struct no_codec {
    int x = 0;
};

boost::asio::awaitable<void> send(boost::asio::io_context& io,
                                  const kflow::producer_config& config) {
    // expected error: kflow: no serializer for the key type K of producer<K, V>
    kflow::async_producer<no_codec, std::string> producer(io.get_executor(), config);
    co_await producer.async_send({"topic", no_codec{}, "value"});
}
