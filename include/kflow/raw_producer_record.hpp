#pragma once
// raw_producer_record: a record of bytes exactly as they go on the wire. Every producer sends one
// with send_raw() / async_send_raw(), whatever its key and value types: that is how a dead letter
// or a mirrored record keeps the bytes it was read with.

#include <kflow/record.hpp>
#include <kflow/serdes/bytes.hpp>
#include <kflow/serdes/optional.hpp>

#include <optional>

namespace kflow {

/// A record whose key and value are bytes sent as they are (std::nullopt: Kafka's null), for
/// producer::send_raw() and async_producer::async_send_raw(), which bypass the producer's serdes.
using raw_producer_record = producer_record<std::optional<bytes>, std::optional<bytes>>;

namespace detail {

/// The codecs of a raw_producer_record: bytes pass through, std::nullopt is null.
struct raw_serdes {
    [[no_unique_address]] serde<std::optional<bytes>> key;    ///< the key's codec
    [[no_unique_address]] serde<std::optional<bytes>> value;  ///< the value's codec
};

}  // namespace detail

}  // namespace kflow
