#pragma once
// transaction: a scoped Kafka transaction on a transactional producer. It begins in its
// constructor and aborts in its destructor unless commit() succeeded, so an exception thrown
// while the transaction is being filled never leaves it open.

#include <kflow/error.hpp>

#include <chrono>

namespace kflow {

/// A transaction on `Producer` (a kflow::producer with a transactional_id), begun by the
/// constructor and ended by commit(), abort() or, failing both, the destructor's abort.
///
/// \code
/// kflow::transaction txn(producer);
/// producer.send({"out", key, value});
/// producer.send_offsets_to_transaction(offsets, consumer.group_metadata(), 10s);
/// txn.commit(10s);
/// \endcode
///
/// Errors are kafka_error with the producer's classification (docs/transactions.md): after a
/// failed commit() that is retriable, call commit() again; otherwise let the transaction go
/// (the destructor aborts it) or call abort() to learn whether the abort worked.
template <class Producer>
class transaction {
  public:
    /// Begins a transaction on `producer`, which must outlive this object. Throws the
    /// kafka_error of begin_transaction(). `abort_timeout` bounds the destructor's abort.
    explicit transaction(Producer& producer,
                         std::chrono::milliseconds abort_timeout = std::chrono::seconds(30))
        : producer_(&producer), abort_timeout_(abort_timeout) {
        producer.begin_transaction();
    }

    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;

    /// Aborts the transaction unless it was committed or aborted. Never throws: a failed
    /// abort is dropped here, and the producer's next begin_transaction() reports what state
    /// it left (abort explicitly to see the error).
    ~transaction() {
        if (!open_)
            return;
        try {
            error_info ignored;
            producer_->abort_transaction(abort_timeout_, ignored);
        } catch (...) {
            // A delivery callback threw during the abort: a destructor may not pass it on.
        }
    }

    /// Commits the transaction, waiting up to `timeout`. On failure it throws kafka_error and
    /// the transaction stays open: commit() again when is_retriable(), otherwise abort (or
    /// let the destructor do it).
    void commit(std::chrono::milliseconds timeout) {
        producer_->commit_transaction(timeout);
        open_ = false;
    }

    /// Aborts the transaction now, waiting up to `timeout`; throws kafka_error on failure (the
    /// transaction then stays open, and the destructor tries again).
    void abort(std::chrono::milliseconds timeout) {
        producer_->abort_transaction(timeout);
        open_ = false;
    }

    /// True until commit() or abort() succeeded.
    [[nodiscard]] bool is_open() const noexcept { return open_; }

  private:
    Producer* producer_;
    std::chrono::milliseconds abort_timeout_;
    bool open_ = true;
};

}  // namespace kflow
