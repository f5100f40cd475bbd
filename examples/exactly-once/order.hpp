#pragma once
// The order the async examples send and read: JSON through nlohmann_json's to_json/from_json,
// which kflow's default codec finds by ADL. Each example carries its own copy of this file so
// that it stays a project of its own.

#include <nlohmann/json.hpp>

#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

namespace example {

struct order_line {
    std::string item;
    int quantity = 0;
    long unit_price_cents = 0;  // money as an integer: no rounding on the way through JSON

    friend bool operator==(const order_line&, const order_line&) = default;
};

struct order {
    std::string order_id;
    std::string customer;
    std::vector<order_line> lines;

    friend bool operator==(const order&, const order&) = default;
};

inline void to_json(nlohmann::json& j, const order_line& l) {
    j = nlohmann::json{
        {"item", l.item}, {"quantity", l.quantity}, {"unit_price_cents", l.unit_price_cents}};
}

// at() throws naming the missing field: a malformed order becomes a deserialization_error that
// the consumer reports with the record's topic, partition and offset.
inline void from_json(const nlohmann::json& j, order_line& l) {
    j.at("item").get_to(l.item);
    j.at("quantity").get_to(l.quantity);
    j.at("unit_price_cents").get_to(l.unit_price_cents);
}

inline void to_json(nlohmann::json& j, const order& o) {
    j = nlohmann::json{{"order_id", o.order_id}, {"customer", o.customer}, {"lines", o.lines}};
}

inline void from_json(const nlohmann::json& j, order& o) {
    j.at("order_id").get_to(o.order_id);
    j.at("customer").get_to(o.customer);
    j.at("lines").get_to(o.lines);
}

[[nodiscard]] inline long total_cents(const order& o) {
    long total = 0;
    for (const auto& line : o.lines)
        total += line.quantity * line.unit_price_cents;
    return total;
}

/// 1234 -> "12.34"
[[nodiscard]] inline std::string money(long cents) {
    std::ostringstream out;
    out << cents / 100 << '.' << std::setw(2) << std::setfill('0') << cents % 100;
    return out.str();
}

/// The n-th order of a deterministic sample stream: four customers, a few items each.
[[nodiscard]] inline order sample_order(int n) {
    static const std::vector<std::string> customers{"alice", "erin", "trent", "mallory"};
    static const std::vector<order_line> catalog{{"keyboard", 1, 4990},  {"monitor", 1, 17900},
                                                 {"usb cable", 3, 499},  {"mouse", 1, 2450},
                                                 {"desk lamp", 1, 3999}, {"headset", 1, 8900}};
    order o;
    o.order_id = "order-" + std::to_string(1000 + n);
    o.customer = customers[static_cast<std::size_t>(n) % customers.size()];
    const std::size_t line_count = 1 + static_cast<std::size_t>(n) % 3;
    for (std::size_t i = 0; i < line_count; ++i) {
        o.lines.push_back(catalog[(static_cast<std::size_t>(n) + 2 * i) % catalog.size()]);
    }
    return o;
}

}  // namespace example
