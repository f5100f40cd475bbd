# tests/package/separate, run by ctest as `cmake -D MODE=<mode> -D ... -P run_separate_test.cmake`:
# builds this directory's program in kflow's separate-compilation mode, checks with nm that kflow's
# core code is defined in the kflow library alone, then runs the program (a round trip through the
# embedded mock cluster).
#
# MODE subdirectory  add_subdirectory(KFLOW_SOURCE_DIR) with -DKFLOW_SEPARATE_COMPILATION=ON,
#                    linking kflow::kflow_separate
# MODE installed     find_package(kflow) from PREFIX (tests/package's package_install), with the
#                    program's own kflow_src.cpp
cmake_minimum_required(VERSION 3.20)

foreach(var IN ITEMS MODE KFLOW_SOURCE_DIR PREFIX WORK_DIR GENERATOR CXX_COMPILER NM)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_separate_test.cmake: -D ${var}=... is required")
  endif()
endforeach()

# Runs a command, echoing it first; any failure ends the test with that command's output.
function(run)
  string(JOIN " " shown ${ARGN})
  message(STATUS "+ ${shown}")
  execute_process(COMMAND ${ARGN} COMMAND_ERROR_IS_FATAL ANY)
endfunction()

set(build "${WORK_DIR}/build")
set(configure_args -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
if(Boost_DIR)
  list(APPEND configure_args "-DBoost_DIR=${Boost_DIR}")
endif()
if(MODE STREQUAL "subdirectory")
  list(APPEND configure_args "-DKFLOW_SOURCE_DIR=${KFLOW_SOURCE_DIR}" -DKFLOW_SEPARATE_COMPILATION=ON)
elseif(MODE STREQUAL "installed")
  list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${PREFIX}")
else()
  message(FATAL_ERROR "run_separate_test.cmake: unknown MODE '${MODE}'")
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
run("${CMAKE_COMMAND}" -S "${CMAKE_CURRENT_LIST_DIR}" -B "${build}" ${configure_args})
run("${CMAKE_COMMAND}" --build "${build}")

# Members moved out of the cores' classes (kflow/detail/impl/*.ipp), one or more per .ipp file.
# The program's own objects must not define them (not even as weak symbols: then they were
# compiled inline after all); the kflow library must define every one.
set(core_functions
  "kflow::detail::client_core::client_core("
  "kflow::detail::client_core::fatal_error() const"
  "kflow::detail::producer_core::flush("
  "kflow::detail::producer_core::close(std::chrono::duration"
  "kflow::detail::consumer_core::fetch("
  "kflow::detail::consumer_core::close(std::chrono::duration"
  "kflow::detail::consumer_core::finish_revoke("
  "kflow::detail::query_watermarks("
  "kflow::detail::queue_bridge::hold()"
  "kflow::detail::async_producer_service::close(std::chrono::duration"
  "kflow::detail::async_consumer_service::drain()")

function(defined_symbols file out)
  execute_process(COMMAND "${NM}" -C --defined-only "${file}" OUTPUT_VARIABLE symbols
                  COMMAND_ERROR_IS_FATAL ANY)
  set(${out} "${symbols}" PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE program_objects "${build}/CMakeFiles/separate.dir/*.o")
list(LENGTH program_objects count)
if(NOT count EQUAL 2)
  message(FATAL_ERROR "expected the objects of main.cpp and second.cpp, found: ${program_objects}")
endif()
foreach(object IN LISTS program_objects)
  defined_symbols("${object}" symbols)
  foreach(function IN LISTS core_functions)
    string(FIND "${symbols}" "${function}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${object} defines ${function}...: compiled inline, not once")
    endif()
  endforeach()
endforeach()
file(GLOB_RECURSE libraries "${build}/*kflow_separate.a" "${build}/*kflow_src.a")
list(LENGTH libraries count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "expected one kflow library, found: ${libraries}")
endif()
defined_symbols("${libraries}" symbols)
foreach(function IN LISTS core_functions)
  string(FIND "${symbols}" "${function}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${libraries} does not define ${function}...")
  endif()
endforeach()
list(LENGTH core_functions count)
message(STATUS "nm: ${count} core functions defined in ${libraries} only")

run("${build}/separate")
