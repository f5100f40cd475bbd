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

#include <kflow/config.hpp>
#include <kflow/error.hpp>

#include <unistd.h>

#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kflow {

/// A client_config read from the environment, which also remembers what it skipped.
class env_config : public client_config {
  public:
    /// The variables (names only: values may be secrets) that name no librdkafka property.
    [[nodiscard]] const std::vector<std::string>& ignored_variables() const noexcept {
        return ignored_;
    }

  private:
    friend env_config config_from_env(const std::map<std::string, std::string>& environment,
                                      std::string_view prefix);
    std::vector<std::string> ignored_;
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

}  // namespace detail

/// Builds a config from `environment` (variable name -> value): the testable form. Variables are
/// applied in name order. Throws kafka_error(errc::invalid_config) naming the variable when
/// librdkafka rejects a value (a secret's value is never shown).
[[nodiscard]] inline env_config config_from_env(
    const std::map<std::string, std::string>& environment, std::string_view prefix = "KAFKA_") {
    if (prefix.empty()) {
        // Every variable of the process (PATH, HOME, DEBUG, ...) would be taken for a property.
        throw kafka_error(make_error_code(errc::invalid_config),
                          "config_from_env: the variable prefix must not be empty");
    }
    env_config config;
    for (const auto& [variable, value] : environment) {
        if (!variable.starts_with(prefix) || variable.size() == prefix.size())
            continue;
        if (value.empty())
            continue;
        const std::string dotted =
            env_name_to_property(std::string_view(variable).substr(prefix.size()));
        auto reason = config.try_set(dotted, value);
        if (!reason)
            continue;
        if (!detail::is_known_property(dotted, value)) {
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
            if (!reason)
                continue;
        }
        throw kafka_error(make_error_code(errc::invalid_config),
                          "environment variable " + variable + ": " + *reason);
    }
    return config;
}

/// Builds a config from this process's environment: every variable starting with `prefix`.
[[nodiscard]] inline env_config config_from_env(std::string_view prefix = "KAFKA_") {
    std::map<std::string, std::string> environment;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view line(*entry);
        const auto eq = line.find('=');
        if (eq == std::string_view::npos)
            continue;
        const std::string_view name = line.substr(0, eq);
        if (name.starts_with(prefix)) {
            environment.emplace(std::string(name), std::string(line.substr(eq + 1)));
        }
    }
    return config_from_env(environment, prefix);
}

}  // namespace kflow
