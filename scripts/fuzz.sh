#!/usr/bin/env bash
# Builds kflow's libFuzzer targets (tests/fuzz, see docs/fuzzing.md) with clang-15 and runs each
# one for a while; installs missing Debian/Ubuntu packages first.
#
#   ./scripts/fuzz.sh                          every target, 30 s each, build in build-fuzz/
#   KFLOW_FUZZ_SECONDS=300 ./scripts/fuzz.sh   longer runs
#   ./scripts/fuzz.sh fuzz_headers             only the targets named
#
# Each target starts from a copy of its seed corpus (tests/fuzz/corpus/<target>, left as it is)
# in build-fuzz/fuzz-runs/<target>/, where its log and any crash, leak or timeout input end up.
# KFLOW_BUILD_DIR overrides the build directory; KFLOW_FUZZ_TIMEOUT (default 10) is the seconds
# one input may take before it counts as a hang. Exits non-zero when the build fails or any
# target crashes, leaks, hangs or runs out of memory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

seconds=${KFLOW_FUZZ_SECONDS:-30}
input_timeout=${KFLOW_FUZZ_TIMEOUT:-10}
dir=${KFLOW_BUILD_DIR:-$KFLOW_ROOT/build-fuzz}
fuzz_src=$KFLOW_ROOT/tests/fuzz
all_targets=(fuzz_deserializers fuzz_headers fuzz_topic_spec_json fuzz_env_config)
if (($#)); then
    targets=("$@")
else
    targets=("${all_targets[@]}")
fi

[[ $seconds =~ ^[1-9][0-9]*$ ]] || kflow_fail "KFLOW_FUZZ_SECONDS='$seconds': use a whole number of seconds"
[[ $input_timeout =~ ^[1-9][0-9]*$ ]] || kflow_fail "KFLOW_FUZZ_TIMEOUT='$input_timeout': use a whole number of seconds"
for target in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $target "* ]] ||
        kflow_fail "unknown fuzz target '$target' (targets: ${all_targets[*]})"
done

script_start=$SECONDS
step_start=$SECONDS
step_done() {
    kflow_log "$1: $((SECONDS - step_start)) s"
    step_start=$SECONDS
}

# The fuzzers need Clang's libFuzzer; the tests' Catch2, kcat and kafka-python are not needed.
# shellcheck disable=SC2034 # read by kflow_install_dependencies
KFLOW_DEBIAN_PACKAGES=(
    librdkafka-dev
    libboost1.81-dev
    nlohmann-json3-dev
    cmake
    g++ # libstdc++'s headers, which clang uses too
    pkg-config
    clang-15
    libfuzzer-15-dev
)
kflow_install_dependencies
step_done "dependencies"

# Optimized with debug info, as fuzzers usually are; tests, examples and benchmarks are left out.
kflow_build "$dir" RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-15 -DKFLOW_BUILD_FUZZERS=ON \
    -DKFLOW_BUILD_TESTS=OFF -DKFLOW_BUILD_EXAMPLES=OFF -DKFLOW_BUILD_BENCHMARKS=OFF \
    -- --target "${targets[@]}"
step_done "configure and build"

# Every sanitizer report ends the run; ubsan.supp lists the known ones (docs/fuzzing.md).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:suppressions=$fuzz_src/ubsan.supp}
# Stack traces with function names and lines (the symlinks Debian installs confuse the runtime).
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} ]]; then
    for symbolizer in llvm-symbolizer-15 llvm-symbolizer; do
        if command -v "$symbolizer" >/dev/null 2>&1; then
            ASAN_SYMBOLIZER_PATH=$(readlink -f "$(command -v "$symbolizer")")
            export ASAN_SYMBOLIZER_PATH
            break
        fi
    done
fi

# The value of one of libFuzzer's `stat::name: value` lines, or "?" when it printed none.
final_stat() {
    local value
    value=$(sed -n "s/^stat::$1: *//p" "$2" | tail -n 1)
    printf '%s' "${value:-?}"
}

failed=()
summary=()
for target in "${targets[@]}"; do
    run=$dir/fuzz-runs/$target
    rm -rf "$run"
    mkdir -p "$run/corpus" "$run/artifacts"
    cp -R "$fuzz_src/corpus/$target/." "$run/corpus/"
    options=(-max_total_time="$seconds" -max_len=4096 -timeout="$input_timeout"
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$run/artifacts/")
    if [[ -f $fuzz_src/$target.dict ]]; then
        options+=(-dict="$fuzz_src/$target.dict")
    fi

    kflow_log "fuzzing $target for $seconds s (log: $run/log)"
    status=0
    # libFuzzer stops itself after max_total_time; the outer limit only catches a stuck process.
    timeout --kill-after=30 $((seconds + input_timeout + 300)) \
        "$dir/tests/fuzz/$target" "${options[@]}" "$run/corpus" >"$run/log" 2>&1 || status=$?

    mapfile -t found < <(find "$run/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' \
        -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
    line=$(printf '%-22s %12s executions %9s exec/s' "$target" \
        "$(final_stat number_of_executed_units "$run/log")" \
        "$(final_stat average_exec_per_sec "$run/log")")
    if ((status != 0 || ${#found[@]} > 0)); then
        line+="  FAILED (exit $status)"
        failed+=("$target")
        grep -E -m 5 'ERROR: |runtime error:|SUMMARY: ' "$run/log" >&2 || tail -n 20 "$run/log" >&2
        if ((${#found[@]} > 0)); then
            printf 'input that fails: %s\n' "${found[@]}" >&2
            printf 'reproduce with:   %s %s\n' "$dir/tests/fuzz/$target" "${found[0]}" >&2
        fi
    fi
    summary+=("$line")
    printf '%s\n' "$line"
    step_done "$target"
done

kflow_log "results ($seconds s per target)"
printf '  %s\n' "${summary[@]}"
kflow_log "total: $((SECONDS - script_start)) s"
if ((${#failed[@]} > 0)); then
    kflow_fail "fuzzing found problems in: ${failed[*]} (inputs in $dir/fuzz-runs/<target>/artifacts/)"
fi
