"""Time windows for export APIs that cap the span of one request.

APSIS One rejects an export whose `end_at - start_at` exceeds three months (calendar months,
PROVIDERS.md 2.2.1); a window that ends in status `error` (file too large) is split in halves.
All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"  # the naive account-local times of Maxemail and Netcore
# LOCAL_FORMAT in its zero-padded form, which `datetime.fromisoformat` reads ~20x faster than
# `strptime` (22 of Netcore's 51 CPU s at 1M events went to strptime); other forms strptime takes.
_PADDED_LOCAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")


def local_text_to_utc(value: Any, zone: ZoneInfo, provider: str, what: str) -> datetime | None:
    """`YYYY-MM-DD HH:MM:SS` in the account's timezone → aware UTC; `""`/None → None. An
    ambiguous local time (clocks going back) is read as the earlier instant; a bad value is an
    error naming the provider and ``what`` (field and place)."""
    from pipelines.common.errors import ProviderError

    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        if _PADDED_LOCAL.fullmatch(text):
            naive = datetime.fromisoformat(text)
        else:
            naive = datetime.strptime(text, LOCAL_FORMAT)
    except ValueError:
        raise ProviderError(provider, f"{what}={value!r} is not a time {LOCAL_FORMAT}") from None
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


def parse_setting(value: str | datetime, provider: str, name: str) -> datetime:
    """`parse_utc` for a configured date: a bad value is an error naming the provider and setting."""
    from pipelines.common.errors import ProviderError

    try:
        return parse_utc(value)
    except (ValueError, TypeError, AttributeError):
        raise ProviderError(
            provider, f"setting {name}={value!r} is not an ISO 8601 date or datetime"
        ) from None


def require_past(start: datetime, now: datetime, provider: str, setting: str) -> None:
    """A configured start (``setting``: `sources.<source>.start_date` or `--since`) after the
    provider's clock ``now`` would load nothing and exit 0: it is an error naming both."""
    from pipelines.common.errors import ProviderError

    if start > now:
        raise ProviderError(
            provider,
            f"{setting} {start.isoformat().replace('+00:00', 'Z')} is after the provider's clock "
            f"{now.isoformat().replace('+00:00', 'Z')}: there is nothing to load yet. Set it to "
            "a past date (the first day to load); a later start would skip what happens until then",
        )


def parse_utc(value: str | datetime) -> datetime:
    """Parse an RFC 3339 / ISO date or datetime (naive means UTC) into an aware UTC datetime."""
    if isinstance(value, datetime):
        dt = value
    else:
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO 8601 date or datetime: {value!r}") from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def rfc3339(dt: datetime) -> str:
    """`2024-03-01T00:00:00Z`: the UTC form APSIS One expects in requests."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_months(dt: datetime, months: int) -> datetime:
    """Calendar-month arithmetic, clamping the day (Jan 31 + 1 month = Feb 28/29)."""
    month_index = dt.month - 1 + months
    year, month = dt.year + month_index // 12, month_index % 12 + 1
    day = min(dt.day, calendar.monthrange(year, month)[1])
    return dt.replace(year=year, month=month, day=day)


def plan_windows(
    start: datetime,
    end: datetime,
    *,
    max_months: int = 3,
    max_days: float | None = None,
) -> Iterator[tuple[datetime, datetime]]:
    """Consecutive half-open windows `[a, b)` covering `[start, end)`, each at most `max_months`
    calendar months and (if given) `max_days` long."""
    if max_months < 1:
        raise ValueError("max_months must be at least 1")
    if max_days is not None and max_days <= 0:
        raise ValueError("max_days must be positive")
    cursor = start
    while cursor < end:
        upper = add_months(cursor, max_months)
        if max_days is not None:
            upper = min(upper, cursor + timedelta(days=max_days))
        upper = min(upper, end)
        yield cursor, upper
        cursor = upper


def split_window(
    start: datetime, end: datetime
) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """Two halves of `[start, end)`, split on a whole second."""
    middle = start + timedelta(seconds=int((end - start).total_seconds() // 2))
    return (start, middle), (middle, end)
