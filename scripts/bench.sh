#!/usr/bin/env bash
# Runs kflow's per-path benchmark, tests/benchmarks/bench_paths.cpp, or with
# --program bench_transactions the transactional one, tests/benchmarks/bench_transactions.cpp
# (docs/performance.md).
#
#   scripts/bench.sh --instructions [--messages N] [--only SCENARIO]
#       Each scenario's raw and kflow sides alone under callgrind: instructions per message in
#       the timed region, every thread of the process counted (application, librdkafka, mock
#       cluster). Default 100,000 messages. Counts hardly depend on the machine's load: this is
#       the mode for comparing two versions of kflow on a shared machine.
#   scripts/bench.sh --throughput [--rounds R] [--messages N] [--only SCENARIO]
#       Paired rounds, raw and kflow alternating: msg/s medians and kflow / raw. Default 5
#       rounds of 1,000,000 messages.
#   scripts/bench.sh --latency [--rounds R] [--seconds S] [--rate MSG_PER_S]
#       latency_delivery and latency_consume: p50, p99 and p99.9 in microseconds, kflow - raw.
#       Default 5 rounds of 5 s at 2,000 msg/s (bench_paths only).
#
# --program bench_paths|bench_transactions (default bench_paths): the program the mode runs.
# bench_transactions' scenarios are txn_100, txn_1000 and txn_10000 (records per transaction);
# its runs default to 100,000 messages in both modes.
#
# --build-dir DIR (default build-bench/ under the repository): configured once (Release,
# KFLOW_BUILD_BENCHMARKS=ON), then reused; only the program is built. Callgrind's files go to
# DIR/callgrind/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

mode="" messages="" rounds="" only="" seconds="" rate="" program=bench_paths
dir=$KFLOW_ROOT/build-bench
while (($#)); do
    case $1 in
        --instructions | --throughput | --latency)
            [[ -z $mode ]] || kflow_fail "one of --instructions, --throughput, --latency at a time"
            mode=${1#--}
            ;;
        --messages | --rounds | --only | --seconds | --rate | --build-dir | --program)
            (($# >= 2)) || kflow_fail "$1 needs a value"
            case $1 in
                --messages) messages=$2 ;;
                --rounds) rounds=$2 ;;
                --only) only=$2 ;;
                --seconds) seconds=$2 ;;
                --rate) rate=$2 ;;
                --build-dir) dir=$2 ;;
                --program) program=$2 ;;
            esac
            shift
            ;;
        -h | --help)
            sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
            exit 0
            ;;
        *) kflow_fail "unknown option '$1' (see $0 --help)" ;;
    esac
    shift
done
[[ -n $mode ]] || kflow_fail "give --instructions, --throughput or --latency (see $0 --help)"
case $program in
    bench_paths) default_messages=1000000 ;;
    bench_transactions)
        default_messages=100000
        [[ $mode != latency ]] || kflow_fail "--latency runs bench_paths only"
        ;;
    *) kflow_fail "--program $program: not bench_paths or bench_transactions" ;;
esac

# -- Build --------------------------------------------------------------------------------------
if [[ ! -f $dir/CMakeCache.txt ]]; then
    kflow_log "configuring $dir (Release, KFLOW_BUILD_BENCHMARKS=ON)"
    cmake -S "$KFLOW_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DKFLOW_BUILD_BENCHMARKS=ON \
        -DKFLOW_BUILD_EXAMPLES=OFF >/dev/null
fi
cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$dir/CMakeCache.txt"; }
# Another tree's build directory would measure that tree's headers.
[[ $(cache_value CMAKE_HOME_DIRECTORY) -ef $KFLOW_ROOT ]] ||
    kflow_fail "$dir was configured for $(cache_value CMAKE_HOME_DIRECTORY), not $KFLOW_ROOT"
[[ $(cache_value CMAKE_BUILD_TYPE) == Release ]] ||
    kflow_fail "$dir is a '$(cache_value CMAKE_BUILD_TYPE)' build; benchmarks need Release"
kflow_log "building $program in $dir"
if ! cmake --build "$dir" --target "$program" >"$dir/$program-build.log" 2>&1; then
    cat "$dir/$program-build.log" >&2
    kflow_fail "building $program failed (a build directory without KFLOW_BUILD_BENCHMARKS=ON has no such target)"
fi
bin=$dir/tests/benchmarks/$program

source_state="not a git checkout"
if git -C "$KFLOW_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    source_state="commit $(git -C "$KFLOW_ROOT" rev-parse --short HEAD)"
    if [[ -n $(git -C "$KFLOW_ROOT" status --porcelain -- include) ]]; then
        source_state+=", include/ has uncommitted changes"
    fi
fi
kflow_log "kflow headers: $KFLOW_ROOT/include ($source_state)"

scenario_args=()
if [[ -n $only ]]; then
    scenario_args=(--scenario "$only")
fi

# -- Modes --------------------------------------------------------------------------------------
case $mode in
    throughput)
        cmd=("$bin" --rounds "${rounds:-5}" --messages "${messages:-$default_messages}" "${scenario_args[@]}")
        printf 'command: %s\n' "${cmd[*]}"
        "${cmd[@]}"
        ;;
    latency)
        cmd=("$bin" --scenario "latency_delivery,latency_consume" --rounds "${rounds:-5}")
        [[ -z $seconds ]] || cmd+=(--seconds "$seconds")
        [[ -z $rate ]] || cmd+=(--rate "$rate")
        printf 'command: %s\n' "${cmd[*]}"
        "${cmd[@]}"
        ;;
    instructions)
        command -v valgrind >/dev/null || kflow_fail "--instructions needs valgrind (Debian: apt-get install valgrind)"
        messages=${messages:-100000}
        mapfile -t scenarios < <("$bin" --list)
        if [[ -n $only ]]; then
            printf '%s\n' "${scenarios[@]}" | grep -qx -- "$only" ||
                kflow_fail "--only $only: not one of ${scenarios[*]}"
            scenarios=("$only")
        fi
        out=$dir/callgrind
        mkdir -p "$out"
        rows=() commands=()
        for scenario in "${scenarios[@]}"; do
            declare -A ir=()
            for side in raw kflow; do
                file=$out/$scenario.$side.out
                rm -f "$file" "$file".*
                # --instr-atstart=no: the program switches instrumentation on for its timed
                # region only (and the set-up and preload run several times faster).
                cmd=(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$file"
                    "$bin" --scenario "$scenario" --side "$side" --messages "$messages")
                commands+=("${cmd[*]}")
                kflow_log "$scenario, $side side, under callgrind"
                if ! "${cmd[@]}" >"$file.log" 2>&1; then
                    cat "$file.log" >&2
                    kflow_fail "$scenario, $side side failed"
                fi
                ir[$side]=$(python3 "$KFLOW_ROOT/scripts/lib/callgrind_timed.py" "$file")
            done
            rows+=("$(awk -v s="$scenario" -v r="${ir[raw]}" -v k="${ir[kflow]}" -v n="$messages" \
                'BEGIN { printf "| %s | %.0f | %.0f | %.3f |", s, r / n, k / n, k / r }')")
            unset ir
        done
        printf '\nInstructions per message in the timed region, whole process (%s messages x 100 B; %s):\n\n' \
            "$messages" "$(valgrind --version)"
        printf '| scenario | raw instr/msg | kflow instr/msg | kflow / raw |\n|---|---:|---:|---:|\n'
        printf '%s\n' "${rows[@]}"
        printf '\nCommands (each count: the totals line of the dump triggered by "timed", read by\n'
        printf 'scripts/lib/callgrind_timed.py):\n\n'
        printf '    %s\n' "${commands[@]}"
        ;;
esac
