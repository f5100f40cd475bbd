#pragma once
// The business rule the exactly-once example applies before computing a total: an order the
// rule rejects is well-formed JSON, but not one to settle. It goes to the dead-letter topic with
// the reason, in the same transaction as everything else.

#include "order.hpp"

#include <optional>
#include <string>

namespace example {

/// Why `o` cannot be settled, or std::nullopt when it can: it needs at least one line, and
/// every line a positive quantity and a price that is not negative.
[[nodiscard]] inline std::optional<std::string> rejection_of(const order& o) {
    if (o.lines.empty())
        return "no lines";
    for (const auto& line : o.lines) {
        if (line.quantity <= 0)
            return "quantity " + std::to_string(line.quantity) + " of '" + line.item + "'";
        if (line.unit_price_cents < 0)
            return "negative price of '" + line.item + "'";
    }
    return std::nullopt;
}

}  // namespace example
