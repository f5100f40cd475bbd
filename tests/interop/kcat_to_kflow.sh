#!/usr/bin/env bash
# kcat produces keyed records with headers to kflow-mock-broker; a kflow consumer reads them and
# must see every key, value and header exactly as kcat sent them.
# Usage: kcat_to_kflow.sh <kflow-mock-broker> <kflow_roundtrip> <records.py>
source "$(dirname "$0")/lib.sh"
broker_bin=$1
roundtrip_bin=$2
records_py=$3
interop_require_tool kcat "the deps script installs it: scripts/lib/common.sh"
interop_require_tool /usr/bin/python3 "the record checker runs on the system Python"

topic=kcat-to-kflow
interop_start_broker "$broker_bin" --topic "$topic:3"

# Two batches, because kcat gives every record of one run the same headers. The values hold a
# ':' after the key delimiter and a multi-byte character; batch 1 repeats a header name and has
# a header with a null value (-H name without '=').
produce_batch() {  # produce_batch <batch> <headers as JSON> <kcat -H arguments...>
    local batch=$1 headers_json=$2 i
    shift 2
    : >"$interop_dir/input"
    for i in 1 2 3 4; do
        printf 'kcat-%s-key-%s:value %s of batch %s: café\n' "$batch" "$i" "$i" "$batch" \
            >>"$interop_dir/input"
        printf '{"topic":"%s","key":"kcat-%s-key-%s","value":"value %s of batch %s: café","headers":%s}\n' \
            "$topic" "$batch" "$i" "$i" "$batch" "$headers_json" >>"$interop_dir/expected"
    done
    timeout 30 kcat -P -b "$bootstrap" -t "$topic" -K: "$@" <"$interop_dir/input" ||
        interop_fail "kcat could not produce batch $batch"
}
produce_batch 1 '[["source","kcat"],["tag","a"],["tag","b"],["trace",null]]' \
    -H source=kcat -H tag=a -H tag=b -H trace
produce_batch 2 '[["source","kcat"],["batch","2"]]' -H source=kcat -H batch=2

timeout 60 "$roundtrip_bin" consume --bootstrap "$bootstrap" --topic "$topic" --count 8 \
    --group kcat-to-kflow-reader >"$interop_dir/actual" ||
    interop_fail "kflow did not read the 8 records kcat produced"
cat "$interop_dir/actual"
/usr/bin/python3 "$records_py" compare "$interop_dir/expected" "$interop_dir/actual" ||
    interop_fail "what kflow read differs from what kcat produced"
