"""The resource-policy evaluator: the matcher case by case, against a brute-force IAM reference, and never raising."""

from __future__ import annotations

import fnmatch
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import ACCOUNT, REGION, allow
from scanner.model.resource_policy import PolicyError, Statement, decide, matches, method_arn, parse_policy

API = "a1b2c3"
SCOPE = ("aws", REGION, ACCOUNT, API)
FULL = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API}"


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


MATCHER_CASES = [
    # (resource pattern, stage, verb, path, matches)
    ("execute-api:/*", "prod", "GET", "/pets", True),
    ("execute-api:/*", "prod", "GET", "/", True),
    ("execute-api:/prod/*", "prod", "POST", "/pets/{id}", True),
    ("execute-api:/prod/*", "dev", "GET", "/pets", False),
    ("execute-api:/*/GET/*", "dev", "GET", "/pets", True),
    ("execute-api:/*/GET/*", "dev", "POST", "/pets", False),
    ("execute-api:/prod/GET/pets", "prod", "GET", "/pets", True),
    ("execute-api:/prod/GET/pets", "prod", "GET", "/pets/1", False),
    ("execute-api:/prod/GET/pets/*", "prod", "GET", "/pets", False),
    ("execute-api:/prod/GET/pets*", "prod", "GET", "/pets", True),
    ("execute-api:/prod/GET/pets/*", "prod", "GET", "/pets/{id}", True),
    ("execute-api:/prod/GET/pets/{id}", "prod", "GET", "/pets/{id}", True),
    ("execute-api:/prod/GET/pets/{id}", "prod", "GET", "/pets/{petId}", False),
    ("execute-api:/prod/GET/", "prod", "GET", "/", True),
    ("execute-api:/prod/GET/", "prod", "GET", "/pets", False),
    ("execute-api:/prod/GET/*", "prod", "GET", "/", True),
    ("execute-api:/prod/*/pets", "prod", "DELETE", "/pets", True),
    ("execute-api:/prod/*/pets", "prod", "DELETE", "/cats", False),
    ("execute-api:/prod/get/pets", "prod", "GET", "/pets", False),  # the verb is matched as written: upper case
    ("execute-api:/PROD/GET/pets", "prod", "GET", "/pets", False),
    ("execute-api:/pr?d/GET/pets", "prod", "GET", "/pets", True),
    ("execute-api:/pr?d/GET/pets", "prd", "GET", "/pets", False),
    ("execute-api:/???/GET/pets", "dev", "GET", "/pets", True),
    ("execute-api:/*/*/pets/*/toys", "prod", "GET", "/pets/{id}/toys", True),
    ("execute-api:/*/*/pets/*/toys", "prod", "GET", "/pets/toys", False),
    ("execute-api:/*pets*", "prod", "GET", "/shop/pets/list", True),  # * spans slashes
    (f"{FULL}/*", "prod", "GET", "/pets", True),
    (f"{FULL}/*/*/*", "prod", "GET", "/pets", True),
    (f"{FULL}/prod/GET/pets", "prod", "GET", "/pets", True),
    (f"arn:aws:execute-api:{REGION}:{ACCOUNT}:other/*", "prod", "GET", "/pets", False),
    (f"arn:aws:execute-api:*:{ACCOUNT}:{API}/*", "prod", "GET", "/pets", True),
    (f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{API}/*", "prod", "GET", "/pets", False),
    (f"arn:aws:execute-api:{REGION}:*:*/prod/*", "prod", "GET", "/pets", True),
    (f"arn:aws:execute-api:{REGION}:999999999999:{API}/*", "prod", "GET", "/pets", False),
    ("arn:aws:execute-api:*", "prod", "GET", "/pets", True),
    ("*", "prod", "GET", "/pets", True),
    ("arn:aws:s3:::bucket/*", "prod", "GET", "/pets", False),
    ("execute-api:/prod/GET/pets/", "prod", "GET", "/pets", False),
    ("execute-api:/prod", "prod", "GET", "/pets", False),
    ("execute-api:/prod/GET/pets?", "prod", "GET", "/pets", False),
    ("execute-api:/prod/GET/pet?", "prod", "GET", "/pets", True),
    (["execute-api:/dev/*", "execute-api:/prod/GET/*"], "prod", "GET", "/pets", True),
    (["execute-api:/dev/*", "execute-api:/prod/POST/*"], "prod", "GET", "/pets", False),
]


@pytest.mark.parametrize("resource, stage, verb, path, expected", MATCHER_CASES)
def test_matcher(resource, stage, verb, path, expected):
    [statement] = parse_policy(policy(allow(resource)))
    assert matches(statement, method_arn("aws", REGION, ACCOUNT, API, stage, verb, path), SCOPE) is expected


@pytest.mark.parametrize("not_resource, path, expected", [
    ("execute-api:/*/GET/admin/*", "/pets", True),
    ("execute-api:/*/GET/admin/*", "/admin/users", False),
    (["execute-api:/dev/*", "execute-api:/*/DELETE/*"], "/pets", True),
])
def test_not_resource(not_resource, path, expected):
    [statement] = parse_policy(policy({"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
                                       "NotResource": not_resource}))
    assert matches(statement, method_arn("aws", REGION, ACCOUNT, API, "prod", "GET", path), SCOPE) is expected


@pytest.mark.parametrize("principal, action, expected", [
    ({"Principal": "*"}, {"Action": "execute-api:Invoke"}, True),
    ({"Principal": {"AWS": "*"}}, {"Action": "execute-api:*"}, True),
    ({"Principal": {"AWS": ["arn:aws:iam::111122223333:root", "*"]}}, {"Action": "*"}, True),
    ({"Principal": {"AWS": "arn:aws:iam::111122223333:root"}}, {"Action": "execute-api:Invoke"}, False),
    ({"Principal": {"Service": "lambda.amazonaws.com"}}, {"Action": "execute-api:Invoke"}, False),
    ({"NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}}, {"Action": "execute-api:Invoke"}, True),
    ({"NotPrincipal": {"AWS": "*"}}, {"Action": "execute-api:Invoke"}, False),
    ({"Principal": "*"}, {"Action": "execute-api:ManageConnections"}, False),
    ({"Principal": "*"}, {"NotAction": "execute-api:ManageConnections"}, True),
    ({"Principal": "*"}, {"NotAction": "execute-api:*"}, False),
    ({"Principal": "*"}, {"Action": "EXECUTE-API:invoke"}, True),  # actions are case-insensitive
])
def test_principal_and_action(principal, action, expected):
    [statement] = parse_policy(policy({"Effect": "Allow", "Resource": "execute-api:/*", **principal, **action}))
    assert matches(statement, method_arn("aws", REGION, ACCOUNT, API, "prod", "GET", "/pets"), SCOPE) is expected


def test_escaped_policy_as_get_rest_apis_returns_it():
    stored = json.dumps(json.loads(policy(allow("execute-api:/*"))))
    escaped = stored.replace('"', '\\"')
    assert parse_policy(escaped) == parse_policy(stored)


@pytest.mark.parametrize("text, problem", [
    ("not json", "not valid JSON"),
    ("[]", "not a JSON object"),
    (json.dumps({"Statement": []}), "no Statement"),
    (policy(allow("execute-api:/*", Conditions={})), "unknown element 'Conditions'"),
    (json.dumps({"Version": "2012-10-17", "Statement": [allow("*")], "Extra": 1}), "unknown policy element"),
    (policy({"Effect": "Maybe", "Principal": "*", "Action": "x", "Resource": "*"}), "Effect must be"),
    (policy({"Effect": "Allow", "Action": "x", "Resource": "*"}), "Principal and NotPrincipal"),
    (policy(allow(["ok", 3])), "list of strings"),
    (policy(allow("*", Condition=[])), "Condition must map"),
])
def test_unreadable_policies(text, problem):
    with pytest.raises(PolicyError, match=problem):
        parse_policy(text)


def test_decisions():
    arn = method_arn("aws", REGION, ACCOUNT, API, "prod", "GET", "/pets")
    ip_deny = {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
               "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}
    cases = {
        "allow": [allow("execute-api:/*")],
        "deny": [allow("execute-api:/*"), {**allow("execute-api:/*/GET/*"), "Effect": "Deny", "Sid": "NoReads"}],
        "implicit-deny": [allow("execute-api:/dev/*")],
        "conditional": [allow("execute-api:/*"), ip_deny],
    }
    for expected, statements in cases.items():
        decision = decide(parse_policy(policy(*statements)), arn, SCOPE)
        assert decision.decision == expected
    conditional = decide(parse_policy(policy(allow("execute-api:/*"), ip_deny)), arn, SCOPE)
    assert conditional.conditions == ["Deny (statement 2) when aws:SourceIp NotIpAddress 203.0.113.0/24"]
    assert decide(parse_policy(policy(ip_deny)), arn, SCOPE).decision == "implicit-deny"


# A brute-force reference written straight from IAM's evaluation logic, independent of the scanner's code:
# fnmatch for wildcards (no [] in generated patterns), and every outcome of every Condition enumerated.

def reference(statements: list[dict], arn: str) -> str:
    def applies(statement):
        principal = statement.get("Principal", statement.get("NotPrincipal"))
        everyone = principal == "*" or (isinstance(principal, dict) and "*" in _list(principal.get("AWS")))
        anonymous = everyone if "Principal" in statement else not everyone
        actions = [a.lower() for a in _list(statement.get("Action", statement.get("NotAction")))]
        acted = any(fnmatch.fnmatchcase("execute-api:invoke", a) for a in actions)
        acted = acted if "Action" in statement else not acted
        patterns = [p.replace("execute-api:/", f"{FULL}/", 1) if p.startswith("execute-api:/") else p
                    for p in _list(statement.get("Resource", statement.get("NotResource")))]
        hit = any(fnmatch.fnmatchcase(arn, p) for p in patterns)
        hit = hit if "Resource" in statement else not hit
        return anonymous and acted and hit

    relevant = [s for s in statements if applies(s)]
    conditional = [s for s in relevant if s.get("Condition")]
    outcomes = set()
    for truth in itertools.product([True, False], repeat=len(conditional)):
        holds = {id(s): value for s, value in zip(conditional, truth, strict=True)}
        active = [s for s in relevant if not s.get("Condition") or holds[id(s)]]
        if any(s["Effect"] == "Deny" for s in active):
            outcomes.add("deny")
        elif any(s["Effect"] == "Allow" for s in active):
            outcomes.add("allow")
        else:
            outcomes.add("implicit-deny")
    if outcomes == {"allow"}:
        return "allow"
    if "allow" in outcomes:
        return "conditional"
    hard_deny = any(s["Effect"] == "Deny" and not s.get("Condition") for s in relevant)
    return "deny" if hard_deny else "implicit-deny"


def _list(value):
    return [] if value is None else value if isinstance(value, list) else [value]


_segments = st.sampled_from(["prod", "dev", "*", "?rod", "GET", "POST", "*", "pets", "{id}", "pe*", "", "p?ts"])
_patterns = st.one_of(
    st.lists(_segments, min_size=1, max_size=4).map(lambda parts: "execute-api:/" + "/".join(parts)),
    st.lists(_segments, min_size=1, max_size=4).map(lambda parts: f"{FULL}/" + "/".join(parts)),
    st.sampled_from(["*", "execute-api:/*", f"arn:aws:execute-api:*:{ACCOUNT}:{API}/*", "arn:aws:s3:::x"]),
)
_statements = st.builds(
    lambda effect, who, action, resource, condition: {
        "Effect": effect, **who, **action, **resource,
        **({"Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}} if condition else {})},
    st.sampled_from(["Allow", "Deny"]),
    st.sampled_from([{"Principal": "*"}, {"Principal": {"AWS": "*"}}, {"Principal": {"AWS": "arn:aws:iam::1:root"}},
                     {"NotPrincipal": {"AWS": "arn:aws:iam::1:root"}}]),
    st.sampled_from([{"Action": "execute-api:Invoke"}, {"Action": "execute-api:*"}, {"Action": "s3:GetObject"},
                     {"NotAction": "s3:*"}, {"Action": ["s3:*", "execute-api:Inv*"]}]),
    st.one_of(st.builds(lambda p: {"Resource": p}, st.lists(_patterns, min_size=1, max_size=3)),
              st.builds(lambda p: {"NotResource": p}, _patterns)),
    st.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(statements=st.lists(_statements, min_size=1, max_size=5),
       stage=st.sampled_from(["prod", "dev"]), verb=st.sampled_from(["GET", "POST"]),
       path=st.sampled_from(["/", "/pets", "/pets/{id}", "/pets/{id}/toys"]))
def test_evaluator_agrees_with_the_reference(statements, stage, verb, path):
    arn = method_arn("aws", REGION, ACCOUNT, API, stage, verb, path)
    parsed = parse_policy(policy(*statements))
    assert decide(parsed, arn, SCOPE).decision == reference(statements, arn)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                         st.sampled_from(["Version", "Statement", "Effect", "Principal", "Action", "Resource",
                                          "NotResource", "Condition", "Sid", "x"]), inner, max_size=5),
                     max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(document=_json, raw=st.text(max_size=40))
def test_malformed_policies_never_raise_anything_else(document, raw):
    for text in (json.dumps(document), raw):
        try:
            statements = parse_policy(text)
        except PolicyError:
            continue
        assert all(isinstance(s, Statement) for s in statements)
        decide(statements, method_arn("aws", REGION, ACCOUNT, API, "prod", "GET", "/"), SCOPE)
