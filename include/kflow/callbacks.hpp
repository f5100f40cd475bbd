#pragma once
// Application callbacks a client can carry. kflow calls them on the thread that polls the client
// (or on the client's executor in the async layer), never on a librdkafka thread; an exception a
// callback throws is caught at the C boundary and rethrown from the poll that ran it.

#include <kflow/error.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace kflow {

/// One librdkafka log line.
struct log_entry {
    int level = 0;  ///< syslog level: 0 emergency .. 7 debug
    std::string facility;
    std::string message;
};

/// A token handed to librdkafka by an OAUTHBEARER refresh callback.
struct oauthbearer_token {
    std::string value;                              ///< the token (never printed by kflow)
    std::chrono::system_clock::time_point expiry;   ///< when the token stops being valid
    std::string principal;                          ///< the principal name it identifies
    std::map<std::string, std::string> extensions;  ///< SASL extensions (key=value)
};

struct client_callbacks {
    std::function<void(const error_info&)> on_error;
    std::function<void(const log_entry&)> on_log;
    std::function<void(std::string_view)> on_statistics;
    std::function<oauthbearer_token(std::string_view)> oauthbearer_token_refresh;
};

}  // namespace kflow
