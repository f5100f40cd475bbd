#pragma once
// What an admin operation is made of, so that one core can run every operation both ways
// (blocking, and on Asio):
//
// - a queued request builds librdkafka's admin objects (prepare: invalid input fails here,
//   naming what is wrong, before anything is sent), launches the librdkafka call that posts its
//   result event to a queue (launch), and turns that event into kflow's result types (parse);
// - a blocking request serves itself with librdkafka's blocking calls (metadata, watermarks,
//   offsets for times) and runs on a worker thread when used asynchronously.

#include <kflow/admin/detail/handles.hpp>
#include <kflow/admin/options.hpp>
#include <kflow/detail/client_core.hpp>
#include <kflow/error.hpp>

#include <chrono>
#include <concepts>
#include <string>
#include <string_view>

namespace kflow::detail {

template <class R>
concept queued_admin_request = std::move_constructible<R> &&
    requires(R& r, rd_kafka_t* rk, const rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q,
             rd_kafka_event_t* ev) {
    typename R::result_type;
    { R::name } -> std::convertible_to<std::string_view>;       // kflow's name, for errors
    { R::kafka_api } -> std::convertible_to<std::string_view>;  // Kafka's request name
    { R::changes_cluster } -> std::convertible_to<bool>;
    { R::can_validate_only } -> std::convertible_to<bool>;
    { r.prepare() } -> std::same_as<error_info>;
    r.launch(rk, o, q);
    { r.parse(ev) } -> std::same_as<typename R::result_type>;
    // Optional: `std::string subject() const`, what a request about one thing is about (e.g.
    // "group 'g'"), put in the message of a failure of the request as a whole (finish()).
};

template <class R>
concept blocking_admin_request = std::move_constructible<R> &&
    requires(R& r, rd_kafka_t* rk, const admin_options& o, error_info& err) {
    typename R::result_type;
    { R::name } -> std::convertible_to<std::string_view>;
    { r.run(rk, o, err) } -> std::same_as<typename R::result_type>;
};

/// An error naming the operation and what is wrong with its input.
[[nodiscard]] inline error_info invalid_argument(std::string_view op, const std::string& what) {
    return {make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG), std::string(op) + ": " + what, {}};
}

/// The librdkafka version kflow was compiled against, e.g. "2.0.2".
[[nodiscard]] inline std::string built_librdkafka_version() {
    const int v = RD_KAFKA_VERSION;
    return std::to_string((v >> 24) & 0xff) + "." + std::to_string((v >> 16) & 0xff) + "." +
           std::to_string((v >> 8) & 0xff);
}

/// The error of an operation the linked librdkafka cannot do.
[[nodiscard]] inline error_info unsupported_by_librdkafka(std::string_view op,
                                                          std::string_view needed) {
    return {make_error_code(errc::unsupported_by_librdkafka),
            std::string(op) + " needs librdkafka " + std::string(needed) +
                " or newer; kflow was built against librdkafka " + built_librdkafka_version(),
            {}};
}

/// librdkafka's AdminOptions for `opts`, tagged with `opaque` (the pending operation's id).
/// Created for RD_KAFKA_ADMIN_OP_ANY so every option can be set whatever the call.
[[nodiscard]] inline admin_options_handle native_admin_options(rd_kafka_t* rk, std::string_view op,
                                                               const admin_options& opts,
                                                               void* opaque, error_info& err) {
    admin_options_handle native(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_ANY));
    char errstr[512] = {0};
    auto check = [&](rd_kafka_resp_err_t code, std::string_view what) {
        if (code != RD_KAFKA_RESP_ERR_NO_ERROR && !err) {
            err = invalid_argument(op, std::string(what) + ": " + errstr);
        }
    };
    if (opts.request_timeout.count() <= 0) {
        err = invalid_argument(op, "request_timeout must be positive, got " +
                                       std::to_string(opts.request_timeout.count()) + " ms");
        return native;
    }
    if (opts.operation_timeout.count() < 0) {
        err = invalid_argument(op, "operation_timeout must not be negative, got " +
                                       std::to_string(opts.operation_timeout.count()) + " ms");
        return native;
    }
    check(rd_kafka_AdminOptions_set_request_timeout(
              native.get(), to_timeout_ms(opts.request_timeout), errstr, sizeof errstr),
          "request_timeout");
    check(rd_kafka_AdminOptions_set_operation_timeout(
              native.get(), to_timeout_ms(opts.operation_timeout), errstr, sizeof errstr),
          "operation_timeout");
    check(rd_kafka_AdminOptions_set_validate_only(native.get(), opts.validate_only ? 1 : 0, errstr,
                                                  sizeof errstr),
          "validate_only");
    if (opts.require_stable_offsets) {
        if (auto e = error_info::adopt(
                rd_kafka_AdminOptions_set_require_stable_offsets(native.get(), 1));
            e && !err) {
            err = invalid_argument(op, "require_stable_offsets: " + e.message);
        }
    }
    rd_kafka_AdminOptions_set_opaque(native.get(), opaque);
    return native;
}

/// The checks every queued request shares: options that make sense for it.
template <queued_admin_request R>
[[nodiscard]] error_info check_options(const admin_options& opts) {
    if (opts.validate_only && R::changes_cluster && !R::can_validate_only) {
        return invalid_argument(R::name, "validate_only is not supported by " +
                                             std::string(R::kafka_api) +
                                             " (only create_topics, create_partitions and "
                                             "alter_configs can validate without applying)");
    }
    return {};
}

/// The request-level outcome of a result event, then the request's own parsing.
template <queued_admin_request R>
[[nodiscard]] typename R::result_type finish(R& request, rd_kafka_event_t* ev, error_info& err) {
    const auto code = rd_kafka_event_error(ev);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* reason = rd_kafka_event_error_string(ev);
        std::string message = std::string(R::name) + ": ";
        // A request about one subject (a group) names it: the broker's reason does not.
        if constexpr (requires {
                          { request.subject() } -> std::convertible_to<std::string>;
                      }) {
            message += request.subject() + ": ";
        }
        if (code == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE) {
            message += "the broker does not support " + std::string(R::kafka_api) + ": ";
        }
        message += reason != nullptr ? reason : rd_kafka_err2str(code);
        err = {make_error_code(code), std::move(message), {}};
        return {};
    }
    return request.parse(ev);
}

/// How much longer than the request timeout a blocking call waits for librdkafka's own timeout
/// result before giving up itself.
inline constexpr std::chrono::milliseconds admin_wait_margin = std::chrono::seconds(5);

/// Runs a prepared queued request on a temporary queue and waits for its result, at most the
/// request timeout plus a margin. `route` may direct the request to a broker first.
template <queued_admin_request R, class Route>
[[nodiscard]] typename R::result_type run_queued(rd_kafka_t* rk, R& request,
                                                 const admin_options& opts, error_info& err,
                                                 Route&& route) {
    auto native_opts = native_admin_options(rk, R::name, opts, nullptr, err);
    if (!err)
        err = route(native_opts.get());
    if (err)
        return {};
    const queue_handle queue(rd_kafka_queue_new(rk));
    request.launch(rk, native_opts.get(), queue.get());
    const event_handle ev(
        rd_kafka_queue_poll(queue.get(), to_timeout_ms(opts.request_timeout + admin_wait_margin)));
    if (!ev) {
        err = {make_error_code(errc::timed_out),
               std::string(R::name) + ": no answer within the request timeout (" +
                   std::to_string(opts.request_timeout.count()) + " ms)",
               {}};
        return {};
    }
    return finish(request, ev.get(), err);
}

/// The per-item error of librdkafka's result objects as code + message.
inline void take_error(rd_kafka_resp_err_t code, const char* reason, std::error_code& ec,
                       std::string& message) {
    ec = make_error_code(code);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
        message = reason != nullptr && *reason != '\0' ? reason : rd_kafka_err2str(code);
    }
}
inline void take_error(const rd_kafka_error_t* error, std::error_code& ec, std::string& message) {
    if (error == nullptr)
        return;
    take_error(rd_kafka_error_code(error), rd_kafka_error_string(error), ec, message);
}

}  // namespace kflow::detail
