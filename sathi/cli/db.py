"""`sathi db upgrade|current`: the schema is made by Alembic migrations only."""

import argparse
import asyncio

from sathi import migrations
from sathi.db import make_engine
from sathi.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the sub-command."""
    parser = subparsers.add_parser("db", help="database schema")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("upgrade", help="apply every pending migration")
    actions.add_parser("current", help="say whether the schema is up to date")
    parser.set_defaults(func=run)


async def _run(action: str, settings: Settings) -> int:
    settings.prepare_data_dir()
    engine = make_engine(settings.database)
    try:
        if action == "upgrade":
            await migrations.upgrade(engine)
            print("database is up to date")
            return 0
        current = await migrations.is_current(engine)
        print("database is up to date" if current else "migrations pending: run sathi db upgrade")
        return 0 if current else 1
    finally:
        await engine.dispose()


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Runs the action."""
    return asyncio.run(_run(args.action, settings))
