"""APSIS One export files → raw `email_events` rows as Arrow tables (PROVIDERS.md 2.3).

Every column is kept as the provider wrote it (text), but for the epoch-millisecond times; the
attribute and tag columns get their version in the name (`gender_version_id_491874`). A row
without a value in one of the row-identity columns (non-null in the raw table) is a malformed
export, named by its line in the file.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from pipelines.apsis_one.settings import COLUMN_TYPES, PROVIDER, ROW_IDENTITY
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
            yield table.append_column(
                "_account_id", pa.repeat(pa.scalar(account_id), table.num_rows)
            ).append_column("_export_report_id", pa.repeat(pa.scalar(report_id), table.num_rows))
    except (pa.ArrowInvalid, ValueError, OSError, EOFError) as exc:
        raise ProviderError(PROVIDER, f"{what}: the export file is malformed: {exc}") from None


def require_identity(table: pa.Table, what: str, rows_before: int) -> pa.Table:
    """The batch with its row-identity fields marked non-nullable (as the raw table declares
    them); a missing value there is a malformed export, named with the file row it is on."""
    fields = []
    for arrow_field in table.schema:
        if arrow_field.name in ROW_IDENTITY:
            column = table.column(arrow_field.name)
            if column.null_count:
                row = rows_before + column.is_null().to_pylist().index(True) + 2  # 1-based + header
                raise ProviderError(
                    PROVIDER, f"{what}: row {row} of the export file has no {arrow_field.name}"
                )
            arrow_field = arrow_field.with_nullable(False)
        fields.append(arrow_field)
    return table.cast(pa.schema(fields))
