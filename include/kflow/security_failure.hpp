#pragma once
// What a client does when a broker refuses its credentials or the TLS handshake fails.
//
// librdkafka treats both as connection failures: it logs them, tells the error callback, and
// keeps reconnecting, while the messages wait in its queue until message.timeout.ms (5 minutes
// by default) and a consumer simply receives nothing. An application with a wrong password so
// learns of it minutes later, as a timeout. kflow's default makes the failure the client's
// final state instead, reported as errc::authentication_failed or errc::tls_handshake_failed by
// the calls the application makes (see docs/configuration.md, "When security fails").

#include <kflow/error.hpp>

#include <librdkafka/rdkafka.h>

#include <optional>
#include <string_view>

namespace kflow {

/// The reaction to an authentication or TLS handshake failure (client config:
/// on_security_failure()).
enum class security_failure_policy {
    /// The default: the first failure is final for the client. Messages waiting to be sent
    /// fail at once (their delivery callbacks get errc::authentication_failed or
    /// errc::tls_handshake_failed), flush() returns the error with librdkafka's reason, and
    /// later sends, polls and receives fail with it. Fix the configuration and create a new
    /// client.
    fail,
    /// librdkafka's own behaviour: keep reconnecting (reconnect.backoff.ms), messages wait up
    /// to message.timeout.ms, and the failure reaches only on_error. For a cluster whose
    /// credentials or certificates are being rotated, where a refusal may be brief.
    keep_retrying,
};

namespace detail {

/// The kflow error a client-level librdkafka error stands for, if it is a security failure.
/// librdkafka reports a TLS client talking to a listener without TLS as a transport failure
/// "in state SSL_HANDSHAKE", and a broker's TLS 1.3 refusal of a missing or untrusted client
/// certificate (sent after the handshake) as one whose reason carries the TLS alert ("tlsv13
/// alert certificate required"), so the reason is looked at too.
[[nodiscard]] inline std::optional<errc> security_failure_kind(int err,
                                                               std::string_view reason) noexcept {
    switch (static_cast<rd_kafka_resp_err_t>(err)) {
        case RD_KAFKA_RESP_ERR__AUTHENTICATION:
        case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
            return errc::authentication_failed;
        case RD_KAFKA_RESP_ERR__SSL:
            return errc::tls_handshake_failed;
        case RD_KAFKA_RESP_ERR__TRANSPORT:
            if (reason.find("SSL_HANDSHAKE") != std::string_view::npos ||
                reason.find("SSL handshake failed") != std::string_view::npos ||
                reason.find("alert certificate") != std::string_view::npos ||
                reason.find("alert unknown ca") != std::string_view::npos ||
                reason.find("alert bad certificate") != std::string_view::npos) {
                return errc::tls_handshake_failed;
            }
            return std::nullopt;
        default:
            return std::nullopt;
    }
}

}  // namespace detail
}  // namespace kflow
