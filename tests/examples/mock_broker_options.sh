#!/usr/bin/env bash
# kflow-mock-broker's command line: every bad value exits 2 with a message naming the option (and
# starts no cluster), --help documents every option and the exit statuses.
# Usage: mock_broker_options.sh <kflow-mock-broker>
set -euo pipefail
(($# == 1)) || { echo "usage: mock_broker_options.sh <kflow-mock-broker>" >&2; exit 2; }
broker=$1
failures=0

# expect_usage_error <regex> <argument>...: exit status 2, and the first line matches.
expect_usage_error() {
    local pattern=$1 status=0 output
    shift
    output=$(timeout 10 "$broker" "$@" 2>&1 </dev/null) || status=$?
    local first=${output%%$'\n'*}
    if ((status != 2)); then
        printf 'FAILED: %s: exit status %d, expected 2\n%s\n' "$*" "$status" "$output" >&2
        failures=$((failures + 1))
    elif ! grep -Eq -- "$pattern" <<<"$first"; then
        printf 'FAILED: %s: "%s" does not match /%s/\n' "$*" "$first" "$pattern" >&2
        failures=$((failures + 1))
    else
        printf 'ok: %s -> %s\n' "$*" "$first"
    fi
}

expect_usage_error "^kflow-mock-broker: --port '0': must be a whole number from 1 to 65535$" --port 0
expect_usage_error "--port 'http': must be a whole number" --port http
expect_usage_error "--port '65536': must be a whole number" --port=65536
expect_usage_error "--port needs a value" --port
expect_usage_error "--port 65535: the last of 2 broker port\(s\) would be 65536" --brokers 2 --port 65535
expect_usage_error "--rtt-ms '-5': must be a whole number from 0 to 600000" --rtt-ms -5
expect_usage_error "--rtt-ms '1.5': must be a whole number" --rtt-ms 1.5
expect_usage_error "--rtt-ms needs a value" --rtt-ms
expect_usage_error "--broker-down-after 'soon': SECONDS must be a number from 0 to 86400" \
    --broker-down-after soon
expect_usage_error "--broker-down-after '-1': SECONDS must be a number" --broker-down-after -1
expect_usage_error "--broker-down-after '2:': ID must be a broker id" --broker-down-after 2:
expect_usage_error "--broker-down-after '2:0': ID must be a broker id" --broker-down-after=2:0
expect_usage_error "--broker-down-after: broker 3 exceeds the broker count 2 \(--brokers\)" \
    --brokers 2 --broker-down-after 1.5:3
expect_usage_error "--commands takes no value" --commands=yes
expect_usage_error "--brokers '0': must be a whole number from 1 to 64" --brokers 0
expect_usage_error "unknown argument '--rtt'" --rtt 5

# --help: exit 0, every option and the exit statuses documented.
help=$("$broker" --help)
for text in --brokers --topic --port --rtt-ms --broker-down-after --commands "down ID" "up ID" \
    "rtt ID MS" "error API CODE" "topic NAME PARTITIONS" quit "Exit status: 0" \
    "2 on a bad" "1 if the cluster"; do
    if ! grep -Fq -- "$text" <<<"$help"; then
        printf 'FAILED: --help does not mention "%s"\n' "$text" >&2
        failures=$((failures + 1))
    fi
done

((failures == 0)) || { echo "FAILED: $failures check(s)" >&2; exit 1; }
echo "mock_broker_options: all checks passed"
