"""`--terraform-plan PLAN.json`: the output of `terraform show -json PLAN` (Terraform's documented "JSON Output
Format"). Values come from planned_values and resource_changes; a value in after_unknown is unknown, and where
it links resources (a method's rest_api_id) the configuration's references name the resource it will be. The
plan's actions decide IAC003 exactly: the API's resources change, and the deployment is not replaced."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..arns import dns_suffix, partition_of_region
from ..errors import UsageError
from ..templates.placeholders import PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION
from .assemble import TerraformOptions, assemble
from .config import Configuration, Settings
from .shapes import Written
from .triggers import REST, DeploymentKind
from .values import Unknown

MAX_PLAN_BYTES = 200_000_000
CHANGING = ("create", "update", "delete")
_INDEX = re.compile(r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]')
# The attribute an argument takes from a resource its expression references, when an older plan names only the
# resource.
_IMPLIED = {("aws_api_gateway_rest_api", "resource_id"): "root_resource_id",
            ("aws_api_gateway_rest_api", "parent_id"): "root_resource_id",
            ("aws_cognito_user_pool", "provider_arns"): "arn",
            ("aws_lambda_function", "authorizer_uri"): "invoke_arn", ("aws_lambda_function", "uri"): "invoke_arn",
            ("aws_lambda_function", "integration_uri"): "invoke_arn",
            ("aws_lambda_function", "function_name"): "function_name",
            ("aws_iam_role", "authorizer_credentials"): "arn"}
_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d+):")


def load_plan(path: str) -> dict[str, Any]:
    file = Path(path)
    try:
        if file.stat().st_size > MAX_PLAN_BYTES:
            raise UsageError(f"--terraform-plan {path}: larger than {MAX_PLAN_BYTES // 1_000_000} MB, not read")
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--terraform-plan {path}: no such file (write it with terraform show -json PLAN > "
                         f"{path})") from None
    except IsADirectoryError:
        raise UsageError(f"--terraform-plan {path}: is a directory; expected the JSON file terraform show -json PLAN "
                         "writes (the configuration's folder goes to --terraform)") from None
    except OSError as error:
        raise UsageError(f"--terraform-plan {path}: cannot be read ({error.strerror})") from None
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise UsageError(f"--terraform-plan {path}: not JSON (give the output of terraform show -json PLAN, not the "
                         "binary plan file)") from None
    if not isinstance(data, dict) or not isinstance(data.get("format_version"), str) or not isinstance(
            data.get("planned_values"), dict):
        raise UsageError(f"--terraform-plan {path}: not the JSON of a plan (terraform show -json PLAN gives an "
                         "object with format_version and planned_values)")
    return data


class Plan:
    """The plan's resources (planned_values), their changes, and the configuration's references."""

    def __init__(self, data: dict[str, Any], region: str, account: str, partition: str) -> None:
        self.region, self.account, self.partition = region, account, partition
        self.resources: dict[str, dict[str, Any]] = {}
        _collect(data.get("planned_values", {}).get("root_module"), self.resources, 0)
        self.changes: dict[str, dict[str, Any]] = {}
        for change in _list(data.get("resource_changes")):
            if isinstance(change, dict) and isinstance(change.get("address"), str) and isinstance(
                    change.get("change"), dict):
                self.changes[change["address"]] = change
        self.configuration = (data.get("configuration") or {}).get("root_module") \
            if isinstance(data.get("configuration"), dict) else None
        self.ids: dict[str, str] = {}
        self.root_ids: dict[str, str] = {}
        for address, resource in self.resources.items():
            self.ids[address] = self._own_id(address, resource)
            root = _dict(resource.get("values")).get("root_resource_id")
            if resource.get("type") == "aws_api_gateway_rest_api" and isinstance(root, str):
                self.root_ids[root] = f"{self.ids[address]}-root"

    def _own_id(self, address: str, resource: dict[str, Any]) -> str:
        """The resource's ID when the plan knows it (it exists), else the one the scanner gives it, as for a
        configuration: a pool's REGION_Name, an API's ten characters, else the address."""
        known = _dict(resource.get("values")).get("id")
        if isinstance(known, str) and known and not self.unknown(address, "id"):
            return known
        name = _INDEX.sub("", address).rsplit(".", 1)[-1] + "".join(re.findall(r"[0-9A-Za-z]", "".join(
            _INDEX.findall(address))))
        if resource.get("type") == "aws_cognito_user_pool":
            return f"{self.region}_{re.sub(r'[^0-9A-Za-z]', '', name) or 'x'}"
        if resource.get("type") in ("aws_api_gateway_rest_api", "aws_apigatewayv2_api"):
            return re.sub(r"[^0-9a-z]", "", name.lower())[:10].ljust(10, "0")
        return address

    def unknown(self, address: str, name: str) -> bool:
        after = _dict(_dict(self.changes.get(address, {}).get("change")).get("after_unknown"))
        return after.get(name) is True

    def value(self, address: str, name: str) -> Any:
        """An argument's planned value; where the plan knows it only after apply, what the configuration's
        reference says it will be (another resource's ID), else Unknown."""
        resource = self.resources.get(address) or {}
        values = _dict(resource.get("values"))
        after_unknown = _dict(_dict(self.changes.get(address, {}).get("change")).get("after_unknown"))
        if after_unknown.get(name) is True or (name not in values and name in after_unknown):
            linked = self._linked(address, resource, name)
            if linked is not None:
                return linked
            if self.configuration is not None and name not in self._expressions(address, resource):
                return None  # computed by the provider, not written: nothing the configuration sets
            return Unknown(f"{address}.{name} is known only after apply")
        return self._rewrite(_merge_unknown(values.get(name), after_unknown.get(name), f"{address}.{name}"))

    def _rewrite(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.root_ids.get(value, value)
        if isinstance(value, list):
            return [self._rewrite(item) for item in value]
        if isinstance(value, dict):
            return {key: self._rewrite(item) for key, item in value.items()}
        return value

    def _linked(self, address: str, resource: dict[str, Any], name: str) -> Any:
        """What an argument the plan knows only after apply will be, from the resource its expression references
        (`aws_api_gateway_rest_api.api.id`; older plans list only `aws_api_gateway_rest_api.api`, and the argument
        names the attribute: a method's resource_id on the API is its root resource)."""
        expressions = self._expressions(address, resource)
        references = _dict(expressions.get(name)).get("references") if isinstance(expressions, dict) else None
        if not isinstance(references, list):
            return None
        module = _module_prefix(address)
        named = [reference for reference in references if isinstance(reference, str) and not reference.startswith(
            ("var.", "local.", "module.", "data.", "count.", "each.", "path.", "self."))]
        with_attribute = [reference for reference in named if _INDEX.sub("", reference).count(".") >= 2]
        for reference in with_attribute or named:
            plain = _INDEX.sub("", reference)
            target_base = ".".join(plain.split(".")[:2])
            attribute = plain.split(".")[2] if plain.count(".") >= 2 else None
            targets = [candidate for candidate in self.resources if _INDEX.sub("", candidate) == module + target_base]
            own_index = _INDEX.findall(address[len(module):])
            if len(targets) > 1:
                targets = [t for t in targets if _INDEX.findall(t[len(module):]) == own_index] or targets
            if len(targets) != 1:
                continue
            kind = str((self.resources.get(targets[0]) or {}).get("type"))
            return self.attribute(targets[0], attribute or _IMPLIED.get((kind, name), "id"))
        return None

    def attribute(self, address: str, name: str) -> Any:
        """An attribute of a planned resource: the plan's value, else what the scanner models it to be."""
        resource = self.resources.get(address) or {}
        values = _dict(resource.get("values"))
        if name in values and not self.unknown(address, name) and values[name] is not None:
            return self._rewrite(values[name])
        own, kind = self.ids.get(address, address), resource.get("type")
        partition, region, account = self.partition, self.region, self.account
        computed = {"id": own}
        if kind in ("aws_api_gateway_rest_api", "aws_apigatewayv2_api"):
            computed.update(root_resource_id=f"{own}-root",
                            execution_arn=f"arn:{partition}:execute-api:{region}:{account}:{own}",
                            api_endpoint=f"https://{own}.execute-api.{region}.{dns_suffix(partition)}")
        elif kind == "aws_cognito_user_pool":
            computed.update(arn=f"arn:{partition}:cognito-idp:{region}:{account}:userpool/{own}",
                            endpoint=f"cognito-idp.{region}.{dns_suffix(partition)}/{own}")
        elif kind == "aws_lambda_function" and isinstance(values.get("function_name"), str):
            arn = f"arn:{partition}:lambda:{region}:{account}:function:{values['function_name']}"
            computed.update(arn=arn, function_name=values["function_name"],
                            invoke_arn=f"arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}"
                                       "/invocations")
        elif kind == "aws_iam_role" and isinstance(values.get("name"), str):
            computed.update(arn=f"arn:{partition}:iam::{account}:role/{values['name']}")
        return computed.get(name, Unknown(f"{address}.{name} is known only after apply"))

    def _expressions(self, address: str, resource: dict[str, Any]) -> dict[str, Any]:
        module = self.configuration
        for call in _module_calls(address):
            module = _dict(_dict(_dict(module).get("module_calls")).get(call)).get("module")
        for entry in _list(_dict(module).get("resources")):
            if isinstance(entry, dict) and entry.get("type") == resource.get("type") and entry.get("name") == \
                    resource.get("name") and entry.get("mode", "managed") == resource.get("mode", "managed"):
                return _dict(entry.get("expressions"))
        return {}

    @staticmethod
    def reader(address: str, read: Callable[[str, str], Any]) -> Callable[[str], Any]:
        return lambda name: read(address, name)

    def changed_arguments(self, address: str) -> str:
        """For an update: ": " and the arguments whose value the plan changes (before against after, a value known
        only after apply counted as changed), at most four; empty otherwise."""
        change = _dict(self.changes.get(address, {}).get("change"))
        if "update" not in self.actions(address):
            return ""
        before, after = _dict(change.get("before")), _dict(change.get("after"))
        if not before:  # no prior values in the plan: what changes is not said
            return ""
        unknown = _dict(change.get("after_unknown"))
        names = sorted(name for name in set(before) | set(after) | {key for key, value in unknown.items()
                                                                     if value is True}
                       if name not in ("id", "tags_all") and (unknown.get(name) is True
                                                              or before.get(name) != after.get(name)))
        if not names:
            return ""
        return ": " + ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")

    def actions(self, address: str) -> list[str]:
        actions = _dict(self.changes.get(address, {}).get("change")).get("actions")
        return [str(action) for action in actions] if isinstance(actions, list) else []


def plan_snapshot(options: TerraformOptions) -> dict[str, Any]:
    data = load_plan(str(options.plan))
    region = options.region or _plan_region(data) or PLACEHOLDER_REGION
    partition = partition_of_region(region) if region != PLACEHOLDER_REGION else options.partition
    account = options.account or PLACEHOLDER_ACCOUNT
    plan = Plan(data, region, account, partition)
    lines = _configuration_lines(options, region, account, partition)
    items = []
    unmatched = []  # the plan's resources the configuration given with it does not write
    for address, resource in plan.resources.items():
        if resource.get("mode", "managed") != "managed":
            continue
        if lines and address not in lines and _INDEX.sub("", address) not in lines:
            unmatched.append(address)
        file, line = lines.get(address) or lines.get(_INDEX.sub("", address)) or (str(options.plan), None)
        logical = plan.ids[address].split("_", 1)[-1] if resource.get("type") == "aws_cognito_user_pool" else \
            plan.ids[address]
        items.append(Written(address, str(resource.get("type")), plan.reader(address, plan.value),
                             plan.reader(address, plan.attribute), file, line, logical))

    def triggers(api_id: str, api_address: str, kind: DeploymentKind) -> list[dict[str, Any]]:
        return _plan_triggers(plan, api_id, api_address, items, kind)
    notes = [f"{options.plan!s}: a plan (Terraform {data.get('terraform_version', '?')}); values known only after "
             "apply are unknown"]
    if unmatched:
        notes.append(f"--terraform {options.folder} does not write {len(unmatched)} of the plan's {len(items)} "
                     f"resource(s) ({', '.join(unmatched[:3])}{' …' if len(unmatched) > 3 else ''}): is the plan made "
                     "from this configuration? Findings on them point at the plan")
    if region == PLACEHOLDER_REGION:
        notes.append(f"no --region and none in the plan: the region is {region}, a placeholder")
    return assemble(items, region, account, partition, triggers, notes, "terraform-plan")


def _plan_triggers(plan: Plan, api_id: str, api_address: str, items: list[Written],
                   kind: DeploymentKind) -> list[dict[str, Any]]:
    """IAC003 from the plan: a deployment of the API that a stage serves, which the plan does not replace while the
    API changes."""
    found = []
    content = [item for item in items if item.type in kind.change_types and item.get(kind.api_argument) == api_id]
    served = {item.get("deployment_id") for item in items if item.type == kind.stage
              and item.get("auto_deploy") is not True}
    changed = [f"{item.address} ({'/'.join(plan.actions(item.address))}{plan.changed_arguments(item.address)})"
               for item in content if set(plan.actions(item.address)) & set(CHANGING)]
    api_actions = plan.actions(api_address)
    if "update" in api_actions:
        before = _dict(_dict(plan.changes.get(api_address, {}).get("change")).get("before"))
        after = _dict(_dict(plan.changes.get(api_address, {}).get("change")).get("after"))
        if any(before.get(part) != after.get(part) for part in ("body", "policy")):
            changed.append(f"{api_address} (its body or policy: update)")
    for item in items:
        if item.type != kind.deployment or item.get(kind.api_argument) != api_id or (
                kind is not REST and plan.ids.get(item.address) not in served):
            continue
        actions = plan.actions(item.address)
        entry: dict[str, Any] = {"deployment": item.address, "source": item.source(), "coverage": "plan",
                                 "problem": None, "unknown_reason": None}
        if changed and "create" not in actions and "delete" not in actions:
            entry["problem"] = (f"the plan changes {', '.join(changed[:4])}"
                                f"{f' and {len(changed) - 4} more' if len(changed) > 4 else ''} and does not replace "
                                f"{item.address} ({'/'.join(actions) or 'no change'}): after apply the stage keeps "
                                "serving the old configuration")
        found.append(entry)
    return found


def _configuration_lines(options: TerraformOptions, region: str, account: str,
                         partition: str) -> dict[str, tuple[str, int | None]]:
    """With --terraform DIR as well: each address's block in the configuration (for_each keys the reader cannot
    evaluate fall back to the block without its key)."""
    if not options.folder:
        return {}
    settings = Settings(region=region, account=account, partition=partition, var_files=list(options.var_files),
                        variables=dict(options.variables), region_given=True)
    configuration = Configuration(Path(options.folder), options.folder, settings)
    found: dict[str, tuple[str, int | None]] = {}
    for instance in configuration.all_instances():
        found[instance.address] = (instance.block.file, instance.block.line)
        found.setdefault(_INDEX.sub("", instance.address), (instance.block.file, instance.block.line))
    return found


def _collect(module: Any, found: dict[str, dict[str, Any]], depth: int) -> None:
    if not isinstance(module, dict) or depth > 32:
        return
    for resource in _list(module.get("resources")):
        if isinstance(resource, dict) and isinstance(resource.get("address"), str) and isinstance(
                resource.get("type"), str):
            found[resource["address"]] = resource
    for child in _list(module.get("child_modules")):
        _collect(child, found, depth + 1)


def _merge_unknown(value: Any, unknown: Any, where: str) -> Any:
    """A planned value with the parts after_unknown marks (in lists and objects) as Unknown."""
    if unknown is True:
        return Unknown(f"{where} is known only after apply")
    if isinstance(value, list) and isinstance(unknown, list):
        return [_merge_unknown(item, unknown[i] if i < len(unknown) else None, where) for i, item in enumerate(value)]
    if isinstance(value, dict) and isinstance(unknown, dict):
        merged = {key: _merge_unknown(item, unknown.get(key), where) for key, item in value.items()}
        merged.update({key: Unknown(f"{where}.{key} is known only after apply")
                       for key, flag in unknown.items() if flag is True and key not in value})
        return merged
    return value


def _module_calls(address: str) -> list[str]:
    return [name for name in re.findall(r"module\.([A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.", address)]


def _module_prefix(address: str) -> str:
    found = re.match(r'^((?:module\.[A-Za-z0-9_-]+(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?\.)*)', address)
    return found[1] if found else ""


def _plan_region(data: dict[str, Any]) -> str | None:
    """The region the plan's ARNs name (the most common one), else the provider block's constant region."""
    counts: dict[str, int] = {}

    def walk(value: Any, depth: int) -> None:
        if depth > 40:
            return
        if isinstance(value, str):
            found = _REGION.match(value)
            if found:
                counts[found[1]] = counts.get(found[1], 0) + 1
        elif isinstance(value, list):
            for item in value:
                walk(item, depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item, depth + 1)
    walk(data.get("planned_values"), 0)
    if counts:
        return max(sorted(counts), key=lambda region: counts[region])
    provider = _dict(_dict(_dict(data.get("configuration")).get("provider_config")).get("aws"))
    constant = _dict(_dict(provider.get("expressions")).get("region")).get("constant_value")
    return constant if isinstance(constant, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
