"""Stops a scan cleanly: at its --deadline, or on SIGTERM/SIGINT (a second signal exits at once)."""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import UsageError
from .faults import Faults

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smh]?)")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600}


def parse_duration(text: str, option: str) -> float:
    """`90s`, `20m`, `2h` (or plain seconds) as seconds."""
    found = _DURATION.fullmatch(text.strip().lower())
    if not found or float(found[1]) <= 0:
        raise UsageError(f"{option} {text}: expected a duration such as 90s, 20m or 2h")
    return float(found[1]) * _UNIT_SECONDS[found[2]]


@contextmanager
def stop_on(faults: Faults, deadline: float | None, deadline_text: str | None = None) -> Iterator[None]:
    """While the block runs: the deadline and the first SIGTERM or SIGINT make `faults` stop the scan (no new
    call; what was collected is judged and written); a second signal ends the process at once."""
    timer = None
    if deadline is not None:
        timer = threading.Timer(deadline, faults.stop, (f"its --deadline {deadline_text or deadline} was reached",))
        timer.daemon = True
        timer.start()
    previous: dict[int, Any] = {}

    def on_signal(number: int, _: Any) -> None:
        if faults.stopping:
            os._exit(128 + number)  # a second signal: at once, leaving any earlier output file as it was
        faults.stop(f"{signal.Signals(number).name} was received")

    if threading.current_thread() is threading.main_thread():
        for stopping_signal in (signal.SIGTERM, signal.SIGINT):
            previous[stopping_signal] = signal.signal(stopping_signal, on_signal)
    try:
        yield
    finally:
        if timer is not None:
            timer.cancel()
        for signal_number, handler in previous.items():
            signal.signal(signal_number, handler)
