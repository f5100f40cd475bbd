// A send-only type (a pointer to a C string cannot hold what it would read) as a consumer's
// value.
#include <kflow/consumer.hpp>

#include <string>

void declare(const kflow::consumer_config& config) {
    // expected error: kflow: the value type V of consumer<K, V> can be written but not read
    kflow::consumer<std::string, const char*> consumer(config);
}
