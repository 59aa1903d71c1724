"""What `--help` says beyond the options: what each command really does, examples to copy, and the exit codes."""

from __future__ import annotations

_EXIT_SCAN = """exit codes:
  0  complete, no finding at or above --fail-on
  1  a finding at or above --fail-on (with --baseline: a new one)
  2  bad usage, no credentials, or the scan could not complete (the report of what was read is still written)"""

MAIN = """start here:
  apigw-scan demo                          the example account: see what a report looks like (no AWS needed)
  apigw-scan scan --region eu-west-1       your account, read-only, with the standard AWS credentials
  apigw-scan COMMAND --help                each command's options, examples and exit codes

documentation: README.md and docs/interface.md (commands, options, exit codes, JSON/SARIF/CSV fields)"""

DESCRIPTIONS = {
    "scan": "Reads REST and HTTP APIs, authorizers, stages and deployments, resource policies, Cognito user pools and "
            "app clients and the Lambda functions involved (Get/List/Describe calls only), and says, method by "
            "method, whether a caller with a token can get through, and why not. Or judges a template before it "
            "is deployed (--template), a Terraform configuration or plan before apply (--terraform, "
            "--terraform-plan), or a saved snapshot (--snapshot).",
    "demo": "Builds an example account in this process with moto, the AWS emulator (REST and HTTP APIs with the "
            "documented misconfigurations, user pools, app clients, Lambda authorizers), scans it exactly as "
            "`scan` scans yours, and prints the report. Nothing leaves the machine; no AWS account or credentials "
            "are used. Needs the demo extra: pip install 'apigw-scan[demo]'.",
    "merge": "Reads the JSON reports written by `scan --format json` (shards of one scan, or several accounts), "
             "keeps each method row and finding once, recomputes every verdict, the summary and the exit status, "
             "and writes one report in any format. It makes no AWS call.",
    "token": "Decodes the token (its signature checked against the pool's keys), reads the method's authorizer, and "
             "lists every reason API Gateway would refuse it (TOK rules). The token itself is never printed.",
    "matrix": "Every method x stage x caller (no token; the ID, access and machine-to-machine tokens each app client "
              "can get; Lambda and IAM callers), with what API Gateway answers and the rules that decide it.",
}

EPILOGS = {
    "scan": """examples:
  apigw-scan scan --region eu-west-1
  apigw-scan scan --all-regions --format html --output report.html
  apigw-scan scan --org --role-name AuditRole --format json --output fleet.json --fail-on critical
  apigw-scan scan --template template.yaml --fail-on high      (before it is deployed; no AWS call)
  apigw-scan scan --terraform infra/ --var-file prod.tfvars    (before terraform apply; no AWS call)

""" + _EXIT_SCAN,
    "demo": """examples:
  apigw-scan demo
  apigw-scan demo --format html --output demo-report.html
  apigw-scan demo --matrix

exit codes:
  0  always, unless --fail-on is given (then as scan)
  2  bad usage, or the demo extra is not installed""",
    "merge": """examples:
  apigw-scan merge shard-*.json --format html --output report.html
  apigw-scan merge eu.json us.json --baseline last-week.json --fail-on high

""" + _EXIT_SCAN,
    "token": """examples:
  apigw-scan token --api shop --path /orders --method GET "$ACCESS_TOKEN"
  pbpaste | apigw-scan token --api shop --path /orders/{id} --method DELETE --stage prod -

exit codes:
  0  API Gateway would accept the token
  1  it would refuse it (every reason is listed)
  2  bad usage, no credentials, or the method's configuration could not be read""",
    "matrix": """examples:
  apigw-scan matrix --region eu-west-1 --api shop
  apigw-scan matrix --client web-app --format csv --output who-can-call.csv

exit codes:
  0  every method has a caller that gets through
  1  some method turns every caller away (listed under "blocked")
  2  bad usage, or the scan could not complete""",
    "rules": """examples:
  apigw-scan rules
  apigw-scan rules --format json
  apigw-scan rules --fields method        (what a rule file of your own can read)

exit codes: 0, or 2 when a rule file given with --policies is not valid""",
    "iam-policy": """examples:
  apigw-scan iam-policy > apigw-scan-policy.json
  apigw-scan iam-policy --fleet --partition aws-us-gov

exit codes: 0, or 2 on bad usage""",
}
