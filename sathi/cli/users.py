"""`sathi users create|list`: the first admin is made here; admins make the rest in the API."""

import argparse
import asyncio
import getpass
import sys

from sathi import migrations
from sathi.db import make_engine, make_sessionmaker
from sathi.enums import Role
from sathi.errors import Conflict, Invalid
from sathi.services import staff
from sathi.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the sub-command."""
    parser = subparsers.add_parser("users", help="staff accounts for the admin API")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create an account (asks for the password)")
    create.add_argument("username")
    create.add_argument("--role", choices=[role.value for role in Role], required=True)
    create.add_argument(
        "--language", action="append", default=[], metavar="CODE", dest="languages",
        help="a language the account handles, e.g. ne (repeat for several)",
    )
    create.add_argument(
        "--password-stdin", action="store_true",
        help="read the password from the first line of standard input instead of a prompt",
    )
    actions.add_parser("list", help="list the accounts")
    parser.set_defaults(func=run)


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        print("sathi: the passwords do not match", file=sys.stderr)
        return None
    return first


async def _run(args: argparse.Namespace, settings: Settings, password: str | None) -> int:
    settings.prepare_data_dir()
    engine = make_engine(settings.database)
    try:
        await migrations.upgrade(engine)
        async with make_sessionmaker(engine).begin() as session:
            if args.action == "list":
                for account in await staff.list_staff(session):
                    state = "active" if account.is_active else "inactive"
                    languages = ",".join(account.languages) or "-"
                    print(f"{account.username}\t{account.role}\t{languages}\t{state}")
                return 0
            assert password is not None
            account = await staff.create_staff(
                session, username=args.username, password=password, role=Role(args.role),
                languages=args.languages,
            )
        print(f"created {account.role} {account.username}")
        return 0
    except (Invalid, Conflict) as exc:
        where = f"{exc.field}: " if isinstance(exc, Invalid) and exc.field else ""
        print(f"sathi: {where}{exc}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Runs the action."""
    password = None
    if args.action == "create":
        password = _read_password(args.password_stdin)
        if password is None:
            return 1
    return asyncio.run(_run(args, settings, password))
