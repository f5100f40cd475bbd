#!/usr/bin/env bash
# kflow-metrics-demo scraped by a real Prometheus server:
#   1. the demo prints metrics=URL first; one fetch of the URL passes `promtool check metrics`
#      with no lint message;
#   2. a Prometheus scraping it every second finds the producer's sent records, the consumer
#      group's lag on each of the topic's 3 partitions (all >= 0, one > 0) and observed
#      delivery latencies;
#   3. on SIGTERM the demo closes its clients and exits 0.
# Usage: metrics_prometheus.sh <kflow-metrics-demo>
# Exit status 77 (skipped) when prometheus or promtool is missing, except under CI (CI set),
# which installs them (the prometheus package, scripts/lib/common.sh): there it fails.
set -euo pipefail
demo=$1
topic=kflow-metrics-demo
partitions=3  # the demo creates its topic on the embedded mock with 3

missing=()
for tool in prometheus promtool python3; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]} > 0)); then
    if [[ -n ${CI:-} ]]; then
        echo "FAILED: not installed: ${missing[*]} (CI=$CI installs Debian's prometheus package)" >&2
        exit 1
    fi
    echo "skipped: not installed: ${missing[*]} (apt-get install -y prometheus)"
    exit 77
fi

tmp=$(mktemp -d)
demo_pid="" prometheus_pid=""
cleanup() {
    # Either may have exited already: a failed kill must not stop the cleanup (set -e).
    if [[ -n $prometheus_pid ]]; then kill -KILL "$prometheus_pid" 2>/dev/null || true; fi
    if [[ -n $demo_pid ]]; then kill -KILL "$demo_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

started=$SECONDS
elapsed() { echo "$((SECONDS - started)) s"; }
show() {  # <file> <title>
    echo "--- $2:"
    tail -n 40 "$1" 2>/dev/null || true
}
fail() {
    show "$tmp/demo.out" "kflow-metrics-demo output"
    show "$tmp/demo.err" "kflow-metrics-demo errors"
    if [[ -n $prometheus_pid ]]; then show "$tmp/prometheus.log" "prometheus log"; fi
    echo "FAILED after $(elapsed): $*" >&2
    exit 1
}

# Waits up to <seconds> for <pid> to exit; returns its exit status, or 124 if it is still
# running then.
wait_exit() {  # <pid> <seconds>
    local deadline=$((SECONDS + $2))
    while kill -0 "$1" 2>/dev/null; do
        ((SECONDS < deadline)) || return 124
        sleep 0.1
    done
    local status=0
    wait "$1" || status=$?
    return "$status"
}

# HTTP GET through python3 (no proxy, whatever the environment says): prints the body, or
# fails with the reason. With -h, prints the Content-Type header first, on a line of its own.
http_get() {  # [-h] <url>
    python3 - "$@" <<'EOF'
import sys, urllib.request
args = sys.argv[1:]
header = args[0] == "-h"
url = args[-1]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
try:
    with opener.open(url, timeout=5) as r:
        body = r.read().decode("utf-8")
        if header:
            print(r.headers.get("Content-Type", ""))
        sys.stdout.write(body)
except Exception as e:
    sys.exit(f"GET {url}: {e}")
EOF
}

# --- 1. The demo, its URL, and one fetch through promtool's lint --------------------------
# Created first: the background process may open them after the loop below reads.
: >"$tmp/demo.out"
: >"$tmp/demo.err"
"$demo" --topic "$topic" >"$tmp/demo.out" 2>"$tmp/demo.err" &
demo_pid=$!

deadline=$((SECONDS + 15))
url=""
until [[ $(wc -l <"$tmp/demo.out") -ge 1 ]]; do
    kill -0 "$demo_pid" 2>/dev/null || fail "kflow-metrics-demo exited before printing its URL"
    ((SECONDS < deadline)) || fail "kflow-metrics-demo printed no complete first line within 15 s"
    sleep 0.1
done
first=$(head -n 1 "$tmp/demo.out")
[[ $first =~ ^metrics=(http://127\.0\.0\.1:([0-9]+)/metrics)$ ]] ||
    fail "first line is '$first', expected metrics=http://127.0.0.1:PORT/metrics"
url=${BASH_REMATCH[1]} demo_port=${BASH_REMATCH[2]}
echo "kflow-metrics-demo serves $url ($(elapsed))"

# The families appear with the clients' first statistics (every second) and the consumer's
# once it joined its group: lint a body that has both.
deadline=$((SECONDS + 20))
while :; do
    http_get -h "$url" >"$tmp/metrics.txt" 2>"$tmp/fetch.err" &&
        grep -q '^kafka_client_messages_sent_total{' "$tmp/metrics.txt" &&
        grep -q '^kafka_consumer_position_lag_messages{' "$tmp/metrics.txt" && break
    kill -0 "$demo_pid" 2>/dev/null || fail "kflow-metrics-demo exited while serving /metrics"
    ((SECONDS < deadline)) ||
        fail "/metrics had no kafka_client_messages_sent_total and kafka_consumer_position_lag_messages within 20 s ($(cat "$tmp/fetch.err"))"
    sleep 0.5
done
content_type=$(head -n 1 "$tmp/metrics.txt")
[[ $content_type == "text/plain; version=0.0.4; charset=utf-8" ]] ||
    fail "/metrics Content-Type is '$content_type', expected text/plain; version=0.0.4; charset=utf-8"
tail -n +2 "$tmp/metrics.txt" >"$tmp/body.txt"
lint_status=0
promtool check metrics <"$tmp/body.txt" >"$tmp/lint.txt" 2>&1 || lint_status=$?
if ((lint_status != 0)) || [[ -s $tmp/lint.txt ]]; then
    echo "--- promtool check metrics (exit status $lint_status):"
    cat "$tmp/lint.txt"
    fail "promtool check metrics did not pass cleanly on /metrics"
fi
echo "promtool check metrics: clean, $(grep -c '^# TYPE' "$tmp/body.txt") families," \
    "$(grep -vc '^#' "$tmp/body.txt") samples ($(elapsed))"

# --- 2. A Prometheus server scraping it every second -------------------------------------
prometheus_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: kflow-metrics-demo
    static_configs:
      - targets: ['127.0.0.1:$demo_port']
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
    --web.listen-address="127.0.0.1:$prometheus_port" >"$tmp/prometheus.log" 2>&1 &
prometheus_pid=$!
echo "prometheus $(prometheus --version 2>&1 | head -n 1 | awk '{print $3}') on 127.0.0.1:$prometheus_port"

# Queries the HTTP API every second for up to 60 s; prints the values found, or what is missing.
query_status=0
python3 - "http://127.0.0.1:$prometheus_port" "$topic" "$partitions" 60 <<'EOF' || query_status=$?
import json, sys, time, urllib.parse, urllib.request

api, topic, partitions, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

def query(expr):
    url = api + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with opener.open(url, timeout=5) as r:
        answer = json.load(r)
    if answer.get("status") != "success":
        raise RuntimeError(f"{expr}: {answer}")
    return [(s["metric"], float(s["value"][1])) for s in answer["data"]["result"]]

sent_q = 'kafka_client_messages_sent_total{client_id=~".+#producer-[0-9]+"}'
lag_q = f'kafka_consumer_lag_messages{{topic="{topic}"}}'
latency_q = 'kflow_producer_delivery_latency_seconds_count{client_id=~".+#producer-[0-9]+"}'
start = time.monotonic()
missing = ["an answer from Prometheus"]
while True:
    try:
        up = query('up{job="kflow-metrics-demo"}')
        sent = query(sent_q)
        lag = query(lag_q)
        latency = query(latency_q)
        missing = []
        if not up or up[0][1] != 1:
            missing.append("a successful scrape (up == 1)")
        if not any(v > 0 for _, v in sent):
            missing.append(f"{sent_q} > 0 (found {[v for _, v in sent]})")
        by_partition = {m.get("partition"): v for m, v in lag}
        wanted = {str(p) for p in range(partitions)}
        if not wanted <= by_partition.keys():
            missing.append(f"{lag_q} for partitions {sorted(wanted - by_partition.keys())} "
                           f"(found {by_partition})")
        elif any(v < 0 for v in by_partition.values()):
            missing.append(f"{lag_q} >= 0 on every partition (found {by_partition})")
        elif not any(v > 0 for v in by_partition.values()):
            missing.append(f"{lag_q} > 0 on some partition (found {by_partition})")
        if not any(v > 0 for _, v in latency):
            missing.append(f"{latency_q} > 0 (found {[v for _, v in latency]})")
        if not missing:
            took = time.monotonic() - start
            for m, v in sent:
                print(f"  kafka_client_messages_sent_total{{client_id=\"{m['client_id']}\"}} = {v:g}")
            for p in sorted(by_partition, key=int):
                print(f"  kafka_consumer_lag_messages{{topic=\"{topic}\",partition=\"{p}\"}} = "
                      f"{by_partition[p]:g}")
            for m, v in latency:
                print(f"  kflow_producer_delivery_latency_seconds_count{{client_id=\"{m['client_id']}\"}}"
                      f" = {v:g}")
            print(f"Prometheus had every series {took:.1f} s after it started")
            sys.exit(0)
    except Exception as e:  # not up yet, or a transient error: retry until the deadline
        missing = [f"an answer from Prometheus ({e})"]
    if time.monotonic() - start > limit:
        try:  # why the scrapes fail, if they do
            with opener.open(api + "/api/v1/targets", timeout=5) as r:
                for t in json.load(r)["data"]["activeTargets"]:
                    print(f"  target {t['scrapeUrl']}: health {t['health']}, "
                          f"last error '{t['lastError']}'", file=sys.stderr)
        except Exception:
            pass
        print(f"after {limit:g} s, still missing: " + "; ".join(missing), file=sys.stderr)
        sys.exit(1)
    time.sleep(1)
EOF
((query_status == 0)) || fail "Prometheus did not see every expected series (above)"

# --- 3. SIGTERM: both stop; the demo closes its clients and exits 0 -----------------------
kill -TERM "$prometheus_pid" 2>/dev/null || true
status=0
wait_exit "$prometheus_pid" 15 || status=$?
((status != 124)) || echo "warning: prometheus still running 15 s after SIGTERM: killed"
kill -KILL "$prometheus_pid" 2>/dev/null || true
prometheus_pid=""

kill -TERM "$demo_pid"
status=0
wait_exit "$demo_pid" 25 || status=$?
((status != 124)) || fail "kflow-metrics-demo still running 25 s after SIGTERM"
demo_pid=""
((status == 0)) || fail "kflow-metrics-demo exited with status $status after SIGTERM, expected 0"
grep -q '^kflow-metrics-demo: producer and consumer closed$' "$tmp/demo.out" ||
    fail "kflow-metrics-demo did not report its clients closed"
grep '^kflow-metrics-demo: SIGTERM; ' "$tmp/demo.out"
echo "example_metrics_prometheus: passed in $(elapsed)"
