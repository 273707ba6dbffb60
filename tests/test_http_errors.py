"""Errors name the provider and endpoint and never carry secrets."""

import socket
import time
from pathlib import Path

import pytest
import requests

from pipelines.common.errors import ProviderAuthError, redact
from pipelines.common.http import HttpClient, endpoint_of, error_detail
from pipelines.common.runner import LoadError, load_provider


def response(status: int, body: bytes, content_type: str = "application/json") -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = body
    r.headers["Content-Type"] = content_type
    return r


def test_endpoint_drops_host_and_signed_query() -> None:
    assert (
        endpoint_of("https://files.test/exports/1.csv.gz?sig=SECRET&expires=1")
        == "/exports/1.csv.gz"
    )


def test_error_detail_reads_each_provider_envelope() -> None:
    assert (
        error_detail(response(401, b'{"title":"Unauthorized","status":401,"detail":"bad token"}'))
        == "bad token"
    )
    assert (
        error_detail(response(400, b'{"success":false,"msg":"Invalid method"}')) == "Invalid method"
    )
    assert (
        error_detail(
            response(403, b'{"errors":[{"errorType":"ForbiddenError","message":"scope"}]}')
        )
        == "scope"
    )
    assert (
        error_detail(response(502, b"<html>bad gateway</html>", "text/html"))
        == "<html>bad gateway</html>"
    )


def test_error_redacts_secrets_and_classifies_auth() -> None:
    client = HttpClient("APSIS One", "https://api.test", secrets=["s3cr3t-value"])
    err = client.error(
        "POST",
        "https://api.test/oauth/token?x=1",
        response(401, b'{"detail":"secret s3cr3t-value rejected"}'),
    )
    assert isinstance(err, ProviderAuthError)
    assert "s3cr3t-value" not in str(err)
    assert str(err).startswith("APSIS One: POST /oauth/token returned HTTP 401")


def test_redact_ignores_empty_and_tiny_values() -> None:
    assert redact("abc token xyz", [None, "", "ab", "token"]) == "abc *** xyz"


def test_connect_retries_are_a_setting_not_a_rule_for_loopback(tmp_path: Path) -> None:
    """A host that cannot be reached gets `1 + connect_retries` attempts whatever the host (the
    sandbox's loopback included: tests/test_clear_errors.py checks the default there), and a
    caller that wants a fast failure sets `connect_retries` like any other source setting."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(LoadError) as info:
        load_provider(
            "benchmark",
            warehouse=str(tmp_path / "w.duckdb"),
            pipelines_dir=str(tmp_path / "dlt_pipelines"),
            base_url=f"http://127.0.0.1:{port}/benchmark",
            api_key="pw-1234",
            connect_retries=0,
        )
    message = str(info.value)
    print(f"{time.monotonic() - started:.1f} s: {message}")
    assert message.startswith("Benchmark Email: GET /benchmark/api/email/campaign failed")
    assert f"cannot connect to 127.0.0.1:{port} (connection refused), 1 attempt(s)" in message
    assert "check the provider's base_url (or region) setting" in message
    assert "sandbox" not in message and "pw-1234" not in message


def test_an_unknown_setting_is_named_with_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        load_provider(
            "netcore",
            warehouse=str(tmp_path / "w.duckdb"),
            pipelines_dir=str(tmp_path / "dlt_pipelines"),
            page_sise=10,
        )
    message = str(info.value)
    assert message.startswith("Netcore: unknown setting(s) ['page_sise']; the settings of ")
    assert "sources.netcore are [" in message and "'page_size'" in message
