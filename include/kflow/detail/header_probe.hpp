#pragma once
// Whether a consumed message certainly has no headers, found without rd_kafka_message_headers.
//
// librdkafka 2.0 parses a consumed message's header block on the first
// rd_kafka_message_headers() call, and for a record with none (the header count, a single zero
// byte) it still allocates, zeroes and frees a parse buffer first: about 950 instructions, more
// than a third of what fetching the record costs. The block's position is kept in the message's
// private envelope (rd_kafka_msg_t, which starts with the public rd_kafka_message_t), so for the
// librdkafka versions whose envelope layout is known, the probe reads the count byte itself.
//
// The layout is never trusted alone: the probe says "no headers" only when the envelope's
// timestamp and timestamp type agree with rd_kafka_message_timestamp(), no parsed header list
// is attached, and the header block starts exactly where the value ends (as it does in every
// record of format v2). Any other case, a null value or another librdkafka version among them,
// falls back to rd_kafka_message_headers(), so a wrong answer would take a layout that happens
// to match all of these by chance.

#include <librdkafka/rdkafka.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace kflow::detail {

/// The start of rd_kafka_msg_t (librdkafka's src/rdkafka_msg.h) in librdkafka 2.0.x, up to the
/// consumer's unparsed header block, the first member of its trailing union.
struct rdkafka_2_0_message_envelope {
    rd_kafka_message_t message;
    void* link[2];  // TAILQ_ENTRY
    int flags;
    rd_kafka_timestamp_type_t timestamp_type;
    std::int64_t timestamp;
    rd_kafka_headers_t* headers;  // parsed headers, if any
    rd_kafka_msg_status_t status;
    std::int32_t broker_id;
    alignas(8) std::int32_t header_block_len;  // rd_kafkap_bytes_t
    const void* header_block;
};

/// True when the librdkafka the process runs with has the envelope above (checked once).
inline bool known_message_envelope() noexcept {
    static const bool known = [] {
        const int v = rd_kafka_version();  // 0xMMmmrryy
        return (v >> 16) == 0x0200;
    }();
    return known;
}

/// The member of the envelope around `msg` at `offset`, copied out (the envelope is not a C++
/// object of that type; reading only the members needed spares copying all of it per record).
template <class T>
T envelope_field(const rd_kafka_message_t& msg, std::size_t offset) noexcept {
    T value;
    std::memcpy(&value, reinterpret_cast<const unsigned char*>(&msg) + offset, sizeof value);
    return value;
}

/// True only when `msg` (a consumed record, err == 0) certainly has no headers; false means
/// "ask rd_kafka_message_headers()".
/// `ts` and `type` are what rd_kafka_message_timestamp() says of `msg` (a decoder reads them
/// anyway).
inline bool certainly_without_headers(const rd_kafka_message_t& msg, std::int64_t ts,
                                      rd_kafka_timestamp_type_t type) noexcept {
    if (!known_message_envelope() || msg.payload == nullptr)
        return false;
    using envelope = rdkafka_2_0_message_envelope;
    const auto* header_block = envelope_field<const void*>(msg, offsetof(envelope, header_block));
    return envelope_field<std::int64_t>(msg, offsetof(envelope, timestamp)) == ts &&
           envelope_field<rd_kafka_timestamp_type_t>(msg, offsetof(envelope, timestamp_type)) ==
               type &&
           envelope_field<rd_kafka_headers_t*>(msg, offsetof(envelope, headers)) == nullptr &&
           header_block == static_cast<const std::byte*>(msg.payload) + msg.len &&
           envelope_field<std::int32_t>(msg, offsetof(envelope, header_block_len)) >= 1 &&
           // The header count, a zigzag varint: a single zero byte is a count of 0.
           *static_cast<const unsigned char*>(header_block) == 0;
}

/// As above, asking librdkafka for the timestamp.
inline bool certainly_without_headers(const rd_kafka_message_t& msg) noexcept {
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    const std::int64_t ts = rd_kafka_message_timestamp(&msg, &type);
    return certainly_without_headers(msg, ts, type);
}

}  // namespace kflow::detail
