"""APSIS One export files → raw `email_events` rows as Arrow tables (PROVIDERS.md 2.3).

Every column is kept as the provider wrote it (text), but for the epoch-millisecond times; the
attribute and tag columns get their version in the name (`gender_version_id_491874`). A row
without a value in one of the row-identity columns (the raw merge key) is a malformed export,
named by its line in the file.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from pipelines.apsis_one.settings import COLUMN_TYPES, PROVIDER, ROW_IDENTITY, WINDOW_KEY
from pipelines.common.errors import ProviderError
from pipelines.common.files import iter_csv_tables, snake_versioned_header


def export_tables(path: str, what: str, account_id: str, report_id: str) -> Iterator[pa.Table]:
    """The export file at ``path`` as Arrow tables of raw rows, with `_account_id` and
    `_export_report_id`. A file that does not parse is a `ProviderError` naming ``what``."""
    rows = 0
    try:
        for table in iter_csv_tables(
            path, column_types=COLUMN_TYPES, rename=snake_versioned_header
        ):
            table = require_identity(table, what, rows)
            rows += table.num_rows
            table = table.append_column(
                "_account_id", pa.repeat(pa.scalar(account_id), table.num_rows)
            ).append_column("_export_report_id", pa.repeat(pa.scalar(report_id), table.num_rows))
            yield require_key(table)
    except (pa.ArrowInvalid, ValueError, OSError, EOFError) as exc:
        raise ProviderError(PROVIDER, f"{what}: the export file is malformed: {exc}") from None


def require_identity(table: pa.Table, what: str, rows_before: int) -> pa.Table:
    """The batch unchanged when every row-identity field has a value; a missing value there is a
    malformed export, named with the file row it is on. (The merge key's fields are marked
    non-nullable by `require_key`; the other identity fields stay nullable, as dlt's columns are.)"""
    for name in ROW_IDENTITY:
        if name not in table.column_names:
            continue
        column = table.column(name)
        if column.null_count:
            row = rows_before + column.is_null().to_pylist().index(True) + 2  # 1-based + header
            raise ProviderError(PROVIDER, f"{what}: row {row} of the export file has no {name}")
    return table


def require_key(table: pa.Table) -> pa.Table:
    """The batch with the merge key's fields (`WINDOW_KEY`, never null: checked above or set by
    the loader) marked non-nullable, as dlt declares a merge key's columns."""
    fields = [f.with_nullable(False) if f.name in WINDOW_KEY else f for f in table.schema]
    return table.cast(pa.schema(fields))
