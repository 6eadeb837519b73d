"""Encryption at rest and keyed pseudonyms, so a seized database file reveals no worker.

One 32-byte master key (SATHI_DATA_KEY or a key file, never in the database) wraps the keys in
the case-key store (sathi/keystore.py): a column key for non-case data and an HMAC key for
pseudonymous Telegram ids (first derived with HKDF from the master key, so data written before
the store existed still reads), and one random key per case and per worker. A case's words are
encrypted with the case's key (tokens `k1:case-<id>:...`), a worker's chat id with the worker's
key; destroying that key erases them from every copy of the database (crypto-shredding).
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


class KeyDestroyed(Exception):
    """The row was encrypted with a case's or worker's key that has been destroyed (erased)."""


class Sealed(str):
    """Text to be encrypted with a named key of the key store (set by sathi/sealing.py)."""

    key_name: str

    def __new__(cls, value: str, key_name: str) -> "Sealed":  # noqa: D102
        sealed = super().__new__(cls, value)
        sealed.key_name = key_name
        return sealed


_KEYED = "k1:"


class Vault:
    """Encrypts and decrypts text and makes pseudonyms, from one master key and its key store."""

    def __init__(self, master_key: bytes, keystore_path: Path | None = None) -> None:
        if len(master_key) != 32:
            raise ConfigError("SATHI_DATA_KEY: must decode to 32 bytes (make one: sathi keygen)")
        from sathi.keystore import KeyStore

        self.keys = KeyStore(keystore_path, master_key)
        column_key = self.keys.get_or_create(
            "column", initial=_derive(master_key, b"sathi encryption"))
        self._fernet = Fernet(base64.urlsafe_b64encode(column_key))
        self._id_key = self.keys.get_or_create(
            "pseudonyms", initial=_derive(master_key, b"sathi pseudonyms"))
        self._named: dict[str, Fernet] = {}

    def _named_fernet(self, name: str, create: bool) -> Fernet:
        fernet = self._named.get(name)
        if fernet is None:
            key = self.keys.get_or_create(name) if create else self.keys.get(name)
            if key is None:
                raise KeyDestroyed(name)
            fernet = Fernet(base64.urlsafe_b64encode(key))
            self._named[name] = fernet
        return fernet

    def forget_keys(self, names: list[str]) -> int:
        """Destroys named keys (a case's, a worker's): their rows become unreadable everywhere."""
        for name in names:
            self._named.pop(name, None)
        return self.keys.destroy(names)

    def renew_keys(self, names: list[str]) -> None:
        """Gives these names new keys, destroying any old ones (a new case under a used id)."""
        for name in names:
            self._named.pop(name, None)
        self.keys.create(names, renew=True)

    def encrypt(self, text: str) -> str:
        """Returns a Fernet token (authenticated encryption) for the text.

        Sealed text is encrypted with its own key (`k1:<key name>:<token>`), other text with
        the column key.
        """
        if isinstance(text, Sealed):
            token = self._named_fernet(text.key_name, create=True).encrypt(text.encode("utf-8"))
            return f"{_KEYED}{text.key_name}:{token.decode('ascii')}"
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Returns the text of a token; a wrong key is a configuration error, not data loss.

        A token whose key was destroyed raises KeyDestroyed: its words are gone for good.
        """
        fernet = self._fernet
        if token.startswith(_KEYED):
            name, token = token[len(_KEYED):].split(":", 1)
            fernet = self._named_fernet(name, create=False)
        try:
            return fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            if fernet is not self._fernet:
                raise KeyDestroyed("the key was replaced (its case was erased)") from None
            raise ConfigError(
                "SATHI_DATA_KEY: cannot decrypt stored data (is this the key the data was "
                "written with?)"
            ) from None

    def pseudonym(self, kind: str, value: int | str) -> str:
        """A stable keyed hash of an identifier: equal inputs match, the input cannot be read."""
        message = f"{kind}:{value}".encode()
        return hmac.new(self._id_key, message, hashlib.sha256).hexdigest()


def derive(master_key: bytes, purpose: bytes) -> bytes:
    """A 32-byte key for one purpose, from the master key (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master_key)


_derive = derive


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
    vault = Vault(load_master_key(settings), settings.case_keys_path)
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



class EncryptedInt(TypeDecorator[int]):
    """An integer (a Telegram chat id) stored encrypted, like EncryptedText."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: object) -> str | None:
        """Encrypts the decimal digits."""
        return None if value is None else current_vault().encrypt(str(int(value)))

    def process_result_value(self, value: str | None, dialect: object) -> int | None:
        """Decrypts back to the integer."""
        return None if value is None else int(current_vault().decrypt(value))
