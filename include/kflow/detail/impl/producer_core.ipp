#pragma once
// The out-of-line members of producer_core: creation, sending, flush, close and the trampolines.
// kflow/detail/producer_core.hpp includes this file at its end in header-only mode; with
// KFLOW_SEPARATE_COMPILATION only kflow/src.hpp does (see kflow/detail/config.hpp).

#include <kflow/detail/producer_core.hpp>

namespace kflow::detail {

producer_core::producer_core(const producer_config& cfg)
    : client_core(RD_KAFKA_PRODUCER, prepare(cfg, this), cfg.callbacks()),
      partitioner_(cfg.custom_partitioner()),
      queue_full_(cfg.queue_full()),
      queue_full_timeout_(cfg.queue_full_timeout()),
      close_timeout_(cfg.close_timeout()),
      init_transactions_timeout_(cfg.init_transactions_timeout()),
      transactional_(cfg.contains("transactional.id")) {}

producer_core::~producer_core() {
    // Outstanding ops reference this object and own bytes: resolve them before destroying.
    if (!closed_) {
        guarded(callback_errors(), [&] { (void)close(close_timeout_); });
    }
    topics_.release();
    handle().reset();
}

error_info producer_core::produce_checked(outgoing_message&& msg, std::unique_ptr<delivery_op>& op,
                                          queue_full_policy queue_full) {
    if (closed_)
        return {make_error_code(errc::closed), "producer is closed", {}};
    if (security_failed()) [[unlikely]] {
        auto failure = security_failure();
        failure.message = "cannot send to '" + msg.topic + "': " + failure.message;
        return failure;
    }
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
    headers_handle native_headers = to_native(msg.headers);

    // Built once: librdkafka reads the list and takes nothing from it when a call fails (the
    // headers included: it takes them only when the send succeeds).
    rd_kafka_vu_t vus[max_fields];
    const std::size_t n =
        describe(msg, topics_.find(native(), msg.topic), op.get(), vus, native_headers.get());

    // Only a full queue needs the clock: reading it on every send is a measurable share of
    // a send's cost (see docs/performance.md).
    std::optional<std::chrono::steady_clock::time_point> deadline;
    for (;;) {
        // Counted before the call: the report may be served on another thread at once.
        in_flight_.fetch_add(1, std::memory_order_relaxed);
        rd_kafka_error_t* failure = rd_kafka_produceva(native(), vus, n);
        if (failure == nullptr) [[likely]] {
            (void)native_headers.release();
            (void)op.release();
            return {};
        }
        in_flight_.fetch_sub(1, std::memory_order_relaxed);
        error_info err = error_info::adopt(failure);
        if (err.code != make_error_code(RD_KAFKA_RESP_ERR__QUEUE_FULL)) {
            if (transactional_ && err.code == make_error_code(RD_KAFKA_RESP_ERR__STATE))
                return explain_refused_send(std::move(err), msg.topic);
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
        if (security_failed()) [[unlikely]] {
            auto failure = security_failure();
            failure.message = "cannot send to '" + msg.topic + "': " + failure.message;
            return failure;
        }
    }
}

error_info producer_core::explain_refused_send(error_info err, const std::string& topic) const {
    switch (txn_state_.load(std::memory_order_relaxed)) {
        case txn_state::uninitialized:
            err.message = "cannot send to '" + topic +
                          "': send outside a transaction: call init_transactions() and "
                          "begin_transaction() first";
            break;
        case txn_state::ready:
            err.message = "cannot send to '" + topic +
                          "': send outside a transaction: call begin_transaction() first";
            break;
        case txn_state::in_transaction:
            // The transaction failed meanwhile (librdkafka's reason says how). librdkafka's
            // refusal carries no flags, so a loop that aborts on txn_requires_abort() alone
            // would retry the send forever: say it, and flag it.
            err.message = "cannot send to '" + topic + "': " + err.message +
                          ": the transaction failed: abort it, then begin a new one";
            err.flags.txn_requires_abort = true;
            break;
    }
    return err;
}

error_info producer_core::txn_call(const char* what, rd_kafka_error_t* error,
                                   txn_state on_success) {
    error_info err = error_info::adopt(error);
    if (!err) {
        txn_state_.store(on_success, std::memory_order_relaxed);
        return err;
    }
    if (err.code == make_error_code(RD_KAFKA_RESP_ERR__NOT_CONFIGURED) && !transactional_) {
        err.message = std::string(what) + ": the producer has no transactional_id";
        return err;
    }
    err.message = std::string(what) + ": " + err.message;
    return err;
}

error_info producer_core::init_transactions(std::chrono::milliseconds timeout) {
    return txn_call("init_transactions",
                    rd_kafka_init_transactions(native(), to_timeout_ms(timeout)), txn_state::ready);
}

error_info producer_core::begin_transaction() {
    return txn_call("begin_transaction", rd_kafka_begin_transaction(native()),
                    txn_state::in_transaction);
}

error_info producer_core::commit_transaction(std::chrono::milliseconds timeout) {
    // librdkafka flushes first, serving delivery reports on this thread: rethrow what a
    // callback threw, as flush() does.
    error_info err =
        txn_call("commit_transaction",
                 rd_kafka_commit_transaction(native(), to_timeout_ms(timeout)), txn_state::ready);
    callback_errors().rethrow_if_any();
    return err;
}

error_info producer_core::abort_transaction(std::chrono::milliseconds timeout) {
    // Purged records get their delivery reports (with an error) on this thread.
    error_info err =
        txn_call("abort_transaction", rd_kafka_abort_transaction(native(), to_timeout_ms(timeout)),
                 txn_state::ready);
    callback_errors().rethrow_if_any();
    return err;
}

error_info producer_core::send_offsets_to_transaction(
    const std::vector<topic_partition_offset>& offsets,
    const rd_kafka_consumer_group_metadata_t* group, std::chrono::milliseconds timeout) {
    if (group == nullptr) {
        return {make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG),
                "send_offsets_to_transaction: the consumer group metadata is empty",
                {}};
    }
    const partition_list_handle list = to_native(offsets);
    return txn_call(
        "send_offsets_to_transaction",
        rd_kafka_send_offsets_to_transaction(native(), list.get(), group, to_timeout_ms(timeout)),
        txn_state::in_transaction);
}

int producer_core::purge_after_security_failure() {
    if (!take_purge_request())
        return 0;
    // rd_kafka_purge returns once the broker threads failed what they held: the reports are
    // queued by then, and one poll serves them.
    rd_kafka_purge(native(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    return rd_kafka_poll(native(), 0);  // the caller rethrows what a callback threw
}

std::error_code producer_core::flush(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        // A security failure yields the flush (see client_core::on_error_trampoline).
        const auto err =
            rd_kafka_flush(native(), to_timeout_ms(std::max(left, std::chrono::milliseconds(0))));
        callback_errors().rethrow_if_any();
        if (security_failed()) [[unlikely]] {
            (void)purge_after_security_failure();
            callback_errors().rethrow_if_any();
            return security_failure().code;
        }
        if (err != RD_KAFKA_RESP_ERR__TIMED_OUT)
            return make_error_code(err);
        if (in_flight() == 0)
            return {};  // yielded by something else just as the last report was served
        if (std::chrono::steady_clock::now() >= deadline)
            return make_error_code(errc::timed_out);
    }
}

std::size_t producer_core::close(std::chrono::milliseconds timeout) {
    return close(timeout, [this](int ms) { (void)rd_kafka_flush(native(), ms); });
}

conf_handle producer_core::prepare(const producer_config& cfg, producer_core* self) {
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

void producer_core::on_delivery_trampoline(rd_kafka_t*, const rd_kafka_message_t* msg,
                                           void* opaque) {
    auto& self = static_cast<producer_core&>(from_opaque(opaque));
    std::unique_ptr<delivery_op> op(static_cast<delivery_op*>(msg->_private));
    self.in_flight_.fetch_sub(1, std::memory_order_relaxed);
    bool finished = true;
    std::error_code ec = make_error_code(msg->err);
    if (msg->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || msg->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
        [[unlikely]] {
        // Purged because of a failure that ends the client: its record says which.
        if (self.security_failed()) {
            ec = self.security_failure().code;
        } else if (const auto fatal = rd_kafka_fatal_error(self.native(), nullptr, 0)) {
            ec = make_error_code(fatal);
        }
    }
    if (auto* observer = self.callbacks().observer.get()) [[unlikely]] {
        guarded(self.callback_errors(), [&] {
            const auto latency = rd_kafka_message_latency(msg);  // µs; -1 when unknown
            observer->on_delivered(
                {rd_kafka_name(self.native()),
                 msg->rkt != nullptr ? rd_kafka_topic_name(msg->rkt) : "", msg->partition,
                 std::chrono::microseconds(std::max<std::int64_t>(latency, 0)), ec});
        });
    }
    guarded(self.callback_errors(), [&] { finished = op->complete(ec, *msg); });
    if (!finished)
        (void)op.release();
}

std::int32_t producer_core::on_partition_trampoline(const rd_kafka_topic_t* rkt, const void* key,
                                                    std::size_t key_size,
                                                    std::int32_t partition_count,
                                                    void* topic_opaque, void* msg_opaque) {
    auto* self = static_cast<producer_core*>(topic_opaque);
    try {
        return self->partitioner_(rd_kafka_topic_name(rkt),
                                  {static_cast<const std::byte*>(key), key_size}, partition_count);
    } catch (...) {
        self->callback_errors().capture(std::current_exception());
        return rd_kafka_msg_partitioner_consistent_random(rkt, key, key_size, partition_count,
                                                          topic_opaque, msg_opaque);
    }
}

}  // namespace kflow::detail
