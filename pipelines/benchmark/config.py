"""The Benchmark Email source's settings, declared once (`[sources.benchmark]`,
`SOURCES__BENCHMARK__<KEY>`; pipelines/common/config.py)."""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, ClassVar

import dlt
from dlt.common.configuration import configspec
from dlt.common.typing import TSecretStrValue

from pipelines.benchmark.settings import (
    ALL_EVENT_TYPES,
    CAMPAIGN_EVENT_TYPES,
    DEFAULT_PAST_DAYS,
    DEFAULT_TIMEZONE,
    ENGAGEMENT_PERIODS,
    HISTOGRAM_EVENT_TYPES,
    MAX_CONCURRENCY,
    MAX_PAGE_SIZE,
    MAX_PAST_DAYS,
    PROVIDER,
    SOURCE_NAME,
)
from pipelines.common.config import SourceConfig
from pipelines.common.errors import ProviderError


@configspec
class BenchmarkConfig(SourceConfig):
    """One Benchmark Email account (API key).

    ``base_url`` is the account's API URL (Settings > API Keys; there is no global host).
    ``past_days`` and ``timezone`` parameterise the dashboard, overall and histogram snapshots;
    ``reports = false`` leaves the five report resources out (a key without reports:read).
    Contact events are read from the latest loaded one minus ``lookback_hours`` (the first run:
    ``initial_past_days``); ``since`` re-reads them from a date (at most 90 days back). Contact
    events beyond the API's 90-day reach are a gap: ``allow_gaps`` accepts it (else the rest is
    loaded, the cursor stays, and the load ends in `IncompleteLoad`). A `Retry-After` longer than
    ``max_retry_after_seconds`` (the monthly quota) fails the run instead of sleeping. Paged
    listings ask up to ``concurrency`` pages at once (1-10; 1 reads page after page), pages of
    ``page_size`` records (at most 100, the documented maximum), and contact events reach dlt
    as Arrow tables of about ``batch_rows`` records.
    """

    provider: ClassVar[str] = PROVIDER
    source_name: ClassVar[str] = SOURCE_NAME

    api_key: TSecretStrValue = dlt.secrets.value
    base_url: str = dlt.config.value
    past_days: Sequence[int] = DEFAULT_PAST_DAYS
    timezone: str = DEFAULT_TIMEZONE
    event_types: Sequence[str] = CAMPAIGN_EVENT_TYPES
    lookback_hours: float = 24.0
    initial_past_days: int = MAX_PAST_DAYS
    page_size: int = MAX_PAGE_SIZE
    batch_rows: int = 50_000
    concurrency: int = 4
    histogram_event_types: Sequence[str] = HISTOGRAM_EVENT_TYPES
    engagement_periods: Sequence[str] = ENGAGEMENT_PERIODS
    reports: bool = True
    max_retry_after_seconds: float = 300.0

    def on_resolved(self) -> None:
        super().on_resolved()
        self.check_timezone()
        for days in self.past_days:
            _days(days, "past_days")
        if not self.past_days:
            raise ProviderError(PROVIDER, "setting past_days is empty")
        if (
            self.page_size < 1
            or self.batch_rows < 1
            or self.lookback_hours < 0
            or self.max_retry_after_seconds < 0
        ):
            raise ProviderError(
                PROVIDER,
                "settings page_size >= 1, batch_rows >= 1, lookback_hours >= 0, max_retry_after_seconds >= 0",
            )
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise ProviderError(
                PROVIDER,
                f"setting concurrency={self.concurrency!r}: 1-{MAX_CONCURRENCY} requests at once",
            )
        _subset(self.event_types, ALL_EVENT_TYPES, "event_types")
        _days(self.initial_past_days, "initial_past_days")
        self.since_at  # noqa: B018 (a bad date is an error now, naming the setting)
        if self.reports:
            _subset(self.histogram_event_types, HISTOGRAM_EVENT_TYPES, "histogram_event_types")
            _subset(self.engagement_periods, ENGAGEMENT_PERIODS, "engagement_periods")

    @property
    def lookback(self) -> timedelta:
        return timedelta(hours=self.lookback_hours)


def _subset(values: Sequence[str], allowed: Sequence[str], name: str) -> None:
    unknown = [v for v in values if v not in allowed]
    if unknown or not values:
        raise ProviderError(
            PROVIDER, f"setting {name}={list(values)!r}: use some of {list(allowed)}"
        )


def _days(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAST_DAYS:
        raise ProviderError(PROVIDER, f"setting {name}={value!r}: a whole number of days, 1-90")
