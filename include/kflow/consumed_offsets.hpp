#pragma once
// consumed_offsets: the input positions a batch of work has handled, as the offsets to commit.
// A read-process-write transaction sends them with send_offsets_to_transaction(); an
// at-least-once loop commits them once the batch's outputs were delivered. Either way the
// offset committed is the one after the last record handled, per partition, which is easy to
// get wrong by one.

#include <kflow/topic_partition.hpp>

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kflow {

/// Anything with a position() naming a topic, partition and its own offset: consumer_record,
/// raw_record (a dead letter's source).
template <class R>
concept positioned_record = requires(const R& r) {
    { r.position() } -> std::convertible_to<topic_partition_offset>;
};

/// The records handled so far, per partition, as the offsets to commit (each the offset after
/// the highest record handled in its partition).
///
/// \code
/// kflow::consumed_offsets handled;
/// for (const auto& r : batch) { producer.send(transform(r)); handled.add(r); }
/// producer.send_offsets_to_transaction(handled.next(), consumer.group_metadata(), 10s);
/// \endcode
class consumed_offsets {
  public:
    /// Records `record` (its own offset) as handled.
    template <positioned_record R>
    void add(const R& record) {
        add(topic_partition_offset(record.position()));
    }
    /// Records the record at `position` (its own offset, not the next one) as handled. A lower
    /// offset than one already recorded for the partition changes nothing.
    void add(const topic_partition_offset& position) {
        auto [it, inserted] =
            highest_.try_emplace({position.topic, position.partition}, position.offset);
        if (!inserted)
            it->second = std::max(it->second, position.offset);
    }

    /// The offsets to commit: for each partition with a handled record, the offset after the
    /// highest one. Ordered by topic, then partition.
    [[nodiscard]] std::vector<topic_partition_offset> next() const {
        std::vector<topic_partition_offset> out;
        out.reserve(highest_.size());
        for (const auto& [tp, offset] : highest_)
            out.emplace_back(tp.first, tp.second, offset + 1);
        return out;
    }

    /// True when no record was added since construction or clear().
    [[nodiscard]] bool empty() const noexcept { return highest_.empty(); }
    /// Forgets every record: for the next batch or transaction.
    void clear() noexcept { highest_.clear(); }

  private:
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> highest_;
};

}  // namespace kflow
