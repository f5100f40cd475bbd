#pragma once
// kflow::testing::expectation_failed: what kflow's test helpers throw when what a test expected
// did not happen. A header of its own so that helpers which need nothing else of helpers.hpp
// (run_coroutine.hpp, produce.hpp) can throw it without pulling in the consumer.

#include <stdexcept>

namespace kflow::testing {

/// A test expectation that was not met; what() says what was expected and what arrived instead.
class expectation_failed : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace kflow::testing
