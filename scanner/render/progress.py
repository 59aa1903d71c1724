"""A progress line on standard error while a scan runs: units done, APIs read, calls made, throttling and other
retries, calls skipped, the service that kept the scan waiting longest, and why it is stopping."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from ..collect.calls import CallLog


class Progress:
    """Drawn only on a terminal; `--quiet` or a pipe gets nothing."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = self.done = self.apis = 0
        self.logs: list[CallLog] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, units: int, logs: list[CallLog]) -> None:
        self.total, self.logs = units, logs
        if self.enabled:
            self._thread = threading.Thread(target=self._refresh, daemon=True)
            self._thread.start()

    def api_done(self) -> None:
        with self._lock:
            self.apis += 1

    def unit_done(self) -> None:
        with self._lock:
            self.done += 1

    def line(self) -> str:
        width = 24
        filled = width * self.done // self.total if self.total else width
        calls = sum(log.total for log in self.logs)
        throttled = sum(log.throttled for log in self.logs)
        retried = sum(log.retried for log in self.logs)
        skipped = sum(sum(log.breaker.skipped.values()) + log.not_made for log in self.logs)
        waits: dict[str, float] = {}
        for log in self.logs:
            for service, seconds in list(log.busiest.items()):
                waits[service] = waits.get(service, 0.0) + seconds
        slowest = max(waits.items(), key=lambda item: item[1], default=None)
        stopping = next((log.faults.reason for log in self.logs if log.faults.stopping), None)
        return (f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} account×region  "
                f"APIs {self.apis}  calls {calls}  throttled {throttled}  retried {retried}  skipped {skipped}"
                + (f"  slowest {slowest[0]} {slowest[1]:.0f} s" if slowest and slowest[1] >= 1 else "")
                + (f"  stopping: {stopping}" if stopping else ""))

    def _refresh(self) -> None:
        while not self._stop.wait(0.2):
            self.stream.write("\r" + self.line())
            self.stream.flush()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self.stream.write("\r" + self.line() + "\n")
            self.stream.flush()
