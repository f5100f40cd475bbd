#pragma once
// kflow's version, and the librdkafka it was compiled against and runs with.

#include <librdkafka/rdkafka.h>

#include <string>

namespace kflow {

/// kflow's version, major.minor.patch (semantic versioning; the CMake package's version too).
inline constexpr int version_major = 0;
inline constexpr int version_minor = 1;  ///< see version_major
inline constexpr int version_patch = 0;  ///< see version_major

/// The oldest librdkafka kflow supports.
inline constexpr int min_librdkafka_version = 0x020002ff;

static_assert(RD_KAFKA_VERSION >= min_librdkafka_version,
              "kflow needs librdkafka 2.0.2 or newer (install librdkafka-dev >= 2.0.2)");

/// True when the librdkafka headers kflow is compiled against are at least major.minor.patch;
/// features of newer librdkafka are gated on this at compile time.
[[nodiscard]] constexpr bool librdkafka_at_least(int major, int minor, int patch) noexcept {
    return RD_KAFKA_VERSION >= ((major << 24) | (minor << 16) | (patch << 8));
}

/// The librdkafka version loaded at run time, e.g. "2.0.2".
[[nodiscard]] inline std::string librdkafka_runtime_version() {
    return rd_kafka_version_str();
}

}  // namespace kflow
