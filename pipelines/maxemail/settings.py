"""Maxemail constants (PROVIDERS.md section 1; vendor doc spec/maxemail-downloading-reporting-data.txt)."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

PROVIDER = "Maxemail"
SOURCE_NAME = "maxemail"
DEFAULT_HOST = "https://mxm.xtremepush.com"

# message_type → Quick Data Export service (the SMS service name is not public: ASSUMPTION).
SERVICES = {
    "campaign": "data_export_quick",
    "triggered": "data_export_quick_triggered",
    "transactional": "data_export_quick_transactional",
    "sms": "data_export_quick_sms",
}


@dataclass(frozen=True)
class Method:
    """One Quick Data Export method: its CSV header, timestamp column and raw merge key."""

    name: str
    header: tuple[str, ...]
    timestamp: str  # the CSV column the `filter.timestamp` applies to
    counts: tuple[str, ...] = ()  # integer columns
    identity: tuple[str, ...] = ()  # extra merge-key columns besides id, address, timestamp

    @property
    def columns(self) -> list[str]:
        return [snake(c) for c in self.header]

    @property
    def primary_key(self) -> list[str]:
        return [
            "_message_type",
            "email_id",
            "email_address",
            *self.identity,
            snake(self.timestamp),
        ]

    @property
    def column_types(self) -> dict[str, pa.DataType]:
        return {c: pa.int64() for c in self.counts}


def snake(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


METHODS = {
    m.name: m
    for m in (
        Method("sent", ("email id", "email address", "sent timestamp"), "sent timestamp"),
        Method(
            "opened",
            ("email id", "email address", "open count", "open timestamp"),
            "open timestamp",
            counts=("open count",),
        ),
        Method(
            "clicked",
            ("email id", "email address", "url", "click count", "click timestamp"),
            "click timestamp",
            counts=("click count",),
            identity=("url",),
        ),
        Method("responded", ("email id", "email address", "click timestamp"), "click timestamp"),
        Method(
            "bounced",
            ("email id", "email address", "bounce type", "bounce reason", "bounce timestamp"),
            "bounce timestamp",
        ),
        Method(
            "unsubscribed",
            ("email id", "email address", "unsubscribe type", "unsubscribe timestamp"),
            "unsubscribe timestamp",
        ),
    )
}

# Every Quick Data Export, `<message type>.<method>` (the setting `exports` picks some).
ALL_EXPORTS = tuple(f"{t}.{m}" for t in SERVICES for m in METHODS)

# `email_campaign.find` numbers arrive as ints or strings; these are coerced to bigint.
FIND_NUMBERS = (
    "email_id",
    "list_total",
    "total_sent",
    "total_opens",
    "total_unique_opens",
    "total_clickthrus",
    "total_unique_clickthrus",
    "total_responses",
    "total_bounces_hard",
    "total_bounces_soft",
    "total_unsubscribes_global",
    "total_unsubscribes_local",
    "total_unsubscribes_feedback",
    "total_roi_conversions",
    "total_roi_unique_conversions",
    "template_id",
    "sample_size",
)
FIND_TIMESTAMPS = ("start_ts", "finish_ts", "update_ts", "scheduled_ts")
