// The codec concepts hold for every kind of codec kflow offers (built-in, JSON, ADL hooks,
// std::optional of any of them), each way the codec goes and no other; and a producer and a
// consumer of such types pass their class checks.
#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shop {
struct order {
    int id = 0;
    std::string item;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order, id, item)
}  // namespace shop

namespace geo {
struct point {
    int x = 0;
    int y = 0;
};
inline kflow::payload kflow_serialize(const point& p) {
    return kflow::payload(std::to_string(p.x) + ";" + std::to_string(p.y));
}
inline point kflow_deserialize(std::span<const std::byte>, kflow::type_tag<point>) {
    return {};
}
}  // namespace geo

struct no_codec {
    int x = 0;
};

template <class T>
concept both_ways =
    kflow::serializer_for<kflow::serde<T>, T> && kflow::deserializer_for<kflow::serde<T>, T>;
template <class T>
concept send_only =
    kflow::serializer_for<kflow::serde<T>, T> && !kflow::deserializer_for<kflow::serde<T>, T>;
template <class T>
concept neither_way =
    !kflow::serializer_for<kflow::serde<T>, T> && !kflow::deserializer_for<kflow::serde<T>, T>;

static_assert(both_ways<std::string>);
static_assert(both_ways<std::vector<std::byte>>);
static_assert(both_ways<std::vector<std::uint8_t>>);
static_assert(both_ways<std::int32_t>);
static_assert(both_ways<std::int64_t>);
static_assert(both_ways<double>);
static_assert(both_ways<bool>);
static_assert(both_ways<kflow::none>);
static_assert(both_ways<std::optional<std::string>>);
static_assert(both_ways<std::optional<std::int32_t>>);
static_assert(both_ways<shop::order>, "JSON through NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE");
static_assert(both_ways<std::optional<shop::order>>);
static_assert(both_ways<geo::point>, "kflow_serialize / kflow_deserialize hooks");
static_assert(both_ways<std::optional<geo::point>>);

static_assert(send_only<const char*>);
// Views both ways: read, they view the record's bytes, and the record holds its message.
static_assert(both_ways<std::string_view> && kflow::borrows_record_bytes_v<std::string_view>);
static_assert(both_ways<std::span<const std::byte>> &&
              kflow::borrows_record_bytes_v<std::span<const std::byte>>);
static_assert(kflow::borrows_record_bytes_v<std::optional<std::string_view>>);
static_assert(!kflow::borrows_record_bytes_v<std::string>);

static_assert(neither_way<no_codec>);
static_assert(neither_way<std::optional<no_codec>>);
static_assert(neither_way<std::vector<no_codec>>);
static_assert(!kflow::serializer_for<kflow::json_serde<no_codec>, no_codec> &&
                  !kflow::deserializer_for<kflow::json_serde<no_codec>, no_codec>,
              "json_serde<T> only for a T nlohmann_json can convert");
static_assert(kflow::serializer_for<kflow::json_serde<shop::order>, shop::order> &&
              kflow::deserializer_for<kflow::json_serde<shop::order>, shop::order>);

// Complete class types: their codec checks ran and passed.
static_assert(sizeof(kflow::producer<std::string, shop::order>) > 0);
static_assert(sizeof(kflow::producer<kflow::none, std::optional<geo::point>>) > 0);
static_assert(sizeof(kflow::producer<std::string_view, std::span<const std::byte>>) > 0);
static_assert(sizeof(kflow::consumer<std::string, shop::order>) > 0);
static_assert(sizeof(kflow::consumer<kflow::none, std::optional<geo::point>>) > 0);
static_assert(sizeof(kflow::consumer<std::int64_t, kflow::bytes>) > 0);
static_assert(sizeof(kflow::consumer<std::string_view, std::span<const std::byte>>) > 0);
