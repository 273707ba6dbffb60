"""Values as the warehouse holds them, for comparing the marts with the sandbox's truth: the
recipient pseudonym the dbt project computes, and one comparable form of SQL and JSON values."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any


def recipient_key(address: str) -> str:
    """The dbt project's pseudonym: sha256 hex of key || lower(trim(address))."""
    key = os.environ.get("EMAIL_ELT_RECIPIENT_KEY", "sandbox-recipient-key")
    return hashlib.sha256((key + address.strip().lower()).encode("utf-8")).hexdigest()


def normal(value: Any) -> Any:
    """One comparable form for SQL and JSON values: naive UTC datetimes, numbers as float."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        return normal(datetime.fromisoformat(value.replace("Z", "+00:00")))
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return float(value)
    return value
