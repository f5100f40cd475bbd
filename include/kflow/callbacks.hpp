#pragma once
// Application callbacks a client can carry. kflow calls them on the thread that polls the client
// (or on the client's executor in the async layer), never on a librdkafka thread; an exception a
// callback throws is caught at the C boundary and rethrown from the poll that ran it.

#include <kflow/error.hpp>
#include <kflow/metrics/client_observer.hpp>
#include <kflow/metrics/statistics.hpp>
#include <kflow/security_failure.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace kflow {

/// One librdkafka log line.
struct log_entry {
    int level = 0;  ///< syslog level: 0 emergency .. 7 debug
    /// librdkafka's subsystem tag, e.g. "BROKER", "FETCH", "CGRPOP".
    std::string facility;
    /// The text of the line, without a trailing newline.
    std::string message;
};

/// A token handed to librdkafka by an OAUTHBEARER refresh callback.
struct oauthbearer_token {
    std::string value;                              ///< the token (never printed by kflow)
    std::chrono::system_clock::time_point expiry;   ///< when the token stops being valid
    std::string principal;                          ///< the principal name it identifies
    std::map<std::string, std::string> extensions;  ///< SASL extensions (key=value)
};

/// The application callbacks of one client, as set with the config's on_error(), on_log(),
/// on_statistics() and on_oauthbearer_token_refresh(); an empty function means "not set".
///
/// kflow calls them on the thread that polls the client (or on the client's executor in the
/// async layer), never on a librdkafka thread. An exception a callback throws is caught at the
/// C boundary and rethrown from the poll that ran it (oauthbearer_token_refresh excepted).
struct client_callbacks {
    /// Client-level errors: brokers unreachable, authentication failures, fatal errors (with
    /// flags.fatal set and librdkafka's fatal reason). Unset: librdkafka only logs them. A
    /// producer also reports here failed deliveries of sends made without a callback.
    std::function<void(const error_info&)> on_error;
    /// librdkafka's log lines. Setting it routes logs through the client's queue, so they
    /// arrive on the polling thread. Unset: librdkafka writes them to stderr.
    std::function<void(const log_entry&)> on_log;
    /// librdkafka's statistics as JSON text, every statistics.interval.ms (off by default).
    /// The view is only valid during the call.
    std::function<void(std::string_view)> on_statistics;
    /// The same statistics parsed into kflow::metrics::statistics (after on_statistics, when
    /// both are set). The document is parsed only when this is set; one that cannot be parsed
    /// goes to on_error as errc::deserialization_failed, and this is not called for it.
    std::function<void(const metrics::statistics&)> on_typed_statistics;
    /// What kflow observes on the client, for metrics or tracing (kflow/metrics/prometheus.hpp
    /// is one); null when nothing observes it.
    std::shared_ptr<metrics::client_observer> observer;
    /// Returns a SASL/OAUTHBEARER token when librdkafka needs one; receives
    /// sasl.oauthbearer.config. A thrown exception fails that refresh with its what() instead
    /// of reaching a poll, and librdkafka tries again later.
    std::function<oauthbearer_token(std::string_view)> oauthbearer_token_refresh;
    /// What the client does when a broker refuses its credentials or the TLS handshake fails
    /// (see kflow/security_failure.hpp). on_error hears of the failure either way.
    security_failure_policy on_security_failure = security_failure_policy::fail;
};

}  // namespace kflow
