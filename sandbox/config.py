"""The synthetic world's settings: `WorldConfig` (seed, sizes, behaviour rates) and the named
account shapes (`ACCOUNT_MODES`, docs/CONTRACTS.md 12).

Plain data, imported by the core and by every provider's generator; it imports nothing of the
sandbox, so a generator never reaches the world that composes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class WorldConfig:
    """Sizes, seed and behaviour rates of the synthetic world (all rates are probabilities)."""

    seed: int = 42
    start: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    days: int = 150  # the timeline; events after start + days are dropped
    initial_days: float = 120  # the world clock starts at start + initial_days
    sections: int = 2
    campaigns: int = 12
    recipients: int = 500
    split_test_share: float = 1 / 3  # share of campaigns that are split tests
    split_group_share: float = 0.15  # audience share of each split-test variant
    winner_delay_hours: float = 4.0  # the winning partition is sent this much later
    audience_share_min: float = 0.7  # a campaign reaches 70–100 % of its section
    delivery_rate: float = 0.92  # the rest bounce
    soft_bounce_repeat_rate: float = 0.3  # soft bounces recorded a second time
    auto_reply_rate: float = 0.03  # delivered, then an informational 5xxx bounce
    open_rate: float = 0.35
    click_rate: float = 0.40  # of openers
    click_without_open_rate: float = 0.02  # of non-openers (images blocked)
    unsubscribe_rate: float = 0.02
    abuse_rate: float = 0.005
    retry_rate: float = 0.03  # events repeated with the same correlation_id
    zero_event_time_rate: float = 0.02
    epoch_1970_rate: float = 0.01
    late_event_rate: float = 0.05  # indexed late: available hours after server_time
    max_late_hours: float = 6.0
    max_ingest_delay_seconds: int = 120
    mixed_case_rate: float = 0.1  # addresses stored with upper-case letters
    device_suffix_rate: float = 0.2
    new_device_rate: float = 0.01  # device values outside the documented set
    location_suffix_rate: float = 0.2
    # Maxemail messages (sandbox.maxemail; own generator, the APSIS world is unaffected)
    maxemail_campaigns: int | None = None  # None: as many as `campaigns`
    maxemail_triggered: int = 3
    maxemail_transactional: int = 2
    maxemail_sms: int = 2
    # Netcore campaigns (sandbox.netcore; own generator, the other worlds are unaffected)
    netcore_campaigns: int = 8  # sent in the 80 days before the initial clock
    netcore_later_campaigns: int = 2  # sent after it
    # every n-th hard and soft bounce in the plain status `bounce`, classed by its remarks (0: none)
    netcore_plain_bounce_every: int = 3
    # Benchmark Email campaigns (sandbox.benchmark; own generator): None = `campaigns`
    benchmark_campaigns: int | None = None
    # Account shapes without optional data (ACCOUNT_MODES; docs/CONTRACTS.md 12). The defaults
    # leave the world unchanged.
    omit_empty_splits: bool = False  # plain sends' activities carry no `splits` key at all
    benchmark_contacts_listed: bool = True  # False: the contact list is empty (contacts deleted)
    # Machine engagement (issue 16, sandbox.machines; own streams, added on top of the world).
    # ASSUMPTIONS (DECISIONLOG "Human and machine engagement"): shares of recipients behind an Apple-style open proxy
    # (pixel fetched on arrival) and behind a link-scanning gateway (every link followed).
    proxy_recipient_share: float = 0.15
    proxy_open_delay_seconds: tuple[float, float] = (1.0, 10.0)  # after the delivery
    scanner_recipient_share: float = 0.08
    scanner_click_delay_seconds: tuple[float, float] = (1.0, 5.0)  # first click after delivery
    scanner_click_spread_ms: int = 1000  # every link within this long of the first
    scanner_pixel_rate: float = 0.5  # the scanner also fetches the pixel
    proxy_ip_prefix: str = "17.58."  # Apple's 17.0.0.0/8 (Netcore opens)
    scanner_ip_prefix: str = "40.107."  # a gateway's range (Netcore clicks)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("WorldConfig.start must be timezone-aware (UTC)")
        if self.days < 4 or self.sections < 1 or self.campaigns < 0 or self.recipients < 0:
            raise ValueError("WorldConfig needs days >= 4, sections >= 1 and non-negative sizes")


# Named account shapes for `WorldConfig` (`python -m sandbox --mode ...`, tests): accounts that
# lack data dlt only creates tables and columns for when it exists (docs/CONTRACTS.md 12). The
# Benchmark key without `reports:read` is not a world shape: it is the key `bme_sandbox_noreports`
# with the loader's `reports = false`.
ACCOUNT_MODES: dict[str, dict[str, Any]] = {
    # APSIS One: no campaign was ever a split test (no `activities__splits` table); plain sends
    # carry no `splits` key at all
    "no_split_tests": {"split_test_share": 0.0, "omit_empty_splits": True},
    # every provider: nobody clicked yet (no click events, no `events__clicks`, Maxemail
    # `clicked`/`responded` files without rows)
    # (and no link scanner: a scanner clicks every link)
    "no_clicks": {
        "click_rate": 0.0,
        "click_without_open_rate": 0.0,
        "scanner_recipient_share": 0.0,
    },
    # Benchmark: `POST /api/contact/search` lists no contact (no `contacts` table), the dashboard
    # counts none; the campaigns' contact events stay
    "no_contacts": {"benchmark_contacts_listed": False},
    # every provider: no machine opens or clicks (issue 16): the world as before machines,
    # byte for byte
    "no_machines": {"proxy_recipient_share": 0.0, "scanner_recipient_share": 0.0},
}


# APSIS One events per (campaign, recipient) of the default rates (measured: 601,019 events for 20
# campaigns x 20,000 recipients over 2 sections, machine events included; 547,381 = 1.37 without
# them); `sized_for_events` inverts it.
APSIS_EVENTS_PER_CAMPAIGN_RECIPIENT = 1.50
DEFAULT_SIZE = WorldConfig()


def sized_for_events(events: int) -> dict[str, Any]:
    """Recipients and campaign counts of a world of about `events` APSIS One events, the other
    providers in proportion (their campaign counts scale with APSIS One's). Up to 200,000 events
    the default 12 campaigns over more recipients; above, campaigns grow with the square root of
    the size (85 campaigns and ~86,000 recipients for 10M), as a growing account sends both to
    more people and more often."""
    if events <= 0:
        raise ValueError("a world needs a positive number of events")
    base = DEFAULT_SIZE.campaigns
    campaigns = base if events <= 200_000 else round(base * (events / 200_000) ** 0.5)
    recipients = max(
        DEFAULT_SIZE.sections, round(events / (APSIS_EVENTS_PER_CAMPAIGN_RECIPIENT * campaigns))
    )
    scale = campaigns / base
    return {
        "recipients": recipients,
        "campaigns": campaigns,
        "netcore_campaigns": max(1, round(DEFAULT_SIZE.netcore_campaigns * scale)),
        "netcore_later_campaigns": max(1, round(DEFAULT_SIZE.netcore_later_campaigns * scale)),
    }


def world_config(*modes: str, **settings: Any) -> WorldConfig:
    """A `WorldConfig` with the named ACCOUNT_MODES switched on, then `settings`."""
    merged: dict[str, Any] = {}
    for mode in modes:
        if mode not in ACCOUNT_MODES:
            raise ValueError(f"unknown account mode {mode!r}; known: {', '.join(ACCOUNT_MODES)}")
        merged.update(ACCOUNT_MODES[mode])
    return WorldConfig(**{**merged, **settings})
