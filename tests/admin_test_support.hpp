#pragma once
// What the admin tests share: a client that reaches no broker, for the checks kflow makes before
// sending, and the message a throwing form throws.

#include <kflow/admin/client.hpp>

#include <chrono>
#include <string>

namespace kflow_test {

/// An admin client pointed at nothing: validation happens before anything is sent, and a request
/// that does go out fails within two seconds.
[[nodiscard]] inline kflow::admin_client offline_admin_client() {
    kflow::admin_config cfg;
    cfg.bootstrap_servers("127.0.0.1:1").request_timeout(std::chrono::seconds(2));
    return kflow::admin_client(cfg);
}

/// The message of the kafka_error that `f` throws, or "" when it throws none.
template <class F>
[[nodiscard]] std::string kafka_error_thrown_by(F f) {
    try {
        f();
    } catch (const kflow::kafka_error& e) {
        return e.what();
    }
    return {};
}

}  // namespace kflow_test
