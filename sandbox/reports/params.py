"""The parameters of the report marts' truth (docs/CONTRACTS.md 9): the dbt vars `report_as_of`,
`report_past_days`, `reporting_timezone` and `report_period_alignment`, as the truth endpoint
takes them (`GET /_sandbox/truth/<provider>?as_of=...&past_days=...&timezone=...&alignment=...`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.reports.periods import ALIGNMENTS, DEFAULT_ALIGNMENT, Period, period
from sandbox.timeutil import parse_rfc3339, to_ms

DEFAULT_PAST_DAYS: tuple[int, ...] = (1, 7, 30)
DEFAULT_TIMEZONE = "UTC"  # dbt var reporting_timezone's default


@dataclass(frozen=True)
class ReportParams:
    """`as_of`, the past_days values, the reporting time zone and the period alignment
    (sandbox.reports.periods: `calendar` or `rolling`): the dbt vars `report_as_of`,
    `report_past_days`, `reporting_timezone` and `report_period_alignment`."""

    as_of_ms: int
    past_days: tuple[int, ...] = DEFAULT_PAST_DAYS
    timezone: str = DEFAULT_TIMEZONE
    alignment: str = DEFAULT_ALIGNMENT

    @property
    def zone(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    def periods(self) -> list[tuple[int, Period]]:
        """(past_days, its period) for every past_days value."""
        return [(d, period(self.as_of_ms, d, self.zone, self.alignment)) for d in self.past_days]


def report_params(query: Mapping[str, str] | None, now_ms: int) -> ReportParams:
    """`as_of` (RFC 3339 UTC, default the clock), `past_days` (comma list of 1..90, default
    1,7,30), `timezone` (IANA name, default UTC), `alignment` (`calendar` or `rolling`, default
    calendar); ValueError on a bad value."""
    query = query or {}
    as_of_ms = now_ms
    if query.get("as_of"):
        as_of_ms = to_ms(parse_rfc3339(query["as_of"]))
    past_days = DEFAULT_PAST_DAYS
    if query.get("past_days"):
        try:
            past_days = tuple(int(p) for p in query["past_days"].split(","))
        except ValueError:
            raise ValueError(f"past_days must be integers: {query['past_days']!r}") from None
        if not all(1 <= p <= 90 for p in past_days):
            raise ValueError("past_days must be between 1 and 90")
    timezone = query.get("timezone") or DEFAULT_TIMEZONE
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {timezone!r}") from None
    alignment = query.get("alignment") or DEFAULT_ALIGNMENT
    if alignment not in ALIGNMENTS:
        raise ValueError(f"alignment must be one of {', '.join(ALIGNMENTS)}: {alignment!r}")
    return ReportParams(as_of_ms, past_days, timezone, alignment)
