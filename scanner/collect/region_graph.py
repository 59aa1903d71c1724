"""One region of an account as a graph of reads: each read starts as soon as the reads it needs are in, and the
region's part of the snapshot is assembled when the last one is."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from functools import partial
from typing import Any, Protocol

from ..arns import referenced_pools
from .domains import read_domains
from .http_apis import list_http_apis, read_http_api
from .reader import Reader
from .reads import follow, gather, resolved
from .rest_apis import list_rest_apis, read_rest_api
from .stacks import attach_stack_sources, read_stacks, stack_source, stacks_named
from .traffic import collect_traffic
from .usage_plans import needs_usage, read_usage
from .user_pools import list_pool_ids, read_user_pool

Record = dict[str, Any]


class Account(Protocol):
    """What a region's reads tell, and ask of, the account they belong to (account.AccountCollector)."""

    account: str
    partition: str
    api_filter: list[str] | None
    traffic_days: int | None

    def on_api(self) -> None: ...  # an API was read in full (progress)

    def named(self, api: Record) -> None: ...  # an API's authorizers and stages were read

    def described(self, user_pool: Record) -> None: ...  # a user pool was described

    def has_api(self) -> None: ...  # the account has an API to audit

    def offers_cognito(self, region: str) -> bool: ...


def start_region(account: Account, reader: Reader) -> Future[Record]:
    """The region's part of the account's snapshot: its APIs (those --api selects), user pools, usage plans, custom
    domains, traffic and stack sources."""
    reads, region = reader.reads, reader.region
    clients, log = reader.clients, reader.log
    notes: list[str] = []
    rest_listing = reader.run("apigateway", "get_rest_apis", partial(list_rest_apis, clients, log, region))
    http_listing = reader.run("apigatewayv2", "get_apis", partial(list_http_apis, clients, log, region))
    if account.offers_cognito(region):
        pools = _RegionPools(account, reader, reader.run("cognito-idp", "list_user_pools",
                                                         partial(list_pool_ids, clients, log, region)))
    else:
        notes.append(f"{region}: Amazon Cognito is not offered in this region; no user pools to audit there")
        pools = _RegionPools(account, reader, resolved([]))

    def selected(listed: list[Record] | None, id_key: str, name_key: str) -> list[Record]:
        """The listed APIs that --api selects, in the listing's order."""
        return [api for api in listed or [] if not account.api_filter or api[id_key] in account.api_filter
                or api.get(name_key) in account.api_filter]

    def named(api: Record) -> None:
        account.named(api)
        pools.named(api)

    def read_in_full(record: Future[Record]) -> Future[Record]:
        def told(done: Record) -> Record:
            account.on_api()
            return done
        return reads.then([record], told)

    def resources_of(api_id: str, resources: Future[list[Record] | None]) -> Future[Record]:
        return reads.then([resources], lambda found: {"id": api_id, "resources": found})

    def rest(listed: list[Record] | None) -> tuple[Future[list[Record]], Future[list[Record]]]:
        """(the selected REST APIs read in full, each one's resources as soon as they are read)."""
        apis = selected(listed, "id", "name")
        if apis:
            account.has_api()
        started = [(api["id"], read_rest_api(reader, api, named)) for api in apis]
        return (gather(reads, [read_in_full(record) for _, (record, _) in started]),
                gather(reads, [resources_of(api_id, resources) for api_id, (_, resources) in started]))

    def http(listed: list[Record] | None) -> Future[list[Record]]:
        apis = selected(listed, "ApiId", "Name")
        if apis:
            account.has_api()
        return gather(reads, [read_in_full(read_http_api(reader, api, named)) for api in apis])

    rest_started = reads.then([rest_listing], rest)
    rest_apis = reads.chain([rest_started], lambda started: started[0])
    http_apis = reads.chain([http_listing], http)
    chosen = pools.chosen([rest_apis, http_apis])
    pool_records = reads.chain([chosen], lambda ids: reads.then([pools.read(pool_id)[1] for pool_id in ids or []],
                                                                lambda *read: (ids, list(read))))
    described = reads.chain([chosen], lambda ids: gather(reads, [pools.read(pool_id)[0] for pool_id in ids or []]))

    # What the region adds around its APIs: each read as soon as what decides it is in, and only where it can
    # matter — usage plans when a method requires a key, custom domains and traffic when the region has an API.
    def usage(resources: list[Record]) -> Future[Any]:
        key_apis = needs_usage(resources)
        return read_usage(reader, key_apis) if key_apis else resolved(None)

    def domains(listed: list[Record] | None, listed_http: list[Record] | None) -> Future[Any]:
        if not (listed or listed_http):
            return resolved(None)
        listed_ids = None if listed is None or listed_http is None else \
            sorted([str(api["id"]) for api in listed] + [str(api["ApiId"]) for api in listed_http])
        return read_domains(reader, listed_ids)

    def traffic(listed: list[Record] | None, rest_records: list[Record],
                http_records: list[Record]) -> Future[Any]:
        if not (account.traffic_days and (rest_records or http_records)):
            return resolved(None)
        return reader.run("cloudwatch", "get_metric_data", partial(
            collect_traffic, clients, log, region, rest_records, http_records, listed, account.traffic_days))

    def stacks(listed: list[Record] | None, listed_http: list[Record] | None,
               user_pools: list[Record]) -> Future[Any]:
        # The stacks that tag the region's APIs (known from the listings) and pools (from their descriptions).
        sources = [stack_source(api.get("tags")) for api in selected(listed, "id", "name")] + \
                  [stack_source(api.get("Tags")) for api in selected(listed_http, "ApiId", "Name")] + \
                  [user_pool.get("source") for user_pool in user_pools]
        return read_stacks(reader, stacks_named(sources))

    def part(listed: list[Record] | None, listed_http: list[Record] | None, rest_records: list[Record],
             http_records: list[Record], region_pools: tuple[list[str] | None, list[Record]], usage: Record | None,
             domains: Record | None, traffic: Record | None, stack_reads: Any) -> Record:
        pool_ids, user_pools = region_pools
        found = notes + attach_stack_sources(region, stack_reads, rest_records, http_records, user_pools)
        if traffic:
            found += [traffic["message"]] if traffic.get("message") else []
            found += [f"{region}: no traffic for {key.split('/', 1)[1]}: {why}"
                      for key, why in traffic["skipped"].items()]
        return {
            "region": region,
            "rest_apis": rest_records,
            "http_apis": http_records,
            "apis_listed": [f"{api.get('name')} ({api['id']}, {region})" for api in listed or []]
            + [f"{api.get('Name')} ({api['ApiId']}, {region}, HTTP)" for api in listed_http or []],
            "user_pools": [user_pool for user_pool in user_pools if user_pool["status"] != "not-found"],
            "pool_listing": {"complete": pool_ids is not None},
            "notes": found,
            "usage": usage,
            "domains": domains,
            "traffic": traffic,
        }

    return reads.then([
        rest_listing, http_listing, rest_apis, http_apis, pool_records,
        reads.chain([reads.chain([rest_started], lambda started: started[1])], usage),
        reads.chain([rest_listing, http_listing], domains),
        reads.chain([rest_listing, rest_apis, http_apis], traffic),
        reads.chain([rest_listing, http_listing, described], stacks),
    ], part)


class _RegionPools:
    """The region's user pools: each read as soon as the region's listing has it — with --api, as soon as an API of
    the region that --api selects names it too (a filtered scan audits the pools its APIs use)."""

    def __init__(self, account: Account, reader: Reader, listing: Future[list[str] | None]) -> None:
        self.account, self.reader, self.listing = account, reader, listing
        self.listed: list[str] | None = None
        self.known = False  # whether the listing is in
        self.wanted: set[str] = set()
        self.started: dict[str, tuple[Future[Record], Future[Record]]] = {}  # id: (described, read in full)
        self.lock = threading.Lock()
        listing.add_done_callback(self._arrived)

    def _arrived(self, listing: Future[list[str] | None]) -> None:
        with self.lock:
            self.listed, self.known = listing.result(), True
            ready = [pool_id for pool_id in self.listed or [] if not self.account.api_filter or pool_id in self.wanted]
        for pool_id in ready:
            self.read(pool_id)

    def named(self, api: Record) -> None:
        """With --api: the pools of this region that an API names are wanted."""
        if not self.account.api_filter:
            return
        account, region = self.account.account, self.reader.region
        names = {parsed.pool_id for parsed in referenced_pools(api, account)
                 if parsed.region == region and parsed.account == account}
        with self.lock:
            self.wanted |= names
            ready = [pool_id for pool_id in self.listed or [] if pool_id in names] if self.known else []
        for pool_id in ready:
            self.read(pool_id)

    def chosen(self, apis: list[Future[list[Record]]]) -> Future[list[str] | None]:
        """The pools the region reads, in the listing's order (None: not listed), once the listing is in and every
        API has named its pools."""
        def decide(listed: list[str] | None, *_: Any) -> list[str] | None:
            with self.lock:
                wanted = set(self.wanted)
            return None if listed is None else [pool_id for pool_id in listed
                                                if not self.account.api_filter or pool_id in wanted]

        return self.reader.reads.then([self.listing, *apis], decide)

    def read(self, pool_id: str) -> tuple[Future[Record], Future[Record]]:
        """(the pool described, the pool read in full), started on first asking."""
        with self.lock:
            found = self.started.get(pool_id)
            if found is not None:
                return found
            described: Future[Record] = Future()
            record: Future[Record] = Future()
            self.started[pool_id] = (described, record)

        def told(user_pool: Record) -> None:
            self.account.described(user_pool)
            described.set_result(user_pool)

        def done(read: Future[Record]) -> None:
            if described.done():
                return
            if read.exception() is not None:
                described.set_exception(read.exception())
            else:  # a pool that could not be described is told here, whole
                described.set_result(read.result())

        read = read_user_pool(self.reader, self.account.account, self.account.partition, pool_id, told)
        read.add_done_callback(done)
        follow(read, record)
        return described, record
