#pragma once
// What the service emits for each order it accepts.

#include "order.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace example {

struct confirmation {
    std::string order_id;
    std::string customer;
    long total_cents = 0;
};

inline void to_json(nlohmann::json& j, const confirmation& c) {
    j = nlohmann::json{
        {"order_id", c.order_id}, {"customer", c.customer}, {"total_cents", c.total_cents}};
}

[[nodiscard]] inline confirmation confirm(const order& o) {
    return {o.order_id, o.customer, total_cents(o)};
}

}  // namespace example
