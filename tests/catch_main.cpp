// The main of the test programs that run on their own (against the mock cluster, or nothing):
// Catch's, with one check of kflow's (every_client_destroyed.hpp).
#define CATCH_CONFIG_RUNNER
#include "every_client_destroyed.hpp"

int main(int argc, char* argv[]) {
    return kflow_test::with_every_client_destroyed(Catch::Session().run(argc, argv));
}
