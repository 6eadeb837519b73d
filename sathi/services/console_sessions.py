"""Web console sessions: a staff token carried in a cookie, with an idle and an absolute timeout.

The token is the same kind of row as an API bearer token (so a password change, a reset or a
deactivation ends console sessions too), marked by `idle_until`; the API refuses such a token as
a bearer token, and the console refuses bearer tokens. The CSRF token of a session is an HMAC of
the session's secret: only whoever holds the cookie can know it, and nothing extra is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.db import utcnow
from sathi.errors import Invalid, NotAuthenticated
from sathi.models import Staff, StaffToken
from sathi.services import staff as staff_service


@dataclass(frozen=True)
class Timeouts:
    """How long a console session lives: in all, and without a request."""

    absolute: timedelta
    idle: timedelta


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in console user and the session's CSRF token."""

    staff: Staff
    token: str
    csrf: str


def csrf_token(token: str) -> str:
    """The CSRF token that belongs to a session token."""
    return hmac.new(token.encode("utf-8", "surrogatepass"), b"sathi-console-csrf",
                    hashlib.sha256).hexdigest()


def csrf_matches(token: str, sent: str | None) -> bool:
    """True when the form carried this session's CSRF token."""
    return bool(sent) and hmac.compare_digest(csrf_token(token), str(sent))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


async def open_session(
    session: AsyncSession, *, username: str, password: str, timeouts: Timeouts
) -> ConsoleSession:
    """Checks the credentials (as the API's login does) and starts a console session."""
    staff = await staff_service.authenticate(session, username=username, password=password)
    now = utcnow()
    token = secrets.token_urlsafe(32)
    session.add(StaffToken(
        staff_id=staff.id, token_hash=_hash(token), created_at=now,
        expires_at=now + timeouts.absolute, idle_until=now + timeouts.idle,
    ))
    staff.last_login_at = now
    await session.flush()
    return ConsoleSession(staff=staff, token=token, csrf=csrf_token(token))


async def resume(
    session: AsyncSession, *, token: str, timeouts: Timeouts, touch: bool = True,
    now: datetime | None = None,
) -> ConsoleSession:
    """The session behind a cookie; `touch` counts this request as activity.

    Raises:
        NotAuthenticated: unknown, revoked, expired or idle too long, or the account is inactive.

    """
    now = now or utcnow()
    row = await session.scalar(select(StaffToken).where(StaffToken.token_hash == _hash(token)))
    if (
        row is None or row.idle_until is None or row.revoked_at is not None
        or row.expires_at <= now or row.idle_until <= now
    ):
        raise NotAuthenticated("your session has ended; log in again")
    if not row.staff.is_active:
        raise NotAuthenticated("this account is deactivated")
    if touch:
        row.idle_until = min(now + timeouts.idle, row.expires_at)
    return ConsoleSession(staff=row.staff, token=token, csrf=csrf_token(token))


async def close(session: AsyncSession, *, token: str) -> None:
    """Logs out: the cookie stops working at once."""
    await session.execute(
        update(StaffToken)
        .where(StaffToken.token_hash == _hash(token), StaffToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def set_interface_language(staff: Staff, lang: str, available: list[str]) -> None:
    """Chooses the console's language for an account; one of the catalogs' languages."""
    if lang not in available:
        raise Invalid(f"{lang!r} is not one of {', '.join(available)}", field="lang")
    staff.interface_lang = lang
    staff.updated_at = utcnow()
