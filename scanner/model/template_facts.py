"""What a template says of a REST API's deployments, in words: a deployment that may come before the methods it
should serve (IAC001), a change no new deployment carries to the stages (IAC002); for Terraform, whether each
deployment is replaced when the API changes (IAC003)."""

from __future__ import annotations

from typing import Any

from ..schema.facts import ApiFacts, DeploymentTrigger, DeploymentWait


def add_template_facts(record: ApiFacts, iac: dict[str, Any] | None) -> None:
    if not iac:
        return
    record.template_tool = iac.get("tool")
    record.deployment_triggers = [
        DeploymentTrigger(deployment=str(entry.get("deployment")), coverage=str(entry.get("coverage") or "none"),
                          problem=entry.get("problem"), unknown_reason=entry.get("unknown_reason"),
                          source=entry.get("source")) for entry in iac.get("deployment_triggers") or []]
    missing: dict[str, list[str]] = iac.get("missing_dependencies") or {}
    sources: dict[str, Any] = iac.get("sources") or {}
    record.deployments_not_waiting = [DeploymentWait(deployment=name, methods=methods, source=sources.get(name))
                                      for name, methods in sorted(missing.items())]
    record.deployment_ids = sorted(missing) or list(iac.get("unchanged_deployments") or [])
    if missing:
        record.deployment_dependency_problem = "; ".join(
            f"deployment {deployment} does not wait for method(s) {', '.join(methods)} (no DependsOn)"
            for deployment, methods in sorted(missing.items()))
    changes, unchanged = iac.get("undeployed_changes") or [], iac.get("unchanged_deployments") or []
    if changes and unchanged:
        record.undeployed_template_change = (
            f"{'; '.join(changes)} since the deployed template, while deployment(s) {', '.join(unchanged)} keep "
            "their logical ID and properties: CloudFormation makes no new deployment, and the stages keep serving "
            "the old configuration")
