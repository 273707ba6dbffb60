"""Maxemail's machine events (issue 16, sandbox.machines): a delivered email's proxy open and
scanner clicks, drawn from the machine stream and added to the event columns, so the aggregated
`opened`/`clicked` rows show their counts and latest times as Maxemail's would."""

from __future__ import annotations

from typing import Any

from sandbox.machines import NO_VISIT, PROXY_OPEN, SCANNER_CLICK, SCANNER_OPEN, between, visit
from sandbox.maxemail.model import CLICK, KIND_CODE, OPEN, MaxemailMessage

_OPEN, _CLICK = KIND_CODE[OPEN], KIND_CODE[CLICK]


def machine_events(
    factory: Any, message: MaxemailMessage, position: int, recipient: int, sent: int
) -> None:
    """A proxy's open, a scanner's clicks on every URL and sometimes its open, from the
    machine stream, after a hidden delivery 1-90 s after the send (Maxemail reports none)."""
    proxied = bool(factory._traits.proxied[recipient])
    scanned = bool(factory._traits.scanned[recipient])
    if not (proxied or scanned):
        return
    rng = factory._machine_rng
    delivered_ms = sent * 1000 + between(rng, 1_000, 90_000)
    found = visit(rng, factory.cfg, proxied, scanned, delivered_ms, len(message.urls))
    if found is NO_VISIT:
        return
    emit = factory._emit
    if found.proxy_open is not None:
        emit(_OPEN, position, recipient, found.proxy_open // 1000, 0, PROXY_OPEN, rng)
    for at, url in found.clicks:
        emit(_CLICK, position, recipient, at // 1000, url, SCANNER_CLICK, rng)
    if found.scanner_open is not None:
        emit(_OPEN, position, recipient, found.scanner_open // 1000, 0, SCANNER_OPEN, rng)
