"""apigw-scan: audits API Gateway authorization against Cognito, method by method."""

__version__ = "0.1.0"
