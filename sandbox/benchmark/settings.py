"""Benchmark Email simulator settings: API keys and scopes, faults, limits and protocol ASSUMPTIONS
(docs/CONTRACTS.md 7.1; `POST /_sandbox/faults {"benchmark": {...}}`), and Benchmark's error
envelope `{"errors": [{"errorType", "message"[, "field"]}]}`."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.web import Response, json_response

SCOPES = (
    "contacts:read",
    "contacts:write",
    "campaigns:read",
    "campaigns:write",
    "reports:read",
    "domains:read",
)
KEYS = {
    "bme_sandbox_all": frozenset(SCOPES),
    "bme_sandbox_noreports": frozenset(SCOPES) - {"reports:read"},
}


@dataclass
class BenchmarkSettings:
    """Faults, limits and protocol ASSUMPTIONS (`POST /_sandbox/faults {"benchmark": {...}}`)."""

    rate_limit_next: int = 0  # the next n calls → 429 TooManyRequestsError
    server_error_next: int = 0  # the next n calls → 503
    retry_after_seconds: int = 1  # Retry-After of the injected 429
    hourly_limit: int = 3600  # requests per window (DOC: 3,600 per hour per account)
    rate_window_seconds: float = 3600.0  # the window's length (shorten it in tests)
    monthly_limit: int = 100_000  # ASSUMPTION: contact limit × 10 in production
    default_page_size: int = 25
    max_page_size: int = 100
    # ASSUMPTION: how dashboard/overall/histogram cut `pastDays` (sandbox.reports.periods):
    # `calendar` (whole local days, or hours for pastDays=1, as the OpenAPI examples) | `rolling`
    report_period_alignment: str = "calendar"
    # Paging faults (docs/CONTRACTS.md, "Paging to the end") on the campaign list, contact
    # events and contact search: at most `page_size_cap` records per page (0 = off), silently;
    # page offsets from the size asked instead of the size served; totals that count records
    # never served.
    page_size_cap: int = 0
    page_offsets_from_asked_size: bool = False
    total_overstated_by: int = 0


class BenchmarkError(Exception):
    """An error in Benchmark's envelope."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {error_type}: {message}")
        self.status, self.error_type, self.message, self.field = status, error_type, message, field
        self.headers = dict(headers or {})

    def response(self) -> Response:
        error: dict[str, str] = {"errorType": self.error_type, "message": self.message}
        if self.field:
            error["field"] = self.field
        return json_response(self.status, {"errors": [error]}, self.headers)


def invalid(field: str, message: str) -> BenchmarkError:
    return BenchmarkError(400, "ValidationError", message, field)
