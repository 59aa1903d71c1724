"""Compares what each stage serves (its deployment, and its canary's) with the live configuration of one method."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..schema.facts import StageComparison
from .deployed import deployed_methods, deployed_routes


@dataclass(frozen=True)
class Serving:
    """One deployment a stage serves: the main one, or the canary that takes a share of its traffic."""

    stage: str
    label: str
    canary: bool
    deployment_id: str | None
    methods: dict[tuple[str, str], dict[str, Any]] | None  # None: the deployment could not be read
    unreadable: str | None
    live: bool = False  # an HTTP stage that deploys automatically: it serves the live routes as they are
    partly_unread: str | None = None  # why the authorizer and scopes it serves could not be read (its summary was)


class StageView:
    """The stages of one API and what each serves (main deployment and canary), parsed once per API."""

    def __init__(self, api: dict[str, Any], stage_filter: str | None) -> None:
        stages = api.get("stages")
        self.known = stages is not None
        self.stages = [stage for stage in stages or [] if isinstance(stage, dict)
                       and (stage_filter is None or stage.get("stageName") == stage_filter)]
        deployments = api.get("deployments") or {}
        self.servings: list[Serving] = []
        for stage in self.stages:
            name = str(stage.get("stageName"))
            if stage.get("serves_live"):  # a template's stage: its deployment takes the template's methods
                self.servings.append(Serving(name, name, False, stage.get("deploymentId"), {}, None, live=True))
                continue
            self.servings.append(_serving(name, name, False, stage.get("deploymentId"), deployments))
            canary = stage.get("canarySettings") or {}
            if canary.get("deploymentId"):
                share = canary.get("percentTraffic")
                label = f"{name} (canary, {share:g}% of traffic)" if isinstance(share, (int, float)) else \
                    f"{name} (canary)"
                self.servings.append(_serving(name, label, True, canary.get("deploymentId"), deployments))

    @classmethod
    def for_http(cls, api: dict[str, Any], stage_filter: str | None) -> StageView:
        """An HTTP API's stages: those that deploy automatically serve the live routes; the others their
        deployment (read through ExportApi), or nothing."""
        view = cls.__new__(cls)
        stages = api.get("stages")
        view.known = stages is not None
        view.stages = [{"stageName": stage.get("StageName"), "deploymentId": stage.get("DeploymentId")}
                       for stage in stages or [] if stage_filter is None or stage.get("StageName") == stage_filter]
        deployments = api.get("deployments") or {}
        view.servings = []
        for stage, raw in zip(view.stages, [s for s in stages or [] if stage_filter is None
                                            or s.get("StageName") == stage_filter], strict=True):
            name, deployment_id = str(stage["stageName"]), stage["deploymentId"]
            if raw.get("AutoDeploy") or raw.get("serves_live"):
                view.servings.append(Serving(name, name, False, deployment_id, {}, None, live=True))
                continue
            deployment = deployments.get(deployment_id or "")
            routes = deployed_routes(deployment.get("export")) if deployment else ({} if not deployment_id else None)
            unreadable = None if routes is not None else (
                f"apigateway:GET on the stage's export (ExportApi) failed: {(deployment or {}).get('export_error')}")
            view.servings.append(Serving(name, name, False, deployment_id, routes, unreadable))
        return view

    @property
    def names(self) -> list[str]:
        return [str(stage.get("stageName")) for stage in self.stages]

    def deployment_id(self, stage: str) -> str | None:
        for candidate in self.stages:
            if candidate.get("stageName") == stage:
                return candidate.get("deploymentId")
        return None

    def deployed_only(self, live: set[tuple[str, str]]) -> list[tuple[str, str]]:
        """Methods a stage still serves that the live API no longer has (deleted, never redeployed)."""
        served = {key for serving in self.servings if not serving.live for key in (serving.methods or {})}
        return sorted(served - live)

    def compare(self, path: str, verb: str, live: dict[str, Any] | None,
                unknown: tuple[str, ...] = ()) -> list[StageComparison]:
        """One entry per stage and canary: what it serves for the method, compared with the live API (`live` None:
        the method was deleted from the live API; the `unknown` fields of the live method were not read)."""
        entries = []
        for serving in self.servings:
            entry = StageComparison(stage=serving.stage, label=serving.label, canary=serving.canary,
                                    deployment_id=serving.deployment_id, served=False, differences=[],
                                    unknown_reason=serving.unreadable, deployed=None)
            if serving.live:
                entry.served = live is not None
            elif serving.methods is not None:
                deployed = serving.methods.get((path, verb))
                entry.served = deployed is not None
                entry.deployed = deployed
                entry.differences = (_differences(serving, verb, path, live, deployed, unknown) if live is not None
                                     else _deleted(serving, verb, path, deployed))
                entry.unknown_reason = _unread_requirements(serving, verb, path, live, deployed)
            entries.append(entry)
        return entries


def _serving(stage: str, label: str, canary: bool, deployment_id: str | None,
             deployments: dict[str, Any]) -> Serving:
    if not deployment_id:
        return Serving(stage, label, canary, None, {}, None)
    deployment = deployments.get(deployment_id)
    if deployment is None:
        return Serving(stage, label, canary, deployment_id, None, "the stage's deployment was not read")
    methods = deployed_methods(deployment)
    error = deployment.get("summary_error") or deployment.get("export_error")
    unreadable = None if methods is not None else f"apigateway:GET on the deployment and its export failed: {error}"
    partly = None if deployment.get("export") is not None else str(deployment.get("export_error") or
                                                                    "its export was not read")
    return Serving(stage, label, canary, deployment_id, methods, unreadable, partly_unread=partly)


# What a method of each authorization type requires beyond the type itself: read from the export, not the summary.
_REQUIREMENTS = {"COGNITO_USER_POOLS": ("authorizer", "scopes"), "JWT": ("authorizer", "scopes"),
                 "CUSTOM": ("authorizer",)}


def _unread_requirements(serving: Serving, verb: str, path: str, live: dict[str, Any] | None,
                         deployed: dict[str, Any] | None) -> str | None:
    """Why what the deployment requires of the method's callers (its authorizer, its scopes) is unknown: the summary
    gave the authorization type, but not the rest. Never silently "the same as the live method"."""
    if live is None or deployed is None or deployed.get("authorization") != live.get("authorization"):
        return None
    missing = [name for name in _REQUIREMENTS.get(str(live.get("authorization")), ()) if name not in deployed]
    if not missing:
        return None
    return (f"which {' and '.join(missing)} stage {serving.label} requires for {verb} {path} could not be read "
            f"({serving.partly_unread or 'the deployment does not say'}): its callers may meet another configuration "
            "than the live API's")


def _deleted(serving: Serving, verb: str, path: str, deployed: dict[str, Any] | None) -> list[str]:
    if deployed is None:
        return []
    return [f"{verb} {path} was deleted from the live API, but stage {serving.label} still serves it "
            f"(authorization {_shown(deployed.get('authorization'))}, deployment {serving.deployment_id})"]


def _differences(serving: Serving, verb: str, path: str, live: dict[str, Any], deployed: dict[str, Any] | None,
                 unknown: tuple[str, ...] = ()) -> list[str]:
    stage = serving.label
    if deployed is None:
        why = (f"its deployment {serving.deployment_id} does not contain it" if serving.deployment_id
               else "the stage has no deployment")
        return [f"{verb} {path} is not deployed to stage {stage} ({why})"]
    differences = []
    for field, label in (("authorization", "authorization type"), ("authorizer", "authorizer"),
                         ("scopes", "scopes"), ("provider_arns", "authorizer's user pools"),
                         ("api_key_required", "API key required")):
        if field not in deployed or field in unknown or (deployed[field] is None and field == "provider_arns"):
            continue
        if field in ("authorizer", "scopes", "provider_arns") and live.get("authorization") != deployed.get(
                "authorization"):
            continue  # a different authorization type already says it
        if _normal(deployed[field]) != _normal(live.get(field)):
            differences.append(f"{label}: stage {stage} serves {_shown(deployed[field])}, "
                               f"the live API has {_shown(live.get(field))}")
    return differences


def _normal(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(value, key=str)
    if value in (None, "", []):
        return None
    return value


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]" if value else "none"
    if value is None or value == "":
        return "none"
    return str(value)


def judged_stages(comparison: list[StageComparison], live: bool) -> list[str]:
    """The stages that serve a method's record as it is (a deleted method: as they still serve it), and those
    whose deployment could not be read (nothing tells them apart)."""
    return [entry.stage for entry in comparison if not entry.canary and (
        entry.unknown_reason is not None or (entry.served and (not entry.differences or not live)))]


def served_differently(comparison: list[StageComparison]) -> list[StageComparison]:
    """The stages (not canaries) whose deployment serves the method in another form than the live API."""
    return [entry for entry in comparison
            if not entry.canary and entry.served and entry.differences and entry.deployed is not None]


def as_served(method: dict[str, Any], deployed: dict[str, Any], authorizer_ids: dict[str, str],
              guarded: tuple[str, ...]) -> dict[str, Any]:
    """A live method's configuration (as a fact builder's method dict) with what a stage's deployment serves
    instead: authorization type, authorizer (by name), scopes, API key (fields the deployment does not give keep
    their live value)."""
    authorization = str(deployed.get("authorization") or method["authorization"])
    served = {**method, "authorization": authorization,
              "api_key_required": bool(deployed.get("api_key_required", method["api_key_required"]))}
    if authorization not in guarded:
        return {**served, "authorizer_id": None, "authorizer": None, "scopes": []}
    name = deployed.get("authorizer", method["authorizer"])
    authorizer_id = authorizer_ids.get(str(name)) if "authorizer" in deployed else method["authorizer_id"]
    scopes = deployed.get("scopes", method["scopes"]) if authorization in ("COGNITO_USER_POOLS", "JWT") else []
    return {**served, "authorizer_id": authorizer_id, "authorizer": name if authorizer_id else None,
            "scopes": sorted(scopes or [])}
