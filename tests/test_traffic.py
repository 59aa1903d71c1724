"""Predictions checked against traffic: CloudWatch's API Gateway metrics beside every verdict (TRF001 too).

Metrics and dimensions as AWS documents them ("Amazon API Gateway dimensions and metrics", "Monitor CloudWatch
metrics for HTTP APIs"): REST Count/4XXError/5XXError by ApiName (non-ASCII characters stripped; the API ID
when none is left), Stage, and Method+Resource with detailed metrics; HTTP Count/4xx/5xx by ApiId likewise. The
emulator stores PutMetricData and answers GetMetricData (its answer is checked against botocore's model below).
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.validate import validate_parameters

from helpers import REGION, RULES, assert_fires, deleted_pool_api, deny, findings, method_row, rule_ids
from scanner.cli import main
from scanner.collect.account import collect_account
from scanner.collect.calls import CallLog
from scanner.report import exit_code
from scanner.scan import judge


@pytest.fixture
def cloudwatch(account):
    return account.session.client("cloudwatch", region_name=REGION)


@pytest.fixture
def v2(account):
    return account.session.client("apigatewayv2", region_name=REGION)


def rest_api(account, name="shop", *, detailed=True, pool=None, methods=(("/orders", "GET"),)):
    pool = pool or account.healthy_pool()
    api = account.cognito_api(pool["arn"], name=name, methods=tuple((path, verb, []) for path, verb in methods))
    if detailed:
        account.seed.detailed_metrics(account.apigateway, api["api_id"], "prod")
    return api


def test_method_rows_carry_their_own_figures_with_detailed_metrics(account, cloudwatch):
    rest_api(account)
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/orders", requests=40, client_errors=3,
                                 server_errors=1, hours_ago=2)
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/orders", requests=10, hours_ago=72)
    row = method_row(account.scan(), "GET", "/orders")
    assert row["traffic"] == {"days": 14, "requests": 50, "4xx": 3, "5xx": 1, "scope": "method",
                              "last_day": {"requests": 40, "4xx": 3, "5xx": 1}}


def test_without_detailed_metrics_rows_get_the_stages_totals(account, cloudwatch):
    rest_api(account, detailed=False, methods=(("/orders", "GET"), ("/orders", "POST")))
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/orders", requests=7)
    report = account.scan()
    for verb in ("GET", "POST"):  # the stage's 7 requests: which method served them cannot be told
        assert method_row(report, verb, "/orders")["traffic"]["scope"] == "stage"
        assert method_row(report, verb, "/orders")["traffic"]["requests"] == 7


def test_http_routes_read_by_api_id(account, v2, cloudwatch):
    pool = account.healthy_pool()
    api_id = account.seed.create_http_api(v2, "bff")
    authorizer = account.seed.add_jwt_authorizer(v2, api_id, "jwt", f"https://cognito-idp.{REGION}.amazonaws.com/"
                                                 f"{pool['id']}", [pool["client_id"]])
    account.seed.add_route(v2, api_id, "GET /me", authorization="JWT", authorizer_id=authorizer)
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True,
                    DefaultRouteSettings={"DetailedMetricsEnabled": True})
    account.seed.record_requests(cloudwatch, "HTTP", api_id, "$default", "GET", "/me", requests=12, client_errors=12)
    row = method_row(account.scan(), "GET", "/me")
    assert row["traffic"]["scope"] == "method" and row["traffic"]["4xx"] == 12


def test_rest_metrics_use_the_name_without_non_ascii_characters(account, cloudwatch):
    """AWS docs: API Gateway removes non-ASCII characters from ApiName; with none left, the API ID is the name."""
    pool = account.healthy_pool()
    books = rest_api(account, "Bücher-API", pool=pool)
    orders = rest_api(account, "注文", pool=pool, methods=(("/items", "GET"),))
    account.seed.record_requests(cloudwatch, "REST", "Bcher-API", "prod", "GET", "/orders", requests=5)
    account.seed.record_requests(cloudwatch, "REST", orders["api_id"], "prod", "GET", "/items", requests=6)
    report = account.scan()
    assert method_row(report, "GET", "/orders")["traffic"]["requests"] == 5
    assert method_row(report, "GET", "/items")["traffic"]["requests"] == 6
    assert books["api_id"] != orders["api_id"]


def test_rest_apis_sharing_a_metric_name_get_no_traffic_never_mixed_figures(account, cloudwatch):
    pool = account.healthy_pool()
    rest_api(account, "shop", pool=pool)
    rest_api(account, "shop", pool=pool, methods=(("/carts", "GET"),))
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/orders", requests=5)
    report = account.scan()
    assert {m["traffic"] is None for m in report["methods"]} == {True}
    assert any("send their metrics as ApiName 'shop'" in note for note in report["notes"])


def test_a_confirmed_prediction(account, cloudwatch):
    """APIGW001 predicts that every request fails; the last day's requests all failed: confirmed."""
    deleted_pool_api(account, (("/orders", "GET", []),))
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/orders", requests=30, client_errors=30)
    report = account.scan()
    [finding] = findings(report, "APIGW001")
    assert finding["evidence"] == "confirmed" and finding["requests"] == 30
    assert method_row(report, "GET", "/orders")["verdict"] == "fail"
    assert rule_ids(report) >= {"APIGW001"} and "TRF001" not in rule_ids(report)  # explained: no TRF001


def test_a_contradicted_prediction_is_undecided_never_a_critical(account, cloudwatch):
    deleted_pool_api(account, (("/orders", "GET", []),))
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/orders", requests=30, client_errors=2)
    report = account.scan()
    assert findings(report, "APIGW001") == []
    [unknown] = findings(report, "APIGW001", outcome="unknown")
    assert unknown["evidence"] == "contradicted"
    assert unknown["message"].startswith("Contradicted by traffic: 28 of 30 requests to GET /orders succeeded")
    assert method_row(report, "GET", "/orders")["verdict"] == "unknown"


def test_an_authorizer_finding_is_judged_on_the_methods_it_decides(account, cloudwatch):
    """LAM002 (API Gateway may not invoke the function) on an authorizer: a method it guards served successes."""
    arn = account.seed.create_function(account.lambda_client, account.iam, "auth")
    api_id = account.seed.create_rest_api(account.apigateway, "lam")
    authorizer = account.seed.add_lambda_authorizer(account.apigateway, api_id, "check", arn)
    account.seed.add_method(account.apigateway, api_id, "/x", "GET", authorization="CUSTOM", authorizer_id=authorizer)
    account.seed.deploy(account.apigateway, api_id, "prod")
    account.seed.detailed_metrics(account.apigateway, api_id, "prod")
    account.seed.record_requests(cloudwatch, "REST", "lam", "prod", "GET", "/x", requests=9)
    [unknown] = findings(account.scan(), "LAM002", outcome="unknown")
    assert unknown["evidence"] == "contradicted" and unknown["authorizer"] == "check"


def test_no_traffic_and_totals_that_cannot_single_the_method_out(account, cloudwatch):
    pool = account.healthy_pool()
    gone = pool["arn"].replace(pool["id"], f"{REGION}_Gone1")
    account.cognito_api(gone, methods=(("/orders", "GET", []), ("/orders", "POST", [])))
    [finding] = findings(account.scan(), "APIGW001")
    assert finding["evidence"] == "no-traffic"
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/orders", requests=4)
    [finding] = findings(account.scan(), "APIGW001")  # stage totals with successes: which method had them?
    assert finding["evidence"] is None and finding["outcome"] == "fail"


def test_trf001_fires_when_every_request_fails_for_no_known_cause(account, cloudwatch):
    rest_api(account)
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/orders", requests=25, server_errors=20,
                                 client_errors=5, hours_ago=50)
    report = account.scan()
    [finding] = findings(report, "TRF001")
    assert "all 25 requests of the last 14 days failed (5 answered 4xx, 20 5xx)" in finding["message"]
    assert finding["commands"] == [f"aws apigateway get-stage --region {REGION} --rest-api-id {finding['api_id']} "
                                   "--stage-name prod --query accessLogSettings"]
    assert_fires(report, "TRF001", verdict="fail", severity="high", method="GET", path="/orders")


@pytest.mark.parametrize("requests, failed", [(19, 19), (40, 39)])
def test_trf001_quiet_below_20_requests_or_with_a_success(account, cloudwatch, requests, failed):
    rest_api(account)
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/orders", requests=requests,
                                 server_errors=failed)
    report = account.scan()
    assert findings(report, "TRF001") == [] and report["findings"] == []


def test_a_denied_metrics_read_is_a_note_and_changes_no_verdict(account, cloudwatch):
    rest_api(account)
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/orders", requests=25, server_errors=25)
    deny(account, "cloudwatch.GetMetricData")
    report = account.scan()
    assert report["errors"] == [] and method_row(report, "GET", "/orders")["traffic"] is None
    assert any("cloudwatch:GetMetricData" in note for note in report["notes"])
    assert findings(report, "TRF001") == [] and method_row(report, "GET", "/orders")["verdict"] == "ok"
    without = judge(collect_account(account.session, [REGION], traffic_days=None), None, None, RULES)
    assert [m["verdict"] for m in without["methods"]] == [m["verdict"] for m in report["methods"]]
    assert exit_code(without, "high") == exit_code(report, "high") == 0


def test_one_metrics_call_for_a_region_of_forty_apis_and_no_other_call_changes(account):
    pool = account.healthy_pool()
    for number in range(40):
        account.cognito_api(pool["arn"], name=f"api-{number}")
    with_traffic, without = CallLog(), CallLog()
    collect_account(account.session, [REGION], call_log=with_traffic)
    collect_account(account.session, [REGION], call_log=without, traffic_days=None)
    assert with_traffic.counts.pop("cloudwatch:GetMetricData") == 1
    assert with_traffic.counts == without.counts


def test_the_emulators_answer_matches_botocores_model(account, cloudwatch):
    """moto's GetMetricData answer, as botocore parsed it, validated against the operation's output shape.
    Where moto differs from AWS's documented behaviour: it ignores Namespace once Dimensions are given, does
    not round StartTime, and never paginates (AWS pages past 100,800 data points) — none of which the scan
    relies on (it asks one namespace, rounds its window to the minute, and follows NextToken)."""
    rest_api(account)
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/orders", requests=3)
    answers = []
    account.session._session.register("after-call.cloudwatch.GetMetricData",
                                      lambda parsed, **_: answers.append(parsed))
    account.scan()
    [answer] = answers
    model = boto3.client("cloudwatch", region_name=REGION).meta.service_model.operation_model("GetMetricData")
    validate_parameters({key: value for key, value in answer.items() if key != "ResponseMetadata"},
                        model.output_shape)
    assert answer["MetricDataResults"] and all(r["StatusCode"] == "Complete" for r in answer["MetricDataResults"])


def test_the_snapshot_keeps_the_traffic(account, cloudwatch, tmp_path, capsys):
    rest_api(account)
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/orders", requests=25, server_errors=25)
    saved = tmp_path / "snapshot.json"
    live = tmp_path / "live.json"
    main(["scan", "--region", REGION, "--format", "json", "--output", str(live), "--save-snapshot", str(saved),
          "--fail-on", "never"])
    main(["scan", "--snapshot", str(saved), "--format", "json", "--fail-on", "never"])
    again = json.loads(capsys.readouterr().out)
    first = json.loads(live.read_text())
    assert again["methods"] == first["methods"] and [f["rule"] for f in again["findings"]] == ["TRF001"]
    main(["scan", "--snapshot", str(saved), "--no-traffic", "--format", "json", "--fail-on", "never"])
    assert json.loads(capsys.readouterr().out)["findings"] == []


@pytest.mark.parametrize("args, said", [
    (["--traffic-days", "0"], "expected a number of days from 1 to 455"),
    (["--traffic-days", "500"], "expected a number of days from 1 to 455"),
    (["--traffic-days", "7", "--no-traffic"], "give one"),
    (["--traffic-days", "7", "--snapshot", "x.json"], "does not apply to --snapshot"),
])
def test_traffic_options_are_checked_before_any_call(args, said, capsys):
    assert main(["scan", *args]) == 2
    assert said in capsys.readouterr().err


def test_no_traffic_reads_no_metrics(account, monkeypatch):
    import scanner.collect.region_graph as collector

    rest_api(account)

    def refuse(*_, **__):
        raise AssertionError("--no-traffic read metrics")
    monkeypatch.setattr(collector, "collect_traffic", refuse)
    assert main(["scan", "--region", REGION, "--no-traffic", "--format", "json", "--fail-on", "never"]) == 0


def test_trf001_undecided_when_what_might_explain_it_is_undecided(account, cloudwatch):
    """Every request failed, and the check that would name the cause (the pool) could not be read: the scan
    cannot say it found no cause."""
    deleted_pool_api(account, (("/orders", "GET", []),))
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/orders", requests=30, client_errors=30)
    deny(account, "cognito-idp.ListUserPools")
    report = account.scan()
    assert findings(report, "TRF001") == []
    [unknown] = findings(report, "TRF001", outcome="unknown")
    assert "APIGW001 might explain the failures" in unknown["message"]
    assert method_row(report, "GET", "/orders")["verdict"] == "unknown"
