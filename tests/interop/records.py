"""Records as the interoperability tests compare them, whichever client wrote or read them.

A record is a dict: topic, key, value (str or None), headers (a list of [name, value-or-None]
pairs, in order) and, when known, partition and offset. kflow_roundtrip prints records in this
form; kcat's output is parsed into it.

As a command (run with /usr/bin/python3, which has kafka-python):
  records.py compare EXPECTED ACTUAL [--actual-format kcat]
      exits 0 when ACTUAL holds exactly the records of EXPECTED, else prints every difference
      and exits 1;
  records.py kcat-format
      prints the `kcat -C -f` format whose output `--actual-format kcat` parses.
"""

import argparse
import collections
import json
import sys

# The -f format the tests give kcat: one record per line, fields separated by tabs.
KCAT_FORMAT = r"%t\t%p\t%o\t%k\t%h\t%s\n"


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def parse_kcat_headers(text):
    """kcat prints headers as name=value CSV, a null value as NULL (tests use neither ',' nor
    '=' in header names or values, so the CSV is unambiguous)."""
    if text == "":
        return []
    headers = []
    for item in text.split(","):
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"kcat header without '=': {item!r}")
        headers.append([name, None if value == "NULL" else value])
    return headers


def parse_kcat_line(line):
    fields = line.rstrip("\n").split("\t")
    if len(fields) != 6:
        raise ValueError(f"kcat line with {len(fields)} fields, expected 6: {line!r}")
    topic, partition, offset, key, headers, value = fields
    return {
        "topic": topic,
        "partition": int(partition),
        "offset": int(offset),
        "key": key,
        "value": value,
        "headers": parse_kcat_headers(headers),
    }


def load_kcat(path):
    with open(path, encoding="utf-8") as f:
        return [parse_kcat_line(line) for line in f if line.strip()]


def identity(record):
    """What must survive the trip: everything but the partition and offset."""
    return json.dumps(
        {k: record[k] for k in ("topic", "key", "value", "headers")}, sort_keys=True
    )


def compare(expected, actual):
    """Every difference between two lists of records, as sentences; [] when they match.

    Records match by topic, key, value and headers (as a multiset: order across partitions is
    not defined). Where the expected record knows its partition and offset (a delivery report),
    the actual one must have the same. Offsets in each partition of ACTUAL must be distinct.
    """
    problems = []
    if len(actual) != len(expected):
        problems.append(f"expected {len(expected)} record(s), got {len(actual)}")
    wanted = collections.defaultdict(list)
    for record in expected:
        wanted[identity(record)].append(record)
    for record in actual:
        candidates = wanted.get(identity(record))
        if not candidates:
            problems.append(f"unexpected record: {json.dumps(record, ensure_ascii=False)}")
            continue
        match = candidates.pop(0)
        for field in ("partition", "offset"):
            if field in match and match[field] != record.get(field):
                problems.append(
                    f"record {record['key']!r}: {field} {record.get(field)}, "
                    f"but the producer was told {match[field]}"
                )
    for remaining in wanted.values():
        for record in remaining:
            problems.append(f"missing record: {json.dumps(record, ensure_ascii=False)}")
    seen = collections.Counter((r["topic"], r.get("partition"), r.get("offset")) for r in actual)
    for (topic, partition, offset), n in seen.items():
        if n > 1 and offset is not None:
            problems.append(f"{topic} [{partition}] offset {offset} read {n} times")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cmp = sub.add_parser("compare", help="compare EXPECTED and ACTUAL record files")
    cmp.add_argument("expected", help="JSON lines")
    cmp.add_argument("actual")
    cmp.add_argument("--actual-format", choices=("jsonl", "kcat"), default="jsonl")
    sub.add_parser("kcat-format", help="print the kcat -f format that compare parses")
    args = parser.parse_args()

    if args.command == "kcat-format":
        print(KCAT_FORMAT)
        return 0

    expected = load_jsonl(args.expected)
    actual = load_kcat(args.actual) if args.actual_format == "kcat" else load_jsonl(args.actual)
    problems = compare(expected, actual)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print(f"{len(actual)} record(s) match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
