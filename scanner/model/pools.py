"""Where each user pool an authorizer names stands (present, missing, elsewhere, unreadable), and why."""

from __future__ import annotations

from typing import Any

from ..arns import cognito_issuer, parse_pool_arn, pool_arn_problem, pool_home_region, unresolved_reason
from ..schema.facts import PoolEntry
from ..templates.placeholders import PLACEHOLDER_ACCOUNT
from .scopes import token_ways


def pool_issuer(pool: dict[str, Any], partition: str) -> str:
    """The iss of a pool's tokens: ORIGINAL form in the region it serves, UPDATED form in its primary region."""
    pool_id = str(pool.get("id"))
    form = str(pool.get("issuer_type") or "ORIGINAL")
    region = pool_home_region(pool_id) if form == "UPDATED" else str(pool.get("region"))
    return cognito_issuer(partition, region, pool_id, form)


class PoolDirectory:
    """Answers, for a pool ARN, whether the pool exists, from what the snapshot holds."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.account = str(snapshot.get("account") or "")
        self.partition = str(snapshot.get("partition") or "aws")
        self.regions = set(snapshot.get("regions") or [])
        self.pools: dict[str, dict[str, Any]] = {str(pool.get("arn")): pool
                                                 for pool in snapshot.get("user_pools") or []}
        self.listings = snapshot.get("pool_listings") or {}
        self.lookups = snapshot.get("pool_lookups") or {}
        self.errors = list(snapshot.get("errors") or [])
        # A template or configuration scanned without --account or --resolve: the account it deploys to is unknown.
        self.account_known = self.account != PLACEHOLDER_ACCOUNT
        self.usable: dict[str, int | None] = {}  # a pool's app clients that can get a token, by its ARN

    def status(self, arn: str | None, stage: str | None = None, raw: str | None = None) -> PoolEntry:
        """Where the pool a provider ARN (or a JWT issuer) names stands."""
        entry = PoolEntry(arn=arn or raw, pool_id=None, region=None, account=None, issuer=None, stage=stage,
                          status="missing", reason="")
        if arn is None:
            entry.status, entry.reason = "unresolved", f"stage {stage} does not define the stage variable used in {raw}"
            return entry
        why = unresolved_reason(arn)
        if why is not None:  # a template names the pool with what only deployment decides: undecided
            entry.arn, entry.status, entry.reason = None, "unreadable", why
            return entry
        parsed = parse_pool_arn(arn)
        if parsed is None:
            entry.status, entry.reason = "malformed", pool_arn_problem(arn)
            return entry
        entry.pool_id, entry.region, entry.account, entry.issuer, entry.arn = (
            parsed.pool_id, parsed.region, parsed.account, parsed.issuer, parsed.arn)
        home = pool_home_region(parsed.pool_id)
        entry.replica = home != parsed.region  # a replica keeps its primary's ID in another region
        if not self.account_known and parsed.arn not in self.pools:  # the template's region says what to give
            entry.status, entry.reason = "unreadable", self._listing_error(min(self.regions, default=parsed.region))
            return entry
        if parsed.account != self.account or parsed.partition != self.partition:
            entry.status = "elsewhere"
            entry.reason = (f"the pool is in account {parsed.account} ({parsed.partition}); the scan reads account "
                            f"{self.account}: tokens must have iss {parsed.issuer}")
            return entry
        record = self.pools.get(parsed.arn)
        if record and record.get("status") == "ok":
            entry.status = "present"
            entry.issuer_type = str(record.get("issuer_type") or "ORIGINAL")
            entry.issuer = pool_issuer(record, parsed.partition)
            if parsed.arn not in self.usable:  # the same for every authorizer and stage that names the pool
                clients = record.get("clients")
                self.usable[parsed.arn] = (sum(1 for client in clients if not client.get("unreadable")
                                               and token_ways(client, record)) if clients is not None
                                           and not any(client.get("unreadable") for client in clients) else None)
            entry.usable_clients = self.usable[parsed.arn]
        elif record:
            entry.status, entry.reason = "unreadable", f"cognito-idp:DescribeUserPool failed: {record.get('message')}"
        elif (lookup := self.lookups.get(parsed.arn) or {}).get("status") == "not-found":
            entry.reason = self._not_found(parsed.pool_id, parsed.region, home)  # looked up by itself
        elif parsed.region in self.regions:
            if lookup:  # looked up by itself (a template's --resolve) and not read
                entry.status = "unreadable"
                entry.reason = f"cognito-idp:DescribeUserPool failed: {lookup.get('message')}"
            elif (self.listings.get(parsed.region) or {}).get("complete"):
                entry.reason = self._not_found(parsed.pool_id, parsed.region, home)
            else:
                entry.status, entry.reason = "unreadable", self._listing_error(parsed.region)
        else:
            entry.status = "elsewhere"
            entry.reason = (f"the pool is in {parsed.region}, which could not be read "
                            f"({lookup.get('message') or 'not looked up'}): tokens must have iss {parsed.issuer}")
        return entry

    def _not_found(self, pool_id: str, region: str, home: str) -> str:
        if region == home:
            return f"no user pool {pool_id} in {region}"
        return (f"no user pool {pool_id} in {region}: the pool was created in {home}, and {region} has no replica "
                "of it (a wrong region, or a replica that was removed)")

    def _listing_error(self, region: str) -> str:
        reason = (self.listings.get(region) or {}).get("reason")
        if reason:
            return str(reason)
        for error in self.errors:
            if error.get("region") == region and error.get("operation") == "ListUserPools":
                return f"{error.get('iam_action')} failed in {region}: {error.get('message')}"
        return f"the user pools of {region} could not be listed"
