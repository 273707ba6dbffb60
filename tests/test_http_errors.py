"""Errors name the provider and endpoint and never carry secrets."""

import requests

from pipelines.common.errors import ProviderAuthError, redact
from pipelines.common.http import HttpClient, endpoint_of, error_detail


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


def test_unreachable_loopback_host_suggests_starting_the_sandbox() -> None:
    import socket

    import pytest

    from pipelines.common.errors import ProviderError

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HttpClient("APSIS One", f"http://127.0.0.1:{port}/apsis_one", secrets=["pw-123"])
    with pytest.raises(ProviderError) as info:
        client.request("GET", "/audience/sections", authenticated=False)
    message = str(info.value)
    assert message.startswith("APSIS One: GET /apsis_one/audience/sections failed")
    assert f"cannot connect to 127.0.0.1:{port}" in message and "make sandbox" in message
