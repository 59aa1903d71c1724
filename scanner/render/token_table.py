"""The human answer of `token`: the verdict, what the method takes, the claims, and every reason."""

from __future__ import annotations

import textwrap
from typing import Any

from .escape import escaped
from .width import DEFAULT_WIDTH as WIDTH


def render_token(result: dict[str, Any]) -> str:
    result = escaped(result)  # claims, headers and names are the token's and AWS's text
    method = result["method"]
    where = f"{method['method']} {method['path']} of {method['api_name']} ({method['api_id']}, {method['region']})"
    stage = f", stage {result['stage']}" if result.get("stage") else ""
    through = (result.get("caller") or {}).get("through")
    if through:  # --via-cloudfront: the token is sent through a distribution
        domain = f" ({through['distribution_domain']})" if through.get("distribution_domain") else ""
        behaviour = "" if through["behaviour"] == "default" else f", behaviour {through['behaviour']}"
        stage += f", through CloudFront {through['distribution_id']}{domain}{behaviour}"
    status = result.get("status")
    answered = f" ({status}: {', '.join(result.get('rules') or [])})" if status not in (None, "pass", "unknown") \
        and result.get("rules") else f" ({status})" if status not in (None, "pass", "unknown") else ""
    lines = [f"{where}{stage}: {result['verdict'].upper()}{answered}", f"  takes: {_takes(method)}"]
    lines += _claims(result["claims"])
    if result["findings"]:
        lines += ["", f"Why ({len(result['findings'])})"]
        for finding in result["findings"]:
            label = finding["rule"] + ("?" if finding["outcome"] == "unknown" else "")
            if finding.get("expected") is None:  # a rule's finding about the method, not a check of the token
                lines += textwrap.wrap(finding["message"], WIDTH, initial_indent=f"  {label:<9} ",
                                       subsequent_indent=" " * 12, break_on_hyphens=False)  # IDs stay whole
                continue
            lines.append(f"  {label:<9} expected: {finding['expected']}")
            lines += textwrap.wrap(f"actual: {finding['actual']}", WIDTH, initial_indent=" " * 12,
                                   subsequent_indent=" " * 14)
            lines += textwrap.wrap(finding["message"], WIDTH, initial_indent=" " * 12, subsequent_indent=" " * 12)
    for note in result.get("notes") or []:
        lines += textwrap.wrap(f"note: {note}", WIDTH, initial_indent="  ", subsequent_indent="    ")
    live = result.get("live")
    if live:
        said = (f"clientStatus {live.get('client_status')} in {live.get('latency_ms')} ms" if live["status"] == "ok"
                else f"could not ask ({live.get('message')})")
        lines += ["", f"API Gateway's own authorizer test (--live): {said}"]
    for error in result.get("errors") or []:
        lines += textwrap.wrap(f"could not read: {error['service']}:{error['operation']} (needs {error['iam_action']})"
                               f": {error['message']}", WIDTH, initial_indent="  ", subsequent_indent="    ")
    return "\n".join(lines) + "\n"


def _takes(method: dict[str, Any]) -> str:
    token = method["token"]
    if token == "access":
        scopes = ", ".join(method["scopes"])
        return f"an access token with one of the scopes {scopes} (authorizer {method['authorizer']})"
    if token == "id":
        return f"an ID token (authorizer {method['authorizer']}, no scopes)"
    return str({"iam": "a SigV4-signed request (IAM)", "none": "no token", "lambda": f"what Lambda authorizer "
                f"{method['authorizer']} accepts"}.get(token, token))


def _claims(claims: dict[str, Any]) -> list[str]:
    if not claims:
        return ["  claims: none readable"]
    lines = ["", "Claims (the token itself is never printed)"]
    for name, value in claims.items():
        if isinstance(value, dict) and "utc" in value:
            value = f"{value['utc']} ({value['relative']})"
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        lines.append(f"  {name:<17} {value}")
    return lines
