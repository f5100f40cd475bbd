"""kflow-mock-broker as a context manager, for interoperability tests written in Python.

    with MockBroker(path, "--brokers", "3", "--topic", "orders:6:3") as broker:
        client(bootstrap_servers=broker.bootstrap.split(","))

The broker is stopped (SIGTERM, then SIGKILL if it does not exit) however the block ends.

Started with "--commands", it takes commands on its standard input:

    with MockBroker(path, "--commands") as broker:
        assert broker.command("down 1") == "ok"
        broker.wait_event("event: broker 1 down")  # with --broker-down-after
        assert broker.command("quit") == "ok" and broker.wait() == 0
"""

import queue
import selectors
import subprocess
import tempfile
import threading
import time

START_DEADLINE_S = 10
STOP_DEADLINE_S = 10
ANSWER_DEADLINE_S = 10


class MockBroker:
    def __init__(self, path, *args):
        self.path = path
        self.args = args
        self.bootstrap = None
        self._process = None
        self._stderr = None
        self._lines = queue.Queue()  # standard output after the bootstrap line; None at its end
        self.events = []  # the "event: " lines seen so far
        self._reader = None

    def __enter__(self):
        self._stderr = tempfile.TemporaryFile()
        # Without --commands the broker's standard input stays what it was, as for any caller
        # before the commands existed.
        stdin = subprocess.PIPE if "--commands" in self.args else None
        self._process = subprocess.Popen(
            [self.path, *self.args], stdin=stdin, stdout=subprocess.PIPE, stderr=self._stderr
        )
        try:
            line = self._first_line()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        if not line.startswith("bootstrap="):
            self.__exit__(None, None, None)
            raise RuntimeError(f"unexpected first line from kflow-mock-broker: {line!r}")
        self.bootstrap = line[len("bootstrap="):]
        # The rest of standard output (answers and events) is read as it comes, so that every
        # wait below has a deadline.
        self._reader = threading.Thread(target=self._read_lines, daemon=True)
        self._reader.start()
        return self

    def _read_lines(self):
        for raw in self._process.stdout:
            self._lines.put(raw.decode().rstrip("\n"))
        self._lines.put(None)

    def _next_line(self, deadline, what):
        try:
            line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise RuntimeError(
                f"kflow-mock-broker: no {what} in time{self._stderr_text()}"
            ) from None
        if line is None:
            self._lines.put(None)  # stays at the end for any later wait
            raise RuntimeError(f"kflow-mock-broker ended before {what}{self._stderr_text()}")
        return line

    def command(self, line, timeout=ANSWER_DEADLINE_S):
        """Sends one command (needs "--commands"); returns its answer, "ok" or "error: ..."."""
        if self._process.stdin is None:
            raise RuntimeError('MockBroker.command needs the broker started with "--commands"')
        self._process.stdin.write((line + "\n").encode())
        self._process.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            answer = self._next_line(deadline, f"answer to {line!r}")
            if not answer.startswith("event: "):
                return answer
            self.events.append(answer)

    def wait_event(self, event, timeout=ANSWER_DEADLINE_S):
        """Waits for the line `event` (e.g. "event: broker 1 down"), or raises at the deadline."""
        deadline = time.monotonic() + timeout
        while event not in self.events:
            line = self._next_line(deadline, repr(event))
            if line.startswith("event: "):
                self.events.append(line)

    def wait(self, timeout=STOP_DEADLINE_S):
        """The broker's exit status, once it exits by itself (after "quit")."""
        return self._process.wait(timeout=timeout)

    def _first_line(self):
        # Wait for the line itself, with a deadline, rather than sleeping and looking.
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout=START_DEADLINE_S):
                raise RuntimeError(
                    f"kflow-mock-broker printed no bootstrap line within {START_DEADLINE_S} s"
                    f"{self._stderr_text()}"
                )
        line = self._process.stdout.readline().decode().strip()
        if not line:
            raise RuntimeError(f"kflow-mock-broker exited at start{self._stderr_text()}")
        return line

    def _stderr_text(self):
        self._stderr.seek(0)
        text = self._stderr.read().decode(errors="replace").strip()
        return f": {text}" if text else ""

    def __exit__(self, *exc):
        if self._process is not None and self._process.stdin is not None:
            try:
                self._process.stdin.close()
            except OSError:
                pass  # the broker has gone: nothing left to tell it
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process is not None:
            # The broker has exited, so its output ends and the reader with it: only then may
            # the pipe be closed (closing it under a reading thread can block).
            if self._reader is not None:
                self._reader.join(timeout=STOP_DEADLINE_S)
            if self._reader is None or not self._reader.is_alive():
                self._process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
        return False
