"""Benchmark Email `POST /api/contact/search` (docs/CONTRACTS.md 10.1, the official OpenAPI
`../shared/api/benchmark-email-openapi.json`, operation `post_api_contact_search`).

The OpenAPI leaves the request body open (`application/json` without a schema), so its shape is
an ASSUMPTION (DECISIONLOG.md): `{"page": 1, "size": 25, "sort": "createdAt:desc"}`, every key
optional; page >= 1, 1 <= size <= the page limit, sort `createdAt:asc|desc`. Other keys (the
real API's filters) are ignored. A body that is not a JSON object, or a bad value, answers 400
`ValidationError` naming the field.

The contacts listed are those existing at the world clock (`Digest.contact_order`: the imported
ones and those whose `contact-created` event is visible), ordered by `createdAt` with ties broken
by `_id` in the same direction. Grain of `contacts`: one record per contact of the page.
ASSUMPTION: one contact structure per account (the sandbox's; the API does not say more).
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.benchmark.digest import Digest
from sandbox.benchmark.model import BmeContact, iso_ms
from sandbox.benchmark.render import CONTACT_STRUCTURE_ID, contact_records, listing

SORTS = {"createdAt:desc": True, "createdAt:asc": False}
DEFAULT_SORT = "createdAt:desc"


class SearchError(ValueError):
    """A bad request body: the field and the message of the 400 ValidationError."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def parse_search(body: bytes, default_size: int, max_size: int) -> tuple[int, int, bool]:
    """(page, size, descending) from the request body; SearchError on bad input."""
    try:
        payload = json.loads(body) if body.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise SearchError("body", "the request body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise SearchError("body", "the request body must be a JSON object")
    page = _whole(payload, "page", 1, 1, None)
    size = _whole(payload, "size", default_size, 1, max_size)
    sort = payload.get("sort", DEFAULT_SORT)
    if sort not in SORTS:
        raise SearchError("sort", f"sort must be one of {', '.join(SORTS)}")
    return page, size, SORTS[sort]


def _whole(payload: dict[str, Any], name: str, default: int, low: int, high: int | None) -> int:
    value = payload.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SearchError(name, f"{name} must be an integer")
    if value < low or (high is not None and value > high):
        bound = f"at least {low}" if high is None else f"between {low} and {high}"
        raise SearchError(name, f"{name} must be {bound}")
    return value


def contact_record(created_ms: int, contact: BmeContact) -> dict[str, Any]:
    """One `contacts` item: `key` is the email address; ASSUMPTION: contacts are never edited
    in the world, so `updatedAt` = `createdAt`; no custom fields or tags. (What
    sandbox.benchmark.render writes, without the dict.)"""
    return {
        "_id": contact.contact_id,
        "contactStructureId": CONTACT_STRUCTURE_ID,
        "createdAt": iso_ms(created_ms),
        "updatedAt": iso_ms(created_ms),
        "key": contact.recipient.address,
        "fields": [],
        "tags": [],
    }


def search(digest: Digest, page: slice, descending: bool, overstated_by: int = 0) -> bytes:
    """The JSON body: the contacts existing at the digest's clock in the ``page`` slice of the
    ordered list (sandbox.paging.PageCap.page), and their total (plus ``overstated_by``)."""
    ordered = digest.contact_order[::-1] if descending else digest.contact_order
    chosen = ordered[page]
    records = contact_records(digest.world, chosen, digest.created_at[chosen])
    return listing('{"contacts": ', records, f', "totalRecords": {len(ordered) + overstated_by}}}')
