"""Which regions exist, as far as this machine can tell: the regions the installed botocore lists, names newer than
it (still tried: AWS opens regions botocore does not know yet), and, when an unlisted region's endpoint does not
resolve, the words that say it may not exist and name the closest listed one."""

from __future__ import annotations

import difflib
import functools
import socket
from urllib.parse import urlparse

import botocore.session


@functools.cache
def listed_regions() -> frozenset[str]:
    """Every region of every partition in the installed botocore's endpoint data."""
    data = botocore.session.get_session().get_data("endpoints")
    return frozenset(region for partition in data["partitions"] for region in partition.get("regions") or {})


def closest_region(name: str, known: frozenset[str] | set[str] | None = None) -> str | None:
    """The listed region whose name is closest to `name` (eu-wset-1 → eu-west-1), if one is close."""
    close = difflib.get_close_matches(name, sorted(known or listed_regions()), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, known: frozenset[str] | set[str] | None = None) -> str:
    """`; did you mean eu-west-1?`, or nothing when no listed region is close."""
    closest = closest_region(name, known)
    return f"; did you mean {closest}?" if closest else ""


def unlisted_words(region: str) -> str:
    """What to say of a region botocore does not list, when nothing has been asked of it."""
    return (f"region {region} is not listed by the installed botocore: it may be newer than botocore, or it may not "
            f"exist{did_you_mean(region)}")


def host_resolves(url: str | None) -> bool | None:
    """Whether the host of an endpoint URL has an address (None: no host to ask about)."""
    host = urlparse(url or "").hostname
    if not host:
        return None
    try:
        socket.getaddrinfo(host, 443)
    except (OSError, UnicodeError):
        return False
    return True


def missing_region_words(region: str, endpoint: str | None) -> str | None:
    """When a region botocore does not list could not be reached at `endpoint`: the words that say it may not exist
    (its endpoint has no address while the same endpoint of the closest listed region has one), else None (then
    the network, not the region, is in doubt)."""
    host = urlparse(endpoint or "").hostname or ""
    if region in listed_regions() or region not in host:
        return None
    control = host.replace(region, closest_region(region) or "us-east-1")
    if host_resolves(f"https://{host}") is not False or not host_resolves(f"https://{control}"):
        return None
    return (f"region {region} may not exist: the installed botocore does not list it and its endpoint {host} has "
            f"no address{did_you_mean(region)}")
