"""Every change the demo and the tests make to moto, the AWS emulator, in this one module: what moto lacks of the
services the scanner reads, added as AWS behaves (botocore's models give the shapes), and its IDs made repeatable.

moto's private internals are patched (response handlers, model classes, URL tables), so this module knows the
moto versions it was written against (KNOWN_MOTO; pyproject pins the same range) and refuses others with a
message that says which to install, instead of emulating AWS wrongly.

`install()` patches, in this process:
- API Gateway (REST): each deployment keeps a copy of what it serves (`CreateDeployment`); `GetDeployment` with
  `embed=apisummary` returns it; `GetExport` (oas30, swagger; `extensions=authorizers`) exports what a stage's
  deployment serves, shaped as API Gateway writes it; `UpdateMethod` (authorization, authorizer, scopes, API
  key); `UpdateAuthorizer` on `/providerARNs`; `CreateAuthorizer` keeps the `identityValidationExpression` moto
  drops (a misspelt keyword); authorizers of type JWT with a `jwtConfiguration`.
- API Gateway (HTTP APIs): `GetAuthorizers`; `CreateDeployment` keeps what it serves and a stage that does not
  deploy automatically serves its `DeploymentId`; `ExportApi` exports what a stage serves.
- Cognito: app clients whose secret is kept in Secrets Manager (`PublishSecretsInAWSSecretsManager`) are
  described with `ClientSecretArn` instead of `ClientSecret`.
- CloudFront: cache and origin request policies (Get, List by type, Create), with the managed ones every account
  has.
`seed_ids(n)` seeds moto's random generator (and the IDs this module makes), so a demo built twice has the same
API, pool and client IDs (the README's samples, compared by a test).

The scanner never imports this module: it talks to AWS (or to whatever AWS_ENDPOINT_URL names) and cannot tell
the difference.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import moto
from moto import mock_aws

from ..errors import UsageError

# The moto releases these patches were written and tested against (pyproject's demo extra pins the same).
KNOWN_MOTO = ((5, 2),)
KNOWN_MOTO_PIN = "moto>=5.2,<5.3"


def check_moto_version(version: str) -> None:
    """A moto these patches do not know is refused: they reach into its internals, which change between releases."""
    parts = version.split(".")
    known = len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit() and \
        (int(parts[0]), int(parts[1])) in KNOWN_MOTO
    if not known:
        raise UsageError(f"the demo's emulator patches moto's internals and knows {KNOWN_MOTO_PIN}; this is moto "
                         f"{version}: pip install '{KNOWN_MOTO_PIN}'")


check_moto_version(moto.__version__)

# Imported once the version is known: these are the internals patched below.
from moto.apigateway import models, responses  # noqa: E402
from moto.apigatewayv2 import models as v2_models  # noqa: E402
from moto.apigatewayv2 import responses as v2_responses  # noqa: E402
from moto.apigatewayv2 import urls as v2_urls  # noqa: E402
from moto.cloudfront import responses as cf_responses  # noqa: E402
from moto.cloudfront import urls as cf_urls  # noqa: E402
from moto.cognitoidp import models as cognito_models  # noqa: E402
from moto.core.responses import ActionResult  # noqa: E402
from moto.moto_api._internal import mock_random  # noqa: E402

__all__ = ["install", "mock_aws", "seed_ids"]

_INSTALLED = False
_SNAPSHOT_ATTRIBUTE = "deployed_configuration"


def seed_ids(seed: int) -> None:
    """moto's IDs (APIs, pools, clients, functions…) and this module's, the same on every run from here on."""
    mock_random.seed(seed)


def install() -> None:
    """Patch moto's API Gateway in this process (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    original_create_deployment = models.RestAPI.create_deployment

    def create_deployment(self: Any, name: str, description: str, stage_variables: Any = None) -> Any:
        deployment = original_create_deployment(self, name, description, stage_variables)
        setattr(deployment, _SNAPSHOT_ATTRIBUTE, _freeze(self))
        return deployment

    _patch(models.RestAPI, "create_deployment", create_deployment)

    original_get_deployment = responses.APIGatewayResponse.get_deployment

    def get_deployment(self: Any) -> str:
        body = json.loads(original_get_deployment(self))
        embed = self.querystring.get("embed", [])
        if "apisummary" in embed:
            parts = self.path.split("/")
            api = self.backend.get_rest_api(parts[2])
            frozen = getattr(api.deployments[parts[4]], _SNAPSHOT_ATTRIBUTE, None) or _freeze(api)
            body["apiSummary"] = _api_summary(frozen)
        return json.dumps(body)

    _patch(responses.APIGatewayResponse, "get_deployment", get_deployment)

    def get_export(self: Any) -> Any:
        parts = self.path.split("/")
        api_id, stage_name, export_type = parts[-5], parts[-3], parts[-1]
        api = self.backend.get_rest_api(api_id)
        stage = api.stages.get(stage_name)
        if stage is None:
            return self.error("NotFoundException", "Invalid stage identifier specified", 404)
        if export_type not in ("oas30", "swagger"):
            return self.error("BadRequestException", f"No API exporter for type '{export_type}'")
        frozen = getattr(api.deployments[stage.deployment_id], _SNAPSHOT_ATTRIBUTE, None) or _freeze(api)
        extensions = ",".join(self.querystring.get("extensions", []))
        document = _openapi_document(api, stage_name, frozen, with_authorizers="authorizers" in extensions)
        headers = {"Content-Type": "application/json"}
        return 200, headers, json.dumps(document).encode("utf-8")

    _patch(responses.APIGatewayResponse, "get_export", get_export)

    def update_method(self: Any) -> str:
        parts = self.path.split("/")
        api = self.backend.get_rest_api(parts[2])
        method = api.resources[parts[4]].resource_methods[parts[6]]
        for operation in self._get_param("patchOperations") or []:
            _apply_method_patch(method, operation)
        return json.dumps(method.to_json())

    _patch(responses.APIGatewayResponse, "update_method", update_method)

    original_authorizer_init = models.Authorizer.__init__

    def authorizer_init(self: Any, *args: Any, **kwargs: Any) -> None:
        misspelt = kwargs.get("identiy_validation_expression")
        if misspelt and not kwargs.get("identity_validation_expression"):
            kwargs["identity_validation_expression"] = misspelt
        original_authorizer_init(self, *args, **kwargs)

    _patch(models.Authorizer, "__init__", authorizer_init)

    original_apply_operations = models.Authorizer.apply_operations

    def apply_operations(self: Any, patch_operations: list[dict[str, Any]]) -> Any:
        others = []
        for operation in patch_operations:
            if operation.get("path", "").startswith("/providerARNs"):
                arns = list(self.provider_arns or [])
                if operation.get("op") == "add" and operation.get("value") not in arns:
                    arns.append(operation["value"])
                elif operation.get("op") == "remove":
                    arns = [arn for arn in arns if arn != operation.get("value")]
                self.provider_arns = arns
            else:
                others.append(operation)
        return original_apply_operations(self, others)

    _patch(models.Authorizer, "apply_operations", apply_operations)

    def get_authorizers(self: Any) -> Any:
        api = self.apigatewayv2_backend.get_api(self.path.split("/")[-2])
        return 200, {}, json.dumps({"items": [authorizer.to_json() for authorizer in api.authorizers.values()]})

    _patch(v2_responses.ApiGatewayV2Response, "get_authorizers", get_authorizers)
    _install_rest_jwt_authorizers()
    _install_http_deployments()
    _install_cloudfront_policies()
    _install_managed_client_secrets()
    _INSTALLED = True


def _install_rest_jwt_authorizers() -> None:
    """REST APIs accept authorizer type JWT with a jwtConfiguration (apigateway model: AuthorizerType,
    JwtConfiguration: issuers [{issuer, audiences, additionalClaims}], defaultAlgorithms); moto knows neither."""
    if "JWT" not in responses.AUTHORIZER_TYPES:
        responses.AUTHORIZER_TYPES.append("JWT")
    original_create = responses.APIGatewayResponse.create_authorizer

    def create_authorizer(self: Any) -> Any:
        status, headers, body = original_create(self)
        created = json.loads(body)
        configuration = self._get_param("jwtConfiguration")
        if configuration and created.get("id"):
            api = self.backend.get_rest_api(self.path.split("/")[2])
            api.authorizers[created["id"]].jwt_configuration = _jwt_configuration(configuration)
            created["jwtConfiguration"] = api.authorizers[created["id"]].jwt_configuration
        return status, headers, json.dumps(created)

    _patch(responses.APIGatewayResponse, "create_authorizer", create_authorizer)
    original_to_json = models.Authorizer.to_json

    def to_json(self: Any) -> dict[str, Any]:
        document: dict[str, Any] = original_to_json(self)
        if getattr(self, "jwt_configuration", None):
            document["jwtConfiguration"] = self.jwt_configuration
        return document

    _patch(models.Authorizer, "to_json", to_json)


def _install_managed_client_secrets() -> None:
    """An app client created or updated with PublishSecretsInAWSSecretsManager (and a generated secret) is described
    with ClientSecretArn, the Secrets Manager secret holding it, instead of ClientSecret (cognito-idp model:
    UserPoolClientType.ClientSecretArn, CreateUserPoolClientRequest.PublishSecretsInAWSSecretsManager). The flag
    itself is a request parameter, never part of the answer."""
    original_create = cognito_models.CognitoIdpBackend.create_user_pool_client

    def create_user_pool_client(self: Any, user_pool_id: str, generate_secret: bool,
                                extended_config: dict[str, Any]) -> Any:
        client: Any = original_create(self, user_pool_id, generate_secret, extended_config)
        _, region, account = str(self.describe_user_pool(user_pool_id).arn).split(":")[2:5]
        # The form ClientSecretArnType's pattern gives: arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret/NAME.
        client.secret_arn = f"arn:aws:secretsmanager:{region}:{account}:secret/cognito-idp/{user_pool_id}/{client.id}"
        return client

    _patch(cognito_models.CognitoIdpBackend, "create_user_pool_client", create_user_pool_client)
    original_to_json = cognito_models.CognitoIdpUserPoolClient.to_json

    def to_json(self: Any, extended: bool = False) -> dict[str, Any]:
        document: dict[str, Any] = original_to_json(self, extended)
        managed = bool(document.pop("PublishSecretsInAWSSecretsManager", None)
                       or self.extended_config.get("PublishSecretsInAWSSecretsManager"))
        if managed and "ClientSecret" in document:
            del document["ClientSecret"]
            document["ClientSecretArn"] = self.secret_arn
        return document

    _patch(cognito_models.CognitoIdpUserPoolClient, "to_json", to_json)


def _jwt_configuration(given: dict[str, Any]) -> dict[str, Any]:
    """What AWS returns for a JwtConfigurationInput: the issuers with their audiences and additional claim rules, and
    the algorithms (apigateway model: JwtConfiguration, JwtIssuer, JwtAdditionalClaim)."""
    return {"issuers": [{"issuer": item.get("issuer"), "audiences": list(item.get("audiences") or []),
                         **({"additionalClaims": [dict(claim) for claim in item["additionalClaims"]]}
                            if item.get("additionalClaims") else {})}
                        for item in given.get("issuers") or []],
            "defaultAlgorithms": list(given.get("defaultAlgorithms") or ["RS256"])}


def _install_http_deployments() -> None:
    """HTTP API deployments: CreateDeployment freezes the routes and authorizers; a stage that does not deploy
    automatically serves its DeploymentId; ExportApi with a StageName exports what that stage serves (an OpenAPI
    3 definition with x-amazon-apigateway-authorizer security schemes, as AWS's "Working with OpenAPI
    definitions for HTTP APIs" shows). moto has none of it."""
    dispatch = v2_responses.ApiGatewayV2Response.dispatch
    v2_urls.url_paths["{0}/v2/apis/(?P<api_id>[^/]+)/deployments$"] = dispatch
    v2_urls.url_paths["{0}/v2/apis/(?P<api_id>[^/]+)/exports/(?P<specification>[^/]+)$"] = dispatch
    original_stage_json = v2_models.Stage.to_json

    def stage_to_json(self: Any) -> dict[str, Any]:
        document: dict[str, Any] = original_stage_json(self)
        if self.config.get("deploymentId"):
            document["deploymentId"] = self.config["deploymentId"]
        return document

    _patch(v2_models.Stage, "to_json", stage_to_json)

    def create_deployment(self: Any) -> Any:
        api = self.apigatewayv2_backend.get_api(self.path.split("/")[-2])
        body = json.loads(self.body or "{}")
        deployment_id = mock_random.get_random_hex(6)
        frozen = getattr(api, _SNAPSHOT_ATTRIBUTE, {})
        frozen[deployment_id] = _freeze_http(api)
        setattr(api, _SNAPSHOT_ATTRIBUTE, frozen)
        if body.get("stageName") in api.stages:
            api.stages[body["stageName"]].config["deploymentId"] = deployment_id
        return 201, {}, json.dumps({"deploymentId": deployment_id, "deploymentStatus": "DEPLOYED",
                                    "description": body.get("description", "")})

    _patch(v2_responses.ApiGatewayV2Response, "create_deployment", create_deployment)

    def export_api(self: Any) -> Any:
        parts = self.path.split("/")
        api = self.apigatewayv2_backend.get_api(parts[-3])
        stage = api.stages.get((self.querystring.get("stageName") or [None])[0] or "")
        deployment_id = stage.config.get("deploymentId") if stage and not stage.auto_deploy else None
        state = getattr(api, _SNAPSHOT_ATTRIBUTE, {}).get(deployment_id) if deployment_id else None
        document = _http_openapi(api, state or _freeze_http(api))
        return 200, {"Content-Type": "application/json"}, json.dumps(document).encode("utf-8")

    _patch(v2_responses.ApiGatewayV2Response, "export_api", export_api)


def _freeze_http(api: Any) -> dict[str, Any]:
    """The routes and authorizers of an HTTP API, copied."""
    return copy.deepcopy({
        "routes": {route.route_key: {"authorizationType": route.authorization_type or "NONE",
                                     "authorizerId": route.authorizer_id,
                                     "authorizationScopes": list(route.authorization_scopes or [])}
                   for route in api.routes.values()},
        "authorizers": {authorizer.id: {"name": authorizer.name, "type": authorizer.authorizer_type,
                                        "jwtConfiguration": authorizer.jwt_config,
                                        "identitySource": authorizer.identity_source}
                        for authorizer in api.authorizers.values()},
    })


def _http_openapi(api: Any, state: dict[str, Any]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemes: dict[str, Any] = {}
    for route_key, route in state["routes"].items():
        verb, _, path = route_key.partition(" ") if " " in route_key else ("ANY", "", route_key)
        path = path if path.startswith("/") else "/" + path
        operation: dict[str, Any] = {"responses": {"default": {"description": "Default response"}}}
        authorizer = state["authorizers"].get(route["authorizerId"] or "")
        if route["authorizationType"] in ("JWT", "CUSTOM") and authorizer:
            operation["security"] = [{authorizer["name"]: route["authorizationScopes"]}]
            kind = "jwt" if route["authorizationType"] == "JWT" else "request"
            sources = ",".join(authorizer.get("identitySource") or [])
            settings: dict[str, Any] = {"type": kind, "identitySource": sources}
            if kind == "jwt":
                settings["jwtConfiguration"] = authorizer.get("jwtConfiguration") or {}
            schemes[authorizer["name"]] = {"type": "oauth2" if kind == "jwt" else "apiKey",
                                           "x-amazon-apigateway-authorizer": settings}
        elif route["authorizationType"] == "AWS_IAM":
            operation["security"] = [{"sigv4": []}]
            schemes["sigv4"] = {"type": "apiKey", "name": "Authorization", "in": "header",
                                "x-amazon-apigateway-authtype": "awsSigv4"}
        key = "x-amazon-apigateway-any-method" if verb == "ANY" else verb.lower()
        paths.setdefault(path, {})[key] = operation
    return {"openapi": "3.0.1", "info": {"title": api.name, "version": "1"}, "paths": paths,
            "components": {"securitySchemes": schemes}}


# CloudFront's managed policies as AWS documents them ("Use managed cache policies", "Use managed origin request
# policies"): ID, name, and the headers they put in the cache key or the origin request.
MANAGED_CACHE_POLICIES = {
    "658327ea-f89d-4fab-a63d-7e88639e58f6": {"Name": "Managed-CachingOptimized", "MinTTL": 1, "DefaultTTL": 86400,
                                             "MaxTTL": 31536000, "HeaderBehavior": "none", "Headers": []},
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": {"Name": "Managed-CachingDisabled", "MinTTL": 0, "DefaultTTL": 0,
                                             "MaxTTL": 0, "HeaderBehavior": "none", "Headers": []},
}
MANAGED_ORIGIN_REQUEST_POLICIES = {
    "216adef6-5c7f-47e4-b989-5492eafa07d3": {"Name": "Managed-AllViewer", "HeaderBehavior": "allViewer",
                                             "Headers": []},
    "b689b0a8-53d0-40ab-baf2-68738e2966ac": {"Name": "Managed-AllViewerExceptHostHeader",
                                             "HeaderBehavior": "allExcept", "Headers": ["host"]},
}


def _install_cloudfront_policies() -> None:
    """CloudFront cache and origin request policies: Get, List (by type) and Create, with the managed ones every
    account has. moto has none of them; its distributions already keep the policy IDs a behaviour names."""
    dispatch = cf_responses.CloudFrontResponse.dispatch
    for kind in ("cache-policy", "origin-request-policy"):
        cf_urls.url_paths["{0}/2020-05-31/" + kind + "$"] = dispatch
        cf_urls.url_paths["{0}/2020-05-31/" + kind + "/(?P<policy_id>[^/]+)$"] = dispatch
    custom: dict[str, dict[str, dict[str, Any]]] = {"cache": {}, "request": {}}

    def cache_policy(policy_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        return {"Id": policy_id, "LastModifiedTime": "2024-01-01T00:00:00Z", "CachePolicyConfig": {
            "Name": spec["Name"], "MinTTL": spec.get("MinTTL", 0), "DefaultTTL": spec.get("DefaultTTL", 0),
            "MaxTTL": spec.get("MaxTTL", 0), "ParametersInCacheKeyAndForwardedToOrigin": {
                "EnableAcceptEncodingGzip": False, "HeadersConfig": _headers(spec),
                "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}}}

    def request_policy(policy_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        return {"Id": policy_id, "LastModifiedTime": "2024-01-01T00:00:00Z", "OriginRequestPolicyConfig": {
            "Name": spec["Name"], "HeadersConfig": _headers(spec), "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "none"}}}

    def policies(kind: str) -> dict[str, dict[str, Any]]:
        return {**(MANAGED_CACHE_POLICIES if kind == "cache" else MANAGED_ORIGIN_REQUEST_POLICIES), **custom[kind]}

    def get(kind: str, shape: str, build: Any) -> Any:
        def handler(self: Any) -> Any:
            policy_id = self.path.rstrip("/").split("/")[-1]
            spec = policies(kind).get(policy_id)
            if spec is None:
                return 404, {}, "<ErrorResponse><Error><Code>NoSuch" + shape + "</Code></Error></ErrorResponse>"
            return ActionResult({shape: build(policy_id, spec), "ETag": "E1"})
        return handler

    def listing(kind: str, shape: str, build: Any) -> Any:
        def handler(self: Any) -> Any:
            wanted = self._get_param("Type")
            items = [{"Type": "managed" if policy_id in (MANAGED_CACHE_POLICIES | MANAGED_ORIGIN_REQUEST_POLICIES)
                      else "custom", shape: build(policy_id, spec)} for policy_id, spec in policies(kind).items()]
            items = [item for item in items if not wanted or item["Type"] == wanted]
            return ActionResult({shape + "List": {"MaxItems": 100, "Quantity": len(items), "Items": items}})
        return handler

    def create(kind: str, shape: str, build: Any) -> Any:
        def handler(self: Any) -> Any:
            config = self._get_param(shape + "Config") or {}
            headers = (config.get("ParametersInCacheKeyAndForwardedToOrigin") or {}).get("HeadersConfig") \
                if kind == "cache" else config.get("HeadersConfig")
            policy_id = mock_random.get_random_hex(32)
            custom[kind][policy_id] = {"Name": config.get("Name"), "MinTTL": config.get("MinTTL", 0),
                                       "DefaultTTL": config.get("DefaultTTL", 0), "MaxTTL": config.get("MaxTTL", 0),
                                       "HeaderBehavior": (headers or {}).get("HeaderBehavior", "none"),
                                       "Headers": ((headers or {}).get("Headers") or {}).get("Items") or []}
            return ActionResult({shape: build(policy_id, custom[kind][policy_id]), "ETag": "E1",
                                 "Location": f"https://cloudfront.amazonaws.com/2020-05-31/{policy_id}"})
        return handler

    for kind, shape, build in (("cache", "CachePolicy", cache_policy),
                               ("request", "OriginRequestPolicy", request_policy)):
        snake = "cache_policy" if kind == "cache" else "origin_request_policy"
        _patch(cf_responses.CloudFrontResponse, f"get_{snake}", get(kind, shape, build))
        _patch(cf_responses.CloudFrontResponse, f"list_{snake.replace('policy', 'policies')}",
               listing(kind, shape, build))
        _patch(cf_responses.CloudFrontResponse, f"create_{snake}", create(kind, shape, build))


def _headers(spec: dict[str, Any]) -> dict[str, Any]:
    headers = list(spec.get("Headers") or [])
    return {"HeaderBehavior": spec["HeaderBehavior"],
            **({"Headers": {"Quantity": len(headers), "Items": headers}} if headers else {})}


def _patch(owner: Any, name: str, replacement: Any) -> None:
    """Replace (or add) `owner.name` in this process."""
    setattr(owner, name, replacement)


def _freeze(api: Any) -> dict[str, Any]:
    """The parts of a live API that a deployment serves, copied."""
    methods: dict[str, dict[str, Any]] = {}
    for resource in api.resources.values():
        path = resource.get_path()
        for verb, method in resource.resource_methods.items():
            methods.setdefault(path, {})[verb] = {
                "authorizationType": method.authorization_type or "NONE",
                "authorizerId": method.authorizer_id,
                "authorizationScopes": list(method.authorization_scopes or []),
                "apiKeyRequired": bool(method.api_key_required),
            }
    authorizers = {
        authorizer.id: {
            "name": authorizer.name,
            "type": authorizer.type,
            "providerARNs": list(authorizer.provider_arns or []),
            "identitySource": authorizer.identity_source,
            "authorizerUri": authorizer.authorizer_uri,
            "jwtConfiguration": getattr(authorizer, "jwt_configuration", None),
        }
        for authorizer in api.authorizers.values()
    }
    return copy.deepcopy({"methods": methods, "authorizers": authorizers})


def _api_summary(frozen: dict[str, Any]) -> dict[str, Any]:
    return {
        path: {
            verb: {"authorizationType": method["authorizationType"], "apiKeyRequired": method["apiKeyRequired"]}
            for verb, method in verbs.items()
        }
        for path, verbs in frozen["methods"].items()
    }


def _openapi_document(api: Any, stage_name: str, frozen: dict[str, Any], with_authorizers: bool) -> dict[str, Any]:
    """An OpenAPI 3 export shaped as API Gateway writes it (security requirements and schemes)."""
    schemes: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for path, verbs in frozen["methods"].items():
        for verb, method in verbs.items():
            requirement: dict[str, list[str]] = {}
            kind = method["authorizationType"]
            if kind == "AWS_IAM":
                requirement["sigv4"] = []
                schemes["sigv4"] = {
                    "type": "apiKey", "name": "Authorization", "in": "header",
                    "x-amazon-apigateway-authtype": "awsSigv4",
                }
            elif kind in ("COGNITO_USER_POOLS", "CUSTOM", "JWT") and method["authorizerId"] in frozen["authorizers"]:
                authorizer = frozen["authorizers"][method["authorizerId"]]
                requirement[authorizer["name"]] = list(method["authorizationScopes"])
                schemes[authorizer["name"]] = _security_scheme(authorizer, with_authorizers)
            if method["apiKeyRequired"]:
                requirement["api_key"] = []
                schemes["api_key"] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
            operation: dict[str, Any] = {"responses": {"200": {"description": "200 response"}}}
            if requirement:
                operation["security"] = [requirement]
            key = "x-amazon-apigateway-any-method" if verb == "ANY" else verb.lower()
            paths.setdefault(path, {})[key] = operation
    return {
        "openapi": "3.0.1",
        "info": {"title": api.name, "version": "2026-01-01T00:00:00Z"},
        "servers": [{
            "url": f"https://{api.id}.execute-api.{api.region_name}.amazonaws.com/{{basePath}}",
            "variables": {"basePath": {"default": stage_name}},
        }],
        "paths": paths,
        "components": {"securitySchemes": schemes},
    }


def _security_scheme(authorizer: dict[str, Any], with_authorizers: bool) -> dict[str, Any]:
    header = (authorizer.get("identitySource") or "method.request.header.Authorization").rsplit(".", 1)[-1]
    if authorizer["type"] == "COGNITO_USER_POOLS":
        scheme: dict[str, Any] = {
            "type": "apiKey", "name": header, "in": "header",
            "x-amazon-apigateway-authtype": "cognito_user_pools",
        }
        if with_authorizers:
            scheme["x-amazon-apigateway-authorizer"] = {
                "type": "cognito_user_pools", "providerARNs": authorizer["providerARNs"],
            }
        return scheme
    if authorizer["type"] == "JWT":
        scheme = {"type": "apiKey", "name": header, "in": "header", "x-amazon-apigateway-authtype": "jwt"}
        if with_authorizers:
            scheme["x-amazon-apigateway-authorizer"] = {"type": "jwt",
                                                        "jwtConfiguration": authorizer.get("jwtConfiguration")}
        return scheme
    scheme = {"type": "apiKey", "name": header, "in": "header", "x-amazon-apigateway-authtype": "custom"}
    if with_authorizers:
        scheme["x-amazon-apigateway-authorizer"] = {
            "type": str(authorizer["type"]).lower(), "authorizerUri": authorizer.get("authorizerUri"),
        }
    return scheme


def _apply_method_patch(method: Any, operation: dict[str, Any]) -> None:
    path, op, value = operation.get("path", ""), operation.get("op"), operation.get("value")
    if path == "/authorizationType":
        method.authorization_type = value
    elif path == "/authorizerId":
        method.authorizer_id = value
    elif path == "/apiKeyRequired":
        method.api_key_required = str(value).lower() == "true"
    elif path.startswith("/authorizationScopes"):
        scopes = list(method.authorization_scopes or [])
        if op == "add" and value not in scopes:
            scopes.append(value)
        elif op == "remove":
            scopes = [scope for scope in scopes if scope != value] if value else []
        elif op == "replace":
            scopes = [value] if value else []
        method.authorization_scopes = scopes
