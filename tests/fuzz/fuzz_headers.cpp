// kflow's conversion of record headers to and from librdkafka (kflow/headers.hpp).
//
// The input is a list of headers, each one
//     [name length: 1 byte][value length: 1 byte, 0xFF = null value][name][value]
// (lengths are cut to what is left of the input). Checked against that list:
//  - kflow::headers built from it: order, size, last(), all(), contains();
//  - detail::to_native(): the librdkafka list holds the same names, values and null values, in
//    order (and is null when there are no headers);
//  - detail::headers_of(): a list built with librdkafka's own API is attached to a real message
//    (produced to a client without brokers, then purged, so its delivery report hands it back)
//    and must decode to the same headers.

#include <kflow/headers.hpp>

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

void check(bool ok) {
    if (!ok)
        __builtin_trap();
}

std::vector<kflow::header> parse(const std::uint8_t* data, std::size_t size) {
    std::vector<kflow::header> out;
    std::size_t pos = 0;
    const auto take = [&](std::size_t n) {
        n = std::min(n, size - pos);
        std::string s(reinterpret_cast<const char*>(data + pos), n);
        pos += n;
        return s;
    };
    while (size - pos >= 2) {
        const std::size_t name_length = data[pos];
        const std::size_t value_length = data[pos + 1];
        pos += 2;
        kflow::header h;
        h.key = take(name_length);
        if (value_length != 0xFF)
            h.value = take(value_length);
        out.push_back(std::move(h));
    }
    return out;
}

// librdkafka hands names back as C strings (rd_kafka_header_get_all has no name length), so a
// name that another client sent with a NUL byte is read back up to it; kflow's producer refuses
// to send such a name. See docs/fuzzing.md, "Limits".
std::string_view readable_name(const std::string& name) {
    return std::string_view(name).substr(0, name.find('\0'));
}

bool same_as_readable(const kflow::headers& decoded, const std::vector<kflow::header>& expected) {
    if (decoded.size() != expected.size())
        return false;
    auto it = decoded.begin();
    for (const auto& h : expected) {
        if (it->key != readable_name(h.key) || it->value != h.value)
            return false;
        ++it;
    }
    return true;
}

void check_model(const kflow::headers& hs, const std::vector<kflow::header>& expected) {
    check(hs.size() == expected.size() && hs.empty() == expected.empty());
    check(std::equal(hs.begin(), hs.end(), expected.begin(), expected.end()));
    // Every value of each name, in order: what all() returns, and last() the last of.
    std::map<std::string, std::vector<std::optional<std::string>>> by_name;
    for (const auto& h : expected)
        by_name[h.key].push_back(h.value);
    for (const auto& [name, values] : by_name) {
        check(hs.contains(name));
        check(hs.all(name) == values);
        const auto found = hs.last(name);
        check(found.has_value() == values.back().has_value());
        if (found)
            check(*found == *values.back());
    }
    std::string absent = "\xff";
    while (by_name.contains(absent))
        absent += '\xff';
    check(!hs.contains(absent) && hs.all(absent).empty() && !hs.last(absent).has_value());
}

void check_native(const rd_kafka_headers_t* native, const std::vector<kflow::header>& expected) {
    check(rd_kafka_header_cnt(native) == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const char* name = nullptr;
        const void* value = nullptr;
        std::size_t size = 0;
        check(rd_kafka_header_get_all(native, i, &name, &value, &size) ==
              RD_KAFKA_RESP_ERR_NO_ERROR);
        check(name != nullptr && std::string_view(name) == readable_name(expected[i].key));
        const auto& want = expected[i].value;
        check((value != nullptr) == want.has_value());
        if (want) {
            check(size == want->size());
            check(size == 0 || std::memcmp(value, want->data(), size) == 0);
        }
    }
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    check(rd_kafka_header_get_all(native, expected.size(), &name, &value, &size) ==
          RD_KAFKA_RESP_ERR__NOENT);
}

// What the delivery report callback decoded, for the input being run.
struct delivery {
    bool reported = false;
    kflow::headers decoded;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void*) {
    auto* d = static_cast<delivery*>(msg->_private);
    d->decoded = kflow::detail::headers_of(const_cast<rd_kafka_message_t*>(msg));
    d->reported = true;
}

// One producer for the whole run: no brokers, so every message waits in its queue until the
// purge that follows it.
rd_kafka_t* producer() {
    static const kflow::detail::kafka_handle rk = [] {
        kflow::detail::conf_handle conf(rd_kafka_conf_new());
        char errstr[512];
        // Level 0: no "no bootstrap.servers" warning on every start.
        check(rd_kafka_conf_set(conf.get(), "log_level", "0", errstr, sizeof errstr) ==
              RD_KAFKA_CONF_OK);
        rd_kafka_conf_set_dr_msg_cb(conf.get(), on_delivery);
        kflow::detail::kafka_handle handle(
            rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr, sizeof errstr));
        check(handle != nullptr);
        (void)conf.release();  // rd_kafka_new took it
        return handle;
    }();
    return rk.get();
}

// headers_of() on a real message carrying `native` (taken over by librdkafka).
kflow::headers decode_through_message(kflow::detail::headers_handle native) {
    rd_kafka_t* rk = producer();
    delivery d;
    rd_kafka_vu_t vus[3];
    vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    vus[0].u.cstr = "fuzz";
    vus[1].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vus[1].u.ptr = &d;
    vus[2].vtype = RD_KAFKA_VTYPE_HEADERS;
    vus[2].u.headers = native.get();
    rd_kafka_error_t* error = rd_kafka_produceva(rk, vus, std::size(vus));
    check(error == nullptr);
    (void)native.release();  // owned by the message now
    check(rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE) == RD_KAFKA_RESP_ERR_NO_ERROR);
    for (int i = 0; i < 1000 && !d.reported; ++i)
        rd_kafka_poll(rk, i == 0 ? 0 : 10);
    check(d.reported);
    return std::move(d.decoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto expected = parse(data, size);

    kflow::headers hs;
    for (const auto& h : expected) {
        if (h.value)
            hs.add(h.key, *h.value);
        else
            hs.add_null(h.key);
    }
    check_model(hs, expected);
    check(hs == kflow::headers(hs));

    const auto native = kflow::detail::to_native(hs);
    check((native == nullptr) == expected.empty());
    if (native)
        check_native(native.get(), expected);

    // Built with librdkafka alone, so headers_of() is checked independently of to_native().
    kflow::detail::headers_handle direct(rd_kafka_headers_new(expected.size()));
    for (const auto& h : expected) {
        check(rd_kafka_header_add(direct.get(), h.key.data(), static_cast<ssize_t>(h.key.size()),
                                  h.value ? h.value->data() : nullptr,
                                  h.value ? static_cast<ssize_t>(h.value->size()) : 0) ==
              RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    check(same_as_readable(decode_through_message(std::move(direct)), expected));
    return 0;
}
