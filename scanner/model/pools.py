"""Where each user pool an authorizer names stands (present, missing, elsewhere, unreadable), and why."""

from __future__ import annotations

from typing import Any

from .arns import parse_pool_arn, pool_arn_problem


class PoolDirectory:
    """Answers, for a pool ARN, whether the pool exists, from what the snapshot holds."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.account = str(snapshot.get("account") or "")
        self.partition = str(snapshot.get("partition") or "aws")
        self.regions = set(snapshot.get("regions") or [])
        self.pools: dict[str, dict[str, Any]] = {str(pool.get("arn")): pool for pool in snapshot.get("user_pools") or []
                                                 if isinstance(pool, dict)}
        self.listings = snapshot.get("pool_listings") or {}
        self.lookups = snapshot.get("pool_lookups") or {}
        self.errors = [error for error in snapshot.get("errors") or [] if isinstance(error, dict)]

    def pool(self, arn: str) -> dict[str, Any] | None:
        """The collected pool record when the pool exists and was read."""
        pool = self.pools.get(arn)
        return pool if pool and pool.get("status") == "ok" else None

    def status(self, arn: str | None, stage: str | None = None, raw: str | None = None) -> dict[str, Any]:
        """{arn, pool_id, region, account, issuer, stage, status, reason} for one provider ARN."""
        entry: dict[str, Any] = {"arn": arn or raw, "pool_id": None, "region": None, "account": None,
                                 "issuer": None, "stage": stage, "status": "missing", "reason": ""}
        if arn is None:
            entry.update(status="unresolved",
                         reason=f"stage {stage} does not define the stage variable used in {raw}")
            return entry
        parsed = parse_pool_arn(arn)
        if parsed is None:
            entry.update(status="malformed", reason=pool_arn_problem(arn))
            return entry
        entry.update(pool_id=parsed.pool_id, region=parsed.region, account=parsed.account, issuer=parsed.issuer,
                     arn=parsed.arn)
        if parsed.account != self.account or parsed.partition != self.partition:
            entry.update(status="elsewhere", reason=f"the pool is in account {parsed.account} ({parsed.partition}); "
                         f"the scan reads account {self.account}: tokens must have iss {parsed.issuer}")
            return entry
        record = self.pools.get(parsed.arn)
        if record and record.get("status") == "ok":
            entry["status"] = "present"
        elif record:
            entry.update(status="unreadable", reason=_denied("DescribeUserPool", record.get("message")))
        elif parsed.region in self.regions:
            if (self.listings.get(parsed.region) or {}).get("complete"):
                entry.update(status="missing", reason=f"no user pool {parsed.pool_id} in {parsed.region}")
            else:
                entry.update(status="unreadable", reason=self._listing_error(parsed.region))
        else:
            lookup = self.lookups.get(parsed.arn) or {}
            if lookup.get("status") == "not-found":
                entry.update(status="missing", reason=f"no user pool {parsed.pool_id} in {parsed.region}")
            else:
                entry.update(status="elsewhere", reason=f"the pool is in {parsed.region}, which could not be read "
                             f"({lookup.get('message') or 'not looked up'}): tokens must have iss {parsed.issuer}")
        return entry

    def _listing_error(self, region: str) -> str:
        for error in self.errors:
            if error.get("region") == region and error.get("operation") == "ListUserPools":
                return f"{error.get('iam_action')} failed in {region}: {error.get('message')}"
        return f"the user pools of {region} could not be listed"


def _denied(operation: str, message: Any) -> str:
    return f"cognito-idp:{operation} failed: {message}"
