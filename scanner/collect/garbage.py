"""How often Python's cyclic garbage collector runs while a scan collects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Container objects allocated (net) between two young-generation collections: 700 by default.
YOUNG_THRESHOLD = 50_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The collector walks the live objects each time 700 more have been allocated, and now and then walks them all.
    A scan allocates a great deal that reference counting frees at once (each botocore client alone is thousands of
    objects; requests, answers), and with those thresholds about half the CPU time of making a client went to walks
    over the clients made before. While the block runs, what already exists is frozen (never walked again) and
    collections are rarer; the garbage cycles they would have found wait a little longer."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
