// The main of the test programs that need a real cluster (tests/test_*_integration.cpp). Without
// KFLOW_TEST_BOOTSTRAP there is nothing to test against: the program says so and exits with 77,
// which ctest reports as "Skipped" (SKIP_RETURN_CODE), never as "Passed".
#define CATCH_CONFIG_RUNNER
#include "every_client_destroyed.hpp"

#include <kflow/testing/helpers.hpp>

#include <catch2/catch.hpp>

#include <iostream>
#include <optional>
#include <string>

/// A program whose cases need more than a bootstrap (e.g. a secured listener's settings) defines
/// this to say what is missing, so that it is skipped against a cluster it cannot test; a weak
/// declaration, null unless defined.
[[gnu::weak]] std::optional<std::string> integration_prerequisites_missing();

int main(int argc, char* argv[]) {
    if (!kflow::testing::real_cluster_bootstrap()) {
        std::cout << "SKIPPED: set KFLOW_TEST_BOOTSTRAP=host:port (and KFLOW_TEST_SASL_* / "
                     "KFLOW_TEST_SSL_* for a secured cluster) to run against a real cluster\n";
        return 77;
    }
    if (&integration_prerequisites_missing != nullptr) {
        if (auto missing = integration_prerequisites_missing()) {
            std::cout << "SKIPPED: " << *missing << "\n";
            return 77;
        }
    }
    return kflow_test::with_every_client_destroyed(Catch::Session().run(argc, argv));
}
