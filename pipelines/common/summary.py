"""What a load did: its summary (rows per table, loads, export jobs, known gaps, notices), the
errors a load ends in, and the summary as the command line prints it."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.common import gaps


class LoadError(RuntimeError):
    """A load failed; the message is meant for the user as is."""


@dataclass
class LoadSummary:
    provider: str
    display: str = ""  # the provider's name in messages
    rows: dict[str, int] = field(default_factory=dict)
    loads: int = 0
    seconds: float = 0.0
    peak_memory_mb: float | None = None  # the process's resident peak during this load
    peak_is_whole_process: bool = False  # True where the peak could not be reset (not Linux)
    gaps: list[gaps.Gap] = field(default_factory=list)  # ranges known not loaded (gaps.py)
    # what the run noticed and kept, one line each (a provider module's NOTICES, e.g. Maxemail's
    # new export columns); printed under the provider in the load summary
    notices: list[str] = field(default_factory=list)

    @property
    def export_jobs(self) -> int:
        return self.rows.get("export_jobs", 0)

    @property
    def data_rows(self) -> int:
        """Rows loaded into the provider's raw tables, the export ledger's rows left out."""
        return sum(n for table, n in self.rows.items() if table != "export_jobs")

    @property
    def rows_per_second(self) -> float:
        return self.data_rows / self.seconds if self.seconds > 0 else 0.0

    def speed(self) -> str:
        """`12,345 rows/s, peak memory 321 MB`: the load's speed and memory, for the summary."""
        text = f"{self.rows_per_second:,.0f} rows/s"
        if self.peak_memory_mb is not None:
            scope = " (whole process)" if self.peak_is_whole_process else ""
            text += f", peak memory {self.peak_memory_mb:,.0f} MB{scope}"
        return text

    def add(self, row_counts: dict[str, int]) -> None:
        for table, count in row_counts.items():
            if not table.startswith("_dlt"):
                self.rows[table] = self.rows.get(table, 0) + count


class IncompleteLoad(LoadError):
    """The load committed what it could but found gaps it was not allowed to accept
    (pipelines/common/gaps.py); ``summary`` is what it loaded."""

    def __init__(self, summary: LoadSummary) -> None:
        super().__init__(gaps.message(summary.gaps))
        self.summary = summary


def print_load_summary(summaries: list[LoadSummary], allow_gaps: bool = False) -> None:
    """The command line's summary: per provider its loads, rows per raw table, gaps, notices."""
    print("\nLoad summary")
    if not summaries:
        print("  nothing loaded")
    for s in summaries:
        print(
            f"  {s.display or s.provider} ({s.provider}): {s.loads} load(s), "
            f"{s.export_jobs} export job(s), {s.seconds:.1f} s, {s.speed()}"
        )
        for table, rows in sorted(s.rows.items()):
            print(f"    raw_{s.provider}.{table:<24} {rows:>10,} rows")
        for gap in s.gaps:  # ranges known not loaded (pipelines/common/gaps.py)
            how = "--allow-gaps" if allow_gaps else f"sources.{s.provider}.allow_gaps"
            status = f"accepted ({how})" if gap.accepted else "not accepted"
            print(f"    gap {status}: {gap.describe()}")
        for notice in s.notices:
            print(f"    note: {notice}")
