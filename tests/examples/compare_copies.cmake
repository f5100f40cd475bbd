# The async examples each carry a copy of a few shared files (order.hpp, connection.hpp,
# stop_on_signal.hpp) so that each stays a project of its own; this fails when the copies
# drift apart, naming the file that differs.
# Usage: cmake -D EXAMPLES_DIR=<kflow>/examples -P compare_copies.cmake
cmake_minimum_required(VERSION 3.20)

set(shared_files order.hpp connection.hpp stop_on_signal.hpp)
set(examples async-producer async-consumer pipeline graceful-shutdown exactly-once event-bus)
foreach(file IN LISTS shared_files)
  set(reference "")
  foreach(example IN LISTS examples)
    set(copy "${EXAMPLES_DIR}/${example}/${file}")
    if(NOT EXISTS "${copy}")
      continue()
    endif()
    if(reference STREQUAL "")
      set(reference "${copy}")
      continue()
    endif()
    execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${reference}" "${copy}"
                    RESULT_VARIABLE differs)
    if(differs)
      message(FATAL_ERROR "${copy} differs from ${reference}: change every copy alike")
    endif()
  endforeach()
endforeach()
message(STATUS "the examples' shared files are identical")
