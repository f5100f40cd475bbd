// Catch2's main, in a file of its own so that it is compiled once: the steps are in
// order_steps.cpp. Run `kflow-qa-steps --help` for Catch2's options: a tag ("[orders]"), a test
// case's name, -s to show passing checks too, -a to stop at the first failure.

// Failure messages name topics and whole records: wrap them at 200 columns, not 80.
#define CATCH_CONFIG_CONSOLE_WIDTH 200
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
