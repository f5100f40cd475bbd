#pragma once
// The command line of kflow-async-producer, parsed without I/O: every mistake becomes one
// message naming the argument at fault.

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace example {

struct options {
    std::string bootstrap;  ///< empty: KAFKA_BOOTSTRAP_SERVERS, else an embedded mock cluster
    std::string topic = "orders";
    int count = 20;
    int window = 8;
    bool help = false;
};

struct parse_result {
    std::optional<options> parsed;
    std::string error;
};

inline constexpr std::string_view usage_text =
    R"(usage: kflow-async-producer [--bootstrap HOST:PORT] [--topic NAME] [--count N] [--window W]

Sends N keyed JSON orders (key = customer) with headers, keeping up to W sends in
flight, prints where each one was stored, then flushes.

  --bootstrap HOST:PORT  the cluster (default: KAFKA_BOOTSTRAP_SERVERS, with the other
                         KAFKA_* settings; without either, an embedded mock cluster)
  --topic NAME           topic to write (default orders)
  --count N              orders to send, 1..1000000 (default 20)
  --window W             sends in flight at once, 1..1000 (default 8)
  -h, --help             show this help and exit

Exit status: 0 when every order was delivered, 1 otherwise, 2 on a bad argument.
)";

/// A whole number in [min, max], or std::nullopt.
[[nodiscard]] inline std::optional<int> parse_int(std::string_view text, int min, int max) {
    int value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || value < min || value > max)
        return std::nullopt;
    return value;
}

[[nodiscard]] inline parse_result parse_options(const std::vector<std::string_view>& args) {
    options out;
    const auto fail = [](std::string why) { return parse_result{std::nullopt, std::move(why)}; };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view name = args[i];
        if (name == "-h" || name == "--help") {
            out.help = true;
            continue;
        }
        if (name != "--bootstrap" && name != "--topic" && name != "--count" && name != "--window") {
            return fail("unknown argument '" + std::string(name) + "'");
        }
        if (i + 1 == args.size())
            return fail(std::string(name) + " needs a value");
        const std::string_view value = args[++i];
        if (name == "--bootstrap" || name == "--topic") {
            if (value.empty())
                return fail(std::string(name) + " must not be empty");
            (name == "--bootstrap" ? out.bootstrap : out.topic) = std::string(value);
        } else if (name == "--count") {
            const auto n = parse_int(value, 1, 1000000);
            if (!n)
                return fail("--count '" + std::string(value) + "': must be 1..1000000");
            out.count = *n;
        } else {
            const auto n = parse_int(value, 1, 1000);
            if (!n)
                return fail("--window '" + std::string(value) + "': must be 1..1000");
            out.window = *n;
        }
    }
    return {out, {}};
}

}  // namespace example
