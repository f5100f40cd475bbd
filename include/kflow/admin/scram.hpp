#pragma once
// SASL/SCRAM credentials as describe_user_scram_credentials reports them, and the changes
// alter_user_scram_credentials applies (KIP-554; brokers from Apache Kafka 2.7, librdkafka
// 2.2.0). Passwords and salts are never printed.

#include <kflow/config.hpp>
#include <kflow/security.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace kflow {

/// The iteration bounds Kafka enforces for both mechanisms (ScramMechanism.minIterations and
/// maxIterations); kflow rejects values outside them before anything is sent.
inline constexpr std::int32_t scram_min_iterations = 4096;
/// The most iterations Kafka accepts for a SCRAM credential; see scram_min_iterations.
inline constexpr std::int32_t scram_max_iterations = 16384;

/// One credential of a user: which mechanism, with how many iterations. The broker never
/// returns the salted password. A mechanism newer than kflow keeps Kafka's number (to_string
/// says "unknown").
struct scram_credential_info {
    /// SCRAM-SHA-256 or SCRAM-SHA-512; SCRAM-SHA-256 by default, as for sasl_scram.
    scram_mechanism mechanism = scram_mechanism::sha256;
    std::int32_t iterations = 0;  ///< the PBKDF2 iteration count the credential was stored with

    /// Same mechanism and same iteration count.
    friend bool operator==(const scram_credential_info&, const scram_credential_info&) = default;
};

/// describe_user_scram_credentials' answer for one user. A user with no credentials is an
/// item with error RESOURCE_NOT_FOUND, as Kafka reports it.
struct user_scram_credentials {
    std::string user;       ///< the SASL user name
    std::error_code error;  ///< empty when the broker described the user
    std::string message;    ///< the broker's (or librdkafka's) explanation when `error` is set
    /// One per mechanism the user has a credential for.
    std::vector<scram_credential_info> credentials;

    /// True when the broker described the user (`error` is empty).
    [[nodiscard]] bool ok() const noexcept { return !error; }
    /// "user 'alice'", for failure reports (describe_failures()).
    [[nodiscard]] std::string item_name() const { return "user '" + user + "'"; }
};

/// A change to one user's credential for one mechanism: set it (insert or replace) or delete
/// it. Made with upsert() or remove():
///
///   admin.alter_user_scram_credentials({
///       kflow::scram_credential_alteration::upsert("alice", kflow::scram_mechanism::sha512,
///                                                   password),
///       kflow::scram_credential_alteration::remove("bob", kflow::scram_mechanism::sha256)});
struct scram_credential_alteration {
    /// What the alteration does: set (insert or replace) the credential, or delete it.
    enum class kind { upsert, remove };

    /// Sets `user`'s credential for `mechanism`. An empty `salt` lets librdkafka generate a
    /// random 64-byte one (OpenSSL's RAND_priv_bytes), which is what you want unless you must
    /// reproduce a stored credential. An empty `password`, or `iterations` outside
    /// [scram_min_iterations, scram_max_iterations], fails the whole request
    /// (RD_KAFKA_RESP_ERR__INVALID_ARG) before anything is sent.
    [[nodiscard]] static scram_credential_alteration upsert(
        std::string user, scram_mechanism mechanism, std::string password,
        std::int32_t iterations = scram_min_iterations, std::string salt = {}) {
        scram_credential_alteration a;
        a.action = kind::upsert;
        a.user = std::move(user);
        a.mechanism = mechanism;
        a.password = std::move(password);
        a.iterations = iterations;
        a.salt = std::move(salt);
        return a;
    }
    /// Deletes `user`'s credential for `mechanism`.
    [[nodiscard]] static scram_credential_alteration remove(std::string user,
                                                            scram_mechanism mechanism) {
        scram_credential_alteration a;
        a.action = kind::remove;
        a.user = std::move(user);
        a.mechanism = mechanism;
        return a;
    }

    kind action = kind::upsert;  ///< set by upsert() or remove()
    std::string user;            ///< the SASL user name; must not be empty
    /// The credential's mechanism: SCRAM-SHA-256 or SCRAM-SHA-512 (any other value fails the
    /// whole request before anything is sent). SCRAM-SHA-256 by default, the mechanism a
    /// client's sasl_scram (or a bare "SCRAM") uses by default, so that a credential made with
    /// the defaults is the one a client with the defaults logs in with.
    scram_mechanism mechanism = scram_mechanism::sha256;
    std::string password;  ///< upsert only; bytes, sent only as a salted hash
    std::int32_t iterations = scram_min_iterations;  ///< upsert only
    std::string salt;  ///< upsert only; empty: librdkafka generates one

    /// "upsert alice SCRAM-SHA-512 iterations=8192 password=[redacted]": secrets never appear.
    friend std::ostream& operator<<(std::ostream& os, const scram_credential_alteration& a) {
        if (a.action == kind::remove)
            return os << "remove " << a.user << ' ' << to_string(a.mechanism);
        os << "upsert " << a.user << ' ' << to_string(a.mechanism) << " iterations=" << a.iterations
           << " password=" << redacted;
        if (!a.salt.empty())
            os << " salt=" << redacted;
        return os;
    }
};

}  // namespace kflow
