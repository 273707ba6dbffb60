"""Digest of every provider's part of a small world, for tests/test_sandbox_machines.py: every
array and value reachable from a part (the data every served file is rendered from), per path.

Run as a script from a checkout's root (`python tests/sandbox_digest.py MODE`, with that checkout
on PYTHONPATH), so the same walk runs over the code of another commit: MODE `base` is the
default world of a commit without machines, any other MODE an ACCOUNT_MODES name. A column named
`machine` (the truth label of issue 16) must be all human (or absent) and is left out.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from typing import Any

import numpy as np

SIZE: dict[str, Any] = {"recipients": 400, "campaigns": 4}
# not world data: the audience (the same object for every part) and Netcore's machine IP prefixes
# (issue 16: the rule its truth labels by, from the config)
SKIPPED = frozenset({"audience", "recipients", "recipient", "section", "machine_prefixes"})


def _walk(obj: Any, path: str, out: dict[str, str], seen: set[int]) -> None:
    if path.rsplit(".", 1)[-1] == "machine":
        assert obj is None or not np.asarray(obj).any(), f"{path} has machine events"
        return
    if isinstance(obj, np.ndarray):
        data = repr(obj.tolist()).encode() if obj.dtype == object else obj.tobytes()
        out[path] = hashlib.sha256(repr((obj.dtype, obj.shape)).encode() + data).hexdigest()
        return
    if isinstance(obj, str | int | float | bytes | bool | type(None)):
        out[path] = repr(obj)
        return
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, dict):
        for key in sorted(obj, key=repr):
            _walk(obj[key], f"{path}[{key!r}]", out, seen)
    elif isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            _walk(value, f"{path}[{i}]", out, seen)
    elif dataclasses.is_dataclass(obj) or hasattr(obj, "__dict__") or hasattr(obj, "__slots__"):
        if dataclasses.is_dataclass(obj):
            names = [f.name for f in dataclasses.fields(obj)]
        else:
            names = list(getattr(obj, "__dict__", {})) or list(getattr(obj, "__slots__", ()))
        for name in names:
            if not name.startswith("_") and name not in SKIPPED:
                _walk(getattr(obj, name, None), f"{path}.{name}", out, seen)
    else:
        out[path] = repr(obj)


def digests(mode: str) -> dict[str, list[Any]]:
    """Per provider: how many paths, and the digest of them all."""
    from sandbox.config import WorldConfig, world_config
    from sandbox.world import World

    cfg = WorldConfig(**SIZE) if mode == "base" else world_config(mode, **SIZE)
    world = World(cfg, processes=1)
    result: dict[str, list[Any]] = {}
    for name, part in world.parts.items():
        out: dict[str, str] = {}
        _walk(part, name, out, set())
        text = json.dumps(out, sort_keys=True).encode()
        result[name] = [len(out), hashlib.sha256(text).hexdigest()]
    return result


if __name__ == "__main__":
    print(json.dumps(digests(sys.argv[1])))
