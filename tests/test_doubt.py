"""Doubt is unknown: a list the scanner could not read never yields a decided failure, nor a pass.

For every list a collector may fail to read (it is then None in the snapshot), removing it from a rich
snapshot — the demo account's, and the hand-written one of the fuzz test — adds no `fail` finding and
turns no `unknown` method into `ok`. Hypothesis picks which lists, and of which APIs and pools.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import RULES
from scanner.scan import judge
from test_snapshot_fuzz import BASE

# (where, field, the value a failed read leaves)
UNREADABLE = [
    ("rest_apis", "resources", None), ("rest_apis", "authorizers", None), ("rest_apis", "stages", None),
    ("http_apis", "routes", None), ("http_apis", "authorizers", None), ("http_apis", "stages", None),
    ("user_pools", "clients", None), ("user_pools", "resource_servers", None),
    ("user_pools", "status", "denied"),
    ("deployments", None, None), ("pool_listings", None, None), ("functions", None, None), ("roles", None, None),
]


@pytest.fixture(scope="module")
def demo_snapshot() -> dict[str, Any]:
    from scanner.collect.account import collect_account
    from scanner.demo import emulated_aws
    from scanner.demo.account import REGION, seed_demo_account

    with emulated_aws() as session:
        seed_demo_account(session)
        return collect_account(session, [REGION])


def unread(snapshot: dict[str, Any], where: str, field: str | None, value: Any, pick: list[bool]) -> dict[str, Any]:
    """The snapshot as if the reads at `where`.`field` had failed, for the items `pick` chooses."""
    mutated = copy.deepcopy(snapshot)

    def chosen(items: list[Any]) -> list[Any]:
        return [item for index, item in enumerate(items) if pick[index % len(pick)]]

    if where in ("rest_apis", "http_apis", "user_pools"):
        for item in chosen(mutated.get(where) or []):
            item[field] = value
    elif where == "deployments":
        for api in chosen(mutated.get("rest_apis") or []):
            for deployment in (api.get("deployments") or {}).values():
                deployment.update(summary=None, export=None, summary_error="AccessDenied", export_error="AccessDenied")
    elif where == "pool_listings":
        for listing in (mutated.get("pool_listings") or {}).values():
            listing["complete"] = False
        mutated["user_pools"] = [pool for pool in mutated.get("user_pools") or [] if pool.get("referenced_only")]
    elif where == "functions":
        for name in chosen(sorted(mutated.get("functions") or {})):
            mutated["functions"][name] = {"arn": name, "status": "unreadable", "policy": None,
                                          "policy_status": "unreadable", "message": "AccessDenied"}
    elif where == "roles":
        for name in chosen(sorted(mutated.get("roles") or {})):
            mutated["roles"][name] = {"arn": name, "status": "unreadable", "message": "AccessDenied"}
    return mutated


def fail_keys(report: dict[str, Any]) -> set[tuple[Any, ...]]:
    """What each decided failure is about (a method finding's pool is context, not its subject)."""
    return {(f["rule"], f["account"], f["region"], f["api_id"], f["path"], f["method"], f["stage"],
             f["pool_id"] if f["scope"] in ("pool", "client") else None, f["client_id"], f["authorizer"])
            for f in report["findings"] if f["outcome"] == "fail"}


def verdicts(report: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    return {(m["api_id"], m["path"], m["method"]): m["verdict"] for m in report["methods"]}


def assert_no_decision_on_doubt(snapshot: dict[str, Any], mutated: dict[str, Any], what: str) -> None:
    """No decided failure that the full snapshot does not decide. Traffic can only take a decision back (a
    prediction contradicted by successful requests is undecided); a failed read that leaves the traffic
    unattributable falls back to what the configuration alone decides, which is not a decision on doubt."""
    before, after = judge(snapshot, None, None, RULES), judge(mutated, None, None, RULES)
    configuration_only = judge({**snapshot, "traffic": {}}, None, None, RULES)
    added = fail_keys(after) - fail_keys(before) - fail_keys(configuration_only)
    assert not added, f"{what}: a failed read produced decided failures {sorted(added)}"
    old = verdicts(before)
    for key, verdict in verdicts(after).items():
        assert not (old.get(key) == "unknown" and verdict == "ok"), f"{what}: {key} went from unknown to ok"
        if old.get(key) not in (None, "ok") and verdict == "ok":
            pytest.fail(f"{what}: {key} went from {old[key]} to ok")


@pytest.mark.parametrize("where, field, value", UNREADABLE, ids=[f"{w}.{f}" for w, f, _ in UNREADABLE])
def test_every_unreadable_list_of_the_demo_is_doubt_not_a_verdict(demo_snapshot, where, field, value):
    assert_no_decision_on_doubt(demo_snapshot, unread(demo_snapshot, where, field, value, [True]), f"{where}.{field}")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(changes=st.lists(st.tuples(st.sampled_from(UNREADABLE), st.lists(st.booleans(), min_size=1, max_size=4)),
                        min_size=1, max_size=4), base=st.sampled_from(["demo", "fuzz"]))
def test_any_combination_of_failed_reads_decides_nothing_new(demo_snapshot, changes, base):
    snapshot = demo_snapshot if base == "demo" else BASE
    mutated = snapshot
    for (where, field, value), pick in changes:
        mutated = unread(mutated, where, field, value, pick)
    assert_no_decision_on_doubt(snapshot, mutated, str(changes))


def test_unread_methods_are_unknown_with_the_iam_action(demo_snapshot):
    mutated = unread(demo_snapshot, "http_apis", "authorizers", None, [True])
    report = judge(mutated, None, None, RULES)
    rows = [m for m in report["methods"] if m["api_type"] == "HTTP" and m["authorization"] == "JWT"]
    assert rows and all("GetAuthorizers" in m["unread"] for m in rows)
    # Nothing else decides mobile-bff's routes: unknown. (A route missing from a stage's deployment still fails, and
    # so does an authorized $default that catches CORS preflights: the route's own authorization type says it.)
    bff = [m for m in rows if m["api_name"] == "mobile-bff"]
    assert {m["verdict"] for m in bff if m["findings"] != ["HTTP007"]} == {"unknown"}
    assert {m["verdict"] for m in bff if m["findings"] == ["HTTP007"]} == {"fail"}
    stages = judge(unread(demo_snapshot, "rest_apis", "stages", None, [True]), None, None, RULES)
    assert {m["stages"] is None for m in stages["methods"] if m["api_type"] == "REST"} == {True}
    unused = judge(unread(demo_snapshot, "rest_apis", "resources", None, [True]), None, None, RULES)
    assert not [f for f in unused["findings"] if f["rule"] == "APIGW012" and f["outcome"] == "fail"]
    assert [f for f in unused["findings"] if f["rule"] == "APIGW012" and f["outcome"] == "unknown"]
