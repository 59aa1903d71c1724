"""Collects Cognito user pools: settings, domain, Lambda triggers, app clients and resource servers."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from ..arns import pool_home_region
from ..schema.snapshot import APP_CLIENT, pick
from .calls import CallLog, Outcome
from .reader import Reader
from .reads import Reads, gather, resolved
from .session import Clients
from .stacks import stack_source

CLIENT_READS = 4  # app clients of one pool described at once


def list_pool_ids(clients: Clients, log: CallLog, region: str) -> list[str] | None:
    """IDs of every user pool in the region, or None when they cannot be listed."""
    outcome = log.paginate(clients.get("cognito-idp", region), "list_user_pools", "UserPools",
                           region=region, MaxResults=60)
    return [pool["Id"] for pool in outcome.data] if outcome.ok else None


def collect_user_pool(clients: Clients, log: CallLog, region: str, account: str, partition: str,
                      pool_id: str) -> dict[str, Any]:
    """One pool with its app clients (secrets never kept) and resource servers, its reads made one at a time."""
    return read_user_pool(Reader(Reads(threads=0), clients, log, region), account, partition, pool_id,
                          lambda _: None).result()


def read_user_pool(reader: Reader, account: str, partition: str, pool_id: str,
                   described: Callable[[dict[str, Any]], None]) -> Future[dict[str, Any]]:
    """One pool with its app clients (secrets never kept) and resource servers; `status` says if it exists.
    `described` gets the record as soon as the pool is described (its triggers and stack can be read then); its
    app clients and resource servers are then read side by side."""
    arn = f"arn:{partition}:cognito-idp:{reader.region}:{account}:userpool/{pool_id}"

    def read(found: Outcome) -> Future[dict[str, Any]]:
        record = _record(reader.region, pool_id, arn, found)
        if not found.ok:
            return resolved(record)
        described(record)

        def complete(app_clients: list[dict[str, Any]] | None,
                     servers: list[dict[str, Any]] | None) -> dict[str, Any]:
            record.update({"clients": app_clients, "resource_servers": servers})
            return record

        return reader.reads.then([_app_clients(reader, arn, pool_id), _resource_servers(reader, arn, pool_id)],
                                 complete)

    return reader.reads.chain([reader.call("cognito-idp", "describe_user_pool", subject=arn, expect_not_found=True,
                                           UserPoolId=pool_id)], read)


def _record(region: str, pool_id: str, arn: str, described: Outcome) -> dict[str, Any]:
    """The pool's record from DescribeUserPool (its app clients and resource servers come next)."""
    record: dict[str, Any] = {"region": region, "id": pool_id, "arn": arn, "status": described.status,
                              "message": described.message}
    if not described.ok:
        return record
    pool = described.data.get("UserPool", {})
    if pool_home_region(pool_id) != region:  # a multi-Region replica: the primary keeps the pool's audit
        record["replica_of"] = pool_home_region(pool_id)
    record.update({
        "name": pool.get("Name"),
        "source": stack_source(pool.get("UserPoolTags")),
        "domain": pool.get("Domain"),
        "custom_domain": pool.get("CustomDomain"),
        "lambda_config": pool.get("LambdaConfig") or {},
        # ORIGINAL or UPDATED (https://issuer-cognito-idp.…); pools that predate the setting issue the original form.
        "issuer_type": (pool.get("IssuerConfiguration") or {}).get("Type") or "ORIGINAL",
        "clients": None,
        "resource_servers": None,
    })
    return record


def _app_clients(reader: Reader, arn: str, pool_id: str) -> Future[list[dict[str, Any]] | None]:
    listing = reader.paginate("cognito-idp", "list_user_pool_clients", "UserPoolClients", subject=arn,
                              UserPoolId=pool_id, MaxResults=60)

    def describe(summary: dict[str, Any]) -> Future[dict[str, Any]]:
        # One call per client, several at once on the pool's own lane, paced by its client-read bucket (5 a second).
        described = reader.call("cognito-idp", "describe_user_pool_client", lane=(reader.region, "clients", pool_id),
                                threads=CLIENT_READS, subject=arn, UserPoolId=pool_id, ClientId=summary["ClientId"])
        return reader.reads.then([described], lambda found: _app_client(summary, found))

    def each(listed: Outcome) -> Future[list[dict[str, Any]] | None]:
        if not listed.ok:
            return resolved(None)
        return gather(reader.reads, [describe(summary) for summary in listed.data])  # type: ignore[return-value]

    return reader.reads.chain([listing], each)


def _app_client(summary: dict[str, Any], described: Outcome) -> dict[str, Any]:
    if not described.ok:
        return {"ClientId": summary["ClientId"], "ClientName": summary.get("ClientName"),
                "unreadable": described.message}
    app_client = described.data.get("UserPoolClient", {})
    record = pick(app_client, APP_CLIENT)
    # The secret itself is dropped here, at the door: only whether there is one goes further. A secret Cognito
    # keeps in Secrets Manager comes as ClientSecretArn instead of ClientSecret (cognito-idp model,
    # UserPoolClientType.ClientSecretArn): the client has a secret all the same.
    record["HasClientSecret"] = bool(app_client.get("ClientSecret") or app_client.get("ClientSecretArn"))
    return record


def _resource_servers(reader: Reader, arn: str, pool_id: str) -> Future[list[dict[str, Any]] | None]:
    listing = reader.paginate("cognito-idp", "list_resource_servers", "ResourceServers", subject=arn,
                              UserPoolId=pool_id, MaxResults=50)
    return reader.reads.then([listing], lambda found: [
        {"Identifier": server.get("Identifier"),
         "Scopes": [scope.get("ScopeName") for scope in server.get("Scopes") or []]}
        for server in found.data
    ] if found.ok else None)
