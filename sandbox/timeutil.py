"""Time helpers shared by the simulators: epoch milliseconds, RFC 3339, calendar months."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# APSIS `event_time` before this instant is a sentinel (0, or "0 seconds" read as ms), not a time.
REAL_TIME_FLOOR_MS = 31_536_000_000  # 1971-01-01T00:00:00Z
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


def to_ms(dt: datetime) -> int:
    """Epoch milliseconds of an aware datetime (exact, no float rounding)."""
    delta = dt - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_ms(ms: int) -> datetime:
    """Aware UTC datetime of epoch milliseconds."""
    return EPOCH + timedelta(milliseconds=ms)


def rfc3339(dt: datetime) -> str:
    """`2026-01-01T00:00:00Z`, with milliseconds only when the instant has them."""
    dt = dt.astimezone(UTC)
    if dt.microsecond:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def naive_ms(ms: int) -> str:
    """Naive UTC timestamp with milliseconds, the ground truth's `last_*_at` format."""
    return from_ms(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}"


def parse_rfc3339(value: object) -> datetime:
    """Parse an RFC 3339 UTC date-time (`Z` or `+00:00`); raise ValueError otherwise."""
    if not isinstance(value, str) or "T" not in value.upper():
        raise ValueError(f"not an RFC 3339 date-time: {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an RFC 3339 date-time: {value!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"date-time without a UTC offset: {value!r}")
    if parsed.utcoffset() != timedelta(0):
        raise ValueError(f"date-time must be UTC (Z): {value!r}")
    return parsed.astimezone(UTC)


def add_months(dt: datetime, months: int) -> datetime:
    """The same wall time `months` calendar months later, clamped to the month's last day."""
    index = dt.month - 1 + months
    year, month = dt.year + index // 12, index % 12 + 1
    day = min(dt.day, calendar.monthrange(year, month)[1])
    return dt.replace(year=year, month=month, day=day)
