"""The environment that points the loader at a running sandbox: `python -m sandbox env`.

`.dlt/config.toml` holds the real providers' defaults, so nothing reaches the sandbox unless it is
asked to. For each registered provider this prints the dlt settings of its sandbox account
(`SOURCES__<PROVIDER>__<SETTING>`, sandbox.plugin's `source_settings`: base URL, public test
credentials, account label, start date, ...) as shell `export` lines; environment variables win
over .dlt/ in dlt, so

    eval "$(python -m sandbox env --port 8765)" && python -m pipelines load

loads from the sandbox (`make load-sandbox` does that, with `--check`: it stops, exit 2, when no
sandbox answers at the URL, rather than print settings nothing serves). Lists are JSON, as dlt
reads them.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import urllib.request
from collections.abc import Iterable

from sandbox.providers import PROVIDERS


def environment(url: str, providers: Iterable[str] | None = None) -> dict[str, str]:
    """`SOURCES__<PROVIDER>__<SETTING>` → text for the sandbox at `url` (every provider, or
    `providers`)."""
    chosen = list(PROVIDERS) if providers is None else list(providers)
    unknown = [p for p in chosen if p not in PROVIDERS]
    if unknown:
        raise ValueError(f"unknown provider {unknown[0]!r}; known: {', '.join(PROVIDERS)}")
    env: dict[str, str] = {}
    for name in chosen:
        for key, value in PROVIDERS[name].source_settings(url).items():
            text = value if isinstance(value, str) else json.dumps(value)
            env[f"SOURCES__{name.upper()}__{key.upper()}"] = text
    return env


def sandbox_answers(url: str) -> bool:
    """Whether a sandbox answers `GET /_sandbox/health` at `url` (directly, never via a proxy)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/_sandbox/health", timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox env",
        description="Print the shell exports that point the loader's sources at a sandbox.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--check", action="store_true", help="exit 2 unless a sandbox answers at the URL"
    )
    parser.add_argument(
        "providers", nargs="*", help=f"some of {', '.join(PROVIDERS)} (default: every provider)"
    )
    args = parser.parse_args(argv)
    url = f"http://{args.host}:{args.port}"
    try:
        env = environment(url, args.providers or None)
    except ValueError as exc:
        parser.error(str(exc))
    if args.check and not sandbox_answers(url):
        print(f"error: no sandbox answers at {url}: start it with `make sandbox`", file=sys.stderr)
        return 2
    for name, value in env.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0
