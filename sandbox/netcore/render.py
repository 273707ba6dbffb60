"""Netcore answers rendered from message states (PROVIDERS.md 3.4-3.6): an events-API row, the
events page envelope, the Download Logs CSV (and its ZIP), and the stats entry a day belongs to."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.netcore.model import MessageState, local_text
from sandbox.web import Response, json_response

LOG_COLUMNS = (
    "trid", "rcptEmail", "fromaddress", "requestedTime", "deliveryTime", "modifiedTime", "status",
    "size", "remarks", "subject", "xapiheader", "tags", "opens", "clicks",
)  # fmt: skip


def render(state: MessageState, zone: ZoneInfo) -> dict[str, Any]:
    """One events-API row (the v2 CLI / v5.1 field order), times in the account timezone."""
    message, campaign = state.message, state.message.campaign
    return {
        "trid": message.trid,
        "rcptEmail": message.address,
        "fromaddress": campaign.from_address,
        "requestedTime": local_text(message.requested_s, zone),
        "deliveryTime": "" if state.delivered_s is None else local_text(state.delivered_s, zone),
        "modifiedTime": local_text(state.modified_s, zone),
        "status": state.status,
        "size": message.size,
        "remarks": state.remarks,
        "subject": campaign.subject,
        "xapiheader": campaign.id,
        "tags": campaign.name,
        "opens": [{"ip": ip, "time": local_text(at, zone)} for at, ip in state.opens],
        "clicks": [
            {"ip": ip, "link": link, "time": local_text(at, zone)} for at, ip, link in state.clicks
        ],
    }


def render_csv(rows: list[dict[str, Any]]) -> bytes:
    """The Download Logs file: the logs columns, `opens` and `clicks` as JSON text (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LOG_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                json.dumps(row[c], ensure_ascii=False, separators=(",", ":"))
                if c in ("opens", "clicks")
                else row[c]
                for c in LOG_COLUMNS
            ]
        )
    return buffer.getvalue().encode("utf-8")


def events_page(rows: list[dict[str, Any]], total: int, scroll_id: str | None) -> Response:
    return json_response(
        200,
        {
            "status": "success",
            "message": "OK",
            "totalRecords": total,
            "data": rows,
            "scrollid": scroll_id,
        },
    )


def stats_bucket(day: date, period: str) -> str:
    """The stats entry a day belongs to: the day, the Monday of its week, or the 1st of its month."""
    if period == "week":
        day -= timedelta(days=day.weekday())
    elif period == "month":
        day = day.replace(day=1)
    return day.isoformat()


def zip_one(member: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()
