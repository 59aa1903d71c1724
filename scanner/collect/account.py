"""Collects one account's regions into a snapshot: plain data, no secrets, with every call that failed."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3

from ..arns import referenced_pools
from ..schema.snapshot import SCHEMA
from ..traffic_window import TRAFFIC_DAYS
from .calls import CallLog
from .cloudfront import PARTITIONS_WITH_CLOUDFRONT, collect_cloudfront
from .domains import collect_domains
from .functions import collect_function
from .http_apis import collect_http_api, list_http_apis
from .referenced import authorizer_functions, authorizer_roles, trigger_functions
from .rest_apis import collect_rest_api, list_rest_apis
from .roles import collect_role
from .session import Clients
from .stacks import attach_stack_sources
from .traffic import collect_traffic
from .usage_plans import collect_usage, needs_usage
from .user_pools import collect_user_pool, list_pool_ids

FUNCTION_READS = 8  # Lambda functions and IAM roles read at once (Lambda allows 15 control-plane reads a second)
API_READS = 8  # APIs (and user pools) of one region read at once; the request-rate buckets set the pace


def collect_account(session: boto3.Session, regions: list[str], api_filter: list[str] | None = None,
                    call_log: CallLog | None = None, traffic_days: int | None = TRAFFIC_DAYS) -> dict[str, Any]:
    """Everything the rules need from `regions` of the session's account, as a JSON-ready snapshot (with the
    traffic of the last `traffic_days` days; None: without traffic)."""
    clients = Clients(session, call_log or CallLog())
    collector = AccountCollector(clients, clients.account_id(regions[0]),
                                 session.get_partition_for_region(regions[0]), api_filter, traffic_days=traffic_days)
    with ThreadPoolExecutor(max_workers=min(8, len(regions))) as pool:
        parts = list(pool.map(collector.region, regions))
    return collector.finish(parts)


class AccountCollector:
    """Collects one account: each region on its own (a unit of work), then what spans regions."""

    def __init__(self, clients: Clients, account: str, partition: str, api_filter: list[str] | None,
                 on_api: Callable[[], None] | None = None, traffic_days: int | None = TRAFFIC_DAYS) -> None:
        self.clients, self.log = clients, clients.call_log
        self.account, self.partition, self.api_filter = account, partition, api_filter
        self.on_api = on_api or (lambda: None)
        self.traffic_days = traffic_days

    def region(self, region: str) -> dict[str, Any]:
        return _collect_region(self.clients, self.log, region, self.account, self.partition, self.api_filter,
                               self.on_api, self.traffic_days)

    def finish(self, parts: list[dict[str, Any]], notes: list[str] | None = None) -> dict[str, Any]:
        """The account's snapshot from its regions' parts: referenced pools elsewhere, Lambda functions."""
        snapshot: dict[str, Any] = {
            "schema": SCHEMA, "account": self.account, "partition": self.partition,
            "regions": [part["region"] for part in parts],
            "rest_apis": [api for part in parts for api in part["rest_apis"]],
            "http_apis": [api for part in parts for api in part["http_apis"]],
            "apis_listed": [name for part in parts for name in part["apis_listed"]],
            "user_pools": [user_pool for part in parts for user_pool in part["user_pools"]],
            "pool_listings": {part["region"]: part["pool_listing"] for part in parts},
            "functions": {}, "notes": list(notes or []) + [note for part in parts for note in part["notes"]],
            "usage": {part["region"]: part["usage"] for part in parts if part.get("usage") is not None},
            "domains": {part["region"]: part["domains"] for part in parts if part.get("domains") is not None},
            "traffic": {part["region"]: part["traffic"] for part in parts if part.get("traffic") is not None},
        }
        snapshot["cloudfront"] = self._cloudfront(snapshot)
        _collectreferenced_pools(self.clients, self.log, snapshot)
        # Functions and roles are independent reads, each a call or two: read side by side, so a slow Lambda or
        # IAM endpoint costs its latency once, not once per function.
        functions = sorted(trigger_functions(snapshot) | authorizer_functions(snapshot))
        roles = sorted(authorizer_roles(snapshot))
        with ThreadPoolExecutor(max_workers=FUNCTION_READS) as reads:
            read_functions = reads.map(lambda arn: collect_function(self.clients, self.log, self.account, arn),
                                       functions)
            read_roles = reads.map(lambda arn: collect_role(self.clients, self.log, self.account, arn), roles)
            snapshot["functions"] = dict(zip(functions, read_functions, strict=True))
            snapshot["roles"] = dict(zip(roles, read_roles, strict=True))
        snapshot["notes"] += self.log.fault_notes()
        snapshot["errors"] = [{"account": self.account, **error} for error in self.log.errors]
        snapshot["calls"] = dict(sorted(self.log.counts.items()))
        return snapshot


    def _cloudfront(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        """CloudFront is global: read once per account, and only when the account has APIs to put behind it."""
        api_ids = {str(api["id"]) for api in snapshot["rest_apis"] + snapshot["http_apis"]}
        if self.partition not in PARTITIONS_WITH_CLOUDFRONT:
            return {"distributions": [], "skipped": f"CloudFront is not offered in the {self.partition} partition"}
        if not api_ids:
            return {"distributions": [], "skipped": "no API to put behind a distribution"}
        domain_names = {str(domain["DomainName"]).lower() for part in snapshot["domains"].values()
                        for domain in part.get("names") or []}
        return collect_cloudfront(self.clients, self.log, self.partition, api_ids, domain_names)


def _collect_region(clients: Clients, log: CallLog, region: str, account: str, partition: str,
                    api_filter: list[str] | None, on_api: Callable[[], None],
                    traffic_days: int | None) -> dict[str, Any]:
    notes: list[str] = []
    def each(listed: list[dict[str, Any]] | None, id_key: str, name_key: str,
             collect: Callable[[Clients, CallLog, str, dict[str, Any]], dict[str, Any]]) -> list[dict[str, Any]]:
        """The listed APIs that --api selects, each collected in full; several at once (the account's request-rate
        buckets, not the number of threads, set the pace), in the listing's order."""
        def one(api: dict[str, Any]) -> dict[str, Any]:
            collected = collect(clients, log, region, api)
            on_api()
            return collected

        selected = [api for api in listed or []
                    if not api_filter or api[id_key] in api_filter or api.get(name_key) in api_filter]
        with ThreadPoolExecutor(max_workers=API_READS) as reads:
            return list(reads.map(one, selected))

    def rest() -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]]]:
        listed = list_rest_apis(clients, log, region)
        return listed, each(listed, "id", "name", collect_rest_api)

    def http() -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]]]:
        listed = list_http_apis(clients, log, region)
        return listed, each(listed, "ApiId", "Name", collect_http_api)

    # REST APIs (apigateway) and HTTP APIs (apigatewayv2) are two services: read side by side.
    with ThreadPoolExecutor(max_workers=2) as services:
        http_read = services.submit(http)
        listed, rest_apis = rest()
        listed_http, http_apis = http_read.result()
    # What the region adds around its APIs does not depend on itself: read side by side (each is a call or two,
    # and a wait on the network), only where it can matter — usage plans when a method requires a key, custom
    # domains and traffic when the region has an API.
    key_apis = needs_usage(rest_apis)
    listed_ids = None if listed is None or listed_http is None else \
        sorted([str(api["id"]) for api in listed] + [str(api["ApiId"]) for api in listed_http])
    with ThreadPoolExecutor(max_workers=3) as side:
        usage_read = side.submit(collect_usage, clients, log, region, key_apis) if key_apis else None
        domains_read = side.submit(collect_domains, clients, log, region, listed_ids) \
            if listed or listed_http else None
        traffic_read = side.submit(collect_traffic, clients, log, region, rest_apis, http_apis, listed,
                                   traffic_days) if traffic_days and (rest_apis or http_apis) else None
        pool_ids, user_pools = _region_pools(clients, log, region, account, partition, api_filter,
                                             rest_apis + http_apis, notes)
        usage = usage_read.result() if usage_read else None
        domains = domains_read.result() if domains_read else None
        traffic = traffic_read.result() if traffic_read else None
    notes += attach_stack_sources(clients, log, region, rest_apis, http_apis, user_pools)
    if traffic:
        notes += [traffic["message"]] if traffic.get("message") else []
        notes += [f"{region}: no traffic for {key.split('/', 1)[1]}: {why}" for key, why in traffic["skipped"].items()]
    return {
        "region": region,
        "rest_apis": rest_apis,
        "http_apis": http_apis,
        "apis_listed": [f"{api.get('name')} ({api['id']}, {region})" for api in listed or []]
        + [f"{api.get('Name')} ({api['ApiId']}, {region}, HTTP)" for api in listed_http or []],
        "user_pools": [user_pool for user_pool in user_pools if user_pool["status"] != "not-found"],
        "pool_listing": {"complete": pool_ids is not None},
        "notes": notes,
        "usage": usage,
        "domains": domains,
        "traffic": traffic,
    }


def _region_pools(clients: Clients, log: CallLog, region: str, account: str, partition: str,
                  api_filter: list[str] | None, apis: list[dict[str, Any]],
                  notes: list[str]) -> tuple[list[str] | None, list[dict[str, Any]]]:
    """The region's user pools (those its APIs use, with --api), each read in full; None: not listed."""
    known = clients.session.get_available_regions("apigateway", partition_name=partition)
    if region in clients.session.get_available_regions("cognito-idp", partition_name=partition) \
            or region not in known:  # a region newer than botocore's data: ask it
        pool_ids = list_pool_ids(clients, log, region)
    else:
        pool_ids = []
        notes.append(f"{region}: Amazon Cognito is not offered in this region; no user pools to audit there")
    if api_filter:
        # A filtered scan audits the pools its APIs use, not every pool of the region.
        wanted = {parsed.pool_id for api in apis for parsed in referenced_pools(api, account)
                  if parsed.region == region and parsed.account == account}
        pool_ids = [pool_id for pool_id in pool_ids or [] if pool_id in wanted] if pool_ids is not None else None
    with ThreadPoolExecutor(max_workers=API_READS) as reads:
        return pool_ids, list(reads.map(lambda pool_id: collect_user_pool(clients, log, region, account, partition,
                                                                          pool_id), pool_ids or []))


def _collectreferenced_pools(clients: Clients, log: CallLog, snapshot: dict[str, Any]) -> None:
    """Pools that authorizers name in a region not scanned are looked up there (same account only)."""
    known = {user_pool["arn"] for user_pool in snapshot["user_pools"]}
    lookups: dict[str, dict[str, Any]] = {}
    for api in snapshot["rest_apis"] + snapshot["http_apis"]:
        for parsed in referenced_pools(api, snapshot["account"]):
            if (parsed.arn in known or parsed.arn in lookups or parsed.region in snapshot["regions"]
                    or parsed.account != snapshot["account"] or parsed.partition != snapshot["partition"]):
                continue
            record = collect_user_pool(clients, log, parsed.region, parsed.account, parsed.partition, parsed.pool_id)
            lookups[parsed.arn] = {"status": record["status"], "message": record.get("message", "")}
            if record["status"] == "ok":
                # Read to judge the APIs that use it; audited (COG rules) by the scan of its own region.
                snapshot["user_pools"].append({**record, "referenced_only": True})
    snapshot["pool_lookups"] = lookups
