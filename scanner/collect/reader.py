"""One region's calls as reads of the scheduler: each started on the lane of the quota bucket it takes from."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

from .calls import CallLog, Outcome
from .pacing import bucket_of
from .reads import Lane, Reads
from .session import Clients

T = TypeVar("T")


@dataclass(frozen=True)
class Reader:
    """The scheduler, clients and call log of one account, in one region."""

    reads: Reads
    clients: Clients
    log: CallLog
    region: str

    def call(self, service: str, method: str, *, lane: Lane | None = None, threads: int | None = None,
             **params: Any) -> Future[Outcome]:
        """`CallLog.call` on `service`'s client in the region, as a read (`lane`: other than its bucket's)."""
        return self.run(service, method, lambda: self.log.call(self.client(service), method, region=self.region,
                                                               **params), lane=lane, threads=threads)

    def paginate(self, service: str, method: str, result_key: str, **params: Any) -> Future[Outcome]:
        """`CallLog.paginate` on `service`'s client in the region, as a read."""
        return self.run(service, method, lambda: self.log.paginate(self.client(service), method, result_key,
                                                                   region=self.region, **params))

    def run(self, service: str, method: str, read: Callable[[], T], *, lane: Lane | None = None,
            threads: int | None = None) -> Future[T]:
        """`read()` (calls of `service`'s `method`, a botocore method name) on the lane of their bucket."""
        operation = "".join(part.capitalize() for part in method.split("_"))
        return self.reads.run(lane or bucket_of(service, operation, self.region), read, threads=threads)

    def client(self, service: str) -> Any:
        return self.clients.get(service, self.region)

    def elsewhere(self, region: str) -> Reader:
        """The same account's reads in another region."""
        return replace(self, region=region)

    def bound(self, function: Callable[..., T], *args: Any) -> Callable[[], T]:
        """`function(clients, log, region, *args)`: a whole collector as one read."""
        return partial(function, self.clients, self.log, self.region, *args)
