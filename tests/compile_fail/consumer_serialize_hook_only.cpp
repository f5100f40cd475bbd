// A type with a kflow_serialize hook but no kflow_deserialize, read by a consumer: the error says
// which hook is missing (it does not fall back to JSON, although the type has from_json).
#include <kflow/consumer.hpp>

#include <string>

namespace geo {
struct point {
    int x = 0;
    int y = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(point, x, y)
inline kflow::payload kflow_serialize(const point& p) {
    return kflow::payload(std::to_string(p.x) + ";" + std::to_string(p.y));
}
}  // namespace geo

void declare(const kflow::consumer_config& config) {
    // expected error: V of consumer<K, V> has a kflow_serialize hook but no kflow_deserialize
    kflow::consumer<std::string, geo::point> consumer(config);
}
