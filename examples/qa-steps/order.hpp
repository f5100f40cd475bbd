#pragma once
// The record the steps publish and check: an order, as JSON through nlohmann_json's
// to_json/from_json, which kflow's default codec finds by ADL. operator== lets an expectation
// compare a whole value; failure messages show it as JSON.

#include <nlohmann/json.hpp>

#include <string>

namespace qa {

struct order {
    std::string order_id;
    std::string customer;
    long total_cents = 0;  // money as an integer: no rounding on the way through JSON

    friend bool operator==(const order&, const order&) = default;
};

inline void to_json(nlohmann::json& j, const order& o) {
    j = nlohmann::json{
        {"order_id", o.order_id}, {"customer", o.customer}, {"total_cents", o.total_cents}};
}

inline void from_json(const nlohmann::json& j, order& o) {
    j.at("order_id").get_to(o.order_id);
    j.at("customer").get_to(o.customer);
    j.at("total_cents").get_to(o.total_cents);
}

}  // namespace qa
