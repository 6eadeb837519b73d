"""`sathi keys rotate`: re-wraps every case key with a new data key (no row is re-encrypted).

The old key is the one Sathi is configured with (SATHI_DATA_KEY or the key file); the new one
is read from `--new-key-file` (make it with `sathi keygen > new.key && chmod 600 new.key`).
When the old key came from a file, that file is replaced by the new key, so the old key is no
longer on this host; when it came from SATHI_DATA_KEY, set the variable to the new key before
the next start (Sathi refuses the old one: the store remembers which key wraps it).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from sathi.crypto import _decode_key, check_owner_only, load_master_key
from sathi.errors import ConfigError
from sathi.keystore import KeyStore
from sathi.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the sub-command."""
    parser = subparsers.add_parser("keys", help="rotate the data key")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    rotate = actions.add_parser("rotate", help="re-wrap the case keys with a new data key")
    rotate.add_argument("--new-key-file", type=Path, required=True,
                        help="the new data key (owner-only file, from `sathi keygen`)")
    rotate.set_defaults(func=run)


def _replace_file(path: Path, key_text: str) -> None:
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key_text.strip() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Re-wraps, then puts the new key where the old one was (or says where to put it)."""
    new_file: Path = args.new_key_file
    if not new_file.exists():
        raise ConfigError(f"--new-key-file: {new_file} does not exist")
    check_owner_only(new_file, f"--new-key-file ({new_file})")
    new_text = new_file.read_text(encoding="ascii")
    new_key = _decode_key(new_text, f"--new-key-file ({new_file})")
    old_key = load_master_key(settings)
    if new_key == old_key:
        raise ConfigError("--new-key-file: is the key already in use")
    path = settings.case_keys_path
    if not path.exists():
        raise ConfigError(f"SATHI_CASE_KEYS_FILE: {path} does not exist (nothing to rotate)")
    store = KeyStore(path, old_key)
    try:
        count = store.rewrap(new_key)
    finally:
        store.close()
    print(f"re-wrapped {count} keys in {path} with the new data key")
    if settings.data_key is not None:
        print("now set SATHI_DATA_KEY to the new key (the old one no longer opens the store), "
              "then destroy every copy of the old key")
        return 0
    key_file = settings.data_key_file or (settings.data_dir / "sathi.key")
    _replace_file(key_file, new_text)
    print(f"{key_file} now holds the new key; destroy {new_file} and every copy of the old key")
    return 0
