#pragma once
// kflow::none: the key type of records that have no key (Kafka's null key).

#include <kflow/serde.hpp>

namespace kflow {

/// The type of an absent key: producer<none, V> sends a null key, so the default partitioner
/// spreads records over partitions; consumer<none, V> ignores whatever key a record has.
struct none {
    /// Always true: every none is the same absent key.
    friend bool operator==(none, none) = default;
};

/// The codec of kflow::none: writes Kafka's null, reads anything (null included) as none.
template <>
struct serde<none> {
    /// Kafka's null.
    [[nodiscard]] payload serialize(none) const noexcept { return payload::null(); }
    /// Ignores the bytes: a record that does have a key still reads, with the key dropped.
    [[nodiscard]] none deserialize(std::span<const std::byte>) const noexcept { return {}; }
    /// A null key reads as none.
    [[nodiscard]] none deserialize_null() const noexcept { return {}; }
};

}  // namespace kflow
