#pragma once
// DescribeUserScramCredentials and AlterUserScramCredentials (KIP-554), which librdkafka 2.2.0
// added. Against older headers the requests exist, check their input as usual, and then fail
// in prepare() with errc::unsupported_by_librdkafka; the calls to the newer API are compiled
// only when the headers declare them (a discarded `if constexpr` branch outside a template
// would still have to name declared functions).

#include <kflow/admin/detail/request.hpp>
#include <kflow/admin/results.hpp>
#include <kflow/admin/scram.hpp>
#include <kflow/version.hpp>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace kflow::detail {

inline constexpr std::string_view scram_admin_since = "2.2.0";

#if RD_KAFKA_VERSION >= 0x020200ff
using scram_alteration_handle =
    std::unique_ptr<rd_kafka_UserScramCredentialAlteration_t,
                    destroy_with<rd_kafka_UserScramCredentialAlteration_destroy>>;
#endif

[[nodiscard]] inline bool is_known(scram_mechanism m) noexcept {
    return m == scram_mechanism::sha256 || m == scram_mechanism::sha512;
}

/// Why `a` cannot be sent; empty when it is fine. Kafka's own bounds, checked here so that a
/// bad alteration names itself instead of coming back as one broker error for the batch.
[[nodiscard]] inline std::string scram_alteration_problem(const scram_credential_alteration& a) {
    if (a.user.empty())
        return "an alteration has an empty user name";
    if (!is_known(a.mechanism)) {
        return "user '" + a.user + "': mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512, got " +
               std::string(to_string(a.mechanism));
    }
    if (a.action == scram_credential_alteration::kind::remove)
        return {};
    if (a.password.empty())
        return "user '" + a.user + "': the password is empty";
    if (a.iterations < scram_min_iterations || a.iterations > scram_max_iterations) {
        return "user '" + a.user + "': iterations must be within [" +
               std::to_string(scram_min_iterations) + ", " + std::to_string(scram_max_iterations) +
               "], got " + std::to_string(a.iterations);
    }
    return {};
}

struct describe_user_scram_credentials_request {
    using result_type = std::vector<user_scram_credentials>;
    static constexpr std::string_view name = "describe_user_scram_credentials";
    static constexpr bool needs_controller = true;  // librdkafka sends it to the controller
    static constexpr std::string_view kafka_api = "DescribeUserScramCredentials";
    static constexpr bool changes_cluster = false;
    static constexpr bool can_validate_only = false;
    static constexpr bool available = librdkafka_at_least(2, 2, 0);

    std::vector<std::string> users;  ///< empty: every user that has credentials
    std::vector<const char*> native{};

    error_info prepare() {
        std::set<std::string_view> seen;
        for (const auto& u : users) {
            if (u.empty())
                return invalid_argument(name, "a user name is empty");
            if (!seen.insert(u).second)
                return invalid_argument(name, "user '" + u + "' appears twice in one request");
            native.push_back(u.c_str());
        }
        if constexpr (!available)
            return unsupported_by_librdkafka(name, scram_admin_since);
        return {};
    }
    void launch([[maybe_unused]] rd_kafka_t* rk, [[maybe_unused]] const rd_kafka_AdminOptions_t* o,
                [[maybe_unused]] rd_kafka_queue_t* q) {
#if RD_KAFKA_VERSION >= 0x020200ff
        rd_kafka_DescribeUserScramCredentials(rk, native.empty() ? nullptr : native.data(),
                                              native.size(), o, q);
#endif
    }
    result_type parse([[maybe_unused]] rd_kafka_event_t* ev) {
        result_type out;
#if RD_KAFKA_VERSION >= 0x020200ff
        std::size_t n = 0;
        const auto* descriptions = rd_kafka_DescribeUserScramCredentials_result_descriptions(
            rd_kafka_event_DescribeUserScramCredentials_result(ev), &n);
        for (std::size_t i = 0; i < n; ++i) {
            const auto* d = descriptions[i];
            user_scram_credentials u;
            u.user = rd_kafka_UserScramCredentialsDescription_user(d);
            take_error(rd_kafka_UserScramCredentialsDescription_error(d), u.error, u.message);
            const std::size_t count =
                rd_kafka_UserScramCredentialsDescription_scramcredentialinfo_count(d);
            for (std::size_t c = 0; c < count; ++c) {
                const auto* info =
                    rd_kafka_UserScramCredentialsDescription_scramcredentialinfo(d, c);
                u.credentials.push_back(
                    {static_cast<scram_mechanism>(rd_kafka_ScramCredentialInfo_mechanism(info)),
                     rd_kafka_ScramCredentialInfo_iterations(info)});
            }
            out.push_back(std::move(u));
        }
#endif
        return out;
    }
};

struct alter_user_scram_credentials_request {
    using result_type = std::vector<item_result>;
    static constexpr std::string_view name = "alter_user_scram_credentials";
    static constexpr bool needs_controller = true;
    static constexpr std::string_view kafka_api = "AlterUserScramCredentials";
    static constexpr bool changes_cluster = true;
    static constexpr bool can_validate_only = false;
    static constexpr bool available = librdkafka_at_least(2, 2, 0);

    std::vector<scram_credential_alteration> alterations;
#if RD_KAFKA_VERSION >= 0x020200ff
    handle_array<scram_alteration_handle> native{};
#endif

    error_info prepare() {
        if (alterations.empty())
            return invalid_argument(name, "no alterations given");
        // Kafka refuses a batch that touches one user's mechanism twice (DUPLICATE_RESOURCE
        // for that user); said here, it names the pair.
        std::set<std::pair<std::string_view, scram_mechanism>> seen;
        for (const auto& a : alterations) {
            if (auto problem = scram_alteration_problem(a); !problem.empty())
                return invalid_argument(name, problem);
            if (!seen.emplace(a.user, a.mechanism).second) {
                return invalid_argument(name, "user '" + a.user + "' " +
                                                  std::string(to_string(a.mechanism)) +
                                                  " is altered twice in one request");
            }
        }
        if constexpr (!available) {
            return unsupported_by_librdkafka(name, scram_admin_since);
        } else {
#if RD_KAFKA_VERSION >= 0x020200ff
            for (const auto& a : alterations) {
                const auto mechanism = static_cast<rd_kafka_ScramMechanism_t>(a.mechanism);
                if (a.action == scram_credential_alteration::kind::remove) {
                    native.push_back(scram_alteration_handle(
                        rd_kafka_UserScramCredentialDeletion_new(a.user.c_str(), mechanism)));
                    continue;
                }
                const auto* password = reinterpret_cast<const unsigned char*>(a.password.data());
                const auto* salt = a.salt.empty()
                                       ? nullptr
                                       : reinterpret_cast<const unsigned char*>(a.salt.data());
                native.push_back(scram_alteration_handle(rd_kafka_UserScramCredentialUpsertion_new(
                    a.user.c_str(), mechanism, a.iterations, password, a.password.size(), salt,
                    a.salt.size())));
            }
#endif
            return {};
        }
    }
    void launch([[maybe_unused]] rd_kafka_t* rk, [[maybe_unused]] const rd_kafka_AdminOptions_t* o,
                [[maybe_unused]] rd_kafka_queue_t* q) {
#if RD_KAFKA_VERSION >= 0x020200ff
        rd_kafka_AlterUserScramCredentials(rk, native.data(), native.size(), o, q);
#endif
    }
    result_type parse([[maybe_unused]] rd_kafka_event_t* ev) {
        result_type out;
#if RD_KAFKA_VERSION >= 0x020200ff
        std::size_t n = 0;
        const auto* responses = rd_kafka_AlterUserScramCredentials_result_responses(
            rd_kafka_event_AlterUserScramCredentials_result(ev), &n);
        for (std::size_t i = 0; i < n; ++i) {
            item_result r(rd_kafka_AlterUserScramCredentials_result_response_user(responses[i]));
            take_error(rd_kafka_AlterUserScramCredentials_result_response_error(responses[i]),
                       r.error, r.message);
            out.push_back(std::move(r));
        }
#endif
        return out;
    }
};

}  // namespace kflow::detail
