#pragma once
// Options of every admin operation: how long to wait, and whether to only validate.

#include <chrono>

namespace kflow {

/// Admin options: an admin_client's defaults (admin_config::default_options), or the options of
/// the calls made through `admin.with(options)`. The defaults suit a healthy cluster; lower them
/// in tests.
///
/// It has constructors (not just public fields) so that it can be built inline inside a
/// co_await expression: g++ 12 miscompiles aggregate temporaries there.
struct admin_options {
    /// 30 s request and operation timeouts; validate_only and require_stable_offsets off.
    admin_options() = default;
    /// Options with these timeouts and validate_only = `validate`: `admin_options(5s)`,
    /// `admin_options(5s, 0ms, true)`.
    /// A request_timeout that is not positive, or a negative operation_timeout where it
    /// applies, fails the call with RD_KAFKA_RESP_ERR__INVALID_ARG before anything is sent.
    explicit admin_options(std::chrono::milliseconds request,
                           std::chrono::milliseconds operation = std::chrono::seconds(30),
                           bool validate = false)
        : request_timeout(request), operation_timeout(operation), validate_only(validate) {}

    /// The whole request: finding the broker (controller or coordinator), sending, the broker's
    /// work and the response. When it passes the operation completes with a timeout error.
    /// The synchronous forms wait this long plus a short margin, never forever.
    std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
    /// How long the broker may wait for the change to spread through the cluster before
    /// answering (create/delete topics, create partitions, delete records). 0 answers at once.
    std::chrono::milliseconds operation_timeout = std::chrono::seconds(30);
    /// Ask the broker to check the request without applying it (create topics, create
    /// partitions, alter configs, incremental alter configs). Ignored by operations that change
    /// nothing; any other operation that changes the cluster fails with
    /// RD_KAFKA_RESP_ERR__INVALID_ARG instead of applying the change.
    bool validate_only = false;
    /// list_consumer_group_offsets: only offsets of committed transactions (KIP-447).
    bool require_stable_offsets = false;

    /// A copy with validate_only set: `admin.with(opts.validating()).create_topics(specs)`.
    [[nodiscard]] admin_options validating(bool on = true) const {
        admin_options copy = *this;
        copy.validate_only = on;
        return copy;
    }
};

}  // namespace kflow
