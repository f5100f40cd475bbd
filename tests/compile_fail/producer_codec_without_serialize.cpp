// A codec passed as a template argument that can only deserialize, given to a producer.
#include <kflow/producer.hpp>

#include <span>
#include <string>

struct read_only_codec {
    [[nodiscard]] std::string deserialize(std::span<const std::byte> bytes) const {
        return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
};

void declare(const kflow::producer_config& config) {
    // expected error: the codec ValueSerde of producer<K, V, KeySerde, ValueSerde> cannot serialize
    kflow::producer<std::string, std::string, kflow::serde<std::string>, read_only_codec> p(config);
}
