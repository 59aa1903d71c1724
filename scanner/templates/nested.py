"""Nested stacks: an `AWS::CloudFormation::Stack` (or SAM's `AWS::Serverless::Application`) whose template is given
with `--template` too has its outputs read, so that `Fn::GetAtt Child.Outputs.X` in the parent is what the child
outputs, resolved with the parameters the parent passes it; otherwise the note says what would make it known."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

from ..arns import unresolved, unresolved_reason
from .load import TemplateFile, as_map
from .resolve import NESTED_STACK_TYPES, Resolver

MAX_DEPTH = 8  # CloudFormation allows nesting deeper; a cycle of templates naming each other stops here


class Linked:
    """The templates given together, found by the TemplateURL (or SAM Location) a parent names them with."""

    def __init__(self, templates: list[TemplateFile], expand: Callable[[TemplateFile], dict[str, Any]]) -> None:
        self.templates, self.expand = templates, expand
        self.by_path = {_resolved(template.path): template for template in templates}
        self._bodies: dict[str, dict[str, Any]] = {}

    def child(self, parent: TemplateFile, url: Any) -> TemplateFile | None:
        """The given template a parent's TemplateURL names: a local path from the parent's folder, or a URL whose
        file name is that of exactly one given template (a copy downloaded from S3)."""
        if not isinstance(url, str) or unresolved_reason(url):
            return None
        if _remote(url):
            name = PurePosixPath(urlparse(url).path).name
            named = [template for template in self.templates if Path(template.path).name == name and name]
            return named[0] if len(named) == 1 else None
        return self.by_path.get(_resolved(str(Path(parent.path).parent / url)))

    def body(self, child: TemplateFile) -> dict[str, Any]:
        if child.path not in self._bodies:
            self._bodies[child.path] = self.expand(child)
        return self._bodies[child.path]

    def advice(self, parent: TemplateFile, logical: str, url: Any) -> str:
        """What the note says of a nested stack: where its outputs come from, or what would make them known."""
        child = self.child(parent, url)
        if child is not None:
            return f"{parent.path}: nested stack {logical} is {child.path}: its outputs are read from it"
        if not isinstance(url, str) or unresolved_reason(url):
            return (f"{parent.path}: nested stack {logical}: its TemplateURL is given at deployment, so its outputs "
                    "are unknown here")
        if _remote(url):
            return (f"{parent.path}: nested stack {logical} is at {url}, which is not read: its outputs are unknown "
                    f"here (download it and give it with --template too: a file named "
                    f"{PurePosixPath(urlparse(url).path).name or 'like it'} stands for it)")
        local = Path(parent.path).parent / url
        if local.is_file():
            return (f"{parent.path}: nested stack {logical} is {local}: give it with --template {local} too, to read "
                    "its outputs and judge its APIs")
        return f"{parent.path}: nested stack {logical} names {url}, which is not there: its outputs are unknown here"


class NestedResolver(Resolver):
    """A Resolver that reads a nested stack's outputs from its template when it was given too."""

    def __init__(self, body: dict[str, Any], parameters: dict[str, Any], scope: tuple[str, str, str],
                 template: TemplateFile, linked: Linked, exports: dict[str, str] | None = None,
                 depth: int = 0) -> None:
        region, account, partition = scope
        super().__init__(body, parameters, region, account, partition, template.stack, exports=exports)
        self.template, self.linked, self.depth = template, linked, depth

    def nested_output(self, logical: str, name: str) -> Any:
        properties = as_map(as_map(self.resources.get(logical)).get("Properties"))
        url = self.resolve(properties.get("TemplateURL") or properties.get("Location"))
        child = self.linked.child(self.template, url)
        if child is None or self.depth >= MAX_DEPTH:
            return unresolved(f"Fn::GetAtt {logical}.Outputs.{name}: "
                              f"{self.linked.advice(self.template, logical, url).split(': ', 1)[1]}")
        body = self.linked.body(child)
        output = as_map(body.get("Outputs")).get(name)
        if not isinstance(output, dict) or "Value" not in output:
            return unresolved(f"Fn::GetAtt {logical}.Outputs.{name}: {child.path} has no output {name}")
        passed = self.resolve(properties.get("Parameters") or {})
        values = {str(key): _parameter_text(value) for key, value in passed.items()} if isinstance(passed, dict) \
            else {}
        scope = (self.region, self.account, self.partition)
        inner = NestedResolver(body, values, scope, child, self.linked, self.exports, self.depth + 1)
        return inner.resolve(output["Value"])


def nested_stacks(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The template's nested stacks by logical ID (their properties)."""
    return {str(name): as_map(resource.get("Properties")) for name, resource in as_map(body.get("Resources")).items()
            if isinstance(resource, dict) and resource.get("Type") in NESTED_STACK_TYPES}


def _parameter_text(value: Any) -> Any:
    """A parameter as a nested stack receives it: text (a list joined by commas, as CloudFormation passes one)."""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else unresolved("a parameter passed to the nested stack is not a text")


def _remote(url: str) -> bool:
    return "://" in url or url.startswith("https:") or url.startswith("s3:")


def _resolved(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError, ValueError):
        return path
