#pragma once
// kflow's one error model.
//
// - Errors reported by librdkafka or a broker are std::error_codes in kafka_category(); the value
//   is librdkafka's rd_kafka_resp_err_t and the message is rd_kafka_err2str().
// - Errors that kflow itself detects are kflow::errc values in client_category().
// - Operations come in a throwing form and a form whose last parameter is an error_info& (code,
//   message, flags; docs/errors.md). The throwing form throws kflow::kafka_error, a
//   std::system_error that also says whether the error is fatal, retriable or requires a
//   transaction to abort.

#include <kflow/detail/handles.hpp>

#include <librdkafka/rdkafka.h>

#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace kflow {

/// Errors detected by kflow rather than by librdkafka or a broker.
enum class errc : int {
    serialization_failed = 1,   ///< a serializer threw or produced no bytes
    deserialization_failed,     ///< a deserializer threw; the record keeps its raw bytes
    unexpected_null,            ///< a null key/value for a type that cannot represent null
    closed,                     ///< the client was closed or is being destroyed
    queue_full,                 ///< librdkafka's producer queue is full and the policy says fail
    timed_out,                  ///< a deadline passed before the operation completed
    unsupported_by_librdkafka,  ///< the linked librdkafka is too old for this operation
    invalid_config,             ///< a configuration key, value or combination was rejected
    not_found,                  ///< the thing asked for does not exist (e.g. a header)
    callback_failed,            ///< reserved: a callback's own exception is rethrown as is
    /// A broker refused the client's credentials (SASL), or the SASL exchange itself failed: a
    /// wrong password, an unknown user, a mechanism the listener does not offer, a SASL client
    /// talking to a listener without SASL.
    authentication_failed,
    /// The TLS handshake with a broker failed: its certificate is not trusted (or does not name
    /// it), it asked for a client certificate that was not given, or the listener speaks no TLS.
    tls_handshake_failed,
};

namespace detail {

class kafka_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "kafka"; }
    std::string message(int ev) const override {
        return rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(ev));
    }
    // Lets portable code test `ec == std::errc::timed_out` whatever produced the timeout (a
    // local timeout, a broker's, a message that expired in the queue, or kflow's own).
    std::error_condition default_error_condition(int ev) const noexcept override {
        switch (static_cast<rd_kafka_resp_err_t>(ev)) {
            case RD_KAFKA_RESP_ERR__TIMED_OUT:
            case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
            case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
            case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
                return std::errc::timed_out;
            case RD_KAFKA_RESP_ERR__INVALID_ARG:
                return std::errc::invalid_argument;
            case RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED:
            case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
                return std::errc::function_not_supported;
            case RD_KAFKA_RESP_ERR__AUTHENTICATION:
            case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
            case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
            case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
            case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
            case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
                return std::errc::permission_denied;
            case RD_KAFKA_RESP_ERR__NOENT:
                return std::errc::no_such_file_or_directory;
            default:
                return {ev, *this};
        }
    }
};

class client_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "kflow"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::serialization_failed:
                return "serialization failed";
            case errc::deserialization_failed:
                return "deserialization failed";
            case errc::unexpected_null:
                return "null key or value for a type that cannot be null";
            case errc::closed:
                return "client is closed";
            case errc::queue_full:
                return "producer queue is full";
            case errc::timed_out:
                return "operation timed out";
            case errc::unsupported_by_librdkafka:
                return "not supported by the librdkafka version kflow was built against";
            case errc::invalid_config:
                return "invalid configuration";
            case errc::not_found:
                return "not found";
            case errc::callback_failed:
                return "a user callback threw an exception";
            case errc::authentication_failed:
                return "authentication with the broker failed";
            case errc::tls_handshake_failed:
                return "TLS handshake with the broker failed";
        }
        return "unknown kflow error";
    }
    std::error_condition default_error_condition(int ev) const noexcept override {
        switch (static_cast<errc>(ev)) {
            case errc::timed_out:
                return std::errc::timed_out;
            case errc::invalid_config:
                return std::errc::invalid_argument;
            case errc::unsupported_by_librdkafka:
                return std::errc::function_not_supported;
            case errc::authentication_failed:
                return std::errc::permission_denied;
            default:
                return {ev, *this};
        }
    }
};

}  // namespace detail

/// The category of librdkafka's and the brokers' error codes (rd_kafka_resp_err_t).
inline const std::error_category& kafka_category() noexcept {
    static const detail::kafka_category_impl category;
    return category;
}

/// The category of kflow::errc.
inline const std::error_category& client_category() noexcept {
    static const detail::client_category_impl category;
    return category;
}

/// A kflow::errc as a std::error_code in client_category(). Found by argument-dependent lookup,
/// so `ec == kflow::errc::closed` and `std::error_code ec = kflow::errc::timed_out` work.
inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), client_category()};
}

/// A librdkafka/broker error code as a std::error_code; RD_KAFKA_RESP_ERR_NO_ERROR is success.
inline std::error_code make_error_code(rd_kafka_resp_err_t err) noexcept {
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return {};
    return {static_cast<int>(err), kafka_category()};
}

/// The librdkafka code of `ec`, for librdkafka calls that take one; RD_KAFKA_RESP_ERR_UNKNOWN if
/// `ec` is not a kafka_category code (kflow's own errors have no librdkafka equivalent).
inline rd_kafka_resp_err_t to_rdkafka_error(const std::error_code& ec) noexcept {
    if (!ec)
        return RD_KAFKA_RESP_ERR_NO_ERROR;
    if (ec.category() == kafka_category())
        return static_cast<rd_kafka_resp_err_t>(ec.value());
    return RD_KAFKA_RESP_ERR_UNKNOWN;
}

/// How serious an error is, as librdkafka classifies it.
struct error_flags {
    bool fatal = false;               ///< the client instance is unusable; recreate it
    bool retriable = false;           ///< the same operation may succeed if retried
    bool txn_requires_abort = false;  ///< the current transaction must be aborted
};

/// The exception kflow throws: a std::system_error with librdkafka's classification.
///
/// what() is the context followed by the code's message, e.g. "cannot send to 'orders':
/// Broker: Message size too large"; the code's message is not repeated when the context
/// already contains it.
class kafka_error : public std::system_error {
  public:
    /// An error with context: what() is `what` followed by ": " and the message of `ec`, or
    /// just `what` when it already contains that message, or just the message when `what` is
    /// empty. code() is `ec`.
    kafka_error(std::error_code ec, const std::string& what, error_flags flags = {})
        : std::system_error(ec, what), what_(compose(ec, what)), flags_(flags) {}
    /// An error without context: what() is the message of `ec`.
    explicit kafka_error(std::error_code ec, error_flags flags = {})
        : std::system_error(ec), what_(ec.message()), flags_(flags) {}

    /// The context and the code's message, composed as the constructor describes (replaces
    /// std::system_error's own format).
    [[nodiscard]] const char* what() const noexcept override { return what_.what(); }

    /// The client that reported the error is unusable (librdkafka's fatal error state, e.g. an
    /// idempotent producer's broken sequence): every later call fails; destroy and recreate it.
    [[nodiscard]] bool is_fatal() const noexcept { return flags_.fatal; }
    /// Calling the same operation again may succeed (e.g. a request that timed out).
    [[nodiscard]] bool is_retriable() const noexcept { return flags_.retriable; }
    /// The current transaction failed: abort it before beginning another.
    [[nodiscard]] bool txn_requires_abort() const noexcept { return flags_.txn_requires_abort; }
    /// All three classifications at once; all false when librdkafka gave none (kflow's own
    /// errors, and librdkafka calls that return a bare error code rather than an object).
    [[nodiscard]] error_flags flags() const noexcept { return flags_; }

  private:
    static std::string compose(const std::error_code& ec, const std::string& what) {
        std::string message = ec.message();
        if (what.empty())
            return message;
        if (what.find(message) != std::string::npos)
            return what;
        return what + ": " + message;
    }

    std::runtime_error what_;  // copied without throwing, as an exception must be
    error_flags flags_;
};

/// An error as a value: code, message and librdkafka's classification. It is what on_error
/// handlers receive; adopt() takes ownership of an rd_kafka_error_t and converts it to one.
struct error_info {
    std::error_code code;  ///< the error; empty when there is none
    std::string message;   ///< detail for humans: the operation, partition or key concerned
    error_flags flags;     ///< librdkafka's classification; all false when it gave none

    /// True when this holds an error (`code` is non-zero).
    [[nodiscard]] explicit operator bool() const noexcept { return static_cast<bool>(code); }

    /// Compares the code as std::error_code does, so `err == kflow::errc::timed_out` and
    /// `err == std::errc::timed_out` read as they would for an error_code.
    template <class E>
    requires std::is_error_code_enum_v<E> || std::is_error_condition_enum_v<E>
    [[nodiscard]] friend bool operator==(const error_info& e, E value) noexcept {
        return e.code == value;
    }
    /// Compares the code with an error_code.
    [[nodiscard]] friend bool operator==(const error_info& e, const std::error_code& c) noexcept {
        return e.code == c;
    }
    /// Compares the code with an error_condition (e.g. one of std::errc).
    [[nodiscard]] friend bool operator==(const error_info& e,
                                         const std::error_condition& c) noexcept {
        return e.code == c;
    }

    /// Null (librdkafka's "no error") gives an empty error_info.
    static error_info adopt(rd_kafka_error_t* error) {
        const detail::error_handle owned(error);
        if (!owned)
            return {};
        return {make_error_code(rd_kafka_error_code(error)),
                rd_kafka_error_string(error),
                {rd_kafka_error_is_fatal(error) != 0, rd_kafka_error_is_retriable(error) != 0,
                 rd_kafka_error_txn_requires_abort(error) != 0}};
    }

    /// Throws kafka_error with this code and flags; its what() starts with "context: " when
    /// `context` is not empty, then the message. Call it only when this holds an error.
    [[noreturn]] void raise(const std::string& context) const {
        throw kafka_error(code, context.empty() ? message : context + ": " + message, flags);
    }
};

/// Throws kafka_error(ec, context) when ec holds an error: for a bare error code, such as one a
/// delivery callback receives.
inline void throw_if_error(const std::error_code& ec, const std::string& context) {
    if (ec)
        throw kafka_error(ec, context);
}

}  // namespace kflow

/// \cond
template <>
struct std::is_error_code_enum<kflow::errc> : std::true_type {};
/// \endcond
