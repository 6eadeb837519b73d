"""The case-key store: one random key per case and per worker, wrapped with the data key.

It is a small SQLite file next to the data key (SATHI_CASE_KEYS_FILE, by default
`<data dir>/case-keys.db`), deliberately NOT inside the database: a backup or a seized copy of
the database holds only ciphertext, and when a case or a worker is erased its key is deleted
here (with SQLite's secure_delete, so the freed page is zeroed), which makes every copy of that
case's rows -- live, in the WAL, in last month's backup -- unreadable for good.

The data key wraps (encrypts) every key in this file; `sathi keys rotate` re-wraps them with a
new data key without touching a single row of the database. The file also keeps the two
long-lived keys (the column key for non-case data and the pseudonym key) so that a rotation does
not change how Telegram ids are pseudonymised.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from sathi.errors import ConfigError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wrapped_key (name TEXT PRIMARY KEY, wrapped TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS wrapping (id INTEGER PRIMARY KEY CHECK (id = 1), check_value TEXT);
"""


def _check_value(master_key: bytes) -> str:
    return hmac.new(master_key, b"sathi keystore check", hashlib.sha256).hexdigest()


def _wrapper(master_key: bytes) -> Fernet:
    from sathi.crypto import derive

    return Fernet(base64.urlsafe_b64encode(derive(master_key, b"sathi key wrapping")))


class KeyStore:
    """Named 32-byte keys, wrapped with the data key, in a file of their own (or in memory)."""

    def __init__(self, path: Path | None, master_key: bytes) -> None:
        self.path = path
        if path is not None:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not path.exists():
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            from sathi.crypto import check_owner_only

            check_owner_only(path, f"SATHI_CASE_KEYS_FILE ({path})")
        self._db = sqlite3.connect(
            str(path) if path else ":memory:", isolation_level=None, check_same_thread=False,
            timeout=30,
        )
        self._lock = threading.Lock()
        self._cache: dict[str, bytes] = {}
        with self._lock:
            self._db.execute("PRAGMA secure_delete = ON")
            self._db.execute("PRAGMA journal_mode = DELETE")
            self._db.executescript(_SCHEMA)
        self._master = master_key
        self._fernet = _wrapper(master_key)
        self._verify_or_claim(master_key)

    def _verify_or_claim(self, master_key: bytes) -> None:
        with self._lock:
            row = self._db.execute("SELECT check_value FROM wrapping WHERE id = 1").fetchone()
            if row is None:
                self._db.execute("INSERT OR IGNORE INTO wrapping VALUES (1, ?)",
                                 (_check_value(master_key),))
                return
        if not hmac.compare_digest(row[0], _check_value(master_key)):
            raise ConfigError(
                f"SATHI_DATA_KEY: is not the key the case-key store {self.path} is wrapped with "
                "(after `sathi keys rotate`, start with the new key)"
            )

    def get(self, name: str) -> bytes | None:
        """The key, or None when it was never made or has been destroyed."""
        key = self._cache.get(name)
        if key is not None:
            return key
        with self._lock:
            row = self._db.execute(
                "SELECT wrapped FROM wrapped_key WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            return None
        try:
            key = self._fernet.decrypt(row[0].encode("ascii"))
        except InvalidToken:
            raise ConfigError(f"SATHI_DATA_KEY: cannot unwrap the key {name}") from None
        self._cache[name] = key
        return key

    def get_or_create(self, name: str, initial: bytes | None = None) -> bytes:
        """The key, made (random, or `initial`) and stored on first use."""
        key = self.get(name)
        if key is not None:
            return key
        fresh = initial if initial is not None else os.urandom(32)
        wrapped = self._fernet.encrypt(fresh).decode("ascii")
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO wrapped_key VALUES (?, ?)", (name, wrapped))
        self._cache.pop(name, None)
        found = self.get(name)  # another process may have won the race: use its key
        assert found is not None
        return found

    def missing(self, names: Iterable[str]) -> list[str]:
        """The names among these that have no key (yet, or any more)."""
        return [name for name in dict.fromkeys(names) if self.get(name) is None]

    def create(self, names: list[str], *, renew: bool = False) -> None:
        """Makes random keys for these names (those without one), all in one commit.

        Each commit of this file waits for the disk (here 7 ms, at times 25): the bot makes a
        getUpdates batch's new workers' keys with one, in a thread, not one each on its loop.
        `renew`: any key already under a name is destroyed first, in the same commit.
        """
        rows = [(name, self._fernet.encrypt(os.urandom(32)).decode("ascii")) for name in names]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if renew:
                    self._db.executemany("DELETE FROM wrapped_key WHERE name = ?",
                                         [(name,) for name in names])
                    for name in names:
                        self._cache.pop(name, None)
                self._db.executemany("INSERT OR IGNORE INTO wrapped_key VALUES (?, ?)", rows)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Many new keys in one commit instead of one each (a bulk loader makes 100,000).

        For a single process that loads data alone (benchmarks/seed_cases.py); rolled back
        on error.
        """
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with self._lock:
                self._db.execute("ROLLBACK")
            raise
        with self._lock:
            self._db.execute("COMMIT")

    def destroy(self, names: list[str]) -> int:
        """Deletes keys for good; what they encrypted can never be read again. Returns how many."""
        if not names:
            return 0
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                count = 0
                for name in names:
                    count += self._db.execute(
                        "DELETE FROM wrapped_key WHERE name = ?", (name,)
                    ).rowcount
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        for name in names:
            self._cache.pop(name, None)
        return count

    def count(self, prefix: str = "") -> int:
        """How many keys there are (whose name starts with prefix)."""
        with self._lock:
            return int(self._db.execute(
                "SELECT count(*) FROM wrapped_key WHERE name LIKE ?", (prefix + "%",)
            ).fetchone()[0])

    def rewrap(self, new_master_key: bytes) -> int:
        """Re-encrypts every stored key with a new data key, in one transaction; how many."""
        new = _wrapper(new_master_key)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                rows = self._db.execute("SELECT name, wrapped FROM wrapped_key").fetchall()
                for name, wrapped in rows:
                    key = self._fernet.decrypt(wrapped.encode("ascii"))
                    self._db.execute("UPDATE wrapped_key SET wrapped = ? WHERE name = ?",
                                     (new.encrypt(key).decode("ascii"), name))
                self._db.execute("UPDATE wrapping SET check_value = ? WHERE id = 1",
                                 (_check_value(new_master_key),))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        self._fernet = new
        self._master = new_master_key
        return len(rows)

    def close(self) -> None:
        """Closes the file."""
        with self._lock:
            self._db.close()
