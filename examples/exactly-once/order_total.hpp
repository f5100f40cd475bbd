#pragma once
// What the pipeline writes for each order: its total, computed from the order's lines.

#include "order.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace example {

struct order_total {
    std::string order_id;
    std::string customer;
    int line_count = 0;
    long total_cents = 0;
    bool large = false;  ///< at least large_order_cents: downstream reviews these by hand

    friend bool operator==(const order_total&, const order_total&) = default;
};

inline constexpr long large_order_cents = 200'00;

inline void to_json(nlohmann::json& j, const order_total& t) {
    j = nlohmann::json{{"order_id", t.order_id},
                       {"customer", t.customer},
                       {"line_count", t.line_count},
                       {"total_cents", t.total_cents},
                       {"large", t.large}};
}

inline void from_json(const nlohmann::json& j, order_total& t) {
    j.at("order_id").get_to(t.order_id);
    j.at("customer").get_to(t.customer);
    j.at("line_count").get_to(t.line_count);
    j.at("total_cents").get_to(t.total_cents);
    j.at("large").get_to(t.large);
}

/// The transformation: a pure function, testable without Kafka.
[[nodiscard]] inline order_total total_of(const order& o) {
    order_total t;
    t.order_id = o.order_id;
    t.customer = o.customer;
    t.line_count = static_cast<int>(o.lines.size());
    t.total_cents = total_cents(o);
    t.large = t.total_cents >= large_order_cents;
    return t;
}

}  // namespace example
