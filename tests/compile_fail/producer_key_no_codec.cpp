// A producer whose key type has no codec: the first error names the key type and points at the
// declaration.
#include <kflow/producer.hpp>

#include <string>

struct no_codec {
    int x = 0;
};

void declare(const kflow::producer_config& config) {
    // expected error: kflow: no serializer for the key type K of producer<K, V>
    kflow::producer<no_codec, std::string> producer(config);
}
