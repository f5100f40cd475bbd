"""kflow-mock-broker as a context manager, for interoperability tests written in Python.

    with MockBroker(path, "--brokers", "3", "--topic", "orders:6:3") as broker:
        client(bootstrap_servers=broker.bootstrap.split(","))

The broker is stopped (SIGTERM, then SIGKILL if it does not exit) however the block ends.
"""

import selectors
import subprocess
import tempfile

START_DEADLINE_S = 10
STOP_DEADLINE_S = 10


class MockBroker:
    def __init__(self, path, *args):
        self.path = path
        self.args = args
        self.bootstrap = None
        self._process = None
        self._stderr = None

    def __enter__(self):
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [self.path, *self.args], stdout=subprocess.PIPE, stderr=self._stderr
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
        return self

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
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process is not None:
            self._process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
        return False
