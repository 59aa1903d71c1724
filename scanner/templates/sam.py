"""SAM templates expanded to CloudFormation with aws-sam-translator, the SAM CLI's own library, offline.

The translator is given the region and partition (never a boto3 session that could read configuration or call
AWS), a managed-policy map that answers any name without IAM's ListPolicies, and no nested applications (they
would be fetched from the Serverless Application Repository): those are left out with a note.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from ..errors import UsageError
from .load import MISSING_EXTRA, as_map

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


def is_sam(body: dict[str, Any]) -> bool:
    transform = body.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return SAM_TRANSFORM in [str(name) for name in names if isinstance(name, str)]


class _AnyManagedPolicy(dict[str, str]):
    """Every AWS managed policy by name, as its ARN: what IAM's ListPolicies would answer."""

    def __init__(self, partition: str) -> None:
        super().__init__()
        self.partition = partition

    def __missing__(self, name: str) -> str:
        return f"arn:{self.partition}:iam::aws:policy/{name}"

    def get(self, name: str, default: Any = None) -> Any:
        return self[name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str)


class _Region:
    """What the translator asks of a boto3 session: the region (its partition comes from the same name)."""

    def __init__(self, region: str) -> None:
        self.region_name = region


def expand_sam(body: dict[str, Any], parameters: dict[str, Any], region: str, partition: str,
               shown: str, notes: list[str], unread_definitions: dict[str, str] | None = None) -> dict[str, Any]:
    """The CloudFormation a SAM template becomes (resources of other types pass through unchanged). An API whose
    DefinitionBody is included from where the scanner does not read (S3) is expanded from an empty definition and
    named in `unread_definitions` (its methods are unknown); the rest of the template is judged."""
    try:
        from samtranslator.metrics.metrics import DummyMetricsPublisher, Metrics
        from samtranslator.model.exceptions import InvalidDocumentException
        from samtranslator.parser.parser import Parser
        from samtranslator.plugins.application.serverless_app_plugin import ServerlessAppPlugin
        from samtranslator.translator.translator import Translator
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None
    template = copy.deepcopy(body)
    _packaged(template)
    resources = as_map(template.get("Resources"))
    for name, resource in list(resources.items()):
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::Serverless::Application":
            continue
        location = as_map(resource.get("Properties")).get("Location")
        if not isinstance(location, str):  # an application of the Serverless Application Repository
            del resources[name]
            notes.append(f"{shown}: nested application {name} (AWS::Serverless::Application) comes from the "
                         "Serverless Application Repository, which is not read: what it creates and outputs is unknown "
                         "here")
    found = _set_aside_definitions(resources)
    for name, location in found.items():
        notes.append(f"{shown}: the DefinitionBody of {name} is included from {location} (AWS::Include), which is not "
                     "read: its methods are unknown (give the definition as a local file to judge them)")
    if unread_definitions is not None:
        unread_definitions.update({name: f"its OpenAPI definition ({location}) is not read"
                                   for name, location in found.items()})

    class _Offline(ServerlessAppPlugin):  # type: ignore[misc]
        def on_before_transform_template(self, template_dict: Any) -> None:
            return None  # nothing to fetch: applications of the repository were set aside

    metrics = Metrics("ServerlessTransform", DummyMetricsPublisher())
    translator = Translator(_AnyManagedPolicy(partition), Parser(), plugins=[_Offline()],
                            boto_session=_Region(region), metrics=metrics)
    values = {**parameters, "AWS::Region": region, "AWS::Partition": partition}
    quiet = logging.getLogger("samtranslator")
    level, quiet.level = quiet.level, logging.ERROR  # its feature-toggle chatter is not the user's business
    try:
        expanded: dict[str, Any] = translator.translate(template, parameter_values=values,
                                                        get_managed_policy_map=lambda: _AnyManagedPolicy(partition))
    except InvalidDocumentException as error:
        causes = "; ".join(str(cause) for cause in error.causes) or str(error)
        raise UsageError(f"--template {shown}: the SAM transform refuses it ({' '.join(causes.split())[:1000]})") \
            from None
    except Exception as error:  # noqa: BLE001 - whatever the translator throws is a template it cannot take
        raise UsageError(f"--template {shown}: the SAM transform failed ({type(error).__name__}: "
                         f"{' '.join(str(error).split())[:300]})") from None
    finally:
        quiet.level = level
        metrics.publish()  # to no one (a dummy publisher): else it says "There are unpublished metrics" on stderr
    return expanded


_API_TYPES = {"AWS::Serverless::Api": {"swagger": "2.0"}, "AWS::Serverless::HttpApi": {"openapi": "3.0.1"}}


def _set_aside_definitions(resources: dict[str, Any]) -> dict[str, str]:
    """APIs whose DefinitionBody is still an AWS::Include (of S3; local files were included already): given an empty
    definition SAM can add its events and Auth to. {logical ID: the location}."""
    found = {}
    for name, resource in resources.items():
        if not isinstance(resource, dict) or str(resource.get("Type")) not in _API_TYPES:
            continue
        properties = as_map(resource.get("Properties"))
        body = properties.get("DefinitionBody")
        include = body.get("Fn::Transform") if isinstance(body, dict) and len(body) == 1 else None
        if isinstance(include, dict) and include.get("Name") == "AWS::Include":
            location = as_map(include.get("Parameters")).get("Location")
            found[str(name)] = str(location) if isinstance(location, str) else "a location given at deployment"
            properties["DefinitionBody"] = {**_API_TYPES[str(resource["Type"])],
                                            "info": {"title": str(name), "version": "1.0"}, "paths": {}}
    return found


# What `sam build` and `sam package` turn into S3 locations before the transform sees the template.
_ARTIFACTS = {"AWS::Serverless::Function": ("CodeUri",), "AWS::Serverless::LayerVersion": ("ContentUri",),
              "AWS::Serverless::Api": ("DefinitionUri",), "AWS::Serverless::HttpApi": ("DefinitionUri",),
              "AWS::Serverless::StateMachine": ("DefinitionUri",)}


def _packaged(template: dict[str, Any]) -> None:
    """Local artifact paths written as the S3 locations packaging would give them (their content is not read:
    a DefinitionUri pointing at a local OpenAPI file is read by the include step, not here)."""
    def package(properties: dict[str, Any], names: tuple[str, ...]) -> None:
        for name in names:
            value = properties.get(name)
            if isinstance(value, str) and not value.startswith("s3://"):
                properties[name] = f"s3://apigw-scan-local/{value.lstrip('./') or 'code'}"
    globals_section = as_map(template.get("Globals")).get("Function")
    if isinstance(globals_section, dict):
        package(globals_section, ("CodeUri",))
    has_global_code = isinstance(globals_section, dict) and "CodeUri" in globals_section
    for resource in as_map(template.get("Resources")).values():
        if not isinstance(resource, dict) or not isinstance(resource.get("Properties"), dict):
            continue
        properties = resource["Properties"]
        package(properties, _ARTIFACTS.get(str(resource.get("Type")), ()))
        if resource.get("Type") == "AWS::Serverless::Function" and properties.get("PackageType") == "Image":
            if not properties.get("ImageUri"):  # `sam build` builds the image and `sam package` names it
                properties["ImageUri"] = "apigw-scan-local.dkr.ecr.invalid/image:latest"
        elif resource.get("Type") == "AWS::Serverless::Function" and not any(
                key in properties for key in ("CodeUri", "InlineCode", "ImageUri")) and not has_global_code:
            properties["CodeUri"] = "s3://apigw-scan-local/code"
