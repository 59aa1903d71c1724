"""`scan --terraform DIR` / `--terraform-plan PLAN.json`: a configuration or a plan read into one snapshot of the
shape a live scan collects, each record with the block the user wrote ({file, address, line}). No AWS call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..templates.placeholders import PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION
from .assemble import TerraformOptions, assemble
from .attributes import API_TYPES, physical_id, pool_key
from .config import Configuration, Instance, Settings
from .plan import plan_snapshot
from .shapes import Written
from .triggers import DeploymentKind, deployment_triggers


def terraform_snapshot(options: TerraformOptions) -> dict[str, Any]:
    """One snapshot of the configuration (or the plan), judged like an account's."""
    if options.plan:
        return plan_snapshot(options)
    if not options.folder:
        raise UsageError("--terraform: expected the folder of a root module")
    folder = Path(options.folder)
    if folder.is_file():
        raise UsageError(f"--terraform {options.folder}: is a file; expected the root module's folder (the one that "
                         f"holds it: --terraform {folder.parent})")
    if not folder.is_dir():
        raise UsageError(f"--terraform {options.folder}: no such folder (give the root module's folder)")
    settings = Settings(region=options.region or PLACEHOLDER_REGION, account=options.account or PLACEHOLDER_ACCOUNT,
                        partition=options.partition, var_files=list(options.var_files),
                        variables=dict(options.variables), region_given=bool(options.region))
    configuration = Configuration(folder, options.folder, settings)
    instances = configuration.all_instances()
    items = [written(configuration, instance) for instance in instances]
    by_address = {instance.address: instance for instance in instances}

    def triggers(api_id: str, api_address: str, kind: DeploymentKind) -> list[dict[str, Any]]:
        return deployment_triggers(configuration, api_id, api_address, instances, kind) \
            if api_address in by_address else []
    notes = configuration.notes
    if not settings.region_given:
        notes.append(f"no --region and no region in the aws provider block: the configuration's region is "
                     f"{settings.region}, a placeholder")
    return assemble(items, settings.region, settings.account, settings.partition, triggers, notes, "terraform")


def written(configuration: Configuration, instance: Instance) -> Written:
    if instance.type in API_TYPES:
        logical = physical_id(configuration, instance)
    elif instance.type == "aws_cognito_user_pool":
        logical = pool_key(configuration, instance)
    else:
        logical = instance.address
    return Written(instance.address, instance.type, instance.argument, instance.get, instance.block.file,
                   instance.block.line, logical)
