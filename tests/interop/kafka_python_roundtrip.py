#!/usr/bin/python3
"""kafka-python and kflow against one kflow-mock-broker, both ways, consumer groups included.

1. kafka-python produces keyed records with headers; kflow reads them in a consumer group and
   commits. kflow must see every record at the partition and offset kafka-python was told, and
   kafka-python's committed() must show the offsets kflow committed.
2. kflow produces; kafka-python reads in a consumer group and commits. kafka-python must see
   every record at the partition and offset kflow was told.
3. kflow produces more and reads in kafka-python's group: it must start at kafka-python's
   commits, so it reads exactly the new records.

Usage: kafka_python_roundtrip.py <kflow-mock-broker> <kflow_roundtrip>
Run it with /usr/bin/python3 (Debian's python3-kafka), not a Python without kafka-python.
"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import records  # noqa: E402
from mock_broker import MockBroker  # noqa: E402
from interop_check import Failure, check, skip_without_kafka_python, text  # noqa: E402

NAME = "interop_kafka_python"
DEADLINE_S = 30

try:
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
except ImportError as e:
    skip_without_kafka_python(NAME, e)


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


def python_produce(bootstrap, topic, count):
    """Sends `count` records; returns them as records with their delivery partition/offset."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    sent = []
    try:
        for i in range(count):
            key = f"python-key-{i}"
            value = f"python value #{i}: café"
            # A repeated header name, as kflow's records have too. (kafka-python's send() only
            # takes bytes header values, so a null one can only travel the other way.)
            headers = [
                ("source", b"kafka-python"),
                ("seq", str(i).encode()),
                ("tag", b"a"),
                ("tag", b"b"),
            ]
            future = producer.send(
                topic, key=key.encode(), value=value.encode(), headers=headers
            )
            md = future.get(timeout=DEADLINE_S)
            sent.append(
                {
                    "topic": topic,
                    "partition": md.partition,
                    "offset": md.offset,
                    "key": key,
                    "value": value,
                    "headers": [[k, text(v)] for k, v in headers],
                }
            )
    finally:
        producer.close(timeout=DEADLINE_S)
    return sent


def python_consume(bootstrap, topic, group, count):
    """Reads `count` records in `group` and commits them; returns them and what was committed."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=10,  # the mock holds an empty fetch for all of it
        # When this consumer leaves, the mock waits (this session timeout - 1 s) for members
        # before it answers the next JoinGroup, and drops a joiner whose own session timeout
        # runs out meanwhile without ever answering it. kflow's test consumers use 6 s: match it.
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
    )
    got = []
    try:
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
        consumer.commit()
        committed = {
            tp.partition: consumer.committed(tp) for tp in consumer.assignment()
        }
    finally:
        consumer.close(autocommit=False)
    return got, committed


def python_committed(bootstrap, group, topic, partitions):
    """The group's committed offsets as kafka-python sees them, from a consumer that does not
    join the group (so it cannot change them)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        return {p: consumer.committed(TopicPartition(topic, p)) for p in range(partitions)}
    finally:
        consumer.close(autocommit=False)


def next_offsets(read, partitions):
    """What a consumer that read `read` commits: per partition, one past the last offset read."""
    out = {p: None for p in range(partitions)}
    for r in read:
        out[r["partition"]] = max(out[r["partition"]] or 0, r["offset"] + 1)
    return out


def run(broker_bin, roundtrip):
    partitions = 3
    with MockBroker(
        broker_bin, "--topic", f"python-to-kflow:{partitions}", "--topic", f"kflow-to-python:{partitions}"
    ) as broker:
        bootstrap = broker.bootstrap
        servers = bootstrap.split(",")
        print(f"kflow-mock-broker at {bootstrap}")

        # 1. kafka-python -> kflow, and kflow's commits as kafka-python sees them.
        sent = python_produce(servers, "python-to-kflow", 9)
        read = run_kflow(
            roundtrip, "consume", "--bootstrap", bootstrap, "--topic", "python-to-kflow",
            "--count", "9", "--group", "kflow-readers", "--commit",
        )
        check(records.compare(sent, read), "kflow read what kafka-python produced")
        expected = next_offsets(read, partitions)
        seen = python_committed(servers, "kflow-readers", "python-to-kflow", partitions)
        check(
            [] if seen == expected else [f"committed() {seen}, kflow committed {expected}"],
            "kafka-python sees the offsets kflow committed",
        )

        # 2. kflow -> kafka-python, in a group that commits.
        produced = run_kflow(
            roundtrip, "produce", "--bootstrap", bootstrap, "--topic", "kflow-to-python",
            "--count", "9", "--source", "kflow",
        )
        got, committed = python_consume(servers, "kflow-to-python", "python-readers", 9)
        check(records.compare(produced, got), "kafka-python read what kflow produced")
        expected = next_offsets(got, partitions)
        # kafka-python commits its position in every assigned partition, 0 where it read nothing.
        expected = {p: (o if o is not None else 0) for p, o in expected.items()}
        check(
            [] if committed == expected else [f"kafka-python committed {committed}, expected {expected}"],
            "kafka-python committed what it read",
        )

        # 3. kflow joins kafka-python's group and resumes at its commits.
        late = run_kflow(
            roundtrip, "produce", "--bootstrap", bootstrap, "--topic", "kflow-to-python",
            "--count", "5", "--source", "kflow-late",
        )
        resumed = run_kflow(
            roundtrip, "consume", "--bootstrap", bootstrap, "--topic", "kflow-to-python",
            "--count", "5", "--group", "python-readers",
        )
        check(records.compare(late, resumed), "kflow resumed at kafka-python's commits")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        run(sys.argv[1], sys.argv[2])
    except Failure as e:
        print(f"FAILED: {NAME}: {e}", file=sys.stderr)
        return 1
    print(f"{NAME}: kafka-python and kflow agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
