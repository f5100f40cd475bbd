#!/usr/bin/env bash
# kflow-mock-broker --port: fixed ports that kcat can use, brokers taken down and up through
# them, and a port in use refused with exit status 1.
#
# 1. Two free ports P, P+1 are found by binding port 0 (and P+1) first; the broker started with
#    --brokers 2 --port P prints exactly bootstrap=127.0.0.1:P,127.0.0.1:P+1.
# 2. kcat produces through P and consumes through P+1 (each bootstraps through one relay, then
#    follows the brokers Metadata advertises): the records come back.
# 3. With "down 1", kcat bootstrapping through P gets no metadata; with "up 1" it does again.
# 4. A second broker asking for P exits 1, naming the port and saying it is in use.
# 5. SIGTERM stops the first one with exit status 0.
# Usage: mock_broker_port.sh <kflow-mock-broker>
set -euo pipefail
(($# == 1)) || { echo "usage: mock_broker_port.sh <kflow-mock-broker>" >&2; exit 2; }
broker=$1
name=mock_broker_port
command -v kcat >/dev/null || { echo "SKIPPED: $name: kcat is not installed" >&2; exit 77; }
python=/usr/bin/python3
[[ -x $python ]] || python=python3

dir=$(mktemp -d "${TMPDIR:-/tmp}/kflow-mock-port.XXXXXX")
broker_pid=
cleanup() {
    if [[ -n $broker_pid ]]; then
        kill "$broker_pid" 2>/dev/null || true
        wait "$broker_pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
fail() {
    printf 'FAILED: %s: %s\n' "$name" "$*" >&2
    [[ -s $dir/broker.err ]] && sed 's/^/  broker: /' "$dir/broker.err" >&2
    exit 1
}

# Two consecutive ports free now. Another process may take them before the broker binds them:
# then the broker says so, and the start below tries again with new ones.
free_port_pair() {
    "$python" - <<'EOF'
import socket
for _ in range(50):
    a = socket.socket()
    a.bind(("127.0.0.1", 0))
    port = a.getsockname()[1]
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", port + 1))
    except OSError:
        continue
    finally:
        a.close()
        b.close()
    print(port)
    break
EOF
}

# answer <command>: sends a command to the broker, sets `answer` to its reply line.
answer=
send_command() {
    printf '%s\n' "$1" >&"${broker_in}"
    IFS= read -r -t 10 -u "$broker_out" answer || fail "no answer to '$1' within 10 s"
    [[ $answer == ok ]] || fail "'$1' answered '$answer'"
    echo "ok: command '$1'"
}

topic=relayed
port=
for attempt in 1 2 3; do
    port=$(free_port_pair)
    [[ -n $port ]] || fail "found no two free consecutive ports"
    coproc broker_proc { exec "$broker" --brokers 2 --port "$port" --topic "$topic:2" --commands \
        2>"$dir/broker.err"; }
    # shellcheck disable=SC2154 # set by coproc
    broker_pid=$broker_proc_PID
    broker_out=${broker_proc[0]}
    # A copy of the write end: bash closes the coproc's own descriptors in subshells.
    exec {broker_in}>&"${broker_proc[1]}"
    line=
    if IFS= read -r -t 10 -u "$broker_out" line; then
        break
    fi
    wait "$broker_pid" 2>/dev/null || true
    broker_pid=
    grep -q "in use" "$dir/broker.err" || fail "no bootstrap line within 10 s"
    echo "ports $port, $((port + 1)) were taken meanwhile (attempt $attempt); trying others"
    port=
done
[[ -n $port ]] || fail "three pairs of free ports were taken before the broker could bind them"

expected="bootstrap=127.0.0.1:$port,127.0.0.1:$((port + 1))"
[[ $line == "$expected" ]] || fail "first line '$line', expected '$expected'"
echo "ok: $line"

# 2. Through the fixed ports, kcat both ways. Short timeouts: the broker is local.
kcat_opts=(-X socket.timeout.ms=5000)
printf 'one\ntwo\nthree\n' |
    timeout 15 kcat -b "127.0.0.1:$port" "${kcat_opts[@]}" -P -t "$topic" ||
    fail "kcat could not produce through 127.0.0.1:$port"
consumed=$(timeout 15 kcat -b "127.0.0.1:$((port + 1))" "${kcat_opts[@]}" \
    -X fetch.wait.max.ms=10 -C -t "$topic" -e -q | sort | tr '\n' ' ') ||
    fail "kcat could not consume through 127.0.0.1:$((port + 1))"
[[ $consumed == "one three two " ]] || fail "consumed '$consumed', expected one, two and three"
echo "ok: kcat produced through port $port and consumed through port $((port + 1))"

# 3. A downed broker is unreachable through its fixed port too, and back after "up".
send_command "down 1"
if timeout 10 kcat -b "127.0.0.1:$port" -L -m 2 >"$dir/down.out" 2>&1; then
    fail "kcat -L through 127.0.0.1:$port worked with broker 1 down: $(cat "$dir/down.out")"
fi
echo "ok: kcat -L through port $port fails with broker 1 down"
send_command "up 1"
timeout 10 kcat -b "127.0.0.1:$port" -L -m 5 >"$dir/up.out" 2>&1 ||
    fail "kcat -L through 127.0.0.1:$port failed after 'up 1': $(cat "$dir/up.out")"
grep -q "2 brokers:" "$dir/up.out" || fail "kcat -L after 'up 1' shows: $(cat "$dir/up.out")"
echo "ok: kcat -L through port $port works again after 'up 1'"

# 4. The port is taken now: a second broker asking for it fails at once, and says why.
status=0
timeout 10 "$broker" --port "$port" >"$dir/second.out" 2>&1 </dev/null || status=$?
((status == 1)) || fail "a second broker on port $port exited $status, expected 1"
grep -Eq "^kflow-mock-broker: --port: cannot listen on 127\.0\.0\.1:$port: Address already in use" \
    "$dir/second.out" || fail "a second broker on port $port said: $(cat "$dir/second.out")"
if grep -q "^bootstrap=" "$dir/second.out"; then
    fail "a second broker on port $port printed a bootstrap line"
fi
echo "ok: a second broker on port $port exits 1: $(head -1 "$dir/second.out")"

# 5. A clean stop.
kill -TERM "$broker_pid"
status=0
wait "$broker_pid" || status=$?
broker_pid=
((status == 0)) || fail "exit status $status after SIGTERM, expected 0"
echo "ok: SIGTERM -> exit status 0"
echo "$name: all checks passed"
