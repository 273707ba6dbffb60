"""The Maxemail simulator over real HTTP: PROVIDERS.md section 1 and docs/CONTRACTS.md 5.1/5.3."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from sandbox import SandboxServer, WorldConfig
from tests.conftest import Sandbox

AUTH = ("sandbox-user", "sandbox-pass")
LONDON = ZoneInfo("Europe/London")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "maxemail"  # the project's own
SERVICES = {
    "data_export_quick": "campaign",
    "data_export_quick_triggered": "triggered",
    "data_export_quick_transactional": "transactional",
    "data_export_quick_sms": "sms",
}
HEADERS = {
    "sent": ["email id", "email address", "sent timestamp"],
    "opened": ["email id", "email address", "open count", "open timestamp"],
    "clicked": ["email id", "email address", "url", "click count", "click timestamp"],
    "responded": ["email id", "email address", "click timestamp"],
    "bounced": ["email id", "email address", "bounce type", "bounce reason", "bounce timestamp"],
    "unsubscribed": ["email id", "email address", "unsubscribe type", "unsubscribe timestamp"],
}
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")

Rows = list[dict[str, str]]


class Mxm:
    """A minimal hand-written Maxemail client: only requests, no project code."""

    def __init__(self, url: str, auth: tuple[str, str] = AUTH) -> None:
        self.base = f"{url}/maxemail"
        self.auth = auth

    def call(self, service: str, **params: str) -> requests.Response:
        return requests.post(
            f"{self.base}/api/json/{service}", data=params, auth=self.auth, timeout=30
        )

    def key(self, service: str, method: str, **params: str) -> str:
        response = self.call(service, method=method, **params)
        assert response.status_code == 200, response.text
        assert re.fullmatch(r'"[0-9a-f]{16,}"', response.text), response.text  # a JSON string
        return str(response.json())

    def download(self, key: str, how: str = "get") -> requests.Response:
        path = "/file/key/" if how == "alias" else "/download/file/key/"
        send = requests.post if how == "post" else requests.get
        return send(f"{self.base}{path}{key}", auth=self.auth, timeout=30)

    def text(self, key: str) -> str:
        response = self.download(key)
        assert response.status_code == 200, response.text
        return file_text(response)

    def rows(self, service: str, method: str, **params: str) -> Rows:
        return parse(self.text(self.key(service, method, **params)), method)

    def find(self, email_id: int | str, positional: bool = False) -> requests.Response:
        name = "arg0" if positional else "emailId"
        return self.call("email_campaign", method="find", **{name: str(email_id)})


def file_text(response: requests.Response) -> str:
    data = response.content
    if data[:4] == b"PK\x03\x04":
        assert response.headers["Content-Type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            assert len(names) == 1 and names[0].endswith(".csv")
            data = archive.read(names[0])
    else:
        assert response.headers["Content-Type"].startswith("text/csv")
    return data.decode("utf-8")


def parse(text: str, method: str) -> Rows:
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    header = next(reader)
    assert header == HEADERS[method]
    return [dict(zip(header, row, strict=True)) for row in reader]


def stamp(row: dict[str, str]) -> str:
    return next(v for k, v in row.items() if k.endswith("timestamp"))


def to_utc(local: str) -> str:
    when = datetime.strptime(local, "%Y-%m-%d %H:%M:%S").replace(tzinfo=LONDON)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def all_rows(mxm: Mxm) -> dict[str, Rows]:
    """Every method's rows over all four services, each row tagged with its `_service`."""
    result: dict[str, Rows] = defaultdict(list)
    for service in SERVICES:
        for method in HEADERS:
            for row in mxm.rows(service, method):
                result[method].append({**row, "_service": service})
    return result


def error(response: requests.Response, status: int, msg: str) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.json() == {"success": False, "msg": msg}


@pytest.fixture
def mxm(sandbox: Sandbox) -> Mxm:
    return Mxm(sandbox.url)


# -- protocol ------------------------------------------------------------------------------------


def test_every_route_needs_basic_auth(sandbox: Sandbox, mxm: Mxm) -> None:
    key = mxm.key("data_export_quick", "sent")
    for auth in (None, ("sandbox-user", "wrong"), ("someone", "sandbox-pass")):
        other = Mxm(sandbox.url, auth)  # type: ignore[arg-type]
        error(other.call("data_export_quick", method="sent"), 401, "Authentication failed")
        error(other.find(1), 401, "Authentication failed")
        error(other.download(key), 401, "Authentication failed")
    garbage = {"Authorization": "Basic !!notbase64"}
    response = requests.get(f"{mxm.base}/download/file/key/{key}", headers=garbage, timeout=10)
    error(response, 401, "Authentication failed")


@pytest.mark.parametrize("service", SERVICES)
def test_every_method_returns_a_key_to_a_file_with_the_fixture_headers(
    mxm: Mxm, service: str
) -> None:
    for method, header in HEADERS.items():
        text = mxm.text(mxm.key(service, method))
        lines = text.split("\n")
        assert text.endswith("\n") and "\r" not in text
        if method == "sent":  # every field quoted, a space after each comma
            assert lines[0] == '"email id", "email address", "sent timestamp"'
            assert all(re.fullmatch(r'"\d+", "[^"]+", "[^"]+"', line) for line in lines[1:-1])
        else:  # headers with spaces and timestamps quoted, numbers bare
            assert lines[0] == ",".join(f'"{h}"' if " " in h else h for h in header)
            assert all(re.fullmatch(r'\d+,.*,"[^"]+"', line) for line in lines[1:-1])
        rows = parse(text, method)
        assert rows or method in ("opened", "unsubscribed", "clicked", "responded")
        for row in rows:
            assert row["email id"].isdigit() and TIMESTAMP.fullmatch(stamp(row)), row
            if service == "data_export_quick_sms":
                assert re.fullmatch(r"\+447700\d{6}", row["email address"]), row
            else:
                assert "@" in row["email address"], row
        if service == "data_export_quick_sms":
            assert method != "opened" or not rows  # SMS has no opens


def test_fixture_headers_are_the_served_headers() -> None:
    """The project's fixtures, whose header lines equal the vendor's files byte for byte
    (tests/test_maxemail_files.py, when those are present)."""
    for method, header in HEADERS.items():
        with (FIXTURES / f"{method}.csv").open(encoding="utf-8") as handle:
            assert next(csv.reader(handle, skipinitialspace=True)) == header


def test_files_have_the_real_quirks(mxm: Mxm) -> None:
    rows = all_rows(mxm)
    assert any(int(r["open count"]) > 1 for r in rows["opened"])
    assert any(int(r["click count"]) > 1 for r in rows["clicked"])
    assert any("," in r["url"] for r in rows["clicked"])
    assert any(r["email address"] != r["email address"].lower() for r in rows["sent"])
    reasons = {(r["bounce type"], r["bounce reason"]) for r in rows["bounced"]}
    assert ("temporary", "0000 unrecognized ") in reasons  # trailing space kept by the quotes
    assert ("permanent", "5.7.1 blocked by policy") in reasons
    assert {t for t, _ in reasons} == {"permanent", "temporary"}
    kinds = {r["unsubscribe type"] for r in rows["unsubscribed"]}
    assert kinds == {"global", "local", "feedback"}
    ids = {(r["email id"], r["_service"]) for r in rows["sent"]}
    assert len({i for i, _ in ids}) == len(ids)  # email ids are unique across types


def test_get_and_form_params_by_name_or_position(mxm: Mxm) -> None:
    query = {"method": "bounced", "arg0": json.dumps({"timestamp": "2026-03-01 00:00:00"})}
    response = requests.get(
        f"{mxm.base}/api/json/data_export_quick", params=query, auth=AUTH, timeout=10
    )
    assert response.status_code == 200
    by_get = parse(mxm.text(response.json()), "bounced")
    assert by_get == mxm.rows("data_export_quick", "bounced", filter=query["arg0"])
    assert by_get and min(stamp(r) for r in by_get) >= "2026-03-01 00:00:00"


def test_filter_by_name_or_arg0_keeps_rows_at_or_after_the_timestamp(
    sandbox: Sandbox, mxm: Mxm
) -> None:
    everything = mxm.rows("data_export_quick", "opened")
    assert mxm.rows("data_export_quick", "opened", filter="{}") == everything
    assert mxm.rows("data_export_quick", "opened", filter='{"emailId": 1}') == everything
    times = sorted(stamp(r) for r in everything)
    cut = times[len(times) // 2]
    by_name = mxm.rows("data_export_quick", "opened", filter=json.dumps({"timestamp": cut}))
    by_arg0 = mxm.rows("data_export_quick", "opened", arg0=json.dumps({"timestamp": cut}))
    assert by_name == by_arg0
    assert by_name == [r for r in everything if stamp(r) >= cut]
    assert any(stamp(r) == cut for r in by_name)  # >=: the row at the instant is in
    after = (datetime.fromisoformat(cut) + timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
    later = mxm.rows("data_export_quick", "opened", filter=json.dumps({"timestamp": after}))
    assert later == [r for r in everything if stamp(r) > cut]
    sandbox.faults(provider="maxemail", filter_inclusive=False)
    assert mxm.rows("data_export_quick", "opened", filter=json.dumps({"timestamp": cut})) == later


def test_errors_are_msg_objects(sandbox: Sandbox, mxm: Mxm) -> None:
    error(mxm.call("data_export_quick_nope", method="sent"), 404, "Invalid Node Class")
    error(mxm.call("data_export_quick", method="delivered"), 400, "Invalid method")
    error(mxm.call("data_export_quick"), 400, "Invalid method")
    error(mxm.call("email_campaign", method="sent"), 400, "Invalid method")
    response = mxm.call("data_export_quick", method="sent", filter="{not json")
    assert response.status_code == 400 and response.json()["success"] is False
    response = mxm.call("data_export_quick", method="sent", filter='["x"]')
    assert response.status_code == 400 and "msg" in response.json()
    response = mxm.call("data_export_quick", method="sent", filter='{"timestamp": "yesterday"}')
    assert response.status_code == 400 and "timestamp" in response.json()["msg"]
    error(mxm.find(999_999), 404, "Email not found")
    error(mxm.find("abc"), 404, "Email not found")
    error(mxm.download("0" * 32), 404, "File not found")
    response = requests.put(f"{mxm.base}/api/json/data_export_quick", auth=AUTH, timeout=10)
    assert response.status_code == 405 and response.json()["success"] is False
    sandbox.faults(provider="maxemail", missing_file_status=400)
    error(mxm.download("0" * 32), 400, "File not found")


def test_unknown_or_bad_settings_are_rejected(sandbox: Sandbox) -> None:
    for bad in (
        {"no_such_fault": 1},
        {"zip_downloads": "sometimes"},
        {"timezone": "Mars/Olympus_Mons"},
        {"password": "x"},
        {"truncate_downloads": -1},
    ):
        response = requests.post(
            f"{sandbox.url}/_sandbox/faults", json={"maxemail": bad}, timeout=10
        )
        assert response.status_code == 400, bad
    faults = requests.get(f"{sandbox.url}/_sandbox/faults", timeout=10).json()["maxemail"]
    assert faults["zip_downloads"] == "auto" and faults["timezone"] == "Europe/London"
    assert "password" not in faults and "username" not in faults


# -- downloads -----------------------------------------------------------------------------------


def test_zip_or_csv_per_setting(sandbox: Sandbox, mxm: Mxm) -> None:
    sandbox.faults(provider="maxemail", zip_downloads="never")
    plain = mxm.download(mxm.key("data_export_quick", "clicked"))
    assert plain.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert plain.content.startswith(b'"email id"')
    sandbox.faults(provider="maxemail", zip_downloads="always")
    zipped = mxm.download(mxm.key("data_export_quick", "clicked"))
    assert zipped.headers["Content-Type"] == "application/zip"
    assert zipped.content[:4] == b"PK\x03\x04"
    assert file_text(zipped) == plain.text
    sandbox.faults(provider="maxemail", zip_downloads="auto")
    kinds = [
        mxm.download(mxm.key("data_export_quick", "sent")).content[:2] == b"PK" for _ in range(4)
    ]
    assert kinds.count(True) == 2  # every other download
    sandbox.faults(provider="maxemail", zip_every=0, zip_min_bytes=1)
    assert mxm.download(mxm.key("data_export_quick", "sent")).content[:2] == b"PK"


def test_download_by_get_post_and_alias_until_the_key_expires(sandbox: Sandbox, mxm: Mxm) -> None:
    key = mxm.key("data_export_quick", "sent")
    bodies = {how: mxm.download(key, how).content for how in ("get", "post", "alias")}
    assert len(set(bodies.values())) == 1 and len(bodies["get"]) > 100
    sandbox.advance(23)
    assert mxm.download(key).status_code == 200
    sandbox.advance(2)  # 25 h of world clock: older than a day
    error(mxm.download(key), 404, "File not found")
    error(mxm.download(key, "post"), 404, "File not found")


def test_expire_next_keys_and_truncated_downloads(sandbox: Sandbox, mxm: Mxm) -> None:
    key = mxm.key("data_export_quick", "sent")
    sandbox.faults(provider="maxemail", expire_next_keys=1)
    error(mxm.download(key), 404, "File not found")
    error(mxm.download(key), 404, "File not found")  # expired for good
    fresh = mxm.key("data_export_quick", "sent")
    assert mxm.download(fresh).status_code == 200
    sandbox.faults(provider="maxemail", truncate_downloads=1, zip_downloads="never")
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
        mxm.download(fresh)  # urllib3 notices the short body
    assert mxm.download(fresh).status_code == 200


def test_rate_limit_server_error_and_deprecation_warning(sandbox: Sandbox, mxm: Mxm) -> None:
    sandbox.faults(provider="maxemail", rate_limit_next=1, server_error_next=1)
    response = mxm.call("data_export_quick", method="sent")
    assert response.status_code == 503
    assert not response.headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        response.json()
    response = mxm.call("data_export_quick", method="sent")
    error(response, 429, "Too many requests")
    assert response.headers["Retry-After"] == "1"
    response = mxm.call("data_export_quick", method="sent")
    assert response.status_code == 200 and "Warning" not in response.headers
    sandbox.faults(provider="maxemail", warning_header=True)
    warning = mxm.call("data_export_quick", method="sent").headers["Warning"]
    assert re.fullmatch(r'299 MxmApi/\S+ "sent Deprecated: .+"', warning), warning


# -- content: find, clock, truth -------------------------------------------------------------------


def test_find_has_mixed_types_and_totals_that_agree_with_the_files(mxm: Mxm) -> None:
    rows = all_rows(mxm)
    by_id: dict[str, dict[str, Rows]] = defaultdict(lambda: defaultdict(list))
    for method, method_rows in rows.items():
        for row in method_rows:
            by_id[row["email id"]][method].append(row)
    fixture_keys = set(json.loads((FIXTURES / "email_campaign_find.json").read_text()))
    soft_types = set()
    for email_id, files in by_id.items():
        response = mxm.find(email_id)
        assert response.status_code == 200, response.text
        found = response.json()
        assert mxm.find(email_id, positional=True).json() == found
        assert fixture_keys <= set(found)
        assert found["email_id"] == int(email_id) and isinstance(found["campaign_id"], str)
        assert isinstance(found["total_sent"], str) and isinstance(found["total_bounces_hard"], int)
        assert isinstance(found["tags"], list) and found["description"] == ""
        soft_types.add(type(found["total_bounces_soft"]))

        def unique(method: str, files: dict[str, Rows] = files) -> int:
            return len({r["email address"].lower() for r in files[method]})

        def count(method: str, kind: str, value: str, files: dict[str, Rows] = files) -> int:
            return sum(r[kind] == value for r in files[method])

        expected = {
            "total_sent": len(files["sent"]),
            "total_opens": sum(int(r["open count"]) for r in files["opened"]),
            "total_unique_opens": unique("opened"),
            "total_clickthrus": sum(int(r["click count"]) for r in files["clicked"]),
            "total_unique_clickthrus": unique("clicked"),
            "total_responses": len(files["responded"]),
            "total_bounces_hard": count("bounced", "bounce type", "permanent"),
            "total_bounces_soft": count("bounced", "bounce type", "temporary"),
            "total_unsubscribes_global": count("unsubscribed", "unsubscribe type", "global"),
            "total_unsubscribes_local": count("unsubscribed", "unsubscribe type", "local"),
            "total_unsubscribes_feedback": count("unsubscribed", "unsubscribe type", "feedback"),
        }
        assert {k: int(found[k]) for k in expected} == expected, email_id
        assert unique("responded") == unique("clicked")
        assert found["start_ts"] == min(stamp(r) for r in files["sent"])
    assert soft_types == {int, str}  # the same field arrives as either type


def test_find_answers_for_a_scheduled_message_with_empty_strings(mxm: Mxm) -> None:
    sent_ids = {int(r["email id"]) for r in mxm.rows("data_export_quick", "sent")}
    future = None
    for email_id in range(max(sent_ids) + 1, max(sent_ids) + 200):
        response = mxm.find(email_id)
        if response.status_code == 200 and response.json()["status"] == "scheduled":
            future = response.json()
            break
    assert future is not None
    assert future["start_ts"] == "" and future["finish_ts"] == "" and future["total_sent"] == "0"
    assert TIMESTAMP.fullmatch(future["scheduled_ts"])


def test_advancing_the_clock_reveals_new_rows_and_new_opens_on_old_messages(
    sandbox: Sandbox, mxm: Mxm
) -> None:
    before = {s: mxm.rows(s, "opened") for s in SERVICES}
    sent_before = sum(len(mxm.rows(s, "sent")) for s in SERVICES)
    clock = requests.get(f"{sandbox.url}/_sandbox/clock", timeout=10).json()["now"]
    local_now = (
        datetime.fromisoformat(clock.replace("Z", "+00:00"))
        .astimezone(LONDON)
        .strftime("%Y-%m-%d %H:%M:%S")
    )
    sandbox.advance(72)
    assert sum(len(mxm.rows(s, "sent")) for s in SERVICES) > sent_before
    reopened = 0
    for service, old_rows in before.items():
        old = {(r["email id"], r["email address"]): r for r in old_rows}
        new = mxm.rows(service, "opened", filter=json.dumps({"timestamp": local_now}))
        assert all(stamp(r) >= local_now for r in new)
        for row in new:
            previous = old.get((row["email id"], row["email address"]))
            if previous is not None:  # the row reappears, later and with a higher count
                assert int(row["open count"]) > int(previous["open count"])
                assert stamp(row) > stamp(previous)
                reopened += 1
    assert reopened > 0


def test_truth_agrees_with_the_exported_files(sandbox: Sandbox, mxm: Mxm) -> None:
    rows = all_rows(mxm)
    truth = sandbox.truth("maxemail")
    files: dict[str, dict[str, Rows]] = defaultdict(lambda: defaultdict(list))
    service_of: dict[str, str] = {}
    for method, method_rows in rows.items():
        for row in method_rows:
            files[row["email id"]][method].append(row)
            service_of[row["email id"]] = row["_service"]
    report = {r["campaign_id"]: r for r in truth["campaign_report"]}
    assert set(report) == set(files)
    counts = {(c["campaign_id"], c["event_type"]): c["count"] for c in truth["event_counts"]}

    def hard_or_soft(row: dict[str, str]) -> str:
        token = row["bounce reason"].split(" ")[0]
        code = int("".join(ch for ch in token if ch.isdigit()) or "-1")
        if 400 <= code <= 499 or 570 <= code <= 579:
            return "soft"
        if 500 <= code <= 599:
            return "hard"
        return "hard" if row["bounce type"] == "permanent" else "soft"

    for email_id, by_method in files.items():
        want = report[email_id]
        assert want["message_type"] == SERVICES[service_of[email_id]]

        def who(method: str, by_method: dict[str, Rows] = by_method) -> set[str]:
            return {r["email address"].lower() for r in by_method[method]}

        bounced = {r["email address"].lower(): hard_or_soft(r) for r in by_method["bounced"]}
        unsubscribes = by_method["unsubscribed"]
        delivered = len(who("sent") - set(bounced))
        opens = [stamp(r) for r in by_method["opened"]]
        clicks = [stamp(r) for r in by_method["clicked"]]
        hard = list(bounced.values()).count("hard")
        soft = len(bounced) - hard
        unsubscribed = {
            r["email address"].lower() for r in unsubscribes if r["unsubscribe type"] != "feedback"
        }
        complained = {
            r["email address"].lower() for r in unsubscribes if r["unsubscribe type"] == "feedback"
        }
        counted = {
            "sent_count": len(who("sent")),
            "delivered_count": delivered,
            "unique_open_count": len(who("opened")),
            "unique_click_count": len(who("clicked") | who("responded")),
            "bounce_count": hard + soft,
            "hard_bounce_count": hard,
            "soft_bounce_count": soft,
            "unsubscribe_count": len(unsubscribed),
            "complaint_count": len(complained),
        }
        got: dict[str, object] = dict(counted)
        sent = counted["sent_count"]
        for rate, count, base in (
            ("open_rate", "unique_open_count", delivered),
            ("click_rate", "unique_click_count", delivered),
            ("bounce_rate", "bounce_count", sent),
            ("hard_bounce_rate", "hard_bounce_count", sent),
            ("soft_bounce_rate", "soft_bounce_count", sent),
        ):  # percent of delivered (opens, clicks) or sent (bounces), half up to 2 decimals
            n = counted[count]
            got[rate] = (20000 * n + base) // (2 * base) / 100 if base else 0.0
        got["last_opened_at"] = to_utc(max(opens)) if opens else None
        got["last_clicked_at"] = to_utc(max(clicks)) if clicks else None
        assert {k: want[k] for k in got} == got, email_id
        assert counts.get((email_id, "sent"), 0) == len(by_method["sent"])
        assert counts.get((email_id, "bounced"), 0) == len(by_method["bounced"])
    assert {c["event_type"] for c in truth["event_counts"]} == {
        "sent",
        "bounced",
        "unsubscribed",
        "complained",
    }


def test_timezone_setting_moves_file_times_but_not_the_truth(sandbox: Sandbox, mxm: Mxm) -> None:
    london = mxm.rows("data_export_quick", "sent")
    truth = sandbox.truth("maxemail")
    sandbox.faults(provider="maxemail", timezone="UTC")
    utc = mxm.rows("data_export_quick", "sent")
    assert [to_utc(stamp(r)) for r in london] == [stamp(r).replace(" ", "T") for r in utc]
    assert any(stamp(a) != stamp(b) for a, b in zip(london, utc, strict=True))  # BST rows
    assert sandbox.truth("maxemail")["campaign_report"] == truth["campaign_report"]


def test_same_config_gives_identical_bytes() -> None:
    outputs: list[list[bytes]] = []
    for _ in range(2):
        with SandboxServer(WorldConfig(recipients=60, campaigns=3)) as server:
            mxm = Mxm(server.url)
            files = []
            for service in SERVICES:
                for method in HEADERS:
                    files.append(mxm.download(mxm.key(service, method)).content)  # CSV and ZIP
            files.append(
                mxm.find(int(mxm.rows("data_export_quick", "sent")[0]["email id"])).content
            )
            files.append(requests.get(f"{server.url}/_sandbox/truth/maxemail", timeout=10).content)
            outputs.append(files)
    assert outputs[0] == outputs[1]
    assert sum(len(f) for f in outputs[0]) > 5000
