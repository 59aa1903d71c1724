"""`--resolve`: what a template references but does not create, read from the account with the scan's own
collectors (read-only): CloudFormation exports for Fn::ImportValue, user pools, Lambda functions and roles."""

from __future__ import annotations

from typing import Any

import boto3

from ..arns import parse_role_arn, referenced_pools, unresolved_reason
from ..collect.calls import CallLog
from ..collect.functions import collect_function
from ..collect.referenced import authorizer_functions, authorizer_roles, trigger_functions
from ..collect.roles import collect_role
from ..collect.session import Clients
from ..collect.user_pools import collect_user_pool


def read_exports(clients: Clients, log: CallLog, region: str) -> dict[str, str]:
    """The region's CloudFormation exports by name (one paginated ListExports)."""
    found = log.paginate(clients.get("cloudformation", region), "list_exports", "Exports", region=region)
    return {str(item.get("Name")): str(item.get("Value")) for item in found.data or []} if found.ok else {}


def resolve_outside(snapshot: dict[str, Any], clients: Clients, log: CallLog) -> None:
    """Reads the pools, functions and roles the templates name but do not create, as a live scan reads them."""
    account = str(snapshot["account"])
    known = {pool["arn"] for pool in snapshot["user_pools"]}
    for api in snapshot["rest_apis"] + snapshot["http_apis"]:
        for parsed in referenced_pools(api, account):
            if parsed.arn in known or unresolved_reason(parsed.arn) or (parsed.account, parsed.partition) != (
                    account, snapshot["partition"]):
                continue  # a pool of another account is judged as a live scan judges it: by its issuer alone
            known.add(parsed.arn)
            record = collect_user_pool(clients, log, parsed.region, parsed.account, parsed.partition, parsed.pool_id)
            snapshot["pool_lookups"][parsed.arn] = {"status": record["status"], "message": record.get("message", "")}
            if record["status"] == "ok":
                snapshot["user_pools"].append({**record, "referenced_only": True})
    # Functions the templates create are in the snapshot already; those they name (triggers of pools, authorizers)
    # are read, as are the roles authorizers are invoked with.
    for arn in sorted(trigger_functions(snapshot) | authorizer_functions(snapshot)):
        if arn not in snapshot["functions"] and not unresolved_reason(arn):
            snapshot["functions"][arn] = collect_function(clients, log, account, arn)
    for role in sorted(authorizer_roles(snapshot)):
        if parse_role_arn(role) and role not in snapshot["roles"] and not unresolved_reason(role):
            snapshot["roles"][role] = collect_role(clients, log, account, role)
    snapshot["errors"] += [{"account": account, **error} for error in log.errors]
    snapshot["calls"] = dict(sorted(log.counts.items()))


def open_resolve_session(session: boto3.Session, region: str) -> tuple[Clients, CallLog, str, str]:
    """Clients for --resolve, the account and its partition."""
    log = CallLog()
    clients = Clients(session, log)
    return clients, log, clients.account_id(region), session.get_partition_for_region(region)
