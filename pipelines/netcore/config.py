"""The Netcore source's settings, declared once (`[sources.netcore]`, `SOURCES__NETCORE__<KEY>`;
pipelines/common/config.py)."""

from datetime import UTC, date, datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

import dlt
from dlt.common.configuration import configspec
from dlt.common.typing import TSecretStrValue

from pipelines.common.config import SourceConfig
from pipelines.common.errors import ProviderError
from pipelines.netcore.settings import (
    API_VERSIONS,
    AUTH_STYLES,
    MAX_PAGE_SIZE,
    PAGING_MODES,
    PROVIDER,
    REGION_HOSTS,
    RETENTION_DAYS,
    SOURCE_NAME,
)


@configspec
class NetcoreConfig(SourceConfig):
    """One Netcore account (API key).

    ``base_url`` wins over ``region`` (`global` → emailapi.netcorecloud.net, `eu` →
    apieu.netcorecloud.net). ``api_version`` `v5.1` sends `api_key: <key>`, `v6` a Bearer token
    (``auth_style`` overrides: `api_key`, `bearer`, `x-api-key`). ``timezone`` is the account's
    (its profile setting): Netcore's dates and times are in it. ``start_date`` is where the first
    load starts; later loads continue from state, re-reading the last ``lookback_days`` days.
    Days older than the ``retention_days`` Netcore keeps are a gap: the rest is loaded, and the
    position moves past them only with ``allow_gaps`` (else the load ends in `IncompleteLoad`).
    ``window_days`` days are committed per load. ``download_logs`` reads each window through the
    Download Logs job instead of paging (polled from ``poll_initial_seconds``, doubling up to
    ``poll_max_seconds``, abandoned after ``export_deadline_seconds``). Messages are handed to
    dlt as Arrow tables of about ``batch_rows`` messages (memory is bounded by the batch).
    """

    provider: ClassVar[str] = PROVIDER
    source_name: ClassVar[str] = SOURCE_NAME

    api_key: TSecretStrValue = dlt.secrets.value
    base_url: str | None = None
    region: str = "global"
    api_version: str = "v5.1"
    auth_style: str | None = None
    start_date: str = dlt.config.value
    timezone: str = "Asia/Kolkata"
    lookback_days: int = 3
    window_days: int = 30
    page_size: int = MAX_PAGE_SIZE
    paging: str = "scrollid"
    batch_rows: int = 50_000
    retention_days: int = RETENTION_DAYS
    download_logs: bool = False
    poll_initial_seconds: float = 1.0
    poll_max_seconds: float = 30.0
    export_deadline_seconds: float = 3600.0
    request_timeout: float = 120.0

    def on_resolved(self) -> None:
        super().on_resolved()
        if self.api_version not in API_VERSIONS:
            raise ProviderError(
                PROVIDER,
                f"unknown api_version {self.api_version!r}; use one of {sorted(API_VERSIONS)}",
            )
        if self.style not in AUTH_STYLES:
            raise ProviderError(
                PROVIDER, f"unknown auth_style {self.style!r}; use one of {AUTH_STYLES}"
            )
        if self.region not in REGION_HOSTS and not self.base_url:
            raise ProviderError(
                PROVIDER, f"unknown region {self.region!r}; use one of {sorted(REGION_HOSTS)}"
            )
        if self.paging not in PAGING_MODES:
            raise ProviderError(
                PROVIDER, f"unknown paging {self.paging!r}; use one of {PAGING_MODES}"
            )
        self.check_timezone()
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ProviderError(
                PROVIDER, f"page_size must be 1..{MAX_PAGE_SIZE}, got {self.page_size}"
            )
        for name, minimum in (
            ("lookback_days", 0),
            ("window_days", 1),
            ("retention_days", 1),
            ("batch_rows", 1),
        ):
            if getattr(self, name) < minimum:
                raise ProviderError(
                    PROVIDER, f"setting {name} must be >= {minimum}, got {getattr(self, name)}"
                )
        if not self.api_key:
            raise ProviderError(PROVIDER, "sources.netcore.api_key is empty")
        self.start, self.since_at  # noqa: B018 (a bad date is an error now, naming the setting)

    @property
    def style(self) -> str:
        """The auth header style: ``auth_style``, else the one of ``api_version``."""
        return self.auth_style or API_VERSIONS.get(self.api_version, "")

    @property
    def host(self) -> str:
        return self.base_url or REGION_HOSTS[self.region]

    @property
    def start(self) -> datetime:
        return self.date_setting("start_date")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, when: datetime) -> date:
        return when.astimezone(self.zone).date()

    def day_start_utc(self, day: date) -> datetime:
        """The UTC instant a local day starts."""
        return datetime(day.year, day.month, day.day, tzinfo=self.zone).astimezone(UTC)
