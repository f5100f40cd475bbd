#!/usr/bin/env bash
# Runs a command, shows its output, and passes only when it exits 0 and every given extended
# regular expression matches a line of its output.
# Usage: expect_output.sh <regex>... -- <command> [arguments...]
set -euo pipefail
patterns=()
while (($# > 0)) && [[ $1 != -- ]]; do
    patterns+=("$1")
    shift
done
(($# > 1)) || { echo "usage: expect_output.sh <regex>... -- <command> [arguments...]" >&2; exit 2; }
shift

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
"$@" >"$out" 2>&1 || status=$?
cat "$out"
((status == 0)) || { echo "FAILED: exit status $status" >&2; exit 1; }
for pattern in "${patterns[@]}"; do
    grep -Eq "$pattern" "$out" || { echo "FAILED: no line matches /$pattern/" >&2; exit 1; }
done
