// The Prometheus metrics registry: naming rules and errors, counter/gauge/histogram semantics,
// updates from several threads, escaping and number formatting, the exact text of a small
// registry, and Prometheus' own promtool accepting an exposition with every kind of metric.
#include <kflow/metrics/registry.hpp>

#include <kflow/error.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
namespace metrics = kflow::metrics;

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

/// Runs `action` and returns the message of the kafka_error it throws, checking that the code
/// is the invalid-argument one; fails the test when it throws nothing.
std::string invalid_argument_message(const std::function<void()>& action) {
    try {
        action();
    } catch (const kflow::kafka_error& e) {
        CHECK(e.code() == kflow::errc::invalid_config);
        CHECK(e.code() == std::errc::invalid_argument);
        return e.what();
    }
    FAIL("no kafka_error was thrown");
    return {};
}

/// The exit status of `command` run by /bin/sh, or -1 when it did not exit normally.
int run_shell(const std::string& command) {
    const int status = std::system(command.c_str());
    return (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A file in the temporary directory, removed at the end of the scope.
struct temporary_file {
    std::filesystem::path path;
    explicit temporary_file(const std::string& stem)
        : path(std::filesystem::temp_directory_path() /
               (stem + "-" + std::to_string(::getpid()) + "-" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()))) {}
    ~temporary_file() {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
    temporary_file(const temporary_file&) = delete;
    temporary_file& operator=(const temporary_file&) = delete;
};

struct promtool_result {
    int status = -1;
    std::string output;  // stdout and stderr together
};

/// `promtool check metrics < exposition`.
promtool_result promtool_check(const std::string& exposition) {
    const temporary_file input("kflow-metrics-exposition");
    const temporary_file output("kflow-metrics-promtool");
    {
        std::ofstream out(input.path, std::ios::binary);
        out << exposition;
    }
    promtool_result result;
    result.status = run_shell("promtool check metrics < '" + input.path.string() + "' > '" +
                              output.path.string() + "' 2>&1");
    result.output = read_file(output.path);
    return result;
}

}  // namespace

// -- Names ------------------------------------------------------------------------------------

TEST_CASE("metric and label names follow the Prometheus data model", "[metrics]") {
    CHECK(metrics::is_valid_metric_name("kafka_producer_messages_total"));
    CHECK(metrics::is_valid_metric_name("_x"));
    CHECK(metrics::is_valid_metric_name("job:rate5m"));
    CHECK(metrics::is_valid_metric_name("A9"));
    CHECK_FALSE(metrics::is_valid_metric_name(""));
    CHECK_FALSE(metrics::is_valid_metric_name("9lives"));
    CHECK_FALSE(metrics::is_valid_metric_name("kafka-messages"));
    CHECK_FALSE(metrics::is_valid_metric_name("kafka.messages"));
    CHECK_FALSE(metrics::is_valid_metric_name("bytes\xc3\xa9"));

    CHECK(metrics::is_valid_label_name("topic"));
    CHECK(metrics::is_valid_label_name("_private"));
    CHECK(metrics::is_valid_label_name("le"));  // reserved by histograms only
    CHECK_FALSE(metrics::is_valid_label_name(""));
    CHECK_FALSE(metrics::is_valid_label_name("__name__"));
    CHECK_FALSE(metrics::is_valid_label_name("__x"));
    CHECK_FALSE(metrics::is_valid_label_name("job:name"));  // colons: metric names only
    CHECK_FALSE(metrics::is_valid_label_name("1st"));
    CHECK_FALSE(metrics::is_valid_label_name("client-id"));

    CHECK(metrics::is_valid_utf8("plain"));
    CHECK(metrics::is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
    CHECK_FALSE(metrics::is_valid_utf8("\xff"));
    CHECK_FALSE(metrics::is_valid_utf8("\xc3"));              // truncated
    CHECK_FALSE(metrics::is_valid_utf8("\xc0\xaf"));          // overlong '/'
    CHECK_FALSE(metrics::is_valid_utf8("\xed\xa0\x80"));      // a surrogate
    CHECK_FALSE(metrics::is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST_CASE("the registry refuses names, labels and help that break the rules", "[metrics]") {
    metrics::registry reg;
    CHECK_THAT(invalid_argument_message([&] { reg.counter_family("bad-name_total", "h"); }),
               Catch::Contains("bad-name_total") && Catch::Contains("not a valid metric name"));
    CHECK_THAT(invalid_argument_message([&] { reg.counter_family("records_sent", "h"); }),
               Catch::Contains("must end in _total"));
    CHECK_THAT(invalid_argument_message([&] { reg.gauge_family("queue_total", "h"); }),
               Catch::Contains("only a counter"));
    CHECK_THAT(invalid_argument_message([&] { reg.histogram_family("latency_total", "h"); }),
               Catch::Contains("only a counter"));
    CHECK_THAT(invalid_argument_message([&] { reg.gauge_family("queue_depth", ""); }),
               Catch::Contains("help text"));
    CHECK_THAT(invalid_argument_message([&] { reg.gauge_family("queue_depth", "\xff"); }),
               Catch::Contains("help text"));
    CHECK_THAT(invalid_argument_message([&] { reg.gauge_family("queue_depth", "h", {"__a"}); }),
               Catch::Contains("'__a' is not a valid label name"));
    CHECK_THAT(invalid_argument_message([&] {
                   reg.gauge_family("queue_depth", "h", {"topic", "topic"});
               }),
               Catch::Contains("appears twice"));
    CHECK_THAT(invalid_argument_message([&] { reg.histogram_family("wait_seconds", "h", {"le"}); }),
               Catch::Contains("reserved"));
    CHECK_THAT(invalid_argument_message([&] {
                   reg.histogram_family("wait_seconds", "h", {}, {1, 1});
               }),
               Catch::Contains("strictly ascending"));
    CHECK_THAT(invalid_argument_message([&] {
                   reg.histogram_family("wait_seconds", "h", {}, {2, 1});
               }),
               Catch::Contains("strictly ascending"));
    CHECK_THAT(invalid_argument_message(
                   [&] { reg.histogram_family("wait_seconds", "h", {}, {not_a_number}); }),
               Catch::Contains("finite"));
    CHECK_THAT(invalid_argument_message([&] {
                   reg.histogram_family("wait_seconds", "h", {}, {-infinity, 1});
               }),
               Catch::Contains("finite"));
    CHECK_THAT(invalid_argument_message([&] {
                   reg.histogram_family("wait_seconds", "h", {}, {1, infinity, 2});
               }),
               Catch::Contains("finite"));
    CHECK(reg.size() == 0);  // nothing refused was registered
}

TEST_CASE("registering a name again returns the same family, or fails if it differs", "[metrics]") {
    metrics::registry reg;
    auto& sent = reg.counter_family("messages_total", "Records sent.", {"topic"});
    CHECK(&reg.counter_family("messages_total", "Records sent.", {"topic"}) == &sent);
    auto& wait = reg.histogram_family("wait_seconds", "Waits.", {}, {0.1, 1, infinity});
    CHECK(wait.upper_bounds() == std::vector<double>{0.1, 1});  // +Inf is implied
    CHECK(&reg.histogram_family("wait_seconds", "Waits.", {}, {0.1, 1}) == &wait);
    CHECK(reg.size() == 2);

    CHECK_THAT(invalid_argument_message([&] { reg.gauge_family("wait_seconds", "Waits."); }),
               Catch::Contains("another type"));
    CHECK_THAT(invalid_argument_message(
                   [&] { reg.counter_family("messages_total", "Records sent.", {"client_id"}); }),
               Catch::Contains("other labels"));
    CHECK_THAT(invalid_argument_message([&] {
                   reg.counter_family("messages_total", "Records sent.", {"topic", "partition"});
               }),
               Catch::Contains("other labels"));
    CHECK_THAT(invalid_argument_message(
                   [&] { reg.counter_family("messages_total", "Other help.", {"topic"}); }),
               Catch::Contains("other help"));
    CHECK_THAT(invalid_argument_message([&] { reg.histogram_family("wait_seconds", "Waits."); }),
               Catch::Contains("other buckets"));
    // A histogram's samples are name_bucket, name_sum and name_count: no family may take them,
    // nor may a histogram be named so that its samples take an existing name.
    CHECK_THAT(invalid_argument_message([&] { reg.gauge_family("wait_seconds_count", "h"); }),
               Catch::Contains("collide"));
    reg.gauge_family("pause_sum", "h");
    CHECK_THAT(invalid_argument_message([&] { reg.histogram_family("pause", "h"); }),
               Catch::Contains("collide"));
    CHECK(reg.size() == 3);
}

TEST_CASE("a child is looked up by exactly one value per label name", "[metrics]") {
    metrics::registry reg;
    auto& sent = reg.counter_family("messages_total", "h", {"client_id", "topic"});
    CHECK(&sent.with({"p1", "orders"}) == &sent.with({"p1", "orders"}));
    CHECK(&sent.with({"p1", "orders"}) != &sent.with({"p1", "payments"}));
    CHECK_THAT(invalid_argument_message([&] { (void)sent.with({"p1"}); }),
               Catch::Contains("2 label names (client_id, topic) but 1 label values"));
    CHECK_THAT(invalid_argument_message([&] {
                   (void)sent.with({"p1", "orders", "x"});
               }),
               Catch::Contains("but 3 label values"));
    CHECK_THAT(invalid_argument_message([&] {
                   (void)sent.with({"p1", "\xc3"});
               }),
               Catch::Contains("label 'topic' is not valid UTF-8"));
    CHECK_THAT(invalid_argument_message([&] { sent.remove({}); }),
               Catch::Contains("but 0 label values"));
    CHECK(sent.size() == 2);

    // A family without labels has its one child from the start.
    auto& up = reg.gauge_family("up", "h");
    CHECK(up.size() == 1);
    CHECK(&up.with({}) == &up.with({}));
}

// -- Semantics --------------------------------------------------------------------------------

TEST_CASE("a counter only goes up", "[metrics]") {
    metrics::counter c;
    CHECK(c.value() == 0);
    c.inc();
    c.add(2);
    c.add(0.5);
    c.add(0);
    CHECK(c.value() == 3.5);
    CHECK_THAT(invalid_argument_message([&] { c.add(-1); }), Catch::Contains("finite amount >= 0"));
    invalid_argument_message([&] { c.add(not_a_number); });
    invalid_argument_message([&] { c.add(infinity); });
    CHECK(c.value() == 3.5);

    // Mirroring a total kept elsewhere: it may restart lower, never go negative.
    c.set_total(10);
    CHECK(c.value() == 10);
    c.set_total(2.25);
    CHECK(c.value() == 2.25);
    c.inc();
    CHECK(c.value() == 3.25);
    invalid_argument_message([&] { c.set_total(-1); });
    invalid_argument_message([&] { c.set_total(not_a_number); });
    CHECK(c.value() == 3.25);
}

TEST_CASE("a gauge is set and moves both ways", "[metrics]") {
    metrics::gauge g;
    CHECK(g.value() == 0);
    g.set(5);
    g.inc();
    g.dec();
    g.dec();
    g.add(-1.5);
    g.sub(0.5);
    CHECK(g.value() == 2);
    g.set(-infinity);
    CHECK(g.value() == -infinity);
    g.set(not_a_number);
    CHECK(std::isnan(g.value()));
}

TEST_CASE("a histogram counts a value into the first bucket whose bound is >= it", "[metrics]") {
    metrics::histogram h({1, 2, 5});
    for (const double v : {-3.0, 0.5, 1.0, 1.0000001, 2.0, 4.0, 5.0, 7.0, 1e9})
        h.observe(v);
    const auto s = h.snapshot();
    CHECK(s.upper_bounds == std::vector<double>{1, 2, 5});
    CHECK(s.cumulative_counts == std::vector<std::uint64_t>{3, 5, 7, 9});
    CHECK(s.count == 9);
    CHECK(h.count() == 9);
    CHECK(s.sum == Approx(-3.0 + 0.5 + 1 + 1.0000001 + 2 + 4 + 5 + 7 + 1e9));
    CHECK(h.sum() == s.sum);
    CHECK_THAT(invalid_argument_message([&] { h.observe(not_a_number); }), Catch::Contains("NaN"));
    h.observe(infinity);
    CHECK(h.snapshot().cumulative_counts == std::vector<std::uint64_t>{3, 5, 7, 10});

    metrics::histogram latency;  // the default latency buckets, in seconds
    CHECK(latency.upper_bounds() == metrics::default_latency_buckets());
    CHECK(latency.upper_bounds().front() == 0.0005);
    CHECK(latency.upper_bounds().back() == 10);
    latency.observe(3ms);
    latency.observe(std::chrono::microseconds(400));
    const auto l = latency.snapshot();
    CHECK(l.cumulative_counts[0] == 1);  // <= 0.5 ms
    CHECK(l.cumulative_counts[3] == 2);  // <= 5 ms
    CHECK(l.sum == Approx(0.0034));

    metrics::histogram only_inf(std::vector<double>{});
    only_inf.observe(1);
    CHECK(only_inf.snapshot().cumulative_counts == std::vector<std::uint64_t>{1});
}

TEST_CASE("remove, clear and replace drop children; replace sets a snapshot", "[metrics]") {
    metrics::registry reg;
    auto& lag = reg.gauge_family("consumer_lag_messages", "Lag.", {"topic", "partition"});
    auto& kept = lag.with({"orders", "0"});
    lag.with({"orders", "1"}).set(7);
    CHECK(lag.remove({"orders", "1"}));
    CHECK_FALSE(lag.remove({"orders", "1"}));
    CHECK(lag.size() == 1);

    lag.with({"orders", "2"}).set(1);
    lag.replace({{{"orders", "0"}, 10}, {{"payments", "0"}, 3}});
    CHECK(lag.size() == 2);
    CHECK(&lag.with({"orders", "0"}) == &kept);  // a child that stays keeps its address
    CHECK(kept.value() == 10);
    CHECK(lag.with({"payments", "0"}).value() == 3);
    CHECK(lag.size() == 2);  // orders/2 is gone, not recreated by the look-ups above

    // An invalid snapshot changes nothing.
    CHECK_THAT(invalid_argument_message([&] {
                   lag.replace({{{"a", "0"}, 1}, {{"a", "0"}, 2}});
               }),
               Catch::Contains("same labels twice"));
    invalid_argument_message([&] { lag.replace({{{"a", "0"}, 1}, {{"a"}, 2}}); });
    CHECK(lag.size() == 2);
    CHECK(kept.value() == 10);

    auto& sent = reg.counter_family("broker_requests_total", "Requests.", {"broker"});
    sent.replace({{{"1"}, 5}, {{"2"}, 6}});
    CHECK(sent.with({"2"}).value() == 6);
    CHECK_THAT(invalid_argument_message([&] {
                   sent.replace({{{"1"}, 7}, {{"2"}, -1}});
               }),
               Catch::Contains("finite and >= 0"));
    CHECK(sent.with({"1"}).value() == 5);

    lag.replace({});
    CHECK(lag.size() == 0);
    sent.clear();
    CHECK(sent.size() == 0);
    // Families without children render nothing at all.
    CHECK(reg.render_text().empty());
}

TEST_CASE("updates from several threads add up exactly", "[metrics]") {
    metrics::registry reg;
    auto& sent = reg.counter_family("messages_total", "h", {"topic"});
    auto& depth = reg.gauge_family("queue_depth", "h");
    auto& sizes = reg.histogram_family("size_bytes", "h", {"topic"}, {10, 100});
    constexpr int threads = 4;
    constexpr int per_thread = 100000;

    // Renders concurrently: must neither block updates nor crash. (Catch's assertions are not
    // thread-safe: the outcome is counted here and checked on the test's thread.)
    std::atomic<bool> done{false};
    std::atomic<int> renders{0};
    std::atomic<int> empty_renders{0};
    std::thread renderer([&] {
        while (!done.load()) {
            if (reg.render_text().empty())
                ++empty_renders;
            ++renders;
        }
    });
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            // Every thread looks the children up itself: creation races too.
            auto& c = sent.with({"orders"});
            auto& g = depth.with({});
            auto& h = sizes.with({"orders"});
            auto& mine = sent.with({"t" + std::to_string(t)});
            for (int i = 0; i < per_thread; ++i) {
                c.inc();
                c.add(2);
                g.inc();
                g.dec();
                g.add(0.5);
                h.observe(static_cast<double>(i % 200));
                mine.inc();
            }
        });
    }
    for (auto& w : workers)
        w.join();
    done = true;
    renderer.join();
    CHECK(renders.load() > 0);
    CHECK(empty_renders.load() == 0);

    CHECK(sent.with({"orders"}).value() == 3.0 * threads * per_thread);
    CHECK(depth.with({}).value() == 0.5 * threads * per_thread);
    const auto s = sizes.with({"orders"}).snapshot();
    CHECK(s.count == std::uint64_t{threads} * per_thread);
    // Per thread, i % 200 is 0..10 eleven times in 200, 0..100 a hundred and one times.
    CHECK(s.cumulative_counts == std::vector<std::uint64_t>{threads * 11 * (per_thread / 200),
                                                            threads * 101 * (per_thread / 200),
                                                            s.count});
    CHECK(s.sum == double(threads) * (per_thread / 200) * (199.0 * 200 / 2));
    for (int t = 0; t < threads; ++t)
        CHECK(sent.with({"t" + std::to_string(t)}).value() == per_thread);
    CHECK(sent.size() == threads + 1);
}

// -- Text format ------------------------------------------------------------------------------

TEST_CASE("values are written so Prometheus parses them, without exponent noise", "[metrics]") {
    CHECK(metrics::format_value(0) == "0");
    CHECK(metrics::format_value(-0.0) == "0");
    CHECK(metrics::format_value(1) == "1");
    CHECK(metrics::format_value(-1) == "-1");
    CHECK(metrics::format_value(42) == "42");
    CHECK(metrics::format_value(1000000) == "1000000");
    CHECK(metrics::format_value(9007199254740993.0) == "9007199254740992");
    CHECK(metrics::format_value(1e20) == "100000000000000000000");
    CHECK(metrics::format_value(1e21) == "1e+21");
    CHECK(metrics::format_value(0.1) == "0.1");
    CHECK(metrics::format_value(2.5) == "2.5");
    CHECK(metrics::format_value(0.0005) == "0.0005");
    CHECK(metrics::format_value(0.00001) == "1e-05");
    CHECK(metrics::format_value(-0.25) == "-0.25");
    CHECK(metrics::format_value(1.0 / 3) == "0.3333333333333333");
    CHECK(metrics::format_value(1.5e300) == "1.5e+300");
    CHECK(metrics::format_value(std::numeric_limits<double>::denorm_min()) == "5e-324");
    CHECK(metrics::format_value(infinity) == "+Inf");
    CHECK(metrics::format_value(-infinity) == "-Inf");
    CHECK(metrics::format_value(not_a_number) == "NaN");
    for (const double v : {0.1, 1.0 / 3, 123.456, 1e-7, 6.02214076e23, 0.0025})
        CHECK(std::stod(metrics::format_value(v)) == v);  // round trip
}

TEST_CASE("help text and label values are escaped", "[metrics]") {
    CHECK(metrics::escape_help("a\\b\nc \"quoted\"") == "a\\\\b\\nc \"quoted\"");
    CHECK(metrics::escape_label_value("a\\b\nc \"quoted\"") == "a\\\\b\\nc \\\"quoted\\\"");
    CHECK(metrics::escape_label_value("caf\xc3\xa9") == "caf\xc3\xa9");
    CHECK(metrics::content_type == "text/plain; version=0.0.4; charset=utf-8");
}

TEST_CASE("a small registry renders exactly", "[metrics]") {
    metrics::registry reg;
    // Registered out of order: families render sorted by name, children by label values.
    auto& wait =
        reg.histogram_family("kafka_producer_queue_wait_seconds",
                             "Time records waited\nin the queue.", {"topic"}, {0.01, 0.1, 1});
    auto& sent = reg.counter_family("kafka_producer_messages_total", "Records sent (\\o/).",
                                    {"client_id", "topic"});
    auto& depth = reg.gauge_family("kafka_producer_queue_messages", "Records in the queue.");
    reg.gauge_family("kafka_consumer_lag_messages", "Never used: not rendered.", {"topic"});

    sent.with({"p2", "orders"}).add(3);
    sent.with({"p1", "pay\"ments\\\n"}).inc();
    sent.with({"p1", "orders"}).add(1000000);
    depth.with({}).set(-2.5);
    auto& orders_wait = wait.with({"orders"});
    orders_wait.observe(0.005);
    orders_wait.observe(0.01);
    orders_wait.observe(0.5);
    orders_wait.observe(2.0);
    (void)wait.with({""});  // an empty value is a value like any other

    const std::string expected =
        "# HELP kafka_producer_messages_total Records sent (\\\\o/).\n"
        "# TYPE kafka_producer_messages_total counter\n"
        "kafka_producer_messages_total{client_id=\"p1\",topic=\"orders\"} 1000000\n"
        "kafka_producer_messages_total{client_id=\"p1\",topic=\"pay\\\"ments\\\\\\n\"} 1\n"
        "kafka_producer_messages_total{client_id=\"p2\",topic=\"orders\"} 3\n"
        "# HELP kafka_producer_queue_messages Records in the queue.\n"
        "# TYPE kafka_producer_queue_messages gauge\n"
        "kafka_producer_queue_messages -2.5\n"
        "# HELP kafka_producer_queue_wait_seconds Time records waited\\nin the queue.\n"
        "# TYPE kafka_producer_queue_wait_seconds histogram\n"
        "kafka_producer_queue_wait_seconds_bucket{topic=\"\",le=\"0.01\"} 0\n"
        "kafka_producer_queue_wait_seconds_bucket{topic=\"\",le=\"0.1\"} 0\n"
        "kafka_producer_queue_wait_seconds_bucket{topic=\"\",le=\"1\"} 0\n"
        "kafka_producer_queue_wait_seconds_bucket{topic=\"\",le=\"+Inf\"} 0\n"
        "kafka_producer_queue_wait_seconds_sum{topic=\"\"} 0\n"
        "kafka_producer_queue_wait_seconds_count{topic=\"\"} 0\n"
        "kafka_producer_queue_wait_seconds_bucket{topic=\"orders\",le=\"0.01\"} 2\n"
        "kafka_producer_queue_wait_seconds_bucket{topic=\"orders\",le=\"0.1\"} 2\n"
        "kafka_producer_queue_wait_seconds_bucket{topic=\"orders\",le=\"1\"} 3\n"
        "kafka_producer_queue_wait_seconds_bucket{topic=\"orders\",le=\"+Inf\"} 4\n"
        "kafka_producer_queue_wait_seconds_sum{topic=\"orders\"} 2.515\n"
        "kafka_producer_queue_wait_seconds_count{topic=\"orders\"} 4\n";
    CHECK(reg.render_text() == expected);
    CHECK(metrics::to_prometheus_text(reg) == expected);

    // A histogram without labels puts le alone in the braces, and nothing on _sum and _count.
    metrics::registry plain;
    plain.histogram_family("rtt_seconds", "Round trips.", {}, {0.5}).with({}).observe(0.25);
    CHECK(plain.render_text() ==
          "# HELP rtt_seconds Round trips.\n"
          "# TYPE rtt_seconds histogram\n"
          "rtt_seconds_bucket{le=\"0.5\"} 1\n"
          "rtt_seconds_bucket{le=\"+Inf\"} 1\n"
          "rtt_seconds_sum 0.25\n"
          "rtt_seconds_count 1\n");
}

TEST_CASE("promtool accepts an exposition with every kind of metric", "[metrics][promtool]") {
    if (run_shell("command -v promtool > /dev/null 2>&1") != 0) {
        FAIL(
            "promtool is not installed, so the exposition cannot be checked: install Debian's "
            "`prometheus` package (apt-get install -y prometheus; scripts/lib/common.sh lists "
            "it, so scripts/quickstart.sh and scripts/test.sh install it)");
    }

    metrics::registry reg;
    auto& sent = reg.counter_family("kafka_producer_messages_total",
                                    "Records sent, by client and topic.\nSecond line \\ here.",
                                    {"client_id", "topic"});
    sent.with({"p1", "orders"}).add(12);
    sent.with({"p1", "we\"ird\\to\npic \xc3\xa9"}).add(0.5);
    auto& bytes = reg.counter_family("kafka_producer_bytes_total", "Bytes sent.");
    bytes.with({}).add(1e22);
    auto& lag = reg.gauge_family("kafka_consumer_lag_messages", "Consumer lag, by partition.",
                                 {"topic", "partition"});
    lag.replace({{{"orders", "0"}, 3}, {{"orders", "1"}, 0}, {{"x\"y", "2"}, -infinity}});
    reg.gauge_family("kafka_consumer_rebalance_ratio", "A NaN gauge.").with({}).set(not_a_number);
    auto& latency =
        reg.histogram_family("kafka_producer_delivery_seconds", "Delivery latency.", {"topic"});
    latency.with({"orders"}).observe(0.003);
    latency.with({"orders"}).observe(42.0);
    latency.with({"a\\b"}).observe(0.0001);
    auto& sizes =
        reg.histogram_family("kafka_producer_batch_size_bytes", "Batch sizes.", {}, {1e3, 1e6});
    sizes.with({}).observe(123456);

    const std::string exposition = reg.render_text();
    INFO(exposition);
    const auto result = promtool_check(exposition);
    INFO("promtool said: " << result.output);
    CHECK(result.status == 0);
    CHECK(result.output.find_first_not_of(" \n") == std::string::npos);

    // The check can fail: promtool does flag what the registry refuses to produce.
    const auto bad = promtool_check(
        "# HELP records_sent Records.\n# TYPE records_sent counter\nrecords_sent 1\n");
    CHECK_THAT(bad.output, Catch::Contains("_total"));
}
