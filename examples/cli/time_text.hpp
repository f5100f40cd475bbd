#pragma once
// Times on the command line: milliseconds since the epoch, or UTC written as
// 2026-12-05T10:00:00Z (optionally with .mmm), the two forms Kafka tools and people use.

#include "arguments.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kflow_cli {

/// Milliseconds since the epoch from either form, or std::nullopt when `text` is neither.
[[nodiscard]] inline std::optional<std::int64_t> parse_time(std::string_view text) {
    if (auto ms = parse_number<std::int64_t>(text); ms && *ms >= 0)
        return ms;
    // YYYY-MM-DDTHH:MM:SS[.mmm]Z
    if (text.size() < 20 || text.back() != 'Z' || text[4] != '-' || text[7] != '-' ||
        (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
        return std::nullopt;
    }
    const auto field = [&](std::size_t at, std::size_t n) {
        return parse_number<int>(text.substr(at, n));
    };
    const auto year = field(0, 4), month = field(5, 2), day = field(8, 2);
    const auto hour = field(11, 2), minute = field(14, 2), second = field(17, 2);
    if (!year || !month || !day || !hour || !minute || !second || *hour > 23 || *minute > 59 ||
        *second > 60) {
        return std::nullopt;
    }
    int millis = 0;
    const std::string_view rest = text.substr(19, text.size() - 20);  // between seconds and Z
    if (!rest.empty()) {
        if (rest.size() != 4 || rest[0] != '.')
            return std::nullopt;
        const auto ms = parse_number<int>(rest.substr(1));
        if (!ms)
            return std::nullopt;
        millis = *ms;
    }
    const std::chrono::year_month_day date{std::chrono::year(*year),
                                           std::chrono::month(static_cast<unsigned>(*month)),
                                           std::chrono::day(static_cast<unsigned>(*day))};
    if (!date.ok())
        return std::nullopt;
    const auto at = std::chrono::sys_days(date) + std::chrono::hours(*hour) +
                    std::chrono::minutes(*minute) + std::chrono::seconds(*second) +
                    std::chrono::milliseconds(millis);
    return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

}  // namespace kflow_cli
