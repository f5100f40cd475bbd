#pragma once
// A check of the test programs' mains (catch_main.cpp, integration_main.cpp): every librdkafka
// handle a test case created is gone by the time the case ends. A client left alive (leaked, or
// let go late by an operation completing on another thread) keeps librdkafka's threads running
// into the next case, or past the program's exit, where they use what the exit already tore
// down: an abort in pthread_mutex_lock after "All tests passed", pinned to no test. This check
// names the case.

#include <librdkafka/rdkafka.h>
#include <catch2/catch.hpp>

#include <iostream>
#include <string>

namespace kflow_test {

/// How long a case's handles may take to go once it ended. A client destroyed late, on another
/// thread, is caught only when its close takes longer (against a cluster already gone, it
/// often does); a client leaked for good always is. A consumer query running on a thread of its
/// own holds its consumer until it returns, within its timeout: hence not zero.
constexpr int grace_ms = 10000;

/// The first case whose handles outlived it; the cases after it are not checked.
inline std::string first_outlived;

class every_client_destroyed final : public Catch::TestEventListenerBase {
  public:
    using TestEventListenerBase::TestEventListenerBase;

    void testCaseEnded(const Catch::TestCaseStats& stats) override {
        if (!first_outlived.empty())
            return;
        if (rd_kafka_wait_destroyed(grace_ms) == 0)
            return;
        first_outlived = stats.testInfo.name;
        std::cerr << "error: librdkafka handles of test case \"" << first_outlived
                  << "\" still exist after it ended (a client leaked, or destroyed late on "
                     "another thread)\n";
    }
};

/// What main returns: Catch's count of failed cases, or 1 if only this check failed.
inline int with_every_client_destroyed(int failed) {
    if (first_outlived.empty() || failed != 0)
        return failed;
    return 1;
}

CATCH_REGISTER_LISTENER(every_client_destroyed)

}  // namespace kflow_test
