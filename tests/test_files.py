"""Download files: compression sniffed from magic bytes, CSV streamed into Arrow as text."""

import gzip
import io
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest

from pipelines.common.files import iter_csv_tables, read_header, snake_versioned_header

CSV = (
    'activity_id,address,type,event_time,link_url,"gender (version_id: 491874)","vip (version_id: vip)"\n'
    '0042,A@x.com,CLICKED,1767225600000,"https://x.test/a,b?q=""1""",female,TAG\n'
    "0042,b@x.com,SENT,0,,,\n"
)


def write(tmp_path: Path, kind: str) -> str:
    path = tmp_path / f"export.{kind}"
    data = CSV.encode()
    if kind == "gz":
        path.write_bytes(gzip.compress(data))
    elif kind == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("export.csv", data)
        path.write_bytes(buffer.getvalue())
    else:
        path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("kind", ["gz", "zip", "csv"])
def test_every_compression_parses_to_the_same_rows(tmp_path: Path, kind: str) -> None:
    path = write(tmp_path, kind)
    tables = list(
        iter_csv_tables(
            path, column_types={"event_time": pa.int64()}, rename=snake_versioned_header
        )
    )
    table = pa.concat_tables(tables)
    assert table.column_names == [
        "activity_id",
        "address",
        "type",
        "event_time",
        "link_url",
        "gender_version_id_491874",
        "vip_version_id_vip",
    ]
    assert table.schema.field("activity_id").type == pa.string()  # leading zero kept
    assert table.schema.field("event_time").type == pa.int64()
    rows = table.to_pylist()
    assert rows[0]["activity_id"] == "0042"
    assert rows[0]["link_url"] == 'https://x.test/a,b?q="1"'
    assert rows[0]["vip_version_id_vip"] == "TAG"
    assert rows[1]["link_url"] == "" and rows[1]["event_time"] == 0


def test_small_blocks_stream_in_several_tables(tmp_path: Path) -> None:
    path = tmp_path / "big.csv.gz"
    lines = ["id,type"] + [f"{i},SENT" for i in range(50_000)]
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    tables = list(iter_csv_tables(str(path), block_size=64 << 10))
    assert len(tables) > 3
    assert sum(t.num_rows for t in tables) == 50_000


def test_header_only_file_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("a,b\n")
    assert read_header(str(path)) == ["a", "b"]
    assert list(iter_csv_tables(str(path))) == []


def test_zip_with_two_files_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "x\n1\n")
        archive.writestr("b.csv", "x\n2\n")
    with pytest.raises(ValueError, match="one CSV"):
        list(iter_csv_tables(str(path)))


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("gender (version_id: 491874)", "gender_version_id_491874"),
        ("Birth Date (version_id: 17)", "Birth Date_version_id_17"),
        ("activity_id", "activity_id"),
    ],
)
def test_versioned_headers(header: str, column: str) -> None:
    assert snake_versioned_header(header) == column
