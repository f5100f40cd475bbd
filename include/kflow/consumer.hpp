#pragma once
// consumer<K, V>: typed, synchronous-API Kafka consumer.
//
// poll() returns typed records; a record whose key or value cannot be deserialized is thrown as
// deserialization_error (with its raw bytes), its partition's commit position is held at it until
// mark_handled(), and the records after it keep coming. Offsets are stored only for records the
// application has handled (see consumer_config.hpp), so auto-commit is at-least-once.
// For co_await / completion tokens, see kflow/async_consumer.hpp.
//
// Thread safety: one thread at a time. Rebalance listeners run inside poll() on that thread.

#include <kflow/consumer_group_metadata.hpp>
#include <kflow/detail/client_access.hpp>
#include <kflow/detail/codec_checks.hpp>
#include <kflow/detail/consumer_core.hpp>
#include <kflow/detail/record_decoder.hpp>
#include <kflow/record.hpp>
#include <kflow/serde.hpp>

#include <concepts>
#include <functional>
#include <memory>
#include <optional>

namespace kflow {

/// A Kafka consumer with a synchronous API and typed records: keys and values are
/// deserialized by `KeySerde` and `ValueSerde` (serde<K> and serde<V> unless given).
///
/// At-least-once: an offset is stored, and so committed, only for records the application has
/// handled: a record counts as handled once the application polls again, commits or closes.
/// Every operation that can fail comes in two forms: one throws kafka_error, the other (its
/// last parameter an error_info&) sets the code, message and classification there instead.
/// After close() or a move they fail with errc::closed. Use a consumer from one thread at a time:
/// rebalance listeners, commit callbacks and the config's callbacks run on that thread, inside
/// poll(), poll_batch(), a commit or close(). For completion tokens, see async_consumer.
template <class K, class V, class KeySerde = serde<K>, class ValueSerde = serde<V>>
class consumer {
    static_assert(detail::check_deserializers<K, V, KeySerde, ValueSerde>());

  public:
    using key_type = K;                         ///< the type keys are deserialized to
    using value_type = V;                       ///< the type values are deserialized to
    using record_type = consumer_record<K, V>;  ///< what poll() and poll_batch() return
    using ms = std::chrono::milliseconds;       ///< the unit of every timeout
    /// void(std::error_code, const std::vector<topic_partition_offset>&): how an asynchronous
    /// commit ended, and the offsets as the broker answered them (each with its own error).
    using commit_callback =
        std::function<void(std::error_code, const std::vector<topic_partition_offset>&)>;

    /// Creates the librdkafka consumer; it reads nothing before subscribe() or assign().
    /// Throws kafka_error with errc::invalid_config when `config` has no group id or
    /// librdkafka rejects the configuration.
    explicit consumer(const consumer_config& config, KeySerde key_serde = {},
                      ValueSerde value_serde = {})
        : core_(std::make_shared<detail::consumer_core>(config)),
          key_serde_(std::move(key_serde)),
          value_serde_(std::move(value_serde)) {}

    /// A moved-from consumer is empty: valid() is false and every operation fails with
    /// errc::closed (kafka_error, or the error_info of the non-throwing forms).
    consumer(consumer&&) noexcept = default;
    /// Closes and destroys the client this consumer held (bounded by its close_timeout), then
    /// takes over `other`'s, leaving `other` empty.
    consumer& operator=(consumer&&) noexcept = default;
    /// Closes within the configured close_timeout (see close()). The close runs here, while the
    /// consumer is whole, so a rebalance listener that commits through it still can.
    ~consumer() {
        if (core_ && !core_->closed())
            detail::guarded(core_->callback_errors(),
                            [&] { (void)core_->close(core_->close_timeout()); });
    }

    // -- Subscription and assignment ----------------------------------------------------------

    /// Joins the group for these topics; names starting with '^' are regular expressions.
    void subscribe(const std::vector<std::string>& topics, rebalance_listener listener = {}) {
        raise_if(live().subscribe(topics, std::move(listener)));
    }
    /// As subscribe(topics, listener), reporting a failure through `err` instead of throwing.
    void subscribe(const std::vector<std::string>& topics, rebalance_listener listener,
                   error_info& err) {
        err = core_ ? core_->subscribe(topics, std::move(listener)) : moved_from();
    }
    /// Leaves the subscription: stores the offsets of handled records, then the group revokes
    /// the partitions (the listener hears of it in a later poll()). No records arrive until
    /// the next subscribe() or assign().
    void unsubscribe() { raise_if(live().unsubscribe()); }
    /// As unsubscribe(), reporting a failure through `err` instead of throwing.
    void unsubscribe(error_info& err) { err = core_ ? core_->unsubscribe() : moved_from(); }
    /// The topic names and patterns of the current subscription; empty when there is none or
    /// the consumer is closed.
    [[nodiscard]] std::vector<std::string> subscription() const { return live().subscription(); }

    /// Reads these partitions without group management, from each given offset
    /// (offsets::stored, offsets::beginning, offsets::end or an absolute offset).
    void assign(const std::vector<topic_partition_offset>& partitions) {
        raise_if(live().assign(partitions));
    }
    /// As assign(partitions), reporting a failure through `err` instead of throwing.
    void assign(const std::vector<topic_partition_offset>& partitions, error_info& err) {
        err = core_ ? core_->assign(partitions) : moved_from();
    }
    /// Drops every partition of the manual assignment, after storing the offsets of handled
    /// records; nothing is read until the next assign() or subscribe().
    void unassign() { raise_if(live().assign({})); }
    /// As unassign(), reporting a failure through `err` instead of throwing.
    void unassign(error_info& err) { assign({}, err); }
    /// The partitions assigned now, by the group or by assign(); empty after close().
    [[nodiscard]] std::vector<topic_partition> assignment() const { return live().assignment(); }

    // -- Reading ------------------------------------------------------------------------------

    /// The next record, or std::nullopt when none arrived within `timeout`. Throws
    /// deserialization_error for a record that cannot be deserialized.
    [[nodiscard]] std::optional<record_type> poll(ms timeout) {
        // poll_batch(1) without its vector: the record is decoded where it is returned.
        auto& msgs = fetched_;
        const release_on_exit release_messages{msgs};
        live().fetch(msgs, 1, timeout);
        std::optional<record_type> out;
        if (msgs.empty())
            return out;
        std::optional<deserialization_failure> failure;
        if (detail::decode_into(key_serde_, value_serde_, *msgs[0], out.emplace(), failure)) {
            core_->handed(*msgs[0]);
            detail::adopt_message(*out, msgs[0], core_);
            return out;
        }
        detail::mark_handed(*core_, *msgs[0], true);
        last_failure_ = std::make_shared<const deserialization_failure>(std::move(*failure));
        throw deserialization_error(*last_failure_);
    }
    /// As poll(timeout), reporting a failure through `err` instead of throwing. A record that
    /// cannot be deserialized sets errc::deserialization_failed (or unexpected_null); the record
    /// with its raw bytes is then last_failure().
    [[nodiscard]] std::optional<record_type> poll(ms timeout, error_info& err) {
        err = {};
        try {
            return poll(timeout);
        } catch (const kafka_error& e) {
            err = {e.code(), e.what(), e.flags()};
        }
        return std::nullopt;
    }

    /// Up to `max` records within `timeout`. A batch ends before a record that cannot be
    /// deserialized: the next call throws deserialization_error for it, then goes on.
    [[nodiscard]] std::vector<record_type> poll_batch(std::size_t max, ms timeout) {
        auto& msgs = fetched_;
        const release_on_exit release_messages{msgs};
        live().fetch(msgs, max, timeout);
        std::vector<record_type> out;
        out.reserve(msgs.size());
        std::optional<deserialization_failure> failure;
        const rd_kafka_topic_t* previous_topic = nullptr;
        for (std::size_t i = 0; i < msgs.size(); ++i) {
            // Decoded in place: a record is never moved between librdkafka and the caller. The
            // records before this one all decoded (a failure ends the batch), so out[i - 1] is
            // msgs[i - 1]'s record (which, if it borrows, holds that message already: hence the
            // topic object remembered).
            const typename record_type::topic_type* same_topic =
                i > 0 && msgs[i]->rkt == previous_topic ? &out[i - 1].topic : nullptr;
            previous_topic = msgs[i]->rkt;
            if (detail::decode_into(key_serde_, value_serde_, *msgs[i], out.emplace_back(), failure,
                                    same_topic)) {
                core_->handed(*msgs[i]);
                detail::adopt_message(out.back(), msgs[i], core_);
                continue;
            }
            out.pop_back();
            detail::mark_handed(*core_, *msgs[i], true);
            if (!out.empty()) {  // hand out what decoded; the failure comes next call
                std::vector<detail::message_handle> rest;
                for (std::size_t j = i; j < msgs.size(); ++j)
                    rest.push_back(std::move(msgs[j]));
                core_->give_back(std::move(rest));
                return out;
            }
            std::vector<detail::message_handle> rest;
            for (std::size_t j = i + 1; j < msgs.size(); ++j)
                rest.push_back(std::move(msgs[j]));
            core_->give_back(std::move(rest));
            last_failure_ = std::make_shared<const deserialization_failure>(std::move(*failure));
            throw deserialization_error(*last_failure_);
        }
        return out;
    }
    /// As poll_batch(max, timeout), reporting a failure through `err` instead of throwing (a
    /// record that cannot be deserialized as poll(timeout, err) does).
    [[nodiscard]] std::vector<record_type> poll_batch(std::size_t max, ms timeout,
                                                      error_info& err) {
        err = {};
        try {
            return poll_batch(max, timeout);
        } catch (const kafka_error& e) {
            err = {e.code(), e.what(), e.flags()};
        }
        return {};
    }

    /// The last record that failed to deserialize in poll() or poll_batch(), with its raw
    /// bytes (null if none did); what the non-throwing forms leave for mark_handled().
    [[nodiscard]] std::shared_ptr<const deserialization_failure> last_failure() const noexcept {
        return last_failure_;
    }

    /// The application is done with a record that failed to deserialize (it stored it aside,
    /// or chose to skip it): its partition's offsets may move past it again.
    void mark_handled(const deserialization_failure& failure) {
        live().release_hold(failure.record.position());
    }

    // -- Commits ------------------------------------------------------------------------------

    /// Commits the offsets of every record handled so far and waits for the broker. After the
    /// config's commit_timeout it throws errc::timed_out; the broker may still apply it.
    void commit() { raise_if(live().commit_handled(false)); }
    /// As commit(), reporting a failure through `err` instead of throwing.
    void commit(error_info& err) { err = core_ ? core_->commit_handled(false) : moved_from(); }
    /// As commit(), without waiting. `done` runs inside a later poll() (or close(), with
    /// errc::closed if the brokers never answered). Without `done`, a failure goes to the
    /// config's on_error, or is thrown by the poll() that learns of it when there is none.
    void commit_async(commit_callback done = {}) {
        raise_if(live().commit_handled(true, std::move(done)));
    }

    /// Commits exactly these offsets (each the next offset to read) and waits.
    void commit(const std::vector<topic_partition_offset>& offsets) {
        raise_if(live().commit_offsets(offsets, false));
    }
    /// As commit(offsets), reporting a failure through `err` instead of throwing.
    void commit(const std::vector<topic_partition_offset>& offsets, error_info& err) {
        err = core_ ? core_->commit_offsets(offsets, false) : moved_from();
    }
    /// As commit(offsets), without waiting; `done` runs as for commit_async(commit_callback).
    void commit_async(const std::vector<topic_partition_offset>& offsets,
                      commit_callback done = {}) {
        raise_if(live().commit_offsets(offsets, true, std::move(done)));
    }

    /// Commits everything up to and including `record` in its partition, and waits.
    /// (Templates so that a braced list, e.g. commit({{"orders", 0, 42}}), always means offsets:
    /// {"orders", 0, 42} would otherwise also build a record whose topic is a substring.)
    template <std::same_as<record_type> R>
    void commit(const R& record) {
        commit({next_offset_after(record)});
    }
    /// As commit(record), reporting a failure through `err` instead of throwing.
    template <std::same_as<record_type> R>
    void commit(const R& record, error_info& err) {
        commit({next_offset_after(record)}, err);
    }
    /// As commit(record), without waiting; `done` runs as for commit_async(commit_callback).
    template <std::same_as<record_type> R>
    void commit_async(const R& record, commit_callback done = {}) {
        commit_async({next_offset_after(record)}, std::move(done));
    }

    /// The group's committed offsets for these partitions.
    [[nodiscard]] std::vector<topic_partition_offset> committed(
        const std::vector<topic_partition>& partitions,
        ms timeout = std::chrono::seconds(10)) const {
        error_info err;
        auto out = committed(partitions, timeout, err);
        raise_if(err);
        return out;
    }
    /// As committed(partitions, timeout), reporting a failure through `err` instead of
    /// throwing.
    [[nodiscard]] std::vector<topic_partition_offset> committed(
        const std::vector<topic_partition>& partitions, ms timeout, error_info& err) const {
        if (!core_) {
            err = moved_from();
            return {};
        }
        return core_->committed(partitions, timeout, err);
    }
    /// The next offset this consumer will read in each partition.
    [[nodiscard]] std::vector<topic_partition_offset> position(
        const std::vector<topic_partition>& partitions) const {
        error_info err;
        auto out = position(partitions, err);
        raise_if(err);
        return out;
    }
    /// As position(partitions), reporting a failure through `err` instead of throwing.
    [[nodiscard]] std::vector<topic_partition_offset> position(
        const std::vector<topic_partition>& partitions, error_info& err) const {
        if (!core_) {
            err = moved_from();
            return {};
        }
        return core_->position(partitions, err);
    }

    // -- Positioning and flow control ---------------------------------------------------------

    /// Makes reading of an assigned partition go on from `to.offset` (an absolute offset,
    /// offsets::beginning or offsets::end), waiting up to `timeout` for librdkafka. Records
    /// already fetched for the partition are dropped. Commits nothing: the stored offset moves
    /// again only once records from the new position are handled.
    void seek(const topic_partition_offset& to, ms timeout = std::chrono::seconds(10)) {
        raise_if(live().seek(to, timeout));
    }
    /// As seek(to, timeout), reporting a failure through `err` instead of throwing.
    void seek(const topic_partition_offset& to, ms timeout, error_info& err) {
        err = core_ ? core_->seek(to, timeout) : moved_from();
    }
    /// Stops fetching from these partitions without giving them up (no rebalance). Records
    /// already fetched for them wait, in order, for resume(). A pause ends when the
    /// partition is revoked.
    void pause(const std::vector<topic_partition>& partitions) {
        raise_if(live().pause(partitions));
    }
    /// As pause(partitions), reporting a failure through `err` instead of throwing.
    void pause(const std::vector<topic_partition>& partitions, error_info& err) {
        err = core_ ? core_->pause(partitions) : moved_from();
    }
    /// Fetches again from paused partitions, starting with the records that waited.
    void resume(const std::vector<topic_partition>& partitions) {
        raise_if(live().resume(partitions));
    }
    /// As resume(partitions), reporting a failure through `err` instead of throwing.
    void resume(const std::vector<topic_partition>& partitions, error_info& err) {
        err = core_ ? core_->resume(partitions) : moved_from();
    }

    /// Asks the leader for a partition's low and high watermarks.
    [[nodiscard]] watermark_offsets watermarks(const topic_partition& tp,
                                               ms timeout = std::chrono::seconds(10)) const {
        error_info err;
        auto w = watermarks(tp, timeout, err);
        raise_if(err);
        return w;
    }
    /// As watermarks(tp, timeout), reporting a failure through `err` instead of throwing.
    [[nodiscard]] watermark_offsets watermarks(const topic_partition& tp, ms timeout,
                                               error_info& err) const {
        if (!core_) {
            err = moved_from();
            return {};
        }
        return core_->query_watermarks(tp, timeout, err);
    }
    /// The watermarks from the latest fetch response, without a request.
    [[nodiscard]] watermark_offsets cached_watermarks(const topic_partition& tp) const {
        error_info err;
        auto w = cached_watermarks(tp, err);
        raise_if(err);
        return w;
    }
    /// As cached_watermarks(tp), reporting a failure through `err` instead of throwing.
    [[nodiscard]] watermark_offsets cached_watermarks(const topic_partition& tp,
                                                      error_info& err) const {
        if (!core_) {
            err = moved_from();
            return {};
        }
        return core_->cached_watermarks(tp, err);
    }
    /// For each partition, the earliest offset whose timestamp is at or after `time`.
    [[nodiscard]] std::vector<topic_partition_offset> offsets_for_times(
        const std::vector<topic_partition>& partitions, timestamp time,
        ms timeout = std::chrono::seconds(10)) const {
        error_info err;
        auto out = offsets_for_times(partitions, time, timeout, err);
        raise_if(err);
        return out;
    }
    /// As offsets_for_times(partitions, time, timeout), reporting a failure through `err`
    /// instead of throwing.
    [[nodiscard]] std::vector<topic_partition_offset> offsets_for_times(
        const std::vector<topic_partition>& partitions, timestamp time, ms timeout,
        error_info& err) const {
        if (!core_) {
            err = moved_from();
            return {};
        }
        std::vector<topic_partition_offset> query;
        query.reserve(partitions.size());
        for (const auto& p : partitions) {
            query.push_back({p.topic, p.partition, time.time_since_epoch().count()});
        }
        return core_->offsets_for_times(query, timeout, err);
    }

    // -- Lifetime -----------------------------------------------------------------------------

    /// Commits what was handled (with auto-commit on), leaves the group and stops; bounded by
    /// `timeout` even when the brokers are gone (then it reports errc::timed_out).
    void close(ms timeout) { raise_if(live().close(timeout)); }
    /// close(ms) with the config's close_timeout (10 s by default).
    void close() { close(live().close_timeout()); }
    /// As close(timeout), reporting a failure through `err` instead of throwing; an exception
    /// that a rebalance listener or callback threw during the close is still rethrown.
    void close(ms timeout, error_info& err) { err = core_ ? core_->close(timeout) : moved_from(); }
    /// As close(), reporting a failure through `err` instead of throwing; an exception that a
    /// rebalance listener or callback threw during the close is still rethrown.
    void close(error_info& err) {
        err = core_ ? core_->close(core_->close_timeout()) : moved_from();
    }

    /// False for a moved-from consumer.
    [[nodiscard]] bool valid() const noexcept { return core_ != nullptr; }
    /// librdkafka's name for this client (client.id and an instance suffix, e.g.
    /// `rdkafka#consumer-1`), as it appears in logs and statistics.
    [[nodiscard]] std::string name() const { return live().name(); }
    /// The group's rebalance protocol: "EAGER", "COOPERATIVE" (cooperative-sticky assignment)
    /// or "NONE" while the consumer is not in a group.
    [[nodiscard]] std::string rebalance_protocol() const { return live().rebalance_protocol(); }
    /// This member's group metadata (group id, generation, member id) as of now, for a
    /// transactional producer's send_offsets_to_transaction(). Take it when sending the offsets
    /// (after a rebalance the old one is refused).
    [[nodiscard]] consumer_group_metadata group_metadata() const {
        return consumer_group_metadata(rd_kafka_consumer_group_metadata(live().native()));
    }
    /// The librdkafka handle, for calls kflow does not wrap; null for a moved-from consumer.
    /// The consumer owns it: never destroy it, and never poll its queues, which would take
    /// records past kflow's offset bookkeeping.
    [[nodiscard]] rd_kafka_t* native_handle() const noexcept {
        return core_ ? core_->native() : nullptr;
    }

  private:
    friend struct detail::client_access;

    /// The core, or errc::closed for a moved-from consumer (a defined state, not a crash).
    [[nodiscard]] detail::consumer_core& live() const {
        if (!core_)
            moved_from().raise({});
        return *core_;
    }
    static error_info moved_from() {
        return {make_error_code(errc::closed), "consumer: used after being moved from", {}};
    }

    static topic_partition_offset next_offset_after(const record_type& r) {
        return {std::string(r.topic), r.partition, r.offset + 1};
    }

    static void raise_if(const error_info& err) {
        if (err)
            err.raise({});
    }

    /// Shared with the records of a borrowing consumer (record_storage), which must not outlive
    /// the rd_kafka_t their messages came from.
    std::shared_ptr<detail::consumer_core> core_;
    /// The messages go back to librdkafka on every way out of a poll; the vector's storage
    /// stays for the next one.
    struct release_on_exit {
        std::vector<detail::message_handle>& messages;
        ~release_on_exit() { messages.clear(); }
    };

    /// poll()'s and poll_batch()'s messages from librdkafka: kept so that storage is reused.
    /// Declared after core_, so destroyed before it (messages must not outlive their client).
    std::vector<detail::message_handle> fetched_;
    std::shared_ptr<const deserialization_failure> last_failure_;
    [[no_unique_address]] KeySerde key_serde_;
    [[no_unique_address]] ValueSerde value_serde_;
};

}  // namespace kflow
