"""Netcore constants (PROVIDERS.md section 3; vendor doc spec/netcore-events-api.txt)."""

from __future__ import annotations

from dlt.common.schema.typing import TTableSchemaColumns

PROVIDER = "Netcore"
SOURCE_NAME = "netcore"

REGION_HOSTS = {
    "global": "https://emailapi.netcorecloud.net",  # non-EU accounts
    "eu": "https://apieu.netcorecloud.net",
}
# API version → the auth header style its clients use (PROVIDERS.md 3.2).
API_VERSIONS = {"v5.1": "api_key", "v6": "bearer"}
AUTH_STYLES = ("api_key", "bearer", "x-api-key")
PAGING_MODES = ("scrollid", "offset")

RETENTION_DAYS = 90  # event logs are kept this long (DOC); older startdates are refused
MAX_PAGE_SIZE = 1000  # `limit` of GET /events (the docs also say 5000; 1000 is safe)
MAX_OFFSET = 1000  # `offset` of GET /events is 0–1000 (DOC): offset paging reaches 2000 rows
STATS_PAGE_SIZE = 100  # `limit` of GET /stats is 1–100

# Events API / Download Logs field → raw column (docs/CONTRACTS.md 6.2).
FIELDS = {
    "trid": "trid",
    "rcptEmail": "rcpt_email",
    "fromaddress": "fromaddress",
    "requestedTime": "requested_time",
    "deliveryTime": "delivery_time",
    "modifiedTime": "modified_time",
    "status": "status",
    "size": "size",
    "remarks": "remarks",
    "subject": "subject",
    "xapiheader": "xapiheader",
    "tags": "tags",
}
TIME_FIELDS = ("requestedTime", "deliveryTime", "modifiedTime")
NESTED_FIELDS = ("opens", "clicks")
# The Download Logs CSV must have at least these columns (ASSUMPTION, PROVIDERS.md 3.5).
LOG_COLUMNS = (*FIELDS, *NESTED_FIELDS)

# Explicit types, so that a load whose rows all lack a value still creates the right column.
EVENT_COLUMNS: TTableSchemaColumns = {
    "trid": {"data_type": "text", "nullable": False},
    **{
        name: {"data_type": "text", "nullable": True}
        for name in ("rcpt_email", "fromaddress", "status", "remarks", "subject", "xapiheader")
    },
    "tags": {"data_type": "text", "nullable": True},
    **{
        name: {"data_type": "timestamp", "timezone": True, "nullable": True}
        for name in ("requested_time", "delivery_time", "modified_time")
    },
    "size": {"data_type": "bigint", "nullable": True},
    "_account_id": {"data_type": "text", "nullable": True},
    # built by pipelines/netcore/arrow.py: the message's trid (children join on it); dlt appends
    # `_dlt_load_id` after it
    "_dlt_id": {"data_type": "text", "nullable": False},
}
# The child tables of `events` (one row per entry of a message's `opens` / `clicks`), with the
# keys dlt's relational normaliser gave them.
_ENTRY_KEYS: TTableSchemaColumns = {
    "_dlt_root_id": {"data_type": "text", "nullable": False},
    "_dlt_parent_id": {"data_type": "text", "nullable": False},
    "_dlt_list_idx": {"data_type": "bigint", "nullable": False},
    "_dlt_id": {"data_type": "text", "nullable": False},
    # dlt adds the load id to Arrow items; the rows its normaliser loaded before have none
    "_dlt_load_id": {"data_type": "text", "nullable": True},
}
_TIME: TTableSchemaColumns = {
    "time": {"data_type": "timestamp", "timezone": True, "nullable": True}
}
CHILD_COLUMNS: dict[str, TTableSchemaColumns] = {
    "opens": {"ip": {"data_type": "text", "nullable": True}, **_TIME, **_ENTRY_KEYS},
    "clicks": {
        "ip": {"data_type": "text", "nullable": True},
        "link": {"data_type": "text", "nullable": True},
        **_TIME,
        **_ENTRY_KEYS,
    },
}
STAT_KEYS = (
    "requested", "processed", "sent", "delivered", "dropped", "invalid", "hardbounce",
    "softbounce", "bounce", "opened", "unique_opened", "clicked", "unique_clicked",
    "unsubscribed", "spam",
)  # fmt: skip
STATS_COLUMNS: TTableSchemaColumns = {
    "date": {"data_type": "date", "nullable": False},
    **{name: {"data_type": "bigint", "nullable": True} for name in STAT_KEYS},
    "_account_id": {"data_type": "text", "nullable": True},
    "_taken_at": {"data_type": "timestamp", "timezone": True, "nullable": True},
}
