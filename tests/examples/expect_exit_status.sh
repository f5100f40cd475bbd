#!/usr/bin/env bash
# Runs a command, shows its output, and passes only when it exits with the given status and every
# given extended regular expression matches a line of its output: for the failures an example
# must report clearly.
# Usage: expect_exit_status.sh <status> <regex>... -- <command> [arguments...]
set -euo pipefail
(($# > 0)) || { echo "usage: expect_exit_status.sh <status> <regex>... -- <command> [arguments...]" >&2; exit 2; }
expected=$1
shift
patterns=()
while (($# > 0)) && [[ $1 != -- ]]; do
    patterns+=("$1")
    shift
done
(($# > 1)) || { echo "usage: expect_exit_status.sh <status> <regex>... -- <command> [arguments...]" >&2; exit 2; }
shift

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
"$@" >"$out" 2>&1 || status=$?
cat "$out"
((status == expected)) || { echo "FAILED: exit status $status, expected $expected" >&2; exit 1; }
for pattern in "${patterns[@]}"; do
    grep -Eq "$pattern" "$out" || { echo "FAILED: no line matches /$pattern/" >&2; exit 1; }
done
