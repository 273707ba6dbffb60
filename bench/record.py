"""`python -m bench.record <provider> <directory>`: one untimed load of `provider` (the project's
own `python -m pipelines load`, into a throwaway warehouse given by the environment) that keeps a
copy of every piece of data it receives, for DuckDB's own load of the same data (bench.duckload):

* every export file the loader downloads (`pipelines.common.downloads.download_to_tempfile`, the
  one function every file download goes through), under `files/<n>.csv` (a zip is unpacked to its
  CSV; a gzip file is kept as it came, `.csv.gz`);
* the records of every JSON page it reads (every `requests` call: dlt's REST client and the
  project's own clients share `requests.Session.send`): the page's largest list of objects (its
  `data`, `items`, ... whatever the envelope calls it), appended to `json/<endpoint>.jsonl`, one
  record a line, the pages of one endpoint in one file (DuckDB infers a schema from one file's
  every record; over thousands of page files its multi-file sampling ran out of memory); pages
  without such a list (tokens, statuses, counts) are not data and are left out.

The recording run is a separate load before the timed one, at the same world clock, so its copies
cost the timed load nothing."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import sys
import threading
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from pipelines.common import downloads

_counter = itertools.count()
IDS = re.compile(r"/(?:\d+|[0-9a-f]{8,}(?:-[0-9a-f]+)*)(?=/|$)")


def records_of(body: Any) -> list[dict[str, Any]] | None:
    """The largest list of objects in a page, at its top or one or two levels down."""
    candidates: list[list[Any]] = []

    def visit(value: Any, depth: int) -> None:
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            candidates.append(value)
        elif isinstance(value, dict) and depth < 2:
            for item in value.values():
                visit(item, depth + 1)

    visit(body, 0)
    return max(candidates, key=len) if candidates else None


def endpoint(url: str) -> str:
    """A directory name for an endpoint: its path with ids replaced by `id`."""
    path = IDS.sub("/id", urlsplit(url).path).strip("/")
    return re.sub(r"[^A-Za-z0-9]+", "_", path) or "root"


def install(out: Path) -> None:
    """Patch the download function and `requests.Session.send` to copy what arrives to `out`."""
    download = downloads.download_to_tempfile
    send = requests.Session.send
    lock = threading.Lock()  # pages arrive from several threads (pipelines/common/readahead.py)

    def keep_download(response: requests.Response) -> downloads.Download:
        result = download(response)
        (out / "files").mkdir(parents=True, exist_ok=True)
        target = out / "files" / f"{next(_counter):05d}"
        with open(result.path, "rb") as f:
            head = f.read(4)
        if head.startswith(b"PK"):
            with zipfile.ZipFile(result.path) as archive:
                member = archive.namelist()[0]
                with archive.open(member) as src, open(f"{target}.csv", "wb") as dst:
                    shutil.copyfileobj(src, dst)
        elif head.startswith(b"\x1f\x8b"):
            shutil.copyfile(result.path, f"{target}.csv.gz")
        else:
            shutil.copyfile(result.path, f"{target}.csv")
        return result

    def keep_page(self: requests.Session, request: Any, **kwargs: Any) -> requests.Response:
        response = send(self, request, **kwargs)
        if kwargs.get("stream") or response.status_code != 200:
            return response
        if "json" not in response.headers.get("Content-Type", ""):
            return response
        try:
            body = response.json()
        except ValueError:
            return response
        records = records_of(body)
        if records:
            lines = [json.dumps(record) + "\n" for record in records]
            with lock:
                (out / "json").mkdir(parents=True, exist_ok=True)
                with open(out / "json" / f"{endpoint(request.url)}.jsonl", "a") as f:
                    f.writelines(lines)
        return response

    downloads.download_to_tempfile = keep_download  # type: ignore[assignment]
    requests.Session.send = keep_page  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    provider, out = argv[0], Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    install(out)
    from pipelines.__main__ import main as pipelines_main

    return pipelines_main(["load", provider])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
