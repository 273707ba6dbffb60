"""Provider settings, declared once as a dlt configuration spec and resolved by dlt.

Each provider declares its settings in one `@configspec` class (`pipelines/<provider>/config.py`)
deriving from `SourceConfig`: names, types, defaults, and the checks that name a wrong value
(`on_resolved`, raising `ProviderError`). Its `@dlt.source` takes the caller's explicit values as
keyword arguments and `resolve` hands them to dlt with the spec, the way dlt's destination
factories take `**kwargs` over their spec: an explicit value wins, then the environment
(`SOURCES__<PROVIDER>__<KEY>`), `.dlt/secrets.toml` and `.dlt/config.toml` (`[sources.<provider>]`),
then the spec's default. A required setting nobody gave is dlt's `ConfigFieldMissingException`,
which the runner turns into one line naming the keys to set.

Why not `@dlt.source(spec=...)`: dlt resolves only the source function's named arguments, so every
setting would be declared twice, in the spec and again in the signature (DECISIONLOG.md, "dlt's
pieces in the loader").
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dlt.common.configuration import configspec, resolve_configuration
from dlt.common.configuration.resolve import inject_section
from dlt.common.configuration.specs import BaseConfiguration, known_sections
from dlt.common.configuration.specs.config_section_context import ConfigSectionContext

from pipelines.common.errors import ProviderError
from pipelines.common.retries import RetryPolicy
from pipelines.common.windows import parse_setting

TConfig = TypeVar("TConfig", bound="SourceConfig")


@configspec
class SourceConfig(BaseConfiguration):
    """The settings every provider's source takes.

    ``allow_gaps`` is also the CLI's `--allow-gaps`; ``since`` (`--since`) and
    ``max_windows_per_run`` are set by the runner for one run. The `request_*` settings and
    ``connect_retries`` shape the HTTP retries (pipelines/common/http.py): 429 and 5xx are tried
    ``request_max_attempts`` times with waits doubling from ``request_backoff_factor`` seconds
    (or the server's `Retry-After`); a host that cannot be reached is tried
    ``1 + connect_retries`` times; a call waits ``request_timeout`` seconds for an answer.
    """

    account_id: str = "default"
    allow_gaps: bool = False
    since: str | None = None
    max_windows_per_run: int | None = None
    request_timeout: float = 60.0
    request_max_attempts: int = 7
    request_backoff_factor: float = 1.0
    connect_retries: int = 2

    # not settings: the provider's display name in messages and its dlt source name
    provider: ClassVar[str] = "provider"
    source_name: ClassVar[str] = "provider"

    def on_resolved(self) -> None:
        if self.request_max_attempts < 1 or self.connect_retries < 0:
            raise ProviderError(
                self.provider,
                "settings request_max_attempts >= 1 and connect_retries >= 0, got "
                f"{self.request_max_attempts} and {self.connect_retries}",
            )
        for name in ("request_timeout", "request_backoff_factor"):
            if getattr(self, name) < 0:
                raise ProviderError(self.provider, f"setting {name} must be >= 0")

    def retry_policy(self, **overrides: Any) -> RetryPolicy:
        """The HTTP retry policy of these settings (``overrides``: the provider's own limits)."""
        return RetryPolicy(
            timeout=self.request_timeout,
            max_attempts=self.request_max_attempts,
            backoff_factor=self.request_backoff_factor,
            connect_retries=self.connect_retries,
            **overrides,
        )

    def date_setting(self, name: str) -> datetime:
        """A configured date or datetime (``name``: `start_date`, `since`) as aware UTC; a bad
        value is an error naming the provider and the setting."""
        return parse_setting(getattr(self, name), self.provider, name)

    def check_timezone(self, name: str = "timezone") -> None:
        """The setting ``name`` must be an IANA timezone; else an error naming the provider and
        the setting."""
        value = getattr(self, name)
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ProviderError(
                self.provider,
                f"setting {name}: unknown timezone {value!r} (an IANA name such as Europe/London)",
            ) from None

    @property
    def since_at(self) -> datetime | None:
        return self.date_setting("since") if self.since else None


def resolve(spec: type[TConfig], overrides: Mapping[str, Any]) -> TConfig:
    """``spec`` resolved by dlt in `sources.<source_name>`, with ``overrides`` as explicit values.

    An override that is not a setting of ``spec`` is an error naming it (a typo would otherwise
    be ignored while the configured value is used)."""
    fields = spec.get_resolvable_fields()
    unknown = sorted(set(overrides) - set(fields))
    if unknown:
        raise ProviderError(
            spec.provider,
            f"unknown setting(s) {unknown}; the settings of sources.{spec.source_name} are "
            f"{sorted(fields)}",
        )
    name = spec.source_name
    with inject_section(ConfigSectionContext(sections=(known_sections.SOURCES, name, name))):
        return resolve_configuration(spec(), explicit_value=dict(overrides))
