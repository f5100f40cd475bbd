#!/usr/bin/env bash
# The async examples against a Kafka cluster in another process (kflow-mock-broker), the way
# they run against a real one: kflow-async-producer writes orders, kflow-async-consumer reads
# them in a group (twice: the second run must start after the first one's commits),
# kflow-pipeline turns them into totals, kflow-graceful-shutdown serves them until SIGTERM.
# With kcat installed, a record that is not an order goes in too, and the pipeline's outputs
# are read back.
# Usage: against_mock_broker.sh <kflow-mock-broker> <kflow-async-producer>
#            <kflow-async-consumer> <kflow-pipeline> <kflow-graceful-shutdown>
set -euo pipefail
(($# == 5)) || { echo "usage: $0 <mock-broker> <producer> <consumer> <pipeline> <graceful-shutdown>" >&2; exit 2; }
broker_bin=$1 producer_bin=$2 consumer_bin=$3 pipeline_bin=$4 graceful_bin=$5
here=$(cd "$(dirname "$0")" && pwd)
expect=$here/expect_output.sh

# Only the cluster named on the command line, whatever this environment holds.
unset KAFKA_BOOTSTRAP_SERVERS

out=$(mktemp)
"$broker_bin" --topic orders:3 --topic order-totals:3 --topic orders-dead-letter:1 \
    --topic order-confirmations:3 >"$out" 2>&1 &
broker_pid=$!
trap 'kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; rm -f "$out"' EXIT

bootstrap=
deadline=$((SECONDS + 10))
until bootstrap=$(sed -n 's/^bootstrap=//p' "$out") && [[ -n $bootstrap ]]; do
    kill -0 "$broker_pid" 2>/dev/null || { cat "$out"; echo "kflow-mock-broker exited" >&2; exit 1; }
    ((SECONDS < deadline)) || { cat "$out"; echo "kflow-mock-broker printed no address" >&2; exit 1; }
    sleep 0.1
done
echo "=== kflow-mock-broker at $bootstrap"

kcat_bin=$(command -v kcat || command -v kafkacat || true)
bad=0
if [[ -n $kcat_bin ]]; then
    # First in partition 1, so that every reader of all the orders has to get past it.
    echo "=== kcat: one record that is not an order"
    printf 'this is not JSON' | "$kcat_bin" -P -b "$bootstrap" -t orders -p 1 -k mallory
    bad=1
else
    echo "(kcat not installed: no malformed record, no read-back of the pipeline's outputs)"
fi
echo "=== kflow-async-producer: 30 orders"
"$expect" "Kafka cluster at $bootstrap" '30 of 30 delivered, 0 failed' -- \
    "$producer_bin" --bootstrap "$bootstrap" --count 30 --window 8

echo "=== kflow-async-consumer: the 30 orders, in batches"
"$expect" "30 orders, $bad undeserializable" -- \
    "$consumer_bin" --bootstrap "$bootstrap" --group consumers --count 30 --batch 7
echo "=== kflow-async-producer: 5 more; the same group reads only those"
"$expect" '5 of 5 delivered' -- "$producer_bin" --bootstrap "$bootstrap" --count 5
"$expect" '5 orders, 0 undeserializable' -- \
    "$consumer_bin" --bootstrap "$bootstrap" --group consumers --count 5 --batch 1

echo "=== kflow-pipeline: 35 orders -> order-totals"
"$expect" "35 orders in, 35 totals delivered, $bad dead-lettered" -- \
    "$pipeline_bin" --bootstrap "$bootstrap" --count 35
if [[ -n $kcat_bin ]]; then
    totals=$("$kcat_bin" -C -b "$bootstrap" -t order-totals -e -q -f '%k %s\n')
    count=$(grep -c '"total_cents"' <<<"$totals" || true)
    ((count == 35)) || { echo "$totals"; echo "order-totals holds $count records, expected 35" >&2; exit 1; }
    dead=$("$kcat_bin" -C -b "$bootstrap" -t orders-dead-letter -e -q -f '%s|%h\n')
    grep -q '^this is not JSON|.*source=orders/1/' <<<"$dead" ||
        { echo "$dead"; echo "the dead letter lacks the raw value or its source" >&2; exit 1; }
fi

echo "=== kflow-graceful-shutdown: serves the orders until SIGTERM"
"$here/graceful_shutdown.sh" "$graceful_bin" --bootstrap "$bootstrap"
echo "=== all async examples ran against kflow-mock-broker"
