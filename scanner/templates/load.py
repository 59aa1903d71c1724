"""Reads the templates `--template` names: CloudFormation YAML or JSON (SAM too), a CDK cloud assembly (`cdk.out`),
the Serverless Framework's compiled stack; with cfn-lint's decoder, which keeps each node's line."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError

MISSING_EXTRA = ("--template needs the template readers: pip install 'apigw-scan[templates]' (cfn-lint and "
                 "aws-sam-translator)")


@dataclass
class TemplateFile:
    """One template: where it came from (as given), its parsed body (nodes that know their lines), its stack."""

    path: str  # as the user gave it (the folder's file for cdk.out)
    body: dict[str, Any]
    stack: str | None = None  # CDK: the stack's name in the manifest
    constructs: dict[str, str] | None = None  # CDK: each logical ID's construct path (the manifest's metadata)
    notes: list[str] = field(default_factory=list)  # how it was read (duplicate keys)


def load_templates(paths: list[str]) -> list[TemplateFile]:
    """Every template behind the given paths; a path that is not a template is a usage error."""
    found: list[TemplateFile] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found += _cloud_assembly(path, given)
        elif path.is_file():
            notes: list[str] = []
            found.append(TemplateFile(given, decode_template(path, given, notes), notes=notes))
        else:
            raise UsageError(f"--template {given}: no such file or folder")
    return found


def decode_template(path: Path, shown: str, notes: list[str] | None = None) -> dict[str, Any]:
    """A template's body, YAML short forms (!Ref, !Sub, …) read as CloudFormation reads them, lines kept. Refused in
    one line only what CloudFormation refuses too: what is not YAML or JSON, or has no Resources."""
    try:
        from cfnlint.decode import decode
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None
    try:
        body, problems = decode(str(path))
    except (OSError, ValueError, RecursionError) as error:  # a name the system refuses, a file it cannot read
        raise UsageError(f"--template {shown}: cannot be read ({type(error).__name__})") from None
    duplicates = [problem.message for problem in problems or [] if str(problem.message).startswith("Duplicate found")]
    if problems and len(duplicates) == len(problems):
        body = _last_key_wins(path, shown)
        if notes is not None:
            notes.append(f"{shown}: duplicate mapping keys ({'; '.join(_duplicate_lines(duplicates))}): read as YAML "
                         "loaders read them, the last value wins (CloudFormation deploys such templates and AWS "
                         "documents no rule for them: this is observed behaviour)")
    elif body is None or problems:
        first = problems[0].message if problems else "it is not YAML or JSON"
        raise UsageError(f"--template {shown}: not a template CloudFormation can read ({' '.join(str(first).split())})")
    if isinstance(body, dict) and "Resources" not in body and _is_serverless_framework(body):
        raise UsageError(f"--template {shown}: a Serverless Framework service, not a CloudFormation template: run "
                         "`sls package` and give .serverless/cloudformation-template-update-stack.json")
    if not isinstance(body, dict) or not isinstance(body.get("Resources"), dict):
        raise UsageError(f"--template {shown}: not a CloudFormation template (it has no Resources)"
                         f"{_instead(body, shown)}")
    return body


def _instead(body: Any, shown: str) -> str:
    """What a file without Resources may be instead, and what to give: a CDK cloud assembly's manifest (its
    folder), an OpenAPI definition (the template whose API includes it)."""
    if isinstance(body, dict) and isinstance(body.get("artifacts"), dict) and "version" in body:
        return f"; it is a CDK cloud assembly's manifest: give its folder (--template {Path(shown).parent})"
    if isinstance(body, dict) and ("openapi" in body or "swagger" in body):
        return ("; it is an OpenAPI definition: give the template whose API includes it (Body, DefinitionBody, "
                "DefinitionUri or AWS::Include), which reads it")
    return ""


def _is_serverless_framework(body: dict[str, Any]) -> bool:
    return "service" in body and ("provider" in body or "functions" in body)


def _duplicate_lines(messages: list[str]) -> list[str]:
    """'eu-west-3' at lines 60 and 64 — from cfn-lint's messages "Duplicate found 'eu-west-3' (line 64)"."""
    lines: dict[str, list[str]] = {}
    for message in messages:
        found = re.match(r"Duplicate found (.*) \(line (\d+)\)", message)
        if found:
            lines.setdefault(found[1], []).append(found[2])
    return [f"{key} at lines {' and '.join(sorted(set(numbers), key=int))}" for key, numbers in lines.items()]


def _last_key_wins(path: Path, shown: str) -> dict[str, Any]:
    """The template read again, a duplicate key taking its last value (lines kept)."""
    try:
        from cfnlint.decode.cfn_yaml import CfnFullLoader, NodeConstructor, multi_constructor
        from cfnlint.decode.node import dict_node
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None

    class LastWins(CfnFullLoader):  # type: ignore[misc]
        def construct_yaml_map(self, node: Any) -> Any:
            self.flatten_mapping(node)
            (mapping,) = super(NodeConstructor, self).construct_yaml_map(node)  # YAML's own: the last key wins
            return dict_node(mapping, node.start_mark, node.end_mark)

    LastWins.add_constructor("tag:yaml.org,2002:map", LastWins.construct_yaml_map)
    try:
        loader = LastWins(path.read_text(encoding="utf-8"), str(path))
        loader.add_multi_constructor("!", multi_constructor)
        body = loader.get_single_data()
    except Exception as error:  # noqa: BLE001 - whatever the YAML reader says of a file it cannot take
        raise UsageError(f"--template {shown}: not a template CloudFormation can read ({type(error).__name__})") \
            from None
    return body if isinstance(body, dict) else {}


def _cloud_assembly(folder: Path, given: str) -> list[TemplateFile]:
    """A CDK cloud assembly: each stack template its manifest.json lists (else every *.template.json)."""
    manifest = folder / "manifest.json"
    files: list[tuple[Path, str | None, dict[str, str]]] = []
    if manifest.is_file():
        try:
            artifacts = json.loads(manifest.read_text()).get("artifacts") or {}
        except (ValueError, OSError) as error:
            raise UsageError(f"--template {given}: manifest.json cannot be read ({error})") from None
        for name, artifact in sorted(artifacts.items()):
            if isinstance(artifact, dict) and artifact.get("type") == "aws:cloudformation:stack":
                template = (artifact.get("properties") or {}).get("templateFile")
                if isinstance(template, str):
                    files.append((folder / template, name, _construct_paths(artifact)))
    else:
        files = [(path, None, {}) for path in sorted(folder.glob("*.template.json"))]
    if not files:
        raise UsageError(f"--template {given}: a folder, but no stack template in it (a cdk.out folder lists them in "
                         "manifest.json)")
    return [TemplateFile(str(Path(given) / path.name), decode_template(path, str(path)), stack, constructs)
            for path, stack, constructs in files]


def _construct_paths(artifact: dict[str, Any]) -> dict[str, str]:
    """Logical ID -> the construct path the CDK app wrote (the manifest's aws:cdk:logicalId metadata)."""
    found = {}
    for path, entries in (artifact.get("metadata") or {}).items():
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("type") == "aws:cdk:logicalId" and str(path).startswith("/"):
                found[str(entry.get("data"))] = str(path)
    return found


def include_local_files(node: Any, folder: Path, including: tuple[Path, ...] = ()) -> Any:
    """Fn::Transform AWS::Include of a local file (`Location: ./api.yaml`), replaced by the file, as `sam build`
    and `aws cloudformation package` do; an S3 location stays (its content is not read)."""
    if isinstance(node, list):
        return [include_local_files(item, folder, including) for item in node]
    if not isinstance(node, dict):
        return node
    transform = node.get("Fn::Transform") if len(node) == 1 else None
    if isinstance(transform, dict) and transform.get("Name") == "AWS::Include":
        location = as_map(transform.get("Parameters")).get("Location")
        if isinstance(location, str) and "://" not in location and _is_file(folder / location):
            path = folder / location
            if path.resolve() in including:
                raise UsageError(f"--template: {path} includes itself (AWS::Include)")
            return include_local_files(plain(_included(path)), folder, (*including, path.resolve()))
    return {key: include_local_files(value, folder, including) for key, value in node.items()}


def _included(path: Path) -> Any:
    """A file AWS::Include names, read as CloudFormation reads YAML or JSON."""
    try:
        from cfnlint.decode.cfn_yaml import loads
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None
    try:
        return loads(path.read_text(encoding="utf-8"), str(path))
    except Exception as error:  # noqa: BLE001 - whatever the YAML reader says of a file it cannot take
        raise UsageError(f"--template: {path}, which AWS::Include names, is not YAML or JSON CloudFormation can read "
                         f"({type(error).__name__})") from None


def _is_file(path: Path) -> bool:
    """A local file, or not (a name the system refuses, too long or holding a NUL, is no file)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def as_map(value: Any) -> dict[str, Any]:
    """A template node that must be a mapping: itself, or empty when the template wrote something else there."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    """A template node that must be a list: itself, or empty when the template wrote something else there."""
    return value if isinstance(value, list) else []


def line_of(node: Any) -> int | None:
    """A decoded node's first line (1-based), when the decoder kept it."""
    mark = getattr(node, "start_mark", None)
    return int(mark.line) + 1 if mark is not None else None


def resource_lines(body: dict[str, Any]) -> dict[str, int]:
    """Each resource's line: where its logical ID is written."""
    lines = {}
    for key in body.get("Resources") or {}:
        line = line_of(key)
        if line is not None:
            lines[str(key)] = line
    return lines


def plain(node: Any) -> Any:
    """A decoded node as plain JSON values (the decoder's subclasses of dict, list and str shed)."""
    if isinstance(node, dict):
        return {str(key): plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(item) for item in node]
    if isinstance(node, str):
        return str(node)
    return node
