// Typed statistics: parsing librdkafka's statistics JSON (captured documents, malformed and odd
// ones) and the config's typed on_statistics() callback end to end over the mock cluster.
#include <kflow.hpp>
#include <kflow/metrics/statistics.hpp>
#include <kflow/metrics/statistics_json.hpp>
#include <kflow/testing/helpers.hpp>
#include <kflow/testing/mock_cluster.hpp>
#include <kflow/testing/run_coroutine.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using kflow::metrics::parse_statistics;
using kflow::metrics::statistics;
using kflow::testing::mock_cluster;
using kflow::testing::unique_name;
using clock_type = std::chrono::steady_clock;

namespace {

// Captured from a kflow producer (idempotent, the default) against the mock cluster with
// statistics_interval(1000ms), after it sent to a 2-partition topic; trimmed: the broker's
// outbuf_latency and throttle windows, the topic's batchcnt window and the request counters at 0
// are left out.
constexpr std::string_view producer_document = R"(
{"name":"cap-producer#producer-2","client_id":"cap-producer","type":"producer","ts":443244326,
"time":1796468748,"age":1000153,"replyq":0,"msg_cnt":0,"msg_size":0,"msg_max":100000,
"msg_size_max":1073741824,"simple_cnt":0,"metadata_cache_cnt":1,
"brokers":{"127.0.0.1:40721/1":{"name":"127.0.0.1:40721/1","nodeid":1,
"nodename":"127.0.0.1:40721","source":"configured","state":"UP","stateage":999695,
"outbuf_cnt":0,"outbuf_msg_cnt":0,"waitresp_cnt":0,"waitresp_msg_cnt":0,"tx":8,"txbytes":668,
"txerrs":0,"txretries":0,"txidle":95705,"req_timeouts":0,"rx":8,"rxbytes":528,"rxerrs":0,
"rxcorriderrs":0,"rxpartial":0,"rxidle":95701,"zbuf_grow":0,"buf_grow":0,"wakeups":21,
"connects":1,"disconnects":0,"int_latency":{"min":45,"max":139,"avg":69,"sum":276,"stddev":40,
"p50":46,"p75":46,"p90":139,"p95":139,"p99":139,"p99_99":139,"outofrange":0,"hdrsize":11376,
"cnt":4},"rtt":{"min":4,"max":56,"avg":15,"sum":122,"stddev":16,"p50":9,"p75":15,"p90":16,
"p95":56,"p99":56,"p99_99":56,"outofrange":0,"hdrsize":13424,"cnt":8},"req":{"Produce":4,
"Metadata":1,"ApiVersion":2,"InitProducerId":1},"toppars":{"orders-0":{"topic":"orders",
"partition":0},"orders-1":{"topic":"orders","partition":1}}}},
"topics":{"orders":{"topic":"orders","age":999,"metadata_age":999,"batchsize":{"min":71,
"max":71,"avg":71,"sum":284,"stddev":0,"p50":71,"p75":71,"p90":71,"p95":71,"p99":71,
"p99_99":71,"outofrange":0,"hdrsize":14448,"cnt":4},"partitions":{"0":{"partition":0,
"broker":1,"leader":1,"desired":false,"unknown":false,"msgq_cnt":0,"msgq_bytes":0,
"xmit_msgq_cnt":0,"xmit_msgq_bytes":0,"fetchq_cnt":0,"fetchq_size":0,"fetch_state":"none",
"query_offset":-1001,"next_offset":0,"app_offset":-1001,"stored_offset":-1001,
"commited_offset":-1001,"committed_offset":-1001,"eof_offset":-1001,"lo_offset":-1001,
"hi_offset":-1001,"ls_offset":-1001,"consumer_lag":-1,"consumer_lag_stored":-1,"txmsgs":0,
"txbytes":0,"rxmsgs":0,"rxbytes":0,"msgs":0,"rx_ver_drops":0,"msgs_inflight":0,
"next_ack_seq":0,"next_err_seq":0,"acked_msgid":0},"1":{"partition":1,"broker":1,"leader":1,
"desired":false,"unknown":false,"msgq_cnt":0,"msgq_bytes":0,"xmit_msgq_cnt":0,
"xmit_msgq_bytes":0,"fetchq_cnt":0,"fetchq_size":0,"fetch_state":"none","query_offset":-1001,
"next_offset":0,"app_offset":-1001,"stored_offset":-1001,"commited_offset":-1001,
"committed_offset":-1001,"eof_offset":-1001,"lo_offset":-1001,"hi_offset":-1001,
"ls_offset":-1001,"consumer_lag":-1,"consumer_lag_stored":-1,"txmsgs":4,"txbytes":12,
"rxmsgs":0,"rxbytes":0,"msgs":4,"rx_ver_drops":0,"msgs_inflight":0,"next_ack_seq":4,
"next_err_seq":4,"acked_msgid":4},"-1":{"partition":-1,"broker":-1,"leader":-1,
"desired":false,"unknown":false,"msgq_cnt":0,"msgq_bytes":0,"xmit_msgq_cnt":0,
"xmit_msgq_bytes":0,"fetchq_cnt":0,"fetchq_size":0,"fetch_state":"none","query_offset":-1001,
"next_offset":0,"app_offset":-1001,"stored_offset":-1001,"commited_offset":-1001,
"committed_offset":-1001,"eof_offset":-1001,"lo_offset":-1001,"hi_offset":-1001,
"ls_offset":-1001,"consumer_lag":-1,"consumer_lag_stored":-1,"txmsgs":0,"txbytes":0,
"rxmsgs":0,"rxbytes":0,"msgs":1,"rx_ver_drops":0,"msgs_inflight":0,"next_ack_seq":0,
"next_err_seq":0,"acked_msgid":0}}}},"eos":{"idemp_state":"Assigned","idemp_stateage":999,
"txn_state":"Init","txn_stateage":443244,"txn_may_enq":false,"producer_id":292878000,
"producer_epoch":0,"epoch_cnt":1},"tx":8,"tx_bytes":668,"rx":8,"rx_bytes":528,"txmsgs":4,
"txmsg_bytes":12,"rxmsgs":0,"rxmsg_bytes":0})";

// Captured from a kflow consumer in a group, subscribed to the same topic, after it consumed 5
// records and committed 3 of partition 1 (nothing of partition 0); trimmed likewise (windows
// other than the broker's rtt, request counters at 0).
constexpr std::string_view consumer_document = R"(
{"name":"cap-consumer#consumer-3","client_id":"cap-consumer","type":"consumer","ts":451346732,
"time":1796468757,"age":5000616,"replyq":1,"msg_cnt":0,"msg_size":0,"msg_max":0,
"msg_size_max":0,"simple_cnt":0,"metadata_cache_cnt":1,
"brokers":{"127.0.0.1:40721/1":{"name":"127.0.0.1:40721/1","nodeid":1,
"nodename":"127.0.0.1:40721","source":"configured","state":"UP","stateage":5000030,
"outbuf_cnt":0,"outbuf_msg_cnt":0,"waitresp_cnt":1,"waitresp_msg_cnt":0,"tx":200,
"txbytes":25101,"txerrs":0,"txretries":0,"txidle":1182,"req_timeouts":0,"rx":199,
"rxbytes":23399,"rxerrs":0,"rxcorriderrs":0,"rxpartial":0,"rxidle":1204,"zbuf_grow":0,
"buf_grow":0,"wakeups":406,"connects":1,"disconnects":0,"rtt":{"min":10069,"max":10399,
"avg":10093,"sum":999303,"stddev":40,"p50":10111,"p75":10111,"p90":10111,"p95":10111,
"p99":10367,"p99_99":10431,"outofrange":0,"hdrsize":13424,"cnt":99},"req":{"Fetch":192,
"ListOffsets":2,"Metadata":2,"FindCoordinator":2,"ApiVersion":2},
"toppars":{"orders-0":{"topic":"orders","partition":0},"orders-1":{"topic":"orders",
"partition":1}}},"GroupCoordinator":{"name":"GroupCoordinator","nodeid":1,
"nodename":"127.0.0.1:40721","source":"logical","state":"UP","stateage":4998522,
"outbuf_cnt":0,"outbuf_msg_cnt":0,"waitresp_cnt":0,"waitresp_msg_cnt":0,"tx":13,"txbytes":887,
"txerrs":0,"txretries":0,"txidle":469,"req_timeouts":0,"rx":13,"rxbytes":689,"rxerrs":0,
"rxcorriderrs":0,"rxpartial":0,"rxidle":449,"zbuf_grow":0,"buf_grow":0,"wakeups":37,
"connects":1,"disconnects":0,"req":{"Metadata":2,"OffsetCommit":2,"OffsetFetch":1,
"JoinGroup":1,"Heartbeat":4,"SyncGroup":1,"ApiVersion":2},"toppars":{}}},
"topics":{"orders":{"topic":"orders","age":1997,"metadata_age":1997,
"partitions":{"0":{"partition":0,"broker":1,"leader":1,"desired":true,"unknown":false,
"msgq_cnt":0,"msgq_bytes":0,"xmit_msgq_cnt":0,"xmit_msgq_bytes":0,"fetchq_cnt":1,
"fetchq_size":0,"fetch_state":"active","query_offset":-2,"next_offset":1,"app_offset":1,
"stored_offset":1,"commited_offset":-1001,"committed_offset":-1001,"eof_offset":1,
"lo_offset":0,"hi_offset":1,"ls_offset":1,"consumer_lag":-1,"consumer_lag_stored":0,
"txmsgs":0,"txbytes":0,"rxmsgs":1,"rxbytes":3,"msgs":1,"rx_ver_drops":0,"msgs_inflight":0,
"next_ack_seq":0,"next_err_seq":0,"acked_msgid":0},"1":{"partition":1,"broker":1,"leader":1,
"desired":true,"unknown":false,"msgq_cnt":0,"msgq_bytes":0,"xmit_msgq_cnt":0,
"xmit_msgq_bytes":0,"fetchq_cnt":1,"fetchq_size":0,"fetch_state":"active","query_offset":-2,
"next_offset":4,"app_offset":4,"stored_offset":4,"commited_offset":3,"committed_offset":3,
"eof_offset":4,"lo_offset":0,"hi_offset":4,"ls_offset":4,"consumer_lag":1,
"consumer_lag_stored":0,"txmsgs":0,"txbytes":0,"rxmsgs":4,"rxbytes":12,"msgs":4,
"rx_ver_drops":0,"msgs_inflight":0,"next_ack_seq":0,"next_err_seq":0,"acked_msgid":0},
"-1":{"partition":-1,"broker":-1,"leader":-1,"desired":false,"unknown":false,"msgq_cnt":0,
"msgq_bytes":0,"xmit_msgq_cnt":0,"xmit_msgq_bytes":0,"fetchq_cnt":0,"fetchq_size":0,
"fetch_state":"none","query_offset":-1001,"next_offset":0,"app_offset":-1001,
"stored_offset":-1001,"commited_offset":-1001,"committed_offset":-1001,"eof_offset":-1001,
"lo_offset":-1001,"hi_offset":-1001,"ls_offset":-1001,"consumer_lag":-1,
"consumer_lag_stored":-1,"txmsgs":0,"txbytes":0,"rxmsgs":0,"rxbytes":0,"msgs":0,
"rx_ver_drops":0,"msgs_inflight":0,"next_ack_seq":0,"next_err_seq":0,"acked_msgid":0}}}},
"cgrp":{"state":"up","stateage":4998,"join_state":"steady","rebalance_age":1997,
"rebalance_cnt":1,"rebalance_reason":"Metadata for subscribed topic(s) has changed",
"assignment_size":2},"tx":213,"tx_bytes":25988,"rx":212,"rx_bytes":24088,"txmsgs":0,
"txmsg_bytes":0,"rxmsgs":5,"rxmsg_bytes":15})";

struct app_failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Which on_statistics overload a callable picks, if any.
template <class F>
concept statistics_callback = requires(kflow::producer_config& cfg, F f) {
    cfg.on_statistics(std::move(f));
};

}  // namespace

TEST_CASE("a captured producer document parses into typed fields", "[statistics]") {
    const statistics s = parse_statistics(producer_document);
    CHECK(s.name == "cap-producer#producer-2");
    CHECK(s.client_id == "cap-producer");
    CHECK(s.type == "producer");
    CHECK(s.ts == 443244326);
    CHECK(s.time == 1796468748);
    CHECK(s.age == 1000153);
    CHECK(s.replyq == 0);
    CHECK(s.msg_cnt == 0);
    CHECK(s.msg_size == 0);
    CHECK(s.msg_max == 100000);
    CHECK(s.msg_size_max == 1073741824);
    CHECK(s.metadata_cache_cnt == 1);
    CHECK(s.tx == 8);
    CHECK(s.tx_bytes == 668);
    CHECK(s.rx == 8);
    CHECK(s.rx_bytes == 528);
    CHECK(s.txmsgs == 4);
    CHECK(s.txmsg_bytes == 12);
    CHECK(s.rxmsgs == 0);
    CHECK_FALSE(s.consumer_group);

    REQUIRE(s.brokers.size() == 1);
    const auto& b = s.brokers[0];
    CHECK(b.name == "127.0.0.1:40721/1");
    CHECK(b.nodeid == 1);
    CHECK(b.nodename == "127.0.0.1:40721");
    CHECK(b.source == "configured");
    CHECK(b.state == "UP");
    CHECK(b.stateage == 999695);
    CHECK(b.tx == 8);
    CHECK(b.txbytes == 668);
    CHECK(b.txidle == 95705);
    CHECK(b.rxbytes == 528);
    CHECK(b.connects == 1);
    CHECK(b.disconnects == 0);
    CHECK(b.rtt.cnt == 8);
    CHECK(b.rtt.min == 4);
    CHECK(b.rtt.max == 56);
    CHECK(b.rtt.avg == 15);
    CHECK(b.rtt.p50 == 9);
    CHECK(b.rtt.p99_99 == 56);
    CHECK(b.int_latency.sum == 276);
    CHECK(b.int_latency.stddev == 40);
    // Trimmed from the document: missing stays empty.
    CHECK_FALSE(b.throttle.cnt);
    CHECK_FALSE(b.outbuf_latency.p99);
    CHECK(b.requests ==
          std::map<std::string, std::int64_t>{
              {"ApiVersion", 2}, {"InitProducerId", 1}, {"Metadata", 1}, {"Produce", 4}});
    CHECK(b.toppars == std::vector<kflow::topic_partition>{{"orders", 0}, {"orders", 1}});

    REQUIRE(s.topics.size() == 1);
    const auto& t = s.topics[0];
    CHECK(t.name == "orders");
    CHECK(t.age == 999);
    CHECK(t.metadata_age == 999);
    CHECK(t.batchsize.cnt == 4);
    CHECK(t.batchsize.avg == 71);
    CHECK_FALSE(t.batchcnt.cnt);
    // In id order, librdkafka's unassigned partition first.
    REQUIRE(t.partitions.size() == 3);
    CHECK(t.partitions[0].partition == kflow::metrics::unassigned_partition);
    CHECK(t.partitions[0].is_unassigned());
    CHECK(t.partitions[0].msgs == 1);
    CHECK(t.partitions[1].partition == 0);
    CHECK(t.partitions[2].partition == 1);
    const auto* p1 = s.find_partition("orders", 1);
    REQUIRE(p1 == &t.partitions[2]);
    CHECK_FALSE(p1->is_unassigned());
    CHECK(p1->broker == 1);
    CHECK(p1->leader == 1);
    CHECK(p1->desired == false);
    CHECK(p1->unknown == false);
    CHECK(p1->txmsgs == 4);
    CHECK(p1->txbytes == 12);
    CHECK(p1->msgs_inflight == 0);
    CHECK(p1->acked_msgid == 4);
    CHECK(p1->fetch_state == "none");
    // A producer knows no consumer offsets: librdkafka's markers are kept as they are.
    CHECK(p1->committed_offset == kflow::metrics::invalid_offset);
    CHECK(p1->hi_offset == kflow::offsets::invalid);
    CHECK(p1->consumer_lag == -1);
    CHECK_FALSE(p1->lag_committed());
    CHECK_FALSE(p1->lag_position());
    CHECK(s.find_partition("orders", 7) == nullptr);
    CHECK(s.find_topic("other") == nullptr);

    REQUIRE(s.eos);
    CHECK(s.eos->idemp_state == "Assigned");
    CHECK(s.eos->idemp_stateage == 999);
    CHECK(s.eos->txn_state == "Init");
    CHECK(s.eos->txn_may_enq == false);
    CHECK(s.eos->producer_id == 292878000);
    CHECK(s.eos->producer_epoch == 0);
    CHECK(s.eos->epoch_cnt == 1);
}

TEST_CASE("a captured consumer document parses into typed fields", "[statistics]") {
    const statistics s = parse_statistics(consumer_document);
    CHECK(s.type == "consumer");
    CHECK(s.client_id == "cap-consumer");
    CHECK(s.rxmsgs == 5);
    CHECK(s.rxmsg_bytes == 15);
    CHECK(s.replyq == 1);
    CHECK_FALSE(s.eos);

    REQUIRE(s.consumer_group);
    CHECK(s.consumer_group->state == "up");
    CHECK(s.consumer_group->stateage == 4998);
    CHECK(s.consumer_group->join_state == "steady");
    CHECK(s.consumer_group->rebalance_age == 1997);
    CHECK(s.consumer_group->rebalance_cnt == 1);
    CHECK(s.consumer_group->rebalance_reason == "Metadata for subscribed topic(s) has changed");
    CHECK(s.consumer_group->assignment_size == 2);

    // Brokers in name order; the logical coordinator connection is one of them.
    REQUIRE(s.brokers.size() == 2);
    CHECK(s.brokers[0].name == "127.0.0.1:40721/1");
    CHECK(s.brokers[0].requests.at("Fetch") == 192);
    CHECK(s.brokers[0].rtt.p99 == 10367);
    CHECK(s.brokers[0].waitresp_cnt == 1);
    CHECK(s.brokers[1].name == "GroupCoordinator");
    CHECK(s.brokers[1].source == "logical");
    CHECK(s.brokers[1].nodeid == 1);
    CHECK(s.brokers[1].requests.at("OffsetCommit") == 2);
    CHECK(s.brokers[1].toppars.empty());
    CHECK_FALSE(s.brokers[1].rtt.cnt);

    const auto* p0 = s.find_partition("orders", 0);
    const auto* p1 = s.find_partition("orders", 1);
    REQUIRE(p0);
    REQUIRE(p1);
    CHECK(p1->desired == true);
    CHECK(p1->fetch_state == "active");
    CHECK(p1->query_offset == -2);  // RD_KAFKA_OFFSET_STORED: started from the group's offset
    CHECK(p1->next_offset == 4);
    CHECK(p1->app_offset == 4);
    CHECK(p1->stored_offset == 4);
    CHECK(p1->committed_offset == 3);
    CHECK(p1->lo_offset == 0);
    CHECK(p1->hi_offset == 4);
    CHECK(p1->ls_offset == 4);
    CHECK(p1->rxmsgs == 4);
    CHECK(p1->fetchq_cnt == 1);
    CHECK(p1->consumer_lag == 1);
    CHECK(p1->consumer_lag_stored == 0);
    CHECK(p1->lag_committed() == 1);
    CHECK(p1->lag_position() == 0);
    // Nothing committed on partition 0: librdkafka's -1 becomes "unknown".
    CHECK(p0->committed_offset == kflow::metrics::invalid_offset);
    CHECK(p0->consumer_lag == -1);
    CHECK_FALSE(p0->lag_committed());
    CHECK(p0->lag_position() == 0);
}

TEST_CASE("lag_position: the end is the last stable offset, else the high watermark",
          "[statistics]") {
    kflow::metrics::partition_statistics p;
    CHECK_FALSE(p.lag_position());  // nothing known
    p.app_offset = 10;
    CHECK_FALSE(p.lag_position());  // no end known
    p.hi_offset = 25;
    CHECK(p.lag_position() == 15);  // ls_offset absent: the high watermark
    p.ls_offset = kflow::metrics::invalid_offset;
    CHECK(p.lag_position() == 15);  // ls_offset unknown: the high watermark
    p.ls_offset = 20;
    CHECK(p.lag_position() == 10);  // an open transaction: read_committed reads up to 20
    p.app_offset = 22;
    CHECK(p.lag_position() == 3);  // read_uncommitted, past the last stable offset
    p.app_offset = 30;
    CHECK_FALSE(p.lag_position());  // a snapshot with the position beyond the watermark
    p.app_offset = kflow::metrics::invalid_offset;
    CHECK_FALSE(p.lag_position());  // nothing consumed yet

    p.consumer_lag = 0;
    CHECK(p.lag_committed() == 0);
    p.consumer_lag = -1;
    CHECK_FALSE(p.lag_committed());
}

TEST_CASE("text that is not a JSON object fails to parse, with a reason", "[statistics]") {
    const std::vector<std::string> bad = {
        "",
        "   ",
        std::string(producer_document.substr(0, producer_document.size() / 2)),  // truncated
        "{\"name\": \"x\",}",
        "not json",
        "[]",
        "42",
        "null",
        "\"statistics\"",
        "{\"name\": \"\xff\xfe\"}",  // not UTF-8
        "{\"ts\": 1e400}",           // beyond a double
    };
    for (const auto& text : bad) {
        CAPTURE(text);
        kflow::error_info err;
        err.message = "stale";
        const auto s = parse_statistics(text, err);
        CHECK(err == kflow::errc::deserialization_failed);
        CHECK_THAT(err.message, Catch::StartsWith("cannot parse librdkafka statistics: "));
        CHECK(err.message.size() > std::string_view("cannot parse librdkafka statistics: ").size());
        CHECK(s.name.empty());
        CHECK(s.brokers.empty());
        try {
            (void)parse_statistics(text);
            FAIL("no exception");
        } catch (const kflow::kafka_error& e) {
            CHECK(e.code() == kflow::errc::deserialization_failed);
            CHECK_THAT(e.what(), Catch::StartsWith("cannot parse librdkafka statistics: "));
        }
    }
    kflow::error_info err;
    (void)parse_statistics("[1, 2]", err);
    CHECK_THAT(err.message, Catch::Contains("array, not an object"));
    (void)parse_statistics(producer_document, err);
    CHECK_FALSE(err);  // reset on success
}

TEST_CASE("missing sections and fields stay empty", "[statistics]") {
    const auto empty = parse_statistics("{}");
    CHECK(empty.name.empty());
    CHECK(empty.type.empty());
    CHECK_FALSE(empty.ts);
    CHECK_FALSE(empty.txmsgs);
    CHECK(empty.brokers.empty());
    CHECK(empty.topics.empty());
    CHECK_FALSE(empty.consumer_group);
    CHECK_FALSE(empty.eos);

    // Objects without their fields: present, but every field empty; names from the keys.
    const auto bare = parse_statistics(
        R"({"type": "consumer", "brokers": {"b:9092/3": {}}, "topics": {"t": {"partitions":
            {"4": {}}}}, "cgrp": {}, "eos": {}})");
    CHECK(bare.type == "consumer");
    REQUIRE(bare.brokers.size() == 1);
    CHECK(bare.brokers[0].name == "b:9092/3");
    CHECK_FALSE(bare.brokers[0].nodeid);
    CHECK_FALSE(bare.brokers[0].rtt.p99);
    CHECK(bare.brokers[0].requests.empty());
    REQUIRE(bare.topics.size() == 1);
    CHECK(bare.topics[0].name == "t");
    REQUIRE(bare.topics[0].partitions.size() == 1);
    const auto& p = bare.topics[0].partitions[0];
    CHECK(p.partition == 4);
    CHECK_FALSE(p.hi_offset);
    CHECK_FALSE(p.consumer_lag);
    CHECK_FALSE(p.lag_committed());
    CHECK_FALSE(p.lag_position());
    REQUIRE(bare.consumer_group);
    CHECK(bare.consumer_group->state.empty());
    CHECK_FALSE(bare.consumer_group->assignment_size);
    REQUIRE(bare.eos);
    CHECK_FALSE(bare.eos->producer_id);
}

TEST_CASE("fields of another type are treated as missing; unknown fields are ignored",
          "[statistics]") {
    const auto s = parse_statistics(R"({
        "name": 5, "client_id": null, "type": ["producer"], "ts": "12", "age": true,
        "time": 12.0, "tx": 1.5, "rx": 18446744073709551615, "rx_bytes": -9223372036854775808,
        "txmsgs": 9223372036854775807, "msg_cnt": {}, "future_total": 3,
        "future_section": {"a": [1, 2, {"b": null}]},
        "brokers": {"ok": {"nodeid": 4294967296, "state": 7, "rtt": [], "int_latency": 3,
                           "throttle": {"p99": "high", "avg": 2}, "req": {"Fetch": "x",
                           "Produce": 3, "NewApi": 1}, "toppars": {"a": 1, "b": {"topic": 3},
                           "c": {"topic": "t", "partition": 2}}, "unknown_window": {}},
                    "odd": 17},
        "topics": {"t": {"topic": 9, "age": "old", "batchsize": "big", "partitions": {
            "0": {"partition": "zero", "hi_offset": true, "leader": 2147483648,
                  "desired": 1, "fetch_state": 0, "new_field": "x"},
            "x": {"hi_offset": 3},
            "1": 5,
            "-1": {"partition": -1}}},
                   "u": []},
        "cgrp": "up",
        "eos": {"producer_id": 1.5, "producer_epoch": 70000, "txn_may_enq": "yes",
                "idemp_state": "Assigned"}
    })");
    CHECK(s.name.empty());
    CHECK(s.client_id.empty());
    CHECK(s.type.empty());
    CHECK_FALSE(s.ts);
    CHECK_FALSE(s.age);
    CHECK(s.time == 12);  // an integral floating-point number is taken
    CHECK_FALSE(s.tx);
    CHECK_FALSE(s.rx);  // beyond int64
    CHECK(s.rx_bytes == std::numeric_limits<std::int64_t>::min());
    CHECK(s.txmsgs == std::numeric_limits<std::int64_t>::max());
    CHECK_FALSE(s.msg_cnt);

    REQUIRE(s.brokers.size() == 1);  // "odd" is not an object
    const auto& b = s.brokers[0];
    CHECK(b.name == "ok");
    CHECK_FALSE(b.nodeid);  // beyond int32
    CHECK(b.state.empty());
    CHECK_FALSE(b.rtt.cnt);
    CHECK_FALSE(b.int_latency.cnt);
    CHECK_FALSE(b.throttle.p99);
    CHECK(b.throttle.avg == 2);
    CHECK(b.requests == std::map<std::string, std::int64_t>{{"NewApi", 1}, {"Produce", 3}});
    CHECK(b.toppars == std::vector<kflow::topic_partition>{{"t", 2}});

    REQUIRE(s.topics.size() == 1);  // "u" is not an object
    const auto& t = s.topics[0];
    CHECK(t.name == "t");  // from the key: "topic" is not a string
    CHECK_FALSE(t.age);
    CHECK_FALSE(t.batchsize.cnt);
    // "0" takes its id from the key; "x" has no id and "1" is not an object: both left out.
    REQUIRE(t.partitions.size() == 2);
    CHECK(t.partitions[0].partition == -1);
    CHECK(t.partitions[1].partition == 0);
    CHECK_FALSE(t.partitions[1].hi_offset);
    CHECK_FALSE(t.partitions[1].leader);
    CHECK_FALSE(t.partitions[1].desired);
    CHECK(t.partitions[1].fetch_state.empty());

    CHECK_FALSE(s.consumer_group);  // not an object
    REQUIRE(s.eos);
    CHECK_FALSE(s.eos->producer_id);
    CHECK_FALSE(s.eos->producer_epoch);
    CHECK_FALSE(s.eos->txn_may_enq);
    CHECK(s.eos->idemp_state == "Assigned");
}

TEST_CASE("on_statistics picks the raw or the typed callback by parameter type",
          "[statistics][config]") {
    const auto raw = [](std::string_view) {};
    const auto typed = [](const statistics&) {};
    const auto generic = [](const auto&) {};
    static_assert(statistics_callback<decltype(raw)>);
    static_assert(statistics_callback<decltype(typed)>);
    static_assert(statistics_callback<std::function<void(std::string_view)>>);
    static_assert(statistics_callback<std::function<void(const statistics&)>>);
    static_assert(statistics_callback<void (*)(std::string_view)>);
    static_assert(statistics_callback<std::nullptr_t>);
    // Fits both: ambiguous, so refused at compile time (documented).
    static_assert(!statistics_callback<decltype(generic)>);
    static_assert(!statistics_callback<int>);

    kflow::producer_config cfg;
    cfg.on_statistics(raw);
    CHECK(cfg.callbacks().on_statistics);
    CHECK_FALSE(cfg.callbacks().on_typed_statistics);
    cfg.on_statistics(typed);
    CHECK(cfg.callbacks().on_statistics);  // both may be set
    CHECK(cfg.callbacks().on_typed_statistics);
    const kflow::producer_config copy(cfg);  // copied with the other callbacks
    CHECK(copy.callbacks().on_typed_statistics);
    cfg.on_statistics(nullptr);
    CHECK_FALSE(cfg.callbacks().on_statistics);
    CHECK_FALSE(cfg.callbacks().on_typed_statistics);
}

TEST_CASE("a producer's typed statistics report its sends, on the polling thread",
          "[statistics][producer][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("stats-produce");
    cluster.create_topic(topic, 2);
    constexpr std::int64_t count = 10;

    std::optional<statistics> last;
    int raw_calls = 0;
    int typed_calls = 0;
    bool wrong_thread = false;
    bool threw = false;
    const auto caller = std::this_thread::get_id();
    auto cfg = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    cfg.client_id("stats-producer")
        .statistics_interval(1000ms)
        .on_statistics([&](std::string_view json) {
            ++raw_calls;
            CHECK_FALSE(json.empty());
        })
        .on_statistics([&](const statistics& s) {
            ++typed_calls;
            wrong_thread = wrong_thread || std::this_thread::get_id() != caller;
            last = s;
            if (s.txmsgs == count && !threw) {
                threw = true;
                throw app_failure("typed statistics handler failed");
            }
        });
    kflow::producer<std::string, std::string> producer(cfg);
    for (std::int64_t i = 0; i < count; ++i)
        producer.send({topic, "k" + std::to_string(i), "v"});
    producer.flush(5s);

    // The typed callback's exception reaches the poll, as the raw callback's would.
    std::optional<std::string> caught;
    const auto until = clock_type::now() + 5s;
    while (!caught && clock_type::now() < until) {
        try {
            producer.poll(100ms);
        } catch (const app_failure& e) {
            caught = e.what();
        }
    }
    REQUIRE(caught);
    CHECK(*caught == "typed statistics handler failed");
    CHECK_FALSE(wrong_thread);
    CHECK(raw_calls >= typed_calls);
    REQUIRE(last);
    CHECK(last->type == "producer");
    CHECK(last->client_id == "stats-producer");
    CHECK(last->txmsgs == count);
    CHECK(last->msg_cnt == 0);  // all delivered
    REQUIRE(last->eos);         // idempotent by default
    CHECK(last->eos->idemp_state == "Assigned");
    const auto* t = last->find_topic(topic);
    REQUIRE(t);
    std::int64_t sent = 0;
    for (const auto& p : t->partitions) {
        if (!p.is_unassigned())
            sent += p.txmsgs.value_or(0);
    }
    CHECK(sent == count);
    REQUIRE_FALSE(last->brokers.empty());
    CHECK(last->brokers[0].state == "UP");
    CHECK(last->brokers[0].requests.at("Produce") >= 1);
}

TEST_CASE("a group consumer's typed statistics report its partition, position and lag",
          "[statistics][consumer][mock]") {
    mock_cluster cluster(1);
    const auto topic = unique_name("stats-consume");
    cluster.create_topic(topic, 1);
    constexpr int count = 10;
    constexpr int consumed = 6;
    {
        kflow::producer<std::string, std::string> producer(
            kflow::testing::test_producer_config(cluster.bootstrap_servers()));
        for (int i = 0; i < count; ++i)
            producer.send({topic, "k", std::to_string(i)});
        producer.flush(5s);
    }

    std::optional<statistics> last;
    auto cfg = kflow::testing::test_consumer_config(cluster.bootstrap_servers(), unique_name("g"));
    cfg.enable_auto_commit(false).statistics_interval(1000ms).on_statistics(
        [&](const statistics& s) { last = s; });
    kflow::consumer<std::string, std::string> consumer(cfg);
    consumer.subscribe({topic});
    int got = 0;
    auto until = clock_type::now() + 6s;
    while (got < consumed && clock_type::now() < until) {
        if (auto r = consumer.poll(50ms)) {
            CHECK(r->offset == got);
            ++got;
        }
    }
    REQUIRE(got == consumed);
    consumer.commit();  // offsets 0..5 handled: the group's offset is 6
    // No more records: the position stays at 6 while statistics come in.
    consumer.pause({{topic, 0}});

    const kflow::metrics::partition_statistics* p = nullptr;
    const auto settled = [&] {
        p = last ? last->find_partition(topic, 0) : nullptr;
        return p != nullptr && p->committed_offset == consumed && p->hi_offset == count &&
               p->app_offset == consumed;
    };
    last.reset();
    until = clock_type::now() + 5s;
    while (!settled() && clock_type::now() < until) {
        auto r = consumer.poll(100ms);
        CHECK_FALSE(r);
    }
    REQUIRE(last);
    REQUIRE(p);
    CHECK(p->committed_offset == consumed);
    CHECK(p->hi_offset == count);
    CHECK(p->lo_offset == 0);
    CHECK(p->app_offset == consumed);
    CHECK(p->desired == true);
    CHECK(p->leader == 1);
    CHECK(p->lag_committed() == count - consumed);
    CHECK(p->lag_position() == count - consumed);
    CHECK(last->type == "consumer");
    CHECK(last->rxmsgs >= consumed);
    REQUIRE(last->consumer_group);
    CHECK(last->consumer_group->state == "up");
    CHECK(last->consumer_group->join_state == "steady");
    CHECK(last->consumer_group->assignment_size == 1);
    CHECK(last->consumer_group->rebalance_cnt >= 1);
    const auto* t = last->find_topic(topic);
    REQUIRE(t);
    for (const auto& q : t->partitions)
        CHECK((q.partition == 0 || q.is_unassigned()));
}

// -- Awaiting statistics (async clients) --------------------------------------------------------

TEST_CASE("async clients await their next statistics; off, the wait fails at once",
          "[statistics][async][mock]") {
    namespace asio = boost::asio;
    mock_cluster cluster;
    const auto topic = unique_name("stats-await");
    cluster.create_topic(topic, 1);
    asio::io_context io;

    auto producer_config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    producer_config.statistics_interval(1000ms);
    kflow::async_producer<std::string, std::string> producer(io.get_executor(), producer_config);
    auto consumer_config = kflow::testing::test_consumer_config(cluster.bootstrap_servers(),
                                                                unique_name("stats-await-group"));
    consumer_config.statistics_interval(1000ms);
    kflow::async_consumer<std::string, std::string> consumer(io.get_executor(), consumer_config);
    kflow::async_producer<std::string, std::string> quiet(
        io.get_executor(), kflow::testing::test_producer_config(cluster.bootstrap_servers()));

    kflow::testing::run_coroutine(
        io,
        [&]() -> asio::awaitable<void> {
            (void)co_await producer.async_send({topic, "k", "v"});
            // The producer's first document after the send may predate the delivery: wait for
            // the one that counts it.
            kflow::metrics::statistics s;
            for (int i = 0; i < 5 && s.txmsgs.value_or(0) < 1; ++i)
                s = co_await producer.async_next_statistics();
            CHECK(s.name == producer.name());
            CHECK(s.type == "producer");
            CHECK(s.txmsgs == 1);

            const auto c = co_await consumer.async_next_statistics();
            CHECK(c.name == consumer.name());
            CHECK(c.type == "consumer");

            // Without statistics_interval() the statistics are off.
            auto [ec, none] =
                co_await quiet.async_next_statistics(asio::as_tuple(asio::use_awaitable));
            CHECK(ec == kflow::make_error_code(kflow::errc::invalid_config));
            CHECK(none.name.empty());
        },
        20s);
}

TEST_CASE("a wait for statistics is withdrawn by cancellation, and by the client's end",
          "[statistics][async][mock]") {
    namespace asio = boost::asio;
    mock_cluster cluster;
    asio::io_context io;
    auto config = kflow::testing::test_producer_config(cluster.bootstrap_servers());
    config.statistics_interval(60000ms);  // none comes during the test
    std::optional<kflow::async_producer<std::string, std::string>> producer;
    producer.emplace(io.get_executor(), config);

    asio::cancellation_signal cancel;
    std::optional<boost::system::error_code> cancelled;
    producer->async_next_statistics(asio::bind_cancellation_slot(
        cancel.slot(),
        [&](boost::system::error_code ec, const kflow::metrics::statistics&) { cancelled = ec; }));
    std::optional<boost::system::error_code> ended;
    producer->async_next_statistics(
        [&](boost::system::error_code ec, const kflow::metrics::statistics&) { ended = ec; });
    cancel.emit(asio::cancellation_type::terminal);
    const auto until = clock_type::now() + 10s;
    while (!cancelled && clock_type::now() < until)
        io.run_one_for(100ms);
    REQUIRE(cancelled);
    CHECK(*cancelled == asio::error::operation_aborted);
    CHECK_FALSE(ended);

    producer.reset();  // the client's end: nothing more will come
    while (!ended && clock_type::now() < until)
        io.run_one_for(100ms);
    REQUIRE(ended);
    CHECK(*ended == asio::error::operation_aborted);
}
