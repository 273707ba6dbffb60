"""Machine engagement in the synthetic world (issue 16): Apple Mail Privacy Protection proxies
that fetch the tracking pixel on arrival, and security gateways (link scanners) that follow every
link within a second of the delivery and sometimes fetch the pixel too.

Who sits behind a proxy or a gateway is a trait of the recipient (`machine_traits`: one Apple
Mail user or one gateway across every provider), drawn per recipient index from its own stream,
so the audience's draws are untouched. The machine events of a message are drawn from each
provider's own machine stream (`machine_rng`), never from the provider's main stream: every
existing draw and event stays exactly as it was, the machine events are additions, and a world
with both shares at 0 (`ACCOUNT_MODES["no_machines"]`) is the world without machines byte for
byte.

Each machine event carries a truth label (`HUMAN`, `PROXY_OPEN`, `SCANNER_CLICK`,
`SCANNER_OPEN`) in its provider's columns; Netcore's labels follow from the IP prefixes
(`machine_ip`), which no human address in the sandbox shares (49.32.0.0/12).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Address

import numpy as np

from sandbox.config import WorldConfig

HUMAN, PROXY_OPEN, SCANNER_CLICK, SCANNER_OPEN = 0, 1, 2, 3


@dataclass(frozen=True, eq=False)
class MachineTraits:
    """Per recipient index: behind an Apple-style open proxy, behind a link-scanning gateway."""

    proxied: np.ndarray  # bool
    scanned: np.ndarray  # bool

    @property
    def any(self) -> bool:
        return bool(self.proxied.any() or self.scanned.any())


@lru_cache(maxsize=8)
def machine_traits(cfg: WorldConfig, recipients: int) -> MachineTraits:
    """The traits of recipients 0..recipients-1 (own stream: `{seed}:machine-traits`)."""
    draws = np.random.default_rng(_seed_of(f"{cfg.seed}:machine-traits")).random((recipients, 2))
    return MachineTraits(
        draws[:, 0] < cfg.proxy_recipient_share, draws[:, 1] < cfg.scanner_recipient_share
    )


def machine_rng(cfg: WorldConfig, provider: str) -> random.Random:
    """A provider's machine stream, separate from its main stream."""
    return random.Random(f"{cfg.seed}:{provider}:machines")


def _seed_of(text: str) -> int:
    return int.from_bytes(text.encode(), "big") % 2**63


@dataclass(frozen=True, slots=True)
class MachineVisit:
    """The machine events of one delivered message, epoch ms: the proxy's open (or None), the
    scanner's clicks as (time, link index) and the scanner's pixel fetch (or None)."""

    proxy_open: int | None
    clicks: tuple[tuple[int, int], ...]
    scanner_open: int | None


NO_VISIT = MachineVisit(None, (), None)


def visit(
    rng: random.Random,
    cfg: WorldConfig,
    proxied: bool,
    scanned: bool,
    delivered_ms: int,
    links: int,
) -> MachineVisit:
    """The machine events of a message delivered at `delivered_ms` with `links` links. Draws
    only for a proxied or scanned recipient, so a world without machines draws nothing."""
    proxy_open = None
    if proxied:
        low, high = cfg.proxy_open_delay_seconds
        proxy_open = delivered_ms + round(rng.uniform(low, high) * 1000)
    clicks: tuple[tuple[int, int], ...] = ()
    scanner_open = None
    if scanned and links > 0:
        low, high = cfg.scanner_click_delay_seconds
        base = delivered_ms + round(rng.uniform(low, high) * 1000)
        spread = cfg.scanner_click_spread_ms
        clicks = tuple(
            sorted((base + int(rng.random() * (spread + 1)), link) for link in range(links))
        )
        if rng.random() < cfg.scanner_pixel_rate:
            scanner_open = clicks[0][0] + int(rng.random() * (spread + 1))
    if proxy_open is None and not clicks:
        return NO_VISIT
    return MachineVisit(proxy_open, clicks, scanner_open)


def ip_number(prefix: str, rng: random.Random) -> int:
    """An address in `prefix` ("17.58." style: whole leading octets), the rest drawn."""
    octets = [int(o) for o in prefix.strip(".").split(".")]
    while len(octets) < 4:
        octets.append(1 + int(rng.random() * 254))
    return int(IPv4Address(".".join(str(o) for o in octets)))


def in_prefix(prefix: str, ips: np.ndarray) -> np.ndarray:
    """Whether each IP number (uint32) lies in `prefix` ("17.58." style: whole octets)."""
    octets = [int(o) for o in prefix.strip(".").split(".")]
    value = 0
    for o in octets:
        value = value << 8 | o
    return (ips.astype(np.int64) >> (8 * (4 - len(octets)))) == value  # type: ignore[no-any-return]


def machine_ip(prefixes: tuple[str, ...], ips: np.ndarray) -> np.ndarray:
    """Whether each IP number is a machine's: in one of the world's machine `prefixes`."""
    found = np.zeros(len(ips), bool)
    for prefix in prefixes:
        found |= in_prefix(prefix, ips)
    return found


def between(rng: random.Random, low: int, high: int) -> int:
    """A whole number from low to high (inclusive) from one draw of `rng`."""
    return low + int(rng.random() * (high - low + 1))
