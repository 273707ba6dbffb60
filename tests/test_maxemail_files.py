"""Maxemail export files and `find` responses as the loader reads them: the real-world shapes of
../shared/fixtures/maxemail/ (quoting styles, comma in a URL, trailing space, mixed types)."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipelines.common.errors import ProviderError
from pipelines.maxemail import ExportTarget, coerce_find, iter_export_tables
from pipelines.maxemail.settings import METHODS

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "maxemail"
LONDON = "Europe/London"


def target(method: str, timezone: str = LONDON) -> ExportTarget:
    return ExportTarget("campaign", "data_export_quick", METHODS[method], "acct", timezone)


def read(path: Path, method: str, timezone: str = LONDON) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for table in iter_export_tables(str(path), target(method, timezone), "key-1"):
        rows += table.to_pylist()
    return rows


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def lineage(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def test_sent_file_quoted_everywhere_with_spaces_after_commas() -> None:
    rows = read(FIXTURES / "sent.csv", "sent")
    assert [lineage(r) for r in rows] == [
        {"email_id": "812", "email_address": "ann.lee@example.com", "sent_timestamp": utc(2026, 3, 2, 9, 0, 4)},
        {"email_id": "812", "email_address": "bo.ng@example.org", "sent_timestamp": utc(2026, 3, 2, 9, 0, 4)},
        {"email_id": "812", "email_address": "carl.ortiz@example.net", "sent_timestamp": utc(2026, 3, 2, 9, 0, 5)},
        {"email_id": "812", "email_address": "dee@example.co.uk", "sent_timestamp": utc(2026, 3, 2, 9, 0, 5)},
    ]  # fmt: skip
    assert rows[0]["_message_type"] == "campaign" and rows[0]["_service"] == "data_export_quick"
    assert rows[0]["_account_id"] == "acct" and rows[0]["_export_key"] == "key-1"


def test_opened_counts_and_addresses_normalised() -> None:
    rows = [lineage(r) for r in read(FIXTURES / "opened.csv", "opened")]
    assert rows == [
        {"email_id": "812", "email_address": "ann.lee@example.com", "open_count": 3, "open_timestamp": utc(2026, 3, 2, 9, 14, 51)},
        {"email_id": "812", "email_address": "carl.ortiz@example.net", "open_count": 1, "open_timestamp": utc(2026, 3, 3, 18, 2, 10)},
    ]  # fmt: skip


def test_clicked_keeps_the_comma_in_the_url() -> None:
    rows = read(FIXTURES / "clicked.csv", "clicked")
    assert [(r["url"], r["click_count"]) for r in rows] == [
        ("https://shop.example.com/spring?utm_source=mxm", 2),
        ("https://shop.example.com/sale, last days", 1),
    ]


def test_bounce_reason_trailing_space_trimmed() -> None:
    rows = read(FIXTURES / "bounced.csv", "bounced")
    assert [(r["bounce_type"], r["bounce_reason"]) for r in rows] == [
        ("temporary", "0000 unrecognized"),
        ("permanent", "5.1.1 user unknown"),
    ]


def test_responded_and_unsubscribed() -> None:
    assert [lineage(r) for r in read(FIXTURES / "responded.csv", "responded")] == [
        {"email_id": "812", "email_address": "ann.lee@example.com", "click_timestamp": utc(2026, 3, 2, 9, 15, 30)}
    ]  # fmt: skip
    assert [lineage(r) for r in read(FIXTURES / "unsubscribed.csv", "unsubscribed")] == [
        {"email_id": "812", "email_address": "carl.ortiz@example.net", "unsubscribe_type": "global", "unsubscribe_timestamp": utc(2026, 3, 3, 18, 3)}
    ]  # fmt: skip


def test_local_time_converts_to_utc_across_daylight_saving(tmp_path: Path) -> None:
    path = tmp_path / "sent.csv"
    path.write_text(
        '"email id","email address","sent timestamp"\n'
        '1,a@x.test,"2026-03-29 00:30:00"\n'  # GMT
        '1,b@x.test,"2026-03-29 02:30:00"\n'  # BST (UTC+1)
        '1,c@x.test,"2026-10-25 01:30:00"\n'  # the repeated hour: the earlier instant
    )
    assert [r["sent_timestamp"] for r in read(path, "sent")] == [
        utc(2026, 3, 29, 0, 30),
        utc(2026, 3, 29, 1, 30),
        utc(2026, 10, 25, 0, 30),
    ]
    assert read(path, "sent", "UTC")[1]["sent_timestamp"] == utc(2026, 3, 29, 2, 30)


def test_zip_of_one_csv_is_detected_by_content(tmp_path: Path) -> None:
    path = tmp_path / "download.bin"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(FIXTURES / "clicked.csv", "export.csv")
    path.write_bytes(buffer.getvalue())
    assert read(path, "clicked") == read(FIXTURES / "clicked.csv", "clicked")


def test_wrong_header_and_bad_timestamp_name_the_export_and_row(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "opened.csv", tmp_path / "opened.csv")
    with pytest.raises(ProviderError, match=r"data_export_quick\.sent: the CSV header .* lacks"):
        read(tmp_path / "opened.csv", "sent")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        '"email id","email address","sent timestamp"\n1,a@x.test,"2026-03-02 09:00:04"\n1,b@x.test,"yesterday"\n'
    )
    with pytest.raises(
        ProviderError, match=r"data_export_quick\.sent: row 3 has timestamp 'yesterday'"
    ):
        read(bad, "sent")


def test_find_mixed_types_are_coerced() -> None:
    found = json.loads((FIXTURES / "email_campaign_find.json").read_text())
    row = coerce_find(found, "campaign", "acct", utc(2026, 3, 5))
    assert row["email_id"] == 812 and row["campaign_id"] == "377"
    assert (
        row["total_sent"] == 4 and row["total_bounces_hard"] == 1 and row["total_bounces_soft"] == 1
    )
    assert row["total_unsubscribes_local"] == 0 and row["list_total"] == 4
    assert row["start_ts"] == utc(2026, 3, 2, 9) and row["scheduled_ts"] is None
    assert row["tags"] == ["seasonal"] and row["_message_type"] == "campaign"
    with pytest.raises(ProviderError, match="total_sent='many' is not a number"):
        coerce_find({**found, "total_sent": "many"}, "campaign", "acct", utc(2026, 3, 5))
