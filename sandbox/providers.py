"""The providers the sandbox serves: one line each. A provider is a package of the same files,
sandbox/<name>/, whose `PLUGIN` (sandbox.plugin) gives its generator, simulator and sandbox account
(docs/CONTRACTS.md 17). Their order is the order of `GET /_sandbox/faults` and of the world's
summary."""

from __future__ import annotations

from sandbox import apsis_one, benchmark, maxemail, netcore
from sandbox.plugin import ProviderPlugin

PROVIDERS: dict[str, ProviderPlugin] = {
    plugin.name: plugin
    for plugin in (
        apsis_one.PLUGIN,
        maxemail.PLUGIN,
        netcore.PLUGIN,
        benchmark.PLUGIN,
    )
}
