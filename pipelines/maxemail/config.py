"""The Maxemail source's settings, declared once (`[sources.maxemail]`, `SOURCES__MAXEMAIL__<KEY>`;
pipelines/common/config.py)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import ClassVar

import dlt
from dlt.common.configuration import configspec
from dlt.common.typing import TSecretStrValue

from pipelines.common.config import SourceConfig
from pipelines.common.errors import ProviderError
from pipelines.maxemail.settings import ALL_EXPORTS, DEFAULT_HOST, PROVIDER, SERVICES, SOURCE_NAME


@configspec
class MaxemailConfig(SourceConfig):
    """One Maxemail account (an API user; Basic auth).

    ``exports`` selects which service × method resources run (`"campaign.sent"`, …; default all
    24). ``services`` overrides the service name per message type (the SMS service name is an
    ASSUMPTION). ``timezone`` is the account's timezone, in which Maxemail writes timestamps.
    Each run asks every export for the rows since its last loaded timestamp minus
    ``lookback_hours`` (the first run: since ``start_date``). ``allow_gaps`` (the CLI's
    --allow-gaps) changes nothing: no retention is known, an export reaches back to any
    `filter.timestamp`, so a Maxemail load has no gaps to accept. An export is generated during
    its call: ``request_timeout`` is long.
    """

    provider: ClassVar[str] = PROVIDER
    source_name: ClassVar[str] = SOURCE_NAME

    username: str = dlt.config.value
    password: TSecretStrValue = dlt.secrets.value
    base_url: str = DEFAULT_HOST
    start_date: str = dlt.config.value
    timezone: str = "Europe/London"
    lookback_hours: float = 24.0
    exports: Sequence[str] = ALL_EXPORTS
    services: dict[str, str] | None = None
    request_timeout: float = 600.0

    def on_resolved(self) -> None:
        super().on_resolved()
        self.check_timezone()
        unknown = [e for e in self.exports if e not in ALL_EXPORTS]
        if unknown:
            raise ProviderError(
                PROVIDER,
                f"unknown exports {unknown}; use '<message type>.<method>' from {ALL_EXPORTS}",
            )
        self.start, self.since_at  # noqa: B018 (a bad date is an error now, naming the setting)
        if self.lookback_hours < 0:
            raise ProviderError(
                PROVIDER, f"setting lookback_hours must be >= 0, got {self.lookback_hours}"
            )

    @property
    def start(self) -> datetime:
        return self.date_setting("start_date")

    @property
    def lookback(self) -> timedelta:
        return timedelta(hours=self.lookback_hours)

    @property
    def service_names(self) -> dict[str, str]:
        """Message type → Quick Data Export service."""
        return {**SERVICES, **(self.services or {})}
