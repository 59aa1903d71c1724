"""HTTP API stages whose throttling (the stage's default, or a route's own) lets no request through: 429 only."""

from __future__ import annotations

import json
from typing import Any

from ..schema.facts import ZeroThrottle

RATE, BURST = "ThrottlingRateLimit", "ThrottlingBurstLimit"
# The account's default quota for HTTP APIs per region (docs: "Amazon API Gateway quotas"): what a stage gets when
# it sets no limit of its own, and what the fix writes back.
ACCOUNT_RATE, ACCOUNT_BURST = 10000, 5000


def zero_throttles(route_key: str, stages: list[dict[str, Any]]) -> list[ZeroThrottle]:
    """The stages where the route's effective rate or burst is 0. A route's own settings override the stage's
    default one field at a time; a field set nowhere is the account's quota (unset is not 0)."""
    found = []
    for stage in stages:
        default = stage.get("DefaultRouteSettings") or {}
        own = (stage.get("RouteSettings") or {}).get(route_key) or {}
        rate = own.get(RATE, default.get(RATE))
        burst = own.get(BURST, default.get(BURST))
        if rate != 0 and burst != 0:
            continue
        from_route = (RATE in own and own[RATE] == 0) or (BURST in own and own[BURST] == 0)
        reset = {**default, RATE: ACCOUNT_RATE, BURST: ACCOUNT_BURST}
        found.append(ZeroThrottle(stage=str(stage.get("StageName")), setting="route" if from_route else "default",
                                  settings_name="RouteSettings" if from_route else "DefaultRouteSettings",
                                  rate=rate, burst=burst,
                                  default_route_settings=json.dumps(reset, separators=(",", ":"), sort_keys=True)))
    return found
