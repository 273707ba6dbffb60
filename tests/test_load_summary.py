"""The load summary's speed and memory (issue 14): rows per second over the raw tables (the export
ledger left out) and the provider's own peak resident memory, reset when its load starts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pipelines.common.memory import PeakMemory, peak_rss_mb
from pipelines.common.summary import LoadSummary, print_load_summary
from tests.conftest import Sandbox, load_maxemail


def test_rows_per_second_count_raw_rows_not_the_export_ledger() -> None:
    summary = LoadSummary("maxemail", "Maxemail", seconds=2.0, peak_memory_mb=321.4)
    summary.add({"sent": 3000, "opened": 1000, "export_jobs": 5000, "_dlt_loads": 9})
    assert summary.data_rows == 4000
    assert summary.speed() == "2,000 rows/s, peak memory 321 MB"
    summary.peak_is_whole_process = True
    assert summary.speed().endswith("peak memory 321 MB (whole process)")
    assert LoadSummary("netcore").speed() == "0 rows/s"


@pytest.mark.skipif(sys.platform != "linux", reason="the peak is reset through Linux's /proc")
def test_a_providers_peak_is_its_own_not_an_earlier_providers() -> None:
    first = PeakMemory()
    block = bytearray(200 * 1024 * 1024)
    block[:: 1 << 12] = b"x" * len(block[:: 1 << 12])  # touch every page: resident
    high = first.mb()
    del block
    second = PeakMemory()
    assert second.since_start
    assert high - second.mb() > 150, (high, second.mb())
    assert peak_rss_mb() == pytest.approx(second.mb(), abs=50)


def test_the_printed_summary_gives_each_provider_rows_per_second_and_peak_memory(
    sandbox: Sandbox, warehouse: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = load_maxemail(sandbox, warehouse, tmp_path, exports=["campaign.sent"])
    assert summary.data_rows > 0 and summary.seconds > 0
    assert summary.peak_memory_mb is not None and 30 < summary.peak_memory_mb < 4000
    print_load_summary([summary])
    printed = capsys.readouterr().out
    expected = (
        f"{summary.rows_per_second:,.0f} rows/s, peak memory {summary.peak_memory_mb:,.0f} MB"
    )
    assert expected in printed, printed
