#!/usr/bin/python3
"""kflow-mock-broker's fault switches, driven the way a test suite in another language would:
kafka-python produces while the broker is told what to break on its standard input (--commands),
or by --rtt-ms and --broker-down-after.

1. A produce works; after "down 1" one fails (times out) within a few seconds; after "up 1" they
   work again.
2. "error produce NOT_LEADER_FOR_PARTITION": a producer without retries sees the error; one with
   retries succeeds, and the error was used up by it (the next produce without retries works).
3. "rtt all MS" delays a produce by at least MS; "rtt 1 0" takes it back.
4. Bad commands are answered "error: ..." and the broker keeps serving; "quit" exits 0.
5. --rtt-ms delays every produce; --broker-down-after announces "event: broker 1 down", after
   which a produce fails.

Usage: mock_broker_commands.py <kflow-mock-broker> commands|options
(1-4 are "commands", 5 is "options": two ctest tests, each well within its time limit.)
Run it with /usr/bin/python3 (Debian's python3-kafka), not a Python without kafka-python.
"""

import logging
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mock_broker import MockBroker  # noqa: E402
from interop_check import Failure, skip_without_kafka_python  # noqa: E402

NAME = "interop_mock_broker_" + (sys.argv[2] if len(sys.argv) > 2 else "commands")
TOPIC = "faults"
# How long a produce to a downed broker gets before it counts as failed: "within a few seconds".
DOWN_WAIT_S = 2
# Produces that must work get this long (the first includes connecting and metadata).
WORK_WAIT_S = 10

try:
    from kafka import KafkaProducer
    from kafka.errors import KafkaError, KafkaTimeoutError, NotLeaderForPartitionError
except ImportError as e:
    skip_without_kafka_python(NAME, e)


def ok(what):
    print(f"ok: {what}", flush=True)


def expect_answer(broker, command, expected="ok"):
    answer = broker.command(command)
    if expected == "ok" and answer != "ok":
        raise Failure(f"{command!r} answered {answer!r}, expected 'ok'")
    if expected != "ok" and not answer.startswith(expected):
        raise Failure(f"{command!r} answered {answer!r}, expected {expected!r}...")
    return answer


def producer(broker, retries):
    return KafkaProducer(
        bootstrap_servers=broker.bootstrap.split(","),
        retries=retries,
        # Reconnect attempts to a downed broker stay frequent, so "up" is noticed at once.
        reconnect_backoff_max_ms=200,
        linger_ms=0,
    )


def produce(p, value, timeout=WORK_WAIT_S):
    """Sends one record and waits for its acknowledgement; returns the seconds it took."""
    start = time.monotonic()
    p.send(TOPIC, value=value).get(timeout=timeout)
    return time.monotonic() - start


def expect_produce_fails(p, value, why):
    start = time.monotonic()
    try:
        p.send(TOPIC, value=value).get(timeout=DOWN_WAIT_S)
    except (KafkaTimeoutError, KafkaError) as e:
        ok(f"{why}: produce failed after {time.monotonic() - start:.1f} s ({type(e).__name__})")
        return
    raise Failure(f"{why}: a produce succeeded")


def commands(broker_path):
    with MockBroker(broker_path, "--commands", "--topic", f"{TOPIC}:1") as broker:
        plain = producer(broker, retries=0)
        try:
            produce(plain, b"before")
            ok("produce before any fault")

            expect_answer(broker, "down 1")
            expect_produce_fails(plain, b"while down", "down 1")
            expect_answer(broker, "up 1")
            produce(plain, b"after up", timeout=WORK_WAIT_S)
            ok("up 1: produce works again")

            expect_answer(broker, "error produce NOT_LEADER_FOR_PARTITION")
            try:
                produce(plain, b"not leader, no retries")
                raise Failure(
                    "error produce NOT_LEADER_FOR_PARTITION: a produce without retries worked"
                )
            except NotLeaderForPartitionError:
                ok("error produce NOT_LEADER_FOR_PARTITION: seen without retries")
            retrying = producer(broker, retries=5)
            try:
                produce(retrying, b"warm-up")  # connected and with metadata before the error
                expect_answer(broker, "error Produce not_leader_or_follower")
                produce(retrying, b"not leader, retried")
                produce(plain, b"the error was used up")
                ok("error Produce not_leader_or_follower: retried transparently")
            finally:
                retrying.close(timeout=5)

            rtt_ms = 600
            expect_answer(broker, f"rtt all {rtt_ms}")
            took = produce(plain, b"slow")
            if took < rtt_ms / 1000:
                raise Failure(f"rtt all {rtt_ms}: a produce took {took:.3f} s")
            expect_answer(broker, "rtt 1 0")
            took_after = produce(plain, b"fast again")
            if took_after >= rtt_ms / 1000:
                raise Failure(f"rtt 1 0: a produce still took {took_after:.3f} s")
            ok(f"rtt: {took:.3f} s with {rtt_ms} ms, {took_after:.3f} s without")

            for command, answer in [
                ("down 2", "error: down: broker '2'"),
                ("error produce NO_SUCH_ERROR", "error: error command: unknown error code"),
                ("error no_such_api 6", "error: error command: unknown API"),
                ("rtt 1", "error: expected 'rtt ID MS'"),
                ("topic faults 1", "error: mock cluster: create topic faults"),
                ("jump", "error: unknown command 'jump'"),
            ]:
                expect_answer(broker, command, answer)
            expect_answer(broker, "topic created-later 3")
            produce(plain, b"still serving")
            ok("bad commands answered with errors; the broker keeps serving")
        finally:
            plain.close(timeout=5)

        expect_answer(broker, "quit")
        status = broker.wait()
        if status != 0:
            raise Failure(f"quit: exit status {status}")
        ok("quit: exit status 0")


def options(broker_path):
    rtt_ms = 300
    down_after_s = 3
    with MockBroker(
        broker_path,
        "--topic", f"{TOPIC}:1",
        "--rtt-ms", str(rtt_ms),
        "--broker-down-after", f"{down_after_s}:1",
    ) as broker:
        start = time.monotonic()
        p = producer(broker, retries=0)
        try:
            produce(p, b"first")
            took = produce(p, b"second")
            if took < rtt_ms / 1000:
                raise Failure(f"--rtt-ms {rtt_ms}: a produce took {took:.3f} s")
            ok(f"--rtt-ms {rtt_ms}: a produce took {took:.3f} s")
            if time.monotonic() - start >= down_after_s:
                raise Failure("too slow to produce before --broker-down-after took effect")
            broker.wait_event("event: broker 1 down", timeout=down_after_s + 5)
            ok(f"--broker-down-after {down_after_s}:1: announced after "
               f"{time.monotonic() - start:.1f} s")
            expect_produce_fails(p, b"after the event", "--broker-down-after")
        finally:
            # Its last record can never be delivered: do not wait for it.
            p.close(timeout=0)


def main():
    tests = {"commands": commands, "options": options}
    if len(sys.argv) != 3 or sys.argv[2] not in tests:
        print(__doc__, file=sys.stderr)
        return 2
    # kafka-python logs every refused reconnection at ERROR: expected here, and noise.
    logging.basicConfig(level=logging.CRITICAL)
    try:
        tests[sys.argv[2]](sys.argv[1])
    except Failure as e:
        print(f"FAILED: {NAME}: {e}", file=sys.stderr)
        return 1
    print(f"{NAME}: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
