"""The fact records rules judge, declared once: every field a rule may read, its type and what it means.

Fact builders (model/) construct these classes, so mypy checks that REST and HTTP records carry the
same fields; the rule loader checks every JMESPath expression of a rule file against them; and
`apigw-scan rules --fields` and policies/README.md print them. A field that could not be decided
(something it needs was not read) is None, never 0 or [].
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal

ApiType = Literal["REST", "HTTP"]
PoolStatus = Literal["present", "missing", "malformed", "unresolved", "elsewhere", "unreadable"]
PolicyDecision = Literal["allow", "deny", "implicit-deny", "conditional", "no-policy", "unknown"]
FunctionStatus = Literal["found", "missing", "foreign", "malformed", "unreadable", "outside"]
InvokeOutcome = Literal["allowed", "denied", "unknown"]
WRITTEN_AT = ("where it was written: {file, logical_id, line} of a template, {file, address, line} of a Terraform "
              "block, or {stack, logical_id} of a live resource CloudFormation made; null when not known")


# Items of the lists a rule iterates with `for_each` (as `item`).

@dataclass(kw_only=True)
class PoolEntry:
    """One user pool an authorizer names (per stage when the ARN uses a stage variable)."""

    arn: Annotated[str | None, "the pool's ARN (stage variables resolved), or the text as written"]
    pool_id: Annotated[str | None, "the pool ID (eu-west-1_AbC123), null when the ARN cannot be read"]
    region: Annotated[str | None, "the region the pool is looked up in"]
    account: Annotated[str | None, "the account the ARN names"]
    issuer: Annotated[str | None, "the iss claim the pool's tokens carry (its IssuerConfiguration's form)"]
    stage: Annotated[str | None, "the stage this entry is for (provider ARNs with stage variables), else null"]
    status: Annotated[PoolStatus, "present | missing | malformed | unresolved | elsewhere | unreadable"]
    reason: Annotated[str, "why the status is what it is, in words (empty when present)"]
    stage_variable: Annotated[str | None, "the stage variable the stage lacks (status unresolved)"] = None
    issuer_type: Annotated[str | None, "the pool's IssuerConfiguration: ORIGINAL or UPDATED (when read)"] = None
    usable_clients: Annotated[int | None, "app clients a caller can get a token from (null: unread)"] = None
    replica: Annotated[bool, "the pool named here is a multi-Region replica of a pool created elsewhere"] = False


@dataclass(kw_only=True)
class LambdaTarget:
    """The function a Lambda authorizer calls on a stage (its URI may hold stage variables)."""

    stage: Annotated[str | None, "the stage it is for when the URI uses stage variables (canary: 'prod (canary)')"]
    function_arn: Annotated[str | None, "the function (alias or version included), or the URI as written"]
    function_status: Annotated[FunctionStatus | None, "found | missing | foreign | malformed | unreadable | outside "
                                                      "(a template names it, does not create it)"]
    function_unknown: Annotated[str | None, "why the function's existence could not be decided"]
    function_problem: Annotated[str | None, "why API Gateway cannot call the function at all, in words"]
    invoke: Annotated[InvokeOutcome | None, "may API Gateway invoke the function: allowed | denied | unknown"]
    invoke_reason: Annotated[str | None, "why, in words"]


@dataclass(kw_only=True)
class StageComparison:
    """What one stage (or its canary) serves for a method, compared with the live API."""

    stage: Annotated[str, "the stage name"]
    label: Annotated[str, "the stage as people say it: 'prod', or 'prod (canary, 10% of traffic)'"]
    canary: Annotated[bool, "this entry is the stage's canary deployment"]
    deployment_id: Annotated[str | None, "the deployment the stage serves"]
    served: Annotated[bool, "the stage's deployment contains the method"]
    differences: Annotated[list[str], "how what the stage serves differs from the live method, in words"]
    unknown_reason: Annotated[str | None, "why what the stage serves could not be read: the whole deployment (then "
                                          "nothing is compared), or what it requires beyond the authorization type "
                                          "(its authorizer, scopes: a canary's are never exported)"]
    deployed: Annotated[dict[str, Any] | None, "the deployed method: authorization, authorizer, scopes, …"]


@dataclass(kw_only=True)
class PolicyStage:
    """What the API's resource policy decides for a method on one stage."""

    stage: Annotated[str, "the stage name"]
    decision: Annotated[PolicyDecision, "allow | deny | implicit-deny | conditional | no-policy | unknown"]
    conditions: Annotated[list[str], "the conditions that decide (decision conditional), in words"]
    statements: Annotated[list[str], "the Sids (or positions) of the statements that decide"]
    reason: Annotated[str | None, "why the policy cannot be evaluated (decision unknown)"]
    refusal: Annotated[str | None, "how the policy refuses every caller, in words (deny, implicit-deny), else null"]
    method_arn: Annotated[str, "the ARN a request to the method on this stage is authorized against"]


@dataclass(kw_only=True)
class ScopeCheck:
    """Whether a custom scope a method requires is defined by a resource server of its pools."""

    scope: Annotated[str, "the scope (RESOURCE_SERVER/NAME)"]
    server: Annotated[str, "the resource server identifier it names (before the last /)"]
    name: Annotated[str, "the scope's name on that server (after the last /)"]
    defined: Annotated[bool | None, "a resource server defines it; null when the servers could not be read"]
    server_exists: Annotated[bool | None, "the pool has a resource server with that identifier"]
    pool_id: Annotated[str | None, "the pool whose resource servers were searched (the first, if several)"]
    reason: Annotated[str | None, "why it could not be decided"]


@dataclass(kw_only=True)
class SwitchedOffClient:
    """An app client that allows a scope the method requires, but whose AllowedOAuthFlowsUserPoolClient is false:
    it cannot use the OAuth endpoints, so the scope never reaches its tokens (COG009)."""

    pool_id: Annotated[str, "the client's pool"]
    client_id: Annotated[str, "the app client's ID"]
    client_name: Annotated[str | None, "its name"]
    scopes: Annotated[list[str], "the method's scopes it allows"]
    flows_to_enable: Annotated[list[str], "the OAuth flows a fix turns on with AllowedOAuthFlowsUserPoolClient"]


@dataclass(kw_only=True)
class ClaimRule:
    """An additional claim rule a REST API JWT authorizer applies to one issuer's tokens (JwtAdditionalClaim)."""

    name: Annotated[str, "the claim"]
    required: Annotated[bool, "the token must carry it"]
    expected_values: Annotated[list[str], "when set, the claim must equal one of them exactly (case-sensitive)"]
    format: Annotated[str | None, "the claim's format: SINGLE_STRING (a single string)"]


ISSUER_TO_FILL_IN = "https://cognito-idp.REGION.amazonaws.com/POOL_ID"


@dataclass(kw_only=True)
class JwtIssuer:
    """One issuer a JWT authorizer trusts (HTTP APIs have one; REST JWT authorizers may list several)."""

    issuer: Annotated[str | None, "the issuer, exactly as configured (tokens' iss must equal it)"]
    audiences: Annotated[list[str], "the audience it accepts (aud, or client_id when a token has no aud)"]
    cognito: Annotated[bool, "a Cognito user pool's issuer URL (else an external identity provider)"]
    pool: Annotated[PoolEntry | None, "the user pool the issuer names (Cognito issuers)"]
    issuer_problem: Annotated[str | None, "why no token can match the issuer (malformed, pool missing, other form)"]
    expected_issuer: Annotated[str | None, "the issuer the named pool's tokens carry, when it can be told"]
    audience_problem: Annotated[str | None, "why the audience rejects real clients' tokens"]
    audience_unknown: Annotated[str | None, "why the audience could not be judged"]
    audience_clients: Annotated[list[str] | None, "audience entries that are app clients of the pool"]
    additional_claims: Annotated[list[ClaimRule], "the claims its tokens must carry or match (REST APIs)"] = \
        dataclasses.field(default_factory=list)
    claims_problem: Annotated[str | None, "why no token of the pool can meet the additional claim rules"] = None
    claims_unknown: Annotated[str | None, "why whether the pool's tokens meet them cannot be told"] = None
    token_problem: Annotated[str | None, "audience_problem and claims_problem together, in words"] = None
    issuer_to_set: Annotated[str, "the issuer a fix sets: expected_issuer, or the form to fill in "
                                  "(https://cognito-idp.REGION.amazonaws.com/POOL_ID) when it cannot be told"] = \
        ISSUER_TO_FILL_IN


@dataclass(kw_only=True)
class ApiKeyStage:
    """Whether a method that requires an API key can be called on one stage: the key's usage plans."""

    stage: Annotated[str, "the stage name"]
    plan_ids: Annotated[list[str], "the usage plans that include the API's stage"]
    enabled_keys: Annotated[int | None, "how many enabled API keys those plans hold; null when unread"]
    disabled_key_ids: Annotated[list[str], "keys of those plans that are disabled (to enable one)"]
    problem: Annotated[str | None, "why every request to the method on this stage gets 403, in words"]
    unknown_reason: Annotated[str | None, "why it could not be decided (usage plans or keys not read)"]


@dataclass(kw_only=True)
class DeploymentWait:
    """A template's AWS::ApiGateway::Deployment that does not wait (DependsOn) for all of its API's methods."""

    deployment: Annotated[str, "the deployment's logical ID"]
    methods: Annotated[list[str], "the API's AWS::ApiGateway::Method resources it does not wait for (logical IDs)"]
    source: Annotated[dict[str, Any] | None, "where the deployment is written: {file, logical_id, line}"]


@dataclass(kw_only=True)
class ZeroThrottle:
    """An HTTP API stage whose throttling lets no request through to a route (rate or burst 0)."""

    stage: Annotated[str, "the stage name"]
    setting: Annotated[Literal["route", "default"], "route: the route's own settings; default: the stage's"]
    settings_name: Annotated[str, "where the 0 is set, as AWS names it: DefaultRouteSettings or RouteSettings"]
    rate: Annotated[float | None, "the effective ThrottlingRateLimit (requests per second)"]
    burst: Annotated[int | None, "the effective ThrottlingBurstLimit"]
    default_route_settings: Annotated[str, "the stage's DefaultRouteSettings with throttling set to the account's "
                                           "default quota (JSON, for update-stage)"]


@dataclass(kw_only=True)
class CloudFrontRoute:
    """A CloudFront cache behaviour whose requests reach the method (through its execute-api host or a custom
    domain), and what it does to them."""

    distribution_id: Annotated[str, "the distribution's ID"]
    distribution_domain: Annotated[str | None, "its domain (d111111abcdef8.cloudfront.net)"]
    distribution: Annotated[str, "the distribution in words: its ID and its domain when known (a configuration's "
                                 "distribution has none until it is created)"]
    path_pattern: Annotated[str | None, "the behaviour's path pattern; null for the default behaviour"]
    behaviour: Annotated[str, "the behaviour in words: 'default' or its path pattern"]
    origin: Annotated[str, "the origin's domain name"]
    stage: Annotated[str | None, "the stage its requests reach"]
    dropped_headers: Annotated[list[str] | None, "credential headers the behaviour does not forward for this "
                                                 "method's requests (Authorization on GET/HEAD, other headers "
                                                 "always); null when its policies could not be read"]
    host_forwarded: Annotated[bool | None, "the viewer's Host header is forwarded to an execute-api origin"]
    cache_policy: Annotated[str | None, "the cache policy's name (or ID), or 'legacy cache settings'"]
    origin_request_policy: Annotated[str | None, "the origin request policy's name (or ID)"]
    credential_dropped_on: Annotated[Literal["every request", "GET and HEAD"] | None,
                                     "which of the method's requests lose the caller's credential header "
                                     "(Authorization, a Lambda authorizer's identity headers): every request, or "
                                     "only GET and HEAD (Authorization, on an ANY method); null when none does, "
                                     "or when its policies could not be read"]
    api_key_dropped: Annotated[bool | None, "the behaviour does not forward x-api-key to a method that requires "
                                            "an API key"]
    problem: Annotated[str | None, "what the behaviour does to the method's requests, in words (else null)"]
    unknown_reason: Annotated[str | None, "why the behaviour could not be judged"]



@dataclass(kw_only=True)
class DeploymentTrigger:
    """How a Terraform aws_api_gateway_deployment's replacement is tied to its API's changes (IAC003)."""

    deployment: Annotated[str, "the deployment's address (aws_api_gateway_deployment.this)"]
    coverage: Annotated[str, "none: nothing ties it to the API | ids: its triggers hash only IDs (or leave "
                             "resources out) | whole: they hash whole resources or the body | files: they hash "
                             "files | always: it changes on every apply | plan: decided by the plan's actions"]
    problem: Annotated[str | None, "why a change to the API is not deployed, in words; null when it is"]
    unknown_reason: Annotated[str | None, "why that could not be decided"]
    source: Annotated[dict[str, Any] | None, "where the deployment was written: {file, address, line}"]


@dataclass(kw_only=True)
class TrafficCounts:
    """Requests and how they ended, over some time."""

    requests: Annotated[int, "requests (CloudWatch Count)"]
    client_errors: Annotated[int, "answered 4xx"]
    server_errors: Annotated[int, "answered 5xx"]
    failed: Annotated[int, "answered 4xx or 5xx"]
    succeeded: Annotated[int, "answered neither 4xx nor 5xx"]


@dataclass(kw_only=True)
class Traffic(TrafficCounts):
    """What callers got from CloudWatch's API Gateway metrics over the traffic window."""

    days: Annotated[int, "the window, in days"]
    scope: Annotated[Literal["method", "stage", "api"], "method: the method's own figures (detailed metrics); "
                                                        "stage or api: totals that also count other methods"]
    last_day: Annotated[TrafficCounts, "the most recent 24 hours"]


@dataclass(kw_only=True)
class StageTraffic:
    """What callers of the method got on one stage."""

    stage: Annotated[str, "the stage name"]
    traffic: Annotated[Traffic, "its figures"]


@dataclass(kw_only=True)
class CallerFacts:
    """One way of calling a method: no credential, a token an app client can get (ID, access, machine-to-machine),
    a caller a Lambda authorizer's function judges, an IAM-signed caller."""

    kind: Annotated[str, "none | id | access | m2m | lambda | iam"]
    label: Annotated[str, "how the matrix names it: none, lambda, iam, or KIND:CLIENT (id:shop-web)"]
    pool_id: Annotated[str | None, "the pool of its app client (token callers)"]
    client_id: Annotated[str | None, "its app client's ID (token callers)"]
    client_name: Annotated[str | None, "its app client's name"]
    claims: Annotated[dict[str, Any] | None, "what its token carries: iss, token_use, aud or client_id, scope (null: "
                                              "no token)"]
    unknown: Annotated[str | None, "why what it gets cannot be told: its pool or app client could not be read, a "
                                   "Lambda function or an IAM identity decides"]
    token_fails: Annotated[list[str], "the token checks its token fails on the method, as `apigw-scan token` "
                                      "judges a token: TOK004 issuer, TOK005 token type, TOK006 scopes, TOK007 "
                                      "client"]
    token_undecided: Annotated[list[str], "the token checks that could not be decided for its token"]


@dataclass(kw_only=True)
class CallersFailing:
    """The callers whose token fails, or cannot be told to pass, one of `token`'s claim checks on the method."""

    issuer: Annotated[list[CallerFacts], "its issuer is none the authorizer trusts (TOK004)"]
    token_kind: Annotated[list[CallerFacts], "it is not the kind of token the method takes (TOK005)"]
    client: Annotated[list[CallerFacts], "its app client is not one the authorizer accepts (TOK007)"]
    scopes: Annotated[list[CallerFacts], "it carries none of the method's scopes (TOK006)"]


# The records: one per method, API, authorizer, pool and app client.

@dataclass(kw_only=True)
class MethodFacts:
    """A REST API method or an HTTP API route."""

    kind: Annotated[Literal["method"], "always 'method'"] = "method"
    live: Annotated[bool, "the method exists in the live API; false: deleted, but a stage still serves it"] = True
    account: Annotated[str, "the account ID"]
    partition: Annotated[str, "the AWS partition (aws, aws-cn, aws-us-gov) for the ARNs of commands"]
    region: Annotated[str, "the region"]
    api_id: Annotated[str, "the API's ID"]
    api_name: Annotated[str, "the API's name (its ID when it has none)"]
    api_type: Annotated[ApiType, "REST or HTTP"]
    path: Annotated[str, "the resource path (/orders/{id}); for HTTP routes the route key's path, or $default"]
    method: Annotated[str, "the HTTP verb (GET, …, ANY)"]
    resource_id: Annotated[str | None, "the REST resource ID, or the HTTP route ID"]
    route_key: Annotated[str | None, "the HTTP route key (GET /me, $default); null for REST methods"]
    authorization: Annotated[str, "NONE | COGNITO_USER_POOLS | CUSTOM | AWS_IAM | JWT"]
    authorizer_id: Annotated[str | None, "the authorizer's ID (Cognito, Lambda or JWT authorization)"]
    authorizer: Annotated[str | None, "the authorizer's name"]
    authorizer_type: Annotated[str | None, "COGNITO_USER_POOLS | TOKEN | REQUEST | JWT"]
    scopes: Annotated[list[str], "the OAuth scopes the method requires (one of them)"]
    provider_arns: Annotated[list[str] | None, "the Cognito authorizer's provider ARNs, as written"]
    api_key_required: Annotated[bool, "the method requires an API key"]
    token: Annotated[str, "what a caller must send: id | access | id-or-access | lambda | iam | none"]
    pools: Annotated[list[PoolEntry], "the user pools of the method's Cognito or JWT authorizer"]
    pool_ids: Annotated[list[str] | None, "their IDs; null when a pool's ARN is unknown"]
    obtainable_scopes: Annotated[list[str] | None, "the scopes the pools' app clients can put into access tokens"]
    obtainable_required_scopes: Annotated[list[str] | None, "the method's scopes among them; null if undecided"]
    obtainable_scopes_unknown: Annotated[str | None, "why the obtainable scopes could not be decided"]
    custom_scope_checks: Annotated[list[ScopeCheck], "for each custom scope of the method: is it defined"]
    stages: Annotated[list[str] | None, "the stages whose deployment serves the method; null when unread"]
    stage_comparison: Annotated[list[StageComparison], "for each stage: what it serves compared with the live API"]
    policy_decision: Annotated[PolicyDecision | None, "the resource policy's worst decision over the stages"]
    policy_by_stage: Annotated[list[PolicyStage], "the resource policy's decision on each stage"]
    other_protected_methods: Annotated[int, "how many other methods of the API require authorization or a key"]
    api_stages: Annotated[list[str], "every stage of the API (to redeploy after a change)"]
    api_authorizer_id: Annotated[str | None, "the authorizer most protected methods of the API use"]
    scope_client_id: Annotated[str | None, "the app client best placed to obtain the method's scopes (for fixes)"]
    unobtainable_reason: Annotated[str | None, "why none of the method's scopes reaches a token, in words (when "
                                               "none does)"] = None
    switched_off_scope_clients: Annotated[list[SwitchedOffClient], "app clients that allow one of the method's "
                                                                   "scopes but have AllowedOAuthFlowsUserPoolClient "
                                                                   "false (COG009)"] = \
        dataclasses.field(default_factory=list)
    unread: Annotated[str | None, "what of the method's configuration could not be read (then its verdict is at "
                                  "best unknown), with the IAM action"] = None
    credential_headers: Annotated[list[str], "the request headers a caller's credentials travel in (Authorization, "
                                             "a Lambda authorizer's identity headers, x-api-key)"] = \
        dataclasses.field(default_factory=list)
    api_key_stages: Annotated[list[ApiKeyStage], "for a method that requires an API key: each stage's usage "
                                                 "plans and keys"] = dataclasses.field(default_factory=list)
    api_key_source_problem: Annotated[str | None, "why the API's key source gives the method no key"] = None
    api_cors: Annotated[bool, "the API answers browsers' CORS preflights (REST: OPTIONS methods that return "
                              "Access-Control-Allow-Origin; HTTP: a CORS configuration)"] = False
    catches_preflight: Annotated[bool | None, "browsers' OPTIONS preflights for some path end here: the OPTIONS "
                                              "method or route, or ANY (HTTP: also $default) where the path has no "
                                              "OPTIONS of its own"] = None
    preflight_reason: Annotated[str | None, "REST: why preflights end at this method, in words"] = None
    api_cors_unknown: Annotated[str | None, "REST: why whether the API answers CORS could not be told"] = None
    preflight_response_parameters: Annotated[str | None, "REST: the integration response parameters an OPTIONS "
                                                         "method answering CORS maps (JSON, for the fix)"] = None
    preflight_route_key: Annotated[str | None, "the OPTIONS route that would take those preflights "
                                               "(OPTIONS /{proxy+} for $default)"] = None
    route_target: Annotated[str | None, "an HTTP route's integration target (integrations/ID)"] = None
    zero_throttles: Annotated[list[ZeroThrottle], "HTTP API stages whose throttling answers the route with 429 "
                                                  "only"] = dataclasses.field(default_factory=list)
    cloudfront_routes: Annotated[list[CloudFrontRoute], "CloudFront behaviours whose requests reach the method"] = \
        dataclasses.field(default_factory=list)
    cloudfront_unknown: Annotated[str | None, "why the CloudFront distributions in front of the API could not be "
                                              "read"] = None
    traffic: Annotated[Traffic | None, "what callers got on the stages serving the method (CloudWatch); null "
                                       "when not read"] = None
    traffic_by_stage: Annotated[list[StageTraffic], "the same, stage by stage"] = \
        dataclasses.field(default_factory=list)
    traffic_unattributed: Annotated[str | None, "why the method's own figures (zero beside its stage's requests) "
                                                "were not used: AWS does not document how ANY, {proxy+} or $default "
                                                "is recorded"] = None
    source: Annotated[dict[str, Any] | None, WRITTEN_AT] = None
    judged_stages: Annotated[list[str] | None, "the stages that serve this record's configuration as it is: a "
                                               "finding that judges the configuration holds there (and, on the "
                                               "method's own record, once deployed); null when the stages could "
                                               "not be read"] = None
    serving_stage: Annotated[str | None, "on a record of what one stage serves where it differs from the live "
                                         "API: that stage (the record is judged for it alone); null on the "
                                         "method's own record"] = None
    callers: Annotated[list[CallerFacts], "who may call the method and what each one's token carries (the "
                                          "matrix's callers)"] = dataclasses.field(default_factory=list)
    callers_failing: Annotated[CallersFailing, "those callers, by the claim check their token fails"] = \
        dataclasses.field(default_factory=lambda: CallersFailing(issuer=[], token_kind=[], client=[], scopes=[]))


# The fields of a method record that a deployment carries, and what is derived from them: a rule that reads one
# judges the method's configuration, which a stage may serve in an earlier form (see `judged_stages`).
DEPLOYED_FIELDS = ("authorization", "authorizer_id", "authorizer", "authorizer_type", "scopes", "provider_arns",
                   "api_key_required", "token", "pools", "pool_ids", "obtainable_scopes", "obtainable_required_scopes",
                   "obtainable_scopes_unknown", "custom_scope_checks", "scope_client_id", "credential_headers",
                   "api_key_stages", "callers", "callers_failing")


@dataclass(kw_only=True)
class ApiFacts:
    """A REST or HTTP API."""

    kind: Annotated[Literal["api"], "always 'api'"] = "api"
    account: Annotated[str, "the account ID"]
    partition: Annotated[str, "the AWS partition (aws, aws-cn, aws-us-gov) for the ARNs of commands"]
    region: Annotated[str, "the region"]
    api_id: Annotated[str, "the API's ID"]
    api_name: Annotated[str, "the API's name"]
    api_type: Annotated[ApiType, "REST or HTTP"]
    endpoint_types: Annotated[list[str], "REGIONAL | EDGE | PRIVATE (REST)"]
    method_count: Annotated[int | None, "how many methods or routes; null when they could not be read"]
    stage_names: Annotated[list[str], "the API's stages"]
    stage_count: Annotated[int | None, "how many stages; null when they could not be read"]
    stages_unknown: Annotated[str | None, "why the stages could not be read"]
    deployed_stages: Annotated[list[str], "the stages that serve something (a deployment, or auto-deploy)"]
    deployment_problem: Annotated[str | None, "why no request reaches the API's methods (no stage…), else null"]
    cognito_scoped_methods: Annotated[list[str], "Cognito-authorized methods that require scopes (VERB /path)"]
    cognito_unscoped_methods: Annotated[list[str], "Cognito-authorized methods without scopes (VERB /path)"]
    has_policy: Annotated[bool, "the API has a resource policy"]
    policy_error: Annotated[str | None, "why the resource policy cannot be evaluated"]
    policy_allows_invoke: Annotated[bool | None, "some Allow statement grants execute-api:Invoke at all; null when "
                                                 "that cannot be told"]
    private_access_problem: Annotated[str | None, "why a PRIVATE API refuses every request, else null"]
    cors_origin: Annotated[str | None, "the Access-Control-Allow-Origin its OPTIONS methods answer (REST), or its "
                                       "CORS configuration's origins (HTTP); null: the API does not answer CORS"] = None
    gateway_responses_without_cors: Annotated[list[str] | None, "gateway response types (UNAUTHORIZED, "
                                                                "ACCESS_DENIED, …) whose answer lacks that header; "
                                                                "null when unread or not applicable"] = None
    gateway_responses_unknown: Annotated[str | None, "why the gateway responses could not be judged"] = None
    cors_responses_to_put: Annotated[list[str], "of those, the response types still at AWS's default (put one)"] = \
        dataclasses.field(default_factory=list)
    cors_responses_to_patch: Annotated[list[str], "of those, the customized ones (add the header to each)"] = \
        dataclasses.field(default_factory=list)
    cors_response_parameters: Annotated[str | None, "response parameters that add the header (JSON)"] = None
    cors_header_patch: Annotated[str | None, "patch operations that add the header (JSON)"] = None
    default_endpoint_disabled: Annotated[bool, "disableExecuteApiEndpoint: only custom domains reach the API"] = False
    policy_unknown: Annotated[str | None, "why what the resource policy allows is known only at deployment (a "
                                          "template's policy naming an unresolved value)"] = None
    traffic: Annotated[Traffic | None, "what callers of the whole API got (CloudWatch); null when not read"] = None
    template_tool: Annotated[str | None, "the template's tool: cloudformation, sam, cdk or serverless (templates)"] = \
        None
    deployment_dependency_problem: Annotated[str | None, "a deployment of the template that does not wait for the "
                                                         "API's methods (DependsOn), in words"] = None
    undeployed_template_change: Annotated[str | None, "a change since --previous that no new deployment carries to "
                                                      "the stages, in words"] = None
    deployment_ids: Annotated[list[str], "the template's deployments of the API (logical IDs)"] = \
        dataclasses.field(default_factory=list)
    deployment_triggers: Annotated[list[DeploymentTrigger], "Terraform: each deployment a stage serves, and "
                                                            "whether the API's changes replace it"] = \
        dataclasses.field(default_factory=list)
    deployments_not_waiting: Annotated[list[DeploymentWait], "the template's deployments that do not wait for all of "
                                                             "the API's methods, each where it is written"] = \
        dataclasses.field(default_factory=list)
    sam_implicit_stage: Annotated[str | None, "the stage SAM's generated deployment creates when OpenApiVersion is not "
                                              "set (Stage): no caller is given its URL (templates)"] = None
    source: Annotated[dict[str, Any] | None, WRITTEN_AT] = None


@dataclass(kw_only=True)
class AuthorizerFacts:
    """A Cognito (REST), Lambda (REST TOKEN/REQUEST, HTTP REQUEST) or JWT authorizer.

    Fields of other authorizer types are null (or empty)."""

    kind: Annotated[Literal["authorizer"], "always 'authorizer'"] = "authorizer"
    account: Annotated[str, "the account ID"]
    partition: Annotated[str, "the AWS partition (aws, aws-cn, aws-us-gov) for the ARNs of commands"]
    region: Annotated[str, "the region"]
    api_id: Annotated[str, "the API's ID"]
    api_name: Annotated[str, "the API's name"]
    api_type: Annotated[ApiType, "REST or HTTP"]
    authorizer_id: Annotated[str, "the authorizer's ID"]
    authorizer: Annotated[str | None, "the authorizer's name"]
    type: Annotated[str | None, "COGNITO_USER_POOLS | TOKEN | REQUEST | JWT"]
    identity_source: Annotated[str | None, "where the credential is read from, as configured"]
    identity_header: Annotated[str | None, "the (first) header the credential is read from"]
    methods_using: Annotated[int | None, "how many methods or routes use it; null when they could not be read"]
    methods_unknown: Annotated[str | None, "why the methods using it could not be counted"] = None
    scoped_methods_using: Annotated[list[str], "methods using it that require scopes (VERB /path)"]
    api_stages: Annotated[list[str], "every stage of the API (to redeploy after a change)"]
    pools: Annotated[list[PoolEntry], "the user pools it names (Cognito provider ARNs, or a JWT Cognito issuer)"]
    pool_ids: Annotated[list[str] | None, "their IDs; null when a pool's ARN is unknown"]
    # Cognito authorizers.
    validation_expression: Annotated[str | None, "identityValidationExpression (Cognito authorizers)"] = None
    validation_problems: Annotated[list[str], "why the validation expression rejects tokens, in words"] = \
        dataclasses.field(default_factory=list)
    validation_unknown: Annotated[str | None, "why the validation expression could not be judged"] = None
    # Lambda authorizers.
    lambda_targets: Annotated[list[LambdaTarget], "the function it calls (one per stage when the URI uses stage "
                                                   "variables)"] = dataclasses.field(default_factory=list)
    credentials_role: Annotated[str | None, "authorizerCredentials: the role API Gateway assumes to invoke"] = None
    source: Annotated[dict[str, Any] | None, WRITTEN_AT] = None
    credentials_role_name: Annotated[str | None, "that role's name"] = None
    invoke_policy_document: Annotated[str | None, "a role policy that allows invoking the function (JSON)"] = None
    source_arn: Annotated[str | None, "the SourceArn API Gateway presents when it invokes the function"] = None
    identity_headers: Annotated[list[str], "the headers of the identity source"] = \
        dataclasses.field(default_factory=list)
    caching: Annotated[bool | None, "results are cached (TTL > 0)"] = None
    cache_ttl: Annotated[int | None, "the result TTL in seconds (REST's default, 300, when unset)"] = None
    policy_response: Annotated[bool, "the function answers with an IAM policy (not an HTTP API simple response)"] = \
        False
    methods_sharing_cache: Annotated[list[str] | None, "methods one cached answer is reused for (VERB /path); null "
                                                       "when the methods could not be read"] = None
    catch_all_methods: Annotated[list[str], "of those, ANY methods and {proxy+} or $default paths"] = \
        dataclasses.field(default_factory=list)
    identity_problem: Annotated[str | None, "what callers must send, or a caching hazard, in words"] = None
    # JWT authorizers.
    jwt_issuers: Annotated[list[JwtIssuer], "the issuers a JWT authorizer trusts, each with its audience"] = \
        dataclasses.field(default_factory=list)
    jwt_algorithms: Annotated[list[str] | None, "the signing algorithms it accepts (REST: defaultAlgorithms; HTTP: "
                                                "RS256, RS384, RS512); null when not read"] = None
    external_issuers: Annotated[list[str], "trusted issuers that are not Cognito user pools (Auth0, Okta, …)"] = \
        dataclasses.field(default_factory=list)


@dataclass(kw_only=True)
class PoolFacts:
    """A Cognito user pool of the scanned account."""

    kind: Annotated[Literal["pool"], "always 'pool'"] = "pool"
    account: Annotated[str, "the account ID"]
    partition: Annotated[str, "the AWS partition (aws, aws-cn, aws-us-gov) for the ARNs of commands"]
    region: Annotated[str, "the region"]
    pool_id: Annotated[str, "the pool ID"]
    pool_arn: Annotated[str, "the pool ARN"]
    pool_name: Annotated[str | None, "the pool's name"]
    domain: Annotated[str | None, "its domain (custom domain first)"]
    has_domain: Annotated[bool, "the pool has a domain (the OAuth endpoints exist)"]
    issuer: Annotated[str, "the iss claim of the pool's tokens"]
    issuer_type: Annotated[str, "IssuerConfiguration: ORIGINAL (cognito-idp.REGION…) or UPDATED (issuer-cognito-idp…)"]
    pre_token_function: Annotated[str | None, "the pre-token-generation trigger's function ARN"]
    pre_token_function_status: Annotated[FunctionStatus | None, "found | missing | foreign | malformed | unreadable "
                                                                "| outside (a template names it, does not create it)"]
    pre_token_function_unknown: Annotated[str | None, "why that function's existence could not be decided"]
    pre_token_invoke: Annotated[InvokeOutcome | None, "may Cognito invoke it for this pool"]
    pre_token_invoke_reason: Annotated[str | None, "why, in words"]
    custom_auth_triggers: Annotated[list[str], "custom-authentication triggers the pool runs"]
    used_by_authorizers: Annotated[list[str], "authorizers that name the pool (API/authorizer)"]
    source: Annotated[dict[str, Any] | None, WRITTEN_AT] = None


@dataclass(kw_only=True)
class ClientFacts:
    """An app client of a user pool."""

    kind: Annotated[Literal["client"], "always 'client'"] = "client"
    account: Annotated[str, "the account ID"]
    partition: Annotated[str, "the AWS partition (aws, aws-cn, aws-us-gov) for the ARNs of commands"]
    region: Annotated[str, "the region"]
    pool_id: Annotated[str, "the pool's ID"]
    pool_has_domain: Annotated[bool, "the pool has a domain"]
    client_id: Annotated[str, "the app client's ID"]
    client_name: Annotated[str | None, "its name"]
    unreadable: Annotated[str | None, "why DescribeUserPoolClient failed (then the other fields are empty)"]
    oauth_enabled: Annotated[bool, "OAuth is on and at least one OAuth flow is allowed"]
    oauth_flows: Annotated[list[str], "allowed OAuth flows: code | implicit | client_credentials"]
    browser_flows: Annotated[list[str], "the OAuth flows that run in a browser (code, implicit)"]
    allowed_scopes: Annotated[list[str], "AllowedOAuthScopes"]
    obtainable_scopes: Annotated[list[str], "the scopes this client can really put into an access token"]
    callback_urls: Annotated[list[str], "CallbackURLs"]
    logout_urls: Annotated[list[str], "LogoutURLs"]
    has_secret: Annotated[bool, "the client has a secret (ClientSecret, or ClientSecretArn when Secrets Manager "
                                "keeps it)"]
    oauth_switch: Annotated[bool, "AllowedOAuthFlowsUserPoolClient: the client may use the OAuth endpoints"] = False
    oauth_without_switch: Annotated[list[str], "OAuth settings (flows, scopes) set while AllowedOAuthFlowsUserPool"
                                               "Client is false, in words; scopes the client-token flow issues are "
                                               "not counted"] = dataclasses.field(default_factory=list)
    oauth_flows_to_enable: Annotated[list[str], "the OAuth flows a fix turns on with the switch: the client's own, "
                                                "else client_credentials (with a secret) or code"] = \
        dataclasses.field(default_factory=list)
    switch_blocked_scopes: Annotated[list[str], "scopes it allows that reach no token only because the switch is "
                                                "off"] = dataclasses.field(default_factory=list)
    explicit_auth_flows: Annotated[list[str], "ExplicitAuthFlows (sign-in through the user-pool API); Cognito's "
                                              "default when none is set"]
    token_ways: Annotated[list[str], "how a caller can get a token from the client (API sign-in, OAuth flows, "
                                     "client token), in words; empty: no way"]
    identity_providers: Annotated[list[str], "SupportedIdentityProviders"]
    used_by_authorizers: Annotated[list[str], "authorizers that name the client's pool"]
    sign_in_problem: Annotated[str | None, "why callers of an authorizer cannot get a token from it, in words"]
    source: Annotated[dict[str, Any] | None, WRITTEN_AT] = None


@dataclass(kw_only=True)
class EndpointRoute:
    """Where a custom domain sends requests: an API mapping (base path) or a routing rule."""

    api_id: Annotated[str | None, "the API it sends requests to"]
    stage: Annotated[str | None, "the stage"]
    base_path: Annotated[str, "the base path ('' for the domain's root)"]
    mapping_id: Annotated[str | None, "the API mapping's ID (apigatewayv2)"]
    routing_rule_id: Annotated[str | None, "the routing rule's ID"]
    v1_base_path: Annotated[str | None, "the base path mapping as apigateway names it (edge and private domains)"]
    problem: Annotated[str | None, "why requests through it fail (no such API or stage), else null"]


@dataclass(kw_only=True)
class EndpointFacts:
    """A way in to APIs: a custom domain name, or an API's default execute-api endpoint."""

    kind: Annotated[Literal["endpoint"], "always 'endpoint'"] = "endpoint"
    account: Annotated[str, "the account ID"]
    partition: Annotated[str, "the AWS partition (aws, aws-cn, aws-us-gov) for the ARNs of commands"]
    region: Annotated[str, "the region"]
    endpoint: Annotated[str, "the host name (api.example.com, or abc123defg.execute-api.REGION.amazonaws.com)"]
    custom_domain: Annotated[bool, "a custom domain name (else an API's default endpoint)"]
    endpoint_type: Annotated[str | None, "REGIONAL | EDGE | PRIVATE (custom domains)"]
    routing_mode: Annotated[str | None, "the custom domain's routing mode (API mappings, routing rules or both)"]
    api_id: Annotated[str | None, "the API (default endpoints); null for custom domains"]
    api_name: Annotated[str | None, "the API's name (default endpoints)"]
    api_type: Annotated[ApiType | None, "REST or HTTP (default endpoints)"]
    api_stages: Annotated[list[str], "the API's stages (default endpoints: to redeploy after a change)"]
    routes: Annotated[list[EndpointRoute] | None, "custom domains: where it sends requests; null when unread"]
    broken_mapping_ids: Annotated[list[str], "API mappings (apigatewayv2 IDs) to a missing API or stage"]
    broken_base_paths: Annotated[list[str], "base path mappings (edge and private domains) to a missing API or stage"]
    broken_rule_ids: Annotated[list[str], "routing rules that invoke a missing API or stage"]
    problem: Annotated[str | None, "why requests through it cannot reach an API, in words"]
    unknown_reason: Annotated[str | None, "why that could not be decided"]
    source: Annotated[dict[str, Any] | None, "where it was written: {file, logical_id, line} of a template's domain "
                                             "or API; null when not known"] = None


RECORDS: dict[str, type[Any]] = {"method": MethodFacts, "api": ApiFacts, "authorizer": AuthorizerFacts,
                                 "pool": PoolFacts, "client": ClientFacts, "endpoint": EndpointFacts}
KINDS = tuple(RECORDS)
ITEMS = (PoolEntry, StageComparison, PolicyStage, ScopeCheck, SwitchedOffClient, ClaimRule, JwtIssuer,
         LambdaTarget, ApiKeyStage, ZeroThrottle, CloudFrontRoute, EndpointRoute, Traffic, TrafficCounts,
         StageTraffic, DeploymentWait, CallerFacts, CallersFailing, DeploymentTrigger)
SERVED_METHODS = "served_method"  # the facts' list of records of what a stage serves where it differs from the live API
# The facts' list of app clients of pools read only to judge the APIs that use them (a pool of a region not scanned,
# a pool a template or Terraform configuration names but does not create, read with --resolve): callers of the
# methods, never audited by the client rules.
REFERENCED_CLIENTS = "referenced_client"
Facts = dict[str, list[dict[str, Any]]]  # kind -> records as JMESPath reads them


def as_record(record: Any) -> dict[str, Any]:
    """A fact record as rules read it: a plain dict (nested records too). Like dataclasses.asdict, without its
    deep copies: a fact builder hands over values it made for this record, so there is nothing to copy; a field
    whose declared type is a scalar is taken as it is, a list of scalars copied whole."""
    converted: dict[str, Any] = _plain(record)
    return converted


_SCALARS = frozenset({str, int, float, bool, type(None)})
# How a record class's fields are made plain: each field's name and how (KEEP: a scalar by its type; COPY: a list of
# scalars by its type; WALK: anything else); None: not a record.
_PLANS: dict[type[Any], tuple[tuple[str, int], ...] | None] = {}
KEEP, COPY, WALK = 0, 1, 2


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list or kind is tuple:
        return [item if type(item) in _SCALARS else _plain(item) for item in value]
    if kind is dict:
        return {key: item if type(item) in _SCALARS else _plain(item) for key, item in value.items()}
    plan = _PLANS[kind] if kind in _PLANS else _plan_of(kind, value)
    if plan is None:
        return value
    plain: dict[str, Any] = {}
    attributes = value.__dict__
    for name, how in plan:
        item = attributes[name] if name in attributes else getattr(value, name)
        if how == KEEP or type(item) in _SCALARS:
            plain[name] = item
        elif how == COPY and type(item) is list:
            plain[name] = item.copy()
        else:
            plain[name] = _plain(item)
    return plain


def _plan_of(kind: type[Any], value: Any) -> tuple[tuple[str, int], ...] | None:
    """A record class's plan (its fields in their order; mypy holds the builders to the declared types), None for
    anything that is not a record."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        _PLANS[kind] = None
        return None
    try:
        hints = {info.name: info.type for info in fields_of(kind)}
    except (NameError, TypeError):  # a type that cannot be resolved: every field walked
        hints = {}
    plan = tuple((field.name, KEEP if _scalar_type(hints.get(field.name, Any)) else
                  COPY if _scalar_list_type(hints.get(field.name, Any)) else WALK)
                 for field in dataclasses.fields(value))
    _PLANS[kind] = plan
    return plan


def _scalar_type(hint: Any) -> bool:
    """A type whose values are all scalars (strings, numbers, booleans, None, literals)."""
    origin = typing.get_origin(hint)
    if origin is Literal:
        return all(type(arg) in _SCALARS for arg in typing.get_args(hint))
    if origin in (typing.Union, types.UnionType):
        return all(_scalar_type(arg) for arg in typing.get_args(hint))
    return hint in _SCALARS


def _scalar_list_type(hint: Any) -> bool:
    """A list of scalars, or that or None."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return all(arg is type(None) or _scalar_list_type(arg) for arg in typing.get_args(hint))
    return origin is list and _scalar_type(typing.get_args(hint)[0])


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: Any  # the Python type (Annotated stripped)
    meaning: str


def fields_of(record_class: type[Any]) -> list[FieldInfo]:
    """The fields of a record class with their types and meanings, in declaration order."""
    if record_class not in _FIELD_INFOS:
        _FIELD_INFOS[record_class] = _fields_of(record_class)
    return list(_FIELD_INFOS[record_class])


_FIELD_INFOS: dict[type[Any], tuple[FieldInfo, ...]] = {}  # read once per class (type hints are slow to resolve)


def _fields_of(record_class: type[Any]) -> tuple[FieldInfo, ...]:
    hints = typing.get_type_hints(record_class, include_extras=True)
    infos = []
    for declared in dataclasses.fields(record_class):
        hint = hints[declared.name]
        meaning = ""
        if typing.get_origin(hint) is Annotated:
            meaning = str(hint.__metadata__[0])
            hint = typing.get_args(hint)[0]
        infos.append(FieldInfo(declared.name, hint, meaning))
    return tuple(infos)


def type_words(hint: Any) -> str:
    """A field's type in words for the rule writer's guide: string, list of PoolEntry, …"""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        parts = [type_words(arg) for arg in typing.get_args(hint) if arg is not type(None)]
        optional = type(None) in typing.get_args(hint)
        return " or ".join(parts) + (" or null" if optional else "")
    if origin is Literal:
        return "string"
    if origin is list:
        return f"list of {type_words(typing.get_args(hint)[0])}"
    if origin is dict:
        return "object"
    if dataclasses.is_dataclass(hint):
        return str(getattr(hint, "__name__", "record"))
    return {str: "string", bool: "boolean", int: "number", float: "number"}.get(hint, "any")
