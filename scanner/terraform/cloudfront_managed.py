"""CloudFront's managed cache and origin request policies as AWS documents them (CloudFront Developer Guide, "Use
managed cache policies" and "Use managed origin request policies"): a distribution written in Terraform names them
by ID (or reads them with a data source by name), and what they forward decides APIGW020 without an AWS call.
A managed policy not listed here is unknown."""

from __future__ import annotations

from typing import Any

MANAGED_CACHE_POLICIES: dict[str, dict[str, Any]] = {
    "658327ea-f89d-4fab-a63d-7e88639e58f6": {"Name": "Managed-CachingOptimized", "HeaderBehavior": "none",
                                             "Headers": [], "DefaultTTL": 86400, "MaxTTL": 31536000},
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": {"Name": "Managed-CachingDisabled", "HeaderBehavior": "none",
                                             "Headers": [], "DefaultTTL": 0, "MaxTTL": 0},
    "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": {"Name": "Managed-CachingOptimizedForUncompressedObjects",
                                             "HeaderBehavior": "none", "Headers": [], "DefaultTTL": 86400,
                                             "MaxTTL": 31536000},
    "2e54312d-136d-493c-8eb9-b001f22f67d2": {"Name": "Managed-Amplify", "HeaderBehavior": "whitelist",
                                             "Headers": ["Authorization", "CloudFront-Viewer-Country", "Host"],
                                             "DefaultTTL": 2, "MaxTTL": 600},
}
MANAGED_REQUEST_POLICIES: dict[str, dict[str, Any]] = {
    "216adef6-5c7f-47e4-b989-5492eafa07d3": {"Name": "Managed-AllViewer", "HeaderBehavior": "allViewer",
                                             "Headers": []},
    "b689b0a8-53d0-40ab-baf2-68738e2966ac": {"Name": "Managed-AllViewerExceptHostHeader",
                                             "HeaderBehavior": "allExcept", "Headers": ["host"]},
}
