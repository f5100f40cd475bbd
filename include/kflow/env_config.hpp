#pragma once
// Client configuration from environment variables, the twelve-factor way:
//
//     KAFKA_BOOTSTRAP_SERVERS=broker:9093 KAFKA_SECURITY_PROTOCOL=SASL_SSL
//     KAFKA_SASL_MECHANISM=SCRAM-SHA-512 KAFKA_SASL_USERNAME=app KAFKA_SASL_PASSWORD=...
//
//     kflow::producer_config cfg(kflow::config_from_env());
//
// Every PREFIX_FOO_BAR becomes the librdkafka property foo.bar (lower case, '_' -> '.'; when
// librdkafka knows no foo.bar but knows foo_bar, as with log_level, that one). Kafka
// installations keep other variables under the same prefix (KAFKA_HOME, KAFKA_OPTS,
// KAFKA_HEAP_OPTS, ...): a variable that names no librdkafka property is skipped and listed by
// ignored_variables(), never an error. A variable that names a property but holds a value
// librdkafka rejects throws, naming the variable. An empty variable counts as unset.
//
// Other Kafka tooling and .env files name some settings differently; these aliases are read
// too: PREFIX_USERNAME, PREFIX_PASSWORD, PREFIX_CA_CERT and (with the default prefix)
// CONFLUENT_API_KEY / CONFLUENT_API_SECRET. KFLOW_REQUIRE_TLS=1 turns on require_tls().
// config_from_env_file() reads the same variables from a .env file.

#include <kflow/config.hpp>
#include <kflow/error.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kflow {

/// A client_config read from the environment, which also remembers what it read and skipped.
class env_config : public client_config {
  public:
    /// The variables (names only: values may be secrets) that name no librdkafka property.
    [[nodiscard]] const std::vector<std::string>& ignored_variables() const noexcept {
        return ignored_;
    }
    /// The variables (names only) that were read: those that set a property, the aliases
    /// (also one that agreed with its canonical variable) and KFLOW_REQUIRE_TLS, in the order
    /// they were applied.
    [[nodiscard]] const std::vector<std::string>& used_variables() const noexcept { return used_; }

  private:
    friend env_config config_from_env(const std::map<std::string, std::string>& environment,
                                      std::string_view prefix);
    std::vector<std::string> ignored_;
    std::vector<std::string> used_;
};

/// The librdkafka property a variable maps to, given its name without the prefix:
/// "SASL_USERNAME" -> "sasl.username".
[[nodiscard]] inline std::string env_name_to_property(std::string_view name) {
    std::string property;
    property.reserve(name.size());
    for (const char ch : name) {
        property +=
            ch == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    return property;
}

namespace detail {

/// True when librdkafka has a property (or alias) of this name. Asked on a scratch conf, so the
/// config being built is not touched.
[[nodiscard]] inline bool is_known_property(const std::string& property, const std::string& value) {
    conf_handle scratch(rd_kafka_conf_new());
    char errstr[512] = {0};
    return rd_kafka_conf_set(scratch.get(), property.c_str(), value.c_str(), errstr,
                             sizeof errstr) != RD_KAFKA_CONF_UNKNOWN;
}

/// The variable that turns on require_tls(), whatever the prefix.
inline constexpr std::string_view require_tls_variable = "KFLOW_REQUIRE_TLS";
/// Confluent Cloud's names for an API key and secret, read with the default prefix only.
inline constexpr std::string_view confluent_key_variable = "CONFLUENT_API_KEY";
inline constexpr std::string_view confluent_secret_variable = "CONFLUENT_API_SECRET";

/// Another name for a property: PREFIX + suffix, or an exact variable name.
struct env_alias {
    std::string variable;
    std::string_view property;
};

/// The aliases read with `prefix`, in the order they are applied.
[[nodiscard]] inline std::vector<env_alias> env_aliases(std::string_view prefix) {
    const std::string p(prefix);
    std::vector<env_alias> aliases{{p + "USERNAME", "sasl.username"},
                                   {p + "PASSWORD", "sasl.password"},
                                   {p + "CA_CERT", "ssl.ca.location"}};
    if (prefix == "KAFKA_") {
        aliases.push_back({std::string(confluent_key_variable), "sasl.username"});
        aliases.push_back({std::string(confluent_secret_variable), "sasl.password"});
    }
    return aliases;
}

[[noreturn]] inline void env_error(const std::string& message) {
    throw kafka_error(make_error_code(errc::invalid_config), message);
}

/// KFLOW_REQUIRE_TLS's value: 1/true/yes or 0/false/no, in any case.
[[nodiscard]] inline bool parse_env_switch(std::string_view variable, std::string_view value) {
    const std::string v = upper_case(value);
    if (v == "1" || v == "TRUE" || v == "YES")
        return true;
    if (v == "0" || v == "FALSE" || v == "NO")
        return false;
    env_error("environment variable " + std::string(variable) + ": '" + std::string(value) +
              "' is not one of 1, true, yes, 0, false, no");
}

/// True for the variables config_from_env() reads with `prefix`.
[[nodiscard]] inline bool is_env_variable(std::string_view name, std::string_view prefix) {
    return name.starts_with(prefix) || name == require_tls_variable ||
           (prefix == "KAFKA_" &&
            (name == confluent_key_variable || name == confluent_secret_variable));
}

/// The variables of this process that config_from_env() reads with `prefix`.
[[nodiscard]] inline std::map<std::string, std::string> process_environment(
    std::string_view prefix) {
    std::map<std::string, std::string> environment;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view line(*entry);
        const auto eq = line.find('=');
        if (eq == std::string_view::npos)
            continue;
        const std::string_view name = line.substr(0, eq);
        if (is_env_variable(name, prefix))
            environment.emplace(std::string(name), std::string(line.substr(eq + 1)));
    }
    return environment;
}

}  // namespace detail

/// Builds a config from `environment` (variable name -> value): the testable form. Variables are
/// applied in name order, then the aliases. Throws kafka_error(errc::invalid_config) naming the
/// variable when librdkafka rejects a value (a secret's value is never shown), naming both
/// variables when an alias and its canonical variable disagree, and naming the properties when
/// the security settings contradict each other (basic_config::security_problem()).
[[nodiscard]] inline env_config config_from_env(
    const std::map<std::string, std::string>& environment, std::string_view prefix = "KAFKA_") {
    if (prefix.empty()) {
        // Every variable of the process (PATH, HOME, DEBUG, ...) would be taken for a property.
        detail::env_error("config_from_env: the variable prefix must not be empty");
    }
    const auto aliases = detail::env_aliases(prefix);
    const auto is_alias = [&](const std::string& variable) {
        return std::any_of(aliases.begin(), aliases.end(),
                           [&](const auto& a) { return a.variable == variable; });
    };
    env_config config;
    std::map<std::string, std::string> set_by;  // property -> the variable that set it
    if (auto it = environment.find(std::string(detail::require_tls_variable));
        it != environment.end() && !it->second.empty()) {
        config.require_tls(detail::parse_env_switch(it->first, it->second));
        config.used_.push_back(it->first);
    }
    for (const auto& [variable, value] : environment) {
        if (!variable.starts_with(prefix) || variable.size() == prefix.size())
            continue;
        if (value.empty() || variable == detail::require_tls_variable || is_alias(variable))
            continue;
        const std::string dotted =
            env_name_to_property(std::string_view(variable).substr(prefix.size()));
        auto reason = config.try_set(dotted, value);
        std::string property = dotted;
        if (reason && !detail::is_known_property(dotted, value)) {
            std::string underscored = dotted;
            for (char& ch : underscored) {
                if (ch == '.')
                    ch = '_';
            }
            if (underscored == dotted || !detail::is_known_property(underscored, value)) {
                config.ignored_.push_back(variable);
                continue;
            }
            reason = config.try_set(underscored, value);
            property = underscored;
        }
        if (reason)
            detail::env_error("environment variable " + variable + ": " + *reason);
        set_by[property] = variable;
        config.used_.push_back(variable);
    }
    bool confluent = false;
    for (const auto& alias : aliases) {
        const auto it = environment.find(alias.variable);
        if (it == environment.end() || it->second.empty())
            continue;
        const std::string property(alias.property);
        if (auto earlier = set_by.find(property); earlier != set_by.end()) {
            if (config.get(property) != it->second) {
                // Never the values: they may be secrets.
                detail::env_error("environment variables " + earlier->second + " and " +
                                  alias.variable + " both set " + property +
                                  ", to different values; set one of them");
            }
        } else {
            if (property == "ssl.ca.location" && it->second.starts_with("-----BEGIN")) {
                detail::env_error("environment variable " + alias.variable +
                                  " holds PEM text, not a path; give PEM text as " +
                                  std::string(prefix) + "SSL_CA_PEM");
            }
            if (auto reason = config.try_set(property, it->second))
                detail::env_error("environment variable " + alias.variable + ": " + *reason);
            set_by[property] = alias.variable;
        }
        config.used_.push_back(alias.variable);
        confluent = confluent || alias.variable.starts_with("CONFLUENT_");
    }
    if (confluent) {
        // Confluent Cloud's convention: an API key and secret are SASL/PLAIN over TLS.
        if (!config.contains("security.protocol"))
            config.set("security.protocol", "SASL_SSL");
        if (!config.contains("sasl.mechanism") && !config.contains("sasl.mechanisms"))
            config.set("sasl.mechanism", "PLAIN");
    }
    // require_tls is checked when a client is created: settings added to the result count.
    if (auto problem = detail::security_problem(config.properties(), false))
        detail::env_error("config_from_env: invalid security configuration: " + *problem);
    return config;
}

/// Builds a config from this process's environment: every variable starting with `prefix`,
/// KFLOW_REQUIRE_TLS, and with the default prefix CONFLUENT_API_KEY and CONFLUENT_API_SECRET.
[[nodiscard]] inline env_config config_from_env(std::string_view prefix = "KAFKA_") {
    return config_from_env(detail::process_environment(prefix), prefix);
}

namespace detail {

[[noreturn]] inline void env_file_error(const std::filesystem::path& path, std::size_t line,
                                        const std::string& why) {
    env_error("env file " + path.string() + ", line " + std::to_string(line) + ": " + why);
}

/// One `KEY=value` line of a .env file, or std::nullopt for a blank or comment line. The error
/// names the line, never its value.
[[nodiscard]] inline std::optional<std::pair<std::string, std::string>> parse_env_line(
    std::string_view line, const std::filesystem::path& path, std::size_t number) {
    const auto is_space = [](char ch) { return ch == ' ' || ch == '\t'; };
    const auto trim_left = [&](std::string_view s) {
        while (!s.empty() && is_space(s.front()))
            s.remove_prefix(1);
        return s;
    };
    const auto trim_right = [&](std::string_view s) {
        while (!s.empty() && is_space(s.back()))
            s.remove_suffix(1);
        return s;
    };
    if (!line.empty() && line.back() == '\r')  // a file written on Windows
        line.remove_suffix(1);
    line = trim_left(line);
    if (line.empty() || line.front() == '#')
        return std::nullopt;
    if (line.starts_with("export") && line.size() > 6 && is_space(line[6]))
        line = trim_left(line.substr(7));
    const auto eq = line.find('=');
    if (eq == std::string_view::npos)
        env_file_error(path, number, "expected KEY=value");
    const std::string_view key = trim_right(line.substr(0, eq));
    const bool valid_key = !key.empty() && !std::isdigit(static_cast<unsigned char>(key.front())) &&
                           std::all_of(key.begin(), key.end(), [](char ch) {
                               return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
                           });
    if (!valid_key)
        env_file_error(path, number, "the name before '=' is not a variable name");
    const std::string_view raw = line.substr(eq + 1);
    const std::string_view rest = trim_left(raw);
    std::string value;
    if (!rest.empty() && (rest.front() == '"' || rest.front() == '\'')) {
        const char quote = rest.front();
        std::size_t i = 1;
        for (; i < rest.size() && rest[i] != quote; ++i) {
            // In double quotes, \" and \\ stand for " and \; any other backslash is kept.
            if (quote == '"' && rest[i] == '\\' && i + 1 < rest.size() &&
                (rest[i + 1] == '"' || rest[i + 1] == '\\')) {
                ++i;
            }
            value += rest[i];
        }
        if (i == rest.size())
            env_file_error(path, number, "the value's closing quote is missing");
        const std::string_view after = trim_left(rest.substr(i + 1));
        if (!after.empty() && after.front() != '#')
            env_file_error(path, number, "text after the value's closing quote");
    } else {
        // Unquoted: a '#' after whitespace starts a comment; one inside the value is kept.
        std::size_t end = raw.size();
        for (std::size_t i = 1; i < raw.size(); ++i) {
            if (raw[i] == '#' && is_space(raw[i - 1])) {
                end = i;
                break;
            }
        }
        value = std::string(trim_right(trim_left(raw.substr(0, end))));
    }
    return std::pair{std::string(key), std::move(value)};
}

/// The variables of a .env file; a later line wins over an earlier one with the same name.
[[nodiscard]] inline std::map<std::string, std::string> read_env_file(
    const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        env_error("env file " + path.string() + ": is a directory");
    std::ifstream in(path);
    if (!in)
        env_error("env file " + path.string() + ": cannot be read: " + std::strerror(errno));
    std::map<std::string, std::string> variables;
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        if (auto entry = parse_env_line(line, path, number))
            variables.insert_or_assign(std::move(entry->first), std::move(entry->second));
    }
    if (in.bad())
        env_error("env file " + path.string() + ": cannot be read");
    return variables;
}

}  // namespace detail

/// Builds a config from a .env file and this process's environment, which wins for a variable
/// set in both (an empty one counts as unset). The file holds `KEY=value` lines, blank lines
/// and `#` comments; `export ` before a line, whitespace around the key and single or double
/// quotes around the value are allowed. Then as config_from_env(environment, prefix). Throws
/// kafka_error(errc::invalid_config) naming the path when the file cannot be read, and the
/// path and line number (never the value) for a malformed line.
[[nodiscard]] inline env_config config_from_env_file(const std::filesystem::path& path,
                                                     std::string_view prefix) {
    auto variables = detail::read_env_file(path);
    for (auto& [name, value] : detail::process_environment(prefix)) {
        if (!value.empty())
            variables.insert_or_assign(name, std::move(value));
    }
    return config_from_env(variables, prefix);
}

/// config_from_env_file(path, prefix) with the prefix KAFKA_.
[[nodiscard]] inline env_config config_from_env_file(const std::filesystem::path& path) {
    return config_from_env_file(path, "KAFKA_");
}

}  // namespace kflow
