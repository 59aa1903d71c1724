"""Many accounts and regions: sessions per account (assumed roles), the (account, region) units, shards, concurrency."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import boto3
import botocore.session
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from ..errors import UsageError
from ..traffic_window import TRAFFIC_DAYS
from .account import AccountCollector
from .calls import CallLog
from .faults import Faults
from .garbage import fewer_collections
from .pacing import Pacer
from .session import Clients, partition_of, resolve_regions

SHARD_INDEX_VARIABLES = ("JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX")


@dataclass
class AccountTarget:
    """One account to scan: its session once the role is assumed, or why it could not be."""

    account: str
    session: boto3.Session | None = None
    error: dict[str, Any] | None = None
    regions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    def keeps(self, position: int) -> bool:
        return position % self.count == self.index


def parse_shard(text: str | None, environ: dict[str, str] | None = None) -> Shard | None:
    """`K/N` (K from 0 to N-1) or `auto/N`, K then read from JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX."""
    if not text:
        return None
    environ = dict(os.environ) if environ is None else environ
    index_text, _, count_text = text.partition("/")
    if index_text == "auto":
        found = next((environ[name] for name in SHARD_INDEX_VARIABLES if environ.get(name, "").strip()), None)
        if found is None:
            raise UsageError(f"--shard {text}: auto needs {' or '.join(SHARD_INDEX_VARIABLES)} in the environment")
        index_text = found
    try:
        index, count = int(index_text), int(count_text)
    except ValueError:
        raise UsageError(f"--shard {text}: expected K/N with 0 <= K < N, or auto/N") from None
    if count < 1 or not 0 <= index < count:
        raise UsageError(f"--shard {text}: expected K/N with 0 <= K < N, or auto/N")
    return Shard(index, count)


def parse_accounts(accounts: str | None) -> list[str]:
    """The account IDs of --accounts (IDs, or a file with one per line): checked before any AWS call."""
    if not accounts:
        return []
    path = Path(accounts)
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"--accounts {accounts}: cannot be read ({error})") from None
    elif re.fullmatch(r"[\d,\s]+", accounts):
        text = accounts
    else:
        raise UsageError(f"--accounts {accounts}: no such file (expected 12-digit account IDs separated by commas, "
                         "or a file with one per line)")
    ids = [token for line in text.splitlines() for token in line.split("#", 1)[0].replace(",", " ").split()]
    bad = [value for value in ids if not (value.isdigit() and len(value) == 12)]
    if bad:
        where = f"{accounts}: " if path.is_file() else ""
        raise UsageError(f"--accounts {where}{bad[0]!r} is not an account ID (expected 12 digits, comma-separated, "
                         "or a file with one per line)")
    if not ids:
        raise UsageError(f"--accounts {accounts}: names no account")
    return ids


def account_ids(base: boto3.Session, ids: list[str], accounts: bool, organization: bool,
                log: CallLog) -> list[str] | None:
    """The accounts asked for (--accounts, already parsed; --org); None for the credentials' own account."""
    ids = list(ids)
    if organization:
        region = base.region_name or "us-east-1"
        listing = log.paginate(Clients(base, log).get("organizations", region), "list_accounts", "Accounts",
                               region=region)
        if not listing.ok:
            raise UsageError(f"--org: organizations:ListAccounts failed ({listing.message}); run from the management "
                             "account or a delegated administrator, or name the accounts with --accounts")
        # Organizations retired Account.Status for State (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED…).
        ids += [a["Id"] for a in listing.data if (a.get("State") or a.get("Status") or "ACTIVE") == "ACTIVE"]
    return sorted(set(ids)) if (accounts or organization) else None


def open_targets(base: boto3.Session, wanted: list[str] | None, role_name: str | None, external_id: str | None,
                 own_account: str, concurrency: int) -> list[AccountTarget]:
    """A session per account: the base credentials for their own account, an assumed role for the others."""
    if wanted is None:
        return [AccountTarget(own_account, session=base)]
    if any(account != own_account for account in wanted) and not role_name:
        raise UsageError("--accounts/--org: name the role to assume in each account with --role-name NAME")
    partition_region = base.region_name or "us-east-1"
    partition = partition_of(partition_region) or "aws"
    sts = Clients(base, CallLog()).get("sts", partition_region)

    def assume(account: str) -> AccountTarget:
        if account == own_account:
            return AccountTarget(account, session=base)
        params: dict[str, Any] = {"RoleArn": f"arn:{partition}:iam::{account}:role/{role_name}",
                                  "RoleSessionName": "apigw-scan"}
        if external_id:
            params["ExternalId"] = external_id

        def fetch() -> dict[str, Any]:
            credentials = sts.assume_role(**params)["Credentials"]
            return {"access_key": credentials["AccessKeyId"], "secret_key": credentials["SecretAccessKey"],
                    "token": credentials["SessionToken"], "expiry_time": credentials["Expiration"].isoformat()}

        try:
            first = fetch()
        except (ClientError, BotoCoreError) as error:
            return AccountTarget(account, error={"account": account, "region": None, "service": "sts",
                                                 "operation": "AssumeRole", "iam_action": "sts:AssumeRole",
                                                 "message": f"cannot assume {params['RoleArn']}: {error}"})
        return AccountTarget(account, session=_session_like(base, first, fetch))

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return list(pool.map(assume, wanted))


def _session_like(base: boto3.Session, metadata: dict[str, Any],
                  refresh: Callable[[], dict[str, Any]]) -> boto3.Session:
    """A session with the assumed role's credentials that shares the base session's loaded service models
    (loading them again for every account costs more CPU than the scan itself). The credentials refresh
    themselves before they expire (an hour by default): a three-hour organization scan never meets ExpiredToken."""
    core = botocore.session.Session()
    core.register_component("data_loader", base._session.get_component("data_loader"))
    core._credentials = RefreshableCredentials.create_from_metadata(metadata, refresh, "assume-role")
    return boto3.Session(botocore_session=core, region_name=base.region_name)


def enabled_regions(target: AccountTarget, log: CallLog) -> list[str]:
    """Regions enabled for the account where API Gateway is offered (--all-regions)."""
    assert target.session is not None
    session = target.session
    region = session.region_name or "us-east-1"
    partition = partition_of(region) or "aws"  # the credentials' partition: GovCloud lists GovCloud regions
    offered = set(session.get_available_regions("apigateway", partition_name=partition))
    listing = log.call(Clients(session, log).get("ec2", region), "describe_regions", region=region)
    if not listing.ok:
        target.notes.append(f"ec2:DescribeRegions failed ({listing.message}): scanning every region botocore knows "
                            f"in {partition}")
        return sorted(offered)
    enabled = {r["RegionName"] for r in listing.data.get("Regions", []) if partition_of(r["RegionName"]) == partition}
    newer = sorted(enabled - offered)
    if newer:
        target.notes.append(f"{', '.join(newer)}: newer than the installed botocore's endpoint data; scanned at the "
                            "standard endpoints of the partition")
    return sorted(enabled)


class ProgressListener(Protocol):
    """What a scan reports while it runs (render/progress.py draws it)."""

    def start(self, units: int, logs: list[CallLog]) -> None: ...

    def api_done(self) -> None: ...

    def unit_done(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class FleetResult:
    snapshots: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    units: int  # the (account, region) units this shard scanned
    planned: int  # the units of every shard
    not_started: list[str] = field(default_factory=list)  # units a stopped scan did not start: ACCOUNT/REGION
    not_made: int = 0  # calls a stopped scan did not make


def collect_fleet(targets: list[AccountTarget], api_filter: list[str] | None, concurrency: int, shard: Shard | None,
                  progress: ProgressListener | None = None, traffic_days: int | None = TRAFFIC_DAYS,
                  faults: Faults | None = None, max_rps: dict[str, float] | None = None) -> FleetResult:
    """Every (account, region) unit, concurrently; an account that fails is an error, never a stop. Once `faults`
    stops the scan, the units not yet started are left out (and listed)."""
    faults = faults or Faults()
    not_started: list[str] = []
    units = sorted((target.account, region) for target in targets if target.session is not None
                   for region in target.regions)
    planned = len(units)
    if shard:
        units = [unit for position, unit in enumerate(units) if shard.keeps(position)]
    collectors: dict[str, AccountCollector] = {}
    for target in targets:
        if target.session is None:
            continue
        # Each account has its own quotas: its own buckets, shared by its regions' reads.
        clients = Clients(target.session, CallLog(faults=faults, pacer=Pacer(dict(max_rps or {}))))
        collectors[target.account] = AccountCollector(
            clients, target.account, target.session.get_partition_for_region(target.regions[0]) if target.regions
            else "aws", api_filter, on_api=progress.api_done if progress else None, traffic_days=traffic_days,
            regions=[region for account, region in units if account == target.account])
    if progress:
        progress.start(len(units), [c.log for c in collectors.values()])

    def run(unit: tuple[str, str]) -> tuple[str, dict[str, Any] | None]:
        if faults.stopping:
            not_started.append(f"{unit[0]}/{unit[1]}")
            part = None
        else:
            part = collectors[unit[0]].region(unit[1])
        if progress:
            progress.unit_done()
        return unit[0], part

    with fewer_collections(), ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        done = list(pool.map(run, units))
        parts: dict[str, list[dict[str, Any]]] = {}
        for account, part in done:
            if part is not None:
                parts.setdefault(account, []).append(part)
        notes = {target.account: target.notes for target in targets}
        snapshots = list(pool.map(lambda account: collectors[account].finish(parts[account], notes.get(account)),
                                  sorted(parts)))
    if progress:
        progress.stop()
    errors = [target.error for target in targets if target.error]
    return FleetResult(snapshots, errors, len(units), planned, sorted(not_started),
                       sum(collector.log.not_made for collector in collectors.values()))


PLANS_AT_ONCE = 16  # accounts whose enabled regions are asked at once (--all-regions)


def plan_regions(targets: list[AccountTarget], regions: list[str] | None, all_regions: bool, log: CallLog) -> None:
    """Each reachable account's regions: --all-regions (enabled ones, every account asked at once: an organization's
    hundreds of DescribeRegions calls are not made one after another), --region, or the configured one."""
    def plan(target: AccountTarget) -> None:
        assert target.session is not None
        target.regions = (enabled_regions(target, log) if all_regions
                          else resolve_regions(target.session, regions, target.notes))

    reachable = [target for target in targets if target.session is not None]
    if not all_regions or len(reachable) < 2:
        for target in reachable:
            plan(target)
        return
    with ThreadPoolExecutor(max_workers=min(PLANS_AT_ONCE, len(reachable))) as asking:
        list(asking.map(plan, reachable))
