#pragma once
// The non-template producer: hands serialized bytes to librdkafka and routes delivery reports to
// per-message operations. producer<K, V> (sync) and the async layer both sit on it.

#include <kflow/detail/client_core.hpp>
#include <kflow/headers.hpp>
#include <kflow/producer_config.hpp>
#include <kflow/record.hpp>
#include <kflow/serde.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace kflow::detail {

/// The state of one message between produce and its delivery report. It owns the value bytes
/// librdkafka points at (handed over without a copy) and completes exactly once, on the thread
/// that serves delivery reports.
class delivery_op {
  public:
    explicit delivery_op(payload value) noexcept : value_(std::move(value)) {}
    delivery_op(const delivery_op&) = delete;
    delivery_op& operator=(const delivery_op&) = delete;
    virtual ~delivery_op() = default;

    /// Called from the delivery report (inside librdkafka's poll). Returns true when the op is
    /// finished and may be deleted; an op that completes later (the async layer, outside
    /// librdkafka's frames) returns false and owns itself from then on.
    virtual bool complete(std::error_code ec, const rd_kafka_message_t& msg) = 0;

    [[nodiscard]] const payload& value() const noexcept { return value_; }

    /// Copies borrowed value bytes into the op. A send that outlives the call that made it (an
    /// async send waiting for room) needs this: borrowed bytes are only valid during that call.
    void own_value() {
        if (value_.is_borrowed()) {
            const auto bytes = value_.bytes();
            value_ = payload(std::vector<std::byte>(bytes.begin(), bytes.end()));
        }
    }

  private:
    payload value_;
};

/// No one waits for this message: the op only keeps its bytes alive.
class unobserved_delivery final : public delivery_op {
  public:
    unobserved_delivery(payload value, const std::function<void(const error_info&)>& on_failure)
        : delivery_op(std::move(value)), on_failure_(on_failure) {}

    bool complete(std::error_code ec, const rd_kafka_message_t& msg) override {
        if (ec && on_failure_) {
            on_failure_({ec,
                         "delivery to " + std::string(rd_kafka_topic_name(msg.rkt)) + " [" +
                             std::to_string(msg.partition) + "] failed: " + ec.message(),
                         {}});
        }
        return true;
    }

  private:
    const std::function<void(const error_info&)>& on_failure_;  // the client's on_error
};

/// Calls `Handler(std::error_code, const record_metadata&)`.
template <class Handler>
class callback_delivery final : public delivery_op {
  public:
    callback_delivery(payload value, Handler handler)
        : delivery_op(std::move(value)), handler_(std::move(handler)) {}
    bool complete(std::error_code ec, const rd_kafka_message_t& msg) override {
        handler_(ec, metadata_of(&msg));
        return true;
    }

  private:
    Handler handler_;
};

/// Everything send() knows about one message once its key and value are bytes.
struct outgoing_message {
    const std::string& topic;
    std::int32_t partition = any_partition;
    const payload& key;
    const kflow::headers& headers;
    std::optional<timestamp> time;
};

class producer_core : public client_core {
  public:
    explicit producer_core(const producer_config& cfg)
        : client_core(RD_KAFKA_PRODUCER, prepare(cfg, this), cfg.callbacks()),
          partitioner_(cfg.custom_partitioner()),
          queue_full_(cfg.queue_full()),
          queue_full_timeout_(cfg.queue_full_timeout()),
          close_timeout_(cfg.close_timeout()) {}

    ~producer_core() override {
        // Outstanding ops reference this object and own bytes: resolve them before destroying.
        if (!closed_) {
            guarded(callback_errors(), [&] { (void)close(close_timeout_); });
        }
        handle().reset();
    }

    /// Enqueues one message. On success the op is owned by librdkafka until its delivery report;
    /// on failure the op is destroyed here and its handler never runs.
    [[nodiscard]] error_info produce(outgoing_message&& msg, std::unique_ptr<delivery_op> op) {
        return produce(std::move(msg), op, queue_full_);
    }

    /// As above with an explicit queue-full policy (the async layer never blocks: it passes
    /// queue_full_policy::fail and waits for room itself). On failure `op` is left intact.
    [[nodiscard]] error_info produce(outgoing_message&& msg, std::unique_ptr<delivery_op>& op,
                                     queue_full_policy queue_full) {
        if (closed_)
            return {make_error_code(errc::closed), "producer is closed", {}};
        if (msg.topic.empty()) {
            // librdkafka would queue it and fail it only once metadata says no such topic.
            return {make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG),
                    "cannot send: the topic name is empty",
                    {}};
        }
        for (const auto& h : msg.headers) {
            // librdkafka hands header names back as C strings: a consumer would read a name
            // with a NUL byte cut short, so kflow refuses to send one.
            if (h.key.find('\0') != std::string::npos) {
                return {make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG),
                        "cannot send to '" + msg.topic + "': header name '" +
                            h.key.substr(0, h.key.find('\0')) +
                            "\\0...' contains a NUL byte, which librdkafka cannot read back",
                        {}};
            }
        }
        const payload& value = op->value();
        headers_handle native_headers = to_native(msg.headers);

        rd_kafka_vu_t vus[7];
        std::size_t n = 0;
        vus[n].vtype = RD_KAFKA_VTYPE_TOPIC;
        vus[n++].u.cstr = msg.topic.c_str();
        vus[n].vtype = RD_KAFKA_VTYPE_PARTITION;
        vus[n++].u.i32 = msg.partition;
        vus[n].vtype = RD_KAFKA_VTYPE_VALUE;
        vus[n].u.mem.ptr = const_cast<void*>(value.data());
        vus[n++].u.mem.size = value.size();
        vus[n].vtype = RD_KAFKA_VTYPE_KEY;  // librdkafka always copies the key
        vus[n].u.mem.ptr = const_cast<void*>(msg.key.data());
        vus[n++].u.mem.size = msg.key.size();
        // Owned bytes stay with the op until the delivery report: no copy. Borrowed bytes are
        // only valid during this call, so librdkafka copies them.
        vus[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
        vus[n++].u.i = value.is_borrowed() ? RD_KAFKA_MSG_F_COPY : 0;
        vus[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
        vus[n++].u.ptr = op.get();
        if (msg.time) {
            vus[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
            vus[n++].u.i64 = msg.time->time_since_epoch().count();
        }
        // Headers last: librdkafka takes them only when produce succeeds.
        rd_kafka_vu_t header_vu{};
        if (native_headers) {
            header_vu.vtype = RD_KAFKA_VTYPE_HEADERS;
            header_vu.u.headers = native_headers.get();
        }

        // Only a full queue needs the clock: reading it on every send is a measurable share of
        // a send's cost (see docs/performance.md).
        std::optional<std::chrono::steady_clock::time_point> deadline;
        for (;;) {
            rd_kafka_vu_t all[8];
            std::copy_n(vus, n, all);
            std::size_t count = n;
            if (native_headers)
                all[count++] = header_vu;
            // Counted before the call: the report may be served on another thread at once.
            in_flight_.fetch_add(1, std::memory_order_relaxed);
            error_info err = error_info::adopt(rd_kafka_produceva(native(), all, count));
            if (!err) {
                (void)native_headers.release();
                (void)op.release();
                return {};
            }
            in_flight_.fetch_sub(1, std::memory_order_relaxed);
            if (err.code != make_error_code(RD_KAFKA_RESP_ERR__QUEUE_FULL)) {
                err.message = "cannot send to '" + msg.topic + "': " + err.message;
                return err;
            }
            const auto now = std::chrono::steady_clock::now();
            if (!deadline)
                deadline = now + queue_full_timeout_;
            if (queue_full == queue_full_policy::fail || now >= *deadline) {
                return {make_error_code(errc::queue_full),
                        "librdkafka's producer queue is full (queue.buffering.max.messages/kbytes)",
                        {}};
            }
            // Delivery reports free room; serving them wakes as soon as one arrives. What their
            // callbacks throw stays parked for the next poll/flush/close: this record must still
            // be sent (or refused), never dropped by another record's exception.
            const auto wait = std::min<std::chrono::milliseconds>(
                std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - now),
                std::chrono::milliseconds(100));
            (void)rd_kafka_poll(native(), to_timeout_ms(wait));
        }
    }

    /// Waits for every outstanding delivery report; errc::timed_out if some are still pending.
    [[nodiscard]] std::error_code flush(std::chrono::milliseconds timeout) {
        const auto err = rd_kafka_flush(native(), to_timeout_ms(timeout));
        callback_errors().rethrow_if_any();
        if (err == RD_KAFKA_RESP_ERR__TIMED_OUT)
            return make_error_code(errc::timed_out);
        return make_error_code(err);
    }

    /// Messages handed to librdkafka whose delivery report has not been served yet.
    [[nodiscard]] std::size_t in_flight() const noexcept {
        return in_flight_.load(std::memory_order_relaxed);
    }

    /// Flushes for up to `timeout`, then purges what is left (each purged message's delivery
    /// handler runs with an error), and stops accepting messages. Returns how many messages
    /// were not delivered.
    std::size_t close(std::chrono::milliseconds timeout) {
        return close(timeout, [this](int ms) { (void)rd_kafka_flush(native(), ms); });
    }

    /// close() with the async layer's way of serving delivery reports.
    template <class Serve>
    std::size_t close(std::chrono::milliseconds timeout, Serve&& serve_for) {
        if (closed_)
            return 0;
        const auto flush_deadline = std::chrono::steady_clock::now() + timeout;
        while (in_flight() > 0 && std::chrono::steady_clock::now() < flush_deadline) {
            serve_for(50);
        }
        const std::size_t undelivered = in_flight();
        if (undelivered > 0) {
            rd_kafka_purge(native(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
            // rd_kafka_purge returns once every broker thread has failed what it held, so the
            // reports are already queued: serving them takes milliseconds, and purge_grace only
            // bounds the unexpected case. close() so returns within timeout + purge_grace.
            const auto deadline = std::chrono::steady_clock::now() + purge_grace;
            while (in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
                serve_for(50);
            }
        }
        closed_ = true;
        callback_errors().rethrow_if_any();
        return undelivered;
    }

    [[nodiscard]] bool closed() const noexcept { return closed_; }
    /// The async layer's close has ended (having flushed and purged on its own).
    void mark_closed() noexcept { closed_ = true; }
    [[nodiscard]] queue_full_policy queue_full_setting() const noexcept { return queue_full_; }
    [[nodiscard]] std::chrono::milliseconds close_timeout() const noexcept {
        return close_timeout_;
    }

    /// How long close() serves the reports of purged messages after its timeout.
    static constexpr std::chrono::milliseconds purge_grace{1000};

  private:
    static conf_handle prepare(const producer_config& cfg, producer_core* self) {
        conf_handle conf = cfg.native_copy();
        rd_kafka_conf_set_dr_msg_cb(conf.get(), &on_delivery_trampoline);
        if (cfg.custom_partitioner()) {
            rd_kafka_topic_conf_t* topic_conf = rd_kafka_conf_get_default_topic_conf(conf.get());
            if (topic_conf == nullptr) {
                topic_conf = rd_kafka_topic_conf_new();
                rd_kafka_conf_set_default_topic_conf(conf.get(), topic_conf);
            }
            rd_kafka_topic_conf_set_partitioner_cb(topic_conf, &on_partition_trampoline);
            rd_kafka_topic_conf_set_opaque(topic_conf, self);
        }
        return conf;
    }

    static void on_delivery_trampoline(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
        auto& self = static_cast<producer_core&>(from_opaque(opaque));
        std::unique_ptr<delivery_op> op(static_cast<delivery_op*>(msg->_private));
        self.in_flight_.fetch_sub(1, std::memory_order_relaxed);
        bool finished = true;
        guarded(self.callback_errors(),
                [&] { finished = op->complete(make_error_code(msg->err), *msg); });
        if (!finished)
            (void)op.release();
    }

    static std::int32_t on_partition_trampoline(const rd_kafka_topic_t* rkt, const void* key,
                                                std::size_t key_size, std::int32_t partition_count,
                                                void* topic_opaque, void* msg_opaque) {
        auto* self = static_cast<producer_core*>(topic_opaque);
        try {
            return self->partitioner_(rd_kafka_topic_name(rkt),
                                      {static_cast<const std::byte*>(key), key_size},
                                      partition_count);
        } catch (...) {
            self->callback_errors().capture(std::current_exception());
            return rd_kafka_msg_partitioner_consistent_random(rkt, key, key_size, partition_count,
                                                              topic_opaque, msg_opaque);
        }
    }

    partitioner_function partitioner_;
    queue_full_policy queue_full_;
    std::chrono::milliseconds queue_full_timeout_;
    std::chrono::milliseconds close_timeout_;
    std::atomic<std::size_t> in_flight_{0};
    // Atomic: the async layer closes on its strand while sends start on any thread.
    std::atomic<bool> closed_{false};
};

}  // namespace kflow::detail
