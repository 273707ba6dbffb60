"""APSIS One constants (PROVIDERS.md section 2; vendor doc spec/apsis-one-email-event-export.txt)."""

from __future__ import annotations

import pyarrow as pa

PROVIDER = "APSIS One"
SOURCE_NAME = "apsis_one"

REGION_HOSTS = {
    "eu": "https://api.apsis.one",
    "apac": "https://api-apac.apsis.one",
}

# The export file's default columns, in the documented order (PROVIDERS.md 2.3).
DEFAULT_COLUMNS = (
    "activity_id",
    "split_id",
    "activity_name",
    "split_activity_name",
    "sender",
    "subject",
    "address",
    "variation",
    "type",
    "correlation_id",
    "event_time",
    "server_time",
    "device",
    "location",
    "link_id",
    "link_url",
    "link_title",
    "bounce_code",
    "unsubscribe_topic",
    "abuse_section",
)

# Epoch milliseconds; every other column, attributes and tags included, is kept as text.
COLUMN_TYPES = {"event_time": pa.int64(), "server_time": pa.int64()}

# One raw row as the provider sent it; each field is required (a row without one is a malformed
# export). A re-read window replaces the rows earlier exports delivered in it (the raw table is
# append-only, pipelines/common/replace.py); a provider retry differs in server_time and stays a
# row of its own (collapsed later, by event identity, in int_email_events__deduplicated).
ROW_IDENTITY = (
    "activity_id",
    "split_id",
    "address",
    "type",
    "correlation_id",
    "event_time",
    "server_time",
    "link_id",
)

MAX_WINDOW_MONTHS = 3  # validated by the API
MAX_ATTRIBUTES = 75
MAX_TAGS = 25
