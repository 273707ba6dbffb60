"""The class of a Netcore bounce (docs/CONTRACTS.md 6.3): Netcore's own where its status gives one
(`hardbounce` hard, `softbounce` soft), else, for the plain status `bounce`, the class of the SMTP
code in `remarks`: the digits of the enhanced status code (`5.1.1` -> 511), else of a leading basic
reply code (`550`); 570-579 block, 400-499 soft, 500-599 hard, anything else or no code
`unknown`. This mirrors the seed rule (`email_providers.bounce_class_rule = provider_first`,
`email_bounce_codes`) in Python, written from the contract and not read from the seed or SQL.
The truth, the report pairs and the daily stats all class bounces here.
"""

from __future__ import annotations

import re

from sandbox.netcore.model import BOUNCE, HARDBOUNCE, SOFTBOUNCE

BOUNCE_STATUSES = (HARDBOUNCE, SOFTBOUNCE, BOUNCE)
_ENHANCED_CODE = re.compile(r"[245]\.[0-9]{1,3}\.[0-9]{1,3}")
_BASIC_CODE = re.compile(r"^([245][0-9][0-9])(?: |$)")


def smtp_code(remarks: str) -> int | None:
    """The bounce code of `remarks`: digits of the first enhanced status code, else of a leading
    basic reply code, else None (`550 5.1.1 user unknown` -> 511, `550 rejected` -> 550)."""
    text = remarks.strip()
    enhanced = _ENHANCED_CODE.search(text)
    if enhanced:
        return int(enhanced.group(0).replace(".", ""))
    basic = _BASIC_CODE.match(text)
    return int(basic.group(1)) if basic else None


def bounce_class(status: str, remarks: str) -> str | None:
    """The class of a message's bounce (module docstring), None when the status is no bounce."""
    if status == HARDBOUNCE:
        return "hard"
    if status == SOFTBOUNCE:
        return "soft"
    if status != BOUNCE:
        return None
    code = smtp_code(remarks)
    if code is None:
        return "unknown"
    if 570 <= code <= 579:  # the narrowest range wins: 5.7.x is a policy block, not hard
        return "block"
    if 400 <= code <= 499:
        return "soft"
    if 500 <= code <= 599:
        return "hard"
    return "unknown"


def plain_classes(remarks: tuple[str, ...], delivery_remark: str) -> tuple[str, ...]:
    """The class of a plain `bounce` with each remark, indexed by remark code + 1 (code -1, the
    delivery's own remark, first)."""
    return tuple(bounce_class(BOUNCE, r) or "unknown" for r in (delivery_remark, *remarks))
