"""`apigw-scan token`: collect the API (read-only), judge it as the scan does, and answer for the token."""

from __future__ import annotations

from typing import Any

import boto3

from ..collect.account import collect_account
from ..collect.calls import CallLog
from ..collect.live import test_invoke_authorizer
from ..collect.session import Clients, resolve_regions
from ..judgement import check_filters, judge_snapshot
from ..model.normalize import normalize_snapshot
from ..rules.loader import Rule
from .answer import answer, token_target
from .decode import decode
from .jwks import KeyStore

EXIT_CODES = {"accepted": 0, "rejected": 1, "undecided": 2}


def token_report(session: boto3.Session, regions: list[str] | None, api: str, path: str, verb: str,
                 stage: str | None, pasted: str, jwks: str | None, live: bool, rules: list[Rule],
                 via_cloudfront: str | None = None) -> dict[str, Any]:
    keys = KeyStore(override=jwks)  # a bad --jwks is a usage error before any AWS call
    chosen = resolve_regions(session, regions)
    log = CallLog()
    snapshot = collect_account(session, chosen, [api], call_log=log, traffic_days=None)
    check_filters(normalize_snapshot(snapshot), [api], stage)
    judged = judge_snapshot(snapshot, [api], None, rules)  # the whole API, as `matrix` judges it; then the stage
    target = token_target(judged, api, path, verb, stage, via_cloudfront)
    result = answer(pasted, judged, target, keys, rules)
    result["live"] = None
    if live and target.authorizer_id:
        result["live"] = test_invoke_authorizer(Clients(session, log), log, target.method["region"],
                                                target.method["api_id"], target.authorizer_id,
                                                target.identity_header or "Authorization", decode(pasted).cleaned)
    result["errors"] = [{key: error.get(key) for key in ("region", "service", "operation", "iam_action", "message")}
                        for error in log.errors]
    return result
