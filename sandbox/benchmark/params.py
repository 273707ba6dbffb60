"""Benchmark Email query parameters (PROVIDERS.md 4.4, the official OpenAPI): typed checks each
answering 400 `ValidationError` naming the field (ASSUMPTIONS in sandbox.benchmark.simulator)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.benchmark.settings import invalid

STATUSES = ("scheduled", "sent", "draft", "sending", "paused", "failed", "cancelled")
SORT_PATTERN = re.compile(r"^[a-zA-Z0-9_]+:(asc|desc)$")
SORT_FIELDS = ("name", "createdAt", "updatedAt", "scheduledAt")
MAX_CRITERIA = 50


def integer_param(query: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[+-]?\d+", raw.strip()):
        raise invalid(name, f"{name} must be an integer")
    value = int(raw)
    if value < minimum:
        raise invalid(name, f"{name} must be at least {minimum}")
    return value


def past_days_param(query: Mapping[str, str], *, required: bool) -> int:
    if required and not query.get("pastDays"):
        raise invalid("pastDays", "pastDays is required (1-90)")
    value = integer_param(query, "pastDays", 30, minimum=1)
    if value > 90:
        raise invalid("pastDays", "pastDays must be between 1 and 90")
    return value


def zone_param(query: Mapping[str, str]) -> ZoneInfo:
    name = query.get("timezone") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid("timezone", f"timezone {name!r} is not an IANA timezone code") from None


def statuses_param(raw: str | None) -> set[str]:
    if not raw:
        return set()
    values = {v.strip() for v in raw.split(",") if v.strip()}
    unknown = sorted(values - set(STATUSES))
    if unknown:
        raise invalid("statuses", f"statuses must be one of {', '.join(STATUSES)}")
    return values


def sort_param(raw: str | None) -> tuple[str, bool]:
    if not raw:
        return "createdAt", True
    if not SORT_PATTERN.fullmatch(raw):
        raise invalid("sort", "sort must match ^[a-zA-Z0-9_]+:(asc|desc)$")
    field, direction = raw.split(":")
    if field not in SORT_FIELDS:
        raise invalid("sort", f"sort field must be one of {', '.join(SORT_FIELDS)}")
    return field, direction == "desc"
