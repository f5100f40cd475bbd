# One packaging test step, run by ctest as `cmake -D MODE=<mode> -D ... -P run_package_test.cmake`.
#
# MODE install           configure kflow alone (no tests or examples) and install it into PREFIX
# MODE find_package      build and run DOWNSTREAM_DIR against PREFIX with find_package(kflow)
# MODE pkg_config        compile DOWNSTREAM_DIR/main.cpp with `pkg-config --cflags --libs kflow`
# MODE add_subdirectory  build and run DOWNSTREAM_DIR with add_subdirectory(KFLOW_SOURCE_DIR)
# MODE old_boost         configure kflow with a Boost 1.74 package first on the search path:
#                        kflow must pass it over for a Boost >= 1.81
# MODE async_examples    build kflow-mock-broker and the async examples, each a project of its
#                        own, against PREFIX with -Werror, and run tests/examples'
#                        against_mock_broker.sh on them
# MODE other_examples    configure every other example (demo, admin, cluster-smoke, event-bus,
#                        exactly-once, metrics, qa-steps, secure-connection), each a project of
#                        its own, against PREFIX; build kflow-cli from PREFIX with -Werror,
#                        install it from its own project and run the installed program
# MODE readme_install    run README.md's install command, as written, in a copy of the sources
#                        (fresh configure, nothing built), then build and run conan/test_package
#                        with plain CMake against what it installed
# MODE fetch_content     build and run DOWNSTREAM_DIR with FetchContent_Declare(kflow SOURCE_DIR)
cmake_minimum_required(VERSION 3.20)

foreach(var IN ITEMS MODE KFLOW_SOURCE_DIR DOWNSTREAM_DIR PREFIX WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_package_test.cmake: -D ${var}=... is required")
  endif()
endforeach()

# Runs a command, echoing it first; any failure ends the test with that command's output.
function(run)
  string(JOIN " " shown ${ARGN})
  message(STATUS "+ ${shown}")
  execute_process(COMMAND ${ARGN} COMMAND_ERROR_IS_FATAL ANY)
endfunction()

set(configure_args -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
if(Boost_DIR)
  list(APPEND configure_args "-DBoost_DIR=${Boost_DIR}")
endif()

function(build_and_run_downstream)
  run("${CMAKE_COMMAND}" -S "${DOWNSTREAM_DIR}" -B "${WORK_DIR}/build" ${configure_args} ${ARGN})
  run("${CMAKE_COMMAND}" --build "${WORK_DIR}/build")
  run("${WORK_DIR}/build/downstream")
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

if(MODE STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  run("${CMAKE_COMMAND}" -S "${KFLOW_SOURCE_DIR}" -B "${WORK_DIR}/build" ${configure_args}
      -DKFLOW_BUILD_TESTS=OFF -DKFLOW_BUILD_EXAMPLES=OFF -DKFLOW_BUILD_BENCHMARKS=OFF
      -DKFLOW_INSTALL=ON "-DCMAKE_INSTALL_PREFIX=${PREFIX}")
  run("${CMAKE_COMMAND}" --install "${WORK_DIR}/build")
  foreach(installed IN ITEMS include/kflow.hpp include/kflow/testing/mock_cluster.hpp
                             lib/cmake/kflow/kflowConfig.cmake lib/cmake/kflow/kflowConfigVersion.cmake
                             lib/cmake/kflow/kflowTargets.cmake lib/cmake/kflow/FindRdKafka.cmake
                             share/pkgconfig/kflow.pc)
    if(NOT EXISTS "${PREFIX}/${installed}")
      message(FATAL_ERROR "install did not create ${PREFIX}/${installed}")
    endif()
  endforeach()

elseif(MODE STREQUAL "find_package")
  build_and_run_downstream("-DCMAKE_PREFIX_PATH=${PREFIX}")
  # It must be the package just installed, not one found elsewhere on the machine.
  file(STRINGS "${WORK_DIR}/build/CMakeCache.txt" kflow_dir_line REGEX "^kflow_DIR:")
  file(REAL_PATH "${PREFIX}/lib/cmake/kflow" expected_dir)
  if(NOT kflow_dir_line MATCHES "=(.*)$" OR NOT CMAKE_MATCH_1 STREQUAL expected_dir)
    message(FATAL_ERROR "find_package(kflow) used '${kflow_dir_line}', expected ${expected_dir}")
  endif()

elseif(MODE STREQUAL "pkg_config")
  if(NOT PKG_CONFIG)
    message(FATAL_ERROR "pkg-config is not installed (Debian: apt-get install pkg-config)")
  endif()
  set(ENV{PKG_CONFIG_PATH} "${PREFIX}/share/pkgconfig")
  execute_process(COMMAND "${PKG_CONFIG}" --cflags --libs kflow
                  OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  message(STATUS "pkg-config --cflags --libs kflow: ${flags}")
  foreach(expected IN ITEMS "-I${PREFIX}/include" "-std=c++20" "-lrdkafka")
    string(FIND " ${flags} " " ${expected} " at)
    if(at EQUAL -1)
      message(FATAL_ERROR "pkg-config flags lack '${expected}': ${flags}")
    endif()
  endforeach()
  separate_arguments(flag_list UNIX_COMMAND "${flags}")
  run("${CXX_COMPILER}" "${DOWNSTREAM_DIR}/main.cpp" -o "${WORK_DIR}/downstream" ${flag_list})
  run("${WORK_DIR}/downstream")

elseif(MODE STREQUAL "add_subdirectory")
  build_and_run_downstream("-DKFLOW_SOURCE_DIR=${KFLOW_SOURCE_DIR}")

elseif(MODE STREQUAL "old_boost")
  # A stand-in for Debian's libboost1.74-dev installed next to 1.81: loading it is an error.
  set(old "${WORK_DIR}/old-boost/lib/cmake/Boost-1.74.0")
  file(WRITE "${old}/BoostConfigVersion.cmake" [=[
set(PACKAGE_VERSION 1.74.0)
if(PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
endif()
]=])
  file(WRITE "${old}/BoostConfig.cmake" "message(FATAL_ERROR \"Boost 1.74 was chosen\")\n")
  # No Boost_DIR here: the search itself must skip 1.74.
  list(FILTER configure_args EXCLUDE REGEX "^-DBoost_DIR=")
  run("${CMAKE_COMMAND}" -S "${KFLOW_SOURCE_DIR}" -B "${WORK_DIR}/build" ${configure_args}
      -DKFLOW_BUILD_TESTS=OFF -DKFLOW_BUILD_EXAMPLES=OFF -DKFLOW_BUILD_BENCHMARKS=OFF
      "-DCMAKE_PREFIX_PATH=${WORK_DIR}/old-boost")
  file(STRINGS "${WORK_DIR}/build/CMakeCache.txt" boost_dir_line REGEX "^Boost_DIR:")
  message(STATUS "${boost_dir_line}")
  if(boost_dir_line MATCHES "old-boost" OR NOT boost_dir_line MATCHES "Boost-1\\.(8[1-9]|9[0-9])")
    message(FATAL_ERROR "kflow did not pick a Boost >= 1.81: ${boost_dir_line}")
  endif()

elseif(MODE STREQUAL "async_examples")
  set(examples mock-broker async-producer async-consumer pipeline graceful-shutdown)
  foreach(example IN LISTS examples)
    run("${CMAKE_COMMAND}" -S "${KFLOW_SOURCE_DIR}/examples/${example}"
        -B "${WORK_DIR}/${example}" ${configure_args} "-DCMAKE_PREFIX_PATH=${PREFIX}"
        "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror")
    run("${CMAKE_COMMAND}" --build "${WORK_DIR}/${example}")
  endforeach()
  run("${KFLOW_SOURCE_DIR}/tests/examples/against_mock_broker.sh"
      "${WORK_DIR}/mock-broker/kflow-mock-broker"
      "${WORK_DIR}/async-producer/kflow-async-producer"
      "${WORK_DIR}/async-consumer/kflow-async-consumer"
      "${WORK_DIR}/pipeline/kflow-pipeline"
      "${WORK_DIR}/graceful-shutdown/kflow-graceful-shutdown")

elseif(MODE STREQUAL "other_examples")
  # Configured, each a project of its own, against the installed package: its find_package
  # calls, targets and link dependencies resolve as a copied example's would. Compiling them a
  # second time would add minutes and check nothing more: kflow's tree compiles the same sources
  # with the same flags (-Werror), and package_async_examples compiles five examples from PREFIX.
  foreach(example IN ITEMS demo admin cluster-smoke event-bus exactly-once metrics qa-steps
                           secure-connection)
    run("${CMAKE_COMMAND}" -S "${KFLOW_SOURCE_DIR}/examples/${example}"
        -B "${WORK_DIR}/${example}" ${configure_args} "-DCMAKE_PREFIX_PATH=${PREFIX}")
  endforeach()
  # kflow-cli is a tool that is installed: built from PREFIX, installed by its own project, and
  # run from where it was installed.
  run("${CMAKE_COMMAND}" -S "${KFLOW_SOURCE_DIR}/examples/cli" -B "${WORK_DIR}/cli"
      ${configure_args} "-DCMAKE_PREFIX_PATH=${PREFIX}" "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror"
      "-DCMAKE_INSTALL_PREFIX=${WORK_DIR}/tools")
  run("${CMAKE_COMMAND}" --build "${WORK_DIR}/cli")
  run("${CMAKE_COMMAND}" --install "${WORK_DIR}/cli")
  run("${WORK_DIR}/tools/bin/kflow-cli" --version)
  run("${WORK_DIR}/tools/bin/kflow-cli" config)

elseif(MODE STREQUAL "readme_install")
  # The command exactly as README.md shows it; only the placeholder prefix is replaced.
  set(readme_command_regex "^cmake -S \\. -B build && cmake --install build --prefix /your/prefix$")
  file(STRINGS "${KFLOW_SOURCE_DIR}/README.md" readme_commands REGEX "${readme_command_regex}")
  list(LENGTH readme_commands count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "README.md shows the install command ${count} times, expected once "
                        "(a line matching ${readme_command_regex})")
  endif()
  string(REPLACE "/your/prefix" "${WORK_DIR}/prefix" command "${readme_commands}")
  # A copy of the sources as a fresh clone has them: no build directories.
  file(COPY "${KFLOW_SOURCE_DIR}/" DESTINATION "${WORK_DIR}/src"
       REGEX "^${KFLOW_SOURCE_DIR}/(build[^/]*|out|\\.git)$" EXCLUDE)
  execute_process(COMMAND sh -c "${command}" WORKING_DIRECTORY "${WORK_DIR}/src"
                  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "README.md's install command failed (${status}): ${command}\n${output}")
  endif()
  message(STATUS "+ ${command}: ok")
  foreach(installed IN ITEMS include/kflow.hpp include/kflow/testing/mock_cluster.hpp
                             lib/cmake/kflow/kflowConfig.cmake share/pkgconfig/kflow.pc)
    if(NOT EXISTS "${WORK_DIR}/prefix/${installed}")
      message(FATAL_ERROR "README.md's install command did not install ${installed}")
    endif()
  endforeach()
  run("${CMAKE_COMMAND}" -S "${KFLOW_SOURCE_DIR}/conan/test_package" -B "${WORK_DIR}/test_package"
      ${configure_args} "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix")
  run("${CMAKE_COMMAND}" --build "${WORK_DIR}/test_package")
  run("${WORK_DIR}/test_package/kflow_test_package")

elseif(MODE STREQUAL "fetch_content")
  build_and_run_downstream("-DKFLOW_FETCH_SOURCE_DIR=${KFLOW_SOURCE_DIR}")

else()
  message(FATAL_ERROR "run_package_test.cmake: unknown MODE '${MODE}'")
endif()
