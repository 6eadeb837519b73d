"""Encryption at rest and keyed pseudonyms, so a seized database file reveals no worker.

One 32-byte master key (SATHI_DATA_KEY or a key file, never in the database) is split with HKDF
into a Fernet key for the encrypted columns and an HMAC key for pseudonymous Telegram ids.
"""

import base64
import hashlib
import hmac
import logging
import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from sathi.errors import ConfigError
from sathi.settings import Settings

log = logging.getLogger(__name__)


class Vault:
    """Encrypts and decrypts text and makes pseudonyms, from one master key."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ConfigError("SATHI_DATA_KEY: must decode to 32 bytes (make one: sathi keygen)")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(master_key, b"sathi encryption")))
        self._id_key = _derive(master_key, b"sathi pseudonyms")

    def encrypt(self, text: str) -> str:
        """Returns a Fernet token (authenticated encryption) for the text."""
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Returns the text of a token; a wrong key is a configuration error, not data loss."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ConfigError(
                "SATHI_DATA_KEY: cannot decrypt stored data (is this the key the data was "
                "written with?)"
            ) from None

    def pseudonym(self, kind: str, value: int | str) -> str:
        """A stable keyed hash of an identifier: equal inputs match, the input cannot be read."""
        message = f"{kind}:{value}".encode()
        return hmac.new(self._id_key, message, hashlib.sha256).hexdigest()


def _derive(master_key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master_key)


def new_key() -> str:
    """A fresh master key, printable."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def _decode_key(text: str, source: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except ValueError:
        raise ConfigError(f"{source}: is not a base64 key (make one: sathi keygen)") from None
    if len(key) != 32:
        raise ConfigError(f"{source}: must decode to 32 bytes (make one: sathi keygen)")
    return key


def load_master_key(settings: Settings) -> bytes:
    """Finds the master key: the variable, the key file, or (embedded default only) a new file."""
    if settings.data_key is not None:
        return _decode_key(settings.data_key.get_secret_value(), "SATHI_DATA_KEY")
    key_file = settings.data_key_file or (settings.data_dir / "sathi.key")
    if key_file.exists():
        source = f"SATHI_DATA_KEY_FILE ({key_file})"
        check_owner_only(key_file, source)
        return _decode_key(key_file.read_text(encoding="ascii"), source)
    if settings.data_key_file is not None:
        raise ConfigError(f"SATHI_DATA_KEY_FILE: {key_file} does not exist")
    if not settings.uses_embedded_database:
        raise ConfigError(
            "SATHI_DATA_KEY: required with SATHI_DATABASE_URL (or set SATHI_DATA_KEY_FILE); "
            "keep the key off the database host"
        )
    key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(new_key() + "\n")
    log.warning("Created a new data key at %s (owner-only). Back it up: without it the "
                "stored cases cannot be read.", key_file.resolve())
    return _decode_key(key_file.read_text(encoding="ascii"), str(key_file))


def check_owner_only(path: Path, source: str) -> None:
    """Refuses a key file that the group or others can read or write (exit 2 in the CLI)."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(
            f"{source}: is readable by others (mode {mode:o}); make it owner-only: "
            f"chmod 600 {path}"
        )


_vault: Vault | None = None


def install_vault(vault: Vault) -> None:
    """Makes the vault the one EncryptedText columns use (called once by each entry point)."""
    global _vault
    _vault = vault


def current_vault() -> Vault:
    """The installed vault; an entry point that forgot to install one is a bug."""
    if _vault is None:
        raise RuntimeError("no vault installed: call sathi.crypto.install_vault() at start-up")
    return _vault


def vault_from_settings(settings: Settings) -> Vault:
    """Builds and installs the vault for these settings."""
    vault = Vault(load_master_key(settings))
    install_vault(vault)
    return vault


class EncryptedText(TypeDecorator[str]):
    """A text column stored as a Fernet token; plain text never reaches the database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: object) -> str | None:
        """Encrypts on the way in."""
        return None if value is None else current_vault().encrypt(value)

    def process_result_value(self, value: str | None, dialect: object) -> str | None:
        """Decrypts on the way out."""
        return None if value is None else current_vault().decrypt(value)

