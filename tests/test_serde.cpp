// Serializers: the built-in codecs byte for byte (Java-compatible numbers), the three ways a user
// type plugs in, JSON, tombstones through std::optional, and the zero-copy hand-over of owned
// payloads to librdkafka, end to end against the mock cluster.
#include <kflow/serde.hpp>

#include <kflow/consumer.hpp>
#include <kflow/producer.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/produce.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using kflow::testing::mock_cluster;
using kflow::testing::produce;
using kflow::testing::unique_name;

// -- Types that plug in, each in its own namespace as an application's would be ---------------

namespace shop {
/// JSON through NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE, nothing kflow-specific.
struct order {
    int id = 0;
    std::string item;
    int qty = 0;
    friend bool operator==(const order&, const order&) = default;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order, id, item, qty)
}  // namespace shop

namespace geo {
/// Prefixed ADL hooks: "x;y" as text.
struct point {
    int x = 0;
    int y = 0;
    friend bool operator==(const point&, const point&) = default;
};
kflow::payload kflow_serialize(const point& p) {
    return kflow::payload(std::to_string(p.x) + ";" + std::to_string(p.y));
}
point kflow_deserialize(std::span<const std::byte> bytes, kflow::type_tag<point>) {
    const std::string text(kflow::detail::as_text(bytes));
    const auto sep = text.find(';');
    if (sep == std::string::npos)
        throw std::invalid_argument("no ';' in point '" + text + "'");
    return {std::stoi(text.substr(0, sep)), std::stoi(text.substr(sep + 1))};
}

/// Both hooks and to_json: the hooks win.
struct tagged {
    std::string name;
    friend bool operator==(const tagged&, const tagged&) = default;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(tagged, name)
kflow::payload kflow_serialize(const tagged& t) {
    return kflow::payload("tag:" + t.name);
}
tagged kflow_deserialize(std::span<const std::byte> bytes, kflow::type_tag<tagged>) {
    return {std::string(kflow::detail::as_text(bytes).substr(4))};
}
}  // namespace geo

namespace legacy {
/// A type the application cannot add functions next to: a kflow::serde specialization.
struct celsius {
    double degrees = 0;
    friend bool operator==(const celsius&, const celsius&) = default;
};
/// Another such type, given JSON through nlohmann::adl_serializer.
struct reading {
    std::string sensor;
    friend bool operator==(const reading&, const reading&) = default;
};
}  // namespace legacy

template <>
struct kflow::serde<legacy::celsius> {
    [[nodiscard]] payload serialize(const legacy::celsius& c) const {
        return kflow::serde<double>{}.serialize(c.degrees);
    }
    [[nodiscard]] legacy::celsius deserialize(std::span<const std::byte> bytes) const {
        return {kflow::serde<double>{}.deserialize(bytes)};
    }
};

template <>
struct nlohmann::adl_serializer<legacy::reading> {
    static void to_json(json& j, const legacy::reading& r) { j = json{{"sensor", r.sensor}}; }
    static void from_json(const json& j, legacy::reading& r) { j.at("sensor").get_to(r.sensor); }
};

namespace {

/// A codec passed as a template argument, with state: a version prefix on the text.
struct versioned_text {
    std::string prefix;
    [[nodiscard]] kflow::payload serialize(const std::string& v) const {
        return kflow::payload(prefix + v);
    }
    [[nodiscard]] std::string deserialize(std::span<const std::byte> bytes) const {
        const auto text = kflow::detail::as_text(bytes);
        if (!text.starts_with(prefix))
            throw std::invalid_argument("missing prefix " + prefix);
        return std::string(text.substr(prefix.size()));
    }
};

/// A type with no codec at all.
struct no_codec {
    int x = 0;
};

std::vector<std::byte> bytes_of(std::initializer_list<unsigned> values) {
    std::vector<std::byte> out;
    for (unsigned v : values)
        out.push_back(static_cast<std::byte>(v));
    return out;
}

template <class T>
std::vector<std::byte> serialized(const T& value) {
    const auto p = kflow::serde<T>{}.serialize(value);
    return {p.bytes().begin(), p.bytes().end()};
}

template <class T>
T round_trip(const T& value) {
    const auto p = kflow::serde<T>{}.serialize(value);
    return kflow::serde<T>{}.deserialize(p.bytes());
}

std::string text_of(const kflow::payload& p) {
    return std::string(kflow::detail::as_text(p.bytes()));
}

// What consumer<std::string, V> and producer<std::string, V> accept: their class checks assert
// these concepts (tests/compile_fail checks the errors they then give).
template <class V>
concept consumable_value = kflow::deserializer_for<kflow::serde<V>, V>;
template <class V>
concept producible_value = kflow::serializer_for<kflow::serde<V>, V>;

/// Reads `count` records of partition 0 from its beginning, without a group.
template <class K, class V>
std::vector<kflow::consumer_record<K, V>> read_back(const mock_cluster& cluster,
                                                    const std::string& topic, std::size_t count) {
    kflow::consumer<K, V> consumer(
        kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("reader")));
    consumer.assign({{topic, 0, kflow::offsets::beginning}});
    return kflow::testing::consume_until(consumer, count);
}

}  // namespace

// -- Concepts ---------------------------------------------------------------------------------

static_assert(kflow::serializer_for<kflow::serde<std::string_view>, std::string_view>);
static_assert(kflow::deserializer_for<kflow::serde<std::string_view>, std::string_view>,
              "string_view reads as a view of the record's bytes (the record holds them)");
static_assert(!kflow::deserializer_for<kflow::serde<const char*>, const char*>,
              "const char* is send-only");
static_assert(kflow::null_deserializer_for<kflow::serde<std::optional<int>>, std::optional<int>>);
static_assert(!kflow::null_deserializer_for<kflow::serde<std::int32_t>, std::int32_t>,
              "an int has no null: a null must be a deserialization failure");
static_assert(producible_value<std::string_view>);
static_assert(consumable_value<std::string_view>);
static_assert(consumable_value<std::optional<std::string_view>>);
static_assert(!consumable_value<const char*>);
static_assert(consumable_value<std::optional<shop::order>>);
// The concepts mean what they say: a type without a codec (or std::optional of one) has none.
static_assert(!producible_value<no_codec> && !consumable_value<no_codec>);
static_assert(!producible_value<std::optional<no_codec>> &&
              !consumable_value<std::optional<no_codec>>);
static_assert(producible_value<geo::point> && consumable_value<geo::point>);
static_assert(producible_value<geo::tagged> && consumable_value<geo::tagged>);
static_assert(producible_value<legacy::celsius> && consumable_value<legacy::celsius>);
static_assert(producible_value<legacy::reading> && consumable_value<legacy::reading>);
// What kflow::serde<T> keys on:
static_assert(!kflow::detail::has_serialize_hook<no_codec> &&
              !kflow::detail::json_serializable<no_codec> &&
              !kflow::detail::json_deserializable<no_codec>);
static_assert(kflow::detail::has_serialize_hook<geo::point> &&
              kflow::detail::has_deserialize_hook<geo::point>);
static_assert(kflow::detail::json_serializable<shop::order> &&
              kflow::detail::json_deserializable<shop::order>);
static_assert(kflow::detail::json_serializable<legacy::reading> &&
              kflow::detail::json_deserializable<legacy::reading>);

// -- Numbers: byte-compatible with Kafka's Java serializers ------------------------------------

TEST_CASE("numbers are big-endian, byte for byte as Kafka's Java serializers write them",
          "[serde]") {
    // ShortSerializer, IntegerSerializer, LongSerializer
    CHECK(serialized<std::int16_t>(0x0102) == bytes_of({0x01, 0x02}));
    CHECK(serialized<std::int16_t>(-1) == bytes_of({0xFF, 0xFF}));
    CHECK(serialized<std::int32_t>(1) == bytes_of({0x00, 0x00, 0x00, 0x01}));
    CHECK(serialized<std::int32_t>(-2) == bytes_of({0xFF, 0xFF, 0xFF, 0xFE}));
    CHECK(serialized<std::int32_t>(std::numeric_limits<std::int32_t>::min()) ==
          bytes_of({0x80, 0x00, 0x00, 0x00}));
    CHECK(serialized<std::int64_t>(-2) ==
          bytes_of({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE}));
    CHECK(serialized<std::int64_t>(0x0102030405060708) ==
          bytes_of({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}));
    CHECK(serialized<std::uint32_t>(0xDEADBEEF) == bytes_of({0xDE, 0xAD, 0xBE, 0xEF}));
    // FloatSerializer, DoubleSerializer (IEEE 754 bits, big-endian)
    CHECK(serialized<float>(1.5f) == bytes_of({0x3F, 0xC0, 0x00, 0x00}));
    CHECK(serialized<double>(1.5) == bytes_of({0x3F, 0xF8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
    CHECK(serialized<double>(-0.0) == bytes_of({0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
    // BooleanSerializer
    CHECK(serialized<bool>(true) == bytes_of({0x01}));
    CHECK(serialized<bool>(false) == bytes_of({0x00}));
}

TEMPLATE_TEST_CASE("every number survives the round trip, extremes included", "[serde]",
                   std::int8_t, std::uint8_t, std::int16_t, std::uint16_t, std::int32_t,
                   std::uint32_t, std::int64_t, std::uint64_t, float, double) {
    using limits = std::numeric_limits<TestType>;
    for (TestType v : {limits::lowest(), limits::max(), TestType{0}, TestType{1},
                       static_cast<TestType>(limits::max() / 3)}) {
        CHECK(round_trip(v) == v);
    }
    CHECK(serialized<TestType>(TestType{1}).size() == sizeof(TestType));
}

TEST_CASE("a NaN keeps its exact bits", "[serde]") {
    const double nan = std::bit_cast<double>(std::uint64_t{0x7FF8000000000123});
    CHECK(std::bit_cast<std::uint64_t>(round_trip(nan)) == 0x7FF8000000000123);
}

TEST_CASE("bytes of the wrong width are an error naming the widths, never a guess", "[serde]") {
    const auto three = bytes_of({0x00, 0x00, 0x01});
    CHECK_THROWS_WITH(kflow::serde<std::int32_t>{}.deserialize(three),
                      "expected 4 big-endian bytes for int32, got 3");
    CHECK_THROWS_WITH(kflow::serde<std::uint16_t>{}.deserialize(three),
                      "expected 2 big-endian bytes for uint16, got 3");
    CHECK_THROWS_WITH(kflow::serde<double>{}.deserialize(three),
                      "expected 8 big-endian bytes for double, got 3");
    CHECK_THROWS_WITH(kflow::serde<bool>{}.deserialize(bytes_of({0x02})),
                      "expected 0x00 or 0x01 for bool, got 2");
    CHECK_THROWS_WITH(kflow::serde<bool>{}.deserialize(bytes_of({})),
                      "expected 1 byte for bool, got 0");
}

// -- Text, bytes, no key, null --------------------------------------------------------------

template <class Codec, class T>
concept serializes_temporary = requires(const Codec& codec) {
    codec.serialize(T{});
};

TEST_CASE("text travels as its bytes, borrowed: librdkafka copies it once", "[serde]") {
    const std::string text = "h\xC3\xA9llo";  // UTF-8 as is, no terminator
    const auto sent = kflow::serde<std::string>{}.serialize(text);
    CHECK(text_of(sent) == text);
    CHECK(sent.is_borrowed());
    CHECK(sent.data() == text.data());
    // A payload borrowed from a temporary would dangle: that call does not compile.
    STATIC_REQUIRE_FALSE(serializes_temporary<kflow::serde<std::string>, std::string>);
    STATIC_REQUIRE_FALSE(serializes_temporary<kflow::serde<kflow::bytes>, kflow::bytes>);
    STATIC_REQUIRE(serializes_temporary<kflow::serde<std::int32_t>, std::int32_t>);

    const std::string_view view = text;
    const auto borrowed = kflow::serde<std::string_view>{}.serialize(view);
    CHECK(borrowed.is_borrowed());
    CHECK(borrowed.data() == view.data());
    CHECK(borrowed.size() == view.size());

    const char* c_text = "plain";
    const auto c_payload = kflow::serde<const char*>{}.serialize(c_text);
    CHECK(text_of(c_payload) == "plain");  // not the JSON string "\"plain\""
    CHECK(kflow::serde<const char*>{}.serialize(nullptr).is_null());

    CHECK(kflow::serde<std::string>{}.deserialize(sent.bytes()) == text);
    CHECK(kflow::serde<std::string>{}.deserialize_null().empty());
}

/// True when `p.data()` points inside `p` itself: a short string's characters live there.
bool points_into_itself(const kflow::payload& p) {
    const auto* at = static_cast<const std::byte*>(p.data());
    const auto* self = reinterpret_cast<const std::byte*>(&p);
    return at >= self && at < self + sizeof p;
}

TEST_CASE("a payload's bytes follow it through copies and moves", "[serde]") {
    SECTION("a short owned string moves its characters with it") {
        kflow::payload first(std::string("short"));
        REQUIRE(points_into_itself(first));
        kflow::payload second(std::move(first));
        CHECK(text_of(second) == "short");
        CHECK(points_into_itself(second));
        CHECK(first.is_null());  // NOLINT(bugprone-use-after-move): the documented state
        CHECK(first.data() == nullptr);

        kflow::payload third = kflow::payload::borrow(std::string_view("elsewhere"));
        third = std::move(second);
        CHECK(text_of(third) == "short");
        CHECK(points_into_itself(third));
        CHECK_FALSE(third.is_borrowed());
    }
    SECTION("a copy owns bytes of its own; a copy of a borrowed payload borrows") {
        const kflow::payload owned(std::string(100, 'x'));
        const kflow::payload owned_copy = owned;  // NOLINT(performance-unnecessary-copy-*)
        CHECK(text_of(owned_copy) == std::string(100, 'x'));
        CHECK(owned_copy.data() != owned.data());

        const std::string text = "borrowed";
        const auto borrowed = kflow::payload::borrow(std::string_view(text));
        const kflow::payload borrowed_copy = borrowed;  // NOLINT(performance-unnecessary-copy-*)
        CHECK(borrowed_copy.is_borrowed());
        CHECK(borrowed_copy.data() == text.data());
    }
    SECTION("assigning over an owned payload releases its bytes (ASan checks the leak)") {
        kflow::payload p(std::vector<std::byte>(64, std::byte{1}));
        const auto* long_text = "a string well past the small-string buffer";
        p = kflow::payload(std::string(long_text));
        CHECK(text_of(p) == long_text);
        p = p;  // NOLINT(clang-diagnostic-self-assign-overloaded): self-assignment keeps it
        CHECK(text_of(p) == long_text);
        p = kflow::payload::null();
        CHECK(p.is_null());
    }
    SECTION("empty is not null, whatever holds the bytes") {
        for (const auto& empty : {kflow::payload(std::string()), kflow::payload(kflow::bytes()),
                                  kflow::payload::borrow(std::span<const std::byte>())}) {
            CHECK_FALSE(empty.is_null());
            CHECK(empty.data() != nullptr);
            CHECK(empty.size() == 0);
        }
        CHECK(kflow::payload().data() == nullptr);
    }
}

TEST_CASE("byte containers travel as their bytes, not as JSON arrays", "[serde]") {
    const kflow::bytes raw = bytes_of({0x00, 0xFF, 0x7B});
    CHECK(serialized(raw) == raw);
    CHECK(round_trip(raw) == raw);

    const std::vector<std::uint8_t> u8{0x00, 0xFF, 0x7B};
    CHECK(serialized(u8) == raw);
    CHECK(round_trip(u8) == u8);
    const std::vector<char> chars{'\0', '\xFF', '{'};
    CHECK(serialized(chars) == raw);
    CHECK(round_trip(chars) == chars);

    const std::span<const std::byte> view(raw);
    const auto borrowed = kflow::serde<std::span<const std::byte>>{}.serialize(view);
    CHECK(borrowed.is_borrowed());
    CHECK(borrowed.data() == raw.data());
}

TEST_CASE("kflow::none is a null key; std::optional makes null a value", "[serde]") {
    CHECK(kflow::serde<kflow::none>{}.serialize({}).is_null());

    using opt = std::optional<std::int32_t>;
    CHECK(kflow::serde<opt>{}.serialize(std::nullopt).is_null());
    CHECK(serialized<opt>(1) == bytes_of({0x00, 0x00, 0x00, 0x01}));
    CHECK(kflow::serde<opt>{}.deserialize(bytes_of({0x00, 0x00, 0x00, 0x07})) == 7);
    CHECK(kflow::serde<opt>{}.deserialize_null() == std::nullopt);
    // An empty value is not a null one.
    const auto empty = kflow::serde<std::optional<std::string>>{}.serialize(std::string());
    CHECK_FALSE(empty.is_null());
    CHECK(empty.size() == 0);
}

// -- JSON --------------------------------------------------------------------------------------

TEST_CASE("types with to_json/from_json travel as compact JSON text", "[serde][json]") {
    const shop::order o{7, "book", 2};
    CHECK(text_of(kflow::serde<shop::order>{}.serialize(o)) == R"({"id":7,"item":"book","qty":2})");
    CHECK(round_trip(o) == o);

    SECTION("an adl_serializer specialization counts, for types the application does not own") {
        CHECK(text_of(kflow::serde<legacy::reading>{}.serialize({"t-1"})) == R"({"sensor":"t-1"})");
        CHECK(round_trip(legacy::reading{"t-1"}) == legacy::reading{"t-1"});
    }
    SECTION("text that is not JSON, or JSON of another shape, is an error") {
        const std::string not_json = "{\"id\": 7,";
        CHECK_THROWS_AS(kflow::serde<shop::order>{}.deserialize(std::as_bytes(std::span(not_json))),
                        nlohmann::json::parse_error);
        const std::string wrong_shape = R"({"id":"seven","item":"book","qty":2})";
        CHECK_THROWS_AS(
            kflow::serde<shop::order>{}.deserialize(std::as_bytes(std::span(wrong_shape))),
            nlohmann::json::type_error);
    }
    SECTION("a string that is not UTF-8 cannot become JSON") {
        CHECK_THROWS_AS(kflow::serde<shop::order>{}.serialize({1, "\xFF", 1}),
                        nlohmann::json::type_error);
    }
    SECTION("json_serde names JSON explicitly, even for a type whose hooks would win") {
        const geo::tagged t{"x"};
        CHECK(text_of(kflow::serde<geo::tagged>{}.serialize(t)) == "tag:x");
        CHECK(text_of(kflow::json_serde<geo::tagged>{}.serialize(t)) == R"({"name":"x"})");
    }
}

// -- The three ways a user type plugs in, each checked on its own bytes, then end to end ------

TEST_CASE("a user type plugs in through hooks, a serde specialization, or a codec argument",
          "[serde]") {
    SECTION("prefixed ADL hooks next to the type") {
        CHECK(text_of(kflow::serde<geo::point>{}.serialize({3, -4})) == "3;-4");
        CHECK(round_trip(geo::point{3, -4}) == geo::point{3, -4});
    }
    SECTION("a kflow::serde<T> specialization") {
        CHECK(serialized(legacy::celsius{1.5}) == serialized(1.5));
        CHECK(round_trip(legacy::celsius{-40}) == legacy::celsius{-40});
    }
    SECTION("a codec object, with state") {
        const versioned_text codec{"v2|"};
        CHECK(text_of(codec.serialize("x")) == "v2|x");
        CHECK(codec.deserialize(codec.serialize("x").bytes()) == "x");
    }
}

TEST_CASE("each way of plugging in works end to end through producer and consumer",
          "[serde][mock]") {
    mock_cluster cluster(1);
    const auto bootstrap = cluster.bootstrap_servers();
    const auto topic = unique_name("plug-in");
    cluster.create_topic(topic, 1);

    SECTION("hooks, as key and value") {
        kflow::producer<geo::point, geo::point> producer(
            kflow::testing::test_producer_config(bootstrap));
        produce(producer, {{topic, {1, 2}, {3, 4}}});
        const auto got = read_back<geo::point, geo::point>(cluster, topic, 1);
        REQUIRE(got.size() == 1);
        CHECK(got[0].key == geo::point{1, 2});
        CHECK(got[0].value == geo::point{3, 4});
        const auto raw = read_back<std::string, std::string>(cluster, topic, 1);
        REQUIRE(raw.size() == 1);
        CHECK(raw[0].value == "3;4");
    }
    SECTION("a serde specialization") {
        kflow::producer<kflow::none, legacy::celsius> producer(
            kflow::testing::test_producer_config(bootstrap));
        produce(producer, {{topic, {}, {21.5}}});
        const auto got = read_back<kflow::none, legacy::celsius>(cluster, topic, 1);
        REQUIRE(got.size() == 1);
        CHECK(got[0].value == legacy::celsius{21.5});
        const auto raw = read_back<std::optional<std::string>, double>(cluster, topic, 1);
        REQUIRE(raw.size() == 1);
        CHECK(raw[0].key == std::nullopt);  // kflow::none is a null key on the wire
        CHECK(raw[0].value == 21.5);
    }
    SECTION("codec objects given to the producer's and consumer's constructors") {
        using codec_producer =
            kflow::producer<std::string, std::string, kflow::serde<std::string>, versioned_text>;
        using codec_consumer =
            kflow::consumer<std::string, std::string, kflow::serde<std::string>, versioned_text>;
        codec_producer producer(kflow::testing::test_producer_config(bootstrap), {},
                                versioned_text{"v2|"});
        produce(producer, {{topic, "k", "payload"}});
        codec_consumer consumer(kflow::testing::test_consumer_config(bootstrap, unique_name("g")),
                                {}, versioned_text{"v2|"});
        consumer.assign({{topic, 0, kflow::offsets::beginning}});
        const auto got = kflow::testing::consume_until(consumer, 1);
        REQUIRE(got.size() == 1);
        CHECK(got[0].value == "payload");
        const auto raw = read_back<std::string, std::string>(cluster, topic, 1);
        REQUIRE(raw.size() == 1);
        CHECK(raw[0].value == "v2|payload");
    }
    SECTION("JSON, for a NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE type") {
        kflow::producer<std::string, shop::order> producer(
            kflow::testing::test_producer_config(bootstrap));
        produce(producer, {{topic, "o-7", {7, "book", 2}}});
        const auto got = read_back<std::string, shop::order>(cluster, topic, 1);
        REQUIRE(got.size() == 1);
        CHECK(got[0].value == shop::order{7, "book", 2});
        const auto raw = read_back<std::string, std::string>(cluster, topic, 1);
        REQUIRE(raw.size() == 1);
        CHECK(raw[0].value == R"({"id":7,"item":"book","qty":2})");
    }
}

TEST_CASE("numbers reach the broker as the Java client writes them", "[serde][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("numbers");
    cluster.create_topic(topic, 1);
    {
        kflow::producer<std::int32_t, std::int64_t> ints(
            kflow::testing::test_producer_config(cluster.bootstrap_servers()));
        produce(ints, {{topic, 1, -2}});
        kflow::producer<std::int16_t, double> mixed(
            kflow::testing::test_producer_config(cluster.bootstrap_servers()));
        produce(mixed, {{topic, 0x0102, 1.5}});
    }
    const auto raw = read_back<kflow::bytes, kflow::bytes>(cluster, topic, 2);
    REQUIRE(raw.size() == 2);
    CHECK(raw[0].key == bytes_of({0x00, 0x00, 0x00, 0x01}));
    CHECK(raw[0].value == bytes_of({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE}));
    CHECK(raw[1].key == bytes_of({0x01, 0x02}));
    CHECK(raw[1].value == bytes_of({0x3F, 0xF8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
}

TEST_CASE("std::nullopt is a tombstone: it arrives as a null value, distinct from empty",
          "[serde][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("tombstones");
    cluster.create_topic(topic, 1);
    kflow::producer<std::string, std::optional<std::string>> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    produce(producer, {{topic, "a", "1"}, {topic, "b", std::nullopt}, {topic, "c", ""}});

    const auto got = read_back<std::string, std::optional<std::string>>(cluster, topic, 3);
    REQUIRE(got.size() == 3);
    CHECK(got[0].value == "1");
    CHECK(got[1].key == "b");
    CHECK(got[1].value == std::nullopt);
    CHECK(got[2].value == std::string());

    // The bytes as the broker holds them: null is no bytes at all, empty is zero bytes.
    const auto raw = read_back<std::string, std::optional<kflow::bytes>>(cluster, topic, 3);
    REQUIRE(raw.size() == 3);
    CHECK(raw[1].value == std::nullopt);
    CHECK(raw[2].value == kflow::bytes{});

    // A plain std::string cannot tell them apart: both read as "".
    const auto plain = read_back<std::string, std::string>(cluster, topic, 3);
    REQUIRE(plain.size() == 3);
    CHECK(plain[1].value.empty());
    CHECK(plain[2].value.empty());
}

TEST_CASE("a value that cannot become JSON fails the send, naming the topic", "[serde][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("bad-json");
    kflow::producer<std::string, shop::order> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));
    try {
        producer.send({topic, "k", {1, "\xFF", 1}});
        FAIL("a value with invalid UTF-8 was sent as JSON");
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::errc::serialization_failed);
        CHECK_THAT(e.what(),
                   Catch::Contains(topic) && Catch::Contains("value") && Catch::Contains("UTF-8"));
    }
    CHECK(producer.in_flight() == 0);
}

// -- Zero copy --------------------------------------------------------------------------------

namespace {

/// Where the codec put the bytes it produced, and how often it ran.
struct codec_log {
    const void* data = nullptr;
    int calls = 0;
};

/// Produces an owned payload of `size` bytes and records where they are.
struct recording_codec {
    codec_log* log = nullptr;
    std::size_t size = 0;
    [[nodiscard]] kflow::payload serialize(const std::string& v) const {
        std::vector<std::byte> out(size);
        for (std::size_t i = 0; i < size; ++i)
            out[i] = static_cast<std::byte>(v[i % v.size()]);
        log->data = out.data();
        ++log->calls;
        return kflow::payload(std::move(out));
    }
};

/// What librdkafka's delivery report said about the message's value.
struct report_probe {
    bool reported = false;
    std::error_code ec;
    const void* payload = nullptr;
    std::size_t len = 0;
};

/// A delivery operation that records the rd_kafka_message_t of its delivery report.
class probing_delivery final : public kflow::detail::delivery_op {
  public:
    explicit probing_delivery(report_probe& probe) : probe_(probe) {}
    bool complete(std::error_code ec, const rd_kafka_message_t& msg) override {
        probe_ = {true, ec, msg.payload, msg.len};
        return true;
    }

  private:
    report_probe& probe_;
};

template <class Producer>
void enqueue_probed(Producer& producer, const typename Producer::record_type& record,
                    report_probe& probe) {
    const auto refused = kflow::detail::client_access::enqueue(
        producer, record, [&] { return std::make_unique<probing_delivery>(probe); });
    INFO((refused ? refused->message : std::string()));
    REQUIRE_FALSE(refused.has_value());
}

template <class Producer>
void wait_for_report(Producer& producer, const report_probe& probe) {
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (!probe.reported && std::chrono::steady_clock::now() < until)
        producer.poll(20ms);
    REQUIRE(probe.reported);
    REQUIRE_FALSE(probe.ec);
}

}  // namespace

TEST_CASE("an owned value is serialized once and librdkafka sends those very bytes",
          "[serde][mock][zero-copy]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("zero-copy");
    cluster.create_topic(topic, 1);
    constexpr std::size_t size = 64 * 1024;

    codec_log log;
    kflow::producer<std::string, std::string, kflow::serde<std::string>, recording_codec> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()), {},
        recording_codec{&log, size});
    report_probe probe;
    enqueue_probed(producer, {topic, "k", "abc"}, probe);
    wait_for_report(producer, probe);

    CHECK(log.calls == 1);
    // The message librdkafka delivered points at the buffer the codec filled: no copy between.
    CHECK(probe.payload == log.data);
    CHECK(probe.len == size);

    const auto got = read_back<std::string, std::string>(cluster, topic, 1);
    REQUIRE(got.size() == 1);
    REQUIRE(got[0].value.size() == size);
    CHECK(got[0].value.substr(0, 6) == "abcabc");
}

TEST_CASE("a borrowed value is copied by librdkafka during the send, so it may go away after",
          "[serde][mock][zero-copy]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("borrowed");
    cluster.create_topic(topic, 1);
    kflow::producer<std::string, std::string_view> producer(
        kflow::testing::test_producer_config(cluster.bootstrap_servers()));

    report_probe probe;
    const void* source = nullptr;
    {
        std::string text(4096, 'b');
        source = text.data();
        enqueue_probed(producer, {topic, "k", text}, probe);
        text.assign(4096, 'X');  // overwritten and freed before the message is even sent
    }
    wait_for_report(producer, probe);
    CHECK(probe.payload != source);  // librdkafka's own copy
    CHECK(probe.len == 4096);
    const auto got = read_back<std::string, std::string>(cluster, topic, 1);
    REQUIRE(got.size() == 1);
    CHECK(got[0].value == std::string(4096, 'b'));
}
