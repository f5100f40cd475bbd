#pragma once
// Number codecs, byte-compatible with Kafka's Java serializers:
// - fixed-width integers, big-endian two's complement: int16 = ShortSerializer, int32 =
//   IntegerSerializer, int64 = LongSerializer (unsigned and 8-bit types the same way);
// - float and double, big-endian IEEE 754 bits: FloatSerializer, DoubleSerializer;
// - bool, one byte 0x00 / 0x01: BooleanSerializer.
// Reading bytes of the wrong width (or a bool byte other than 0 and 1) throws, so the consumer
// reports the record as a deserialization failure instead of guessing. A null reads as an error
// (errc::unexpected_null); use std::optional<T> for values that may be null.

#include <kflow/serde.hpp>

#include <bit>
#include <concepts>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace kflow {

namespace detail {

template <class T>
concept fixed_width_number = (std::integral<T> && !std::same_as<T, bool>) ||
                             std::same_as<T, float> || std::same_as<T, double>;

template <std::size_t N>
struct unsigned_of_size;
template <>
struct unsigned_of_size<1> {
    using type = std::uint8_t;
};
template <>
struct unsigned_of_size<2> {
    using type = std::uint16_t;
};
template <>
struct unsigned_of_size<4> {
    using type = std::uint32_t;
};
template <>
struct unsigned_of_size<8> {
    using type = std::uint64_t;
};

/// "int32", "uint16", "float", ...: for error messages.
template <class T>
std::string number_name() {
    if constexpr (std::same_as<T, float>) {
        return "float";
    } else if constexpr (std::same_as<T, double>) {
        return "double";
    } else {
        return (std::is_signed_v<T> ? "int" : "uint") + std::to_string(sizeof(T) * 8);
    }
}

}  // namespace detail

/// Fixed-width integers, float and double as big-endian bytes of their exact width (two's
/// complement, IEEE 754), byte-compatible with Kafka's Short/Integer/Long/Float/Double
/// serializers. No deserialize_null(): a null reads as errc::unexpected_null.
template <detail::fixed_width_number T>
struct serde<T> {
    /// The unsigned integer of T's width that holds its bit pattern.
    using bits_type = typename detail::unsigned_of_size<sizeof(T)>::type;

    /// sizeof(T) bytes, most significant first.
    [[nodiscard]] payload serialize(T value) const {
        auto bits = std::bit_cast<bits_type>(value);
        std::vector<std::byte> out(sizeof(T));
        for (std::size_t i = 0; i < sizeof(T); ++i) {
            out[sizeof(T) - 1 - i] = static_cast<std::byte>(bits & 0xFFu);
            if constexpr (sizeof(T) > 1)
                bits = static_cast<bits_type>(bits >> 8);
        }
        return payload(std::move(out));
    }
    /// Reads exactly sizeof(T) big-endian bytes. Throws std::invalid_argument for any other
    /// size (the consumer reports the record as errc::deserialization_failed).
    [[nodiscard]] T deserialize(std::span<const std::byte> raw) const {
        if (raw.size() != sizeof(T)) {
            throw std::invalid_argument("expected " + std::to_string(sizeof(T)) +
                                        " big-endian bytes for " + detail::number_name<T>() +
                                        ", got " + std::to_string(raw.size()));
        }
        bits_type bits = 0;
        for (std::byte b : raw) {
            if constexpr (sizeof(T) > 1)
                bits = static_cast<bits_type>(bits << 8);
            bits = static_cast<bits_type>(bits | std::to_integer<bits_type>(b));
        }
        return std::bit_cast<T>(bits);
    }
};

/// bool as one byte, 0x00 or 0x01 (Kafka's BooleanSerializer). No deserialize_null(): a null
/// reads as errc::unexpected_null.
template <>
struct serde<bool> {
    /// One byte: 0x01 for true, 0x00 for false.
    [[nodiscard]] payload serialize(bool value) const {
        return payload(std::vector<std::byte>{value ? std::byte{1} : std::byte{0}});
    }
    /// Throws std::invalid_argument unless `raw` is exactly one byte, 0x00 or 0x01: any other
    /// byte is refused rather than read as true.
    [[nodiscard]] bool deserialize(std::span<const std::byte> raw) const {
        if (raw.size() != 1) {
            throw std::invalid_argument("expected 1 byte for bool, got " +
                                        std::to_string(raw.size()));
        }
        if (raw[0] != std::byte{0} && raw[0] != std::byte{1}) {
            throw std::invalid_argument("expected 0x00 or 0x01 for bool, got " +
                                        std::to_string(std::to_integer<int>(raw[0])));
        }
        return raw[0] == std::byte{1};
    }
};

}  // namespace kflow
