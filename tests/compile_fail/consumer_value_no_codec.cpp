// A consumer whose value type has no codec, used: polling adds no error of its own and no
// warning.
#include <kflow/consumer.hpp>

#include <chrono>
#include <string>

struct no_codec {
    int x = 0;
};

int poll(const kflow::consumer_config& config) {
    // expected error: kflow: no deserializer for the value type V of consumer<K, V>
    kflow::consumer<std::string, no_codec> consumer(config);
    const auto record = consumer.poll(std::chrono::milliseconds(100));
    return record ? record->value.x : 0;
}
