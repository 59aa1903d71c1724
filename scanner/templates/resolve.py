"""CloudFormation's intrinsic functions, resolved as CloudFormation would at deploy time — or marked unresolved.

Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If (with Conditions: Fn::Equals, Fn::And, Fn::Or,
Fn::Not, Condition), Fn::FindInMap, Fn::Base64. A resource's Ref and attributes are given the physical IDs the
scanner uses for the template's own resources, type by type as CloudFormation returns them (returns.py). What the
template cannot tell — Fn::ImportValue, a parameter without a value or default, an attribute of a
resource outside the template — becomes an unresolved marker that the facts read as "unknown", never as a value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..arns import unresolved, unresolved_reason
from .load import as_map
from .returns import Values

NESTED_STACK_TYPES = ("AWS::CloudFormation::Stack", "AWS::Serverless::Application")

NO_VALUE = object()  # AWS::NoValue: the property is left out
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class Resolver:
    def __init__(self, body: dict[str, Any], parameters: dict[str, str], region: str, account: str,
                 partition: str, stack: str | None = None, exports: dict[str, str] | None = None) -> None:
        self.exports = exports  # --resolve: the account's CloudFormation exports by name
        self.resources: dict[str, Any] = as_map(body.get("Resources"))
        self.mappings: dict[str, Any] = as_map(body.get("Mappings"))
        self.conditions: dict[str, Any] = as_map(body.get("Conditions"))
        self.region, self.account, self.partition, self.stack = region, account, partition, stack
        self.parameters: dict[str, Any] = {}
        self.list_parameters = {str(name) for name, declared in as_map(body.get("Parameters")).items()
                                if str(as_map(declared).get("Type")) == "CommaDelimitedList"
                                or str(as_map(declared).get("Type")).startswith("List<")}
        for name, declared in as_map(body.get("Parameters")).items():
            if name in parameters:
                self.parameters[name] = parameters[name]
            elif isinstance(declared, dict) and "Default" in declared:
                self.parameters[name] = declared["Default"]
        self._condition_values: dict[str, bool | None] = {}
        self._resolving: set[str] = set()

    # -- what the template's own resources return ------------------------------------------------------------

    def physical_id(self, logical: str) -> Any:
        """What `Ref` of one of the template's resources returns (scanner/templates/returns.py)."""
        values = self._values(logical)
        return values if isinstance(values, str) else self._guarded(logical, values.ref)

    def attribute(self, logical: str, attribute: str) -> Any:
        """What `Fn::GetAtt logical.attribute` returns; a nested stack's `Outputs.X` is its template's output when
        that template was given too."""
        resource = self.resources.get(logical)
        if not isinstance(resource, dict):
            return unresolved(f"Fn::GetAtt {logical}.{attribute}: not created by this template (give --resolve, or "
                              "the template that creates it)")
        if attribute.startswith("Outputs.") and str(resource.get("Type")) in NESTED_STACK_TYPES:
            return self._guarded(logical, lambda: self.nested_output(logical, attribute[len("Outputs."):]))
        values = self._values(logical)
        return values if isinstance(values, str) else self._guarded(logical, lambda: values.attribute(attribute))

    def nested_output(self, logical: str, name: str) -> Any:
        """Output `name` of nested stack `logical`: unknown here (a Resolver that knows the nested templates, in
        snapshot.py, answers it)."""
        return unresolved(f"Fn::GetAtt {logical}.Outputs.{name}: an output of nested stack {logical} (give its "
                          "template with --template too)")

    def _values(self, logical: str) -> Values | str:
        resource = self.resources.get(logical)
        if not isinstance(resource, dict):
            return unresolved(f"Ref {logical}: not a parameter or resource of the template")
        properties = resource.get("Properties")
        return Values(logical, str(resource.get("Type")), properties if isinstance(properties, dict) else {},
                      self.resolve, (self.partition, self.region, self.account))

    def _guarded(self, logical: str, compute: Callable[[], Any]) -> Any:
        """`compute` for `logical`, unknown when it comes back to `logical` itself (a circular reference, which
        CloudFormation refuses)."""
        if logical in self._resolving:
            return unresolved(f"{logical} refers to itself")
        self._resolving.add(logical)
        try:
            return compute()
        finally:
            self._resolving.discard(logical)

    # -- intrinsic functions ------------------------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic function resolved (NO_VALUE where AWS::NoValue removes it)."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (name, argument), = value.items()
            handler = _FUNCTIONS.get(str(name))
            if handler is not None:
                return handler(self, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def ref(self, name: Any) -> Any:
        name = str(name)
        stack = self.stack or unresolved("the stack's name is given at deployment")
        pseudo = {"AWS::Region": self.region, "AWS::AccountId": self.account, "AWS::Partition": self.partition,
                  "AWS::StackName": stack,
                  "AWS::URLSuffix": "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com",
                  "AWS::StackId": stack if self.stack is None else
                  f"arn:{self.partition}:cloudformation:{self.region}:{self.account}:stack/{self.stack}/0"}
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            value = self.parameters[name]
            if name in self.list_parameters:  # a CommaDelimitedList (or List<…>) parameter's Ref is a list
                return value if isinstance(value, list) else str(value).split(",")
            return ",".join(map(str, value)) if isinstance(value, list) else value
        if name in self.resources:
            return self.physical_id(name)
        return unresolved(f"parameter {name} has no value (give --parameter {name}=VALUE)")

    def condition(self, name: str) -> bool | None:
        """A named condition's value; None when it depends on what cannot be resolved."""
        if name not in self._condition_values:
            self._condition_values[name] = None  # a cycle resolves to unknown
            self._condition_values[name] = self._truth(self.conditions.get(name))
        return self._condition_values[name]

    def _truth(self, expression: Any) -> bool | None:
        if not isinstance(expression, dict) or len(expression) != 1:
            return None
        (name, argument), = expression.items()
        if name == "Condition":
            return self.condition(str(argument))
        if name == "Fn::Equals" and isinstance(argument, list) and len(argument) == 2:
            left, right = (self.resolve(item) for item in argument)
            if unresolved_in(left) or unresolved_in(right):
                return None
            return str(left) == str(right)
        if name == "Fn::Not" and isinstance(argument, list) and len(argument) == 1:
            inner = self._truth(argument[0])
            return None if inner is None else not inner
        if name in ("Fn::And", "Fn::Or") and isinstance(argument, list):
            values = [self._truth(item) for item in argument]
            if name == "Fn::And":
                return False if False in values else None if None in values else True
            return True if True in values else None if None in values else False
        return None


def unresolved_in(value: Any) -> bool:
    if isinstance(value, str):
        return unresolved_reason(value) is not None
    if isinstance(value, list):
        return any(unresolved_in(item) for item in value)
    if isinstance(value, dict):
        return any(unresolved_in(item) for item in value.values())
    return False


def _get_att(resolver: Resolver, argument: Any) -> Any:
    if isinstance(argument, str) and "." in argument:
        argument = argument.split(".", 1)
    if not isinstance(argument, list) or len(argument) != 2:
        return unresolved("Fn::GetAtt with a malformed argument")
    name, attribute = resolver.resolve(argument[0]), resolver.resolve(argument[1])
    return resolver.attribute(str(name), str(attribute))


def _sub(resolver: Resolver, argument: Any) -> Any:
    """The text with each variable's value; a variable that cannot be resolved leaves a marker in its place only,
    so the rest of the text (a policy's other statements, an ARN's known parts) is still read."""
    text, variables = (argument, {}) if isinstance(argument, str) else (
        (argument[0], argument[1]) if isinstance(argument, list) and len(argument) == 2 else (None, {}))
    if not isinstance(text, str) or not isinstance(variables, dict):
        return unresolved("Fn::Sub with a malformed argument")
    values = {str(key): resolver.resolve(value) for key, value in variables.items()}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name in values:
            value = values[name]
        elif "." in name and name.split(".", 1)[0] in resolver.resources:
            value = resolver.attribute(*name.split(".", 1))
        else:
            value = resolver.ref(name)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return unresolved(f"the Fn::Sub variable {name} is not a text")
        return str(value)
    return _SUB_VARIABLE.sub(replace, text).replace("${!", "${")


def _join(resolver: Resolver, argument: Any) -> Any:
    """The items joined; an item that cannot be resolved leaves a marker in its place only."""
    if not isinstance(argument, list) or len(argument) != 2:
        return unresolved("Fn::Join with a malformed argument")
    delimiter, items = resolver.resolve(argument[0]), resolver.resolve(argument[1])
    if not isinstance(items, list) or not isinstance(delimiter, str):
        return unresolved(_first_reason(items) or "Fn::Join of what cannot be resolved")
    return delimiter.join(item if isinstance(item, str) else str(item)
                          if isinstance(item, (int, float)) and not isinstance(item, bool)
                          else unresolved(f"Fn::Join of a {type(item).__name__}") for item in items)


def _select(resolver: Resolver, argument: Any) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        return unresolved("Fn::Select with a malformed argument")
    index, items = resolver.resolve(argument[0]), resolver.resolve(argument[1])
    if isinstance(items, str) and not unresolved_in(items):
        items = items.split(",")
    try:
        return items[int(index)] if isinstance(items, list) else unresolved(_first_reason(items) or "Fn::Select")
    except (ValueError, IndexError, TypeError):
        return unresolved("Fn::Select out of range")


def _split(resolver: Resolver, argument: Any) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        return unresolved("Fn::Split with a malformed argument")
    delimiter, text = resolver.resolve(argument[0]), resolver.resolve(argument[1])
    if not isinstance(text, str) or unresolved_in(text):
        return unresolved(_first_reason(text) or "Fn::Split of what cannot be resolved")
    return text.split(str(delimiter))


def _if(resolver: Resolver, argument: Any) -> Any:
    if not isinstance(argument, list) or len(argument) != 3:
        return unresolved("Fn::If with a malformed argument")
    truth = resolver.condition(str(argument[0]))
    if truth is None:
        return unresolved(f"condition {argument[0]} depends on what cannot be resolved")
    return resolver.resolve(argument[1] if truth else argument[2])


def _find_in_map(resolver: Resolver, argument: Any) -> Any:
    if not isinstance(argument, list) or len(argument) < 3:
        return unresolved("Fn::FindInMap with a malformed argument")
    keys = [resolver.resolve(item) for item in argument[:3]]
    if unresolved_in(keys):
        return unresolved(_first_reason(keys) or "Fn::FindInMap")
    try:
        return resolver.resolve(resolver.mappings[str(keys[0])][str(keys[1])][str(keys[2])])
    except (KeyError, TypeError):
        return unresolved(f"Fn::FindInMap {keys}: no such entry")


def _import_value(resolver: Resolver, name: Any) -> Any:
    if resolver.exports is not None and isinstance(name, str) and name in resolver.exports:
        return resolver.exports[name]
    if resolver.exports is not None:
        return unresolved(f"Fn::ImportValue {name}: no such export in the account")
    return unresolved(f"Fn::ImportValue {name}: another stack's export (give --resolve to read it)")


def _first_reason(value: Any) -> str | None:
    if isinstance(value, str):
        return unresolved_reason(value)
    if isinstance(value, list):
        return next((reason for item in value if (reason := _first_reason(item))), None)
    return None


_FUNCTIONS: dict[str, Callable[[Resolver, Any], Any]] = {
    "Ref": lambda resolver, argument: resolver.ref(resolver.resolve(argument)),
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": lambda resolver, argument: resolver.resolve(argument),
    "Fn::ImportValue": lambda resolver, argument: _import_value(resolver, resolver.resolve(argument)),
    "Fn::GetAZs": lambda resolver, argument: unresolved("Fn::GetAZs"),
    "Fn::Cidr": lambda resolver, argument: unresolved("Fn::Cidr"),
}
