#!/usr/bin/env bash
# kflow produces keyed records with headers; kcat consumes the topic to its end and must see each
# record with the key, value and headers kflow sent, in the partition and at the offset kflow's
# delivery report gave.
# Usage: kflow_to_kcat.sh <kflow-mock-broker> <kflow_roundtrip> <records.py>
source "$(dirname "$0")/lib.sh"
broker_bin=$1
roundtrip_bin=$2
records_py=$3
interop_require_tool kcat "the deps script installs it: scripts/lib/common.sh"
interop_require_tool /usr/bin/python3 "the record checker runs on the system Python"

topic=kflow-to-kcat
interop_start_broker "$broker_bin" --brokers 2 --topic "$topic:4:2"

timeout 60 "$roundtrip_bin" produce --bootstrap "$bootstrap" --topic "$topic" --count 12 \
    --source kflow >"$interop_dir/expected" || interop_fail "kflow could not produce"
[[ $(wc -l <"$interop_dir/expected") -eq 12 ]] ||
    interop_fail "kflow reported $(wc -l <"$interop_dir/expected") deliveries, expected 12"

# -e: exit at the end of every partition, so kcat reads everything there is and no more.
format=$(/usr/bin/python3 "$records_py" kcat-format)
timeout 60 kcat -C -b "$bootstrap" -t "$topic" -e -q -f "$format" >"$interop_dir/actual" ||
    interop_fail "kcat could not consume $topic"
cat "$interop_dir/actual"
/usr/bin/python3 "$records_py" compare "$interop_dir/expected" "$interop_dir/actual" \
    --actual-format kcat || interop_fail "what kcat read differs from what kflow produced"
