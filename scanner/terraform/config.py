"""A Terraform configuration evaluated as `terraform plan` would before it calls AWS: the root module's variables
(defaults, tfvars files, --var-file, --var), locals, resources and data sources with count and for_each, and
modules (local folders, and registry or git modules that `terraform init` fetched into .terraform/modules)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..arns import partition_of_region
from ..errors import UsageError
from .attributes import DEFAULTS, computed_attribute, data_source
from .evaluate import Evaluator, flatten
from .functions import Context
from .parse import Attribute, Block, parse_expression, read_attributes, read_module
from .types import conform
from .values import EvaluationError, Lazy, Unknown, first_unknown, materialize, to_bool, to_number, to_text

META_ARGUMENTS = {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"}
MODULE_META = {"source", "version", "count", "for_each", "providers", "depends_on"}
MAX_MODULE_DEPTH = 12
MAX_INSTANCES = 20_000
_LOCAL_SOURCE = re.compile(r"^\.\.?[/\\]")
_SIMPLE_NAME = re.compile(r"^[A-Za-z_][\w-]*$")


@dataclass
class Settings:
    """What the configuration is judged with: region, account and partition (given or placeholders), and the root
    module's variables as given (--var-file, --var)."""

    region: str
    account: str
    partition: str
    var_files: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    region_given: bool = False


@dataclass
class Instance:
    """One instance of a resource or data block (its count index or for_each key), with where it was written."""

    address: str
    type: str
    name: str
    block: Block
    module: Module
    key: int | str | None = None
    each: dict[str, Any] | None = None
    data: bool = False
    cache: dict[str, Any] = field(default_factory=dict)
    each_value: Any = None  # each.value before it is read whole: resources in it are still known by address

    @property
    def logical(self) -> str:
        return self.address

    def get(self, name: str) -> Any:
        """An argument, nested blocks (a list of objects) or a computed attribute, evaluated once."""
        return self.module.configuration.instance_attribute(self, name)

    def argument(self, name: str) -> Any:
        """An argument as written (evaluated), its documented default, or null when it is left out."""
        if self.written(name):
            return self.get(name)
        return DEFAULTS.get(self.type, {}).get(name)

    def written(self, name: str) -> bool:
        return name in self.block.attributes or any(child.kind == name for child in self.block.blocks) or any(
            child.kind == "dynamic" and child.labels[:1] == (name,) for child in self.block.blocks)

    def line_of(self, name: str) -> int:
        attribute = self.block.attributes.get(name)
        return attribute.line if attribute is not None else self.block.line


class Module:
    """One instance of a module: its folder, its blocks, and the inputs its caller gives."""

    def __init__(self, configuration: Configuration, folder: Path, prefix: str, path: tuple[str, ...],
                 blocks: list[Block], caller: Module | None, call: Block | None = None,
                 call_key: int | str | None = None, call_each: dict[str, Any] | None = None) -> None:
        self.configuration, self.folder, self.prefix, self.path = configuration, folder, prefix, path
        self.caller, self.call, self.call_key, self.call_each = caller, call, call_key, call_each
        self.variables: dict[str, Block] = {}
        self.locals: dict[str, Attribute] = {}
        self.resources: dict[tuple[str, str], Block] = {}
        self.data: dict[tuple[str, str], Block] = {}
        self.calls: dict[str, Block] = {}
        self.outputs: dict[str, Block] = {}
        self.providers: list[Block] = []
        for block in blocks:
            if block.kind == "variable" and block.labels:
                self.variables[block.labels[0]] = block
            elif block.kind == "locals":
                self.locals.update(block.attributes)
            elif block.kind == "resource" and len(block.labels) == 2:
                self.resources[(block.labels[0], block.labels[1])] = block
            elif block.kind == "data" and len(block.labels) == 2:
                self.data[(block.labels[0], block.labels[1])] = block
            elif block.kind == "module" and block.labels:
                self.calls[block.labels[0]] = block
            elif block.kind == "output" and block.labels:
                self.outputs[block.labels[0]] = block
            elif block.kind == "provider":
                self.providers.append(block)
        self.values: dict[Any, Any] = {}  # var.NAME by name; locals and outputs by (kind, name)
        self.expanded: dict[tuple[str, str, bool], Any] = {}
        self.children: dict[str, Any] = {}

    @property
    def relative(self) -> str:
        try:
            text = os.path.relpath(self.folder, self.configuration.root)
        except ValueError:
            text = str(self.folder)
        return text.replace(os.sep, "/")


class Configuration:
    """The root module and everything it calls, evaluated lazily and once."""

    def __init__(self, root: Path, shown: str, settings: Settings) -> None:
        self.root, self.shown, self.settings = root.resolve(), shown, settings
        self.notes: list[str] = []
        self.context = Context(self.root, [self.root])
        self.in_progress: set[tuple[str, str]] = set()
        self.by_address: dict[str, Instance] = {}
        self.count = 0
        self.fetched = _fetched_modules(self.root)
        blocks = read_module(self.root, self.display)
        if not any(block.kind in ("resource", "module", "data") for block in blocks):
            raise UsageError(f"--terraform {shown}: no Terraform resources or modules in its .tf files (give the "
                             "folder of the root module: where you run terraform plan)")
        self.module = Module(self, self.root, "", (), blocks, None)
        self.root_values = self._root_variables()
        self._region_from_provider()

    def display(self, path: Path) -> str:
        """A file as the user names it: under the folder given to --terraform."""
        try:
            relative = os.path.relpath(path, self.root)
        except ValueError:
            return str(path)
        return os.path.normpath(os.path.join(self.shown, relative))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # -- the root module's variables -------------------------------------------------------------------------

    def _root_variables(self) -> dict[str, Any]:
        """Terraform's precedence: defaults, TF_VAR_ environment variables, terraform.tfvars(.json),
        *.auto.tfvars(.json) in name order, then --var-file and --var in the order given."""
        declared = self.module.variables
        found: dict[str, Any] = {}
        for name in declared:
            text = os.environ.get(f"TF_VAR_{name}")
            if text is not None:
                found[name] = self._typed(name, text, f"TF_VAR_{name}")
        files = [self.root / "terraform.tfvars", self.root / "terraform.tfvars.json"]
        files += sorted(path for path in self.root.glob("*.auto.tfvars*") if path.suffix in (".tfvars", ".json"))
        for path in files:
            if path.is_file():
                found.update(self._variables_file(path, str(path)))
        for given in self.settings.var_files:
            path = Path(given)
            if not path.is_file():
                raise UsageError(f"--var-file {given}: no such file")
            found.update(self._variables_file(path, f"--var-file {given}"))
        for name, text in self.settings.variables.items():
            if name not in declared:
                raise UsageError(f"--var {name}: the root module declares no variable {name!r}"
                                 f"{' (it declares ' + ', '.join(sorted(declared)[:8]) + ')' if declared else ''}")
            found[name] = self._typed(name, text, f"--var {name}")
        return found

    def _variables_file(self, path: Path, shown: str) -> dict[str, Any]:
        if path.name.endswith(".json"):
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError) as error:
                raise UsageError(f"{shown}: not a JSON variables file ({str(error)[:120]})") from None
            if not isinstance(loaded, dict):
                raise UsageError(f"{shown}: expected a JSON object of NAME: VALUE")
            return dict(loaded)
        constants = Evaluator(_Constants(self.context))
        return {name: constants.value(attribute.expression)
                for name, attribute in read_attributes(path, shown).items()}

    def _typed(self, name: str, text: str, shown: str) -> Any:
        """A value given as text (-var, TF_VAR_): a string, unless the variable's type asks for a number, a bool
        or a collection, which Terraform reads as HCL."""
        declared = self.module.variables.get(name)
        constraint = declared.attributes.get("type") if declared is not None else None
        kind = _type_name(constraint.expression) if constraint is not None else "string"
        if kind in ("string", "any"):
            return text
        try:
            if kind == "number":
                return to_number(text)
            if kind == "bool":
                return to_bool(text)
        except EvaluationError as error:
            raise UsageError(f"{shown}: {error}") from None
        return Evaluator(_Constants(self.context)).value(parse_expression(text, shown))

    def _region_from_provider(self) -> None:
        if self.settings.region_given:
            return
        for provider in self.module.providers:
            if provider.labels[:1] == ("aws",) and "alias" not in provider.attributes and "region" in \
                    provider.attributes:
                region = ModuleScope(self.module).evaluator().value(provider.attributes["region"].expression)
                if isinstance(region, str) and re.match(r"^[a-z]{2}(-[a-z]+)+-\d+$", region):
                    self.settings.region = region
                    self.settings.region_given = True
                    self.settings.partition = partition_of_region(region)
                return

    # -- variables, locals, outputs --------------------------------------------------------------------------

    def variable(self, module: Module, name: str) -> Any:
        if name in module.values:
            return module.values[name]
        declared = module.variables.get(name)
        if declared is None:
            raise EvaluationError(f"var.{name} is not declared")
        key = (f"{module.prefix}var", name)
        if key in self.in_progress:
            return Unknown(f"var.{name} depends on itself")
        self.in_progress.add(key)
        try:
            value = self._variable_value(module, name, declared)
            constraint = declared.attributes.get("type")
            if constraint is not None:
                value = conform(materialize(value), constraint.expression, Evaluator(_Constants(self.context)))
        finally:
            self.in_progress.discard(key)
        module.values[name] = value
        return value

    def _variable_value(self, module: Module, name: str, declared: Block) -> Any:
        if module.caller is None:
            if name in self.root_values:
                return self.root_values[name]
        elif module.call is not None and module.caller is not None and name in module.call.attributes \
                and name not in MODULE_META:
            scope = InstanceScope(module.caller, None, module.call_key, module.call_each)
            return scope.evaluator().value(module.call.attributes[name].expression)
        if "default" in declared.attributes:
            return Evaluator(_Constants(self.context)).value(declared.attributes["default"].expression)
        if module.caller is None:
            return Unknown(f"var.{name} has no value (give --var {name}=VALUE or --var-file)")
        return Unknown(f"{module.prefix}var.{name} is not given by the module block")

    def local(self, module: Module, name: str) -> Any:
        key = (f"{module.prefix}local", name)
        if key in module.values:
            return module.values[key]
        attribute = module.locals.get(name)
        if attribute is None:
            raise EvaluationError(f"local.{name} is not defined")
        if key in self.in_progress:
            return Unknown(f"local.{name} depends on itself")
        self.in_progress.add(key)
        try:
            value = ModuleScope(module).evaluator().value(attribute.expression)
        finally:
            self.in_progress.discard(key)
        module.values[key] = value
        return value

    def output(self, module: Module, name: str) -> Any:
        block = module.outputs.get(name)
        if block is None or "value" not in block.attributes:
            raise EvaluationError(f"{module.prefix.rstrip('.')} has no output {name!r}")
        key = (f"{module.prefix}output", name)
        if key in module.values:
            return module.values[key]
        if key in self.in_progress:
            return Unknown(f"output {name} depends on itself")
        self.in_progress.add(key)
        try:
            value = ModuleScope(module).evaluator().value(block.attributes["value"].expression)
        finally:
            self.in_progress.discard(key)
        module.values[key] = value
        return value

    # -- resources and data sources --------------------------------------------------------------------------

    def resource_value(self, module: Module, kind: str, name: str, data: bool) -> Any:
        """What `TYPE.NAME` (or `data.TYPE.NAME`) evaluates to: one object, a list (count) or a map (for_each)."""
        expanded = self.expand(module, kind, name, data)
        if isinstance(expanded, Unknown):
            return expanded
        if isinstance(expanded, Instance):
            return self.lazy(expanded)
        if isinstance(expanded, list):
            return [self.lazy(instance) for instance in expanded]
        return {key: self.lazy(instance) for key, instance in expanded.items()}

    def lazy(self, instance: Instance) -> Lazy:
        return Lazy(instance.get, lambda: self.attribute_names(instance), instance.address)

    def expand(self, module: Module, kind: str, name: str, data: bool) -> Any:
        """The instances of a block: one Instance, a list (count), a dict (for_each), or Unknown."""
        key = (kind, name, data)
        if key in module.expanded:
            return module.expanded[key]
        block = (module.data if data else module.resources).get((kind, name))
        if block is None:
            raise EvaluationError(f"{'data.' if data else ''}{kind}.{name} is not declared"
                                  f"{' in ' + module.prefix.rstrip('.') if module.prefix else ''}")
        progress = (f"{module.prefix}expand", f"{kind}.{name}.{data}")
        if progress in self.in_progress:
            return Unknown(f"{kind}.{name}: its count or for_each depends on itself")
        self.in_progress.add(progress)
        try:
            base = f"{module.prefix}{'data.' if data else ''}{kind}.{name}"
            found = self._instances(module, block, base, lambda index, each: Instance(
                _address(base, index), kind, name, block, module, index, each, data))
        finally:
            self.in_progress.discard(progress)
        if isinstance(found, Unknown):
            self.note(f"{base}: {found.reason}; its instances are not judged")
        for instance in each_instance(found):
            self.by_address[instance.address] = instance
        module.expanded[key] = found
        return found

    def _instances(self, module: Module, block: Block, base: str, make: Any) -> Any:
        scope = ModuleScope(module)
        if "count" in block.attributes:
            count = scope.evaluator().value(block.attributes["count"].expression)
            if isinstance(count, Unknown):
                return Unknown(f"count is unknown ({count.reason})")
            try:
                number = int(to_number(count))
            except EvaluationError as error:
                return Unknown(f"count is not a number ({error})")
            self._budget(number, base)
            return [make(index, None) for index in range(max(number, 0))]
        if "for_each" in block.attributes:
            written = scope.evaluator().value(block.attributes["for_each"].expression)
            each = materialize(written)
            unknown = each if isinstance(each, Unknown) else first_unknown(each) if isinstance(each, list) else None
            if unknown is not None:
                return Unknown(f"for_each is unknown ({unknown.reason})")
            if isinstance(each, list):
                try:
                    each = {to_text(item): to_text(item) for item in each}
                except EvaluationError:
                    return Unknown("for_each is a list of what is not strings (Terraform needs a map or a set of "
                                   "strings)")
            if not isinstance(each, dict):
                return Unknown("for_each is neither a map nor a set of strings")
            self._budget(len(each), base)
            made = {key: make(key, {"key": key, "value": value}) for key, value in sorted(each.items())}
            for key, instance in made.items():
                if isinstance(instance, Instance):
                    instance.each_value = written.get(key) if isinstance(written, dict) else key
            return made
        self._budget(1, base)
        return make(None, None)

    def _budget(self, count: int, base: str) -> None:
        self.count += max(count, 0)
        if self.count > MAX_INSTANCES:
            raise UsageError(f"--terraform {self.shown}: more than {MAX_INSTANCES:,} resource instances "
                             f"(at {base}); not judged")

    def attribute_names(self, instance: Instance) -> list[str]:
        names = [name for name in instance.block.attributes if name not in META_ARGUMENTS]
        names += [child.kind for child in instance.block.blocks if child.kind not in META_ARGUMENTS
                  and child.kind != "dynamic"]
        names += [child.labels[0] for child in instance.block.blocks if child.kind == "dynamic" and child.labels]
        names += [name for name in ("id", "arn") if name not in names]
        return list(dict.fromkeys(names))

    def instance_attribute(self, instance: Instance, name: str) -> Any:
        if name in instance.cache:
            return instance.cache[name]
        key = (instance.address, name)
        if key in self.in_progress:
            return Unknown(f"{instance.address}.{name} depends on itself")
        self.in_progress.add(key)
        try:
            value = self._attribute(instance, name)
        finally:
            self.in_progress.discard(key)
        instance.cache[name] = value
        return value

    def _attribute(self, instance: Instance, name: str) -> Any:
        try:
            return self._evaluated_attribute(instance, name)
        except EvaluationError as error:
            return Unknown(f"{instance.address}.{name}: {error}")

    def _evaluated_attribute(self, instance: Instance, name: str) -> Any:
        scope = InstanceScope(instance.module, instance)
        if instance.data:
            found = data_source(self, instance, name, scope.evaluator())
            if found is not None:
                return found
        if name in instance.block.attributes and name not in META_ARGUMENTS:
            return scope.evaluator().value(instance.block.attributes[name].expression)
        blocks = nested_blocks(instance.block, name, scope.evaluator())
        if blocks is not None:
            return blocks
        return computed_attribute(self, instance, name)

    def all_instances(self) -> list[Instance]:
        """Every managed resource instance of the root module and the modules it calls (in the order written)."""
        found: list[Instance] = []
        pending = [self.module]
        while pending:
            module = pending.pop(0)
            for kind, name in module.resources:
                found += each_instance(self.expand(module, kind, name, False))
            for call in module.calls:
                pending += [child for child in _each_module(self.child(module, call)) if isinstance(child, Module)]
        return found

    def data_instances(self) -> list[Instance]:
        return [instance for instance in self.by_address.values() if instance.data]

    # -- modules ---------------------------------------------------------------------------------------------

    def child(self, module: Module, name: str) -> Any:
        """The module instance(s) a `module` block makes: a Module, a list (count), a dict (for_each), or Unknown
        (a remote module that was not fetched)."""
        if name in module.children:
            return module.children[name]
        call = module.calls.get(name)
        if call is None:
            raise EvaluationError(f"module.{name} is not declared")
        module.children[name] = Unknown(f"module.{name} depends on itself")
        found = self._child(module, name, call)
        module.children[name] = found
        return found

    def _child(self, module: Module, name: str, call: Block) -> Any:
        address = f"{module.prefix}module.{name}"
        if len(module.path) >= MAX_MODULE_DEPTH:
            self.note(f"{address}: modules nested deeper than {MAX_MODULE_DEPTH} are not read")
            return Unknown(f"{address} is nested too deeply to read")
        source = ModuleScope(module).evaluator().value(call.attributes["source"].expression) \
            if "source" in call.attributes else None
        if not isinstance(source, str):
            return Unknown(f"{address} has no source the reader can read")
        folder = self._module_folder(module, name, source, address)
        if isinstance(folder, Unknown):
            return folder
        try:
            blocks = read_module(folder, self.display)
        except UsageError as error:
            self.note(f"{address}: {error}")
            return Unknown(f"{address} could not be read")
        if folder.resolve() not in self.context.readable:
            self.context.readable.append(folder.resolve())

        def make(key: int | str | None, each: dict[str, Any] | None) -> Module:
            return Module(self, folder, _address(address, key) + ".", (*module.path, name), blocks, module, call, key,
                          each)
        return self._instances(module, call, address, make)

    def _module_folder(self, module: Module, name: str, source: str, address: str) -> Path | Unknown:
        if _LOCAL_SOURCE.match(source):
            folder = (module.folder / source).resolve()
            if folder.is_dir():
                return folder
            self.note(f"{address}: its source {source} is not a folder: its resources are unknown")
            return Unknown(f"{address}: source {source} not found")
        key = ".".join((*module.path, name))
        fetched = self.fetched.get(key)
        if fetched is not None and (self.root / fetched).is_dir():
            return (self.root / fetched).resolve()
        self.note(f"{address} ({source}) is not fetched: run terraform init in {self.shown} (it fills "
                  ".terraform/modules), or give the plan (--terraform-plan); its resources are unknown")
        return Unknown(f"{address} is not fetched (terraform init, or give the plan)")


class ModuleScope:
    """Names as a module's expressions see them."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self.configuration = module.configuration
        self.context = module.configuration.context

    def evaluator(self) -> Evaluator:
        return Evaluator(self)

    def head(self, root: str, names: list[str]) -> tuple[Any, int]:
        configuration, module = self.configuration, self.module
        if root in ("var", "local", "module", "path", "terraform") and not names:
            raise EvaluationError(f"{root} must be followed by a name")
        if root == "var":
            return configuration.variable(module, names[0]), 1
        if root == "local":
            return configuration.local(module, names[0]), 1
        if root == "path":
            # path.cwd: where terraform runs, the root module's folder (an absolute path, as Terraform gives it)
            return {"module": module.relative, "root": ".", "cwd": str(configuration.root)}.get(
                names[0], Unknown(f"path.{names[0]}")), 1
        if root == "terraform":
            return ("default" if names[0] == "workspace" else Unknown(f"terraform.{names[0]}")), 1
        if root == "module":
            return _module_outputs(configuration, configuration.child(module, names[0])), 1
        if root == "data":
            if len(names) < 2:
                raise EvaluationError("data must be followed by a type and a name")
            return configuration.resource_value(module, names[0], names[1], True), 2
        if root in ("count", "each", "self"):
            raise EvaluationError(f"{root} is not available here")
        if not names:
            raise EvaluationError(f"unknown name {root!r}")
        if (root, names[0]) not in module.resources:
            raise EvaluationError(f"{root}.{names[0]} is not declared")
        return configuration.resource_value(module, root, names[0], False), 1


class InstanceScope(ModuleScope):
    """Names as one resource instance (or module call instance) sees them: count.index, each.key, each.value."""

    def __init__(self, module: Module, instance: Instance | None, key: int | str | None = None,
                 each: dict[str, Any] | None = None) -> None:
        super().__init__(module)
        self.instance = instance
        self.key = instance.key if instance is not None else key
        self.each = instance.each if instance is not None else each

    def head(self, root: str, names: list[str]) -> tuple[Any, int]:
        if root == "count" and names[:1] == ["index"]:
            if not isinstance(self.key, int) or self.each is not None:
                raise EvaluationError("count.index outside a block with count")
            return self.key, 1
        if root == "each" and names[:1] in (["key"], ["value"]):
            if self.each is None:
                raise EvaluationError("each outside a block with for_each")
            return self.each[names[0]], 1
        return super().head(root, names)


class _Constants:
    """tfvars files and variable defaults: values, no references."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def head(self, root: str, names: list[str]) -> tuple[Any, int]:
        raise EvaluationError(f"{root} cannot be used here (only constant values)")


def nested_blocks(block: Block, name: str, evaluator: Evaluator) -> list[Any] | Unknown | None:
    """The nested blocks `name { … }` (and `dynamic "name"`) of a block as Terraform exposes them: a list of
    objects; None when there are none."""
    written = [child for child in block.blocks if child.kind == name or
               (child.kind == "dynamic" and child.labels[:1] == (name,))]
    if not written:
        return None
    found: list[Any] = []
    for child in written:
        if child.kind != "dynamic":
            found.append(block_value(child, evaluator))
            continue
        expanded = _dynamic(child, evaluator)
        if isinstance(expanded, Unknown):
            return expanded
        found += expanded
    return found


def block_value(block: Block, evaluator: Evaluator) -> dict[str, Any]:
    value: dict[str, Any] = {name: evaluator.value(attribute.expression)
                             for name, attribute in block.attributes.items()}
    for kind in dict.fromkeys(child.kind if child.kind != "dynamic" else (child.labels or ("",))[0]
                              for child in block.blocks):
        if kind:
            value[kind] = nested_blocks(block, kind, evaluator)
    return value


def _dynamic(block: Block, evaluator: Evaluator) -> list[Any] | Unknown:
    iterator = block.labels[0]
    if "iterator" in block.attributes:
        root, steps = flatten(block.attributes["iterator"].expression)
        if type(root).__name__ == "IdentifierRule" and not steps:
            iterator = str(root.serialize())
    content = next((child for child in block.blocks if child.kind == "content"), None)
    if content is None or "for_each" not in block.attributes:
        return []
    collection = materialize(evaluator.value(block.attributes["for_each"].expression))
    if isinstance(collection, Unknown):
        return collection
    pairs = list(enumerate(collection)) if isinstance(collection, list) else sorted(collection.items()) \
        if isinstance(collection, dict) else None
    if pairs is None:
        return Unknown(f"dynamic {iterator}: for_each is not a collection")
    found = []
    for key, value in pairs:
        with evaluator.bound({iterator: {"key": key, "value": value}}):
            found.append(block_value(content, evaluator))
    return found


def _module_outputs(configuration: Configuration, child: Any) -> Any:
    if isinstance(child, Unknown):
        return child
    if isinstance(child, Module):
        return Lazy(lambda name: configuration.output(child, name), lambda: list(child.outputs),
                    child.prefix.rstrip("."))
    if isinstance(child, list):
        return [_module_outputs(configuration, item) for item in child]
    return {key: _module_outputs(configuration, item) for key, item in child.items()}


def each_instance(found: Any) -> list[Instance]:
    if isinstance(found, Instance):
        return [found]
    if isinstance(found, list):
        return found
    if isinstance(found, dict):
        return list(found.values())
    return []


def _each_module(found: Any) -> list[Any]:
    if isinstance(found, list):
        return found
    if isinstance(found, dict):
        return list(found.values())
    return [found]


def _address(base: str, key: int | str | None) -> str:
    if key is None:
        return base
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}[{json.dumps(key)}]"


def _type_name(expression: Any) -> str:
    """The type constraint of a variable, by its outermost name (string, number, bool, list, map, object…)."""
    text = str(expression.serialize())
    found = re.match(r"^\$?\{?\s*([a-z]+)", text)
    return found[1] if found else "any"


def _fetched_modules(root: Path) -> dict[str, str]:
    """`.terraform/modules/modules.json`, which `terraform init` writes: each module's key (`api`, `api.child`)
    and the folder it fetched it to."""
    manifest = root / ".terraform" / "modules" / "modules.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    entries = data.get("Modules") if isinstance(data, dict) else None
    return {str(entry["Key"]): str(entry["Dir"]) for entry in entries or []
            if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and isinstance(entry.get("Dir"), str)
            and entry["Key"]}

