"""Netcore request parameters (PROVIDERS.md 3.4, docs/CONTRACTS.md 6.1): the filters `GET /events`
and `POST /logs/download` share (dates, statuses or one aggregate, exact text filters, email,
sort), and the typed parameter checks every route uses, each error a 400 naming the field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sandbox.netcore.model import (
    BOUNCE,
    CLICK,
    DELIVERED,
    HARDBOUNCE,
    OPEN,
    SOFTBOUNCE,
    SPAM,
    STATUSES,
    UNSUBSCRIBE,
)
from sandbox.netcore.settings import NetcoreError

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# `events` filter values (lower-case, the SDK enum; the docs' capitalised names are aliases).
EVENT_FILTERS = {
    **{s: (s,) for s in STATUSES},
    "bounce": (HARDBOUNCE, SOFTBOUNCE, BOUNCE),
    "opened": (OPEN,),
    "clicked": (CLICK,),
    "abuse": (SPAM,),
    "unsubscribed": (UNSUBSCRIBE,),
}
# Aggregates, each to be passed alone (PROVIDERS 3.4). ASSUMPTION: the docs' "Sent" in
# total_delivered is the old name of delivered.
AGGREGATES = {
    "total_requested": STATUSES,
    "total_delivered": (DELIVERED, OPEN, CLICK, UNSUBSCRIBE, SPAM),
    "total_opened": (OPEN, CLICK, UNSUBSCRIBE, SPAM),
    "total_clicked": (CLICK, UNSUBSCRIBE),
}
TEXT_FILTERS = {"subject": "subject", "xapiheader": "xapiheader", "fromaddress": "fromaddress"}


@dataclass(frozen=True)
class Query:
    """A validated events query."""

    startdate: str
    enddate: str
    statuses: frozenset[str] | None
    text: tuple[tuple[str, str], ...]  # (field, exact value)
    email: str | None
    descending: bool = False


def parse_query(params: Mapping[str, Any], today: date, retention_days: int) -> Query:
    """Validate the filters shared by `GET /events` and `POST /logs/download` (`today`: the
    account's local date at the world clock)."""
    startdate = text_param(params.get("startdate"))
    if not startdate:
        raise NetcoreError(400, "startdate is required", "startdate", "missing_parameter")
    start = date_param(startdate, "startdate")
    enddate = text_param(params.get("enddate")) or today.isoformat()
    end = date_param(enddate, "enddate")
    if end < start:
        raise NetcoreError(400, "enddate must not be before startdate", "enddate")
    oldest = today - timedelta(days=retention_days)
    if start < oldest:
        raise NetcoreError(
            400,
            f"startdate must be within the last {retention_days} days "
            f"(on or after {oldest.isoformat()}): event data is kept for "
            f"{retention_days} days",
            "startdate",
            "retention",
        )
    statuses = _event_filter(text_param(params.get("events")))
    text = []
    for name, column in TEXT_FILTERS.items():
        value = text_param(params.get(name))
        if value:
            _check_length(value, name)
            text.append((column, value))
    email = text_param(params.get("email"))
    if email:
        _check_length(email, "email")
    sort = (text_param(params.get("sort")) or "asc").lower()
    if sort not in ("asc", "desc"):
        raise NetcoreError(400, "sort must be asc or desc", "sort")
    return Query(
        start.isoformat(),
        end.isoformat(),
        statuses,
        tuple(text),
        email.lower() if email else None,
        sort == "desc",
    )


def text_param(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise NetcoreError(400, f"expected a string, got {value!r}", "body")
    return value.strip() or None


def date_param(value: str, name: str) -> date:
    if not DATE.fullmatch(value):
        raise NetcoreError(400, f"{name} must be a date YYYY-MM-DD", name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise NetcoreError(400, f"{name} must be a date YYYY-MM-DD", name) from None


def int_param(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NetcoreError(400, f"{name} must be an integer", name) from None
    if not low <= number <= high:
        raise NetcoreError(400, f"{name} must be between {low} and {high}", name)
    return number


def _check_length(value: str, name: str) -> None:
    if len(value) > 255:
        raise NetcoreError(400, f"{name} must be at most 255 characters", name)


def _event_filter(raw: str | None) -> frozenset[str] | None:
    """Statuses selected by `events` (None: all). An aggregate must be passed alone."""
    if raw is None:
        return None
    names = [n.strip().lower() for n in raw.split(",") if n.strip()]
    aggregates = [n for n in names if n in AGGREGATES]
    if aggregates and len(names) > 1:
        raise NetcoreError(
            400,
            f"the aggregate event filter {aggregates[0]} must be passed alone",
            "events",
            "invalid_parameter",
        )
    if aggregates:
        return frozenset(AGGREGATES[aggregates[0]])
    unknown = [n for n in names if n not in EVENT_FILTERS]
    if unknown:
        known = sorted({*EVENT_FILTERS, *AGGREGATES})
        raise NetcoreError(
            400, f"unknown event {unknown[0]!r}; one of {', '.join(known)}", "events"
        )
    return frozenset(s for n in names for s in EVENT_FILTERS[n])
