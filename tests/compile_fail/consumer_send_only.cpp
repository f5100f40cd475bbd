// A send-only type (it cannot own what it would read) as a consumer's value.
#include <kflow/consumer.hpp>

#include <string>
#include <string_view>

void declare(const kflow::consumer_config& config) {
    // expected error: kflow: the value type V of consumer<K, V> can be written but not read
    kflow::consumer<std::string, std::string_view> consumer(config);
}
