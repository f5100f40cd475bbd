#pragma once
// The non-template producer: hands serialized bytes to librdkafka and routes delivery reports to
// per-message operations. producer<K, V> (sync) and the async layer both sit on it.

#include <kflow/detail/client_core.hpp>
#include <kflow/detail/config.hpp>
#include <kflow/detail/recycled_blocks.hpp>
#include <kflow/detail/topic_handles.hpp>
#include <kflow/headers.hpp>
#include <kflow/producer_config.hpp>
#include <kflow/record.hpp>
#include <kflow/serde.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kflow::detail {

/// Owned value bytes kept for librdkafka until the delivery report, in a recycled block of their
/// own (see delivery_op).
struct kept_value : recycled_allocation {
    explicit kept_value(payload v) noexcept : value(std::move(v)) {}
    payload value;
};

/// The state of one message between produce and its delivery report. It keeps owned value bytes
/// alive while librdkafka points at them (handed over without a copy) and completes exactly once,
/// on the thread that serves delivery reports. Its memory is recycled (see recycled_blocks.hpp):
/// a send in the steady state allocates nothing.
///
/// The report finds the op out of the cache (up to queue.buffering.max.messages are in flight),
/// so its size is a cost per message: an op whose handler is a pointer or two fits one 64-byte
/// block, one cache line. Owned value bytes are therefore kept in a block of their own, taken
/// only by a send that has them (a borrowed value, the common case of a string or bytes serde,
/// needs none).
class delivery_op : public recycled_allocation {
  public:
    delivery_op() noexcept = default;
    delivery_op(const delivery_op&) = delete;
    delivery_op& operator=(const delivery_op&) = delete;
    virtual ~delivery_op() = default;

    /// Called from the delivery report (inside librdkafka's poll). Returns true when the op is
    /// finished and may be deleted; an op that completes later (the async layer, outside
    /// librdkafka's frames) returns false and owns itself from then on.
    virtual bool complete(std::error_code ec, const rd_kafka_message_t& msg) = 0;

    /// The value bytes to send: `value` itself when it is borrowed or null (librdkafka copies
    /// borrowed bytes during the send call), else the op takes the owned bytes over and they stay
    /// with it until the delivery report.
    [[nodiscard]] const payload& keep(payload& value) {
        if (value.is_borrowed() || value.is_null())
            return value;
        kept_ = std::make_unique<kept_value>(std::move(value));
        return kept_->value;
    }

    /// The bytes kept by keep() or own_copy(); null when the value was borrowed or null.
    [[nodiscard]] const payload& kept() const noexcept { return kept_ ? kept_->value : none_; }

    /// Copies borrowed value bytes into the op (owned ones it keeps already). A send that
    /// outlives the call that made it (an async send waiting for room) needs this: borrowed
    /// bytes are only valid during that call.
    void own_copy(const payload& value) {
        if (value.is_borrowed()) {
            const auto bytes = value.bytes();
            kept_ = std::make_unique<kept_value>(
                payload(std::vector<std::byte>(bytes.begin(), bytes.end())));
        }
    }

  private:
    static inline const payload none_{};
    std::unique_ptr<kept_value> kept_;
};

/// No one waits for this message: the op only keeps its bytes alive.
class unobserved_delivery final : public delivery_op {
  public:
    explicit unobserved_delivery(const std::function<void(const error_info&)>& on_failure)
        : on_failure_(on_failure) {}

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

/// The record_metadata a delivery callback is handed, one per thread and reused: its topic
/// string keeps its capacity and is rewritten only when the topic changes, so a report
/// allocates and copies nothing for a topic name longer than the small-string buffer. A
/// callback that serves reports itself (a send that waits for room polls) gets a metadata of its
/// own for those, since its own is still in use.
class reused_metadata {
  public:
    template <class F>
    static void with(const rd_kafka_message_t& msg, F&& f) {
        static thread_local reused_metadata slot;
        if (slot.in_use_) {
            const record_metadata own = metadata_of(&msg);
            std::forward<F>(f)(own);
            return;
        }
        slot.in_use_ = true;
        const struct free_on_exit {
            bool& in_use;
            ~free_on_exit() { in_use = false; }
        } release{slot.in_use_};
        auto& md = slot.md_;
        // Reports come in runs of one topic: comparing costs less than copying the name again.
        // (strcmp: librdkafka's name is NUL-terminated, and its length would cost a strlen.)
        const char* topic = rd_kafka_topic_name(msg.rkt);
        if (std::strcmp(md.topic.c_str(), topic) != 0)
            md.topic.assign(topic);
        md.partition = msg.partition;
        md.offset = msg.offset;
        std::tie(md.time, md.time_type) = timestamp_of(&msg);
        md.persisted = rd_kafka_message_status(&msg) == RD_KAFKA_MSG_STATUS_PERSISTED;
        std::forward<F>(f)(static_cast<const record_metadata&>(md));
    }

  private:
    record_metadata md_;
    bool in_use_ = false;
};

/// Calls `Handler(std::error_code, const record_metadata&)`.
template <class Handler>
class callback_delivery final : public delivery_op {
  public:
    explicit callback_delivery(Handler handler) : handler_(std::move(handler)) {}
    bool complete(std::error_code ec, const rd_kafka_message_t& msg) override {
        reused_metadata::with(msg, [&](const record_metadata& md) { handler_(ec, md); });
        return true;
    }

  private:
    Handler handler_;
};

/// Why a send was not handed to librdkafka; empty when it was. Not an error_info: a send that
/// succeeds, the common case, then builds no error_code and no string (that was a tenth of a
/// send's own cost, docs/performance.md).
using send_refusal = std::optional<error_info>;

/// Everything send() knows about one message once its key and value are bytes.
struct outgoing_message {
    const std::string& topic;
    std::int32_t partition = any_partition;
    const payload& key;
    const payload& value;  ///< from delivery_op::keep(), so owned bytes outlive the call
    const kflow::headers& headers;
    std::optional<timestamp> time;
};

class producer_core : public client_core {
  public:
    KFLOW_DECL explicit producer_core(const producer_config& cfg);

    KFLOW_DECL ~producer_core() override;

    /// Enqueues one message. On success the op is owned by librdkafka until its delivery report;
    /// on failure the op is destroyed here and its handler never runs.
    [[nodiscard]] send_refusal produce(outgoing_message&& msg, std::unique_ptr<delivery_op> op) {
        return produce(std::move(msg), op, queue_full_);
    }

    /// As above with an explicit queue-full policy (the async layer never blocks: it passes
    /// queue_full_policy::fail and waits for room itself). On failure `op` is left intact.
    [[nodiscard]] send_refusal produce(outgoing_message&& msg, std::unique_ptr<delivery_op>& op,
                                       queue_full_policy queue_full) {
        // The common send (an open producer, no headers) goes to librdkafka from here, inline.
        // Everything else, and every refusal, takes produce_checked(): a refusal is rare, so
        // that path simply tries again, and says why librdkafka refused.
        if (closed_ || security_failed() || msg.topic.empty() || !msg.headers.empty())
            [[unlikely]] {
            return refusal_of(produce_checked(std::move(msg), op, queue_full));
        }
        rd_kafka_topic_t* topic = topics_.find(native(), msg.topic);
        if (topic == nullptr) [[unlikely]]
            return refusal_of(produce_checked(std::move(msg), op, queue_full));
        rd_kafka_vu_t vus[max_fields];
        const std::size_t n = describe(msg, topic, op.get(), vus);
        in_flight_.fetch_add(1, std::memory_order_relaxed);  // the report may come at once
        if (rd_kafka_error_t* failure = rd_kafka_produceva(native(), vus, n)) [[unlikely]] {
            in_flight_.fetch_sub(1, std::memory_order_relaxed);
            rd_kafka_error_destroy(failure);
            return refusal_of(produce_checked(std::move(msg), op, queue_full));
        }
        (void)op.release();  // librdkafka's until the delivery report
        return std::nullopt;
    }

    /// Serves the main queue for up to `timeout`, as client_core::serve() does, and purges what
    /// is queued once a security failure became final.
    int serve(std::chrono::milliseconds timeout) {
        const int served = client_core::serve(timeout);
        if (security_failed()) [[unlikely]] {
            const int purged = purge_after_security_failure();
            callback_errors().rethrow_if_any();
            return served + purged;
        }
        return served;
    }

    /// After a security failure became final (security_failure_policy::fail): purges every
    /// queued and in-flight message, once, and serves their delivery reports, which carry the
    /// failure. Returns the number of events served; the caller rethrows what a callback threw.
    KFLOW_DECL int purge_after_security_failure();

    /// Waits for every outstanding delivery report; errc::timed_out if some are still pending,
    /// the security failure's code if one became final meanwhile (see security_failure()).
    [[nodiscard]] KFLOW_DECL std::error_code flush(std::chrono::milliseconds timeout);

    /// Messages handed to librdkafka whose delivery report has not been served yet.
    [[nodiscard]] std::size_t in_flight() const noexcept {
        return in_flight_.load(std::memory_order_relaxed);
    }

    /// Flushes for up to `timeout`, then purges what is left (each purged message's delivery
    /// handler runs with an error), and stops accepting messages. Returns how many messages
    /// were not delivered.
    KFLOW_DECL std::size_t close(std::chrono::milliseconds timeout);

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

    // -- Transactions (docs/transactions.md) ---------------------------------------------
    // Each call is librdkafka's, with its rd_kafka_error_t turned into an error_info that keeps
    // the classification (fatal, retriable, txn_requires_abort) and says which call failed.

    /// True when the config set a transactional.id.
    [[nodiscard]] bool transactional() const noexcept { return transactional_; }
    /// The config's init_transactions_timeout (zero: the application calls it).
    [[nodiscard]] std::chrono::milliseconds init_transactions_timeout() const noexcept {
        return init_transactions_timeout_;
    }
    [[nodiscard]] KFLOW_DECL error_info init_transactions(std::chrono::milliseconds timeout);
    [[nodiscard]] KFLOW_DECL error_info begin_transaction();
    [[nodiscard]] KFLOW_DECL error_info commit_transaction(std::chrono::milliseconds timeout);
    [[nodiscard]] KFLOW_DECL error_info abort_transaction(std::chrono::milliseconds timeout);
    [[nodiscard]] KFLOW_DECL error_info send_offsets_to_transaction(
        const std::vector<topic_partition_offset>& offsets,
        const rd_kafka_consumer_group_metadata_t* group, std::chrono::milliseconds timeout);

    /// How long close() serves the reports of purged messages after its timeout.
    static constexpr std::chrono::milliseconds purge_grace{1000};

  private:
    KFLOW_DECL static conf_handle prepare(const producer_config& cfg, producer_core* self);

    /// The most fields describe() writes: topic, value, flags, opaque, key, partition,
    /// timestamp, headers.
    static constexpr std::size_t max_fields = 8;

    /// Writes `msg`'s fields for rd_kafka_produceva into `vus` (max_fields of them), with its
    /// topic as the handle `topic` (by name when null) and its headers as `native_headers`
    /// (none when null). Returns how many it wrote.
    static std::size_t describe(const outgoing_message& msg, rd_kafka_topic_t* topic,
                                delivery_op* op, rd_kafka_vu_t* vus,
                                rd_kafka_headers_t* native_headers = nullptr) noexcept {
        // The fields every message has come first, at fixed places; the optional ones follow.
        if (topic != nullptr) {
            vus[0].vtype = RD_KAFKA_VTYPE_RKT;
            vus[0].u.rkt = topic;
        } else {
            vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
            vus[0].u.cstr = msg.topic.c_str();
        }
        vus[1].vtype = RD_KAFKA_VTYPE_VALUE;
        vus[1].u.mem.ptr = const_cast<void*>(msg.value.data());
        vus[1].u.mem.size = msg.value.size();
        // Owned bytes stay with the op until the delivery report: no copy. Borrowed bytes are
        // only valid during the send call, so librdkafka copies them.
        vus[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
        vus[2].u.i = msg.value.is_borrowed() ? RD_KAFKA_MSG_F_COPY : 0;
        vus[3].vtype = RD_KAFKA_VTYPE_OPAQUE;
        vus[3].u.ptr = op;
        std::size_t n = 4;
        if (!msg.key.is_null()) {
            vus[n].vtype = RD_KAFKA_VTYPE_KEY;  // librdkafka always copies the key
            vus[n].u.mem.ptr = const_cast<void*>(msg.key.data());
            vus[n++].u.mem.size = msg.key.size();
        }
        if (msg.partition != any_partition) {
            vus[n].vtype = RD_KAFKA_VTYPE_PARTITION;
            vus[n++].u.i32 = msg.partition;
        }
        if (msg.time) {
            vus[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
            vus[n++].u.i64 = msg.time->time_since_epoch().count();
        }
        if (native_headers != nullptr) {
            vus[n].vtype = RD_KAFKA_VTYPE_HEADERS;
            vus[n++].u.headers = native_headers;
        }
        return n;
    }

    static send_refusal refusal_of(error_info err) {
        if (!err)
            return std::nullopt;
        return err;
    }

    /// produce() with every check, waiting for room under queue_full_policy::wait, and the
    /// error librdkafka's refusal means.
    [[nodiscard]] KFLOW_DECL error_info produce_checked(outgoing_message&& msg,
                                                        std::unique_ptr<delivery_op>& op,
                                                        queue_full_policy queue_full);

    /// Where a transactional producer stands, for the message of a send librdkafka refuses.
    enum class txn_state : unsigned char { uninitialized, ready, in_transaction };

    /// Turns librdkafka's refusal of a send outside a transaction (its generic _STATE) into a
    /// message that says what to call.
    [[nodiscard]] KFLOW_DECL error_info explain_refused_send(error_info err,
                                                             const std::string& topic) const;
    [[nodiscard]] KFLOW_DECL error_info txn_call(const char* what, rd_kafka_error_t* error,
                                                 txn_state on_success);

    KFLOW_DECL static void on_delivery_trampoline(rd_kafka_t*, const rd_kafka_message_t* msg,
                                                  void* opaque);

    KFLOW_DECL static std::int32_t on_partition_trampoline(const rd_kafka_topic_t* rkt,
                                                           const void* key, std::size_t key_size,
                                                           std::int32_t partition_count,
                                                           void* topic_opaque, void* msg_opaque);

    topic_handles topics_;  // released by the destructor before the client is destroyed
    partitioner_function partitioner_;
    queue_full_policy queue_full_;
    std::chrono::milliseconds queue_full_timeout_;
    std::chrono::milliseconds close_timeout_;
    std::chrono::milliseconds init_transactions_timeout_;
    bool transactional_;
    // Atomic: sends read it on any thread while the transactional calls change it.
    std::atomic<txn_state> txn_state_{txn_state::uninitialized};
    std::atomic<std::size_t> in_flight_{0};
    // Atomic: the async layer closes on its strand while sends start on any thread.
    std::atomic<bool> closed_{false};
};

}  // namespace kflow::detail

#if !defined(KFLOW_SEPARATE_COMPILATION)
#include <kflow/detail/impl/producer_core.ipp>
#endif
