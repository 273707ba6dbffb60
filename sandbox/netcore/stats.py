"""The summary stats of `GET /v5.1/stats` (PROVIDERS.md 3.5, docs/CONTRACTS.md 6.1): the metrics
of one day's messages in their state at the world clock (`message_stats` one message at a time,
`grouped_stats` for every group of a world's messages at once, as arrays)."""

from __future__ import annotations

import numpy as np

from sandbox.netcore.bounces import BOUNCE_STATUSES, bounce_class, plain_classes
from sandbox.netcore.model import (
    BOUNCE,
    DROPPED,
    HARDBOUNCE,
    INVALID,
    SPAM,
    UNSUBSCRIBE,
    MessageState,
)
from sandbox.netcore.states import States
from sandbox.netcore.store import STATUS_CODE, NetcoreWorld, delivery_remark

STAT_KEYS = (
    "requested", "processed", "sent", "delivered", "dropped", "invalid", "hardbounce",
    "softbounce", "bounce", "opened", "unique_opened", "clicked", "unique_clicked",
    "unsubscribed", "spam",
)  # fmt: skip
STATS_PLAIN_BOUNCES = ("by_class", "bounce_only")  # the `message_stats` readings (ASSUMPTION)


def message_stats(states: list[MessageState], plain_bounces: str = "by_class") -> dict[str, int]:
    """The stats metrics of a set of messages (one day's, for `GET /v5.1/stats`).

    ASSUMPTION (Netcore does not document how its stats count the plain status `bounce`):
    `by_class` counts a bounced message in `hardbounce` when its `bounce_class` is hard and in
    `softbounce` otherwise (soft, block, unknown), as the campaign report folds them;
    `bounce_only` counts a plain bounce in `bounce` alone (`hardbounce`/`softbounce` are then the
    statuses). `bounce` counts every bounced message either way."""
    if plain_bounces not in STATS_PLAIN_BOUNCES:
        raise ValueError(f"plain_bounces must be one of {', '.join(STATS_PLAIN_BOUNCES)}")
    stats = dict.fromkeys(STAT_KEYS, 0)
    for state in states:
        stats["requested"] += 1
        stats["processed"] += 1  # ASSUMPTION: every accepted request counts as processed
        stats["sent"] += state.sent
        stats["delivered"] += state.delivered_s is not None
        status = state.status
        if status in (DROPPED, INVALID):
            stats[status] += 1
        if status in BOUNCE_STATUSES:
            stats["bounce"] += 1
            if status != BOUNCE or plain_bounces == "by_class":
                hard = bounce_class(status, state.remarks) == "hard"
                stats["hardbounce" if hard else "softbounce"] += 1
        stats["opened"] += len(state.opens)
        stats["unique_opened"] += bool(state.opens)
        stats["clicked"] += len(state.clicks)
        stats["unique_clicked"] += bool(state.clicks)
        stats["unsubscribed"] += status == UNSUBSCRIBE
        stats["spam"] += status == SPAM
    return stats


def hard_bounces(world: NetcoreWorld, states: States) -> np.ndarray:
    """Per state, whether its status is a bounce of class hard (`bounce_class`)."""
    classes = world.cache.get("plain_hard")
    if classes is None:
        names = plain_classes(world.remarks, delivery_remark(0))
        classes = world.cache["plain_hard"] = np.array([c == "hard" for c in names])
    status = states.status
    plain_hard = classes[world.remark[states.rows].astype(np.int64) + 1]
    return (status == STATUS_CODE[HARDBOUNCE]) | ((status == STATUS_CODE[BOUNCE]) & plain_hard)


def grouped_stats(
    world: NetcoreWorld, states: States, group: np.ndarray, groups: int, plain_bounces: str
) -> list[dict[str, int]]:
    """`message_stats` of each group `0..groups-1` of `states` (`group`: each state's group)."""
    if plain_bounces not in STATS_PLAIN_BOUNCES:
        raise ValueError(f"plain_bounces must be one of {', '.join(STATS_PLAIN_BOUNCES)}")
    status = states.status

    def count(weights: np.ndarray) -> list[int]:
        return np.bincount(group, weights.astype(np.int64), groups).astype(np.int64).tolist()  # type: ignore[no-any-return]

    bounced = np.isin(status, [STATUS_CODE[s] for s in BOUNCE_STATUSES])
    classed = bounced & ((status != STATUS_CODE[BOUNCE]) | (plain_bounces == "by_class"))
    hard = classed & hard_bounces(world, states)
    columns = {
        "requested": count(np.ones(len(states), bool)),
        "processed": count(np.ones(len(states), bool)),
        "sent": count(states.sent),
        "delivered": count(states.delivered_s >= 0),
        "dropped": count(status == STATUS_CODE[DROPPED]),
        "invalid": count(status == STATUS_CODE[INVALID]),
        "hardbounce": count(hard),
        "softbounce": count(classed & ~hard),
        "bounce": count(bounced),
        "opened": count(states.opens),
        "unique_opened": count(states.opens > 0),
        "clicked": count(states.clicks),
        "unique_clicked": count(states.clicks > 0),
        "unsubscribed": count(status == STATUS_CODE[UNSUBSCRIBE]),
        "spam": count(status == STATUS_CODE[SPAM]),
    }
    return [{key: columns[key][g] for key in STAT_KEYS} for g in range(groups)]
