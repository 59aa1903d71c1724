"""How often Python's cyclic garbage collector runs while a scan collects."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Container objects allocated (net) between two young-generation collections: 700 by default.
YOUNG_THRESHOLD = 50_000
_depth = [0]  # blocks open now (a scan's block may hold a collection's): the outermost sets and restores
_lock = threading.Lock()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The collector walks the live objects each time 700 more have been allocated, and now and then walks them all.
    A scan allocates a great deal that reference counting frees at once (each botocore client alone is thousands of
    objects; requests, answers), and with those thresholds about half the CPU time of making a client went to walks
    over the clients made before. While the block runs, what already exists is frozen (never walked again) and
    collections are rarer; the garbage cycles they would have found wait a little longer. The judging that follows a
    collection walks its snapshot's objects otherwise: a scan runs both inside the block."""
    with _lock:
        _depth[0] += 1
        outermost = _depth[0] == 1
        thresholds = gc.get_threshold()
        if outermost:
            gc.freeze()
            gc.set_threshold(YOUNG_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        with _lock:
            _depth[0] -= 1
            if outermost:
                gc.set_threshold(*thresholds)
                gc.unfreeze()
