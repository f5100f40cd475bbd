#!/usr/bin/python3
"""kflow-cli and kafka-python against one kflow-mock-broker, every record compared field by field.

1. Time ranges: kafka-python produces records with explicit timestamps (timestamp_ms) and
   headers; `kflow-cli consume --from @T1 --to @T2 --json` must print exactly the records of
   each partition in [T1, T2), with T given in milliseconds and as UTC (2026-...Z, with and
   without .mmm). librdkafka 2.0.2's mock answers every ListOffsets by time with -1
   (docs/mock-cluster.md): when kafka-python's own offsets_for_times() shows the broker cannot
   look up times, only "nothing outside [T1, T2)" is checked and the exact check is reported as
   skipped (set KFLOW_CLI_TIMES_REQUIRED=1 to fail instead).
2. kflow-cli produce --json --report -> kafka-python reads exactly those records (partition,
   offset, timestamp, key, value, headers).
3. kafka-python commits offsets for a group -> `kflow-cli groups lag GROUP --json` shows, per
   partition, the committed offset, the high watermark (as kafka-python's end_offsets()) and
   their difference; with a TOPIC argument, only that topic.
4. `kflow-cli consume -g G -c N --json` -> kafka-python's committed() shows one past the last
   printed offset of each partition it printed from, and nothing beyond what was printed; a
   second run in the group prints exactly the rest.

Usage: cli_kafka_python.py <kflow-mock-broker> <kflow-cli>
Run it with /usr/bin/python3 (Debian's python3-kafka), not a Python without kafka-python.
"""

import datetime
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mock_broker import MockBroker  # noqa: E402
from interop_check import Failure, check, skip_without_kafka_python, text  # noqa: E402

NAME = "interop_cli_kafka_python"
DEADLINE_S = 30

try:
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.structs import OffsetAndMetadata
except ImportError as e:
    skip_without_kafka_python(NAME, e)


def ms(dt):
    return int(dt.timestamp() * 1000)


class Cli:
    """Runs kflow-cli against the broker, every run bounded in time."""

    def __init__(self, path, bootstrap):
        self.path = path
        # The mock holds an empty fetch for all of fetch.wait.max.ms (default 500 ms). After a
        # member leaves, it waits (session timeout - 1 s) before answering the next JoinGroup:
        # 6 s, as kflow's test consumers and kafka_python_roundtrip.py use.
        self.base = [path, "-b", bootstrap, "-X", "fetch.wait.max.ms=10",
                     "-X", "session.timeout.ms=6000"]

    def run(self, *args, stdin=None, expect=0):
        started = time.monotonic()
        try:
            result = subprocess.run(
                [*self.base, *args], input=stdin, capture_output=True,
                timeout=DEADLINE_S + 15, check=False,
            )
        except subprocess.TimeoutExpired:
            raise Failure(f"kflow-cli {' '.join(args)} did not exit within {DEADLINE_S + 15} s") from None
        out = result.stdout.decode("utf-8", errors="replace")
        err = result.stderr.decode("utf-8", errors="replace")
        print(f"kflow-cli {' '.join(args)}: exit {result.returncode} "
              f"in {time.monotonic() - started:.1f} s")
        if expect is not None and result.returncode != expect:
            raise Failure(
                f"kflow-cli {' '.join(args)} exited {result.returncode}, expected {expect}:\n"
                f"  stderr: {err.strip()}\n  stdout: {out.strip()[:2000]}"
            )
        return result.returncode, out, err

    def json_lines(self, *args, **kw):
        _, out, _ = self.run(*args, **kw)
        try:
            return [json.loads(line) for line in out.splitlines() if line.strip()]
        except json.JSONDecodeError as e:
            raise Failure(f"kflow-cli {' '.join(args)} printed a line that is not JSON: {e}\n{out}")


def as_record(m):
    """A kafka-python ConsumerRecord in kflow-cli's --json form (the fields both know)."""
    return {
        "topic": m.topic,
        "partition": m.partition,
        "offset": m.offset,
        "timestamp": m.timestamp,
        "key": text(m.key),
        "value": text(m.value),
        "headers": [[k, text(v)] for k, v in m.headers],
    }


def where(r):
    return f"{r.get('topic')} [{r.get('partition')}] @ {r.get('offset')}"


def compare(expected, actual):
    """Exactly the records of `expected` (matched by topic, partition and offset), each with
    every field `expected` gives; each partition's records printed in increasing offsets."""
    problems = []
    last = {}
    for r in actual:
        tp = (r.get("topic"), r.get("partition"))
        if tp in last and r.get("offset", -1) <= last[tp]:
            problems.append(f"{where(r)} printed after offset {last[tp]}")
        last[tp] = r.get("offset", -1)
    index = lambda r: (r.get("topic"), r.get("partition"), r.get("offset"))  # noqa: E731
    got = {}
    for r in actual:
        if index(r) in got:
            problems.append(f"{where(r)} printed twice")
        got[index(r)] = r
    want = {index(r): r for r in expected}
    for k, e in want.items():
        a = got.get(k)
        if a is None:
            problems.append(f"missing: {json.dumps(e, ensure_ascii=False)}")
            continue
        for field, value in e.items():
            if a.get(field, "<absent>") != value:
                problems.append(f"{where(e)}: {field} {a.get(field, '<absent>')!r}, expected {value!r}")
    for k, a in got.items():
        if k not in want:
            problems.append(f"unexpected: {json.dumps(a, ensure_ascii=False)}")
    return problems


def python_produce(servers, topic, plan):
    """plan: (partition, timestamp_ms or None, key) tuples; returns the records as delivered."""
    producer = KafkaProducer(bootstrap_servers=servers, acks="all", linger_ms=0)
    sent = []
    try:
        for i, (partition, ts, key) in enumerate(plan):
            value = f"python value {i} for {topic}: café"
            headers = [("source", b"kafka-python"), ("seq", str(i).encode()), ("tag", b"a"),
                       ("tag", b"b")]
            md = producer.send(topic, key=key.encode(), value=value.encode(), headers=headers,
                               partition=partition, timestamp_ms=ts).get(timeout=DEADLINE_S)
            record = {
                "topic": topic, "partition": md.partition, "offset": md.offset,
                "key": key, "value": value, "headers": [[k, text(v)] for k, v in headers],
            }
            # Only a timestamp given is known: kafka-python's RecordMetadata.timestamp shows
            # the mock's log-append time field (1234 with librdkafka 2.0.2), not the record's.
            if ts is not None:
                record["timestamp"] = ts
            sent.append(record)
    finally:
        producer.close(timeout=DEADLINE_S)
    return sent


def python_read_all(servers, topic, partitions):
    """Every record of the topic, read by kafka-python without a group up to the end offsets."""
    consumer = KafkaConsumer(bootstrap_servers=servers, enable_auto_commit=False,
                             fetch_max_wait_ms=10)
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        end = consumer.end_offsets(tps)
        got = []
        deadline = time.monotonic() + DEADLINE_S
        while any(consumer.position(tp) < end[tp] for tp in tps):
            if time.monotonic() > deadline:
                raise Failure(f"kafka-python read {len(got)} records of {topic} in {DEADLINE_S} s, "
                              f"end offsets {end}")
            for batch in consumer.poll(timeout_ms=200).values():
                got += [as_record(m) for m in batch]
        return got
    finally:
        consumer.close(autocommit=False)


def time_ranges(cli, servers, strict):
    topic = "times"
    base = ms(datetime.datetime(2026, 12, 5, 10, 0, 0, tzinfo=datetime.timezone.utc))
    t1, t2 = base + 2000, base + 4000
    # Partition 0 has a record exactly at T1 (in) and exactly at T2 (out); partition 2 has none
    # in the range at all (all later), so its range is empty.
    offsets = {0: [0, 1000, 2000, 3000, 3999, 4000, 5000], 1: [500, 2500, 3500, 6000],
               2: [5000, 6000]}
    plan = [(p, base + d, f"p{p}-at-{d}") for p, ds in offsets.items() for d in ds]
    sent = python_produce(servers, topic, plan)
    check(compare(sent, python_read_all(servers, topic, len(offsets))),
          "the broker keeps kafka-python's timestamps (CreateTime)")

    probe = KafkaConsumer(bootstrap_servers=servers)
    try:
        found = probe.offsets_for_times({TopicPartition(topic, 0): t1})
    finally:
        probe.close()
    at = found.get(TopicPartition(topic, 0))
    served = at is not None and at.offset == 2
    if not served:
        message = (f"the broker does not look offsets up by time (kafka-python's "
                   f"offsets_for_times({t1}) on partition 0 gave {at}, expected offset 2)")
        if strict:
            raise Failure(message)
        print(f"SKIPPED (exact time ranges): {message}; checking only that kflow-cli prints "
              "nothing outside the range")

    def check_range(lo, hi, *args):
        want = [r for r in sent if lo <= r["timestamp"] < hi]
        got = cli.json_lines("consume", topic, "--json", *args, "--timeout", "20")
        what = f"consume {' '.join(args)}: the records in [{lo}, {hi})"
        if served:
            check(compare(want, got), what)
        else:
            keys = {(r["partition"], r["offset"]) for r in want}
            problems = [f"outside the range: {json.dumps(r, ensure_ascii=False)}"
                        for r in got if (r.get("partition"), r.get("offset")) not in keys]
            check(problems + compare([r for r in want if (r["partition"], r["offset"]) in
                                      {(g.get("partition"), g.get("offset")) for g in got}], got),
                  what + f" (none outside it; {len(got)} of {len(want)} printed)")

    check_range(t1, t2, "--from", f"@{t1}", "--to", f"@{t2}")
    check_range(t1, t2, "--from", "@2026-12-05T10:00:02Z", "--to", "@2026-12-05T10:00:04.000Z")
    check_range(base + 2500, t2, "-o", "@2026-12-05T10:00:02.500Z", "--to", f"@{t2}")

    # --to @TIME compares the records' own timestamps (no lookup by time): exact on any broker.
    # Each partition's timestamps rise, so "before the first record at or after T2" is every
    # record stamped before T2.
    want = [r for r in sent if r["timestamp"] < t2]
    got = cli.json_lines("consume", topic, "--json", "--to", f"@{t2}", "--timeout", "20")
    check(compare(want, got), f"consume --to @{t2}: every record stamped before T2")


def cli_to_python(cli, servers):
    topic = "cli-to-python"
    lines = [
        {"key": "c-1", "value": "one", "headers": [["h", "1"], ["h", "2"]], "timestamp": 1796464800000},
        {"key": "c-2", "value": "two: café", "headers": [["source", "kflow-cli"]], "partition": 2},
        {"key": "c-3", "value": "three", "partition": 0, "timestamp": 1796464801234},
        {"key": "c-4", "value": "{\"json\": [1, 2]}", "headers": [["empty", ""]]},
        {"key": "c-5", "value": "five", "partition": 1},
        {"key": "c-6", "value": "six", "headers": [["a", "x"], ["b", "y"]], "partition": 1},
    ]
    stdin = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    _, out, err = cli.run("produce", topic, "--json", "--report", "--timeout", "20", stdin=stdin)
    summary = f"{len(lines)} of {len(lines)} records delivered to '{topic}'"
    check([] if summary in err else [f"stderr has no {summary!r}: {err.strip()}"],
          "kflow-cli produce says every record was delivered")
    report = {r["line"]: r for r in (json.loads(x) for x in out.splitlines() if x.strip())}
    if sorted(report) != list(range(1, len(lines) + 1)):
        raise Failure(f"--report names lines {sorted(report)}, expected 1..{len(lines)}")
    expected, problems = [], []
    for n, line in enumerate(lines, 1):
        rep = report[n]
        # librdkafka 2.0.2's mock answers a produce with a log-append time (1234): the report
        # shows it, as "log_append_time", while the record keeps its create time. Only a
        # create-time report must agree with the record.
        create_time = rep.get("timestamp_type", "create_time") == "create_time"
        for name in ("partition", "key") + (("timestamp",) if create_time else ()):
            if name in line and rep.get(name) != line[name]:
                problems.append(f"line {n}: report {name} {rep.get(name)!r}, asked for {line[name]!r}")
        record = {"topic": topic, "partition": rep["partition"], "offset": rep["offset"],
                  "key": line["key"], "value": line["value"], "headers": line.get("headers", [])}
        if "timestamp" in line or create_time:
            record["timestamp"] = line.get("timestamp", rep.get("timestamp"))
        expected.append(record)
    check(problems, "kflow-cli produce --report matches its --json input")
    check(compare(expected, python_read_all(servers, topic, 3)),
          "kafka-python read exactly what kflow-cli produce --json reported")


def lag_rows(doc):
    """(topic, partition) -> the row of `groups lag --json` for it. usage.hpp names the values
    (committed offset, high watermark, lag), not the keys: these are kflow-cli's."""
    return {(r.get("topic"), r.get("partition")): r for r in doc.get("partitions", [])}


def python_group_offsets(servers, group):
    """The group's committed offsets from kafka-python's admin client (OffsetFetch for all
    topics), or None when the broker does not answer that: librdkafka 2.0.2's mock answers
    only the topics a request names."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=servers)
    try:
        return {(tp.topic, tp.partition): om.offset
                for tp, om in admin.list_consumer_group_offsets(group).items()}
    except Exception as e:  # kafka-python 2.0.2 raises TypeError on the mock's null topics
        print(f"kafka-python's list_consumer_group_offsets({group!r}) failed: {e!r}")
        return None
    finally:
        admin.close()


def group_lag(cli, servers):
    group = "python-lag-group"
    per_partition = {0: 5, 1: 7, 2: 3}
    python_produce(servers, "lag-a", [(p, None, f"a{p}-{i}") for p, n in per_partition.items()
                                     for i in range(n)])
    python_produce(servers, "lag-b", [(0, None, f"b0-{i}") for i in range(4)])
    commits = {TopicPartition("lag-a", 0): 2, TopicPartition("lag-a", 1): 7,
               TopicPartition("lag-b", 0): 1}  # lag-a [2]: never committed
    uncommitted = TopicPartition("lag-a", 2)
    consumer = KafkaConsumer(bootstrap_servers=servers, group_id=group, enable_auto_commit=False)
    try:
        consumer.assign(list(commits))
        consumer.commit({tp: OffsetAndMetadata(o, "") for tp, o in commits.items()})
        seen = {tp: consumer.committed(tp) for tp in commits}
        high = consumer.end_offsets([*commits, uncommitted])
    finally:
        consumer.close(autocommit=False)
    check([] if seen == commits else [f"committed() {seen}, committed {commits}"],
          "kafka-python committed the group's offsets")

    def expected(topics, with_uncommitted):
        rows = {(tp.topic, tp.partition): (o, high[tp], high[tp] - o)
                for tp, o in commits.items() if tp.topic in topics}
        if with_uncommitted and uncommitted.topic in topics:
            rows[(uncommitted.topic, uncommitted.partition)] = (None, high[uncommitted], None)
        return rows

    def lag(*args, with_uncommitted=True, exact=True):
        topics = set(args) or {"lag-a", "lag-b"}
        _, out, _ = cli.run("groups", "lag", group, *args, "--json")
        print(f"  {out.strip()}")
        doc = json.loads(out)
        got = {k: (r.get("committed"), r.get("high_watermark"), r.get("lag"))
               for k, r in lag_rows(doc).items()}
        want = expected(topics, with_uncommitted)
        problems = [f"{k}: committed/high/lag {v}, expected {want.get(k, 'no row')}"
                    for k, v in got.items() if want.get(k) != v]
        if exact:
            problems += [f"{k}: no row, expected committed/high/lag {v}"
                         for k, v in want.items() if k not in got]
            total = sum(v[2] for v in want.values() if v[2] is not None)
            if doc.get("total_lag") != total:
                problems.append(f"total_lag {doc.get('total_lag')}, expected {total}")
        return problems

    check(lag("lag-a", "lag-b"), "groups lag GROUP lag-a lag-b --json: kafka-python's commits, "
          "the high watermarks, the lag and the total; lag-a [2] without a commit")
    check(lag("lag-a"), "groups lag GROUP lag-a --json: only lag-a")
    served = python_group_offsets(servers, group) is not None
    if not served:
        print("SKIPPED (groups lag without TOPIC, exact): the broker does not list a group's "
              "offsets for all topics (kafka-python cannot either); checking only that every "
              "row kflow-cli prints is right")
    check(lag(with_uncommitted=False, exact=served),
          "groups lag GROUP --json: every partition the group committed")


def group_commits(cli, servers):
    topic, group = "group-commits", "cli-group"
    sent = python_produce(servers, topic, [(p, None, f"g{p}-{i}") for p in range(3) for i in range(4)])
    first = cli.json_lines("consume", topic, "-g", group, "-c", "5", "--json", "--timeout", "25")
    if len(first) != 5:
        raise Failure(f"consume -g {group} -c 5 printed {len(first)} records")
    check(compare([r for r in sent if (r["partition"], r["offset"]) in
                   {(f.get("partition"), f.get("offset")) for f in first}], first),
          "consume -g -c 5 printed 5 of the records kafka-python produced, as produced")

    printed = {}
    for r in first:
        printed.setdefault(r["partition"], []).append(r["offset"])
    problems = [f"partition {p}: printed offsets {o}, not from the beginning"
                for p, o in printed.items() if sorted(o) != list(range(len(o)))]
    consumer = KafkaConsumer(bootstrap_servers=servers, group_id=group, enable_auto_commit=False)
    try:
        committed = {p: consumer.committed(TopicPartition(topic, p)) for p in range(3)}
    finally:
        consumer.close(autocommit=False)
    for p in range(3):
        if p in printed:
            if committed[p] != max(printed[p]) + 1:
                problems.append(f"partition {p}: committed {committed[p]}, printed up to "
                                f"offset {max(printed[p])}")
        elif committed[p] not in (None, 0):  # 0: the start, nothing beyond what was printed
            problems.append(f"partition {p}: committed {committed[p]}, printed nothing from it")
    check(problems, f"kafka-python's committed() shows what consume -g printed: {committed}")

    rest = cli.json_lines("consume", topic, "-g", group, "-e", "--json", "--timeout", "25")
    done = {(r["partition"], r["offset"]) for r in first}
    check(compare([r for r in sent if (r["partition"], r["offset"]) not in done], rest),
          "a second consume -g -e resumes at the commits and prints exactly the rest")


def run(broker_bin, cli_bin):
    strict = os.environ.get("KFLOW_CLI_TIMES_REQUIRED") == "1"
    with MockBroker(broker_bin, "--topic", "times:3", "--topic", "cli-to-python:3",
                    "--topic", "lag-a:3", "--topic", "lag-b:1", "--topic", "group-commits:3") as broker:
        servers = broker.bootstrap.split(",")
        print(f"kflow-mock-broker at {broker.bootstrap}")
        cli = Cli(cli_bin, broker.bootstrap)
        time_ranges(cli, servers, strict)
        cli_to_python(cli, servers)
        group_lag(cli, servers)
        group_commits(cli, servers)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    if not os.access(sys.argv[2], os.X_OK):
        print(f"FAILED: {NAME}: kflow-cli not found at {sys.argv[2]!r}", file=sys.stderr)
        return 1
    try:
        run(sys.argv[1], sys.argv[2])
    except Failure as e:
        print(f"FAILED: {NAME}: {e}", file=sys.stderr)
        return 1
    print(f"{NAME}: kflow-cli and kafka-python agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
