#pragma once
// JSON codec through nlohmann_json, for any T with to_json / from_json (including types declared
// with NLOHMANN_DEFINE_TYPE_INTRUSIVE / _NON_INTRUSIVE) or an nlohmann::adl_serializer<T>
// specialization.
//
// It is the fallback of kflow::serde<T>, so such types need nothing more. Name it explicitly to
// send a type as JSON that has another codec, e.g. a type that also has kflow hooks:
//     kflow::producer<std::string, order, kflow::serde<std::string>, kflow::json_serde<order>>

#include <kflow/serde.hpp>

namespace kflow {

template <class T>
struct json_serde {
    /// Compact JSON text (no whitespace), UTF-8; throws nlohmann::json::type_error for a string
    /// that is not valid UTF-8 (the producer reports it as errc::serialization_failed). Only
    /// present when nlohmann_json can write T, so that serializer_for says whether it can.
    [[nodiscard]] payload serialize(const T& value) const requires detail::json_serializable<T> {
        return payload(nlohmann::json(value).dump());
    }
    /// Throws nlohmann::json::parse_error for text that is not JSON and type_error /
    /// out_of_range when it does not fit T (the consumer reports either as
    /// errc::deserialization_failed, with the record's raw bytes). One gap is nlohmann's: a
    /// floating-point number read into an integer member is converted without a range check
    /// ({"n": 1e300} into an int64_t is undefined behaviour); a from_json that must reject
    /// such input reads the number as double and checks it first. Only present when
    /// nlohmann_json can read T.
    [[nodiscard]] T deserialize(
        std::span<const std::byte> bytes) const requires detail::json_deserializable<T> {
        return nlohmann::json::parse(detail::as_text(bytes)).template get<T>();
    }
};

}  // namespace kflow
