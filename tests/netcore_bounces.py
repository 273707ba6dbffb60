"""The class of a Netcore bounce row, as the tests read docs/CONTRACTS.md 6.3 (their own code, not
the sandbox's or the dbt project's): the status's class for `hardbounce`/`softbounce`; for the
plain status `bounce`, the SMTP code in `remarks` (digits of the enhanced status code, else of a
leading basic reply code): 57x block, 4xx soft, 5xx hard, anything else or no code unknown."""

from __future__ import annotations

import re

BOUNCE_STATUSES = frozenset({"hardbounce", "softbounce", "bounce"})
SOFT_CLASSES = frozenset({"soft", "block", "unknown"})


def bounce_class(status: str, remarks: str) -> str | None:
    """`hard`, `soft`, `block`, `unknown`, or None when the status is no bounce."""
    if status in ("hardbounce", "softbounce"):
        return status.removesuffix("bounce")
    if status != "bounce":
        return None
    text = remarks.strip()
    found = re.search(r"[245]\.\d{1,3}\.\d{1,3}", text) or re.match(r"[245]\d\d(?= |$)", text)
    if found is None:
        return "unknown"
    code = int(re.sub(r"\D", "", found.group()))
    if code // 10 == 57:
        return "block"
    return {4: "soft", 5: "hard"}.get(code // 100, "unknown") if code < 1000 else "unknown"


def is_hard(status: str, remarks: str) -> bool:
    """Counted as a hard bounce (Netcore stats `hardbounce`, the report's hard bounces)."""
    return bounce_class(status, remarks) == "hard"


def is_soft(status: str, remarks: str) -> bool:
    """Counted as a soft bounce: soft, block or unknown (the report folds them)."""
    return bounce_class(status, remarks) in SOFT_CLASSES
