"""Work `requests` would repeat for every request of a run, done once: the environment's proxy
and CA-bundle settings once per host, a page's JSON once per response (issue 14's profile,
DECISIONLOG.md "Where a paged JSON load's time goes")."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests


def parse_once(response: requests.Response) -> None:
    """Parse the body now, once, and let `response.json()` return it: dlt's `RESTClient` (its
    data selector) and the paginator (totals, cursors) each call it, and a page was parsed twice.
    A body that is not JSON is left to `response.json()`, which raises as before. (`requests`'
    parser, simplejson here, is the fastest of those at hand on a Netcore page: 2.2 ms for 1,000
    records against 3.3 for orjson and 4.2 for `json`; orjson also reads integers beyond 64 bits
    as floats.)"""
    try:
        body = response.json()
    except ValueError:
        return
    response.json = lambda **_: body  # type: ignore[method-assign]


def environment_once_per_host(session: requests.Session) -> None:
    """`requests` reads the proxy and CA-bundle variables for every request (two scans of
    `os.environ`: 9 of 142 profiled seconds for Benchmark's 7,891 pages, issue 14); what it reads
    depends only on the URL's scheme and host, so it is read once per host and run."""
    original = session.merge_environment_settings
    memo: dict[tuple[str, ...], dict[str, Any]] = {}

    def merge(url: Any, proxies: Any, stream: Any, verify: Any, cert: Any) -> dict[str, Any]:
        parts = urlsplit(str(url))
        given = repr(sorted((proxies or {}).items()))
        key = (parts.scheme, parts.netloc, given, repr(stream), repr(verify), repr(cert))
        if key not in memo:
            memo[key] = original(url, proxies, stream, verify, cert)
        settings = dict(memo[key])
        settings["proxies"] = dict(settings.get("proxies") or {})
        return settings

    session.merge_environment_settings = merge  # type: ignore[method-assign]
