// Every built-in deserializer of kflow/serdes/ on arbitrary bytes. The first byte picks the
// codec, the rest is the record's key or value as a consumer would hand it over.
//
// The contract: deserialize() returns a value or throws an exception derived from
// std::exception (the consumer turns that into a deserialization_failure). Anything else thrown
// escapes this function and ends the run. Where the wire format is exact (text, bytes, numbers
// of the right width, bool), serialize(deserialize(x)) must give back x; what the JSON codec
// reads, it must write back in a form that reads back equal.

#include <kflow/serde.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

// A user type going through the JSON fallback of kflow::serde<T>, written the way
// docs/testing.md shows it.
struct order {
    std::string id;
    std::int64_t total_cents = 0;
    double weight = 0;
    bool paid = false;
    std::vector<std::string> tags;
    std::optional<std::string> note;

    friend bool operator==(const order&, const order&) = default;
};

void to_json(nlohmann::json& j, const order& o) {
    j = {{"id", o.id},
         {"total_cents", o.total_cents},
         {"weight", o.weight},
         {"paid", o.paid},
         {"tags", o.tags}};
    if (o.note)
        j["note"] = *o.note;
}

void from_json(const nlohmann::json& j, order& o) {
    j.at("id").get_to(o.id);
    j.at("total_cents").get_to(o.total_cents);
    j.at("weight").get_to(o.weight);
    j.at("paid").get_to(o.paid);
    j.at("tags").get_to(o.tags);
    if (const auto it = j.find("note"); it != j.end())
        o.note = it->get<std::string>();
}

void check(bool ok) {
    if (!ok)
        __builtin_trap();
}

bool same_bytes(const kflow::payload& p, std::span<const std::byte> expected) {
    return !p.is_null() && p.size() == expected.size() &&
           (expected.empty() || std::memcmp(p.data(), expected.data(), expected.size()) == 0);
}

// The value f() returns, or std::nullopt when it throws a std::exception. Nothing else is
// caught: another exception type is the bug this target looks for.
template <class F>
auto attempt(F&& f) -> std::optional<decltype(f())> {
    try {
        return std::forward<F>(f)();
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// Codecs that keep every byte (text and byte vectors): always succeed, exact round trip.
template <class T>
void lossless(std::span<const std::byte> in) {
    const kflow::serde<T> codec;
    const T value = codec.deserialize(in);
    check(same_bytes(codec.serialize(value), in));
    check(codec.deserialize_null() == T{});
}

// Fixed-width numbers: exactly sizeof(T) bytes decode (any bits, NaNs included) and encode back
// to the same bytes; any other length throws.
template <class T>
void number(std::span<const std::byte> in) {
    const kflow::serde<T> codec;
    const auto value = attempt([&] { return codec.deserialize(in); });
    check(value.has_value() == (in.size() == sizeof(T)));
    if (value)
        check(same_bytes(codec.serialize(*value), in));
}

void boolean(std::span<const std::byte> in) {
    const kflow::serde<bool> codec;
    const auto value = attempt([&] { return codec.deserialize(in); });
    const bool valid = in.size() == 1 && (in[0] == std::byte{0} || in[0] == std::byte{1});
    check(value.has_value() == valid);
    if (value)
        check(same_bytes(codec.serialize(*value), in));
}

// std::optional<T> decodes bytes exactly as T does; null is std::nullopt.
template <class T>
void optional_of(std::span<const std::byte> in) {
    const kflow::serde<std::optional<T>> codec;
    const kflow::serde<T> inner;
    check(!codec.deserialize_null().has_value());
    check(codec.serialize(std::nullopt).is_null());
    const auto outer = attempt([&] { return codec.deserialize(in); });
    const auto plain = attempt([&] { return inner.deserialize(in); });
    check(outer.has_value() == plain.has_value());
    if (outer) {
        // Compared as written bytes: a NaN double is not equal to itself.
        check(outer->has_value());
        check(same_bytes(codec.serialize(*outer), inner.serialize(*plain).bytes()));
    }
}

void none(std::span<const std::byte> in) {
    const kflow::serde<kflow::none> codec;
    check(codec.deserialize(in) == kflow::none{});
    check(codec.deserialize_null() == kflow::none{});
    check(codec.serialize(kflow::none{}).is_null());
}

// nlohmann refuses numbers a double cannot hold (1e400) and writes doubles with enough digits
// to read back the same bits, so a parsed document survives writing and reading unchanged.
void json_document(std::span<const std::byte> in) {
    const kflow::serde<nlohmann::json> codec;
    const auto value = attempt([&] { return codec.deserialize(in); });
    if (!value)
        return;
    // Parsed text is valid UTF-8, so writing it back must not throw.
    const kflow::payload written = codec.serialize(*value);
    check(codec.deserialize(written.bytes()) == *value);
}

template <class T>
void json_value(std::span<const std::byte> in) {
    const kflow::serde<T> codec;
    const auto value = attempt([&] { return codec.deserialize(in); });
    if (!value)
        return;
    const kflow::payload written = codec.serialize(*value);
    check(codec.deserialize(written.bytes()) == *value);
}

// View codecs: the value is the input itself (no copy, so the same address and length), and
// writing it back borrows the same bytes; null reads as an empty view.
template <class T>
void view_of(std::span<const std::byte> in) {
    const kflow::serde<T> codec;
    const T value = codec.deserialize(in);
    check(static_cast<const void*>(value.data()) == static_cast<const void*>(in.data()));
    check(value.size() == in.size());
    const kflow::payload written = codec.serialize(value);
    check(written.is_borrowed() && same_bytes(written, in));
    check(codec.deserialize_null().empty());
}

// const char* is send-only: a pointer to a C string cannot hold what it would read.
static_assert(!kflow::deserializer_for<kflow::serde<const char*>, const char*>);

using codec_fn = void (*)(std::span<const std::byte>);

// Indexed by the input's first byte, which is how the seed corpus picks its codec: add new
// codecs at the end.
constexpr codec_fn codecs[] = {
    lossless<std::string>,
    lossless<kflow::bytes>,
    lossless<std::vector<char>>,
    lossless<std::vector<unsigned char>>,
    number<std::int8_t>,
    number<std::uint8_t>,
    number<std::int16_t>,
    number<std::uint16_t>,
    number<std::int32_t>,
    number<std::uint32_t>,
    number<std::int64_t>,
    number<std::uint64_t>,
    number<long long>,
    number<unsigned long long>,
    number<char>,
    number<wchar_t>,
    number<char8_t>,
    number<char16_t>,
    number<char32_t>,
    number<float>,
    number<double>,
    boolean,
    optional_of<std::string>,
    optional_of<kflow::bytes>,
    optional_of<std::int32_t>,
    optional_of<std::int64_t>,
    optional_of<double>,
    optional_of<bool>,
    optional_of<order>,
    none,
    json_document,
    json_value<order>,
    json_value<std::vector<std::string>>,
    view_of<std::string_view>,
    view_of<std::span<const std::byte>>,
    view_of<std::span<const char>>,
    view_of<std::span<const unsigned char>>,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const auto pick = codecs[data[0] % std::size(codecs)];
    pick(std::as_bytes(std::span(data + 1, size - 1)));
    return 0;
}
