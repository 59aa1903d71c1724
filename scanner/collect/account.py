"""Collects one account's regions into a snapshot: plain data, no secrets, with every call that failed."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import Any

import boto3

from ..arns import GLOBAL_REGION, parse_function_arn, referenced_pools
from ..schema.snapshot import SCHEMA
from ..traffic_window import TRAFFIC_DAYS
from .calls import CallLog, Outcome
from .cloudfront import PARTITIONS_WITH_CLOUDFRONT, list_distributions, read_cloudfront
from .functions import collect_function
from .garbage import fewer_collections
from .reader import Reader
from .reads import Reads
from .referenced import authorizer_functions, authorizer_roles, trigger_functions
from .region_graph import start_region
from .roles import read_role
from .session import Clients
from .user_pools import read_user_pool


def collect_account(session: boto3.Session, regions: list[str], api_filter: list[str] | None = None,
                    call_log: CallLog | None = None, traffic_days: int | None = TRAFFIC_DAYS) -> dict[str, Any]:
    """Everything the rules need from `regions` of the session's account, as a JSON-ready snapshot (with the
    traffic of the last `traffic_days` days; None: without traffic). Every region is read at once."""
    clients = Clients(session, call_log or CallLog())
    with fewer_collections():
        collector = AccountCollector(clients, clients.account_id(regions[0]),
                                     session.get_partition_for_region(regions[0]), api_filter,
                                     traffic_days=traffic_days, regions=regions)
        started = [collector.start_region(region) for region in regions]
        return collector.finish([part.result() for part in started])


class AccountCollector:
    """Collects one account: each region as a unit of work, and what spans regions — the pools authorizers name
    in regions not scanned, the Lambda functions triggers and authorizers name, the roles authorizers are invoked
    with, CloudFront — each read as soon as something names it, on the account's own lanes and quota buckets."""

    def __init__(self, clients: Clients, account: str, partition: str, api_filter: list[str] | None,
                 on_api: Callable[[], None] | None = None, traffic_days: int | None = TRAFFIC_DAYS,
                 regions: list[str] | None = None) -> None:
        self.clients, self.log = clients, clients.call_log
        self.account, self.partition, self.api_filter = account, partition, api_filter
        self.report_api = on_api or (lambda: None)
        self.traffic_days = traffic_days
        self.scanned = set(regions or [])  # the regions this scan reads for the account (pools there are not looked up)
        self.reads = Reads()
        self.reader = Reader(self.reads, clients, self.log, GLOBAL_REGION.get(partition, "us-east-1"))
        known = clients.session.get_available_regions("apigateway", partition_name=partition)
        offered = clients.session.get_available_regions("cognito-idp", partition_name=partition)
        # A region newer than botocore's data is asked whether it has user pools.
        self._cognito = {region: region in offered for region in known}

    def start_region(self, region: str) -> Future[dict[str, Any]]:
        """The region's part of the snapshot, its reads started now."""
        return start_region(self, self.reader.elsewhere(region))

    def region(self, region: str) -> dict[str, Any]:
        return self.start_region(region).result()

    # What the regions tell the account (region.Account).
    def on_api(self) -> None:
        self.report_api()

    def offers_cognito(self, region: str) -> bool:
        return self._cognito.get(region, True)

    def has_api(self) -> None:
        if self.partition in PARTITIONS_WITH_CLOUDFRONT:
            self._distributions()

    def named(self, api: dict[str, Any]) -> None:
        """An API's authorizers and stages are in: the functions and roles they name, and the pools they name in
        regions this scan does not read, are read now."""
        mentioned = {"rest_apis": [api], "http_apis": []}
        for arn in authorizer_functions(mentioned):
            self._function(arn)
        for arn in authorizer_roles(mentioned):
            self._role(arn)
        for parsed in referenced_pools(api, self.account):
            if parsed.region not in self.scanned and (parsed.account, parsed.partition) == (self.account,
                                                                                             self.partition):
                self._pool_elsewhere(parsed.arn, parsed.region, parsed.pool_id)

    def described(self, user_pool: dict[str, Any]) -> None:
        """A pool is described: the functions its triggers name are read now."""
        for arn in trigger_functions({"user_pools": [user_pool]}):
            self._function(arn)

    def finish(self, parts: list[dict[str, Any]], notes: list[str] | None = None) -> dict[str, Any]:
        """The account's snapshot from its regions' parts: referenced pools elsewhere, Lambda functions, roles."""
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
        self._referenced_pools(snapshot)
        # Most of these reads started while the regions were read (as soon as a trigger or an authorizer named
        # them); those that did not start now.
        functions = sorted(trigger_functions(snapshot) | authorizer_functions(snapshot))
        roles = sorted(authorizer_roles(snapshot))
        function_reads = [self._function(arn) for arn in functions]
        role_reads = [self._role(arn) for arn in roles]
        snapshot["functions"] = {arn: read.result() for arn, read in zip(functions, function_reads, strict=True)}
        snapshot["roles"] = {arn: read.result() for arn, read in zip(roles, role_reads, strict=True)}
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
        return read_cloudfront(self.reader, self._distributions().result(), api_ids, domain_names).result()

    def _referenced_pools(self, snapshot: dict[str, Any]) -> None:
        """Pools that authorizers name in a region not scanned are looked up there (same account only)."""
        known = {user_pool["arn"] for user_pool in snapshot["user_pools"]}
        lookups: dict[str, dict[str, Any]] = {}
        for api in snapshot["rest_apis"] + snapshot["http_apis"]:
            for parsed in referenced_pools(api, snapshot["account"]):
                if (parsed.arn in known or parsed.arn in lookups or parsed.region in snapshot["regions"]
                        or parsed.account != snapshot["account"] or parsed.partition != snapshot["partition"]):
                    continue
                record = self._pool_elsewhere(parsed.arn, parsed.region, parsed.pool_id).result()
                lookups[parsed.arn] = {"status": record["status"], "message": record.get("message", "")}
                if record["status"] == "ok":
                    # Read to judge the APIs that use it; audited (COG rules) by the scan of its own region.
                    snapshot["user_pools"].append({**record, "referenced_only": True})
        snapshot["pool_lookups"] = lookups

    def _function(self, arn: str) -> Future[dict[str, Any]]:
        parts = parse_function_arn(arn)
        reader = self.reader.elsewhere(parts["region"] if parts else self.reader.region)
        return self.reads.once(("function", arn), lambda: reader.run("lambda", "get_policy", partial(
            collect_function, self.clients, self.log, self.account, arn)))

    def _role(self, arn: str) -> Future[dict[str, Any]]:
        return self.reads.once(("role", arn), lambda: read_role(self.reader, self.account, arn))

    def _pool_elsewhere(self, arn: str, region: str, pool_id: str) -> Future[dict[str, Any]]:
        return self.reads.once(("pool", arn), lambda: read_user_pool(
            self.reader.elsewhere(region), self.account, self.partition, pool_id, self.described))

    def _distributions(self) -> Future[Outcome]:
        return self.reads.once(("cloudfront",), lambda: list_distributions(self.reader))
