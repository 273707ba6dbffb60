"""Local simulators of the providers' export APIs over one deterministic synthetic world.

`SandboxServer(WorldConfig(...)).start()` serves them on loopback; `python -m sandbox` runs one
in the foreground (see docs/CONTRACTS.md).
"""

from sandbox.server import SandboxServer
from sandbox.world import ACCOUNT_MODES, World, WorldConfig, world_config

__all__ = ["ACCOUNT_MODES", "SandboxServer", "World", "WorldConfig", "world_config"]
