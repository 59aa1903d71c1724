"""What a snapshot names but does not hold: the functions of pool triggers and Lambda authorizers, and the roles
authorizers are invoked with."""

from __future__ import annotations

from typing import Any

from ..arns import function_arn_of, stage_variable_sets, values_by_stage

PRE_TOKEN_TRIGGERS = ("PreTokenGeneration",)


def authorizer_functions(snapshot: dict[str, Any]) -> set[str]:
    """Functions of Lambda authorizers, REST and HTTP: each read once however many authorizers name it."""
    arns: set[str] = set()
    for api in snapshot["rest_apis"] + snapshot["http_apis"]:
        stages = stage_variable_sets(api)  # a URI may name the function with a stage variable: each stage's
        for authorizer in api.get("authorizers") or []:
            written = function_arn_of(authorizer.get("authorizerUri") or authorizer.get("AuthorizerUri"))
            if written:
                arns.update(arn for _stage, arn in values_by_stage(written, stages) if arn)
    return arns


def authorizer_roles(snapshot: dict[str, Any]) -> set[str]:
    """Roles API Gateway assumes to invoke Lambda authorizers: each read once."""
    return {str(role) for api in snapshot["rest_apis"] + snapshot["http_apis"]
            for authorizer in api.get("authorizers") or []
            if (role := authorizer.get("authorizerCredentials") or authorizer.get("AuthorizerCredentialsArn"))}


def trigger_functions(snapshot: dict[str, Any]) -> set[str]:
    """Pre-token-generation functions of the pools (legacy and versioned configuration)."""
    arns = set()
    for user_pool in snapshot["user_pools"]:
        config = user_pool.get("lambda_config") or {}
        for trigger in PRE_TOKEN_TRIGGERS:
            if config.get(trigger):
                arns.add(config[trigger])
        versioned = config.get("PreTokenGenerationConfig") or {}
        if versioned.get("LambdaArn"):
            arns.add(versioned["LambdaArn"])
    return arns
