#!/usr/bin/env bash
# kflow-graceful-shutdown under SIGTERM: once it reports handled orders, it must stop
# consuming, flush its producer, commit everything it handled, close, and exit 0.
# Usage: graceful_shutdown.sh <kflow-graceful-shutdown> [its arguments...]
set -euo pipefail
service=("$@")

out=$(mktemp)
"${service[@]}" >"$out" 2>&1 &
pid=$!
trap 'kill -KILL "$pid" 2>/dev/null || true; rm -f "$out"' EXIT

fail() { echo "--- output:"; cat "$out"; echo "FAILED: $*" >&2; exit 1; }

# Deadline-bounded waits on what the service reports; joining a group takes a few seconds.
wait_for_output() {  # <extended regex> <seconds>
    local deadline=$((SECONDS + $2))
    until grep -Eq "$1" "$out"; do
        kill -0 "$pid" 2>/dev/null || fail "the service exited before printing /$1/"
        ((SECONDS < deadline)) || fail "no /$1/ within $2 s"
        sleep 0.1
    done
}
wait_for_output 'handled [0-9]+ orders so far' 60

kill -TERM "$pid"
deadline=$((SECONDS + 40))  # flush and close are bounded at 10 s each
while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "still running 40 s after SIGTERM"
    sleep 0.1
done
status=0
wait "$pid" || status=$?
cat "$out"
((status == 0)) || fail "exit status $status after SIGTERM, expected 0"

grep -q '^  SIGTERM: stopped consuming$' "$out" || fail "no 'SIGTERM: stopped consuming'"
grep -q '^  producer flushed' "$out" || fail "the producer was not flushed"
summary=$(grep '^kflow-graceful-shutdown: SIGTERM; ' "$out") || fail "no summary"
re='([0-9]+) orders handled, ([0-9]+) skipped; ([0-9]+) confirmations delivered, 0 failed; producer flushed; ([0-9]+) commits, the last through ([0-9]+) records; consumer closed'
[[ $summary =~ $re ]] || fail "unexpected summary: $summary"
handled=${BASH_REMATCH[1]} skipped=${BASH_REMATCH[2]} delivered=${BASH_REMATCH[3]}
commits=${BASH_REMATCH[4]} through=${BASH_REMATCH[5]}
((handled > 0)) || fail "no order handled"
((delivered == handled)) || fail "$delivered confirmations delivered for $handled orders"
((commits > 0)) || fail "nothing committed"
((through == handled + skipped)) || fail "last commit through $through records, handled $((handled + skipped))"
echo "graceful shutdown: $handled orders, $delivered confirmations, $commits commits"
