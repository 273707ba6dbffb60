"""Maxemail export files and `find` responses as the loader reads them: the project's own
fixtures (tests/fixtures/maxemail/: quoting styles, comma in a URL, trailing space, mixed types,
times across daylight saving), and, when the vendor's sample files are present
(../shared/fixtures/maxemail/, tests/vendor.py), checks that those fixtures cover every quoting
style of the vendor's and that the loader reads the vendor's files like an independent reader."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pipelines.common.errors import ProviderError
from pipelines.maxemail.rows import ExportTarget, coerce_find, iter_export_tables
from pipelines.maxemail.settings import FIND_NUMBERS, METHODS
from tests.vendor import MAXEMAIL_FIXTURES, require_vendor

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "maxemail"
LONDON = "Europe/London"


def target(method: str, timezone: str = LONDON) -> ExportTarget:
    return ExportTarget("campaign", "data_export_quick", METHODS[method], "acct", timezone)


def read(path: Path, method: str, timezone: str = LONDON) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for table in iter_export_tables(str(path), target(method, timezone), "key-1"):
        rows += table.to_pylist()
    return rows


def zipped(source: Path, directory: Path) -> Path:
    """A download that is a ZIP of one CSV, named without a hint of its content."""
    path = directory / f"{source.stem}-download.bin"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(source, "export.csv")
    path.write_bytes(buffer.getvalue())
    return path


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def lineage(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


# -- the project's fixtures ------------------------------------------------------------------------


def test_sent_file_quoted_everywhere_with_spaces_after_commas() -> None:
    rows = read(FIXTURES / "sent.csv", "sent")
    assert [lineage(r) for r in rows] == [
        {"email_id": "4051", "email_address": "mia.k@example.com", "sent_timestamp": utc(2026, 3, 27, 10, 0, 2)},
        {"email_id": "4051", "email_address": "raj.patel@example.org", "sent_timestamp": utc(2026, 3, 27, 10, 0, 2)},
        {"email_id": "4051", "email_address": "sol@example.net", "sent_timestamp": utc(2026, 3, 27, 10, 0, 3)},
        {"email_id": "4051", "email_address": "tove.l@example.test", "sent_timestamp": utc(2026, 3, 27, 10, 0, 3)},
        {"email_id": "4051", "email_address": "uma@example.com", "sent_timestamp": utc(2026, 3, 27, 10, 0, 4)},
    ]  # fmt: skip
    assert rows[0]["_message_type"] == "campaign" and rows[0]["_service"] == "data_export_quick"
    assert rows[0]["_account_id"] == "acct" and rows[0]["_export_key"] == "key-1"


def test_opened_counts_addresses_normalised_and_summer_time_converted() -> None:
    rows = [lineage(r) for r in read(FIXTURES / "opened.csv", "opened")]
    assert rows == [
        {"email_id": "4051", "email_address": "raj.patel@example.org", "open_count": 1, "open_timestamp": utc(2026, 3, 27, 11, 5, 9)},
        {"email_id": "4051", "email_address": "mia.k@example.com", "open_count": 2, "open_timestamp": utc(2026, 3, 30, 7, 12, 40)},
        {"email_id": "4051", "email_address": "uma@example.com", "open_count": 4, "open_timestamp": utc(2026, 3, 31, 18, 45)},
    ]  # fmt: skip


def test_clicked_keeps_the_comma_in_the_url() -> None:
    rows = read(FIXTURES / "clicked.csv", "clicked")
    assert [(r["email_address"], r["url"], r["click_count"]) for r in rows] == [
        ("mia.k@example.com", "https://store.example.org/autumn?src=mxm&id=7", 1),
        ("uma@example.com", "https://store.example.org/boots, sizes 3-9", 3),
        ("uma@example.com", "https://store.example.org/autumn?src=mxm&id=7", 1),
    ]
    assert rows[1]["click_timestamp"] == utc(2026, 3, 31, 18, 46, 30)


def test_bounce_reason_trailing_space_trimmed() -> None:
    rows = read(FIXTURES / "bounced.csv", "bounced")
    assert [(r["bounce_type"], r["bounce_reason"]) for r in rows] == [
        ("permanent", "5.1.1 mailbox does not exist"),
        ("temporary", "4.2.2 mailbox full"),
    ]


def test_responded_and_unsubscribed() -> None:
    assert [lineage(r) for r in read(FIXTURES / "responded.csv", "responded")] == [
        {"email_id": "4051", "email_address": "mia.k@example.com", "click_timestamp": utc(2026, 3, 30, 7, 13, 2)},
        {"email_id": "4051", "email_address": "uma@example.com", "click_timestamp": utc(2026, 3, 31, 18, 46, 30)},
    ]  # fmt: skip
    assert [lineage(r) for r in read(FIXTURES / "unsubscribed.csv", "unsubscribed")] == [
        {"email_id": "4051", "email_address": "raj.patel@example.org", "unsubscribe_type": "local", "unsubscribe_timestamp": utc(2026, 3, 27, 11, 6)},
        {"email_id": "4051", "email_address": "uma@example.com", "unsubscribe_type": "feedback", "unsubscribe_timestamp": utc(2026, 4, 1, 6, 30)},
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


@pytest.mark.parametrize("method", ["clicked", "sent"])
def test_zip_of_one_csv_is_detected_by_content(tmp_path: Path, method: str) -> None:
    rows = read(zipped(FIXTURES / f"{method}.csv", tmp_path), method)
    assert rows == read(FIXTURES / f"{method}.csv", method) and rows


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


def test_find_mixed_types_are_coerced_and_agree_with_the_files() -> None:
    found = json.loads((FIXTURES / "email_campaign_find.json").read_text())
    row = coerce_find(found, "campaign", "acct", utc(2026, 4, 2))
    assert row["email_id"] == 4051 and row["campaign_id"] == "1290"
    assert row["start_ts"] == utc(2026, 3, 27, 10) and row["scheduled_ts"] is None
    assert row["template_id"] is None and row["description"] == ""
    assert row["tags"] == ["seasonal", "preview"] and row["_message_type"] == "campaign"
    # The fixture's totals are the files' (as the simulator's are: CONTRACTS 5.1).
    files = {method: read(FIXTURES / f"{method}.csv", method) for method in METHODS}
    bounces = Counter(r["bounce_type"] for r in files["bounced"])
    unsubscribes = Counter(r["unsubscribe_type"] for r in files["unsubscribed"])
    totals = {name: row[name] for name in FIND_NUMBERS if "total" in name and name in found}
    assert totals == {
        "list_total": len(files["sent"]),
        "total_sent": len(files["sent"]),
        "total_opens": sum(r["open_count"] for r in files["opened"]),
        "total_unique_opens": len({r["email_address"] for r in files["opened"]}),
        "total_clickthrus": sum(r["click_count"] for r in files["clicked"]),
        "total_unique_clickthrus": len({r["email_address"] for r in files["clicked"]}),
        "total_responses": len(files["responded"]),
        "total_bounces_hard": bounces["permanent"],
        "total_bounces_soft": bounces["temporary"],
        "total_unsubscribes_global": unsubscribes["global"],
        "total_unsubscribes_local": unsubscribes["local"],
        "total_unsubscribes_feedback": unsubscribes["feedback"],
    }
    with pytest.raises(ProviderError, match="total_sent='many' is not a number"):
        coerce_find({**found, "total_sent": "many"}, "campaign", "acct", utc(2026, 4, 2))


# -- against the vendor's sample files (../shared; skipped when absent, required under CI) --------

FIELD = re.compile(r'( *)("(?:[^"]|"")*"|[^,]*)')


def quoting(line: str) -> tuple[str, ...]:
    """A CSV line's style, field by field: a leading space, quoted or bare, and whether the value
    holds a comma, ends in a space or has capitals (mixed-case addresses)."""
    style, position = [], 0
    while True:
        match = FIELD.match(line, position)
        assert match is not None, line
        space, field = match.groups()
        quoted = field.startswith('"')
        value = field[1:-1].replace('""', '"') if quoted else field
        style.append(
            (" " if space else "")
            + ("quoted" if quoted else "bare")
            + ("+comma" if quoted and "," in value else "")
            + ("+trailing-space" if value != value.rstrip() else "")
            + ("+capitals" if value != value.lower() else "")
        )
        position = match.end()
        if position == len(line):
            return tuple(style)
        assert line[position] == ",", f"not CSV at {position}: {line}"
        position += 1


@pytest.fixture
def vendor_fixtures() -> Path:
    """The vendor's sample files: skipped with the reason when absent, failed under CI=true."""
    return require_vendor(MAXEMAIL_FIXTURES)


def test_quoting_styles_are_told_apart() -> None:
    assert quoting('"1", "A@x.test", "2026-03-02 09:00:04"') == (
        "quoted", " quoted+capitals", " quoted",
    )  # fmt: skip
    assert quoting('1,a@x,"u, v",2,"r "') == (
        "bare", "bare", "quoted+comma", "bare", "quoted+trailing-space",
    )  # fmt: skip


@pytest.mark.vendor
@pytest.mark.parametrize("method", list(METHODS))
def test_the_fixtures_cover_every_quoting_style_of_the_vendor_files(
    vendor_fixtures: Path, method: str
) -> None:
    vendor = (vendor_fixtures / f"{method}.csv").read_text(encoding="utf-8").splitlines()
    ours = (FIXTURES / f"{method}.csv").read_text(encoding="utf-8").splitlines()
    assert ours[0] == vendor[0]  # the header line, byte for byte
    missing = {quoting(line) for line in vendor[1:]} - {quoting(line) for line in ours[1:]}
    assert not missing, f"tests/fixtures/maxemail/{method}.csv lacks rows styled {missing}"


def reference_rows(path: Path, method: str) -> list[dict[str, Any]]:
    """An independent reading of an export file: Python's csv module, values trimmed, addresses
    lower-cased, counts as int, local times (Europe/London) to UTC."""
    spec = METHODS[method]
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, skipinitialspace=True)
        header = [name.strip() for name in next(reader)]
        rows = []
        for values in reader:
            row: dict[str, Any] = {}
            for name, raw in zip(header, values, strict=True):
                text = raw.strip().lower() if name == "email address" else raw.strip()
                value: Any = text
                if name in spec.counts:
                    value = int(text)
                if name == spec.timestamp:
                    local = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
                    value = local.replace(tzinfo=ZoneInfo(LONDON)).astimezone(UTC)
                row[name.replace(" ", "_")] = value
            rows.append(row)
    return rows


@pytest.mark.vendor
@pytest.mark.parametrize("method", list(METHODS))
def test_the_vendor_files_read_like_an_independent_reader(
    vendor_fixtures: Path, tmp_path: Path, method: str
) -> None:
    path = vendor_fixtures / f"{method}.csv"
    expected = reference_rows(path, method)
    assert expected, f"{path} has no rows"
    assert [lineage(r) for r in read(path, method)] == expected
    assert [lineage(r) for r in read(zipped(path, tmp_path), method)] == expected


def kind(value: Any) -> str:
    if isinstance(value, str):
        if not value:
            return "empty string"
        if re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", value):
            return "local time"
        return "number as string" if re.fullmatch(r"-?\d+", value) else "text"
    return type(value).__name__


@pytest.mark.vendor
def test_the_find_fixture_has_the_vendor_keys_and_value_kinds(vendor_fixtures: Path) -> None:
    vendor = json.loads((vendor_fixtures / "email_campaign_find.json").read_text())
    ours = json.loads((FIXTURES / "email_campaign_find.json").read_text())
    assert set(vendor) <= set(ours), set(vendor) - set(ours)
    assert {kind(v) for v in vendor.values()} <= {kind(v) for v in ours.values()}
    row = coerce_find(vendor, "campaign", "acct", utc(2026, 4, 2))
    for name in set(FIND_NUMBERS) & set(vendor):
        assert row[name] == (int(vendor[name]) if vendor[name] != "" else None), name
