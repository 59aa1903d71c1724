"""Reads the templates `--template` names: CloudFormation YAML or JSON (SAM too), a CDK cloud assembly (`cdk.out`),
the Serverless Framework's compiled stack; with cfn-lint's decoder, which keeps each node's line."""

from __future__ import annotations

import json
from dataclasses import dataclass
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


def load_templates(paths: list[str]) -> list[TemplateFile]:
    """Every template behind the given paths; a path that is not a template is a usage error."""
    found: list[TemplateFile] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found += _cloud_assembly(path, given)
        elif path.is_file():
            found.append(TemplateFile(given, decode_template(path, given)))
        else:
            raise UsageError(f"--template {given}: no such file or folder")
    return found


def decode_template(path: Path, shown: str) -> dict[str, Any]:
    """A template's body, YAML short forms (!Ref, !Sub, …) read as CloudFormation reads them, lines kept."""
    try:
        from cfnlint.decode import decode
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None
    body, problems = decode(str(path))
    if body is None or problems:
        first = problems[0].message if problems else "it is not YAML or JSON"
        raise UsageError(f"--template {shown}: not a template CloudFormation can read ({first})")
    if not isinstance(body, dict) or not isinstance(body.get("Resources"), dict):
        raise UsageError(f"--template {shown}: not a CloudFormation template (it has no Resources)")
    return body


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


def include_local_files(node: Any, folder: Path) -> Any:
    """Fn::Transform AWS::Include of a local file (`Location: ./api.yaml`), replaced by the file, as `sam build`
    and `aws cloudformation package` do; an S3 location stays (its content is not read)."""
    if isinstance(node, list):
        return [include_local_files(item, folder) for item in node]
    if not isinstance(node, dict):
        return node
    transform = node.get("Fn::Transform") if len(node) == 1 else None
    if isinstance(transform, dict) and transform.get("Name") == "AWS::Include":
        location = (transform.get("Parameters") or {}).get("Location")
        if isinstance(location, str) and "://" not in location and (folder / location).is_file():
            try:
                from cfnlint.decode.cfn_yaml import loads
            except ImportError:
                raise UsageError(MISSING_EXTRA) from None
            return include_local_files(plain(loads((folder / location).read_text(), str(folder / location))), folder)
    return {key: include_local_files(value, folder) for key, value in node.items()}


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
