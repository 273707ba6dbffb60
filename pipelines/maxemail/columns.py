"""The columns of a Maxemail export file: the documented ones of its method, and new ones.

Maxemail may add columns to its Quick Data Export files (PROVIDERS.md 1.5 lists today's). As APSIS
One's attribute columns are, a column the project does not declare is kept, not refused: it lands
in the method's raw table as text (trimmed), named the way dlt names columns (`List ID` ->
`list_id`), and the run's load summary names it (`NOTICES`, read by pipelines.common.runner).
Staging reads only the declared columns, so the marts do not change. The documented columns may
come in any order; one that is missing or repeated, or a new column whose name is already a column
of the raw table, is an error naming the export and the column.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dlt.common.normalizers.naming.snake_case import NamingConvention

from pipelines.common.errors import ProviderError
from pipelines.maxemail.settings import PROVIDER, SOURCE_NAME, Method, snake

logger = logging.getLogger(__name__)

LINEAGE_COLUMNS = ("_service", "_message_type", "_account_id", "_export_key")
_NAMING = NamingConvention()

# What this run's files brought that the raw tables do not declare, one line per table and
# column; the runner clears it before a load and copies it into the load summary.
NOTICES: list[str] = []


@dataclass(frozen=True)
class NewColumn:
    """A column of the file beyond the method's documented header."""

    header: str  # as in the file, trimmed
    name: str  # its raw-table column


def new_columns(header: list[str], method: Method, what: str) -> list[NewColumn]:
    """The file's columns beyond ``method``'s header; ProviderError when a documented column is
    missing or repeated, or a new one would take the name of another column."""
    names = [h.strip().lower() for h in header]
    expected = list(method.header)
    missing = [c for c in expected if c not in names]
    if missing:
        raise ProviderError(
            PROVIDER,
            f"{what}: the CSV header {header} lacks {missing}; expected {expected} "
            "(columns beyond those are kept)",
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ProviderError(PROVIDER, f"{what}: the CSV header {header} repeats {repeated}")
    taken = {*method.columns, *LINEAGE_COLUMNS}
    found = []
    for original, name in zip(header, names, strict=True):
        if name in expected:
            continue
        column = _NAMING.normalize_identifier(snake(original))
        if column in taken:
            raise ProviderError(
                PROVIDER,
                f"{what}: the new CSV column {original.strip()!r} would be the raw column "
                f"{column!r}, which the table already has; rename it in Maxemail or ask for "
                "the project to map it",
            )
        taken.add(column)
        found.append(NewColumn(original.strip(), column))
    return found


def rename_for(found: list[NewColumn]) -> dict[str, str]:
    """File header (trimmed) -> raw column, for the new columns."""
    return {column.header: column.name for column in found}


def note(found: list[NewColumn], method: Method, what: str) -> None:
    """Log each new column once per run and table, and keep it for the load summary."""
    for column in found:
        text = (
            f"raw_{SOURCE_NAME}.{method.name}: new column {column.name} "
            f"(CSV header {column.header!r}) kept as text; staging does not read it"
        )
        if text not in NOTICES:
            NOTICES.append(text)
            logger.warning("%s: %s: %s", PROVIDER, what, text)
