#!/usr/bin/env bash
# kflow-cli and kcat against one kflow-mock-broker, both ways, every record compared field by
# field (partition, offset, timestamp, key, value, headers), never by count alone.
#
# 1. kflow-cli produce -K: -H ... --report: kcat -C reads exactly those records, at the
#    partitions and offsets of the report; a line without the delimiter has a null key.
# 2. kflow-cli produce --json (headers as a list and as an object, partition, timestamp, null
#    key, tombstone) --report: kcat reads exactly them, with the given partitions and timestamps.
# 3. kflow-cli produce -p 1: every record in partition 1.
# 4. kcat -P -K: -H ...: kflow-cli consume --json -e prints exactly what kcat reads back itself
#    (timestamps included); the text form, with and without -K, holds the same keys and values.
# 5. Subsets of a topic kcat wrote to partitions 0 and 1: -p, --from OFFSET, --from -N, --to
#    OFFSET, -c N, --from end.
# Usage: cli_kcat.sh <kflow-mock-broker> <kflow-cli>
source "$(dirname "$0")/lib.sh"
(($# == 2)) || interop_fail "usage: cli_kcat.sh <kflow-mock-broker> <kflow-cli>"
broker_bin=$1
cli=$2
interop_require_tool kcat "the deps script installs it: scripts/lib/common.sh"
interop_require_tool /usr/bin/python3 "the record checker runs on the system Python"
[[ -x $cli ]] || interop_fail "kflow-cli not found at '$cli'"

# The checks on records, written once here so that each step below is one line.
check_py=$interop_dir/check.py
cat >"$check_py" <<'EOF'
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def save(path, records):
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def from_kcat(r):
    """kcat -J's line as a record in kflow-cli's --json form."""
    h = r.get("headers") or []
    return {
        "topic": r["topic"],
        "partition": r["partition"],
        "offset": r["offset"],
        "timestamp": r["ts"],
        "timestamp_type": {"create": "create_time", "logappend": "log_append_time"}.get(
            r["tstype"], r["tstype"]),
        "key": r["key"],
        "value": r["payload"],
        "headers": [[h[i], h[i + 1]] for i in range(0, len(h), 2)],
    }


def where(r):
    return f"{r.get('topic')} [{r.get('partition')}] @ {r.get('offset')}"


def compare(expected, actual):
    """Exactly the records of `expected` (matched by topic, partition and offset), each with
    every field `expected` gives; each partition's records in increasing offsets."""
    problems = []
    last = {}
    for r in actual:
        tp = (r.get("topic"), r.get("partition"))
        if tp in last and r.get("offset") is not None and r["offset"] <= last[tp]:
            problems.append(f"{where(r)} printed after offset {last[tp]}")
        last[tp] = r.get("offset")
    index = lambda r: (r.get("topic"), r.get("partition"), r.get("offset"))
    want = {index(r): r for r in expected}
    got = {}
    for r in actual:
        if index(r) in got:
            problems.append(f"{where(r)} printed twice")
        got[index(r)] = r
    for k, e in sorted(want.items(), key=lambda kv: str(kv[0])):
        a = got.get(k)
        if a is None:
            problems.append(f"missing: {json.dumps(e, ensure_ascii=False)}")
            continue
        for field, value in e.items():
            if field not in a:
                problems.append(f"{where(e)}: no field {field!r} in {json.dumps(a, ensure_ascii=False)}")
            elif a[field] != value:
                problems.append(f"{where(e)}: {field} {a[field]!r}, expected {value!r}")
    for k, a in got.items():
        if k not in want:
            problems.append(f"unexpected: {json.dumps(a, ensure_ascii=False)}")
    return problems


def produced(input_path, report_path, topic, mode, arg):
    """The records kflow-cli was asked to produce (its input lines) at the partitions and
    offsets its --report gave. mode text: arg is [delimiter, headers JSON]; mode json: the
    line's own fields."""
    with open(input_path, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    report = load(report_path)
    problems = []
    by_line = {}
    for r in report:
        if r.get("line") in by_line:
            problems.append(f"line {r.get('line')} reported twice")
        by_line[r.get("line")] = r
    if sorted(by_line) != list(range(1, len(lines) + 1)):
        problems.append(f"report names lines {sorted(by_line, key=str)}, expected 1..{len(lines)}")
    out = []
    for n, line in enumerate(lines, 1):
        rep = by_line.get(n)
        if rep is None:
            continue
        if mode == "text":
            delim, headers = arg[0], json.loads(arg[1])
            key, sep, value = line.partition(delim) if delim else (None, "", line)
            if not sep:
                key, value = None, line
            rec = {"key": key, "value": value, "headers": headers}
            if len(arg) > 2:
                rec["partition"] = int(arg[2])
        else:
            j = json.loads(line)
            h = j.get("headers", [])
            if isinstance(h, dict):
                h = [[k, v] for k, v in h.items()]
            rec = {"key": j.get("key"), "value": j.get("value"), "headers": h}
            for field in ("partition", "timestamp"):
                if field in j:
                    rec[field] = j[field]
        # librdkafka 2.0.2's mock answers a produce with a log-append time (1234): the report
        # shows it, as "log_append_time", while the record keeps its create time. Only a
        # create-time report must agree with the record.
        create_time = rep.get("timestamp_type", "create_time") == "create_time"
        if "partition" in rec and rep.get("partition") != rec["partition"]:
            problems.append(f"line {n}: report partition {rep.get('partition')}, asked for {rec['partition']}")
        if create_time and "timestamp" in rec and rep.get("timestamp") != rec["timestamp"]:
            problems.append(f"line {n}: report timestamp {rep.get('timestamp')}, asked for {rec['timestamp']}")
        if not isinstance(rep.get("timestamp"), int):
            problems.append(f"line {n}: report timestamp {rep.get('timestamp')!r}")
        if rep.get("key") != rec["key"]:
            problems.append(f"line {n}: report key {rep.get('key')!r}, expected {rec['key']!r}")
        rec.update(topic=topic, partition=rep.get("partition"), offset=rep.get("offset"),
                   timestamp_type="create_time")
        if create_time:
            rec["timestamp"] = rep.get("timestamp")
        out.append(rec)
    return out, problems


def text_lines(records, delim):
    return sorted(((r["key"] or "") + delim + (r["value"] or "")) if delim is not None
                  else (r["value"] or "") for r in records)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "kcat":  # kcat -J output -> records
        save(args[1], [from_kcat(r) for r in load(args[0])])
    elif cmd == "compare":  # EXPECTED ACTUAL
        problems = compare(load(args[0]), load(args[1]))
        for p in problems:
            print("  " + p, file=sys.stderr)
        if problems:
            sys.exit(1)
        print(f"  {len(load(args[1]))} record(s) match")
    elif cmd == "produced":  # INPUT REPORT TOPIC MODE OUT [ARG...]
        records, problems = produced(args[0], args[1], args[2], args[3], args[5:])
        for p in problems:
            print("  " + p, file=sys.stderr)
        save(args[4], records)
        if problems:
            sys.exit(1)
    elif cmd == "subset":  # TRUTH OUT PARTITIONS START:STOP (a Python slice of each partition)
        truth = load(args[0])
        start, stop = (int(x) if x else None for x in args[3].split(":"))
        out = []
        for p in (int(x) for x in args[2].split(",")):
            out += sorted((r for r in truth if r["partition"] == p), key=lambda r: r["offset"])[start:stop]
        save(args[1], out)
    elif cmd == "same-content":  # EXPECTED_JSONL TRUTH: key, value, headers as multisets
        ident = lambda r: json.dumps([r["key"], r["value"], r["headers"]], ensure_ascii=False)
        e, t = sorted(map(ident, load(args[0]))), sorted(map(ident, load(args[1])))
        if e != t:
            print(f"  sent {e}\n  read {t}", file=sys.stderr)
            sys.exit(1)
    elif cmd == "text":  # TRUTH [DELIM]: the sorted text lines kflow-cli consume prints
        for line in text_lines(load(args[0]), args[1] if len(args) > 1 else None):
            print(line)
    else:
        sys.exit(f"unknown command {cmd}")


main()
EOF
check() { /usr/bin/python3 "$check_py" "$@"; }

# The mock holds an empty fetch for all of fetch.wait.max.ms (default 500 ms): keep it short.
cli_opts=(-X fetch.wait.max.ms=10)
kcat_opts=(-X fetch.wait.max.ms=10)

out_topic="cli-to-kcat"
in_topic=kcat-to-cli
sub_topic=kcat-subsets
interop_start_broker "$broker_bin" --brokers 2 --topic "$out_topic:3:2" --topic "$in_topic:3" \
    --topic "$sub_topic:2" --topic cli-json:3 --topic cli-partition:3

# kcat_read <topic> <records file>: everything in the topic, as kcat -J sees it.
kcat_read() {
    timeout 30 kcat -C -b "$bootstrap" "${kcat_opts[@]}" -t "$1" -e -q -J >"$interop_dir/kcat.json" ||
        interop_fail "kcat could not consume $1"
    check kcat "$interop_dir/kcat.json" "$2"
}

# cli_produce <name> <topic> <input> <cli produce options...>: runs kflow-cli produce --report
# and checks its summary line; the report is left in $interop_dir/<name>.report.
cli_produce() {
    local name=$1 topic=$2 input=$3 lines status=0
    shift 3
    lines=$(wc -l <"$input")
    timeout 45 "$cli" -b "$bootstrap" "${cli_opts[@]}" produce "$topic" --report --timeout 30 "$@" \
        <"$input" >"$interop_dir/$name.report" 2>"$interop_dir/$name.err" || status=$?
    ((status == 0)) || interop_fail "$name: kflow-cli produce exited $status: $(cat "$interop_dir/$name.err")"
    grep -Fq "$lines of $lines records delivered to '$topic'" "$interop_dir/$name.err" ||
        interop_fail "$name: no '$lines of $lines records delivered to '$topic'' on stderr: $(cat "$interop_dir/$name.err")"
}

# cli_consume <name> <consume arguments...>: kflow-cli consume, output in $interop_dir/<name>.out.
cli_consume() {
    local name=$1 status=0
    shift
    timeout 45 "$cli" -b "$bootstrap" "${cli_opts[@]}" consume "$@" --timeout 30 \
        >"$interop_dir/$name.out" 2>"$interop_dir/$name.err" || status=$?
    ((status == 0)) ||
        interop_fail "$name: kflow-cli consume $* exited $status: $(cat "$interop_dir/$name.err")"
}

# 1. Text lines with -K and -H. The values hold the delimiter again and a multi-byte character;
#    one line has no delimiter (a null key), one an empty key; -H repeats a name.
{
    for i in 1 2 3 4 5 6 7 8; do printf 'cli-key-%s:value %s: café\n' "$i" "$i"; done
    printf 'no delimiter here\n'
    printf ':empty key\n'
} >"$interop_dir/text.in"
cli_produce text "$out_topic" "$interop_dir/text.in" -K : -H source=kflow-cli -H tag=a -H tag=b
check produced "$interop_dir/text.in" "$interop_dir/text.report" "$out_topic" text \
    "$interop_dir/text.expected" : '[["source","kflow-cli"],["tag","a"],["tag","b"]]' ||
    interop_fail "kflow-cli's --report does not match its input"
kcat_read "$out_topic" "$interop_dir/text.kcat"
check compare "$interop_dir/text.expected" "$interop_dir/text.kcat" ||
    interop_fail "what kcat read differs from what kflow-cli produce -K: -H reported"
echo "ok: kflow-cli produce -K -H -> kcat, at the reported partitions and offsets"

# 2. JSON lines: headers as a list (a repeated name) and as an object, explicit partitions and
#    timestamps, a null key, a tombstone, a line with the value only.
cat >"$interop_dir/json.in" <<'EOF'
{"key": "j-1", "value": "json one", "headers": [["h", "1"], ["h", "2"], ["other", "x"]], "partition": 2, "timestamp": 1796464800000}
{"key": null, "value": "null key", "headers": {"a": "x", "b": "y"}, "partition": 1, "timestamp": 1796464801000}
{"key": "j-3", "value": null, "partition": 0, "timestamp": 1796464802000}
{"value": "only a value"}
{"key": "j-5", "value": "{\"nested\": \"json in a value\"}", "headers": [], "partition": 2}
EOF
cli_produce json cli-json "$interop_dir/json.in" --json
check produced "$interop_dir/json.in" "$interop_dir/json.report" cli-json json \
    "$interop_dir/json.expected" || interop_fail "kflow-cli's --report does not match its --json input"
kcat_read cli-json "$interop_dir/json.kcat"
check compare "$interop_dir/json.expected" "$interop_dir/json.kcat" ||
    interop_fail "what kcat read differs from what kflow-cli produce --json reported"
echo "ok: kflow-cli produce --json (headers, partition, timestamp, null key, tombstone) -> kcat"

# 3. -p: every record in the partition asked for.
printf 'p-%s\n' 1 2 3 4 5 >"$interop_dir/partition.in"
cli_produce partition cli-partition "$interop_dir/partition.in" -p 1
check produced "$interop_dir/partition.in" "$interop_dir/partition.report" cli-partition text \
    "$interop_dir/partition.expected" "" '[]' 1 || interop_fail "kflow-cli produce -p 1 reported other partitions"
kcat_read cli-partition "$interop_dir/partition.kcat"
check compare "$interop_dir/partition.expected" "$interop_dir/partition.kcat" ||
    interop_fail "what kcat read differs from what kflow-cli produce -p 1 reported"
echo "ok: kflow-cli produce -p 1 -> kcat finds them all in partition 1"

# 4. kcat -> kflow-cli consume. Two batches, because kcat gives every record of one run the same
#    headers; batch 1 has a header with a null value (-H name without '=') and a line without
#    the delimiter (a null key).
: >"$interop_dir/sent.jsonl"
kcat_batch() {  # kcat_batch <batch> <headers as JSON> <kcat -H arguments...>
    local batch=$1 headers=$2 i
    shift 2
    : >"$interop_dir/batch.in"
    for i in 1 2 3 4 5; do
        printf 'kcat-%s-%s:value %s of batch %s: café: ü\n' "$batch" "$i" "$i" "$batch" >>"$interop_dir/batch.in"
        printf '{"key":"kcat-%s-%s","value":"value %s of batch %s: café: ü","headers":%s}\n' \
            "$batch" "$i" "$i" "$batch" "$headers" >>"$interop_dir/sent.jsonl"
    done
    printf 'batch %s without a key\n' "$batch" >>"$interop_dir/batch.in"
    printf '{"key":null,"value":"batch %s without a key","headers":%s}\n' "$batch" "$headers" \
        >>"$interop_dir/sent.jsonl"
    timeout 30 kcat -P -b "$bootstrap" -t "$in_topic" -K: "$@" <"$interop_dir/batch.in" ||
        interop_fail "kcat could not produce batch $batch"
}
kcat_batch 1 '[["source","kcat"],["tag","a"],["tag","b"],["trace",null]]' \
    -H source=kcat -H tag=a -H tag=b -H trace
kcat_batch 2 '[["source","kcat"],["batch","2"]]' -H source=kcat -H batch=2
kcat_read "$in_topic" "$interop_dir/in.truth"
check same-content "$interop_dir/sent.jsonl" "$interop_dir/in.truth" ||
    interop_fail "kcat reads back something else than it was given to produce"

cli_consume json-e "$in_topic" --json -e
check compare "$interop_dir/in.truth" "$interop_dir/json-e.out" ||
    interop_fail "kflow-cli consume --json -e differs from what kcat produced"
echo "ok: kcat produce -K -H -> kflow-cli consume --json -e, every field"

cli_consume text-k "$in_topic" -K '|' -e
check text "$interop_dir/in.truth" '|' >"$interop_dir/text-k.expected"
sort "$interop_dir/text-k.out" | diff "$interop_dir/text-k.expected" - ||
    interop_fail "kflow-cli consume -K '|' -e printed other lines (diff above: < expected, > got)"
cli_consume text "$in_topic" --exit
check text "$interop_dir/in.truth" >"$interop_dir/text.expected"
sort "$interop_dir/text.out" | diff "$interop_dir/text.expected" - ||
    interop_fail "kflow-cli consume --exit printed other values (diff above: < expected, > got)"
echo "ok: kflow-cli consume text output, with -K and without"

# 5. Subsets. kcat writes 10 records to partition 0 and 5 to partition 1; what kcat reads back
#    is the truth the subsets are cut from.
for i in 0 1 2 3 4 5 6 7 8 9; do printf 'p0-key-%s:p0 value %s\n' "$i" "$i"; done |
    timeout 30 kcat -P -b "$bootstrap" -t "$sub_topic" -p 0 -K: -H part=0 ||
    interop_fail "kcat could not produce to partition 0"
for i in 0 1 2 3 4; do printf 'p1-key-%s:p1 value %s\n' "$i" "$i"; done |
    timeout 30 kcat -P -b "$bootstrap" -t "$sub_topic" -p 1 -K: -H part=1 ||
    interop_fail "kcat could not produce to partition 1"
kcat_read "$sub_topic" "$interop_dir/sub.truth"
[[ $(wc -l <"$interop_dir/sub.truth") -eq 15 ]] || interop_fail "kcat reads $(wc -l <"$interop_dir/sub.truth") records of $sub_topic, wrote 15"

# subset <name> <partitions> <slice> <consume arguments...>: the records kflow-cli prints are
# exactly that slice of each partition's records.
subset() {
    local name=$1 partitions=$2 slice=$3
    shift 3
    check subset "$interop_dir/sub.truth" "$interop_dir/$name.expected" "$partitions" "$slice"
    cli_consume "$name" "$sub_topic" --json "$@"
    check compare "$interop_dir/$name.expected" "$interop_dir/$name.out" ||
        interop_fail "kflow-cli consume $sub_topic $* differs from partition(s) $partitions [$slice]"
    echo "ok: consume $sub_topic $* -> partition(s) $partitions [$slice]"
}
subset all 0,1 : -e
subset p0 0 : -p 0 -e
subset p1 1 : --partition 1 --to end
subset from-3-to-7 0 3:7 -p 0 --from 3 --to 7
subset from-3-to-7-both 0,1 2:4 -p 0 -p 1 -o 2 --to 4
subset last-4 0 -4: -p 0 --from -4 -e
subset last-2-both 0,1 -2: -p 0 -p 1 -o -2 -e
subset count-5 0 :5 -p 0 -c 5
subset count-15 0,1 : -c 15
subset from-7-count-2 0 7:9 -p 0 --from 7 --count 2
subset from-end 0,1 0:0 --from end -e

echo "$interop_name: all checks passed"
