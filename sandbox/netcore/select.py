"""The rows a Netcore events query selects (`GET /events`, `POST /logs/download`; PROVIDERS.md
3.4, docs/CONTRACTS.md 6.1): the messages requested on the query's local dates and before the
clock, in their state at the clock, the surprise status shown where it applies
(sandbox.netcore.surprise), then the status, email and exact text filters, in request order or
reversed - as masks over the world's columns."""

from __future__ import annotations

from datetime import tzinfo

import numpy as np

from sandbox.netcore.model import DELIVERED, INVALID, local_day_bounds
from sandbox.netcore.query import Query
from sandbox.netcore.rows import UNKNOWN, Selection
from sandbox.netcore.states import states_at
from sandbox.netcore.store import STATUS_CODE, NetcoreWorld, invalid_address
from sandbox.netcore.surprise import unknown_mask

# the campaign field each exact text filter compares (sandbox.netcore.query.TEXT_FILTERS)
CAMPAIGN_FIELDS = {"subject": "subject", "xapiheader": "id", "fromaddress": "from_address"}


def select(
    world: NetcoreWorld,
    query: Query,
    now_ms: int,
    zone: tzinfo,
    unknown_every: int,
    unknown_status: str,
) -> Selection:
    """The selection of `query` at the clock `now_ms` in the account's timezone `zone`."""
    start_s, end_s = local_day_bounds(query.startdate, query.enddate, zone)
    states = states_at(world, now_ms, start_s, end_s)
    status = states.status.copy()
    if unknown_every > 0:
        shows = (status == STATUS_CODE[DELIVERED]) & unknown_mask(world, unknown_every)[states.rows]
        status[shows] = UNKNOWN
    keep = np.ones(len(states), bool)
    if query.statuses is not None:
        keep &= np.isin(status, [STATUS_CODE[s] for s in query.statuses])
    if query.email is not None:
        keep &= email_mask(world, states.rows, query.email)
    if query.text:
        wanted = [
            i
            for i, campaign in enumerate(world.campaigns)
            if all(getattr(campaign, CAMPAIGN_FIELDS[f]) == v for f, v in query.text)
        ]
        keep &= np.isin(world.campaign[states.rows], wanted)
    index = np.flatnonzero(keep)
    if query.descending:
        index = index[::-1]
    return Selection(states.take(index), status[index], unknown_status, zone)


def _keys(world: NetcoreWorld) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Recipient indices by lower-cased address, and by the lower-cased address their invalid
    messages show (cached on the world)."""
    found = world.cache.get("email_keys")
    if found is None:
        valid: dict[str, list[int]] = {}
        invalid: dict[str, list[int]] = {}
        for i, recipient in enumerate(world.recipients):
            valid.setdefault(recipient.key, []).append(i)
            invalid.setdefault(invalid_address(recipient.address).lower(), []).append(i)
        found = world.cache["email_keys"] = (valid, invalid)
    return found  # type: ignore[no-any-return]


def email_mask(world: NetcoreWorld, rows: np.ndarray, email: str) -> np.ndarray:
    """Which of `rows` have the address `email` (lower-cased), as Netcore stores it."""
    valid, invalid = _keys(world)
    recipient = world.recipient[rows]
    is_invalid = world.outcome[rows] == STATUS_CODE[INVALID]
    mask = (~is_invalid & np.isin(recipient, valid.get(email, []))) | (
        is_invalid & np.isin(recipient, invalid.get(email, []))
    )
    if world.addresses:
        for i in np.flatnonzero(np.isin(rows, list(world.addresses))).tolist():
            mask[i] = world.addresses[int(rows[i])].lower() == email
    return mask
