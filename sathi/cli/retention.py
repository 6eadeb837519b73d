"""`sathi retention run`: applies the retention schedule now (`sathi run` does it hourly)."""

from __future__ import annotations

import argparse
import asyncio

from sathi.runtime import open_runtime
from sathi.services import retention
from sathi.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the sub-command."""
    parser = subparsers.add_parser("retention", help="delete what the retention schedule says")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("run", help="apply the retention schedule once, now").set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """One run; prints what it deleted (counts only)."""

    async def once() -> str:
        runtime = await open_runtime(settings)
        try:
            done = await retention.run_once(runtime.sessionmaker, settings)
        finally:
            await runtime.close()
        return done.summary()

    print(asyncio.run(once()))
    return 0
