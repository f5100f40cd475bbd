#pragma once
// Serialization: the payload type serializers produce, the serializer/deserializer concepts, and
// kflow::serde<T>, the default codec of a type.
//
// How a type gets its codec, in order of precedence:
//  1. a codec passed as a template argument: producer<K, V, KeySerde, ValueSerde>;
//  2. a specialization kflow::serde<T> (the built-ins in kflow/serdes/ are such
//     specializations: strings, bytes, fixed-width numbers, bool, std::optional, kflow::none);
//  3. prefixed ADL hooks next to the type (prefixed so they never collide with other libraries):
//       kflow::payload kflow_serialize(const T&);
//       T kflow_deserialize(std::span<const std::byte>, kflow::type_tag<T>);
//  4. nlohmann_json's to_json / from_json or adl_serializer<T> (the value travels as JSON text,
//     see kflow/serdes/json.hpp).
// A type with none of these has no codec, and the concepts below say so:
// serializer_for<serde<T>, T> and deserializer_for<serde<T>, T> are false (serde<T> declares
// only the members it can define). producer<T, ...>, consumer<T, ...> and their async forms
// then fail to compile at the user's declaration, with a static_assert that names the key or
// value type and lists these ways (kflow/detail/codec_checks.hpp).

#include <kflow/borrows_record_bytes.hpp>
#include <kflow/error.hpp>

#include <nlohmann/json.hpp>

#include <concepts>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace kflow {

/// The bytes a serializer produced for one key or value.
///
/// An owned payload (std::string or std::vector<std::byte>) is moved into the message in flight
/// and handed to librdkafka without a copy; a borrowed one must only outlive the send call,
/// because librdkafka copies it; a null payload is Kafka's null (a tombstone for a value).
class payload {
  public:
    payload() noexcept {}  ///< null
    /// Owns the characters of `owned` (moved in, not copied); an empty string is an empty
    /// payload, not null.
    explicit payload(std::string owned) noexcept : kind_(kind::text) {
        std::construct_at(&text_, std::move(owned));
        point_at_owned();
    }
    /// Owns the bytes of `owned` (moved in, not copied).
    explicit payload(std::vector<std::byte> owned) noexcept : kind_(kind::blob) {
        std::construct_at(&blob_, std::move(owned));
        point_at_owned();
    }

    /// Copies owned bytes; a copy of a borrowed payload borrows the same bytes.
    payload(const payload& other) : kind_(other.kind_) {
        if (kind_ == kind::text) {
            std::construct_at(&text_, other.text_);
            point_at_owned();
        } else if (kind_ == kind::blob) {
            std::construct_at(&blob_, other.blob_);
            point_at_owned();
        } else {
            data_ = other.data_;
            size_ = other.size_;
        }
    }
    /// Takes the other payload's bytes over; the other is null afterwards.
    payload(payload&& other) noexcept : kind_(other.kind_) { take(other); }
    /// Copies as the copy constructor does, releasing the bytes this payload owned.
    payload& operator=(const payload& other) {
        if (this != &other)
            *this = payload(other);
        return *this;
    }
    /// Takes the other payload's bytes over, releasing the ones this payload owned; the other
    /// is null afterwards.
    payload& operator=(payload&& other) noexcept {
        if (this != &other) {
            if (owns())
                destroy_owned();
            kind_ = other.kind_;
            take(other);
        }
        return *this;
    }
    /// Releases the bytes the payload owns.
    ~payload() {
        if (owns())
            destroy_owned();
    }

    /// Kafka's null: a record without a key, or a tombstone as a value.
    [[nodiscard]] static payload null() noexcept { return {}; }
    /// Refers to `bytes` without copying them. They must stay valid until the send call that
    /// takes this payload returns (librdkafka copies borrowed bytes during that call).
    [[nodiscard]] static payload borrow(std::span<const std::byte> bytes) noexcept {
        payload p;
        p.kind_ = kind::borrowed;
        p.data_ = bytes.data() != nullptr ? bytes.data() : &empty_bytes;
        p.size_ = bytes.size();
        return p;
    }
    /// Refers to the characters of `text` (no terminator), with the lifetime rule of the
    /// byte overload.
    [[nodiscard]] static payload borrow(std::string_view text) noexcept {
        return borrow(std::as_bytes(std::span(text.data(), text.size())));
    }

    /// True for Kafka's null (a default-constructed payload or null()); an empty owned or
    /// borrowed payload is not null.
    [[nodiscard]] bool is_null() const noexcept { return kind_ == kind::null; }
    /// True when the payload refers to bytes it does not own (made by borrow()).
    [[nodiscard]] bool is_borrowed() const noexcept { return kind_ == kind::borrowed; }
    /// Pointer and size for librdkafka; data() is null for a null payload, and only for it.
    [[nodiscard]] const void* data() const noexcept { return data_; }
    /// The number of bytes; 0 for a null payload.
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    /// The bytes, owned or borrowed; an empty span for a null payload (check is_null() to
    /// tell null from empty).
    [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return {data_, size_}; }

  private:
    // A tagged union rather than std::variant, with the pointer and size kept beside it: a send
    // reads them several times, and each std::visit was an out-of-line call (tens of
    // instructions per message, docs/performance.md).
    enum class kind : unsigned char { null, borrowed, text, blob };

    // librdkafka sends a null pointer as Kafka's null (for a value, a tombstone), while an
    // empty vector or span may well have one: an empty payload points here.
    static constexpr std::byte empty_bytes{};

    [[nodiscard]] bool owns() const noexcept { return kind_ >= kind::text; }
    void point_at_owned() noexcept {
        if (kind_ == kind::text) {
            data_ = reinterpret_cast<const std::byte*>(text_.data());
            size_ = text_.size();
        } else {
            data_ = blob_.empty() ? &empty_bytes : blob_.data();
            size_ = blob_.size();
        }
    }
    /// Moves `other`'s bytes in (kind_ already set to other's) and leaves it null.
    void take(payload& other) noexcept {
        data_ = other.data_;
        size_ = other.size_;
        if (kind_ == kind::text) {
            std::construct_at(&text_, std::move(other.text_));
            point_at_owned();  // a short string's characters moved with it
            std::destroy_at(&other.text_);
        } else if (kind_ == kind::blob) {
            std::construct_at(&blob_, std::move(other.blob_));
            std::destroy_at(&other.blob_);
        }
        other.kind_ = kind::null;
        other.data_ = nullptr;
        other.size_ = 0;
    }
    void destroy_owned() noexcept {
        if (kind_ == kind::text)
            std::destroy_at(&text_);
        else if (kind_ == kind::blob)
            std::destroy_at(&blob_);
    }

    const std::byte* data_ = nullptr;
    std::size_t size_ = 0;
    kind kind_ = kind::null;
    union {
        std::string text_;
        std::vector<std::byte> blob_;
    };
};

/// Names a type in a kflow_deserialize overload without constructing it.
template <class T>
struct type_tag {
    /// The type being named.
    using type = T;
};

/// A codec serializes T to a payload ... (serializer_for<serde<T>, T> is true exactly when T has
/// a way to be written, see the top of kflow/serde.hpp; for std::optional<T>, when T has one)
template <class S, class T>
concept serializer_for = requires(const S& s, const T& value) {
    { s.serialize(value) } -> std::convertible_to<payload>;
};

/// ... and deserializes bytes to T (deserializer_for<serde<T>, T> likewise, for reading). A
/// deserializer that also has `T deserialize_null() const` accepts Kafka's null; without it a
/// null key or value fails with errc::unexpected_null.
template <class S, class T>
concept deserializer_for = requires(const S& s, std::span<const std::byte> bytes) {
    { s.deserialize(bytes) } -> std::convertible_to<T>;
};

/// A deserializer with `T deserialize_null() const`: the T a null key or value reads as.
template <class S, class T>
concept null_deserializer_for = requires(const S& s) {
    { s.deserialize_null() } -> std::convertible_to<T>;
};

/// The JSON codec (kflow/serdes/json.hpp): explicit, or the fallback of serde<T>.
template <class T>
struct json_serde;

namespace detail {

// Unqualified calls: found only by argument-dependent lookup, next to the user's type.
template <class T>
concept has_serialize_hook = requires(const T& v) {
    { kflow_serialize(v) } -> std::convertible_to<payload>;
};
template <class T>
concept has_deserialize_hook = requires(std::span<const std::byte> b) {
    { kflow_deserialize(b, type_tag<T>{}) } -> std::convertible_to<T>;
};

// Through adl_serializer, so both ADL to_json/from_json (NLOHMANN_DEFINE_TYPE_*) and
// adl_serializer<T> specializations for types the application does not own count.
template <class T>
concept json_serializable = requires(nlohmann::json& j, const T& v) {
    nlohmann::adl_serializer<T>::to_json(j, v);
};
template <class T>
concept json_deserializable = requires(const nlohmann::json& j) {
    { j.template get<T>() } -> std::same_as<T>;
};

// What the primary serde<T> can do. A type with either hook uses hooks both ways, so JSON only
// counts for a type with neither: a value is never read with JSON that was written with a hook,
// or the other way round, and a type with one hook has no codec for the other direction.
template <class T>
concept serde_serializable = has_serialize_hook<T> ||
    (!has_deserialize_hook<T> && json_serializable<T>);
template <class T>
concept serde_deserializable = has_deserialize_hook<T> ||
    (!has_serialize_hook<T> && json_deserializable<T>);

inline std::string_view as_text(std::span<const std::byte> bytes) noexcept {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace detail

/// The default codec of T: its kflow_serialize / kflow_deserialize hooks, else JSON.
/// Specialize it for types you do not own.
///
/// A type with either hook uses hooks both ways: it never silently reads with JSON what it
/// wrote with its own hook. Each member is declared only when T has what it needs, so
/// serializer_for<serde<T>, T> and deserializer_for<serde<T>, T> are false for a type without
/// a codec (or with a hook for the other direction only), and the producer or consumer of such
/// a type reports it at its declaration (see kflow/detail/codec_checks.hpp).
template <class T>
struct serde {
    /// Calls `kflow_serialize(value)` when T has that hook, else writes `value` as compact JSON
    /// text (as json_serde does). Whatever the hook or nlohmann_json throws propagates; the
    /// producer reports it as errc::serialization_failed. Absent when T has neither, or has
    /// only a kflow_deserialize hook.
    [[nodiscard]] payload serialize(const T& value) const requires detail::serde_serializable<T> {
        if constexpr (detail::has_serialize_hook<T>) {
            return kflow_serialize(value);
        } else {
            return json_serde<T>{}.serialize(value);
        }
    }
    /// Calls `kflow_deserialize(bytes, type_tag<T>{})` when T has that hook, else parses
    /// `bytes` as JSON into T. What it throws propagates; the consumer reports it as a
    /// deserialization failure (errc::deserialization_failed) with the record's raw bytes. It
    /// has no deserialize_null(), so a null key or value fails with errc::unexpected_null.
    /// Absent when T has neither, or has only a kflow_serialize hook.
    [[nodiscard]] T deserialize(
        std::span<const std::byte> bytes) const requires detail::serde_deserializable<T> {
        if constexpr (detail::has_deserialize_hook<T>) {
            return kflow_deserialize(bytes, type_tag<T>{});
        } else {
            return json_serde<T>{}.deserialize(bytes);
        }
    }
};

}  // namespace kflow

#include <kflow/serdes/bytes.hpp>
#include <kflow/serdes/integral.hpp>
#include <kflow/serdes/json.hpp>
#include <kflow/serdes/none.hpp>
#include <kflow/serdes/optional.hpp>
#include <kflow/serdes/string.hpp>
