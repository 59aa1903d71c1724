"""Runs a scan's reads as soon as the reads each one needs are done: a few threads per quota bucket, no phase waits
for another, and a read asked for twice is made once."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
LANE_THREADS = 8  # reads of one quota bucket in flight at once; the bucket, not the threads, sets the pace
Lane = tuple[str, ...]  # (region, quota name[, user pool]): reads that wait on the same bucket share a lane


@dataclass(frozen=True, order=True)
class Path:
    """The longest chain of dependent reads behind a result: its seconds (each read's own time, waits for a quota
    token included, waits for a free thread not) and its length in reads."""

    seconds: float = 0.0
    reads: int = 0


_behind = threading.local()  # .path: the chain behind the code this thread runs now


class Reads:
    """Reads started now (`run`, `once`) or when others are done (`then`, `chain`). Each lane runs its reads on up
    to `threads` threads that exist only while it has work, so a bucket that makes its reads wait holds back only
    reads of that bucket. `threads=0` makes every read at once in the caller's thread, in the order asked: the same
    reads, one at a time (a Stubber's fixed order, a template's few lookups)."""

    def __init__(self, threads: int = LANE_THREADS) -> None:
        self.threads = threads
        self.critical: dict[str, Path] = {}  # per region (a lane's first part): its longest chain of reads
        self._lanes: dict[Lane, _Lane] = {}
        self._once: dict[Hashable, Future[Any]] = {}
        self._lock = threading.Lock()

    def run(self, lane: Lane, read: Callable[..., T], *args: Any, threads: int | None = None) -> Future[T]:
        """`read(*args)` on `lane` (`threads`: that lane's own limit)."""
        future: Future[T] = Future()
        behind = _now()

        def timed() -> T:
            started = time.monotonic()
            try:
                return read(*args)
            finally:
                path = Path(behind.seconds + time.monotonic() - started, behind.reads + 1)
                future.path = path  # type: ignore[attr-defined]
                with self._lock:
                    self.critical[lane[0]] = max(self.critical.get(lane[0], path), path)

        if not self.threads:
            _settle(future, timed)
            return future
        with self._lock:
            worker = self._lanes.get(lane)
            if worker is None:
                worker = self._lanes[lane] = _Lane(min(threads or self.threads, self.threads))
        worker.submit(future, timed)
        return future

    def once(self, key: Hashable, start: Callable[[], Future[T]]) -> Future[T]:
        """`start()` (which starts reads and returns the future of their result), unless it was called before with
        the same key: then that first future. A read asked for twice is made once."""
        with self._lock:
            found = self._once.get(key)
            if found is not None:
                return found
            placeholder: Future[T] = Future()
            self._once[key] = placeholder
        follow(start(), placeholder)
        return placeholder

    def then(self, needs: Sequence[Future[Any]], step: Callable[..., T]) -> Future[T]:
        """`step(*results of needs)` once every need is done, in the thread that finished the last one: a step only
        decides and assembles (it starts reads with `run`, never waits for one). A failed need fails the result."""
        return self.chain(needs, lambda *results: resolved(step(*results)))

    def chain(self, needs: Sequence[Future[Any]], step: Callable[..., Future[T]]) -> Future[T]:
        """Like `then`, for a step that starts reads: the result is that of the future the step returns."""
        result: Future[T] = Future()
        remaining = [len(needs)]
        lock = threading.Lock()

        def ready(_: Future[Any] | None = None) -> None:
            with lock:
                remaining[0] -= 1
                if remaining[0] > 0:
                    return
            outer = _now()
            _behind.path = max([_path(need) for need in needs], default=outer)
            try:
                follow(step(*[need.result() for need in needs]), result)
            except BaseException as error:  # noqa: BLE001 - a bug in a step fails the scan, as it would inline
                result.set_exception(error)
            finally:
                _behind.path = outer

        if not needs:
            remaining[0] = 1
            ready()
        for need in needs:
            need.add_done_callback(ready)
        return result


def resolved(value: T) -> Future[T]:
    """A future that is already done, with `value` (behind it, the chain behind the code that makes it)."""
    future: Future[T] = Future()
    future.path = _now()  # type: ignore[attr-defined]
    future.set_result(value)
    return future


def gather(reads: Reads, futures: Sequence[Future[T]]) -> Future[list[T]]:
    """The results of `futures`, in their order, once all are done."""
    return reads.then(futures, lambda *results: list(results))


class _Lane:
    """A queue of reads and up to `limit` threads working it; a thread ends when the queue is empty."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.queue: deque[tuple[Future[Any], Callable[[], Any]]] = deque()
        self.workers = 0
        self.lock = threading.Lock()

    def submit(self, future: Future[Any], read: Callable[[], Any]) -> None:
        with self.lock:
            self.queue.append((future, read))
            start = self.workers < self.limit
            if start:
                self.workers += 1
        if start:
            threading.Thread(target=self._work, name="apigw-scan-read", daemon=True).start()

    def _work(self) -> None:
        while True:
            with self.lock:
                if not self.queue:
                    self.workers -= 1
                    return
                future, read = self.queue.popleft()
            _settle(future, read)


def _settle(future: Future[T], read: Callable[[], T]) -> None:
    """Runs the read and settles its future; what that future's callbacks start has the read's chain behind it."""
    outer = _now()
    try:
        value = read()
    except BaseException as error:  # noqa: BLE001 - handed to whoever waits for the read
        _behind.path = _path(future)
        future.set_exception(error)
    else:
        _behind.path = _path(future)
        future.set_result(value)
    finally:
        _behind.path = outer


def _now() -> Path:
    return getattr(_behind, "path", None) or Path()


def _path(future: Future[Any]) -> Path:
    return getattr(future, "path", None) or Path()


def follow(source: Future[T], target: Future[T]) -> None:
    """`target` gets `source`'s result or exception when `source` is done."""
    def copy(done: Future[T]) -> None:
        target.path = _path(done)  # type: ignore[attr-defined]
        error = done.exception()
        if error is not None:
            target.set_exception(error)
        else:
            target.set_result(done.result())
    source.add_done_callback(copy)
