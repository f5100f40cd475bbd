// A type with a kflow_deserialize hook but no kflow_serialize, sent by a producer.
#include <kflow/producer.hpp>

#include <span>
#include <string>

namespace geo {
struct point {
    int x = 0;
    int y = 0;
};
inline point kflow_deserialize(std::span<const std::byte>, kflow::type_tag<point>) {
    return {};
}
}  // namespace geo

void declare(const kflow::producer_config& config) {
    // expected error: K of producer<K, V> has a kflow_deserialize hook but no kflow_serialize
    kflow::producer<geo::point, std::string> producer(config);
}
