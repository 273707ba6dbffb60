"""The Netcore simulator over real HTTP: PROVIDERS.md section 3 and docs/CONTRACTS.md 6.1/6.3.

A hand-written `requests` client only; no project code reads the responses.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from sandbox import World, WorldConfig
from sandbox.netcore.bounces import bounce_class as sandbox_bounce_class
from tests.conftest import Sandbox
from tests.netcore_bounces import BOUNCE_STATUSES, bounce_class, is_hard, is_soft

KEY = "sandbox-netcore-key"
KOLKATA = ZoneInfo("Asia/Kolkata")
TODAY = "2026-05-01"  # the account-local date at the initial world clock (2026-05-01T00:00Z)
FIRST = "2026-02-10"  # 80 days before the clock: before the first campaign, in the retention
TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
STATUSES = {
    "processed", "sent", "delivered", "dropped", "invalid", "hardbounce", "softbounce", "bounce",
    "open", "click", "unsubscribe", "spam",
}  # fmt: skip
NOT_SENT = {"processed", "dropped", "invalid"}
FIELDS = [
    "trid", "rcptEmail", "fromaddress", "requestedTime", "deliveryTime", "modifiedTime", "status",
    "size", "remarks", "subject", "xapiheader", "tags", "opens", "clicks",
]  # fmt: skip

Row = dict[str, Any]


class Nc:
    """A minimal Netcore client: `requests` and nothing else."""

    def __init__(
        self, url: str, version: str = "v5.1", headers: dict[str, str] | None = None
    ) -> None:
        self.url = url
        self.base = f"{url}/netcore/{version}"
        self.headers = {"api_key": KEY} if headers is None else headers

    def get(self, what: str, **params: Any) -> requests.Response:
        return requests.get(f"{self.base}/{what}", params=params, headers=self.headers, timeout=30)

    def events(self, **params: Any) -> dict[str, Any]:
        response = self.get("events", **params)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def scroll(self, **params: Any) -> list[Row]:
        """Every row of a query, page by page through `scrollid`."""
        body = self.events(**params)
        rows = list(body["data"])
        for _ in range(10_000):
            if not body["data"]:
                assert body["scrollid"] is None
                return rows
            body = self.events(scrollid=body["scrollid"], limit=params.get("limit", 1000))
            rows += body["data"]
        raise AssertionError("scrollid paging did not end")

    def rows(self, **params: Any) -> list[Row]:
        return self.scroll(**{"startdate": FIRST, "limit": 1000, **params})

    def stats(self, **params: Any) -> list[dict[str, Any]]:
        response = self.get("stats", **params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "success"
        return list(body["data"])

    def request_download(self, **body: Any) -> requests.Response:
        return requests.post(
            f"{self.base}/logs/download", json=body, headers=self.headers, timeout=30
        )


@pytest.fixture
def nc(sandbox: Sandbox) -> Nc:
    return Nc(sandbox.url)


def error(response: requests.Response, status: int, field: str | None = None) -> str:
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert body["status"] == "error" and body["data"] == []
    assert set(body["error"][0]) == {"message", "field", "code"}
    if field is not None:
        assert body["error"][0]["field"] == field, body
    return str(body["error"][0]["message"])


def utc_text(local: str) -> str:
    """Netcore's account-local text → naive UTC text (the truth's format)."""
    when = datetime.strptime(local, "%Y-%m-%d %H:%M:%S").replace(tzinfo=KOLKATA)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


# -- protocol ------------------------------------------------------------------------------------


def test_the_three_auth_styles_and_401_on_every_route(sandbox: Sandbox) -> None:
    for headers in (
        {"api_key": KEY},
        {"Authorization": f"Bearer {KEY}"},
        {"Authorization": f"x-api-key {KEY}"},
    ):
        for version in ("v5.1", "v6"):
            client = Nc(sandbox.url, version, headers)
            assert client.events(startdate=TODAY)["status"] == "success"
            assert client.stats(startdate=TODAY)
            assert client.request_download(startdate=TODAY).status_code == 202
    for headers in (
        {},
        {"api_key": "wrong-key"},
        {"Authorization": "Bearer wrong-key"},
        {"Authorization": f"Basic {KEY}"},  # the right key in the wrong scheme
    ):
        client = Nc(sandbox.url, "v6", headers)
        message = error(client.get("events", startdate=TODAY), 401, "api_key")
        assert KEY not in message
        error(client.get("stats", startdate=TODAY), 401)
        error(client.request_download(startdate=TODAY), 401)
        error(client.get("logs/download/abc"), 401)
    error(Nc(sandbox.url).get("nothing"), 404)
    error(Nc(sandbox.url, "v2").get("events", startdate=TODAY), 404)
    response = requests.post(
        f"{sandbox.url}/netcore/v5.1/events", headers={"api_key": KEY}, timeout=10
    )
    error(response, 405)


def test_v51_and_v6_serve_the_same_rows(sandbox: Sandbox) -> None:
    v51 = Nc(sandbox.url).rows()
    v6 = Nc(sandbox.url, "v6", {"Authorization": f"Bearer {KEY}"}).rows()
    assert v51 == v6 and len(v51) > 500


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "startdate"),
        ({"startdate": "2026/04/01"}, "startdate"),
        ({"startdate": "2026-02-30"}, "startdate"),
        ({"startdate": TODAY, "enddate": "2026-04-30"}, "enddate"),
        ({"startdate": TODAY, "events": "opens"}, "events"),
        ({"startdate": TODAY, "events": "total_opened,click"}, "events"),
        ({"startdate": TODAY, "events": "open,total_clicked"}, "events"),
        ({"startdate": TODAY, "events": "total_opened,total_clicked"}, "events"),
        ({"startdate": TODAY, "sort": "newest"}, "sort"),
        ({"startdate": TODAY, "limit": "0"}, "limit"),
        ({"startdate": TODAY, "limit": "1001"}, "limit"),
        ({"startdate": TODAY, "limit": "ten"}, "limit"),
        ({"startdate": TODAY, "offset": "-1"}, "offset"),
        ({"startdate": TODAY, "offset": "1001"}, "offset"),
        ({"startdate": TODAY, "subject": "x" * 256}, "subject"),
        ({"startdate": TODAY, "email": "x" * 256}, "email"),
        ({"startdate": "2026-01-30"}, "startdate"),  # 91 days before today
    ],
)
def test_invalid_parameters_are_400(nc: Nc, params: dict[str, str], field: str) -> None:
    error(nc.get("events", **params), 400, field)


def test_retention_is_90_days_before_the_world_clock(sandbox: Sandbox, nc: Nc) -> None:
    assert nc.events(startdate="2026-01-31")["status"] == "success"  # exactly 90 days
    message = error(nc.get("events", startdate="2026-01-30"), 400, "startdate")
    assert "90 days" in message
    sandbox.advance(hours=24)
    error(nc.get("events", startdate="2026-01-31"), 400, "startdate")
    error(nc.request_download(startdate="2026-01-31"), 400, "startdate")


def test_offset_paging_ends_and_equals_the_scroll(nc: Nc) -> None:
    everything = nc.rows()
    day = Counter(r["requestedTime"][:10] for r in everything).most_common(1)[0][0]
    of_day = [r for r in everything if r["requestedTime"].startswith(day)]
    assert 30 < len(of_day) <= 1000
    pages, offset = [], 0
    while True:
        body = nc.events(startdate=day, enddate=day, offset=offset, limit=25)
        assert body["totalRecords"] == len(of_day)
        pages.append(body["data"])
        offset += 25
        if len(body["data"]) < 25:
            break
    assert [r for page in pages for r in page] == of_day
    assert nc.events(startdate=day, enddate=day, offset=len(of_day), limit=25)["data"] == []
    assert len(nc.events(startdate=day, enddate=day)["data"]) == 10  # default limit


def test_scrollid_paging_ends_with_empty_data_and_null_scrollid(nc: Nc) -> None:
    everything = nc.rows()
    body = nc.events(startdate=FIRST, limit=100)
    assert body["totalRecords"] == len(everything) and isinstance(body["scrollid"], str)
    rows, pages = list(body["data"]), 1
    while body["data"]:
        body = nc.events(startdate=FIRST, scrollid=body["scrollid"], limit=100)
        rows += body["data"]
        pages += 1
    assert body == {
        "status": "success",
        "message": "OK",
        "totalRecords": len(everything),
        "data": [],
        "scrollid": None,
    }
    assert rows == everything and pages == len(everything) // 100 + 2
    assert len({r["trid"] for r in rows}) == len(rows)
    error(nc.get("events", scrollid="not-a-scroll"), 400, "scrollid")
    empty = nc.events(startdate="2026-02-02", enddate="2026-02-02")
    assert empty["data"] == [] and empty["scrollid"] is None and empty["totalRecords"] == 0


def test_trids_exceed_2_to_the_53_and_are_exact_json_integers(nc: Nc) -> None:
    response = nc.get("events", startdate=FIRST, limit=1000)
    raw = re.findall(r'"trid": (\d+)', response.text)
    rows = response.json()["data"]
    assert raw and [int(t) for t in raw] == [r["trid"] for r in rows]
    assert all(isinstance(r["trid"], int) and r["trid"] > 2**53 for r in rows)
    assert any(int(float(t)) != int(t) for t in raw)  # a float would change these
    assert len(set(raw)) == len(raw)


def test_rows_are_messages_in_their_latest_status(nc: Nc) -> None:
    rows = nc.rows()
    assert {r["status"] for r in rows} == STATUSES - {"processed", "sent"}
    for row in rows:
        assert list(row) == FIELDS
        assert TIME.fullmatch(row["requestedTime"]) and TIME.fullmatch(row["modifiedTime"])
        assert row["modifiedTime"] >= row["requestedTime"]
        assert re.fullmatch(r"nc-\d+", row["xapiheader"]) and row["tags"]
        assert isinstance(row["size"], int) and row["size"] > 10_000
        delivered = row["status"] in {"delivered", "open", "click", "unsubscribe", "spam"}
        assert bool(row["deliveryTime"]) == delivered, row
        if delivered:
            assert TIME.fullmatch(row["deliveryTime"]) and row["remarks"].startswith("250 ")
        if row["status"] == "hardbounce":
            assert re.fullmatch(r"5\d\d 5\.\d\.\d+ .+", row["remarks"]), row
        if row["status"] == "softbounce":
            assert re.fullmatch(r"4\d\d 4\.\d\.\d+ .+", row["remarks"]), row
        if row["status"] == "bounce":
            assert row["remarks"] and not row["deliveryTime"], row
        for entry in row["opens"]:
            assert set(entry) == {"ip", "time"} and TIME.fullmatch(entry["time"])
        for entry in row["clicks"]:
            assert set(entry) == {"ip", "link", "time"} and entry["link"].startswith("https://")
        if row["status"] == "open":
            assert row["opens"] and not row["clicks"]
            assert row["modifiedTime"] == row["opens"][0]["time"]
        if row["status"] == "click":
            assert row["clicks"] and row["modifiedTime"] == row["clicks"][0]["time"]
        if row["status"] in NOT_SENT | BOUNCE_STATUSES:
            assert not row["opens"] and not row["clicks"]
    assert any(len(r["opens"]) > 1 for r in rows)
    assert any(r["clicks"] and not r["opens"] for r in rows)  # images blocked
    assert any(r["rcptEmail"] != r["rcptEmail"].lower() for r in rows)
    assert any("," in c["link"] for r in rows for c in r["clicks"])
    # Plain `bounce` rows of every class the contract decodes from remarks (hard ones too).
    plain = {bounce_class(r["status"], r["remarks"]) for r in rows if r["status"] == "bounce"}
    assert plain == {"hard", "soft", "block", "unknown"}
    # A later campaign drops an address that hard-bounced, unsubscribed or complained earlier.
    stops: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: r["requestedTime"]):
        key = row["rcptEmail"].lower()
        if row["status"] == "dropped":
            assert key in stops and stops[key] < row["requestedTime"], row
        if row["status"] in ("unsubscribe", "spam") or is_hard(row["status"], row["remarks"]):
            stops.setdefault(key, row["modifiedTime"])


def test_dates_and_times_are_in_the_account_timezone(sandbox: Sandbox, nc: Nc) -> None:
    rows = nc.rows()
    day = rows[len(rows) // 2]["requestedTime"][:10]
    of_day = nc.rows(startdate=day, enddate=day)
    assert of_day and all(r["requestedTime"].startswith(day) for r in of_day)
    assert of_day == [r for r in rows if r["requestedTime"].startswith(day)]
    sandbox.faults("netcore", timezone="UTC")
    by_utc = {r["trid"]: r for r in nc.rows()}
    for row in of_day:
        other = by_utc[row["trid"]]
        assert utc_text(row["requestedTime"]) == other["requestedTime"].replace(" ", "T")
        assert utc_text(row["modifiedTime"]) == other["modifiedTime"].replace(" ", "T")


def test_event_filters_select_statuses(nc: Nc) -> None:
    rows = nc.rows()
    statuses = Counter(r["status"] for r in rows)

    def count(events: str) -> int:
        return len(nc.rows(events=events))

    assert count("hardbounce") == statuses["hardbounce"] > 0
    assert count("bounce") == statuses["hardbounce"] + statuses["softbounce"] + statuses["bounce"]
    assert statuses["bounce"] > 0
    assert count("open,click") == statuses["open"] + statuses["click"]
    assert count("Opened,Clicked,Abuse") == statuses["open"] + statuses["click"] + statuses["spam"]
    assert count("total_requested") == len(rows)
    opened = statuses["open"] + statuses["click"] + statuses["unsubscribe"] + statuses["spam"]
    assert count("total_opened") == opened
    assert count("total_clicked") == statuses["click"] + statuses["unsubscribe"]
    assert count("total_delivered") == opened + statuses["delivered"]
    campaign = rows[0]["xapiheader"]
    assert nc.rows(xapiheader=campaign) == [r for r in rows if r["xapiheader"] == campaign]
    address = next(r["rcptEmail"] for r in rows if r["rcptEmail"] != r["rcptEmail"].lower())
    by_email = nc.rows(email=address.lower())
    assert by_email and {r["rcptEmail"].lower() for r in by_email} == {address.lower()}
    subject = rows[0]["subject"]
    assert nc.rows(subject=subject) == [r for r in rows if r["subject"] == subject]
    assert nc.rows(sort="desc") == rows[::-1]


# -- stats ---------------------------------------------------------------------------------------


def stats_of(rows: list[Row], plain_bounces: str = "by_class") -> dict[str, int]:
    """The stats metrics counted from event rows, by the contract's definitions: a bounce counts
    in hardbounce / softbounce by its class, or (`bounce_only`) a plain `bounce` in bounce alone."""
    result = Counter(
        {
            "requested": len(rows),
            "processed": len(rows),
            "sent": sum(r["status"] not in NOT_SENT for r in rows),
            "delivered": sum(bool(r["deliveryTime"]) for r in rows),
            "opened": sum(len(r["opens"]) for r in rows),
            "unique_opened": sum(bool(r["opens"]) for r in rows),
            "clicked": sum(len(r["clicks"]) for r in rows),
            "unique_clicked": sum(bool(r["clicks"]) for r in rows),
            "unsubscribed": sum(r["status"] == "unsubscribe" for r in rows),
        }
    )
    for status in ("dropped", "invalid", "spam"):
        result[status] = sum(r["status"] == status for r in rows)
    split = [r for r in rows if plain_bounces == "by_class" or r["status"] != "bounce"]
    result["hardbounce"] = sum(is_hard(r["status"], r["remarks"]) for r in split)
    result["softbounce"] = sum(is_soft(r["status"], r["remarks"]) for r in split)
    result["bounce"] = sum(r["status"] in BOUNCE_STATUSES for r in rows)
    return dict(result)


def test_stats_agree_with_the_events(sandbox: Sandbox, nc: Nc) -> None:
    sandbox.advance(hours=30)  # mid-flight: some messages of the newest campaign still change
    rows = nc.rows()
    by_day: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_day[row["requestedTime"][:10]].append(row)
    entries = nc.stats(startdate=FIRST)
    first, today = date.fromisoformat(FIRST), date.fromisoformat("2026-05-02")
    assert [e["date"] for e in entries] == [
        (first + timedelta(days=i)).isoformat() for i in range((today - first).days + 1)
    ]
    for entry in entries:
        assert entry["stats"] == stats_of(by_day.get(entry["date"], [])), entry["date"]
    assert sum(e["stats"]["requested"] for e in entries) == len(rows)
    weeks = nc.stats(startdate="2026-03-01", enddate="2026-03-31", aggregated_by="week")
    assert weeks[0]["date"] == "2026-02-23"  # the Monday of the week of the first day
    march = [r for r in rows if r["requestedTime"][:7] == "2026-03"]
    totals: Counter[str] = Counter()
    for week in weeks:
        totals.update(week["stats"])
    assert dict(totals) == stats_of(march)
    months = nc.stats(startdate="2026-03-01", enddate="2026-03-31", aggregated_by="month")
    assert months == [{"date": "2026-03-01", "stats": stats_of(march)}]
    # offset is the 1-based page of `limit` entries
    paged = [e for page in (1, 2, 3) for e in nc.stats(startdate=FIRST, limit=40, offset=page)]
    assert paged == entries
    error(nc.get("stats"), 400, "startdate")
    error(nc.get("stats", startdate=FIRST, aggregated_by="year"), 400, "aggregated_by")
    error(nc.get("stats", startdate=FIRST, limit=101), 400, "limit")
    # ASSUMPTION setting: plain bounces only in `bounce`, the split by Netcore's own statuses.
    sandbox.faults("netcore", stats_plain_bounces="bounce_only")
    months = nc.stats(startdate="2026-03-01", enddate="2026-03-31", aggregated_by="month")
    assert months == [{"date": "2026-03-01", "stats": stats_of(march, "bounce_only")}]
    assert months[0]["stats"] != stats_of(march)  # March has plain bounces


# -- download logs -------------------------------------------------------------------------------


def test_download_logs_gives_the_rows_of_the_events_api(sandbox: Sandbox, nc: Nc) -> None:
    start, end = "2026-04-01", "2026-04-30"
    expected = nc.rows(startdate=start, enddate=end)
    response = nc.request_download(startdate=start, enddate=end)
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "success" and body["message"] == "Request accepted"
    download_id = body["data"]["download_id"]
    first = nc.get(f"logs/download/{download_id}").json()
    assert first["data"]["status"] == "processing" and "url" not in first["data"]
    done = nc.get(f"logs/download/{download_id}").json()["data"]
    assert done["status"] == "completed"
    assert requests.get(done["url"].split("?")[0], timeout=10).status_code == 403
    file = requests.get(done["url"], timeout=30)  # a signed URL: no key needed
    assert file.status_code == 200 and file.headers["Content-Type"].startswith("text/csv")
    records = list(csv.DictReader(io.StringIO(file.content.decode("utf-8"))))
    assert list(records[0]) == FIELDS
    parsed = [
        {
            **r,
            "trid": int(r["trid"]),
            "size": int(r["size"]),
            "opens": json.loads(r["opens"]),
            "clicks": json.loads(r["clicks"]),
        }
        for r in records
    ]
    assert parsed == expected
    assert re.search(rb"\n\d{17},", file.content)  # trids as plain digits
    filtered = nc.request_download(startdate=start, enddate=end, events="bounce").json()
    error(nc.request_download(startdate=start, events="total_opened,open"), 400, "events")
    error(nc.request_download(enddate=end), 400, "startdate")
    error(nc.get("logs/download/unknown"), 404)
    for _ in range(2):
        status = nc.get(f"logs/download/{filtered['data']['download_id']}").json()["data"]
    rows = list(csv.DictReader(io.StringIO(requests.get(status["url"], timeout=10).text)))
    assert {r["status"] for r in rows} == {r["status"] for r in expected} & BOUNCE_STATUSES
    sandbox.advance(hours=25)  # a download lives a day of world-clock time
    error(nc.get(f"logs/download/{download_id}"), 404)


def test_faults_rate_limit_server_error_truncation(sandbox: Sandbox, nc: Nc) -> None:
    sandbox.faults("netcore", rate_limit_next=1, retry_after_seconds=2)
    response = nc.get("events", startdate=TODAY)
    error(response, 429)
    assert response.headers["Retry-After"] == "2"
    sandbox.faults("netcore", server_error_next=1)
    assert nc.get("stats", startdate=TODAY).status_code == 503
    assert nc.get("events", startdate=TODAY).status_code == 200
    download_id = nc.request_download(startdate="2026-04-20").json()["data"]["download_id"]
    for _ in range(2):
        url = nc.get(f"logs/download/{download_id}").json()["data"].get("url")
    sandbox.faults("netcore", truncate_downloads=1)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(url, timeout=10).content  # noqa: B018
    assert requests.get(url, timeout=10).status_code == 200
    for bad in ({"api_key": "x"}, {"timezone": "Mars/Base"}, {"max_limit": 0}, {"nope": 1}):
        response = requests.post(
            f"{sandbox.url}/_sandbox/faults", json={"netcore": bad}, timeout=10
        )
        assert response.status_code == 400, bad
    faults = requests.get(f"{sandbox.url}/_sandbox/faults", timeout=10).json()["netcore"]
    assert "api_key" not in faults and faults["timezone"] == "Asia/Kolkata"


def test_paging_faults_cap_pages_count_offsets_either_way_and_overstate_totals(
    sandbox: Sandbox, nc: Nc
) -> None:
    """CONTRACTS "Paging to the end": at most `page_size_cap` rows per page; `offset` is a row
    offset either way; a scroll and the stats pages advance by the rows served, or by the size
    asked with `page_offsets_from_asked_size`; `total_overstated_by` only changes totalRecords."""
    rows = nc.rows()
    days = nc.stats(startdate=FIRST)
    assert len(rows) > 200 and len(days) > 12
    for from_asked, skipped in ((False, 0), (True, 96)):
        sandbox.faults("netcore", page_size_cap=4, page_offsets_from_asked_size=from_asked)
        first = nc.events(startdate=FIRST, limit=100)
        assert first["data"] == rows[:4] and first["totalRecords"] == len(rows)
        second = nc.events(startdate=FIRST, scrollid=first["scrollid"], limit=100)
        assert second["data"] == rows[4 + skipped : 8 + skipped]
        assert nc.events(startdate=FIRST, offset=10, limit=100)["data"] == rows[10:14]
        assert nc.stats(startdate=FIRST, limit=8, offset=2) == days[(4, 8)[from_asked] :][:4]
    sandbox.faults("netcore", page_size_cap=0, total_overstated_by=3)
    body = nc.events(startdate=FIRST, limit=1000)
    assert body["data"] == rows and body["totalRecords"] == len(rows) + 3


# -- the world over time -------------------------------------------------------------------------


def test_advancing_the_clock_changes_statuses_and_adds_messages(sandbox: Sandbox, nc: Nc) -> None:
    before = {r["trid"]: r for r in nc.rows()}
    sandbox.advance(hours=48)
    after = {r["trid"]: r for r in nc.rows()}
    assert set(before) < set(after)  # nothing disappears, new messages arrive
    new = [r for t, r in after.items() if t not in before]
    assert new and {r["requestedTime"][:10] for r in new} == {"2026-05-02"}
    changed = [t for t in before if before[t] != after[t]]
    assert changed
    for trid in changed:
        old, now = before[trid], after[trid]
        assert old["requestedTime"] == now["requestedTime"]
        assert now["modifiedTime"] >= old["modifiedTime"]
        assert old["opens"] == now["opens"][: len(old["opens"])]  # opens only grow
    assert any(len(after[t]["opens"]) > len(before[t]["opens"]) for t in changed)
    assert any(before[t]["status"] != after[t]["status"] for t in changed)


def report_from_rows(rows: list[Row]) -> dict[str, dict[str, Any]]:
    """Section 4's campaign report computed from event rows by the rules of CONTRACTS 6.3."""
    sets: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    last: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        tally, key = sets[row["xapiheader"]], row["rcptEmail"].lower()
        if row["status"] not in NOT_SENT:
            tally["sent"].add(key)
        if row["deliveryTime"]:
            tally["delivered"].add(key)
        for kind, entries in (("opened", row["opens"]), ("clicked", row["clicks"])):
            if entries:
                tally[kind].add(key)
                at = max(utc_text(e["time"]) for e in entries)
                last[row["xapiheader"]][kind] = max(at, last[row["xapiheader"]].get(kind, at))
            # issue 16: a human's open or click comes from the sandbox's human range 49.32/12
            people = [e for e in entries if _human_ip(e["ip"])]
            if people:
                tally[f"human_{kind}"].add(key)
                at = max(utc_text(e["time"]) for e in people)
                human = f"human_{kind}"
                last[row["xapiheader"]][human] = max(at, last[row["xapiheader"]].get(human, at))
        status: str = row["status"]
        if status in BOUNCE_STATUSES:
            tally["hard" if is_hard(status, row["remarks"]) else "soft"].add(key)
        else:
            tally["complained" if status == "spam" else status].add(key)

    def rate(count: int, delivered: int) -> float:
        return round(100 * count / delivered + 1e-9, 2) if delivered else 0.0

    report = {}
    for campaign, tally in sets.items():
        delivered = len(tally["delivered"])
        hard, soft = len(tally["hard"]), len(tally["soft"] - tally["hard"])
        counts = {
            "sent_count": len(tally["sent"]),
            "delivered_count": delivered,
            "unique_open_count": len(tally["opened"]),
            "unique_click_count": len(tally["clicked"]),
            "bounce_count": hard + soft,
            "hard_bounce_count": hard,
            "soft_bounce_count": soft,
            "unsubscribe_count": len(tally["unsubscribe"]),
            "complaint_count": len(tally["complained"]),
        }
        report[campaign] = {
            "campaign_id": campaign,
            **counts,
            "open_rate": rate(counts["unique_open_count"], delivered),
            "click_rate": rate(counts["unique_click_count"], delivered),
            "bounce_rate": rate(hard + soft, counts["sent_count"]),
            "hard_bounce_rate": rate(hard, counts["sent_count"]),
            "soft_bounce_rate": rate(soft, counts["sent_count"]),
            "last_opened_at": last[campaign].get("opened"),
            "last_clicked_at": last[campaign].get("clicked"),
            "human_unique_open_count": len(tally["human_opened"]),
            "human_open_rate": rate(len(tally["human_opened"]), delivered),
            "last_human_opened_at": last[campaign].get("human_opened"),
            "human_unique_click_count": len(tally["human_clicked"]),
            "human_click_rate": rate(len(tally["human_clicked"]), delivered),
            "last_human_clicked_at": last[campaign].get("human_clicked"),
        }
    return report


def _human_ip(ip: str) -> bool:
    """Not from the default world's proxy or scanner prefixes (issue 16)."""
    cfg = WorldConfig()
    return not ip.startswith((cfg.proxy_ip_prefix, cfg.scanner_ip_prefix))


def test_truth_is_the_report_of_the_events(sandbox: Sandbox, nc: Nc) -> None:
    for hours in (0, 30):
        sandbox.advance(hours=hours)
        rows = nc.rows()
        truth = sandbox.truth("netcore")
        assert (
            truth["now"] == requests.get(f"{sandbox.url}/_sandbox/clock", timeout=10).json()["now"]
        )
        by_id = {r["campaign_id"]: r for r in truth["campaign_report"]}
        assert by_id == report_from_rows(rows)
        assert all(re.fullmatch(r"nc-\d+", c) for c in by_id)
        counts = {(c["campaign_id"], c["event_type"]): c["count"] for c in truth["event_counts"]}
        expected: Counter[tuple[str, str]] = Counter()
        for row in rows:
            campaign, status = row["xapiheader"], row["status"]
            expected[campaign, "sent"] += status not in NOT_SENT
            expected[campaign, "delivered"] += bool(row["deliveryTime"])
            expected[campaign, "bounced"] += status in BOUNCE_STATUSES
            expected[campaign, "dropped"] += status in ("dropped", "invalid")
            expected[campaign, "unsubscribed"] += status == "unsubscribe"
            expected[campaign, "complained"] += status == "spam"
        assert counts == {k: v for k, v in expected.items() if v}


def _lives(world: World) -> list[tuple[Any, ...]]:
    return [
        (m.trid, m.address, m.requested_s, m.outcome, m.outcome_s, m.opens, m.clicks, m.final)
        for m in world.parts["netcore"].messages
    ]


def test_netcore_generation_is_deterministic_and_leaves_other_worlds_alone() -> None:
    small: dict[str, Any] = dict(recipients=60, campaigns=3)
    one, two = World(WorldConfig(**small)), World(WorldConfig(**small))
    assert _lives(one) == _lives(two) and _lives(one)
    without = World(WorldConfig(**small, netcore_campaigns=0, netcore_later_campaigns=0))
    assert not without.parts["netcore"].messages
    assert [(e.seq, e.type, e.true_ms) for e in without.parts["apsis_one"].events] == [
        (e.seq, e.type, e.true_ms) for e in one.parts["apsis_one"].events
    ]
    assert [(e.address, e.kind, e.at_s) for e in without.parts["maxemail"].events] == [
        (e.address, e.kind, e.at_s) for e in one.parts["maxemail"].events
    ]
    world = World(WorldConfig(**small, netcore_campaigns=3, netcore_later_campaigns=1))
    sends = [c.start_s for c in world.parts["netcore"].campaigns]
    clock = int(world.now.timestamp())
    assert len(sends) == 4 and sum(s < clock for s in sends) == 3
    assert all(clock - 80 * 86_400 <= s for s in sends)


def test_plain_bounces_replace_some_bounces_and_change_nothing_else() -> None:
    """Every n-th hard and soft bounce is a plain `bounce` (a counter, no random draw): the world
    without them has the same messages, and differs only in those statuses and remarks."""
    small: dict[str, Any] = dict(recipients=150, campaigns=3)
    plain = World(WorldConfig(**small))
    none = World(WorldConfig(**small, netcore_plain_bounce_every=0))

    def without_outcome(world: World) -> list[tuple[Any, ...]]:
        return [life[:3] + life[4:] for life in _lives(world)]

    assert without_outcome(plain) == without_outcome(none) and _lives(plain)
    changed = [
        (a.outcome, b.outcome, a.remarks)
        for a, b in zip(
            plain.parts["netcore"].messages, none.parts["netcore"].messages, strict=True
        )
        if (a.outcome, a.remarks) != (b.outcome, b.remarks)
    ]
    assert changed and all(status == "bounce" for status, _, _ in changed)
    # a hard bounce becomes a plain bounce of class hard, a soft one of a soft class
    for _, was, remarks in changed:
        expected = {"hard"} if was == "hardbounce" else {"soft", "block", "unknown"}
        assert bounce_class("bounce", remarks) in expected, (was, remarks)
    bounces = Counter(m.outcome for m in none.parts["netcore"].messages)
    assert Counter(b for _, b, _ in changed) == {
        "hardbounce": bounces["hardbounce"] // 3,
        "softbounce": bounces["softbounce"] // 3,
    }
    assert not any(m.outcome == "bounce" for m in none.parts["netcore"].messages)


@pytest.mark.parametrize(
    ("status", "remarks", "expected"),
    [
        ("hardbounce", "554 5.7.1 message rejected due to policy", "hard"),  # Netcore's own class
        ("softbounce", "550 5.1.1 user unknown", "soft"),
        ("bounce", "550 5.1.1 user unknown", "hard"),
        ("bounce", "550 mailbox unavailable", "hard"),  # the basic reply code alone
        ("bounce", "452 4.2.2 mailbox full", "soft"),
        ("bounce", "421 4.7.0 temporary deferral", "soft"),  # 470: not a 57x block
        ("bounce", "554 5.7.1 message rejected due to policy", "block"),
        ("bounce", "Unknown Reason", "unknown"),
        ("bounce", "", "unknown"),
        ("dropped", "Recipient is on the suppression list", None),
        ("delivered", "250 2.0.0 OK", None),
    ],
)
def test_truth_classes_bounces_as_the_contract(
    status: str, remarks: str, expected: str | None
) -> None:
    assert sandbox_bounce_class(status, remarks) == expected
