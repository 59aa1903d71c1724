"""Collects a region's custom domain names and where each sends requests (API mappings, routing rules)."""

from __future__ import annotations

from concurrent.futures import Future
from functools import partial
from typing import Any

from ..routing_modes import uses_rules
from ..schema.snapshot import pick
from .calls import CallLog, Outcome
from .reader import Reader
from .session import Clients

PAGE_SIZE = 500


def read_domains(reader: Reader, api_ids: list[str] | None) -> Future[dict[str, Any]]:
    """The region's custom domains with their routes. Both API versions list domains: apigatewayv2 answers the
    regional ones with their API mappings (REST and HTTP), apigateway also the edge-optimized and private ones,
    whose base path mappings are read with it. Each domain costs one call (two with routing rules); every domain's
    are read side by side once both listings are in."""
    clients, log, region = reader.clients, reader.log, reader.region
    v2_listing = reader.paginate("apigatewayv2", "get_domain_names", "Items", PaginationConfig={"PageSize": PAGE_SIZE})
    v1_listing = reader.paginate("apigateway", "get_domain_names", "items", PaginationConfig={"PageSize": PAGE_SIZE})

    def routes(v2: Outcome, v1: Outcome) -> Future[dict[str, Any]]:
        names: dict[str, dict[str, Any]] = {}
        pending: list[tuple[dict[str, Any], str, Future[Any]]] = []  # (record, its field, the read that fills it)
        for domain in v2.data if v2.ok else []:
            name = str(domain.get("DomainName"))
            names[name] = {"DomainName": name, "RoutingMode": domain.get("RoutingMode"),
                           "EndpointType": next((c.get("EndpointType") for c in domain.get("DomainNameConfigurations")
                                                 or [] if c.get("EndpointType")), None), "mappings": None}
            pending.append((names[name], "mappings", reader.run(
                "apigatewayv2", "get_api_mappings", partial(_v2_mappings, clients, log, region, name))))
        for domain in v1.data if v1.ok else []:
            name = str(domain.get("domainName"))
            if name in names and not domain.get("domainNameId"):
                continue  # its mappings were read with apigatewayv2
            types = (domain.get("endpointConfiguration") or {}).get("types") or []
            names[name] = {"DomainName": name, "RoutingMode": domain.get("routingMode"),
                           "EndpointType": types[0] if types else None, "DomainNameId": domain.get("domainNameId"),
                           "mappings": None}
            pending.append((names[name], "mappings", reader.run("apigateway", "get_base_path_mappings", partial(
                _v1_mappings, clients, log, region, name, domain.get("domainNameId")))))
        for record in names.values():
            if uses_rules(record["RoutingMode"]):
                pending.append((record, "rules", reader.run("apigatewayv2", "list_routing_rules", partial(
                    _routing_rules, clients, log, region, record))))

        def domains(*read: Any) -> dict[str, Any]:
            for (record, field, _), value in zip(pending, read, strict=True):
                record[field] = value
            return {
                "names": sorted(names.values(), key=lambda d: d["DomainName"]) if v1.ok or v2.ok else None,
                "complete": v1.ok and v2.ok,
                "apis": api_ids,
            }

        return reader.reads.then([read for _, _, read in pending], domains)

    return reader.reads.chain([v2_listing, v1_listing], routes)


def _v2_mappings(clients: Clients, log: CallLog, region: str, name: str) -> list[dict[str, Any]] | None:
    found = _all_pages(log, clients.get("apigatewayv2", region), "get_api_mappings", "Items", region,
                       f"domainname/{name}", DomainName=name)
    return [pick(item, {"ApiId": None, "ApiMappingId": None, "ApiMappingKey": None, "Stage": None})
            for item in found.data] if found.ok else None


def _v1_mappings(clients: Clients, log: CallLog, region: str, name: str,
                 domain_id: str | None) -> list[dict[str, Any]] | None:
    params: dict[str, Any] = {"domainName": name, **({"domainNameId": domain_id} if domain_id else {})}
    found = log.paginate(clients.get("apigateway", region), "get_base_path_mappings", "items", region=region,
                         subject=f"domainname/{name}", PaginationConfig={"PageSize": PAGE_SIZE}, **params)
    if not found.ok:
        return None
    # A base path of "(none)" is the domain's root: apigatewayv2 calls it an empty mapping key.
    return [{"ApiId": item.get("restApiId"), "Stage": item.get("stage"),
             "ApiMappingKey": "" if item.get("basePath") in (None, "(none)") else item.get("basePath"),
             "BasePath": item.get("basePath") or "(none)"} for item in found.data]


def _routing_rules(clients: Clients, log: CallLog, region: str, domain: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The APIs a domain's routing rules invoke (only InvokeApi actions send requests to an API)."""
    params = {"DomainName": domain["DomainName"],
              **({"DomainNameId": domain["DomainNameId"]} if domain.get("DomainNameId") else {})}
    found = _all_pages(log, clients.get("apigatewayv2", region), "list_routing_rules", "RoutingRules", region,
                       f"domainname/{domain['DomainName']}", **params)
    if not found.ok:
        return None
    return [{"ApiId": invoke.get("ApiId"), "Stage": invoke.get("Stage"), "RoutingRuleId": rule.get("RoutingRuleId")}
            for rule in found.data for action in rule.get("Actions") or []
            if (invoke := action.get("InvokeApi"))]


def _all_pages(log: CallLog, client: Any, method: str, key: str, region: str, subject: str,
               **params: Any) -> Outcome:
    """Every page of a call botocore has no paginator for (NextToken in, NextToken out)."""
    items: list[Any] = []
    token: str | None = None
    while True:
        request: dict[str, Any] = {**params, **({"NextToken": token} if token else {})}
        page = log.call(client, method, region=region, subject=subject, **request)
        if not page.ok:
            return page
        items.extend(page.data.get(key) or [])
        token = page.data.get("NextToken")
        if not token:
            return Outcome(items)
