#!/usr/bin/env bash
# kflow-demo's KAFKA_BOOTSTRAP_SERVERS path: the demo runs against a cluster in another process
# (kflow-mock-broker), twice, so the second run also has to skip the first run's events.
# Usage: demo_external_cluster.sh <kflow-mock-broker> <kflow-demo>
set -euo pipefail
broker_bin=$1
demo_bin=$2

out=$(mktemp)
"$broker_bin" --brokers 1 --topic kflow-demo-orders:3:1 >"$out" 2>&1 &
broker_pid=$!
trap 'kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; rm -f "$out"' EXIT

bootstrap=
for _ in $(seq 100); do  # up to 10 s for the broker to print its address
    bootstrap=$(sed -n 's/^bootstrap=//p' "$out")
    [[ -n $bootstrap ]] && break
    kill -0 "$broker_pid" 2>/dev/null || { cat "$out"; echo "kflow-mock-broker exited" >&2; exit 1; }
    sleep 0.1
done
[[ -n $bootstrap ]] || { cat "$out"; echo "kflow-mock-broker printed no bootstrap address" >&2; exit 1; }

for run in 1 2; do
    echo "--- run $run against $bootstrap"
    KAFKA_BOOTSTRAP_SERVERS=$bootstrap "$demo_bin" | tee "$out.demo"
    grep -q "Kafka cluster at $bootstrap" "$out.demo"
done
grep -q "skipped 6 events of earlier runs" "$out.demo"
rm -f "$out.demo"
