"""Collection as a graph of reads: each read starts as soon as the reads it needs are in (no phase waits for another,
no account-wide read waits for every region), and the snapshot stays what the collector of phases made.

The snapshots in tests/fixtures/collected/ were written by the collector of phases (main before the graph, run with
`PYTHONPATH=<its checkout> python tests/test_collect_graph.py write`) on the demo account and on a world of three
regions with APIs, one without, and a pool in a region not scanned (tests/worlds.py), with and without --api; the
emulator seeds moto's IDs, so both collectors meet the same account. The new collector must write the same
snapshot, field for field and in the same order, except where the order never meant anything: `errors` (calls made
side by side fail in any order) is compared sorted, and the traffic window's `end` is the minute the scan ran. When
the emulator's IDs change (a new moto, a changed demo) or the snapshot gains a field, write them again: with the
collector of phases while a checkout of it is at hand, then with the current one (the comparison guards against
changes from there on).

The order tests hold a read back (a before-send hook waits on an event, never on the clock) until another read
that must not wait for it has started; the collector of phases fails them."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from scanner.collect.account import collect_account
from scanner.demo import emulated_aws
from scanner.demo.account import seed_demo_account
from worlds import BUSY, seed_regions

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "collected"
WORLDS = {"demo": None, "regions": None, "regions-api-filter": ["shop-0"]}
GATE = 60  # seconds a held read waits at most: a deadlock guard, never a measure


def collected(world: str) -> dict[str, Any]:
    """The snapshot of a world, as the installed collector writes it (normalised: see the docstring); the emulator
    seeds its IDs."""
    with emulated_aws() as session:
        if world == "demo":
            seed_demo_account(session)
            snapshot = collect_account(session, ["eu-west-1"])
        else:
            seed_regions(session, BUSY[:3])
            snapshot = collect_account(session, [*BUSY[:3], "eu-west-2"], api_filter=WORLDS[world])
    normalised = json.loads(json.dumps(snapshot, default=str))
    normalised["errors"] = sorted(normalised["errors"], key=lambda error: json.dumps(error, sort_keys=True))
    for traffic in normalised["traffic"].values():
        traffic["end"] = "(the minute the scan ran)"
    return normalised


@pytest.mark.parametrize("world", list(WORLDS))
def test_the_snapshot_is_the_one_the_collector_of_phases_wrote(world):
    expected = json.loads((FIXTURES / f"{world}.json").read_text())
    found = collected(world)
    assert list(found) == list(expected)  # the same fields, in the same order
    for field in expected:
        assert found[field] == expected[field], field
    assert json.dumps(found) == json.dumps(expected)  # and every nested field in its order


class Held:
    """Holds every call to one operation until another operation has been sent (or GATE seconds have passed)."""

    def __init__(self, session: Any, held: str, until: str) -> None:
        self.released = threading.Event()
        self.held_sent = threading.Event()
        self.waited_out = False
        self.held, self.until = held, until
        session._session.register("before-send", self.before_send)

    def before_send(self, event_name: str = "", **_: Any) -> None:
        service, operation = event_name.split(".")[1:3]
        if f"{service}.{operation}" == self.until:
            self.released.set()
        if f"{service}.{operation}" == self.held:
            self.held_sent.set()
            if not self.released.wait(GATE):
                self.waited_out = True

    def collect(self, session: Any, regions: list[str]) -> dict[str, Any]:
        """The snapshot of `regions`; the held read was sent and released by the other, not by the clock."""
        snapshot = collect_account(session, regions, traffic_days=None)
        assert self.held_sent.is_set() and not self.waited_out
        return snapshot


@pytest.mark.parametrize(("held", "until"), [
    ("api-gateway.GetExport", "cognito-identity-provider.DescribeUserPool"),  # a pool: not after the deployments
    ("api-gateway.GetResources", "api-gateway.GetExport"),  # a deployment needs the stage, not the resources
])
def test_a_read_does_not_wait_for_reads_it_does_not_need(account, held, until):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"])
    snapshot = Held(account.session, held, until=until).collect(account.session, ["eu-west-1"])
    assert snapshot["user_pools"][0]["clients"] and snapshot["rest_apis"][0]["deployments"]
    assert snapshot["rest_apis"][0]["resources"]


def test_a_function_is_read_as_soon_as_an_authorizer_names_it(account):
    """An authorizer's function is read while the region's pools are still being read."""
    function = account.seed.create_function(account.lambda_client, account.iam, "token-check")
    api_id = account.seed.create_rest_api(account.apigateway, "stock")
    authorizer = account.seed.add_lambda_authorizer(account.apigateway, api_id, "token", function)
    account.seed.add_method(account.apigateway, api_id, "/stock", "GET", authorization="CUSTOM",
                            authorizer_id=authorizer)
    account.healthy_pool()
    held = Held(account.session, "cognito-identity-provider.ListUserPoolClients", until="lambda.GetPolicy")
    assert held.collect(account.session, ["eu-west-1"])["functions"][function]["status"] == "found"


def test_a_trigger_is_read_while_another_region_is_still_read(account):
    """The account-wide reads (here a pool's trigger in eu-west-1) do not wait for every region."""
    trigger = account.seed.create_function(account.lambda_client, account.iam, "claims")
    account.seed.create_pool(account.cognito, "users", lambda_config={"PreTokenGeneration": trigger})
    account.session.client("apigateway", region_name="us-east-1").create_rest_api(name="elsewhere")
    held = Held(account.session, "api-gateway.GetResources", until="lambda.GetPolicy")
    assert held.collect(account.session, ["eu-west-1", "us-east-1"])["functions"][trigger]["status"] == "found"


def test_a_read_asked_for_by_several_records_is_made_once(account):
    """Two regions' authorizers name the same function and role: each is read once."""
    function = account.seed.create_function(account.lambda_client, account.iam, "shared-check")
    role = account.iam.create_role(RoleName="invoke", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    for region in ("eu-west-1", "us-east-1"):
        apigateway = account.session.client("apigateway", region_name=region)
        for name in ("a", "b"):
            api_id = account.seed.create_rest_api(apigateway, name)
            account.seed.add_lambda_authorizer(apigateway, api_id, "token", function, role=role)
    from scanner.collect.calls import CallLog

    log = CallLog()
    snapshot = collect_account(account.session, ["eu-west-1", "us-east-1"], call_log=log, traffic_days=None)
    assert log.counts["lambda:GetPolicy"] == 1 and log.counts["iam:GetRole"] == 1
    assert list(snapshot["functions"]) == [function] and list(snapshot["roles"]) == [role]


def write() -> None:
    """Writes the fixtures with the installed collector (see the module's docstring)."""
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for world in WORLDS:
        (FIXTURES / f"{world}.json").write_text(json.dumps(collected(world), separators=(",", ":")) + "\n")


if __name__ == "__main__" and sys.argv[1:] == ["write"]:
    write()
