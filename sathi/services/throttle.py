"""Login throttling: growing delays per account and per client address, kept in the database.

Each failed login counts against the account (by a keyed hash of the username, so the table
names nobody) and against the client address. After FREE_ACCOUNT (resp. FREE_ADDRESS) failures
in a row, every further failure blocks that key for 2, 4, 8 ... seconds, up to MAX_DELAY; while
blocked, logins are answered 429 with Retry-After before the password is even checked. A
success clears the account's count; an address's count is forgotten after an hour of quiet.
State lives in the database, so every instance sees the same counts.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.crypto import current_vault
from sathi.db import utcnow
from sathi.models_privacy import LoginThrottle

log = logging.getLogger(__name__)

FREE_ACCOUNT = 4  # typos happen
FREE_ADDRESS = 20  # several people behind one office router
MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)


class Throttled(Exception):
    """Too many failed logins; retry after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after} s")
        self.retry_after = retry_after


def keys(username: str, address: str | None) -> dict[str, int]:
    """The throttle keys of a login attempt and how many failures each allows for free."""
    vault = current_vault()
    found = {"a:" + vault.pseudonym("login-account", username.strip().lower()): FREE_ACCOUNT}
    if address:
        found["c:" + vault.pseudonym("login-address", address)] = FREE_ADDRESS
    return found


async def check(session: AsyncSession, names: dict[str, int], *, now: datetime | None = None
                ) -> None:
    """Raises Throttled while any of the keys is blocked."""
    now = now or utcnow()
    rows = await session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(names)))
    waits = [(row.blocked_until - now).total_seconds() for row in rows
             if row.blocked_until is not None and row.blocked_until > now]
    if waits:
        raise Throttled(max(1, math.ceil(max(waits))))


async def failed(session: AsyncSession, names: dict[str, int], *, now: datetime | None = None
                 ) -> int:
    """Counts a failure against every key; returns the longest delay now imposed (seconds)."""
    now = now or utcnow()
    longest = 0
    for name, free in names.items():
        row = await session.get(LoginThrottle, name)
        if row is None:
            row = LoginThrottle(key=name, failures=0, updated_at=now)
            session.add(row)
        elif row.updated_at < now - FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.updated_at = now
        if row.failures > free:
            delay = min(timedelta(seconds=2 ** min(row.failures - free, 20)), MAX_DELAY)
            row.blocked_until = now + delay
            longest = max(longest, int(delay.total_seconds()))
    try:
        await session.flush()
    except IntegrityError:  # another instance counted the same first failure: one is enough
        await session.rollback()
    return longest


async def succeeded(session: AsyncSession, names: dict[str, int]) -> None:
    """A good password clears the account's count (not the address's)."""
    account = [name for name in names if name.startswith("a:")]
    await session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(account)))
