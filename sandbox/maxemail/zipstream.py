"""A ZIP of one CSV, whole (`zip_one`, small files) or streamed as its CSV is generated
(`zip_stream`, large files: constant memory).

The streamed archive is a standard one written the way streaming writers do: the local header has
the "data descriptor" flag and zero sizes, the deflated data follows chunk by chunk, then the data
descriptor (CRC-32 and sizes) and the central directory, which is what readers such as Python's
`zipfile` read the sizes from. Deflate level 1 (DEFLATE_LEVEL): the CSV is the same, the archive
a little larger than level 6's and compressed several times faster (DECISIONLOG.md).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime

DEFLATE_LEVEL = 1
_DESCRIPTOR_FLAG = 0x08
_LIMIT = 0xFFFFFFFF  # sizes above need ZIP64, which a sandbox file never reaches


def zip_one(member: str, data: bytes, when: datetime) -> bytes:
    """A ZIP holding exactly one CSV, its entry dated `when` (naive local time; reproducible)."""
    info = zipfile.ZipInfo(member, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, data)
    return buffer.getvalue()


def _dos_time(when: datetime) -> tuple[int, int]:
    date = (when.year - 1980) << 9 | when.month << 5 | when.day
    return when.hour << 11 | when.minute << 5 | when.second // 2, date


def zip_stream(member: str, chunks: Iterable[bytes], when: datetime) -> Iterator[bytes]:
    """The ZIP of one CSV whose bytes are `chunks`, compressed as they come."""
    name = member.encode("utf-8")
    flags = _DESCRIPTOR_FLAG | (0x800 if not member.isascii() else 0)
    time, date = _dos_time(when)
    common = struct.pack("<HHHHH", 20, flags, zipfile.ZIP_DEFLATED, time, date)
    yield b"PK\x03\x04" + common + struct.pack("<IIIHH", 0, 0, 0, len(name), 0) + name
    compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    crc = size = compressed = 0
    for chunk in chunks:
        crc, size = zlib.crc32(chunk, crc), size + len(chunk)
        data = compressor.compress(chunk)
        compressed += len(data)
        if data:
            yield data
    data = compressor.flush()
    compressed += len(data)
    if size > _LIMIT or compressed > _LIMIT:
        raise ValueError(f"{member}: {size} bytes need ZIP64, which zip_stream does not write")
    sizes = struct.pack("<III", crc, compressed, size)
    offset = 30 + len(name) + compressed + 16
    directory = (
        b"PK\x01\x02"
        + struct.pack("<H", 20)
        + common
        + sizes
        + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, 0)
        + name
    )
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(directory), offset, 0)
    yield data + b"PK\x07\x08" + sizes + directory + end
