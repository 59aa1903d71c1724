"""A progress line on standard error while a scan runs: units done, APIs read, calls made, throttling and other
retries, calls skipped, the service that kept the scan waiting longest, and why it is stopping."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TextIO

from ..collect.calls import CallLog
from .width import is_terminal

PROGRESS_CHOICES = ("auto", "bar", "plain", "none")
PLAIN_EVERY = 10.0  # seconds between two plain lines
_REDRAW_EVERY = 0.2


def progress_mode(choice: str, quiet: bool, stream: TextIO | None = None) -> str:
    """--progress: auto is a bar on a terminal, plain lines in CI (CI=true, as GitHub, GitLab and most runners set),
    else nothing, so a pipe stays clean; --quiet is nothing unless a mode is asked for by name."""
    if choice != "auto":
        return choice
    if quiet:
        return "none"
    if is_terminal(stream or sys.stderr):
        return "bar"
    return "plain" if os.environ.get("CI", "").lower() in ("true", "1", "yes") else "none"


class Progress:
    """A bar redrawn on a terminal, a plain line every few seconds for logs, or nothing."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None, mode: str | None = None,
                 every: float = PLAIN_EVERY) -> None:
        self.stream = stream or sys.stderr
        if mode is None:
            mode = ("bar" if enabled else "none") if enabled is not None else progress_mode("auto", False, self.stream)
        self.mode = mode
        self.enabled = mode != "none"
        self.every = every
        self.started = time.monotonic()
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
        return f"[{'#' * filled}{'.' * (width - filled)}] " + self.counts()

    def counts(self) -> str:
        """Units done, APIs, calls, throttled, retried, skipped, the slowest service and why it is stopping."""
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
        return (f"{self.done}/{self.total} account×region  "
                f"APIs {self.apis}  calls {calls}  throttled {throttled}  retried {retried}  skipped {skipped}"
                + (f"  slowest {slowest[0]} {slowest[1]:.0f} s" if slowest and slowest[1] >= 1 else "")
                + (f"  stopping: {stopping}" if stopping else ""))

    def plain_line(self) -> str:
        """One line for a log: no bar, no carriage return, the time since the start."""
        elapsed = int(time.monotonic() - self.started)
        return f"apigw-scan: {elapsed // 60}m{elapsed % 60:02d}s {self.counts()}".rstrip()

    def _refresh(self) -> None:
        if self.mode == "plain":
            while not self._stop.wait(self.every):
                self._write(self.plain_line() + "\n")
            return
        while not self._stop.wait(_REDRAW_EVERY):
            self._write("\r" + self.line())

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # standard error closed: the scan goes on without progress
            self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._write(self.plain_line() + " (done)\n" if self.mode == "plain" else "\r" + self.line() + "\n")
