"""Collects Cognito user pools: settings, domain, Lambda triggers, app clients and resource servers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..arns import pool_home_region
from ..schema.snapshot import APP_CLIENT, pick
from .calls import CallLog
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
    """One pool with its app clients (secrets never kept) and resource servers; `status` says if it exists."""
    client = clients.get("cognito-idp", region)
    arn = f"arn:{partition}:cognito-idp:{region}:{account}:userpool/{pool_id}"
    described = log.call(client, "describe_user_pool", region=region, subject=arn, expect_not_found=True,
                         UserPoolId=pool_id)
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
        "clients": _app_clients(client, log, region, arn, pool_id),
        "resource_servers": _resource_servers(client, log, region, arn, pool_id),
    })
    return record


def _app_clients(client: Any, log: CallLog, region: str, arn: str, pool_id: str) -> list[dict[str, Any]] | None:
    listing = log.paginate(client, "list_user_pool_clients", "UserPoolClients", region=region, subject=arn,
                           UserPoolId=pool_id, MaxResults=60)
    if not listing.ok:
        return None
    def describe(summary: dict[str, Any]) -> dict[str, Any]:
        described = log.call(client, "describe_user_pool_client", region=region, subject=arn,
                             UserPoolId=pool_id, ClientId=summary["ClientId"])
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

    # One call per client: several at once, paced by the pool's own client-read bucket (5 a second).
    with ThreadPoolExecutor(max_workers=CLIENT_READS) as reads:
        return list(reads.map(describe, listing.data))


def _resource_servers(client: Any, log: CallLog, region: str, arn: str, pool_id: str) -> list[dict[str, Any]] | None:
    listing = log.paginate(client, "list_resource_servers", "ResourceServers", region=region, subject=arn,
                           UserPoolId=pool_id, MaxResults=50)
    if not listing.ok:
        return None
    return [
        {"Identifier": server.get("Identifier"),
         "Scopes": [scope.get("ScopeName") for scope in server.get("Scopes") or []]}
        for server in listing.data
    ]
