"""API Gateway's order: the steps a request meets, what a rule's `[[refuses]]` may name, and the order of the steps
for each authorization type.

AWS docs: "How API Gateway resource policies affect authorization workflow" (a Lambda authorizer's API checks the
resource policy first; IAM checks it with the caller's identity; a Cognito authorizer runs before it), "Control
access to REST APIs with Amazon Cognito user pools" (401 for a missing, expired or wrong token, 401 when the
scopes do not match), "Control access to HTTP APIs with JWT authorizers" (401 for the issuer, audience and
signature, 403 when the scopes do not match), "Throttle requests to your HTTP APIs" (429).
"""

from __future__ import annotations

STEPS = {
    "endpoint": "a URL that reaches the API (its default endpoint, or a custom domain that maps it)",
    "deployment": "the stage serves the method (its deployment contains it)",
    "throttle": "the stage's and the route's throttling",
    "resource_policy": "the API's resource policy",
    "credential": "the caller sends the credential the method reads: a token, a SigV4 signature, the Lambda "
                  "authorizer's identity headers",
    "token_issue": "Cognito issues the caller a token (a usable app client, the pre-token-generation trigger)",
    "authorizer": "the authorizer can run (its Lambda function exists and may be invoked) and decides (the "
                  "function's answer, the caller's IAM permissions)",
    "issuer": "the token's issuer is one the authorizer trusts (a user pool that exists, the issuer as the pool "
              "writes it)",
    "token_kind": "an ID or an access token, as the method asks",
    "client": "the token's app client (aud, client_id) is one the authorizer accepts",
    "scopes": "the token carries one of the method's scopes",
    "api_key": "an enabled API key of a usage plan of the stage",
    "integration": "the integration behind the method",
}
STATUSES = ("401", "403", "404", "429", "500")
CALLER_KINDS = ("none", "id", "access", "m2m", "lambda", "iam")
CALLER_GROUPS = {"all": CALLER_KINDS, "token": ("id", "access", "m2m")}
# Where the caller's own doubt sits (what a Lambda authorizer's function or a caller's IAM identity allows, a
# token of a pool or client that could not be read): at the authorizer.
CALLER_DOUBT_STEP = "authorizer"

_BEFORE = ("endpoint", "deployment", "throttle")
_AFTER = ("api_key", "integration")
ORDER = {
    "CUSTOM": (*_BEFORE, "resource_policy", "credential", "authorizer", *_AFTER),
    "AWS_IAM": (*_BEFORE, "credential", "resource_policy", "authorizer", *_AFTER),
    "COGNITO_USER_POOLS": (*_BEFORE, "credential", "token_issue", "authorizer", "issuer", "token_kind", "client",
                           "scopes", "resource_policy", *_AFTER),
    "NONE": (*_BEFORE, "resource_policy", *_AFTER),
}
ORDER["JWT"] = ORDER["COGNITO_USER_POOLS"]
CLAIM_STEPS = ("issuer", "token_kind", "client", "scopes")  # what the token in hand says for itself


def step_order(authorization: str | None) -> tuple[str, ...]:
    """The steps a request to a method of this authorization type meets, in order."""
    return ORDER.get(str(authorization), ORDER["COGNITO_USER_POOLS"])
