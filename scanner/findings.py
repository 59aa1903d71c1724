"""A finding — what one rule decided about one place — as a typed, immutable value, and the one index that says
which findings concern a method, a stage, an authorizer, a pool or an app client.

The engine makes each finding once; evidence, baselines and suppressions return new findings (`replace`), never
edit one. A finding reads as the report's JSON object (a read-only mapping of the contract's fields: render code
and tests index it like a dict); `as_json` gives that object. What the JSON does not carry — whom the finding turns
away (`refusals`), the stages it holds on (`stages`), whether it is a misconfiguration or the method's design —
are attributes only.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

# The report's finding object (docs/interface.md), in its order; `baseline` and `suppressed_by` only when set.
JSON_FIELDS = ("rule", "severity", "title", "outcome", "message", "fix", "commands", "remediation",
               "account", "region", "api_id", "api_name", "path", "method", "stage", "pool_id", "client_id",
               "authorizer", "endpoint", "source", "seed", "scope", "method_verdict", "requests", "evidence")
LOCATION_FIELDS = ("account", "region", "api_id", "api_name", "path", "method", "stage", "pool_id", "client_id",
                   "authorizer", "endpoint")
OPTIONAL_FIELDS = ("baseline", "suppressed_by")
MISCONFIGURATION, DESIGN = "misconfiguration", "design"
EVERY_STAGE = None  # Finding.stages: the finding holds wherever the method is called
LIVE_CONFIGURATION = None  # a stage key: the method as the live API has it (no particular stage)


class Caller(Protocol):
    """A way of calling a method, as a refusal matches it: its kind (none, id, access, m2m, lambda, iam) and, for
    tokens, its app client and pool."""

    @property
    def kind(self) -> str: ...
    @property
    def pool_id(self) -> str | None: ...
    @property
    def client_id(self) -> str | None: ...
    @property
    def client_name(self) -> str | None: ...
    @property
    def through(self) -> tuple[str, str] | None: ...  # (distribution ID, behaviour): sent through CloudFront


@dataclass(frozen=True)
class Refusal:
    """Whom a finding turns away (a rule's [[refuses]], computed on the finding's facts), where in API Gateway's
    order (`step`) and with what status. A caller is refused when its kind is listed and it is among `callers`,
    `clients` and `pools` wherever those are given (None: no narrowing); with `through`, only when it sends its
    request through one of those CloudFront behaviours (distribution ID, behaviour). `partial`: only some of them
    are, which ones cannot be told (a policy condition): their answer is unknown."""

    step: str
    status: str
    kinds: frozenset[str]
    callers: frozenset[tuple[str, str | None, str | None]] | None = None  # (kind, pool_id, client_id)
    clients: frozenset[str] | None = None  # app-client IDs or names
    pools: frozenset[str] | None = None
    partial: bool = False
    through: frozenset[tuple[str, str]] | None = None  # None: wherever the caller sends its request from

    def refuses(self, caller: Caller) -> bool:
        return (caller.kind in self.kinds
                and (self.through is None or caller.through in self.through)
                and (self.callers is None or (caller.kind, caller.pool_id, caller.client_id) in self.callers)
                and (self.clients is None or caller.client_id in self.clients or caller.client_name in self.clients)
                and (self.pools is None or caller.pool_id in self.pools))


@dataclass(frozen=True, eq=False)
class Finding(Mapping[str, Any]):
    """One rule's decision about one place: `outcome` fail (its condition holds) or unknown (it could not be
    decided, and the message says why)."""

    rule: str
    severity: str
    title: str
    outcome: str
    message: str
    fix: str
    commands: tuple[str, ...]
    remediation: str
    account: str | None
    region: str | None
    api_id: str | None
    api_name: str | None
    path: str | None
    method: str | None
    stage: str | None
    pool_id: str | None
    client_id: str | None
    authorizer: str | None
    endpoint: str | None
    source: Any
    seed: str
    scope: str
    method_verdict: str
    requests: int | None = None
    evidence: str | None = None
    baseline: str | None = None
    suppressed_by: Mapping[str, Any] | None = None
    # Not in the JSON: what kind of rule made it, whom it turns away, where it holds.
    kind: str = MISCONFIGURATION
    refusals: tuple[Refusal, ...] = ()
    stages: frozenset[str | None] | None = EVERY_STAGE
    extra: tuple[tuple[str, Any], ...] = field(default=())  # fields of a loaded report this version does not know

    # The mapping the report's JSON object is.
    def __getitem__(self, key: str) -> Any:
        if key in _JSON_KEYS or (key in OPTIONAL_FIELDS and getattr(self, key) is not None):
            value = getattr(self, key)
            return list(value) if key == "commands" else value
        for name, value in self.extra:
            if name == key:
                return value
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        if key in _JSON_KEYS and key != "commands":
            return getattr(self, key)
        try:
            return self[key]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:
        yield from JSON_FIELDS
        yield from (key for key in OPTIONAL_FIELDS if getattr(self, key) is not None)
        yield from (name for name, _ in self.extra)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"Finding({self.rule} {self.outcome} {self.message[:60]!r})"

    def as_json(self) -> dict[str, Any]:
        """The report's finding object (plain data)."""
        fields = self.__dict__
        data = {key: fields[key] for key in JSON_FIELDS}
        data["commands"] = list(self.commands)
        for key in OPTIONAL_FIELDS:
            if fields[key] is not None:
                data[key] = dict(fields[key]) if isinstance(fields[key], Mapping) else fields[key]
        for key, value in self.extra:
            data[key] = dict(value) if isinstance(value, Mapping) else value
        if isinstance(data["source"], Mapping):
            data["source"] = dict(data["source"])
        return data

    @classmethod
    def made(cls, **fields: Any) -> Finding:
        """Finding(**fields), without the frozen constructor's setting of its fields one call at a time (the engine
        makes one for every rule and record that fails, and each method's callers turned away by design). Every
        field without a default must be given."""
        made = object.__new__(cls)
        made.__dict__.update(_DEFAULTS)  # every field, in the constructor's order
        made.__dict__.update(fields)
        if len(made.__dict__) != len(_DEFAULTS) or not _REQUIRED.issubset(fields):
            raise TypeError(f"Finding: fields {sorted(set(fields) - _FIELD_NAMES)} unknown, or some of "
                            f"{sorted(_REQUIRED - set(fields))} missing")
        return made

    def replace(self, **changes: Any) -> Finding:
        """A new finding with these fields changed."""
        unknown = set(changes) - _FIELD_NAMES
        if unknown:
            raise TypeError(f"Finding has no field {', '.join(sorted(unknown))}")
        changed = object.__new__(Finding)  # a frozen record without __post_init__: its fields copied, then changed
        changed.__dict__.update(self.__dict__)
        changed.__dict__.update(changes)
        return changed

    def applies_at(self, stage: str | None) -> bool:
        """Whether the finding holds for requests to `stage` (None: the live configuration, no stage named)."""
        return self.stages is EVERY_STAGE or stage in self.stages

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        """A finding of a report read back (a baseline, a shard to merge), completed as the scanner writes one."""
        rule, severity = str(data["rule"]), str(data["severity"])
        scope = data.get("scope") or ("method" if data.get("method") else "client" if data.get("client_id") else
                                      "authorizer" if data.get("authorizer") else "api" if data.get("api_id")
                                      else "pool")
        known = {*JSON_FIELDS, *OPTIONAL_FIELDS}
        commands = data.get("commands")
        location: dict[str, Any] = {key: data.get(key) for key in LOCATION_FIELDS}
        return cls(
            rule=rule, severity=severity, title=str(data.get("title") or rule), outcome=str(data.get("outcome") or
                                                                                            "fail"),
            message=str(data.get("message") or ""), fix=str(data.get("fix") or ""),
            commands=tuple(str(c) for c in commands) if isinstance(commands, list) else (),
            remediation=str(data.get("remediation") or ""),
            **location, source=data.get("source"),
            seed=str(data.get("seed") or ""), scope=str(scope),
            method_verdict=str(data.get("method_verdict") or ("warn" if severity in ("low", "info") else "fail")),
            requests=data.get("requests"), evidence=data.get("evidence"), baseline=data.get("baseline"),
            suppressed_by=data.get("suppressed_by"),
            extra=tuple((key, value) for key, value in data.items() if key not in known))


_JSON_KEYS = frozenset(JSON_FIELDS)
_FIELD_NAMES = frozenset(field.name for field in dataclasses.fields(Finding))
_REQUIRED = frozenset(field.name for field in dataclasses.fields(Finding)
                      if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING)
_DEFAULTS = {field.name: None if field.default is dataclasses.MISSING else field.default
             for field in dataclasses.fields(Finding)}


def plain(value: Any) -> Any:
    """`value` with every finding in it as its JSON object: what json.dumps and the renderers take."""
    if isinstance(value, Finding):
        return value.as_json()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


F = TypeVar("F", bound=Mapping[str, Any])
_PLACE = ("scope", "account", "region", "api_id", "path", "method", "authorizer", "pool_id", "client_id")
_FINDING_PLACE = operator.attrgetter(*_PLACE)  # a Finding's place, read as attributes


class FindingIndex(Generic[F]):
    """The findings by the place they are about, built once: an API (its methods, authorizers and default
    endpoint), a user pool, an app client. Every view asks it which findings concern a method, an authorizer, a
    pool or a client (findings, or their JSON objects in a report read back)."""

    def __init__(self, findings: Iterable[F]) -> None:
        self.findings: list[F] = []
        self._by_api: dict[tuple[Any, Any, Any], list[F]] = {}  # the API's own, its default endpoint's
        self._in_api: dict[tuple[Any, Any, Any], list[F]] = {}  # its methods' and authorizers'
        self._by_method: dict[tuple[Any, ...], list[F]] = {}
        self._by_authorizer: dict[tuple[Any, ...], list[F]] = {}
        self._by_pool: dict[Any, list[F]] = {}
        self._by_client: dict[tuple[Any, Any], list[F]] = {}
        self._clients_of: dict[Any, list[F]] = {}  # a pool's app clients' findings
        for finding in findings:
            self.add(finding)

    def add(self, finding: F) -> None:
        self.findings.append(finding)
        scope, account, region, api_id, path, method, authorizer, pool_id, client_id = (
            _FINDING_PLACE(finding) if type(finding) is Finding else (finding.get(key) for key in _PLACE))
        api = (account, region, api_id)
        if scope == "client":
            self._by_client.setdefault((pool_id, client_id), []).append(finding)
            self._clients_of.setdefault(pool_id, []).append(finding)
        elif scope == "pool":
            self._by_pool.setdefault(pool_id, []).append(finding)
        elif api_id is None:
            return  # a custom domain's: it names no API
        elif scope == "method":
            self._by_method.setdefault((*api, path, method), []).append(finding)
            self._in_api.setdefault(api, []).append(finding)
        elif scope == "authorizer":
            self._by_authorizer.setdefault((*api, authorizer), []).append(finding)
            self._in_api.setdefault(api, []).append(finding)
        else:
            self._by_api.setdefault(api, []).append(finding)

    def of_api(self, account: Any, region: Any, api_id: Any) -> list[F]:
        """Every finding about the API, its methods, authorizers and default endpoint."""
        api = (account, region, api_id)
        return self._by_api.get(api, []) + self._in_api.get(api, [])

    def of_method(self, method: Mapping[str, Any]) -> list[F]:
        """The findings that bear on a method (fact record or report row): its own, its API's (and its default
        endpoint's), its authorizer's, its pools' — never an app client's (a client's finding bears on no method)."""
        api = (method.get("account"), method.get("region"), method.get("api_id"))
        return (self._by_method.get((*api, method.get("path"), method.get("method")), [])
                + self._by_api.get(api, []) + self._by_authorizer.get((*api, method.get("authorizer")), [])
                + [finding for pool_id in method.get("pool_ids") or [] for finding in self._by_pool.get(pool_id, [])])

    def of_authorizer(self, account: Any, region: Any, api_id: Any, name: Any) -> list[F]:
        return list(self._by_authorizer.get((account, region, api_id, name), []))

    def of_pool(self, pool_id: Any, with_clients: bool = False) -> list[F]:
        """The pool's own findings (and, `with_clients`, its app clients')."""
        clients = self._clients_of.get(pool_id, []) if with_clients else []
        return list(self._by_pool.get(pool_id, [])) + clients

    def of_client(self, pool_id: Any, client_id: Any) -> list[F]:
        return list(self._by_client.get((pool_id, client_id), []))

    def methods_of(self, methods: Iterable[Mapping[str, Any]]) -> dict[int, list[Mapping[str, Any]]]:
        """For each finding (by id()), the methods among `methods` it bears on."""
        concerned: dict[int, list[Mapping[str, Any]]] = {}
        for method in methods:
            for finding in self.of_method(method):
                concerned.setdefault(id(finding), []).append(method)
        return concerned


def at_stage(findings: Iterable[Finding], stage: str | None) -> list[Finding]:
    """The findings that hold for requests to `stage` (None: the live configuration)."""
    return [finding for finding in findings if finding.applies_at(stage)]
