"""`sathi`: run, chat, search, db, knowledge, keygen, keys, users, retention, lockdown."""

import argparse
import importlib
import sys

from sathi.errors import ConfigError
from sathi.logging_filter import secrets_of, setup_logging

# Each module registers its sub-command with add_parser(subparsers);
# its run(args, settings) does the work.
_COMMANDS = (
    "run", "chat", "search", "db", "knowledge", "keygen", "keys", "users", "retention",
    "lockdown",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sathi", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _COMMANDS:
        importlib.import_module(f"sathi.cli.{name}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: exit 2 with one line per problem for bad settings, never a traceback."""
    args = _parser().parse_args(argv)
    from sathi.settings import get_settings

    try:
        settings = get_settings()
        setup_logging(settings.log_level, secrets_of(settings))
        return int(args.func(args, settings) or 0)
    except ConfigError as exc:
        for line in str(exc).splitlines():
            print(f"sathi: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
