#pragma once
// Integral and floating-point codecs: fixed-width big-endian, byte-compatible with Kafka's Java
// ShortSerializer (int16), IntegerSerializer (int32), LongSerializer (int64), FloatSerializer
// and DoubleSerializer. Reading bytes of the wrong width throws.

#include <kflow/serde.hpp>

#include <bit>
#include <concepts>
#include <cstdint>
#include <stdexcept>

namespace kflow {

namespace detail {

template <class T>
concept fixed_width_number =
    (std::integral<T> && !std::same_as<T, bool>) || std::same_as<T, float> ||
    std::same_as<T, double>;

template <std::size_t N>
struct unsigned_of_size;
template <> struct unsigned_of_size<1> { using type = std::uint8_t; };
template <> struct unsigned_of_size<2> { using type = std::uint16_t; };
template <> struct unsigned_of_size<4> { using type = std::uint32_t; };
template <> struct unsigned_of_size<8> { using type = std::uint64_t; };

}  // namespace detail

template <detail::fixed_width_number T>
struct serde<T> {
    using bits_type = typename detail::unsigned_of_size<sizeof(T)>::type;

    [[nodiscard]] payload serialize(T value) const {
        auto bits = std::bit_cast<bits_type>(value);
        std::vector<std::byte> out(sizeof(T));
        for (std::size_t i = 0; i < sizeof(T); ++i) {
            out[sizeof(T) - 1 - i] = static_cast<std::byte>(bits & 0xFFu);
            if constexpr (sizeof(T) > 1) bits = static_cast<bits_type>(bits >> 8);
        }
        return payload(std::move(out));
    }
    [[nodiscard]] T deserialize(std::span<const std::byte> raw) const {
        if (raw.size() != sizeof(T)) {
            throw std::invalid_argument("expected " + std::to_string(sizeof(T)) +
                                        " big-endian bytes, got " + std::to_string(raw.size()));
        }
        bits_type bits = 0;
        for (std::byte b : raw) {
            if constexpr (sizeof(T) > 1) bits = static_cast<bits_type>(bits << 8);
            bits = static_cast<bits_type>(bits | std::to_integer<bits_type>(b));
        }
        return std::bit_cast<T>(bits);
    }
};

}  // namespace kflow
