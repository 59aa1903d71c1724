"""Compares what each stage serves (its deployment) with the live configuration of one method."""

from __future__ import annotations

from typing import Any

from ..schema.facts import StageComparison
from .deployed import deployed_methods


class StageView:
    """The stages of one API and what each serves, parsed once per API."""

    def __init__(self, api: dict[str, Any], stage_filter: str | None) -> None:
        stages = api.get("stages")
        self.known = stages is not None
        self.stages = [stage for stage in stages or [] if isinstance(stage, dict)
                       and (stage_filter is None or stage.get("stageName") == stage_filter)]
        deployments = api.get("deployments") or {}
        self.served: dict[str, dict[tuple[str, str], dict[str, Any]] | None] = {}
        self.unreadable: dict[str, str] = {}
        for stage in self.stages:
            name = str(stage.get("stageName"))
            deployment = deployments.get(stage.get("deploymentId") or "")
            if not stage.get("deploymentId"):
                self.served[name] = {}
            elif deployment is None:
                self.served[name] = None
                self.unreadable[name] = "the stage's deployment was not read"
            else:
                self.served[name] = deployed_methods(deployment)
                if self.served[name] is None:
                    self.unreadable[name] = ("apigateway:GET on the deployment and its export failed: "
                                             f"{deployment.get('summary_error') or deployment.get('export_error')}")

    @property
    def names(self) -> list[str]:
        return [str(stage.get("stageName")) for stage in self.stages]

    def deployment_id(self, stage: str) -> str | None:
        for candidate in self.stages:
            if candidate.get("stageName") == stage:
                return candidate.get("deploymentId")
        return None

    def compare(self, path: str, verb: str, live: dict[str, Any],
                unknown: tuple[str, ...] = ()) -> list[StageComparison]:
        """One entry per stage: what it serves for the method, compared with the live API (the `unknown` fields of
        the live method could not be read, and are not compared)."""
        entries = []
        for stage in self.names:
            served = self.served.get(stage)
            entry = StageComparison(stage=stage, deployment_id=self.deployment_id(stage), served=False,
                                    differences=[], unknown_reason=self.unreadable.get(stage), deployed=None)
            if served is not None:
                deployed = served.get((path, verb))
                entry.served = deployed is not None
                entry.deployed = deployed
                entry.differences = _differences(stage, entry.deployment_id, verb, path, live, deployed, unknown)
            entries.append(entry)
        return entries


def _differences(stage: str, deployment_id: str | None, verb: str, path: str, live: dict[str, Any],
                 deployed: dict[str, Any] | None, unknown: tuple[str, ...] = ()) -> list[str]:
    if deployed is None:
        why = f"its deployment {deployment_id} does not contain it" if deployment_id else "the stage has no deployment"
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
