#pragma once
// kflow::none: the key type of records that have no key (Kafka's null key).

#include <kflow/serde.hpp>

namespace kflow {

/// The type of an absent key: producer<none, V> sends a null key, so the default partitioner
/// spreads records over partitions; consumer<none, V> ignores whatever key a record has.
struct none {
    friend bool operator==(none, none) = default;
};

template <>
struct serde<none> {
    [[nodiscard]] payload serialize(none) const noexcept { return payload::null(); }
    [[nodiscard]] none deserialize(std::span<const std::byte>) const noexcept { return {}; }
    [[nodiscard]] none deserialize_null() const noexcept { return {}; }
};

}  // namespace kflow
