"""Local simulators of the providers' export APIs over one deterministic synthetic world: a
development and test tool, not part of the installed package.

`SandboxServer(WorldConfig(...)).start()` serves them on loopback; `python -m sandbox` runs one
in the foreground, `python -m sandbox env` prints the environment that points the loader at it,
`python -m sandbox.demo` is `make demo` (see docs/CONTRACTS.md). The core (config, audience,
world, clock, server, web) knows no provider; each provider is a package sandbox/<name>/
registered in sandbox/providers.py.
"""

from sandbox.config import ACCOUNT_MODES, WorldConfig, world_config
from sandbox.server import SandboxServer
from sandbox.world import World

__all__ = ["ACCOUNT_MODES", "SandboxServer", "World", "WorldConfig", "world_config"]
