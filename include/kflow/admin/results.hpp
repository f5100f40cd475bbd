#pragma once
// Per-item results of admin batches, and the helpers that check a whole batch.
//
// A batch (create three topics, delete two groups) can partly fail. kflow reports each item with
// its own error_code and the broker's message; an item counts as done only when the broker
// confirmed it. The throwing forms of batch operations throw only when the request as a whole
// failed (no broker reachable, timeout, unsupported API); per-item failures come back in the
// results. Call throw_if_any_failed(results, "context") to turn them into an exception.

#include <kflow/error.hpp>

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace kflow {

/// An admin result for one item: it has an error (empty when the broker confirmed it), the
/// broker's message, and a name for reports ("topic 'orders'", "group 'billing'").
template <class T>
concept admin_item_result = requires(const T& item) {
    { item.error } -> std::convertible_to<std::error_code>;
    { item.message } -> std::convertible_to<std::string>;
    { item.item_name() } -> std::convertible_to<std::string>;
};

/// The result of one named item: a topic, a group.
struct item_result {
    item_result() = default;
    /// A result for `item`: succeeded unless `ec` is set; `why` is the explanation.
    explicit item_result(std::string item, std::error_code ec = {}, std::string why = {})
        : name(std::move(item)), error(ec), message(std::move(why)) {}

    /// The item as the broker named it: the topic, group or user.
    std::string name;
    std::error_code error;  ///< empty when the broker confirmed the item
    std::string message;    ///< the broker's (or librdkafka's) explanation when it failed

    /// True when the broker confirmed the item (error is empty).
    [[nodiscard]] bool ok() const noexcept { return !error; }
    /// The name quoted for reports, e.g. `'orders'` (used by describe_failures()).
    [[nodiscard]] std::string item_name() const { return "'" + name + "'"; }
    /// Equal when name, error and message all are.
    friend bool operator==(const item_result&, const item_result&) = default;
};

/// True when every item of the batch succeeded.
template <admin_item_result Item>
[[nodiscard]] bool all_succeeded(const std::vector<Item>& results) noexcept {
    for (const auto& r : results) {
        if (r.error)
            return false;
    }
    return true;
}

/// The items that failed, in batch order.
template <admin_item_result Item>
[[nodiscard]] std::vector<const Item*> failures(const std::vector<Item>& results) {
    std::vector<const Item*> out;
    for (const auto& r : results) {
        if (r.error)
            out.push_back(&r);
    }
    return out;
}

/// "context: 1 of 3 failed: 'bad-topic': Broker: Invalid partitions (partitions must be > 0)".
template <admin_item_result Item>
[[nodiscard]] std::string describe_failures(const std::vector<Item>& results,
                                            std::string_view context) {
    const auto failed = failures(results);
    std::string out(context);
    if (!out.empty())
        out += ": ";
    out += std::to_string(failed.size()) + " of " + std::to_string(results.size()) + " failed";
    for (const Item* item : failed) {
        out += "; " + item->item_name() + ": " + item->error.message();
        if (!item->message.empty() && item->message != item->error.message()) {
            out += " (" + item->message + ")";
        }
    }
    return out;
}

/// Throws kafka_error with the first failure's code and every failure named in what(), when
/// any item failed.
template <admin_item_result Item>
void throw_if_any_failed(const std::vector<Item>& results, std::string_view context) {
    for (const auto& r : results) {
        if (r.error)
            throw kafka_error(r.error, describe_failures(results, context));
    }
}

}  // namespace kflow
