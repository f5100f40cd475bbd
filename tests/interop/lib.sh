# Shared by the interoperability tests written in bash: source it, do not run it.
#
# Each test starts its own kflow-mock-broker, waits for the bootstrap line with a deadline, and
# stops the broker when it exits, whatever the way out.

set -euo pipefail

# ctest reports a test that exits with this code as skipped (SKIP_RETURN_CODE in CMakeLists.txt).
readonly interop_skip_code=77
interop_name=$(basename "$0" .sh)
interop_dir=$(mktemp -d "${TMPDIR:-/tmp}/kflow-interop.XXXXXX")
interop_broker_pid=

interop_cleanup() {
    if [[ -n $interop_broker_pid ]]; then
        kill "$interop_broker_pid" 2>/dev/null || true
        wait "$interop_broker_pid" 2>/dev/null || true
    fi
    rm -rf "$interop_dir"
}
trap interop_cleanup EXIT

interop_fail() {
    printf 'FAILED: %s: %s\n' "$interop_name" "$*" >&2
    exit 1
}

# Skips the test (reported as skipped by ctest, never as passed) when a tool is not installed.
interop_require_tool() {
    command -v "$1" >/dev/null 2>&1 && return 0
    printf 'SKIPPED: %s: %s is not installed (%s)\n' "$interop_name" "$1" "$2" >&2
    exit "$interop_skip_code"
}

# interop_start_broker <kflow-mock-broker> [arguments...]: starts the broker and sets
# `bootstrap` from its first line, waiting at most 10 s for it.
interop_start_broker() {
    local broker_bin=$1
    shift
    [[ -x $broker_bin ]] || interop_fail "kflow-mock-broker not found at '$broker_bin'"
    local line=
    # The broker's stdout is a pipe this shell reads: `read -t` waits for the line itself, so a
    # slow start costs no fixed sleep and a hung one fails at the deadline.
    exec {interop_broker_out}< <(exec "$broker_bin" "$@" 2>"$interop_dir/broker.err")
    interop_broker_pid=$!
    if ! IFS= read -r -t 10 -u "$interop_broker_out" line; then
        cat "$interop_dir/broker.err" >&2
        interop_fail "kflow-mock-broker printed no bootstrap line within 10 s"
    fi
    [[ $line == bootstrap=* ]] || interop_fail "unexpected first line from kflow-mock-broker: '$line'"
    bootstrap=${line#bootstrap=}
    [[ -n $bootstrap ]] || interop_fail "kflow-mock-broker printed an empty bootstrap address"
    printf '%s: kflow-mock-broker %s at %s\n' "$interop_name" "$*" "$bootstrap"
}
