"""What every interoperability test written in Python shares: skipping (never passing) when
kafka-python is missing, and failing with every problem of a check listed.

    from interop_check import Failure, check, skip_without_kafka_python, text
    try:
        from kafka import KafkaConsumer
    except ImportError as e:
        skip_without_kafka_python(NAME, e)
"""

import sys

SKIP = 77  # ctest's SKIP_RETURN_CODE for the interoperability tests


class Failure(Exception):
    """A check failed; main() prints it and exits 1."""


def skip_without_kafka_python(name, error):
    """Reports the test as skipped: kafka-python cannot be imported by this interpreter."""
    print(
        f"SKIPPED: {name}: kafka-python is not importable by {sys.executable} ({error}); "
        "install python3-kafka (scripts/lib/common.sh)",
        file=sys.stderr,
    )
    sys.exit(SKIP)


def check(problems, what):
    """Fails with every problem listed, or prints that `what` holds."""
    if problems:
        raise Failure(what + ":\n  " + "\n  ".join(problems))
    print(f"ok: {what}")


def text(raw):
    """Record bytes as text; None stays None (Kafka's null)."""
    return None if raw is None else raw.decode("utf-8")
