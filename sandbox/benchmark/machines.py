"""Benchmark's machine events (issue 16, sandbox.machines): added to a delivered contact's journey
after its human events, drawn from the machine stream, labelled sparsely (row, label)."""

from __future__ import annotations

from typing import Any

from sandbox.benchmark.model import CLICKED, OPENED, TYPE_CODE
from sandbox.machines import NO_VISIT, PROXY_OPEN, SCANNER_CLICK, SCANNER_OPEN, visit
from sandbox.timeutil import HOUR_MS

_OPENED, _CLICKED = TYPE_CODE[OPENED], TYPE_CODE[CLICKED]


def machine_events(
    factory: Any,
    contact: int,
    delivered: int,
    slots: int,
    seen: set[int],
    clicked: set[tuple[int, int]],
) -> None:
    """A proxy's open, a scanner's clicks on every link and sometimes its open (machine
    stream; delays from it too), de-duplicated against the journey's human events."""
    proxied = bool(factory._traits.proxied[contact])
    scanned = bool(factory._traits.scanned[contact])
    if not (proxied or scanned):
        return
    rng, end = factory._machine_rng, factory.end_ms
    found = visit(rng, factory.cfg, proxied, scanned, delivered, slots)
    if found is NO_VISIT:
        return
    span = factory.cfg.max_ingest_delay_seconds * 1000 + 1
    late_span = round(factory.cfg.max_late_hours * HOUR_MS) - 60_000 + 1

    def record(at: int, code: int, label: int) -> None:
        if at >= end:
            return
        delay = int(rng.random() * span)
        if rng.random() < factory.cfg.late_event_rate:
            delay += 60_000 + int(rng.random() * late_span)
        factory.machine_idx.append(len(factory.at))
        factory.machine_label.append(label)
        factory.at.append(at)
        factory.delay.append(delay)
        factory.code.append(code)

    for at, label in ((found.proxy_open, PROXY_OPEN), (found.scanner_open, SCANNER_OPEN)):
        if at is not None:
            while at in seen:
                at += 1
            seen.add(at)
            record(at, _OPENED, label)
    for at, slot in found.clicks:
        while (at, slot) in clicked:
            at += 1
        clicked.add((at, slot))
        record(at, _CLICKED | slot << 4, SCANNER_CLICK)
