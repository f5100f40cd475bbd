// kflow::config_from_env (kflow/env_config.hpp) on an environment made from the input:
// NAME=VALUE lines, split at the first '='; a line without one is a name with an empty value,
// and a later line for the same name wins, as in a shell.
//
// Checked:
//  - it returns a config or throws an exception derived from std::exception;
//  - a secret never shows: to_string() prints every property holding a secret as [redacted],
//    judged by the name librdkafka actually stored (it reads names as C strings), and no secret
//    value appears more often in to_string(), what() or ignored_variables() than when the same
//    environment is run again with every secret value replaced by filler of the same length;
//  - an empty prefix is refused.

#include <kflow/env_config.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view prefix = "KAFKA_";

void check(bool ok) {
    if (!ok)
        __builtin_trap();
}

// The name librdkafka sees: rd_kafka_conf_set() takes a C string.
std::string_view as_c_string(std::string_view s) {
    return s.substr(0, s.find('\0'));
}

// librdkafka's properties that hold secrets, written out here rather than taken from
// kflow::is_secret_property, which is what is being checked.
bool holds_secret(std::string_view property) {
    return property.find("password") != std::string_view::npos ||
           property.find("secret") != std::string_view::npos || property == "ssl.key.pem" ||
           property == "ssl_key" || property == "sasl.oauthbearer.config" ||
           property == "sasl.oauthbearer.extensions" ||
           property.starts_with("sasl.oauthbearer.assertion");
}

// The properties a variable can end up setting: foo.bar, or foo_bar when only that exists.
struct mapping {
    std::string dotted;
    std::string underscored;
};

// With `as_stored`, the names as librdkafka stores them (up to a NUL byte); else as kflow does.
mapping property_of(std::string_view variable, bool as_stored = true) {
    mapping m;
    m.dotted = kflow::env_name_to_property(variable.substr(prefix.size()));
    if (as_stored)
        m.dotted.resize(as_c_string(m.dotted).size());
    m.underscored = m.dotted;
    for (char& ch : m.underscored) {
        if (ch == '.')
            ch = '_';
    }
    return m;
}

bool is_secret(const mapping& m) {
    return holds_secret(m.dotted) || holds_secret(m.underscored);
}

std::map<std::string, std::string> environment_of(const std::uint8_t* data, std::size_t size) {
    std::map<std::string, std::string> env;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        const auto line = text.substr(start, end - start);
        start = end + 1;
        const auto eq = line.find('=');
        std::string name(line.substr(0, eq));
        std::string value(eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1));
        if (name.starts_with(prefix) && name.size() > prefix.size()) {
            const auto stored = property_of(name);
            // plugin.library.paths makes librdkafka dlopen() the files it names as soon as it
            // is set: the fuzzer would load whatever libraries it can guess into itself.
            if (stored.dotted.starts_with("plugin."))
                continue;
        }
        env.insert_or_assign(std::move(name), std::move(value));
    }
    return env;
}

bool is_secret_variable(const std::string& variable, const std::string& value) {
    if (!variable.starts_with(prefix) || variable.size() == prefix.size() || value.empty())
        return false;
    return is_secret(property_of(variable));
}

// What config_from_env() lets anyone see: the printed config, or the exception's message, and
// the names of the variables it skipped.
std::string run(const std::map<std::string, std::string>& env) {
    std::string out;
    try {
        const auto config = kflow::config_from_env(env, prefix);
        out = config.to_string();
        for (const auto& name : config.ignored_variables()) {
            check(env.contains(name) && name.starts_with(prefix));
            out += name;
            out += '\n';
        }

        // Line by line, every property holding a secret (by the name librdkafka stored) shows
        // as [redacted]; the others show their value or, if kflow is more careful, [redacted].
        const std::string printed = config.to_string();
        std::string_view rest(printed);
        for (const auto& [key, value] : config.properties()) {
            const std::string head = key + "=";
            check(rest.starts_with(head));
            rest.remove_prefix(head.size());
            const std::string redacted = std::string(kflow::redacted) + "\n";
            const std::string clear = value + "\n";
            if (rest.starts_with(redacted)) {
                rest.remove_prefix(redacted.size());
            } else {
                check(!holds_secret(as_c_string(key)));
                check(rest.starts_with(clear));
                rest.remove_prefix(clear.size());
            }
        }
        check(rest.empty());
    } catch (const std::exception& e) {
        out = e.what();
    }
    return out;
}

/// `text` without the "[redacted]" markers: a short secret ("e", "act") can be part of the
/// marker that replaced it, which shows nothing.
std::string without_markers(std::string text) {
    for (auto pos = text.find(kflow::redacted); pos != std::string::npos;
         pos = text.find(kflow::redacted, pos))
        text.erase(pos, kflow::redacted.size());
    return text;
}

std::size_t occurrences(std::string_view text, std::string_view needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string_view::npos;
         pos = text.find(needle, pos + 1))
        ++n;
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto env = environment_of(data, size);

    std::vector<std::string> secrets;
    auto filled = env;
    for (auto& [variable, value] : filled) {
        if (is_secret_variable(variable, value)) {
            secrets.push_back(value);
            value.assign(value.size(), 'Z');
        }
    }

    const std::string shown = without_markers(run(env));
    if (!secrets.empty()) {
        // Anything the secret values alone put in the output is a leak.
        const std::string baseline = without_markers(run(filled));
        for (const auto& secret : secrets)
            check(occurrences(shown, secret) <= occurrences(baseline, secret));
    }

    try {
        (void)kflow::config_from_env(env, "");
        check(false);
    } catch (const kflow::kafka_error& e) {
        check(e.code() == kflow::errc::invalid_config);
    }
    return 0;
}
