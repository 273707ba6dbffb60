"""`python -m sandbox [--host H] [--port P] [--seed N] [--recipients N] [--campaigns N]
[--events N]
[--mode no_clicks ...] ...` serves the simulators; `python -m sandbox env [--host H] [--port P]`
prints the environment that points the loader at them (sandbox.env)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import time

from sandbox import env
from sandbox.config import ACCOUNT_MODES, WorldConfig, sized_for_events, world_config
from sandbox.server import SandboxServer


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["env"]:
        return env.main(argv[1:])
    defaults = WorldConfig()
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="Serve the provider simulators on loopback.",
        epilog="`python -m sandbox env --help`: the settings that point the loader at a sandbox.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--recipients", type=int, default=defaults.recipients)
    parser.add_argument("--campaigns", type=int, default=defaults.campaigns)
    parser.add_argument(
        "--events",
        type=int,
        help="size the world for about this many APSIS One events (recipients and every "
        "provider's campaigns in proportion; overrides --recipients and --campaigns)",
    )
    parser.add_argument("--days", type=int, default=defaults.days)
    parser.add_argument("--initial-days", type=float, default=defaults.initial_days)
    parser.add_argument(
        "--mode",
        action="append",
        default=[],
        choices=sorted(ACCOUNT_MODES),
        help="an account shape without optional data (repeatable; docs/CONTRACTS.md 12)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    size = (
        sized_for_events(args.events)
        if args.events
        else {"recipients": args.recipients, "campaigns": args.campaigns}
    )
    config = world_config(
        *args.mode,
        seed=args.seed,
        **size,
        days=args.days,
        initial_days=args.initial_days,
    )
    started = time.monotonic()
    try:
        server = SandboxServer(config, host=args.host, port=args.port)
    except OSError as exc:
        print(f"sandbox: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    world = server.world.summary()
    print(
        f"sandbox: world seed={world['seed']} recipients={world['recipients']} "
        f"campaigns={world['campaigns']} apsis_events={world['apsis_events']} "
        f"clock={world['now']} (built in {time.monotonic() - started:.1f}s)",
        flush=True,
    )
    print(
        f"sandbox: serving {server.url} (providers: {', '.join(server.providers)}); Ctrl-C stops",
        flush=True,
    )
    where = "".join(
        f" {name}={value}"
        for name, value, default in (
            ("SANDBOX_HOST", args.host, "127.0.0.1"),
            ("SANDBOX_PORT", args.port, 8765),
        )
        if value != default
    )
    print(
        f"sandbox: load from it with `make load-sandbox{where}`, or "
        f'`eval "$(python -m sandbox env --host {args.host} --port {args.port})"` '
        "before `python -m pipelines load`",
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
