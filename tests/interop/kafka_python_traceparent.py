#!/usr/bin/python3
"""W3C Trace Context headers between kafka-python and kflow, against one kflow-mock-broker.

1. kafka-python produces records with `traceparent` / `tracestate` headers, valid and invalid;
   kflow consumes them and prints the context kflow::tracing::extract finds. A valid context
   must come out byte for byte as sent (a higher version as version 00), an invalid traceparent
   must give none, an invalid tracestate must be dropped without losing the traceparent.
2. kflow produces records with contexts it made (trace_context::new_root) and injected;
   kafka-python must read every header back unchanged, and the traceparent/tracestate values
   must have the W3C format, checked here independently of kflow.

Usage: kafka_python_traceparent.py <kflow-mock-broker> <kflow_roundtrip>
Run it with /usr/bin/python3 (Debian's python3-kafka), not a Python without kafka-python.
"""

import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import records  # noqa: E402
from mock_broker import MockBroker  # noqa: E402
from interop_check import Failure, check, skip_without_kafka_python, text  # noqa: E402

NAME = "interop_kafka_python_traceparent"
DEADLINE_S = 30

try:
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
except ImportError as e:
    skip_without_kafka_python(NAME, e)

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN_ID = "00f067aa0ba902b7"
VALID = f"00-{TRACE_ID}-{SPAN_ID}-01"

# W3C Trace Context level 1, written out here rather than asked of kflow.
TRACEPARENT_RE = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
KEY_RE = re.compile(
    r"^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$"
)
VALUE_RE = re.compile(r"^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$")

# What kafka-python sends: (key, headers, the context kflow must extract or None).
CASES = [
    (
        "with-tracestate",
        [("traceparent", VALID), ("tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")],
        {"traceparent": VALID, "tracestate": "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"},
    ),
    (
        "tracestate-with-whitespace",
        [
            ("traceparent", f"00-{TRACE_ID}-{SPAN_ID}-00"),
            ("tracestate", " foo=1 \t, ,bar= 2"),
        ],
        {"traceparent": f"00-{TRACE_ID}-{SPAN_ID}-00", "tracestate": " foo=1 \t, ,bar= 2"},
    ),
    ("no-tracestate", [("traceparent", VALID)], {"traceparent": VALID, "tracestate": ""}),
    (
        "invalid-tracestate",
        [("traceparent", VALID), ("tracestate", "Foo=1")],
        {"traceparent": VALID, "tracestate": ""},
    ),
    (
        "future-version",
        [("traceparent", f"cc-{TRACE_ID}-{SPAN_ID}-01-a-future-field")],
        {"traceparent": VALID, "tracestate": ""},
    ),
    (
        "last-traceparent-wins",
        [("traceparent", "garbage"), ("traceparent", VALID)],
        {"traceparent": VALID, "tracestate": ""},
    ),
    ("uppercase-hex", [("traceparent", VALID.upper())], None),
    ("zero-trace-id", [("traceparent", f"00-{'0' * 32}-{SPAN_ID}-01")], None),
    ("version-ff", [("traceparent", f"ff-{TRACE_ID}-{SPAN_ID}-01")], None),
    ("no-trace-headers", [("source", "kafka-python")], None),
]


def run_kflow(roundtrip, *args):
    """Runs kflow_roundtrip; returns the records it printed."""
    result = subprocess.run(
        [roundtrip, *args], capture_output=True, timeout=DEADLINE_S * 2, check=False
    )
    if result.returncode != 0:
        raise Failure(
            f"kflow_roundtrip {' '.join(args)} exited {result.returncode}: "
            f"{result.stderr.decode(errors='replace').strip()}"
        )
    return [json.loads(line) for line in result.stdout.decode().splitlines() if line.strip()]


def python_produce(bootstrap, topic):
    """Sends one record per case; returns them as records."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    sent = []
    try:
        for key, headers, _ in CASES:
            future = producer.send(
                topic,
                key=key.encode(),
                value=b"traced",
                headers=[(k, v.encode()) for k, v in headers],
            )
            md = future.get(timeout=DEADLINE_S)
            sent.append(
                {
                    "topic": topic,
                    "partition": md.partition,
                    "offset": md.offset,
                    "key": key,
                    "value": "traced",
                    "headers": [[k, v] for k, v in headers],
                }
            )
    finally:
        producer.close(timeout=DEADLINE_S)
    return sent


def python_read(bootstrap, topic, partitions, count):
    """Reads `count` records from the start of every partition, outside any group."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        fetch_max_wait_ms=10,  # the mock holds an empty fetch for all of it
    )
    got = []
    try:
        assignment = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(assignment)
        consumer.seek_to_beginning(*assignment)
        deadline = time.monotonic() + DEADLINE_S
        while len(got) < count and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200, max_records=count - len(got)).values():
                for m in batch:
                    got.append(
                        {
                            "topic": m.topic,
                            "partition": m.partition,
                            "offset": m.offset,
                            "key": text(m.key),
                            "value": text(m.value),
                            "headers": [[k, text(v)] for k, v in m.headers],
                        }
                    )
        if len(got) != count:
            raise Failure(f"kafka-python read {len(got)} of {count} records in {DEADLINE_S} s")
    finally:
        consumer.close(autocommit=False)
    return got


def extracted_problems(read):
    """Where kflow's extracted contexts differ from what each case expects."""
    problems = []
    expected = {key: context for key, _, context in CASES}
    for r in read:
        if "trace" not in r:
            problems.append(f"record {r['key']!r}: kflow printed no 'trace' field")
            continue
        want = expected.get(r["key"], "unknown key")
        if r["trace"] != want:
            problems.append(
                f"record {r['key']!r}: kflow extracted {json.dumps(r['trace'])}, "
                f"expected {json.dumps(want)}"
            )
    return problems


def w3c_problems(record):
    """Where the trace headers kflow wrote break the W3C format (or kflow_roundtrip's plan)."""
    problems = []
    where = f"record {record['key']!r}"
    headers = record["headers"]
    parents = [v for k, v in headers if k == "traceparent"]
    states = [v for k, v in headers if k == "tracestate"]
    if len(parents) != 1:
        return [f"{where}: {len(parents)} traceparent headers, expected 1"]
    match = TRACEPARENT_RE.match(parents[0] or "")
    if not match:
        return [f"{where}: traceparent {parents[0]!r} is not 00-<32 hex>-<16 hex>-<2 hex>"]
    trace_id, span_id, flags = match.groups()
    if set(trace_id) == {"0"} or set(span_id) == {"0"}:
        problems.append(f"{where}: all-zero id in {parents[0]!r}")
    # kflow_roundtrip --trace: record i is sampled and has a tracestate when i is even.
    seq = int(dict((k, v) for k, v in headers)["seq"])
    if flags != ("01" if seq % 2 == 0 else "00"):
        problems.append(f"{where}: trace-flags {flags}, expected sampled only for even seq")
    if seq % 2 == 0:
        if states != [f"kflow={seq},congo=t61rcWkgMzE"]:
            problems.append(f"{where}: tracestate headers {states}")
        for member in (states[0] or "").split(",") if states else []:
            key, eq, value = member.strip(" \t").partition("=")
            if not eq or not KEY_RE.match(key) or not VALUE_RE.match(value):
                problems.append(f"{where}: tracestate member {member!r} is not key=value")
    elif states:
        problems.append(f"{where}: tracestate headers {states}, expected none")
    return problems


def run(broker_bin, roundtrip):
    partitions = 2
    with MockBroker(
        broker_bin,
        "--topic", f"python-traced:{partitions}",
        "--topic", f"kflow-traced:{partitions}",
    ) as broker:
        bootstrap = broker.bootstrap
        servers = bootstrap.split(",")
        print(f"kflow-mock-broker at {bootstrap}")

        # 1. kafka-python -> kflow: what kflow extracts from kafka-python's headers.
        sent = python_produce(servers, "python-traced")
        read = run_kflow(
            roundtrip, "consume", "--bootstrap", bootstrap, "--topic", "python-traced",
            "--count", str(len(CASES)), "--group", "kflow-trace-readers", "--trace",
        )
        check(records.compare(sent, read), "kflow read the records kafka-python produced")
        check(extracted_problems(read), "kflow extracted the contexts kafka-python sent")

        # 2. kflow -> kafka-python: kflow's injected headers, as another client reads them.
        count = 6
        produced = run_kflow(
            roundtrip, "produce", "--bootstrap", bootstrap, "--topic", "kflow-traced",
            "--count", str(count), "--source", "kflow", "--trace",
        )
        got = python_read(servers, "kflow-traced", partitions, count)
        check(records.compare(produced, got), "kafka-python read kflow's headers unchanged")
        problems = [p for r in got for p in w3c_problems(r)]
        trace_ids = {v[3:35] for r in got for k, v in r["headers"] if k == "traceparent"}
        if len(trace_ids) != count:
            problems.append(f"{len(trace_ids)} distinct trace ids in {count} new roots")
        check(problems, "kflow's trace headers have the W3C format")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        run(sys.argv[1], sys.argv[2])
    except Failure as e:
        print(f"FAILED: {NAME}: {e}", file=sys.stderr)
        return 1
    print(f"{NAME}: kafka-python and kflow agree on trace context headers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
