#!/usr/bin/env bash
# Builds kflow's tests and runs them with ctest; installs missing Debian/Ubuntu packages first.
#
#   ./scripts/test.sh                                     Release build in build/
#   KFLOW_SANITIZE=address,undefined ./scripts/test.sh    ASan + UBSan, Debug build in build-asan/
#   KFLOW_SANITIZE=thread ./scripts/test.sh               TSan, Debug build in build-tsan/
#   ./scripts/test.sh -R producer                         extra arguments go to ctest
#   KFLOW_LIBRDKAFKA_PREFIX=DIR ./scripts/test.sh         against the librdkafka installed in DIR
#                                                         (scripts/build-librdkafka.sh makes one),
#                                                         unoptimized build in build-librdkafka-<ver>/
#   CI=1 ./scripts/test.sh                                as CI: the Release build requires
#                                                         OpenTelemetry C++ (installs it) and
#                                                         tests kflow::opentelemetry, which it
#                                                         otherwise does only when installed
#   KFLOW_COVERAGE=1 ./scripts/test.sh                    line coverage of include/kflow (gcov),
#                                                         Debug build in build-coverage/; with
#                                                         KFLOW_SANITIZE, in build-asan-coverage/...
#
# Coverage: after the tests, a report of include/kflow is printed (each header's line coverage and
# its lines never run). A whole-suite run fails below KFLOW_COVERAGE_FLOOR percent of lines
# (default 90); a run limited by ctest arguments only reports.
#
# KFLOW_TEST_PHASE=build only builds, KFLOW_TEST_PHASE=test only runs the tests of an earlier
# build (.ci/run overlaps one configuration's tests with the next one's build).
# KFLOW_BUILD_DIR overrides the build directory. KFLOW_TEST_JOBS (default 2) tests run at once; each is stopped after KFLOW_TEST_TIMEOUT seconds
# (default 600). Exits non-zero when a build step or any test fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

sanitize=${KFLOW_SANITIZE:-}
jobs=${KFLOW_TEST_JOBS:-2}
timeout=${KFLOW_TEST_TIMEOUT:-600}
suppressions=$KFLOW_ROOT/tests

case $sanitize in
    "")
        dir=${KFLOW_BUILD_DIR:-$KFLOW_ROOT/build}
        type=Release
        ;;
    address | undefined | address,undefined | undefined,address)
        dir=${KFLOW_BUILD_DIR:-$KFLOW_ROOT/build-asan}
        type=Debug
        # Leaks fail a test; the first error ends the program, with a stack trace.
        export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1:strict_init_order=1:check_initialization_order=1}
        export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
        export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$suppressions/lsan.supp:print_suppressions=0}
        ;;
    thread)
        dir=${KFLOW_BUILD_DIR:-$KFLOW_ROOT/build-tsan}
        type=Debug
        # librdkafka is not built with TSan: tsan.supp silences what happens inside it.
        export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$suppressions/tsan.supp:print_suppressions=0}
        ;;
    *)
        kflow_fail "KFLOW_SANITIZE='$sanitize': use address,undefined or thread"
        ;;
esac
coverage=${KFLOW_COVERAGE:-}
[[ $coverage == 0 ]] && coverage=""
if [[ -n $coverage && -z $sanitize ]]; then
    dir=${KFLOW_BUILD_DIR:-$KFLOW_ROOT/build-coverage}
    type=Debug
elif [[ -n $coverage ]]; then
    dir=${KFLOW_BUILD_DIR:-$dir-coverage}
fi

configure=()
# The default build tests kflow header-only, as applications use it by default; the other builds
# test the separate-compilation mode (docs/compile-time.md), which also compiles them faster. Their
# debug information is line tables only (-g1): enough for the sanitizers' stack traces, and
# quicker to produce than full -g; and the test programs share a precompiled header
# (KFLOW_TEST_PCH, tests/CMakeLists.txt).
other_mode=(-DKFLOW_SEPARATE_COMPILATION=ON -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DKFLOW_TEST_PCH=ON)
if [[ -n $sanitize || -n $coverage ]]; then
    # Sanitizer runs are for the tests: examples and benchmarks are built once, in build/.
    # Coverage is of kflow's headers as the test suite runs them.
    configure=(-DKFLOW_SANITIZE="$sanitize" -DKFLOW_BUILD_EXAMPLES=OFF -DKFLOW_BUILD_BENCHMARKS=OFF
        "${other_mode[@]}")
fi
if [[ -n $coverage ]]; then
    configure+=(-DKFLOW_COVERAGE=ON)
fi
# Programs that need a real cluster would only report Skipped without one: the default build
# compiles them (and reports them Skipped); the others build them only when there is a cluster.
extra_builds_integration=ON
[[ -n ${KFLOW_TEST_BOOTSTRAP:-} ]] || extra_builds_integration=OFF
if [[ -n $sanitize || -n $coverage ]]; then
    configure+=(-DKFLOW_BUILD_INTEGRATION_TESTS=$extra_builds_integration)
fi
# The pure-logic test programs (no client, no thread: tests/CMakeLists.txt lists them) gain
# nothing from ThreadSanitizer; the ASan build (memory errors in parsing) keeps them.
if [[ $sanitize == thread ]]; then
    configure+=(-DKFLOW_BUILD_PURE_LOGIC_TESTS=OFF)
fi

if [[ -v KFLOW_LIBRDKAFKA_PREFIX ]]; then
    # Set but empty (a failed $(...)) must not quietly test Debian's librdkafka instead.
    prefix=$KFLOW_LIBRDKAFKA_PREFIX
    [[ -n $prefix ]] || kflow_fail "KFLOW_LIBRDKAFKA_PREFIX is set but empty"
    [[ -f $prefix/lib/pkgconfig/rdkafka.pc ]] ||
        kflow_fail "KFLOW_LIBRDKAFKA_PREFIX=$prefix: no lib/pkgconfig/rdkafka.pc there"
    [[ -z $sanitize && -z $coverage ]] ||
        kflow_fail "KFLOW_LIBRDKAFKA_PREFIX is for plain builds, not sanitizers or coverage"
    # cmake/FindRdKafka.cmake asks pkg-config first; the test programs find the library through
    # their build RPATH, and the packaging tests' own builds inherit the variable.
    export PKG_CONFIG_PATH=$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
    dir=${KFLOW_BUILD_DIR:-$KFLOW_ROOT/build-$(basename "$prefix")}
    # Benchmarks compare kflow with librdkafka; their numbers belong to the default build. The
    # examples use no librdkafka API the tests do not, and whether each header compiles on its
    # own does not depend on librdkafka: both are checked once, in build/. The build is
    # unoptimized (no CMAKE_BUILD_TYPE), the quickest to compile: the run is about behaviour.
    configure=(-DKFLOW_BUILD_BENCHMARKS=OFF -DKFLOW_BUILD_EXAMPLES=OFF -DKFLOW_CHECK_HEADERS=OFF
        -DKFLOW_BUILD_INTEGRATION_TESTS=$extra_builds_integration -DKFLOW_SEPARATE_COMPILATION=ON
        -DKFLOW_TEST_PCH=ON -DKFLOW_BUILD_PURE_LOGIC_TESTS=OFF)
    type=""
fi

# The default build also tests kflow::opentelemetry (docs/tracing.md) when OpenTelemetry C++ is
# installed; CI requires it, installing it first. Saying OFF otherwise keeps a build directory
# configured ON earlier from failing once the package is gone. The sanitizer, coverage and
# other-librdkafka builds leave it out.
with_opentelemetry=""
if [[ -z $sanitize && -z $coverage && ! -v KFLOW_LIBRDKAFKA_PREFIX ]]; then
    if [[ -n ${CI:-} ]] || kflow_have_package "$KFLOW_OPENTELEMETRY_PACKAGE"; then
        with_opentelemetry=ON
    else
        with_opentelemetry=OFF
    fi
    configure+=(-DKFLOW_WITH_OPENTELEMETRY=$with_opentelemetry)
fi

phase=${KFLOW_TEST_PHASE:-all}
case $phase in
    all | build | test) ;;
    *) kflow_fail "KFLOW_TEST_PHASE='$phase': use build, test or all" ;;
esac
if [[ $phase != test ]]; then
    kflow_install_dependencies
    [[ $with_opentelemetry != ON || -z ${CI:-} ]] || kflow_install_opentelemetry
    kflow_build "$dir" "$type" "${configure[@]}"
fi
[[ $phase != build ]] || exit 0

if [[ -n $coverage ]]; then
    # Counts from an earlier run in this directory would add to this one's.
    find "$dir" -name '*.gcda' -delete
fi
kflow_log "testing $dir${sanitize:+ (sanitizers: $sanitize)}${coverage:+ (line coverage)}"
ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout "$timeout" "$@"

if [[ -n $coverage ]]; then
    floor=${KFLOW_COVERAGE_FLOOR:-90}
    enforce=()
    if (($# == 0)); then
        enforce=(--floor "$floor")
    else
        kflow_log "ctest ran part of the suite: the coverage floor ($floor %) is not enforced"
    fi
    kflow_log "line coverage of include/kflow (each header, and its lines no test ran)"
    python3 "$KFLOW_ROOT/scripts/lib/coverage.py" "$dir" "$KFLOW_ROOT" --jobs "$jobs" "${enforce[@]}" ||
        kflow_fail "line coverage of include/kflow is below the floor of $floor % (see the report above)"
fi
