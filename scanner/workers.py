"""Judging spread over the machine's CPUs: each account's snapshot judged in a worker process (its units one after
another, as scan.judge_into judges them), its report parts encoded there and added to the spool here in the order
the accounts came, so that the report is the one a single process writes. At most two accounts per worker are on
their way at once: memory stays that of a few accounts, however many there are."""

from __future__ import annotations

import math
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from itertools import chain
from multiprocessing.pool import AsyncResult
from typing import Any

from .collect.garbage import fewer_collections
from .report import ReportPart
from .rules.loader import Rule, load_rules
from .spool import EncodedPart, ReportSpool, Triage, encode_part

Judge = Callable[[Any, dict[str, Any], list[str] | None, str | None, list[Rule]], None]
_ACCOUNT_FIELDS = ("account", "regions", "notes", "errors", "calls")
_STATE: dict[str, Any] = {}  # a worker's: the rules, the filters, the triage and how an account is judged


def available_cpus() -> int:
    """The CPUs this process may use: its affinity, bounded by a container's CPU quota (cgroup v2 or v1)."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    for path, parse in (("/sys/fs/cgroup/cpu.max", _cgroup2_quota), ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us",
                                                                      _cgroup1_quota)):
        try:
            with open(path, encoding="ascii") as handle:
                quota = parse(handle.read())
        except (OSError, ValueError):
            continue
        if quota is not None:
            count = min(count, max(1, math.ceil(quota)))
    return max(1, count)


def _cgroup2_quota(text: str) -> float | None:
    parts = text.split()
    return None if len(parts) < 2 or parts[0] == "max" else int(parts[0]) / int(parts[1])


def _cgroup1_quota(text: str) -> float | None:
    quota = int(text.strip())
    if quota <= 0:
        return None
    with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us", encoding="ascii") as handle:
        return quota / int(handle.read().strip())


class _Collector:
    """What a worker gathers of one account: the account's own parts (regions, notes, errors, calls), then each of
    its units' report parts, encoded."""

    def __init__(self, triage: Triage) -> None:
        self.triage = triage
        self.account: dict[str, Any] = {}
        self.parts: list[EncodedPart] = []

    def add_account(self, snapshot: Mapping[str, Any]) -> None:
        self.account = {key: snapshot.get(key) for key in _ACCOUNT_FIELDS}

    def add_part(self, account_id: Any, part: ReportPart) -> None:
        self.parts.append(encode_part(account_id, part, self.triage))


def judge_all(spool: ReportSpool, snapshots: Iterable[dict[str, Any]], judge: Judge, api_filter: list[str] | None,
              stage_filter: str | None, rules: list[Rule], policies: list[str] | None, jobs: int) -> None:
    """Every snapshot judged into `spool` by `judge` (scan.judge_into), by `jobs` worker processes when there are
    several accounts and jobs > 1, else in this process."""
    accounts = iter(snapshots)
    ahead = [snapshot for snapshot in (next(accounts, None), next(accounts, None) if jobs > 1 else None)
             if snapshot is not None]
    if len(ahead) < 2:
        for snapshot in chain(ahead, accounts):
            judge(spool, snapshot, api_filter, stage_filter, rules)
        return
    # A worker's triage needs only the baseline's keys (its findings stay here, for the fixed list).
    triage = replace(spool.triage, baseline=None if spool.triage.baseline is None
                     else dict.fromkeys(spool.triage.baseline))
    # Workers start from a process of their own (forkserver), never forked from this one: a scan's threads (its
    # collection, progress, pacing) may hold a lock at the moment of a fork, and the forked worker would wait on it
    # for ever. Each worker loads the rules again (`policies`).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with context.Pool(jobs, initializer=_start, initargs=(policies, api_filter, stage_filter, triage, judge)) as pool:
        waiting: deque[AsyncResult[tuple[dict[str, Any], list[EncodedPart]]]] = deque()
        for snapshot in chain(ahead, accounts):
            waiting.append(pool.apply_async(_judge, (snapshot,)))
            if len(waiting) >= 2 * jobs:
                _add(spool, *waiting.popleft().get())
        while waiting:
            _add(spool, *waiting.popleft().get())


def _start(policies: list[str] | None, api_filter: list[str] | None, stage_filter: str | None, triage: Triage,
           judge: Judge) -> None:
    _STATE.update(rules=load_rules(policies), api_filter=api_filter, stage_filter=stage_filter, triage=triage,
                  judge=judge)
    # A worker lives for the judging: what it loaded is frozen for the garbage collector, and young collections
    # are rarer, as in the scan's own process (collect/garbage.py).
    _STATE["collections"] = fewer_collections()
    _STATE["collections"].__enter__()


def _judge(snapshot: dict[str, Any]) -> tuple[dict[str, Any], list[EncodedPart]]:
    collector = _Collector(_STATE["triage"])
    _STATE["judge"](collector, snapshot, _STATE["api_filter"], _STATE["stage_filter"], _STATE["rules"])
    return collector.account, collector.parts


def _add(spool: ReportSpool, account: dict[str, Any], parts: list[EncodedPart]) -> None:
    spool.add_account(account)
    for part in parts:
        spool.add_encoded(part)
