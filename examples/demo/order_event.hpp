#pragma once
// The event the demo sends: an order, carried as JSON through nlohmann_json's to_json/from_json.
// kflow's default codec picks these functions up by ADL, so producer<std::string, order_event>
// needs nothing more.

#include <nlohmann/json.hpp>

#include <string>

namespace demo {

struct order_event {
    std::string order_id;
    std::string customer;
    std::string item;
    int quantity = 0;
    long total_cents = 0;  // money as an integer: no rounding on the way through JSON

    friend bool operator==(const order_event&, const order_event&) = default;
};

inline void to_json(nlohmann::json& j, const order_event& e) {
    j = nlohmann::json{{"order_id", e.order_id},
                       {"customer", e.customer},
                       {"item", e.item},
                       {"quantity", e.quantity},
                       {"total_cents", e.total_cents}};
}

// at() throws on a missing field, naming it: a malformed event becomes a deserialization_error
// that the consumer reports with the record's topic, partition and offset.
inline void from_json(const nlohmann::json& j, order_event& e) {
    j.at("order_id").get_to(e.order_id);
    j.at("customer").get_to(e.customer);
    j.at("item").get_to(e.item);
    j.at("quantity").get_to(e.quantity);
    j.at("total_cents").get_to(e.total_cents);
}

}  // namespace demo
