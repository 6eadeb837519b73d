"""`sathi lockdown`: the lockdown from the server's shell (no login needed); `lift` ends it.

sathi lockdown [--keep USERNAME] [--destroy-data-key --yes-destroy-every-case-forever]
sathi lockdown lift
"""

from __future__ import annotations

import argparse
import asyncio

from sqlalchemy import select

from sathi.errors import ConfigError
from sathi.models import Staff
from sathi.runtime import open_runtime
from sathi.services import lockdown
from sathi.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the sub-command."""
    parser = subparsers.add_parser("lockdown", help="revoke every token, disable accounts, "
                                   "hide cases (see the README's drill)")
    parser.add_argument("action", nargs="?", choices=["start", "lift"], default="start")
    parser.add_argument("--keep", metavar="USERNAME", help="the one account left enabled")
    parser.add_argument("--destroy-data-key", action="store_true",
                        help="also overwrite and delete the data key file on this host: EVERY "
                             "case becomes unreadable FOREVER, for everyone")
    parser.add_argument("--yes-destroy-every-case-forever", action="store_true",
                        help="the confirmation --destroy-data-key needs")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Starts or lifts; prints what was done."""
    if args.destroy_data_key and not args.yes_destroy_every_case_forever:
        raise ConfigError("--destroy-data-key: makes every case unreadable forever; add "
                          "--yes-destroy-every-case-forever if that is what you want")

    async def act() -> str:
        runtime = await open_runtime(settings)
        try:
            async with runtime.sessionmaker.begin() as session:
                if args.action == "lift":
                    await lockdown.lift(session)
                    return "lockdown lifted: cases are shown again (accounts stay disabled)"
                keep = None
                if args.keep:
                    keep = await session.scalar(select(Staff).where(Staff.username == args.keep))
                    if keep is None:
                        raise ConfigError(f"--keep: no account {args.keep!r}")
                done = await lockdown.start(
                    session, settings, keep=keep, destroy_data_key=args.destroy_data_key,
                    confirmation=lockdown.CONFIRMATION if args.destroy_data_key else None,
                )
        finally:
            await runtime.close()
        line = (f"lockdown: {done.tokens_revoked} tokens revoked, {done.accounts_disabled} "
                "accounts disabled, cases hidden")
        if done.key_file_destroyed:
            line += f"; the data key file {done.key_file_destroyed} was destroyed"
        return line

    print(asyncio.run(act()))
    return 0
