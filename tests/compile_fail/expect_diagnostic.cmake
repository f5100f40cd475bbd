# Compiles one source file on its own (-fsyntax-only) and checks what the compiler said.
#
# A file with a line `// expected error: <text>` must fail to compile, and its first error must
# contain <text> and point at the line after the comment (in g++'s "required from here" or
# clang's "requested here", or as the error's own location): the error is about the user's
# declaration, not about something deep inside kflow. A file without such a line must compile.
# Either way the compiler must print no warning, so a failed check brings no follow-up noise
# (as the -Wreturn-type that a static_assert inside a function body once did).
#
# Usage: cmake -D COMPILER=<c++> -D SOURCE=<file.cpp> -D KFLOW_INCLUDE_DIR=<kflow/include>
#              -D "INCLUDE_DIRS=<list>" -D "IMPLICIT_INCLUDE_DIRS=<list>" -D "DEFINITIONS=<list>"
#              -D "OPTIONS=<list>" -P expect_diagnostic.cmake
# INCLUDE_DIRS, DEFINITIONS and OPTIONS are those of a target linked with kflow::kflow.
cmake_minimum_required(VERSION 3.20)

set(flags -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic ${OPTIONS})
foreach(definition IN LISTS DEFINITIONS)
  list(APPEND flags "-D${definition}")
endforeach()
# kflow's headers with -I, so their warnings show; its dependencies' as system headers, as
# CMake passes them, leaving out the compiler's own (-isystem /usr/include breaks libstdc++'s
# #include_next).
list(REMOVE_DUPLICATES INCLUDE_DIRS)
foreach(dir IN LISTS INCLUDE_DIRS)
  if(dir STREQUAL "")
    continue()
  elseif(dir STREQUAL KFLOW_INCLUDE_DIR)
    list(APPEND flags "-I${dir}")
  elseif(NOT dir IN_LIST IMPLICIT_INCLUDE_DIRS)
    list(APPEND flags -isystem "${dir}")
  endif()
endforeach()

# Read whole, not with file(STRINGS): its list would split C++ lines at every semicolon.
file(READ "${SOURCE}" text)
set(expected "")
string(FIND "${text}" "// expected error: " at)
if(NOT at EQUAL -1)
  string(SUBSTRING "${text}" ${at} -1 marker)
  string(REGEX MATCH "// expected error: ([^\n]*)" marker "${marker}")
  set(expected "${CMAKE_MATCH_1}")
  string(SUBSTRING "${text}" 0 ${at} before)
  string(REGEX MATCHALL "\n" newlines "${before}")
  list(LENGTH newlines lines_before)
  # The marker is on line lines_before + 1; the declaration it is about, on the next one.
  math(EXPR expected_line "${lines_before} + 2")
endif()

execute_process(COMMAND "${COMPILER}" ${flags} "${SOURCE}"
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)

if(expected STREQUAL "")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${SOURCE} does not compile:\n${output}")
  endif()
  if(output MATCHES "warning:")
    message(FATAL_ERROR "${SOURCE} compiles with warnings:\n${output}")
  endif()
  message(STATUS "compiles, as expected")
  return()
endif()

if(result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiles; expected the error \"${expected}\"\n${output}")
endif()
# The first line with "error:" (a missing header, a typo in the test, an error of kflow's own
# before the expected one all fail here).
string(REGEX MATCH "[^\n]*error:[^\n]*" first_error "${output}")
string(FIND "${first_error}" "${expected}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${SOURCE}: the first error is not \"${expected}\":\n${output}")
endif()
string(FIND "${output}" "${SOURCE}:${expected_line}:" at)
if(at EQUAL -1)
  message(FATAL_ERROR
    "${SOURCE}: no diagnostic points at line ${expected_line}, the user's line:\n${output}")
endif()
if(output MATCHES "warning:")
  message(FATAL_ERROR "${SOURCE}: the error comes with warnings:\n${output}")
endif()
message(STATUS "fails as expected: ${first_error}")
