"""The import graph of scanner/ points down: sources (collect, templates, terraform) → model → rules → judgement →
report → the run → views → command line. Imports sit at the top of modules, except the optional extras'."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "scanner"

# Lowest first; a module belongs to the layer of its longest listed prefix ("scanner" is the package's __init__
# alone: a new module must be placed). A module imports its own layer or lower ones, never a higher one.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("scanner", "scanner.errors", "scanner.files", "scanner.arns", "scanner.cors",
                    "scanner.routing_modes", "scanner.traffic_window", "scanner.openapi_security", "scanner.schema",
                    "scanner.findings", "scanner.json_stream")),
    ("collect", ("scanner.collect",)),
    ("templates", ("scanner.templates", "scanner.terraform")),  # sources that are not AWS: templates, Terraform
    ("model", ("scanner.model",)),
    ("rules", ("scanner.rules",)),
    ("judgement", ("scanner.access", "scanner.tokens", "scanner.evidence", "scanner.judgement",
                   "scanner.implicit_stage", "scanner.method_rows", "scanner.units")),
    ("report", ("scanner.report", "scanner.chains", "scanner.triage", "scanner.spool", "scanner.merge",
                "scanner.workers")),
    ("run", ("scanner.scan", "scanner.tokens.command", "scanner.demo")),
    ("render", ("scanner.render",)),
    ("command line", ("scanner.cli", "scanner.arguments", "scanner.run", "scanner.help_texts", "scanner.__main__")),
)

# Upward imports that issue 27's other half removes (one findings index instead of report.concerns); each must
# still exist, so this list only shrinks.
PENDING: set[tuple[str, str]] = set()

# Imported inside a function only where they are used, because an installation may lack them.
OPTIONAL_EXTRAS = ("moto", "samtranslator", "cfnlint", "scanner.demo.moto_extensions",
                   "hcl2", "yaml", "regex")  # the terraform extra: python-hcl2, PyYAML, regex


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, ast.stmt, bool]]:
    """(imported module, the statement, whether it is inside a function) for every import of a file."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return _imports_of(path.read_text(encoding="utf-8"), package)


def _imports_of(source: str, package: str) -> list[tuple[str, ast.stmt, bool]]:
    found: list[tuple[str, ast.stmt, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - child.level + 1] if child.level else []
                target = ".".join(base + ([child.module] if child.module else []))
                # `from . import name` may import a submodule: judge it as one when it is a file of the package
                for alias in child.names:
                    candidate = f"{target}.{alias.name}"
                    known = (PACKAGE.parent / Path(*candidate.split("."))).with_suffix(".py").exists() or \
                        (PACKAGE.parent / Path(*candidate.split(".")) / "__init__.py").exists()
                    found.append((candidate if known else target, child, in_function))
            elif isinstance(child, ast.Import):
                found.extend((alias.name, child, in_function) for alias in child.names)
            visit(child, nested)
    visit(ast.parse(source), False)
    return found


def _layer(module: str) -> int:
    best = max(((len(prefix), rank) for rank, (_, prefixes) in enumerate(LAYERS) for prefix in prefixes
                if module == prefix or (prefix != "scanner" and module.startswith(prefix + "."))), default=None)
    assert best is not None, f"{module}: in no layer of tests/test_layers.py LAYERS (add it where it belongs)"
    return best[1]


def _graph() -> set[tuple[str, str]]:
    return {(_module_name(path), target) for path in PACKAGE.rglob("*.py")
            for target, _, _ in _imports(path) if target == "scanner" or target.startswith("scanner.")}


def test_imports_point_down_the_layers():
    upward = sorted(f"{source} ({LAYERS[_layer(source)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
                    for source, target in _graph() - PENDING if _layer(target) > _layer(source))
    assert not upward, "\n".join(upward)


def test_pending_upward_imports_still_exist():
    """When one is removed, strike it from PENDING: the exception must not outlive the import."""
    graph = _graph()
    assert not [pair for pair in PENDING if pair not in graph], PENDING - graph
    assert all(_layer(target) > _layer(source) for source, target in PENDING)


def test_the_checks_catch_what_they_look_for():
    """The checker itself, on a made-up model module: relative imports resolve, `from . import module` is that
    module, the upward one is found, and so is the import inside a function."""
    source = ("from ..report import build_report\nfrom . import facts\nfrom .. import __version__\n"
              "def f():\n    import jmespath\n    from moto import mock_aws\n")
    found = _imports_of(source, "scanner.model")
    assert [target for target, _, _ in found] == ["scanner.report", "scanner.model.facts", "scanner", "jmespath",
                                                  "moto"]
    assert [target for target, _, inside in found if inside] == ["jmespath", "moto"]
    assert [target for target, _, _ in found if target.startswith("scanner")
            and _layer(target) > _layer("scanner.model.rest")] == ["scanner.report"]
    assert _layer("scanner.collect.calls") < _layer("scanner.templates.external") < _layer("scanner.model.facts")
    assert _layer("scanner.tokens.checks") < _layer("scanner.report") < _layer("scanner.tokens.command")
    with pytest.raises(AssertionError, match="in no layer"):
        _layer("scanner.somewhere_new")


def test_imports_are_at_the_top_except_optional_extras():
    inside = sorted(f"{path.relative_to(PACKAGE.parent)}:{statement.lineno} imports {target}"
                    for path in PACKAGE.rglob("*.py") for target, statement, in_function in _imports(path)
                    if in_function and not any(target == extra or target.startswith(extra + ".")
                                               for extra in OPTIONAL_EXTRAS))
    assert not inside, "\n".join(inside)
