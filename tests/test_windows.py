"""Export windows: calendar-month caps, coverage without gaps, halving."""

from datetime import UTC, datetime, timedelta

import pytest

from pipelines.common.windows import add_months, parse_utc, plan_windows, rfc3339, split_window


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (utc(2026, 1, 31), 1, utc(2026, 2, 28)),
        (utc(2024, 1, 31), 1, utc(2024, 2, 29)),
        (utc(2026, 1, 31), 3, utc(2026, 4, 30)),
        (utc(2026, 11, 15, 12), 3, utc(2027, 2, 15, 12)),
        (utc(2026, 12, 1), 1, utc(2027, 1, 1)),
    ],
)
def test_add_months_clamps_the_day(start: datetime, months: int, expected: datetime) -> None:
    assert add_months(start, months) == expected


def test_windows_cover_the_range_without_gaps_and_respect_three_months() -> None:
    start, end = utc(2025, 11, 30, 6), utc(2026, 11, 23, 9)
    windows = list(plan_windows(start, end, max_months=3))
    assert windows[0][0] == start and windows[-1][1] == end
    for (_, b), (c, _) in zip(windows, windows[1:], strict=False):
        assert b == c
    for a, b in windows:
        assert a < b <= add_months(a, 3)
    assert len(windows) == 4


def test_windows_can_be_narrowed_by_days() -> None:
    windows = list(plan_windows(utc(2026, 1, 1), utc(2026, 1, 10), max_months=3, max_days=2))
    assert [b - a for a, b in windows] == [timedelta(days=2)] * 4 + [timedelta(days=1)]


def test_empty_range_gives_no_window() -> None:
    assert list(plan_windows(utc(2026, 1, 2), utc(2026, 1, 1))) == []


def test_split_window_halves_on_a_whole_second() -> None:
    (a, m1), (m2, b) = split_window(utc(2026, 1, 1), utc(2026, 1, 1, 0, 0, 3))
    assert (a, b) == (utc(2026, 1, 1), utc(2026, 1, 1, 0, 0, 3))
    assert m1 == m2 == utc(2026, 1, 1, 0, 0, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01", utc(2026, 1, 1)),
        ("2026-01-01T10:00:00Z", utc(2026, 1, 1, 10)),
        ("2026-01-01T12:00:00+02:00", utc(2026, 1, 1, 10)),
    ],
)
def test_parse_utc(text: str, expected: datetime) -> None:
    assert parse_utc(text) == expected
    assert rfc3339(parse_utc(text)).endswith("Z")


def test_parse_utc_names_the_bad_value() -> None:
    with pytest.raises(ValueError, match="yesterday"):
        parse_utc("yesterday")
