"""APSIS One's machine events (issue 16, sandbox.machines): added after a delivered recipient's
human events, drawn from the machine stream (quirks included: ~3 % get an `event_time` of 0 / 1970
and fall back to `server_time`, as human events do)."""

from __future__ import annotations

from typing import Any

from sandbox.apsis_one.columns import DEVICE_CODES, LOCATION_CODES, TYPE_CODES
from sandbox.apsis_one.model import CLICKED, OPENED
from sandbox.audience import Recipient
from sandbox.machines import NO_VISIT, PROXY_OPEN, SCANNER_CLICK, SCANNER_OPEN, visit

_OPENED, _CLICKED = TYPE_CODES[OPENED], TYPE_CODES[CLICKED]
_UNKNOWN, _DESKTOP = DEVICE_CODES["UNKNOWN"], DEVICE_CODES["DESKTOP"]


def machine_events(factory: Any, ctx: tuple[int, int, int], recipient: Recipient, at: int) -> None:
    """A proxy's OPENED (device UNKNOWN: its user agent parses to nothing), a scanner's
    CLICKED on every link and sometimes its OPENED, from the machine stream."""
    traits, index = factory._traits, recipient.index
    proxied, scanned = bool(traits.proxied[index]), bool(traits.scanned[index])
    if not (proxied or scanned):
        return
    rng = factory._machine_rng
    found = visit(rng, factory.cfg, proxied, scanned, at, len(factory._link_codes))
    if found is NO_VISIT:
        return
    from sandbox.apsis_one.events import COUNTRIES  # events imports this module

    machine, emit = factory.columns.machine, factory._emit
    country = LOCATION_CODES[COUNTRIES[index % len(COUNTRIES)]]
    proxy = LOCATION_CODES["US"]
    if found.proxy_open is not None and emit(
        ctx, _OPENED, found.proxy_open, _UNKNOWN, proxy, rng=rng
    ):
        machine[-1] = PROXY_OPEN
    for click_at, link in found.clicks:
        code = factory._link_codes[link][0]
        if emit(ctx, _CLICKED, click_at, _DESKTOP, country, code, rng=rng):
            machine[-1] = SCANNER_CLICK
    if found.scanner_open is not None and emit(
        ctx, _OPENED, found.scanner_open, _DESKTOP, country, rng=rng
    ):
        machine[-1] = SCANNER_OPEN
