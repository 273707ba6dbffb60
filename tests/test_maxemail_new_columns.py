"""Maxemail export files with a column the project does not declare (pipelines/maxemail/columns.py,
docs/CONTRACTS.md 14): the column is kept in the raw table as text and the load summary names it;
a documented column that is missing or repeated, or a new one whose name is taken, stays an error
naming the export and the column."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.common.errors import ProviderError
from pipelines.common.summary import print_load_summary
from pipelines.maxemail.columns import NewColumn, new_columns
from pipelines.maxemail.settings import METHODS
from tests.conftest import Sandbox, load_maxemail, query

BOUNCED = METHODS["bounced"]


def test_new_columns_are_found_in_any_order_and_named_as_dlt_names_them() -> None:
    header = ["Email Address", "bounce type", "List ID", "email id", "bounce reason",
              "bounce timestamp", "Sub-Account"]  # fmt: skip
    assert new_columns(header, BOUNCED, "data_export_quick.bounced") == [
        NewColumn("List ID", "list_id"),
        NewColumn("Sub-Account", "sub_account"),
    ]
    assert new_columns(list(BOUNCED.header), BOUNCED, "x") == []


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            ["email id", "email address", "bounce type", "bounce timestamp"],
            "lacks ['bounce reason']",
        ),
        ([*BOUNCED.header, "email id"], "repeats ['email id']"),
        ([*BOUNCED.header, "Email-Id"], "'Email-Id' would be the raw column 'email_id'"),
        ([*BOUNCED.header, "_service"], "would be the raw column '_service'"),
    ],
)
def test_a_header_that_cannot_be_kept_is_an_error_naming_the_export_and_column(
    header: list[str], message: str
) -> None:
    with pytest.raises(ProviderError) as error:
        new_columns(header, BOUNCED, "data_export_quick.bounced")
    assert "Maxemail: data_export_quick.bounced: " in str(error.value)
    assert message in str(error.value)


def test_a_file_with_a_new_column_loads_it_and_the_summary_names_it(
    sandbox: Sandbox, warehouse: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fails on a loader that checks the header for equality: it refused such a file."""
    sandbox.faults("maxemail", extra_column="List ID")
    exports = ["campaign.sent", "campaign.bounced", "triggered.sent"]
    summary = load_maxemail(sandbox, warehouse, tmp_path, exports=exports)

    for table in ("sent", "bounced"):
        rows = query(
            warehouse,
            f"select count(*), count(case when list_id = 'list-' || email_id then 1 end), "
            f"count(distinct _message_type) from raw_maxemail.{table}",
        )
        assert rows[0][0] > 0 and rows[0][0] == rows[0][1], (table, rows)
    assert query(warehouse, "select count(distinct _message_type) from raw_maxemail.sent") == [(2,)]
    assert summary.notices == [
        "raw_maxemail.sent: new column list_id (CSV header 'List ID') kept as text; "
        "staging does not read it",
        "raw_maxemail.bounced: new column list_id (CSV header 'List ID') kept as text; "
        "staging does not read it",
    ]
    print_load_summary([summary])
    printed = capsys.readouterr().out
    assert "    note: raw_maxemail.sent: new column list_id (CSV header 'List ID')" in printed

    # every run says it again while the files carry the column
    again = load_maxemail(sandbox, warehouse, tmp_path, exports=exports)
    assert again.notices == summary.notices
