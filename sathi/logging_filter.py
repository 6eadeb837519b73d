"""Logging that keeps the README's promise at every level, DEBUG included.

Libraries log what passes through them: python-telegram-bot every update and every sendMessage
(ids, names, usernames, phone numbers, texts, file ids), aiohttp and httpx/httpcore the request
URL with the bot token and the headers, aiosqlite/asyncpg/SQLAlchemy the SQL parameters (password
and token hashes, encrypted columns). So the redaction sits on the HANDLER, not in the hope that a
library stays quiet when the level is lowered:

- records of those libraries below WARNING are dropped (they are where the bodies are);
- their WARNING and above keep only the message template (arguments, which carry the bodies,
  are dropped) and the exception's type and message;
- every line that goes out has bot tokens (`bot123:ABC...`), `Authorization`/`Bearer` values and
  the configured secrets replaced by `[redacted]`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# Loggers whose records can carry update bodies, request parameters or SQL parameters.
NOISY = ("telegram", "aiohttp", "httpx", "httpcore", "hpack", "aiosqlite", "asyncpg",
         "sqlalchemy", "apscheduler", "h11", "h2", "websockets", "multipart", "python_multipart")
REDACTED = "[redacted]"
_TOKEN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{30,}")
_BEARER = re.compile(
    r"(?i)\b(bearer|authorization)(['\"]?\s*[:=,]?\s*['\"]?)(bearer\s+)?[^\s'\",)]+"
)


def _noisy(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in NOISY)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """The text with bot tokens, bearer values and the given secrets replaced."""
    text = _TOKEN.sub(REDACTED, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Drops third-party records below WARNING; strips the arguments of the others."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False drops the record for this handler."""
        if not _noisy(record.name):
            return True
        if record.levelno < logging.WARNING:
            return False
        if record.args:
            record.msg = f"{record.msg} [arguments withheld]"
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.msg = f"{record.msg} ({type(exc).__name__})"
            record.exc_info = None
            record.exc_text = None
        return True


class RedactingFormatter(logging.Formatter):
    """A formatter whose every output line has tokens and secrets removed."""

    def __init__(self, fmt: str | None = None, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        """The usual line (with traceback), scrubbed."""
        return scrub(super().format(record), self.secrets)


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def protect(handler: logging.Handler, secrets: Iterable[str] = ()) -> logging.Handler:
    """Installs the filter and the scrubbing formatter on a handler."""
    handler.addFilter(RedactingFilter())
    handler.setFormatter(RedactingFormatter(FORMAT, secrets))
    return handler


def setup_logging(level: str, secrets: Iterable[str] = ()) -> logging.Handler:
    """The root handler of every `sathi` command: stderr, redacted, at the configured level."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    handler = protect(logging.StreamHandler(), secrets)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler


def secrets_of(settings: object) -> list[str]:
    """The configured secrets no log line may show: token, webhook secret, data key."""
    found = []
    for name in ("telegram_token", "webhook_secret", "data_key"):
        value = getattr(settings, name, None)
        if value is not None:
            found.append(value.get_secret_value())
    return found
