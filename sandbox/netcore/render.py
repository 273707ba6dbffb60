"""Netcore answers around the rendered rows (PROVIDERS.md 3.4-3.6; the rows: sandbox.netcore.rows):
the events page envelope, the stats entry a day belongs to, and the ZIP of a Download Logs file
(whole, or streamed for a large file)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, timedelta

ZIP_DATE = (2026, 1, 1, 0, 0, 0)


def events_body(rows: list[str], total: int, scroll_id: str | None) -> str:
    """`json.dumps` of the events page `{"status", "message", "totalRecords", "data",
    "scrollid"}` whose `data` are the rows' JSON texts."""
    return (
        f'{{"status": "success", "message": "OK", "totalRecords": {total}, '
        f'"data": [{", ".join(rows)}], "scrollid": {json.dumps(scroll_id, ensure_ascii=False)}}}'
    )


def stats_bucket(day: date, period: str) -> str:
    """The stats entry a day belongs to: the day, the Monday of its week, or the 1st of its month."""
    if period == "week":
        day -= timedelta(days=day.weekday())
    elif period == "month":
        day = day.replace(day=1)
    return day.isoformat()


def zip_one(member: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(member, date_time=ZIP_DATE), data)
    return buffer.getvalue()


class _Sink:
    """A write-only, unseekable file: zipfile then writes sizes after the data (a data
    descriptor), so the archive can be sent as it is made."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def zip_stream(member: str, chunks: Iterable[bytes], zip64: bool) -> Iterator[bytes]:
    """A ZIP of one member made from `chunks` while it is sent (the same member bytes as
    `zip_one`; the archive has a data descriptor; `zip64` for members of 2 GiB or more)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(member, date_time=ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=zip64) as out:
            for chunk in chunks:
                out.write(chunk)
                data = sink.take()
                if data:
                    yield data
    yield sink.take()
