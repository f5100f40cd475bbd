#!/usr/bin/env bash
# kflow-cli's command line and exit statuses (examples/cli/usage.hpp), against kflow-mock-broker:
#
#   --help, -h and every COMMAND --help: exit 0 and the usage line; --version names librdkafka
#   bad option, missing value, unknown command, bad -X property or value, bad variable, bad
#   --from / -c / -p value: exit 2, the argument named on standard error, before any connection
#   no cluster named (no -b, KAFKA_BOOTSTRAP_SERVERS unset): exit 2, saying how to name one
#   an unreachable cluster (-b 127.0.0.1:1): topics list and health exit 3 within 20 s
#   config: secrets from KAFKA_SASL_PASSWORD and -X shown as [redacted], never in any output
#   produce --json with a malformed line 3: exit 2 naming line 3; lines 1 and 2 were delivered
#   topics create / delete, groups list / describe on the mock: exit 1 naming the request the
#   broker does not support
#   topics list / describe (text and --json): the broker's topics and partitions, exactly
#   health: "healthy" and exit 0; --canary exits 0; --topic missing-topic exits 1; a mock whose
#   brokers are all down (--commands "down all") exits 3
# Every check runs, and the failures are listed at the end.
# Usage: cli_usage.sh <kflow-cli> <kflow-mock-broker>
set -euo pipefail
(($# == 2)) || { echo "usage: cli_usage.sh <kflow-cli> <kflow-mock-broker>" >&2; exit 2; }
cli=$1
broker=$2
name=cli_usage
[[ -x $cli ]] || { echo "FAILED: $name: kflow-cli not found at '$cli'" >&2; exit 1; }
[[ -x $broker ]] || { echo "FAILED: $name: kflow-mock-broker not found at '$broker'" >&2; exit 1; }
# These checks are about the command line and the mock; a cluster named by the environment of
# whoever runs them must not change them.
unset KAFKA_BOOTSTRAP_SERVERS

dir=$(mktemp -d "${TMPDIR:-/tmp}/kflow-cli-usage.XXXXXX")
broker_pid=
down_pid=
cleanup() {
    local pid
    for pid in $broker_pid $down_pid; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$dir"
}
trap cleanup EXIT
failures=0
fail() {
    printf 'FAILED: %s\n' "$*" >&2
    failures=$((failures + 1))
}

# run <seconds> <command...>: runs it with a deadline; sets status, out, err and elapsed (s).
status=0 out='' err='' elapsed=0
run() {
    local limit=$1 start=$SECONDS
    shift
    status=0
    timeout "$limit" "$@" >"$dir/out" 2>"$dir/err" </dev/null || status=$?
    elapsed=$((SECONDS - start))
    out=$(cat "$dir/out")
    err=$(cat "$dir/err")
}

# Variables for the next runs of kflow-cli through expect (env(1) passes its exit status on).
with_env=()
# expect <status> <what> <ERE on stdout or "-"> <ERE on stderr or "-"> -- <kflow-cli args...>
expect() {
    local want=$1 what=$2 out_re=$3 err_re=$4
    shift 5
    run 30 env "${with_env[@]}" "$cli" "$@"
    if ((status != want)); then
        fail "$what: kflow-cli $* exited $status, expected $want; stderr: ${err:0:600}; stdout: ${out:0:600}"
    elif [[ $out_re != - ]] && ! grep -Eq -- "$out_re" <<<"$out"; then
        fail "$what: kflow-cli $*: no line of stdout matches /$out_re/; stdout: ${out:0:600}"
    elif [[ $err_re != - ]] && ! grep -Eq -- "$err_re" <<<"$err"; then
        fail "$what: kflow-cli $*: no line of stderr matches /$err_re/; stderr: ${err:0:600}"
    else
        printf 'ok: %s (exit %d, %d s)\n' "$what" "$status" "$elapsed"
    fi
}
# usage_error <what> <ERE the message must match on stderr> <kflow-cli args...>: exit 2, no
# connection attempted (the cluster named is unreachable: a connection would take long or exit 3).
usage_error() {
    local what=$1 re=$2
    shift 2
    expect 2 "$what" - "$re" -- -b 127.0.0.1:1 "$@"
    ((elapsed <= 5)) || fail "$what: a usage error took $elapsed s"
}

# --- Help and version -------------------------------------------------------------------------
expect 0 "--help" "^usage: kflow-cli \[-b HOST:PORT\]" - -- --help
expect 0 "-h" "^usage: kflow-cli " - -- -h
for command in produce consume topics groups health config; do
    expect 0 "$command --help" "^usage: kflow-cli $command" - -- "$command" --help
done
expect 0 "--version" "librdkafka" - -- --version

# --- Usage errors: exit 2, the argument named ---------------------------------------------------
usage_error "unknown option" "--frobnicate" --frobnicate topics list
usage_error "unknown consume option" "--frobnicate" consume t --frobnicate
usage_error "missing value of -c" "(-c|--count)" consume t -c
usage_error "missing value of -b" "(-b|--bootstrap)" topics list -b
usage_error "missing value of -K" "(-K|--key-delimiter)" produce t -K
usage_error "unknown command" "frobnicate" frobnicate
usage_error "unknown topics subcommand" "frobnicate" topics frobnicate
usage_error "unknown -X property" "no\.such\.property" -X no.such.property=1 topics list
usage_error "-X without =" "(-X|acks)" -X acks topics list
usage_error "bad -X value" "acks" -X acks=maybe topics list
usage_error "bad --from" "(--from|-o).*yesterday|yesterday.*(--from|-o)" consume t --from yesterday
usage_error "bad --from time" "2026-13-45" consume t --from @2026-13-45T99:00:00Z
usage_error "bad --to" "(--to).*soon|soon.*--to" consume t --to soon
usage_error "bad -c" "(-c|--count).*many|many.*(-c|--count)" consume t -c many
usage_error "bad -p" "(-p|--partition).*first|first.*(-p|--partition)" consume t -p first
usage_error "-p with -g" "(-p|--partition|-g|--group)" consume t -g grp -p 0
usage_error "produce without a topic" "TOPIC|topic" produce
with_env=(KAFKA_ACKS=maybe)
expect 2 "a bad KAFKA_* value" - "KAFKA_ACKS" -- config
with_env=()

# No cluster named at all: exit 2, saying how to name one.
expect 2 "no bootstrap" - "(-b|--bootstrap).*KAFKA_BOOTSTRAP_SERVERS|KAFKA_BOOTSTRAP_SERVERS.*(-b|--bootstrap)" \
    -- topics list

# --- config: secrets never shown --------------------------------------------------------------
secret=s3cret-value
run 10 env KAFKA_SASL_PASSWORD=$secret KAFKA_SASL_USERNAME=alice KAFKA_NOT_A_PROPERTY=x \
    "$cli" -b 127.0.0.1:1 -X ssl.key.password=other-$secret config
if ((status != 0)); then
    fail "config: exit $status; stderr: $err"
elif grep -Fq "$secret" "$dir/out" "$dir/err"; then
    fail "config printed the secret: $(grep -F "$secret" "$dir/out" "$dir/err")"
elif ! grep -Fxq "sasl.password=[redacted]" <<<"$out" || ! grep -Fxq "ssl.key.password=[redacted]" <<<"$out"; then
    fail "config: no sasl.password=[redacted] and ssl.key.password=[redacted] lines: $out"
elif ! grep -Fxq "sasl.username=alice" <<<"$out" || ! grep -Fxq "bootstrap.servers=127.0.0.1:1" <<<"$out"; then
    fail "config: no sasl.username=alice and bootstrap.servers=127.0.0.1:1 lines: $out"
elif ! grep -q "KAFKA_NOT_A_PROPERTY" <<<"$out$err"; then
    fail "config does not name KAFKA_NOT_A_PROPERTY, a variable that sets no property: $out"
else
    echo "ok: config shows sasl.password=[redacted], never '$secret' (exit 0, $elapsed s)"
fi
run 10 env KAFKA_SASL_PASSWORD=$secret "$cli" -b 127.0.0.1:1 config --json
if ((status != 0)); then
    fail "config --json: exit $status; stderr: $err"
elif grep -Fq "$secret" "$dir/out" "$dir/err"; then
    fail "config --json printed the secret"
elif ! grep -Fq '"[redacted]"' <<<"$out" || ! /usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)' <"$dir/out"; then
    fail "config --json: not JSON with a \"[redacted]\" value: $out"
else
    echo "ok: config --json redacts the secret"
fi

# --- An unreachable cluster: exit 3, bounded ----------------------------------------------------
expect 3 "topics list, nothing listening" - - -- -b 127.0.0.1:1 topics list
((elapsed <= 20)) || fail "topics list against 127.0.0.1:1 took $elapsed s"
expect 3 "health, nothing listening" - - -- -b 127.0.0.1:1 health --deadline 5
((elapsed <= 15)) || fail "health --deadline 5 against 127.0.0.1:1 took $elapsed s"

# --- Against the mock ---------------------------------------------------------------------------
exec {broker_out}< <(exec "$broker" --brokers 2 --topic orders:3:2 --topic events:2 \
    --topic produce-check:1 2>"$dir/broker.err")
broker_pid=$!
line=
IFS= read -r -t 10 -u "$broker_out" line || { cat "$dir/broker.err" >&2; echo "FAILED: no bootstrap line" >&2; exit 1; }
[[ $line == bootstrap=* ]] || { echo "FAILED: first line '$line'" >&2; exit 1; }
bootstrap=${line#bootstrap=}
echo "kflow-mock-broker at $bootstrap"
mock=(-b "$bootstrap")
# The mock holds an empty fetch for all of fetch.wait.max.ms (default 500 ms): consumers only.
consume_opts=(-X fetch.wait.max.ms=10)

# topics list: exactly the broker's topics (before anything else could create one).
expect 0 "topics list on the mock" "^orders$" - -- "${mock[@]}" topics list
listed=$(sort <<<"$out" | tr '\n' ' ')
[[ $listed == "events orders produce-check " ]] ||
    fail "topics list printed '$listed', expected 'events orders produce-check '"
expect 0 "topics list --json on the mock" - - -- "${mock[@]}" topics list --json
/usr/bin/python3 - "$dir/out" <<'EOF' || fail "topics list --json does not show the topics' partitions"
import json, sys
# One JSON object per topic, a line each (usage.hpp does not say lines or one document).
topics = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
counts = {t["name"]: len(t["partitions"]) for t in topics}
want = {"orders": 3, "events": 2, "produce-check": 1}
if counts != want:
    sys.exit(f"  topics and partition counts {counts}, expected {want}")
for t in topics:
    for p in t["partitions"]:
        if not {"leader", "replicas", "isr"} <= set(p):
            sys.exit(f"  partition without leader, replicas and isr: {p}")
print("  topics list --json: " + ", ".join(f"{k}:{v}" for k, v in sorted(counts.items())))
EOF
expect 0 "topics describe orders" "orders" - -- "${mock[@]}" topics describe orders
for p in 0 1 2; do
    grep -Eq "(^|[^0-9])$p([^0-9]|$)" <<<"$out" || fail "topics describe orders does not show partition $p: $out"
done
expect 0 "topics describe --json" - - -- "${mock[@]}" topics describe orders events --json
/usr/bin/python3 - "$dir/out" <<'EOF' || fail "topics describe --json does not show the partitions"
import json, sys
topics = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
counts = {t["name"]: sorted(p["id"] for p in t["partitions"]) for t in topics}
if counts != {"orders": [0, 1, 2], "events": [0, 1]}:
    sys.exit(f"  {counts}")
EOF

# The mock serves no admin API: exit 1, and standard error names the request (Kafka's name for
# it, or kflow's: list_consumer_groups) and says the broker does not support it.
unsupported() {  # unsupported <request ERE> <kflow-cli arguments...>
    local request=$1
    shift
    expect 1 "$* on the mock" - "$request" -- "${mock[@]}" "$@"
    if ((status == 1)) && ! grep -Eiq "not supported|does not support|unsupported" <<<"$err"; then
        fail "$*: stderr does not say the broker does not support the request: $err"
    fi
}
unsupported "CreateTopics|create_topics" topics create new-topic --partitions 3
unsupported "DeleteTopics|delete_topics" topics delete events
unsupported "ListGroups|list_consumer_groups" groups list
unsupported "DescribeGroups|describe_consumer_groups" groups describe some-group

# produce --json with a malformed line 3: exit 2 naming line 3, and lines 1 and 2 delivered.
printf '%s\n' '{"key": "a", "value": "line one"}' '{"key": "b", "value": "line two"}' \
    '{"key": "c", "value": ' '{"key": "d", "value": "line four"}' >"$dir/bad.jsonl"
status=0
timeout 30 "$cli" "${mock[@]}" produce produce-check --json <"$dir/bad.jsonl" >"$dir/out" 2>"$dir/err" || status=$?
if ((status != 2)); then
    fail "produce --json with a bad line 3 exited $status, expected 2: $(cat "$dir/err")"
elif ! grep -Eq "line 3([^0-9]|$)" "$dir/err"; then
    fail "produce --json with a bad line 3: stderr does not name line 3: $(cat "$dir/err")"
else
    echo "ok: produce --json, malformed line 3: exit 2, '$(grep -E "line 3" "$dir/err" | head -1)'"
fi
expect 0 "consume what was produced before the bad line" - - -- "${mock[@]}" "${consume_opts[@]}" consume produce-check -K = -e --timeout 20
[[ $out == $'a=line one\nb=line two' ]] || fail "produce-check holds '$out', expected lines 1 and 2 only"
printf '%s\n' '{"key": "e", "value": "five"}' '{"partition": "zero"}' >"$dir/bad.jsonl"
status=0
timeout 30 "$cli" "${mock[@]}" produce produce-check --json <"$dir/bad.jsonl" >"$dir/out" 2>"$dir/err" || status=$?
if ((status != 2)) || ! grep -Eq "line 2([^0-9]|$)" "$dir/err"; then
    fail "produce --json, \"partition\": \"zero\" on line 2: exit $status, expected 2 naming line 2: $(cat "$dir/err")"
else
    echo "ok: produce --json, a string partition on line 2: exit 2, '$(grep -E "line 2" "$dir/err" | head -1)'"
fi

# health.
expect 0 "health on a healthy mock" "^healthy" - -- "${mock[@]}" health --deadline 10
first=${out%%$'\n'*}
[[ $first == healthy* ]] || fail "health: the first line is '$first', expected it to start with 'healthy'"
expect 0 "health --json" - - -- "${mock[@]}" health --json --deadline 10
/usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)' <"$dir/out" || fail "health --json is not one JSON object: $out"
expect 0 "health --canary orders" "^healthy" - -- "${mock[@]}" health --canary orders --deadline 10
expect 1 "health --topic missing-topic" "missing-topic" - -- "${mock[@]}" health --topic missing-topic --deadline 10
first=${out%%$'\n'*}
[[ $first != healthy* ]] || fail "health --topic missing-topic: verdict '$first'"

# A mock whose brokers are all down: unreachable, exit 3.
coproc down_proc { exec "$broker" --brokers 2 --topic orders:2 --commands 2>"$dir/down.err"; }
# shellcheck disable=SC2154 # set by coproc
down_pid=$down_proc_PID
down_out=${down_proc[0]}
exec {down_in}>&"${down_proc[1]}"
IFS= read -r -t 10 -u "$down_out" line || { echo "FAILED: the second broker printed no bootstrap line" >&2; exit 1; }
down_bootstrap=${line#bootstrap=}
printf 'down all\n' >&"$down_in"
answer=
IFS= read -r -t 10 -u "$down_out" answer || answer="(none within 10 s)"
if [[ $answer != ok ]]; then
    fail "kflow-mock-broker answered '$answer' to 'down all'"
else
    expect 3 "health with every broker down" - - -- -b "$down_bootstrap" health --deadline 5
    ((elapsed <= 15)) || fail "health --deadline 5 with every broker down took $elapsed s"
fi

((failures == 0)) || { echo "FAILED: $name: $failures check(s)" >&2; exit 1; }
echo "$name: all checks passed"
