#!/usr/bin/env bash
# kcat -L against kflow-mock-broker --brokers 3: given only the first broker's address, kcat must
# discover all three brokers at the addresses of the bootstrap line, and every --topic with its
# partition count, each partition led by one of the three.
# Usage: kcat_metadata.sh <kflow-mock-broker>
source "$(dirname "$0")/lib.sh"
broker_bin=$1
interop_require_tool kcat "the deps script installs it: scripts/lib/common.sh"
interop_require_tool /usr/bin/python3 "the metadata checker runs on the system Python"

interop_start_broker "$broker_bin" --brokers 3 --topic orders:6:3 --topic events:2 \
    --topic audit.log_v1:1:2

timeout 30 kcat -L -J -b "${bootstrap%%,*}" >"$interop_dir/metadata.json" ||
    interop_fail "kcat -L failed"
cat "$interop_dir/metadata.json"
echo

/usr/bin/python3 - "$interop_dir/metadata.json" "$bootstrap" <<'PY' || interop_fail "kcat -L shows other metadata than kflow-mock-broker was given"
import json
import sys

metadata = json.load(open(sys.argv[1], encoding="utf-8"))
addresses = sys.argv[2].split(",")
problems = []

brokers = {b["id"]: b["name"] for b in metadata["brokers"]}
expected_brokers = {i + 1: address for i, address in enumerate(addresses)}
if brokers != expected_brokers:
    problems.append(f"brokers {brokers}, expected {expected_brokers}")

# The partition counts given with --topic. (librdkafka 2.0.2's mock does not apply the
# replication factor, so replicas are not checked: see docs/mock-cluster.md.)
expected_topics = {"orders": 6, "events": 2, "audit.log_v1": 1}
topics = {t["topic"]: t for t in metadata["topics"]}
for name, count in expected_topics.items():
    topic = topics.get(name)
    if topic is None:
        problems.append(f"topic {name} missing")
        continue
    if "error" in topic:
        problems.append(f"topic {name}: error {topic['error']}")
    ids = sorted(p["partition"] for p in topic["partitions"])
    if ids != list(range(count)):
        problems.append(f"topic {name}: partitions {ids}, expected 0..{count - 1}")
    for p in topic["partitions"]:
        if p["leader"] not in expected_brokers:
            problems.append(f"topic {name} [{p['partition']}]: leader {p['leader']} is no broker")
        if "error" in p:
            problems.append(f"topic {name} [{p['partition']}]: error {p['error']}")
extra = sorted(set(topics) - set(expected_topics))
if extra:
    problems.append(f"topics nobody created: {extra}")

for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
echo "kcat -L shows 3 brokers and the topics orders (6), events (2), audit.log_v1 (1)"
