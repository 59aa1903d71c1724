"""The ways in to APIs: custom domain names (where they send requests) and each API's default endpoint."""

from __future__ import annotations

from typing import Any

from ..arns import dns_suffix
from ..routing_modes import uses_mappings, uses_rules
from ..schema.facts import EndpointFacts, EndpointRoute

DOMAINS_UNREAD = "the region's custom domain names could not be read (apigateway:GET, GetDomainNames)"
DOMAINS_OUTSIDE_TEMPLATE = ("no custom domain of the template maps it: whether one made elsewhere (another stack, or "
                            "after deployment) does is known only once it is deployed (scan the account then)")


def endpoint_facts(snapshot: dict[str, Any], account: str, partition: str) -> list[EndpointFacts]:
    """One record per custom domain of the scanned regions, and one per API's default endpoint."""
    apis = {(str(api.get("region")), str(api["id"])): (api, kind)
            for kind, key in (("REST", "rest_apis"), ("HTTP", "http_apis")) for api in snapshot.get(key) or []}
    domains: dict[str, Any] = snapshot.get("domains") or {}
    records = []
    for region, part in sorted(domains.items()):
        for domain in part.get("names") or []:
            records.append(_custom_domain(region, domain, part.get("apis"), apis, account, partition))
    template = snapshot.get("source_kind") == "template"
    for (region, _api_id), (api, kind) in sorted(apis.items()):
        records.append(_default_endpoint(region, api, kind, domains.get(region), records, account, partition,
                                         template))
    return records


def stage_names(api: dict[str, Any]) -> list[str] | None:
    stages = api.get("stages")
    return None if stages is None else [str(s.get("stageName") or s.get("StageName")) for s in stages]


def _custom_domain(region: str, domain: dict[str, Any], listed: list[str] | None,
                   apis: dict[tuple[str, str], tuple[dict[str, Any], str]], account: str,
                   partition: str) -> EndpointFacts:
    name = str(domain["DomainName"])
    mode = domain.get("RoutingMode")
    record = EndpointFacts(account=account, partition=partition, region=region, endpoint=name, custom_domain=True,
                           endpoint_type=domain.get("EndpointType"), routing_mode=mode, api_id=None, api_name=None,
                           api_type=None, api_stages=[], routes=None, broken_mapping_ids=[], broken_base_paths=[],
                           broken_rule_ids=[], problem=None, unknown_reason=None, source=domain.get("source"))
    unread = [what for what, needed, read in (
        ("API mappings (apigateway:GET, GetApiMappings or GetBasePathMappings)", uses_mappings(mode),
         domain.get("mappings")),
        ("routing rules (apigateway:GET, ListRoutingRules)", uses_rules(mode), domain.get("rules"))) if needed and read
        is None]
    if unread:
        record.unknown_reason = f"the domain's {' and '.join(unread)} could not be read"
        return record
    record.routes = [_route(item, listed, apis, region) for item in
                     (domain.get("mappings") or [] if uses_mappings(mode) else []) +
                     (domain.get("rules") or [] if uses_rules(mode) else [])]
    broken = [route for route in record.routes if route.problem]
    record.broken_mapping_ids = [str(r.mapping_id) for r in broken if r.mapping_id]
    record.broken_base_paths = [str(r.v1_base_path) for r in broken if r.v1_base_path]
    record.broken_rule_ids = [str(r.routing_rule_id) for r in broken if r.routing_rule_id]
    if not record.routes:
        what = "API mapping or routing rule" if uses_rules(mode) else "API mapping"
        record.problem = (f"it has no {what}: every request to it gets 403 Forbidden (\"Missing Authentication "
                          "Token\") or 404")
    elif broken:
        record.problem = "; ".join(f"{'/' + r.base_path if r.base_path else 'the root'} → {r.problem}"
                                   for r in broken)
    return record


def _route(item: dict[str, Any], listed: list[str] | None, apis: dict[tuple[str, str], tuple[dict[str, Any], str]],
           region: str) -> EndpointRoute:
    api_id, stage = item.get("ApiId"), item.get("Stage")
    route = EndpointRoute(api_id=api_id, stage=stage, base_path=str(item.get("ApiMappingKey") or ""),
                          mapping_id=item.get("ApiMappingId"), routing_rule_id=item.get("RoutingRuleId"),
                          v1_base_path=item.get("BasePath"), problem=None)
    known = apis.get((region, str(api_id)))
    if known is None:
        if listed is not None and api_id not in listed:
            route.problem = f"API {api_id}, which does not exist"
        return route
    names = stage_names(known[0])
    if stage and names is not None and stage not in names:
        route.problem = f"stage {stage} of API {known[0].get('name') or api_id}, which has no such stage"
    return route


def _default_endpoint(region: str, api: dict[str, Any], kind: str, part: dict[str, Any] | None,
                      customs: list[EndpointFacts], account: str, partition: str, template: bool) -> EndpointFacts:
    api_id = str(api["id"])
    disabled = bool(api.get("disable_execute_api_endpoint") or api.get("DisableExecuteApiEndpoint"))
    record = EndpointFacts(account=account, partition=partition, region=region,
                           endpoint=f"{api_id}.execute-api.{region}.{dns_suffix(partition)}", custom_domain=False,
                           endpoint_type=None, routing_mode=None, api_id=api_id,
                           api_name=str(api.get("name") or api_id), api_type=kind,  # type: ignore[arg-type]
                           api_stages=stage_names(api) or [], routes=None, broken_mapping_ids=[],
                           broken_base_paths=[], broken_rule_ids=[], problem=None, unknown_reason=None,
                           source=api.get("source"))
    if not disabled:
        return record
    reaching = [c.endpoint for c in customs if c.region == region and any(
        r.api_id == api_id and not r.problem for r in c.routes or [])]
    if reaching:
        return record
    undecided = [c.endpoint for c in customs if c.region == region and c.unknown_reason]
    if template and not undecided:
        record.unknown_reason = f"the default endpoint of API {record.api_name} is disabled, and " \
                                f"{DOMAINS_OUTSIDE_TEMPLATE}"
    elif part is None or part.get("names") is None:
        record.unknown_reason = f"the default endpoint of API {record.api_name} is disabled, and {DOMAINS_UNREAD}"
    elif not part.get("complete") or undecided:
        record.unknown_reason = (f"the default endpoint of API {record.api_name} is disabled, and where some custom "
                                 "domains send requests could not be read"
                                 f"{': ' + ', '.join(undecided) if undecided else ''}")
    else:
        record.problem = (f"the default endpoint of API {record.api_name} is disabled (disableExecuteApiEndpoint) "
                          "and no custom domain maps the API: no URL reaches it")
    return record
