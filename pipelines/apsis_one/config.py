"""The APSIS One source's settings, declared once (`[sources.apsis_one]`,
`SOURCES__APSIS_ONE__<KEY>`; pipelines/common/config.py)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import ClassVar

import dlt
from dlt.common.configuration import configspec
from dlt.common.typing import TSecretStrValue

from pipelines.apsis_one.settings import (
    MAX_ATTRIBUTES,
    MAX_TAGS,
    MAX_WINDOW_MONTHS,
    PROVIDER,
    REGION_HOSTS,
    SOURCE_NAME,
)
from pipelines.common.config import SourceConfig
from pipelines.common.errors import ProviderError


@configspec
class ApsisOneConfig(SourceConfig):
    """One APSIS One account (OAuth client credentials).

    ``base_url`` wins over ``region`` (`eu` → api.apsis.one, `apac` → api-apac.apsis.one).
    ``start_date`` is where the first load starts; later loads continue from state, re-reading
    the last ``lookback_hours`` for events APSIS indexes late. An export window spans at most
    ``window_months`` calendar months (the API's limit is 3) and ``window_days`` days; a window
    whose export ends in status `error` is halved down to ``min_window_minutes``. Exports are
    polled from ``poll_initial_seconds``, doubling up to ``poll_max_seconds``, and abandoned after
    ``export_deadline_seconds``. ``attribute_version_ids`` and ``tag_discriminators`` of
    ``section`` become export columns. ``header_auth`` sends the download token in the
    `x-apsis-auth` header instead of the URL. ``allow_gaps`` (the CLI's --allow-gaps) changes
    nothing: the export reaches any date (no known retention), so an APSIS One load has no gaps.
    """

    provider: ClassVar[str] = PROVIDER
    source_name: ClassVar[str] = SOURCE_NAME

    client_id: str = dlt.config.value
    client_secret: TSecretStrValue = dlt.secrets.value
    base_url: str | None = None
    region: str = "eu"
    start_date: str = dlt.config.value
    section: str | None = None
    attribute_version_ids: Sequence[str | dict[str, str]] = ()
    tag_discriminators: Sequence[str | dict[str, str]] = ()
    window_months: int = MAX_WINDOW_MONTHS
    window_days: float | None = None
    lookback_hours: float = 24.0
    min_window_minutes: float = 60.0
    poll_initial_seconds: float = 1.0
    poll_max_seconds: float = 30.0
    export_deadline_seconds: float = 3600.0
    header_auth: bool = False

    def on_resolved(self) -> None:
        super().on_resolved()
        if not 1 <= self.window_months <= MAX_WINDOW_MONTHS:
            raise ProviderError(
                PROVIDER,
                f"window_months must be 1..{MAX_WINDOW_MONTHS}, got {self.window_months}",
            )
        if self.region not in REGION_HOSTS and not self.base_url:
            raise ProviderError(
                PROVIDER, f"unknown region {self.region!r}; use one of {sorted(REGION_HOSTS)}"
            )
        for name in ("window_days", "min_window_minutes", "poll_initial_seconds"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ProviderError(PROVIDER, f"setting {name} must be positive, got {value}")
        if self.lookback_hours < 0:
            raise ProviderError(
                PROVIDER, f"setting lookback_hours must be >= 0, got {self.lookback_hours}"
            )
        if len(self.attributes) > MAX_ATTRIBUTES or len(self.tags) > MAX_TAGS:
            raise ProviderError(
                PROVIDER,
                f"an export takes at most {MAX_ATTRIBUTES} attributes and {MAX_TAGS} tags",
            )
        self.start, self.since_at  # noqa: B018 (a bad date is an error now, naming the setting)

    @property
    def host(self) -> str:
        return self.base_url or REGION_HOSTS[self.region]

    @property
    def start(self) -> datetime:
        return self.date_setting("start_date")

    @property
    def lookback(self) -> timedelta:
        return timedelta(hours=self.lookback_hours)

    @property
    def attributes(self) -> list[dict[str, str]]:
        """The export's `additional_attribute_mappings`."""
        return self._mappings(self.attribute_version_ids, "attribute_version_id", "attribute")

    @property
    def tags(self) -> list[dict[str, str]]:
        """The export's `additional_tag_mappings`."""
        return self._mappings(self.tag_discriminators, "tag_discriminator", "tag")

    def _mappings(
        self, values: Sequence[str | dict[str, str]], key: str, what: str
    ) -> list[dict[str, str]]:
        """Config lists of ids (or full mapping objects) → API mapping items."""
        items: list[dict[str, str]] = []
        for value in values:
            if isinstance(value, dict):
                items.append(dict(value))
            elif self.section is None:
                raise ProviderError(
                    PROVIDER,
                    f"{what} {value!r} needs sources.apsis_one.section (the section discriminator)",
                )
            else:
                items.append({"section_discriminator": self.section, key: str(value)})
        return items
