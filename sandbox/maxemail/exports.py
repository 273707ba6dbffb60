"""A Maxemail export's file: built at the export call when small, else kept as its spec and
generated again at each download, streamed (docs/CONTRACTS.md 5.1; sandbox.maxemail.files for
the rows, render for the CSV text, zipstream for the ZIP).

Whether a file is zipped is decided at the export, as the real service does, from the settings
then: `always`, or `auto` and either every `zip_every`-th export or a CSV of at least
`zip_min_bytes` (its first chunks tell, so a large file is never rendered whole). A small file's
bytes are kept (a ZIP built whole, as before); a large one is a spec, whose rows depend on the
export's clock and settings alone, so it downloads the same bytes whenever it is downloaded, in
constant memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from sandbox.maxemail.files import ExportFile, ExportSpec, row_count, select_rows
from sandbox.maxemail.model import LOCAL_FORMAT, MaxemailWorld, local_text
from sandbox.maxemail.render import csv_chunks
from sandbox.maxemail.settings import MaxemailSettings
from sandbox.maxemail.zipstream import zip_one, zip_stream
from sandbox.web import Response

# No row is shorter: a digit, an address of one character, the quoted timestamp, commas, LF.
MIN_ROW_BYTES = 25


def file_name(spec: ExportSpec) -> str:
    """`<type>_<method>_<local YYYYmmdd_HHMMSS of the export>` (without extension)."""
    stamp = local_text(spec.now_ms // 1000, ZoneInfo(spec.timezone))
    return f"{spec.message_type}_{spec.method}_{stamp.replace('-', '').replace(' ', '_').replace(':', '')}"


def build(
    world: MaxemailWorld, spec: ExportSpec, settings: MaxemailSettings, count: int
) -> tuple[ExportFile, int]:
    """The file of an export (`count`: exports before this one) and its number of rows. Without
    a filter, the row count alone may show that the file is large: its rows are then chosen
    only at download."""
    head: list[bytes] = []
    rows = row_count(world, spec) if spec.timestamp is None else -1
    size = settings.zip_min_bytes  # large, unless the count cannot tell
    if rows * MIN_ROW_BYTES < settings.zip_min_bytes:
        selected = select_rows(world, spec)  # maybe small: its first chunks tell
        size, rows = 0, len(selected)
        for chunk in csv_chunks(world, spec, selected):
            head.append(chunk)
            size += len(chunk)
            if size >= settings.zip_min_bytes:
                break
    small = size < settings.zip_min_bytes
    mode, every = settings.zip_downloads, settings.zip_every
    zipped = mode == "always" or (
        mode == "auto" and ((every > 0 and count % every == every - 1) or not small)
    )
    name = file_name(spec)
    filename, content_type = f"{name}.csv", "text/csv; charset=utf-8"
    if zipped:
        filename, content_type = f"{name}.zip", "application/zip"
    if not small:
        return ExportFile(spec.now_ms, content_type, filename, spec=spec, zipped=zipped), rows
    data = b"".join(head)
    if zipped:
        data = zip_one(f"{name}.csv", data, _created(spec))
    return ExportFile(spec.now_ms, content_type, filename, data=data), rows


def response(world: MaxemailWorld, file: ExportFile, truncate: bool) -> Response:
    """The download of a file; `truncate` sends only half its bytes (the broken download)."""
    headers = {"Content-Disposition": f'attachment; filename="{file.filename}"'}
    if file.data is not None:
        answer = Response(200, file.data, file.content_type, headers)
        if truncate:
            answer.truncate_to = len(file.data) // 2
        return answer
    answer = Response(200, content_type=file.content_type, headers=headers)
    answer.chunks = stream(world, file)
    if truncate:  # half the file's bytes, as for a small one: one pass to count them
        answer.truncate_to = sum(len(chunk) for chunk in stream(world, file)) // 2
    return answer


def stream(world: MaxemailWorld, file: ExportFile) -> Iterator[bytes]:
    """A large file's bytes, generated from its spec as they are sent."""
    if file.spec is None:
        raise ValueError("only a large file is streamed")
    spec = file.spec
    chunks = csv_chunks(world, spec, select_rows(world, spec))
    if not file.zipped:
        return chunks
    return zip_stream(f"{file_name(spec)}.csv", chunks, _created(spec))


def _created(spec: ExportSpec) -> datetime:
    """The export's local time, naive: the ZIP entry's date."""
    return datetime.strptime(local_text(spec.now_ms // 1000, ZoneInfo(spec.timezone)), LOCAL_FORMAT)
