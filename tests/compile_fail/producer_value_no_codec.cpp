// A producer whose value type has no codec, used: sending adds no error of its own (the
// producer's check is the first and only one) and no warning.
#include <kflow/producer.hpp>

#include <string>

struct no_codec {
    int x = 0;
};

void send(const kflow::producer_config& config) {
    // expected error: kflow: no serializer for the value type V of producer<K, V>
    kflow::producer<std::string, no_codec> producer(config);
    producer.send({"topic", "key", no_codec{}});
}
