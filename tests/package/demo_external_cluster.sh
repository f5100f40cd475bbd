#!/usr/bin/env bash
# kflow-demo's KAFKA_BOOTSTRAP_SERVERS path: the demo runs against a cluster in another process
# (kflow-mock-broker), twice, so the second run also has to skip the first run's events. Then
# with the README's security variables: the mock's listener has neither SASL nor TLS, so a
# SASL/SCRAM and a TLS configuration must each make the demo exit non-zero within 30 s, saying
# which failed (against a real broker, test_security_integration covers a refused password).
# Last, an embedded run with security variables set: they do not apply to the mock.
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

# security_failure <expected line> <VAR=value>...: the demo fails fast, naming the cause.
security_failure() {
    local expected=$1
    shift
    echo "--- $* against $bootstrap"
    local status=0 start=$SECONDS
    env KAFKA_BOOTSTRAP_SERVERS="$bootstrap" "$@" timeout 30 "$demo_bin" >"$out.demo" 2>&1 || status=$?
    cat "$out.demo"
    ((status != 0 && status != 124)) || { echo "expected a failure within 30 s, got exit $status" >&2; exit 1; }
    grep -q "$expected" "$out.demo" || { echo "expected: $expected" >&2; exit 1; }
    if grep -q "wrong-secret" "$out.demo"; then echo "the password was printed" >&2; exit 1; fi
    echo "(exit $status after $((SECONDS - start)) s)"
}
security_failure "kflow-demo: producer: flush: authentication with the broker failed: .*SASL" \
    KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT KAFKA_SASL_MECHANISM=SCRAM-SHA-256 \
    KAFKA_SASL_USERNAME=chat KAFKA_SASL_PASSWORD=wrong-secret
grep -q "security: SASL_PLAINTEXT, SASL mechanism SCRAM-SHA-256, user chat" "$out.demo"
security_failure "kflow-demo: producer: flush: TLS handshake with the broker failed" \
    KAFKA_SECURITY_PROTOCOL=SSL
# SASL settings without a protocol mean SASL_SSL: the demo says so, and uses it.
security_failure "kflow-demo: producer: flush: TLS handshake with the broker failed" \
    KAFKA_SASL_MECHANISM=SCRAM KAFKA_SASL_USERNAME=chat KAFKA_SASL_PASSWORD=wrong-secret
grep -q "security: SASL_SSL, SASL mechanism SCRAM-SHA-256, user chat" "$out.demo"

# Without KAFKA_BOOTSTRAP_SERVERS the embedded mock (plain TCP) gets none of the security
# variables: the run succeeds and names the variables it left out.
echo "--- embedded cluster with security variables set"
env KAFKA_BOOTSTRAP_SERVERS= KAFKA_SECURITY_PROTOCOL=SASL_SSL KAFKA_SASL_MECHANISM=PLAIN \
    KAFKA_SASL_USERNAME=chat KAFKA_SASL_PASSWORD=wrong-secret timeout 60 "$demo_bin" \
    >"$out.demo" 2>&1 || { cat "$out.demo"; echo "the embedded run failed" >&2; exit 1; }
cat "$out.demo"
grep -q "embedded mock Kafka cluster at" "$out.demo"
grep -q "not applied to the embedded cluster: .*KAFKA_SECURITY_PROTOCOL" "$out.demo"
grep -q "security: PLAINTEXT" "$out.demo"
if grep -q "wrong-secret" "$out.demo"; then echo "the password was printed" >&2; exit 1; fi
rm -f "$out.demo"
