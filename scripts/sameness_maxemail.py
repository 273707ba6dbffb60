"""Sameness check of the Maxemail simulator between two checkouts (issue 13): run it once per
checkout, `PYTHONPATH=<checkout> python scripts/sameness_maxemail.py [default no_clicks
no_split_tests big] > <out>.txt`, then `diff` the outputs. It serves each world, fetches a fixed
sequence of requests (every export of every service, filters across DST changes, truth documents
with and without report parameters, `find` of every message; after clock advances and under
timezone, extra-column, ZIP and truncation settings) and prints one line per request: its label
and the sha256 of the response (files decompressed; export keys, which are random, left out)."""

import base64
import hashlib
import http.client
import io
import json
import sys
import zipfile
from urllib.parse import urlencode

from sandbox.config import WorldConfig, world_config
from sandbox.server import SandboxServer

NL = b"\n"
AUTH = "Basic " + base64.b64encode(b"sandbox-user:sandbox-pass").decode()
SERVICES = (
    "data_export_quick",
    "data_export_quick_triggered",
    "data_export_quick_transactional",
    "data_export_quick_sms",
)
METHODS = ("sent", "opened", "clicked", "responded", "bounced", "unsubscribed")


def call(srv, method, path, body=None, headers=None):
    host, port = srv._httpd.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=600)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    try:
        data = resp.read()
        broken = False
    except http.client.IncompleteRead as exc:
        data, broken = exc.partial, True
    conn.close()
    return (
        resp.status,
        resp.getheader("Content-Type"),
        resp.getheader("Content-Disposition"),
        data,
        broken,
    )


def h(b):
    return hashlib.sha256(b).hexdigest()[:16]


def out(label, value):
    print(label, value, flush=True)


def export(srv, label, service, method, flt=None):
    form = {"method": method}
    if flt is not None:
        form["filter"] = json.dumps(flt)
    st, ct, _, body, _ = call(
        srv,
        "POST",
        f"/maxemail/api/json/{service}",
        urlencode(form),
        {"Authorization": AUTH, "Content-Type": "application/x-www-form-urlencoded"},
    )
    if st != 200:
        out(label + " export", f"{st} {h(body)}")
        return
    key = json.loads(body)
    st, ct, cd, data, broken = call(
        srv, "GET", f"/maxemail/download/file/key/{key}", headers={"Authorization": AUTH}
    )
    if broken or st != 200:
        out(label, f"{st} broken={broken} {ct}")
        return
    if ct == "application/zip":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            data = z.read(names[0])
            names_info = (names, z.infolist()[0].date_time)
    else:
        names_info = None
    out(label, f"{st} {ct} {cd} {names_info} rows={data.count(NL)} {h(data)}")


def world_pass(srv, tag, now_text):
    for service in SERVICES:
        for method in METHODS:
            export(srv, f"{tag} {service}.{method}", service, method)
    for method in ("sent", "opened", "clicked", "bounced"):
        export(
            srv,
            f"{tag} filter {method}",
            "data_export_quick",
            method,
            {"timestamp": "2026-03-29 01:30:00"},
        )
        export(
            srv,
            f"{tag} filter2 {method}",
            "data_export_quick_triggered",
            method,
            {"timestamp": "2026-04-05 02:30:00"},
        )
    st, ct, _, body, _ = call(srv, "GET", "/_sandbox/truth/maxemail")
    truth = json.loads(body)
    out(f"{tag} truth", f"{st} {h(body)}")
    for q in (
        "as_of=2026-04-20T00:00:00Z&past_days=7&timezone=Europe/Stockholm",
        "as_of=2026-05-05T12:00:00Z&past_days=1&timezone=America/New_York&alignment=rolling",
        "past_days=30",
    ):
        st, ct, _, body, _ = call(srv, "GET", "/_sandbox/truth/maxemail?" + q)
        out(f"{tag} truth?{q}", f"{st} {h(body)}")
    ids = sorted({int(r["campaign_id"]) for r in truth["campaign_report"]})
    for email_id in ids + [1, 99999]:
        st, ct, _, body, _ = call(
            srv,
            "POST",
            "/maxemail/api/json/email_campaign",
            urlencode({"method": "find", "emailId": str(email_id)}),
            {"Authorization": AUTH, "Content-Type": "application/x-www-form-urlencoded"},
        )
        out(f"{tag} find {email_id}", f"{st} {h(body)}")


def faults(srv, changes):
    call(
        srv,
        "POST",
        "/_sandbox/faults",
        json.dumps({"maxemail": changes}),
        {"Content-Type": "application/json"},
    )


def clock(srv, hours):
    call(
        srv,
        "POST",
        "/_sandbox/clock",
        json.dumps({"advance_hours": hours}),
        {"Content-Type": "application/json"},
    )


CONFIGS = {
    "default": WorldConfig(),
    "no_clicks": world_config("no_clicks"),
    "no_split_tests": world_config("no_split_tests"),
    "big": WorldConfig(recipients=4000, campaigns=20, seed=7),
}
for name in sys.argv[1:] or CONFIGS:
    cfg = CONFIGS[name]
    with SandboxServer(cfg) as srv:
        world_pass(srv, f"{name} t0", None)
        clock(srv, 6)
        world_pass(srv, f"{name} t+6h", None)
        clock(srv, 48)
        world_pass(srv, f"{name} t+54h", None)
        if name in ("default", "big"):
            faults(
                srv,
                {
                    "timezone": "Australia/Sydney",
                    "extra_column": "list name",
                    "filter_inclusive": False,
                },
            )
            world_pass(srv, f"{name} sydney", None)
            faults(
                srv, {"timezone": "America/New_York", "extra_column": "", "zip_downloads": "always"}
            )
            world_pass(srv, f"{name} ny-always", None)
            faults(srv, {"timezone": "Europe/London", "zip_downloads": "never", "zip_every": 0})
            world_pass(srv, f"{name} never", None)
            faults(srv, {"zip_downloads": "auto", "zip_every": 3, "zip_min_bytes": 1000})
            world_pass(srv, f"{name} auto-small", None)
            faults(srv, {"truncate_downloads": 3})
            for method in ("sent", "opened", "responded", "clicked"):
                export(srv, f"{name} truncated {method}", "data_export_quick", method)
            clock(srv, 24 * 30)
            world_pass(srv, f"{name} t+30d", None)
