#pragma once
// async_consumer<K, V>: the consumer with Asio completion tokens.
//
//   kflow::async_consumer<std::string, order> consumer(io.get_executor(), config);
//   consumer.subscribe({"orders"});
//   for (;;) {
//       auto record = co_await consumer.async_receive();
//       handle(record);
//   }
//
// Records, rebalances and commit results wake the executor through librdkafka's queue events
// (detail/queue_bridge.hpp): no polling thread, no timer, no busy loop. Handlers run on their
// associated executor (or the consumer's), never on a librdkafka thread. Offsets follow the same
// at-least-once rule as consumer<K, V>: a record counts as handled once the application asks for
// the next one, commits, or closes.
//
// Everything the synchronous consumer does, it does too, under the same names: what answers at
// once (pause, resume, position, assign, ...) as a plain call, what waits for a broker
// (committed offsets, watermarks, offsets for times, seek) as an async_* operation. librdkafka
// 2.0.2 offers those requests only as blocking calls, so each runs on a short-lived thread of
// its own, bounded by its timeout, and completes on the handler's executor.
//
// Thread safety: start operations from one thread or strand at a time (the usual Asio rule for
// an I/O object); completions may run on any thread of a multi-threaded io_context. The plain
// calls exclude the consumer's own work on its strand, so they may be made while operations are
// pending. Several receives may be pending at once; records then go to them in the order they
// were started. last_failure() may be read from any thread. Destruction must not race with
// starting operations.
//
// Lifetime: operations hold the consumer's shared state, so an operation made with
// asio::deferred may be launched after the consumer was moved. The consumer must still be alive
// while operations are pending: destroying it abandons them (their handlers are destroyed
// without being called, which ends a waiting coroutine); a query running on its own thread
// still completes.

#include <kflow/consumer.hpp>
#include <kflow/detail/async_consumer_ops.hpp>
#include <kflow/detail/codec_checks.hpp>
#include <kflow/detail/released_on_launch.hpp>
#include <kflow/metrics/statistics_feed.hpp>
#include <kflow/use_awaitable.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>

namespace kflow {

namespace asio = boost::asio;

/// A Kafka consumer whose receives, commits, rebalance events and close complete through Asio
/// completion tokens (kflow::use_awaitable by default; asio::deferred, callbacks and futures
/// work too). Keys and values are deserialized by `KeySerde` and `ValueSerde`.
///
/// librdkafka's queues wake the executor themselves: there is no polling thread or timer.
/// Handlers run on their associated executor (the consumer's when they have none), never on a
/// librdkafka thread. At-least-once, as with consumer: a record counts as handled once the
/// application receives again, commits or closes, and only handled records are committed.
/// Start operations from one thread or strand at a time; several receives may be pending and
/// get records in the order they were started. The consumer must outlive its pending
/// operations: destroying it destroys their handlers without calling them.
template <class K, class V, class KeySerde = serde<K>, class ValueSerde = serde<V>>
class async_consumer {
    static_assert(detail::check_deserializers<K, V, KeySerde, ValueSerde>());

  public:
    /// The executor that completes handlers without an associated executor of their own.
    using executor_type = asio::any_io_executor;
    using key_type = K;                         ///< the type keys are deserialized to
    using value_type = V;                       ///< the type values are deserialized to
    using record_type = consumer_record<K, V>;  ///< what async_receive() completes with
    /// How async_receive() completes: with the next record, or with an error and a
    /// default-constructed record.
    using receive_signature = void(boost::system::error_code, record_type);
    /// How async_receive_batch() completes: with 1..max records, or with an error and none.
    using batch_signature = void(boost::system::error_code, std::vector<record_type>);
    /// How async_commit() completes: empty when the broker accepted every offset, else the
    /// request's error or that of the first partition it rejected.
    using commit_signature = void(boost::system::error_code);
    /// How async_rebalance() completes: with the next rebalance event, or with an error.
    using rebalance_signature = void(boost::system::error_code, rebalance_event);
    /// How async_close() completes: empty after a clean close, errc::timed_out when it gave up,
    /// or the error of the final commit.
    using close_signature = void(boost::system::error_code);
    /// How async_seek() completes: empty once the fetcher moved, else the error.
    using done_signature = void(boost::system::error_code);
    /// How async_committed() and async_offsets_for_times() complete: an offset per partition
    /// asked for, or an error and none.
    using offsets_signature = void(boost::system::error_code, std::vector<topic_partition_offset>);
    /// How async_watermarks() completes: the partition's watermarks, or an error.
    using watermarks_signature = void(boost::system::error_code, watermark_offsets);

    /// Creates the consumer on `executor`; nothing is read before subscribe() or assign().
    /// Throws kafka_error with errc::invalid_config when `config` has no group id or
    /// librdkafka rejects the configuration.
    async_consumer(executor_type executor, const consumer_config& config, KeySerde key_serde = {},
                   ValueSerde value_serde = {})
        : service_(detail::async_consumer_service::create(
              executor, detail::with_statistics_feed(config, executor, statistics_))),
          serdes_(
              std::make_shared<const serdes_type>(std::move(key_serde), std::move(value_serde))),
          failures_(std::make_shared<detail::latest_failure>()) {
        if (statistics_) {
            // The client serves its queue only while someone waits: a statistics wait counts.
            std::weak_ptr<detail::async_consumer_service> weak = service_;
            statistics_->on_wait(
                [weak] {
                    if (auto s = weak.lock())
                        s->hold_events();
                },
                [weak] {
                    if (auto s = weak.lock())
                        s->release_events();
                });
        }
    }

    /// Movable: operations (including asio::deferred ones not yet launched) hold the consumer's
    /// shared state, not the consumer, so they keep working after a move.
    async_consumer(async_consumer&&) noexcept = default;
    /// Destroys the consumer held before, as the destructor does, then takes over `other`'s
    /// shared state, leaving `other` empty.
    async_consumer& operator=(async_consumer&&) noexcept = default;
    /// Without async_close(), closes synchronously within the configured close_timeout.
    /// Operations still pending are abandoned: their handlers are destroyed, never called.
    ~async_consumer() = default;

    /// The executor given at construction; an empty one for a moved-from consumer.
    [[nodiscard]] executor_type get_executor() const noexcept {
        return service_ ? service_->executor() : executor_type();
    }

    // -- Subscription and assignment (plain calls: they only talk to librdkafka) ---------------

    /// Joins the group for these topics ('^' starts a regular expression). Rebalances are
    /// handled by librdkafka alone (the offsets of handled records are stored before partitions
    /// go, and auto-commit commits them).
    void subscribe(const std::vector<std::string>& topics) {
        subscribe(topics, rebalance_listener{});
    }
    /// As subscribe(topics), telling `listener` of every assignment, revocation and loss, as the
    /// synchronous consumer does. Its functions run on the consumer's internal strand, inside the
    /// rebalance, before revoked partitions go: they may call this consumer's plain members
    /// (pause, resume, position, assignment, ...) but must not block; to commit before partitions
    /// go, subscribe with kflow::rebalance_events instead.
    void subscribe(const std::vector<std::string>& topics, rebalance_listener listener) {
        raise_if(live()->subscribe(topics, std::move(listener), false));
    }
    /// As subscribe(topics), delivering every assignment, revocation and loss to
    /// async_rebalance(); revoked partitions stay assigned until the application asks for the
    /// next event (or receives again): commit in between.
    void subscribe(const std::vector<std::string>& topics, rebalance_events_t) {
        raise_if(live()->subscribe(topics, {}, true));
    }
    /// Leaves the subscription: stores the offsets of handled records, then the group revokes
    /// the partitions. No records arrive until the next subscribe() or assign().
    void unsubscribe() {
        raise_if(with_core([](detail::consumer_core& c) { return c.unsubscribe(); }));
    }
    /// The topic names and patterns of the current subscription; empty when there is none or
    /// the consumer is closed.
    [[nodiscard]] std::vector<std::string> subscription() const {
        return with_core([](detail::consumer_core& c) { return c.subscription(); });
    }

    /// Reads these partitions without group management, from each given offset
    /// (offsets::stored, offsets::beginning, offsets::end or an absolute offset); an empty
    /// list drops the assignment. Throws kafka_error, with errc::closed once closed.
    void assign(const std::vector<topic_partition_offset>& partitions) {
        raise_if(with_core([&](detail::consumer_core& c) { return c.assign(partitions); }));
    }
    /// Drops every partition of the manual assignment, after storing the offsets of handled
    /// records; nothing is read until the next assign() or subscribe().
    void unassign() { assign({}); }
    /// The partitions assigned now, by the group or by assign(); empty after close.
    [[nodiscard]] std::vector<topic_partition> assignment() const {
        return with_core([](detail::consumer_core& c) { return c.assignment(); });
    }

    // -- Receiving ----------------------------------------------------------------------------

    /// Completes with `(error_code, record_type)`: the next record. A record that cannot be
    /// deserialized completes with errc::deserialization_failed (or unexpected_null):
    /// kflow::use_awaitable throws deserialization_error with the raw bytes; other tokens find
    /// them in last_failure(). Its partition's offset is held at it until mark_handled().
    ///
    /// Cancellation (any type) never loses a record: a receive still waiting completes with
    /// asio::error::operation_aborted having taken nothing; one whose record was already taken
    /// from librdkafka but whose handler had not run yet gives the record back (the next receive
    /// gets it) and completes with operation_aborted too. A record counts as handed to the
    /// application (for commits) only once its handler runs.
    ///
    /// Under kflow::use_awaitable (the default), a record already fetched is handed to the
    /// awaiting coroutine at once, without a trip through the executor: the same record, the
    /// same exceptions, and a coroutine cancelled before it asks takes nothing.
    template <asio::completion_token_for<receive_signature> Token = kflow::use_awaitable_t>
    auto async_receive(Token&& token = kflow::use_awaitable_t{}) {
        if constexpr (std::is_same_v<std::decay_t<Token>, kflow::use_awaitable_t>) {
            return receive_in_coroutine(live(), serdes_, failures_);
        } else {
            return detail::initiate_released<Token, receive_signature>(
                receive_initiation{{live()}, serdes_, failures_}, token);
        }
    }

    /// Completes with `(error_code, std::vector<record_type>)`: 1..max records (all that are
    /// ready, as soon as one is). A batch ends before a record that cannot be deserialized; the
    /// next receive fails with it. `max` 0 completes with std::errc::invalid_argument.
    /// Cancellation as for async_receive.
    template <asio::completion_token_for<batch_signature> Token = kflow::use_awaitable_t>
    auto async_receive_batch(std::size_t max, Token&& token = kflow::use_awaitable_t{}) {
        return detail::initiate_released<Token, batch_signature>(
            batch_initiation{receive_initiation{{live()}, serdes_, failures_}}, token, max);
    }

    /// The last record that failed to deserialize, with its raw bytes (null if none).
    [[nodiscard]] std::shared_ptr<const deserialization_failure> last_failure() const {
        (void)live();  // errc::closed for a moved-from consumer, as every other member
        return failures_->get();
    }
    /// Lets the partition of a failed record move past it again.
    void mark_handled(const deserialization_failure& failure) {
        live()->on_strand(
            [s = live(), at = failure.record.position()] { s->core().release_hold(at); });
    }

    // -- Commits ------------------------------------------------------------------------------

    /// Completes with `(error_code)`: commits the offsets of every record handled so far, through
    /// librdkafka's commit queue, and completes with the broker's answer. Not cancellable: a
    /// commit request, once sent, is answered.
    template <asio::completion_token_for<commit_signature> Token = kflow::use_awaitable_t>
    auto async_commit(Token&& token = kflow::use_awaitable_t{}) {
        return detail::initiate_released<Token, commit_signature>(
            commit_handled_initiation{{live()}}, token);
    }

    /// Commits exactly these offsets (each the next offset to read).
    template <asio::completion_token_for<commit_signature> Token = kflow::use_awaitable_t>
    auto async_commit(const std::vector<topic_partition_offset>& offsets,
                      Token&& token = kflow::use_awaitable_t{}) {
        auto list = std::make_shared<detail::partition_list_handle>(detail::to_native(offsets));
        return detail::initiate_released<Token, commit_signature>(
            commit_offsets_initiation{{live()}, std::move(list)}, token);
    }

    /// Commits everything up to and including `record` in its partition.
    template <asio::completion_token_for<commit_signature> Token = kflow::use_awaitable_t>
    auto async_commit(const record_type& record, Token&& token = kflow::use_awaitable_t{}) {
        return async_commit(
            std::vector<topic_partition_offset>{
                {std::string(record.topic), record.partition, record.offset + 1}},
            std::forward<Token>(token));
    }

    // -- Rebalances ---------------------------------------------------------------------------

    /// Completes with `(error_code, rebalance_event)`: the next rebalance event (subscribe with
    /// rebalance_events = true). Asking for the next event releases partitions held since a
    /// revocation. Cancellation (any type) withdraws the wait (operation_aborted).
    template <asio::completion_token_for<rebalance_signature> Token = kflow::use_awaitable_t>
    auto async_rebalance(Token&& token = kflow::use_awaitable_t{}) {
        return detail::initiate_released<Token, rebalance_signature>(rebalance_initiation{{live()}},
                                                                     token);
    }

    /// Releases partitions held since a revocation now (after committing).
    void finish_rebalance() {
        live()->on_strand([s = live()] { s->finish_held_revocation(); });
    }

    // -- Positions and flow control -----------------------------------------------------------

    /// The next offset this consumer will read in each partition (offsets::invalid before it
    /// read any). Answered locally, without a request.
    [[nodiscard]] std::vector<topic_partition_offset> position(
        const std::vector<topic_partition>& partitions) const {
        return query_now(
            [&](detail::consumer_core& c, error_info& err) { return c.position(partitions, err); });
    }
    /// Stops fetching from these partitions without giving them up (no rebalance). Records
    /// already fetched for them wait, in order, for resume(); a receive already pending when
    /// pause() is called may still complete with one. A pause ends when the partition is revoked.
    void pause(const std::vector<topic_partition>& partitions) {
        raise_if(with_core([&](detail::consumer_core& c) { return c.pause(partitions); }));
    }
    /// Fetches again from paused partitions, starting with the records that waited.
    void resume(const std::vector<topic_partition>& partitions) {
        raise_if(with_core([&](detail::consumer_core& c) { return c.resume(partitions); }));
    }
    /// The watermarks from the latest fetch response, without a request.
    [[nodiscard]] watermark_offsets cached_watermarks(const topic_partition& tp) const {
        return query_now([&](detail::consumer_core& c, error_info& err) {
            return c.cached_watermarks(tp, err);
        });
    }

    /// Completes with `(error_code)` once reading of the assigned partition `to` goes on from
    /// `to.offset` (an absolute offset, offsets::beginning or offsets::end), waiting up to
    /// `timeout` for librdkafka's fetcher to move. Records already fetched for the partition are
    /// dropped; a receive pending meanwhile may still get one from before the seek. Commits
    /// nothing: the stored offset moves again once records from the new position are handled.
    /// Not cancellable: the timeout bounds it.
    template <asio::completion_token_for<done_signature> Token = kflow::use_awaitable_t>
    auto async_seek(const topic_partition_offset& to, std::chrono::milliseconds timeout,
                    Token&& token = kflow::use_awaitable_t{}) {
        return detail::initiate_released<Token, done_signature>(seek_initiation{{live()}}, token,
                                                                to, timeout);
    }
    /// async_seek() waiting up to 10 s.
    template <asio::completion_token_for<done_signature> Token = kflow::use_awaitable_t>
    auto async_seek(const topic_partition_offset& to, Token&& token = kflow::use_awaitable_t{}) {
        return async_seek(to, default_query_timeout, std::forward<Token>(token));
    }

    /// Completes with `(error_code, std::vector<topic_partition_offset>)`: the group's committed
    /// offsets for these partitions (offsets::invalid where none is committed), asked of the
    /// group coordinator within `timeout`. Not cancellable: the timeout bounds it.
    template <asio::completion_token_for<offsets_signature> Token = kflow::use_awaitable_t>
    auto async_committed(const std::vector<topic_partition>& partitions,
                         std::chrono::milliseconds timeout,
                         Token&& token = kflow::use_awaitable_t{}) {
        return detail::initiate_released<Token, offsets_signature>(
            query_initiation<std::vector<topic_partition_offset>>{{live()}, "committed"}, token,
            [partitions, timeout](rd_kafka_t* rk, error_info& err) {
                return detail::query_committed(rk, partitions, timeout, err);
            });
    }
    /// async_committed() waiting up to 10 s.
    template <asio::completion_token_for<offsets_signature> Token = kflow::use_awaitable_t>
    auto async_committed(const std::vector<topic_partition>& partitions,
                         Token&& token = kflow::use_awaitable_t{}) {
        return async_committed(partitions, default_query_timeout, std::forward<Token>(token));
    }

    /// Completes with `(error_code, watermark_offsets)`: a partition's low and high watermarks,
    /// asked of its leader within `timeout`. Not cancellable: the timeout bounds it.
    template <asio::completion_token_for<watermarks_signature> Token = kflow::use_awaitable_t>
    auto async_watermarks(const topic_partition& tp, std::chrono::milliseconds timeout,
                          Token&& token = kflow::use_awaitable_t{}) {
        return detail::initiate_released<Token, watermarks_signature>(
            query_initiation<watermark_offsets>{{live()}, "watermarks"}, token,
            [tp, timeout](rd_kafka_t* rk, error_info& err) {
                return detail::query_watermarks(rk, tp, timeout, err);
            });
    }
    /// async_watermarks() waiting up to 10 s.
    template <asio::completion_token_for<watermarks_signature> Token = kflow::use_awaitable_t>
    auto async_watermarks(const topic_partition& tp, Token&& token = kflow::use_awaitable_t{}) {
        return async_watermarks(tp, default_query_timeout, std::forward<Token>(token));
    }

    /// Completes with `(error_code, std::vector<topic_partition_offset>)`: for each partition,
    /// the earliest offset whose timestamp is at or after `time` (offsets::end when there is
    /// none), asked of the leaders within `timeout`. Not cancellable: the timeout bounds it.
    template <asio::completion_token_for<offsets_signature> Token = kflow::use_awaitable_t>
    auto async_offsets_for_times(const std::vector<topic_partition>& partitions, timestamp time,
                                 std::chrono::milliseconds timeout,
                                 Token&& token = kflow::use_awaitable_t{}) {
        std::vector<topic_partition_offset> query;
        query.reserve(partitions.size());
        for (const auto& p : partitions)
            query.push_back({p.topic, p.partition, time.time_since_epoch().count()});
        return detail::initiate_released<Token, offsets_signature>(
            query_initiation<std::vector<topic_partition_offset>>{{live()}, "offsets for times"},
            token, [query = std::move(query), timeout](rd_kafka_t* rk, error_info& err) {
                return detail::query_offsets_for_times(rk, query, timeout, err);
            });
    }
    /// async_offsets_for_times() waiting up to 10 s.
    template <asio::completion_token_for<offsets_signature> Token = kflow::use_awaitable_t>
    auto async_offsets_for_times(const std::vector<topic_partition>& partitions, timestamp time,
                                 Token&& token = kflow::use_awaitable_t{}) {
        return async_offsets_for_times(partitions, time, default_query_timeout,
                                       std::forward<Token>(token));
    }

    // -- Close --------------------------------------------------------------------------------

    /// Completes with `(error_code)`: commits what was handled (with auto-commit on), leaves the
    /// group; completes within `timeout` even when the brokers are gone (then with
    /// errc::timed_out). Pending receives complete with errc::closed. Not cancellable: the
    /// timeout bounds it.
    template <asio::completion_token_for<close_signature> Token = kflow::use_awaitable_t>
    auto async_close(std::chrono::milliseconds timeout, Token&& token = kflow::use_awaitable_t{}) {
        return detail::initiate_released<Token, close_signature>(close_initiation{{live()}}, token,
                                                                 timeout);
    }

    /// Closes with the config's close_timeout (10 s by default); see async_close(timeout, token).
    template <asio::completion_token_for<close_signature> Token = kflow::use_awaitable_t>
    auto async_close(Token&& token = kflow::use_awaitable_t{}) {
        const auto timeout = with_core([](detail::consumer_core& c) { return c.close_timeout(); });
        return async_close(timeout, std::forward<Token>(token));
    }

    // -- About the client ---------------------------------------------------------------------

    /// librdkafka's name for this client (client.id and an instance suffix, e.g.
    /// `rdkafka#consumer-1`), as it appears in logs and statistics.
    [[nodiscard]] std::string name() const {
        return with_core([](detail::consumer_core& c) { return c.name(); });
    }
    /// Completes with `(error_code, kflow::metrics::statistics)`: the next statistics document
    /// librdkafka emits for this client, every statistics_interval() of its config. With
    /// statistics off (no interval, or 0) completes at once with errc::invalid_config. Every
    /// wait pending when a document arrives gets it; cancellation (any type) withdraws a wait
    /// (operation_aborted), and so does the client's destruction.
    template <asio::completion_token_for<metrics::statistics_feed::next_signature> Token =
                  kflow::use_awaitable_t>
    auto async_next_statistics(Token&& token = kflow::use_awaitable_t{}) {
        return detail::next_statistics(statistics_, live()->executor(), std::forward<Token>(token));
    }
    /// The group's rebalance protocol: "EAGER", "COOPERATIVE" (cooperative-sticky assignment)
    /// or "NONE" while the consumer is not in a group.
    [[nodiscard]] std::string rebalance_protocol() const {
        return with_core([](detail::consumer_core& c) { return c.rebalance_protocol(); });
    }
    /// This member's group metadata as of now, for a transactional producer's
    /// send_offsets_to_transaction() (see consumer::group_metadata()).
    [[nodiscard]] consumer_group_metadata group_metadata() const {
        return with_core([](detail::consumer_core& c) {
            return consumer_group_metadata(rd_kafka_consumer_group_metadata(c.native()));
        });
    }
    /// The librdkafka handle, for calls kflow does not wrap; null for a moved-from consumer.
    /// The consumer owns it: never destroy it, and never poll its queues, which kflow serves.
    [[nodiscard]] rd_kafka_t* native_handle() const noexcept {
        return service_ ? service_->core().native() : nullptr;
    }
    /// False for a moved-from async_consumer: its other operations fail with errc::closed.
    [[nodiscard]] bool valid() const noexcept { return service_ != nullptr; }

  private:
    using serdes_type = detail::deserializers<KeySerde, ValueSerde>;

    /// async_receive under kflow::use_awaitable. Asio 1.81 may not complete an operation inside
    /// its initiating call, so the operation would post its completion even for a record
    /// fetched already, one trip through the executor per record; as a coroutine of its own,
    /// the receive takes such a record directly (the slow path is the operation, as for every
    /// other token).
    ///
    /// Only in a coroutine nothing can cancel, though (its cancellation slot is not connected):
    /// combinators such as `a || b` launch both sides at once and throw away the result of the
    /// one that completes second. A record taken in the awaiting coroutine would be gone with
    /// it, while the operation checks for cancellation before its handler runs and gives the
    /// record back.
    static asio::awaitable<record_type> receive_in_coroutine(
        std::shared_ptr<detail::async_consumer_service> service,
        std::shared_ptr<const serdes_type> serdes,
        std::shared_ptr<detail::latest_failure> failures) {
        const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
        if (!cancellation.slot().is_connected()) {
            record_type record;
            std::optional<deserialization_failure> failure;
            const bool taken = service->receive_one_now(
                [&](detail::message_handle& msg, detail::consumer_core& core) {
                    const bool decoded =
                        detail::decode_into(serdes->key, serdes->value, *msg, record, failure);
                    detail::mark_handed(core, *msg, !decoded);
                    if (decoded)
                        detail::adopt_message(record, msg, service->shared_core());
                });
            if (taken) {
                if (failure) {
                    failures->set(std::make_shared<const deserialization_failure>(*failure));
                    throw deserialization_error(std::move(*failure));
                }
                co_return std::move(record);
            }
        }
        // Named, not temporaries of the co_await expression: GCC 12 may destroy such a
        // temporary twice (the shared_ptrs it holds would then be released twice).
        receive_initiation initiation{{std::move(service)}, std::move(serdes), std::move(failures)};
        kflow::use_awaitable_t token;
        auto receive = detail::initiate_released<kflow::use_awaitable_t, receive_signature>(
            std::move(initiation), token);
        co_return co_await std::move(receive);
    }

    struct receive_initiation : detail::consumer_initiation {
        std::shared_ptr<const serdes_type> serdes;
        std::shared_ptr<detail::latest_failure> failures;

        template <class Handler>
        void operator()(Handler&& handler) const {
            using op_type =
                detail::receive_one_op<K, V, KeySerde, ValueSerde, std::decay_t<Handler>>;
            auto slot = asio::get_associated_cancellation_slot(handler);
            start(std::make_shared<op_type>(std::forward<Handler>(handler), service->executor(),
                                            serdes, failures),
                  slot);
        }
        template <class Slot>
        void start(std::shared_ptr<detail::receive_op> op, Slot& slot) const {
            detail::connect_receive_cancellation(slot, service, op);
            service->start_receive(std::move(op));
        }
    };

    struct batch_initiation : receive_initiation {
        template <class Handler>
        void operator()(Handler&& handler, std::size_t max) const {
            if (max == 0) {
                detail::post_completion(this->service->executor(), std::forward<Handler>(handler),
                                        {std::make_error_code(std::errc::invalid_argument),
                                         "async_receive_batch: max must be at least 1",
                                         {}},
                                        std::vector<record_type>{});
                return;
            }
            using op_type =
                detail::receive_batch_op<K, V, KeySerde, ValueSerde, std::decay_t<Handler>>;
            auto slot = asio::get_associated_cancellation_slot(handler);
            this->start(
                std::make_shared<op_type>(max, std::forward<Handler>(handler),
                                          this->service->executor(), this->serdes, this->failures),
                slot);
        }
    };

    struct commit_handled_initiation : detail::consumer_initiation {
        template <class Handler>
        void operator()(Handler&& handler) const {
            auto op =
                detail::make_event_op<false>(std::forward<Handler>(handler), service->executor());
            service->on_strand([s = service, op = std::move(op)]() mutable {
                s->core().store_handled();
                s->commit(nullptr, std::move(op));
            });
        }
    };

    struct commit_offsets_initiation : detail::consumer_initiation {
        std::shared_ptr<detail::partition_list_handle> list;

        template <class Handler>
        void operator()(Handler&& handler) const {
            service->commit(list->get(), detail::make_event_op<false>(
                                             std::forward<Handler>(handler), service->executor()));
        }
    };

    struct rebalance_initiation : detail::consumer_initiation {
        template <class Handler>
        void operator()(Handler&& handler) const {
            auto slot = asio::get_associated_cancellation_slot(handler);
            std::shared_ptr<detail::event_op> op =
                detail::make_event_op<true>(std::forward<Handler>(handler), service->executor());
            if (slot.is_connected()) {
                slot.assign(
                    [weak_service = std::weak_ptr<detail::async_consumer_service>(service),
                     weak_op = std::weak_ptr<detail::event_op>(op)](asio::cancellation_type) {
                        if (auto s = weak_service.lock()) {
                            s->on_strand([s, weak_op] {
                                if (auto o = weak_op.lock())
                                    s->cancel_rebalance_waiter(o);
                            });
                        }
                    });
            }
            service->on_strand([s = service, op] { s->add_rebalance_waiter(op); });
        }
    };

    struct close_initiation : detail::consumer_initiation {
        template <class Handler>
        void operator()(Handler&& handler, std::chrono::milliseconds timeout) const {
            std::shared_ptr<detail::event_op> op =
                detail::make_event_op<false>(std::forward<Handler>(handler), service->executor());
            service->on_strand([s = service, op, timeout] { s->close(timeout, op); });
        }
    };

    struct seek_initiation : detail::consumer_initiation {
        template <class Handler>
        void operator()(Handler&& handler, const topic_partition_offset& to,
                        std::chrono::milliseconds timeout) const {
            // Records fetched from the old position go now, on the strand's side of the lock;
            // the fetcher then moves on a thread of its own (the seek blocks in librdkafka).
            service->with_core(
                [&](detail::consumer_core& c) { c.drop_fetched(to.partition_id()); });
            detail::run_query<void>(service, "seek", std::forward<Handler>(handler),
                                    [to, timeout](rd_kafka_t* rk, error_info& err) {
                                        err = detail::seek_partition(rk, to, timeout);
                                    });
        }
    };

    template <class Result>
    struct query_initiation : detail::consumer_initiation {
        const char* what;

        template <class Handler, class Query>
        void operator()(Handler&& handler, Query&& query) const {
            detail::run_query<Result>(service, what, std::forward<Handler>(handler),
                                      std::forward<Query>(query));
        }
    };

    /// What the queries wait for when the caller gives no timeout (as the sync consumer's).
    static constexpr std::chrono::milliseconds default_query_timeout{10000};

    /// Runs `f(core)` on the calling thread, excluded from the strand's work.
    template <class F>
    decltype(auto) with_core(F&& f) const {
        return live()->with_core(std::forward<F>(f));
    }
    /// Runs `f(core, err)` as with_core(), throwing kafka_error if it set `err`.
    template <class F>
    auto query_now(F&& f) const {
        error_info err;
        auto result = with_core([&](detail::consumer_core& c) { return f(c, err); });
        raise_if(err);
        return result;
    }
    static void raise_if(const error_info& err) {
        if (err)
            err.raise({});
    }

    /// The shared state, or errc::closed (thrown) for a moved-from async_consumer: a defined state,
    /// not a crash.
    [[nodiscard]] const std::shared_ptr<detail::async_consumer_service>& live() const {
        if (!service_) {
            throw kafka_error(make_error_code(errc::closed),
                              "async_consumer: used after being moved from");
        }
        return service_;
    }

    // Declared first: service_ is created with a config that it observes (see the constructor).
    std::shared_ptr<metrics::statistics_feed> statistics_;
    std::shared_ptr<detail::async_consumer_service> service_;
    std::shared_ptr<const serdes_type> serdes_;
    std::shared_ptr<detail::latest_failure> failures_;
};

}  // namespace kflow
