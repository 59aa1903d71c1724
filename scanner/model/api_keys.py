"""Whether a method that requires an API key can be called: the key source, and each stage's usage plans and keys."""

from __future__ import annotations

from typing import Any

from ..schema.facts import ApiKeyStage, MethodFacts

USAGE_UNREAD = "the region's usage plans could not be read (apigateway:GET, GetUsagePlans)"
_KEYS_OUTSIDE_TEMPLATE = ("the template gives usage plan(s) {plans} no API key it creates: keys added elsewhere (by "
                          "hand, or by another stack) are known only once it is deployed (scan the account then)")
USAGE_OUTSIDE_TEMPLATE = ("the template creates no usage plan: whether one made elsewhere (another stack, or after "
                          "deployment) holds the stage is known only once it is deployed (scan the account then)")


def add_api_key_facts(record: MethodFacts, api: dict[str, Any], usage: dict[str, Any] | None,
                      template: bool = False) -> None:
    """API Gateway checks a required key against the usage plans of the stage the request arrives on: no plan,
    or no enabled key in its plans, is 403 for every caller (docs: "Usage plans and API keys")."""
    if record.api_type != "REST" or not record.api_key_required or not record.live:
        return
    if api.get("api_key_source") == "AUTHORIZER" and record.authorization != "CUSTOM":
        record.api_key_source_problem = ("the API takes API keys from its Lambda authorizer (apiKeySource "
                                         "AUTHORIZER), but the method has no Lambda authorizer to return one")
    keys_enabled = None if usage is None or usage.get("api_keys") is None else \
        {str(key.get("id")): key.get("enabled") is True for key in usage["api_keys"]}
    for stage in record.stages or []:
        record.api_key_stages.append(_stage(record, stage, usage, keys_enabled, template))


def _stage(record: MethodFacts, stage: str, usage: dict[str, Any] | None,
           keys_enabled: dict[str, bool] | None, template: bool) -> ApiKeyStage:
    entry = ApiKeyStage(stage=stage, plan_ids=[], enabled_keys=None, disabled_key_ids=[], problem=None,
                        unknown_reason=None)
    if record.api_key_source_problem:
        entry.problem = record.api_key_source_problem
        return entry
    if usage is None or usage.get("plans") is None:
        entry.unknown_reason = USAGE_OUTSIDE_TEMPLATE if template else USAGE_UNREAD
        return entry
    plans = [plan for plan in usage["plans"] if any(
        item.get("apiId") == record.api_id and item.get("stage") == stage for item in plan.get("apiStages") or [])]
    entry.plan_ids = [str(plan.get("id")) for plan in plans]
    if not plans:
        entry.problem = (f"stage {stage} is in no usage plan, so no API key is valid there: every request gets "
                         "403 Forbidden")
        return entry
    unread = [str(plan.get("id")) for plan in plans if plan.get("keys") is None]
    if unread and template:
        entry.unknown_reason = _KEYS_OUTSIDE_TEMPLATE.format(plans=", ".join(unread))
        return entry
    if unread or keys_enabled is None:
        entry.unknown_reason = (f"the keys of usage plan(s) {', '.join(unread)} could not be read (apigateway:GET, "
                                "GetUsagePlanKeys)" if unread else
                                "the region's API keys could not be read (apigateway:GET, GetApiKeys)")
        return entry
    plan_keys = {str(key.get("id")) for plan in plans for key in plan.get("keys") or []}
    if template and (not plan_keys or plan_keys - set(keys_enabled)):
        # API keys are often issued by hand, or by another stack, once the API exists.
        entry.unknown_reason = _KEYS_OUTSIDE_TEMPLATE.format(plans=", ".join(entry.plan_ids))
        return entry
    entry.enabled_keys = sum(1 for key in plan_keys if keys_enabled.get(key))
    entry.disabled_key_ids = sorted(key for key in plan_keys if key in keys_enabled and not keys_enabled[key])
    if not entry.enabled_keys:
        names = ", ".join(str(plan.get("name") or plan.get("id")) for plan in plans)
        entry.problem = (f"the usage plan(s) of stage {stage} ({names}) hold no enabled API key: no key passes, "
                         "every request gets 403 Forbidden")
    return entry


def separate_key_stages(record: MethodFacts, served: MethodFacts) -> None:
    """A method's own record and the record of what one stage serves each keep the API-key stages they decide: the
    stage's record its stage when its key requirement differs, the method's record the others."""
    if served.api_key_required == record.api_key_required:
        served.api_key_stages = []
    else:
        record.api_key_stages = [entry for entry in record.api_key_stages if entry.stage != served.serving_stage]
