"""`apigw-scan token`: look the method up through the scan's collection and facts, then diagnose the token."""

from __future__ import annotations

from typing import Any

import boto3

from ..collect.account import collect_account
from ..collect.calls import CallLog
from ..collect.live import test_invoke_authorizer
from ..collect.session import Clients, resolve_regions
from ..model.facts import build_facts
from ..model.normalize import normalize_snapshot
from ..report import method_row
from ..scan import check_filters
from .checks import diagnose
from .decode import decode
from .jwks import KeyStore
from .target import find_target

EXIT_CODES = {"accepted": 0, "rejected": 1, "undecided": 2}


def token_report(session: boto3.Session, regions: list[str] | None, api: str, path: str, verb: str,
                 stage: str | None, pasted: str, jwks: str | None, live: bool) -> dict[str, Any]:
    keys = KeyStore(override=jwks)  # a bad --jwks is a usage error before any AWS call
    chosen = resolve_regions(session, regions)
    log = CallLog()
    snapshot = normalize_snapshot(collect_account(session, chosen, [api], call_log=log, traffic_days=None))
    check_filters(snapshot, [api], stage)
    target = find_target(build_facts(snapshot), snapshot, method_row, api, path, verb, stage)
    result = diagnose(pasted, target, keys)
    result["live"] = None
    if live and target.authorizer_id:
        region = target.method["region"]
        result["live"] = test_invoke_authorizer(Clients(session, log), log, region, target.method["api_id"],
                                                target.authorizer_id, target.identity_header or "Authorization",
                                                decode(pasted).cleaned)
    result["errors"] = [{key: error.get(key) for key in ("region", "service", "operation", "iam_action", "message")}
                        for error in log.errors]
    return result
