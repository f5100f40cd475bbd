// A consumer whose key type has no codec.
#include <kflow/consumer.hpp>

#include <string>

struct no_codec {
    int x = 0;
};

void declare(const kflow::consumer_config& config) {
    // expected error: kflow: no deserializer for the key type K of consumer<K, V>
    kflow::consumer<no_codec, std::string> consumer(config);
}
