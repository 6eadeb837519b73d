"""`sathi keygen`: prints a new data key for SATHI_DATA_KEY or a key file."""

import argparse

from sathi.crypto import new_key
from sathi.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the sub-command."""
    parser = subparsers.add_parser("keygen", help="print a new data key")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Prints the key and nothing else, so it can be redirected into a file."""
    print(new_key())
    return 0
