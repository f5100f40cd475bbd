#pragma once
// The two halves of tests/package/separate's program: main.cpp and second.cpp each use
// kflow::producer and kflow::async_consumer (and more), so each would define kflow's core code
// if it were not compiled once, in the program's kflow_src.cpp.

#include <string>
#include <vector>

namespace separate {

/// Sends `values` to `topic` (one partition) in order: the first with an async_producer, the
/// others with a producer. Throws when a record is not delivered.
void send_mixed(const std::string& bootstrap, const std::string& topic,
                const std::vector<std::string>& values);

/// The value of the first record of `topic`, read by an async_consumer (callback tokens) in a
/// group of its own.
std::string first_value(const std::string& bootstrap, const std::string& topic);

/// The values of the first `count` records of `topic`, read by an async_consumer (a coroutine)
/// in a group of its own.
std::vector<std::string> receive_async(const std::string& bootstrap, const std::string& topic,
                                       std::size_t count);

}  // namespace separate
