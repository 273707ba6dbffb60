"""The summary stats of `GET /v5.1/stats` (PROVIDERS.md 3.5, docs/CONTRACTS.md 6.1): the metrics
of one day's messages in their state at the world clock."""

from __future__ import annotations

from sandbox.netcore.bounces import BOUNCE_STATUSES, bounce_class
from sandbox.netcore.model import BOUNCE, DROPPED, INVALID, SPAM, UNSUBSCRIBE, MessageState

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
