"""`make bench`, a fleet (issue 25): an organization of ACCOUNTS accounts x 3 regions on moto.server (in this
process, threaded), every call answered after 30-80 ms and API Gateway's quota enforced per account and region
(10 requests a second, a burst of 40; beyond them a 429) by a layer in front of the emulator — never in the scanner.
Each (account, region) unit holds a REST API of four methods behind a Cognito authorizer and its pool of two app
clients (one without the scope a method needs: every unit has findings).

Scanned twice by `apigw-scan scan --accounts FILE --role-name audit`, in processes of their own: by one process, and
as 8 shards (--shard K/8, one after another here: 8 pods side by side in a cluster) and a `merge`: wall time, AWS
calls, CPU and peak memory of each. The emulator's own CPU (moto is a slow server) shares this machine's 2 cores
with the scanner: against AWS the scan is bound by latency and quotas, not by the emulator.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # replicate.py

from judging import measured

from scanner.demo import seed

ACCOUNTS = int(os.environ.get("BENCH_FLEET_ACCOUNTS", "200"))
REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2")
SHARDS = 8
LATENCY = (0.030, 0.080)
QUOTA = (10.0, 40.0)  # API Gateway: requests a second and burst, per account and region


class _Paced:
    """A WSGI layer in front of the emulator: latency on every call, API Gateway's quota per account and region."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.on = False
        self.lock = threading.Lock()
        self.buckets: dict[str, list[float]] = {}
        self.calls = 0
        self.throttled = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not self.on:
            return self.app(environ, start_response)
        time.sleep(random.uniform(*LATENCY))
        scope = environ.get("HTTP_AUTHORIZATION", "").partition("Credential=")[2].split(",")[0].split("/")
        with self.lock:
            self.calls += 1
        if len(scope) > 3 and scope[3] == "apigateway" and not self._allowed(f"{scope[0]}/{scope[2]}"):
            start_response("429 Too Many Requests", [("Content-Type", "application/json"),
                                                     ("x-amzn-ErrorType", "TooManyRequestsException")])
            return [b'{"message": "Too Many Requests"}']
        return self.app(environ, start_response)

    def _allowed(self, key: str) -> bool:
        rate, burst = QUOTA
        with self.lock:
            now = time.monotonic()
            tokens, updated = self.buckets.get(key, [burst, now])
            tokens = min(burst, tokens + (now - updated) * rate)
            if tokens < 1:
                self.buckets[key] = [tokens, now]
                self.throttled += 1
                return False
            self.buckets[key] = [tokens - 1, now]
            return True


def _server() -> tuple[Any, _Paced, str]:
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *_: Any) -> None:
            return None

    from scanner.demo.moto_extensions import install

    install()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    paced = _Paced(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", port, paced, threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, paced, f"http://127.0.0.1:{port}"


def _seed(endpoint: str) -> list[str]:
    """The organization: ACCOUNTS accounts (the first the management account), each region one unit."""
    base = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGIONS[0])
    organizations = base.client("organizations", endpoint_url=endpoint, region_name="us-east-1")
    organizations.create_organization(FeatureSet="ALL")
    accounts = ["123456789012"] + [organizations.create_account(AccountName=f"a{n}", Email=f"a{n}@example.com")
                                   ["CreateAccountStatus"]["AccountId"] for n in range(ACCOUNTS - 1)]

    def unit(job: tuple[str, str]) -> None:
        account, region = job
        session = base
        if account != accounts[0]:
            credentials = base.client("sts", endpoint_url=endpoint).assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/audit", RoleSessionName="seed")["Credentials"]
            session = boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                                    aws_secret_access_key=credentials["SecretAccessKey"],
                                    aws_session_token=credentials["SessionToken"], region_name=region)
        cognito = session.client("cognito-idp", endpoint_url=endpoint, region_name=region)
        apigateway = session.client("apigateway", endpoint_url=endpoint, region_name=region)
        pool = seed.create_pool(cognito, f"users-{region}", domain=f"u{account}-{region}",
                                resource_servers={"orders": ["read", "write"]})
        seed.create_client(cognito, pool["id"], "web", **seed.web_client_settings(["orders/read"]))
        seed.create_client(cognito, pool["id"], "batch", **seed.web_client_settings(["orders/read"]))
        api_id = seed.create_rest_api(apigateway, f"orders-{region}")
        authorizer = seed.add_cognito_authorizer(apigateway, api_id, "users", [pool["arn"]])
        for path, verb, scopes in (("/orders", "GET", ["orders/read"]), ("/orders", "POST", ["orders/write"]),
                                   ("/orders/{id}", "GET", ["orders/read"]), ("/health", "GET", [])):
            seed.add_method(apigateway, api_id, path, verb, authorization="COGNITO_USER_POOLS",
                            authorizer_id=authorizer, scopes=scopes)
        seed.deploy(apigateway, api_id, "prod")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(unit, [(account, region) for account in accounts for region in REGIONS]))
    return accounts


def fleet() -> bool:
    print(f"\nA fleet: {ACCOUNTS} accounts x {len(REGIONS)} regions on moto.server, {LATENCY[0] * 1000:.0f}-"
          f"{LATENCY[1] * 1000:.0f} ms a call, API Gateway's quota per account and region ({QUOTA[0]:.0f}/s, burst "
          f"{QUOTA[1]:.0f}); one process, then 8 shards (one after another here) and a merge")
    server, paced, endpoint = _server()
    started = time.perf_counter()
    accounts = _seed(endpoint)
    print(f"seeded {len(accounts) * len(REGIONS)} units in {time.perf_counter() - started:.0f} s")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION=REGIONS[0])
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as folder:
        work = Path(folder)
        listed = work / "accounts.txt"
        listed.write_text("\n".join(accounts) + "\n")
        command = [sys.executable, "-m", "scanner", "scan", "--accounts", str(listed), "--role-name", "audit",
                   *(option for region in REGIONS for option in ("--region", region)), "--format", "json",
                   "--fail-on", "never", "--quiet", "--progress", "none"]
        paced.on = True
        print(f"{'run':<24} {'wall s':>7} {'CPU s':>7} {'peak MB':>8} {'calls':>6} {'429s':>5} {'methods':>8} "
              f"{'errors':>7}")

        def run(label: str, arguments: list[str], output: Path) -> dict[str, Any]:
            throttled = paced.throttled
            row = measured([*arguments, "--output", str(output)], env)
            if row["code"] not in (0, 1):
                print(f"  exit {row['code']}: {row['errors']}")
            report = json.loads(output.read_text()) if output.exists() else {}
            row.update(calls=report.get("calls", 0), methods=len(report.get("methods") or []),
                       errors=len(report.get("errors") or []), throttled=paced.throttled - throttled)
            print(f"{label:<24} {row['wall']:>7.1f} {row['cpu']:>7.1f} {row['peak_mb']:>8.0f} {row['calls']:>6} "
                  f"{row['throttled']:>5} {row['methods']:>8} {row['errors']:>7}")
            return row

        whole = run("one process", command, work / "whole.json")
        shards = [run(f"shard {number}/{SHARDS}", [*command, "--shard", f"{number}/{SHARDS}"],
                      work / f"shard-{number}.json") for number in range(SHARDS)]
        paced.on = False
        merged = run("merge of the 8", [sys.executable, "-m", "scanner", "merge",
                                        *(str(work / f"shard-{number}.json") for number in range(SHARDS)),
                                        "--format", "json", "--fail-on", "never", "--quiet"], work / "merged.json")
        longest = max(shard["wall"] for shard in shards)
        print(f"\n8 shards side by side (8 pods): the longest shard {longest:.1f} s + merge {merged['wall']:.1f} s = "
              f"{longest + merged['wall']:.1f} s, against {whole['wall']:.1f} s for one process; peak memory "
              f"{max(shard['peak_mb'] for shard in shards):.0f} MB a shard, {whole['peak_mb']:.0f} MB for one "
              f"process; calls {sum(shard['calls'] for shard in shards)} in shards, {whole['calls']} in one process "
              f"({whole['calls'] / (len(accounts) * len(REGIONS)):.1f} a unit)")
        same = json.loads((work / "whole.json").read_text())["summary"] == \
            json.loads((work / "merged.json").read_text())["summary"]
        print(f"the merged report's summary is the one process's: {'yes' if same else 'NO'}")
        units = len(accounts) * len(REGIONS)
        ok = same and whole["methods"] == merged["methods"] == units * 4 and whole["errors"] == 0
    server.shutdown()
    return ok


if __name__ == "__main__":
    sys.exit(0 if fleet() else 1)
