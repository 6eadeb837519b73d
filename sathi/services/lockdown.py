"""Lockdown, for the day the police arrive (README, "Lockdown drill").

One call: every staff token is revoked (the caller's too: log in again), every account but the
caller's is disabled, and the API stops showing cases (423) until an admin lifts it. Optionally
the data key file on this host is overwritten and deleted: then no copy of the database, and no
backup, can be read ever again, by anyone, including the union.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.db import utcnow
from sathi.errors import Invalid
from sathi.models import Staff, StaffToken
from sathi.models_privacy import Lockdown
from sathi.settings import Settings

log = logging.getLogger(__name__)

CONFIRMATION = "destroy every case forever"


@dataclass
class LockdownDone:
    """What the lockdown did (counts and the key file's fate, nothing else)."""

    tokens_revoked: int
    accounts_disabled: int
    key_file_destroyed: str | None = None


def active_clause() -> ColumnElement[bool]:
    """True while a lockdown is in force, as a column (other queries read it along)."""
    return exists().where(Lockdown.active.is_(True))


async def is_active(session: AsyncSession) -> bool:
    """True while a lockdown is in force."""
    return bool(await session.scalar(select(active_clause())))


def destroy_key_file(settings: Settings) -> str:
    """Overwrites and deletes the data key file; returns its path. Refuses a key in a variable."""
    if settings.data_key is not None:
        raise Invalid("the data key is in SATHI_DATA_KEY, not in a file on this host: remove it "
                      "from the environment and restart", field="destroy_data_key")
    path = Path(settings.data_key_file or (settings.data_dir / "sathi.key"))
    if not path.exists():
        raise Invalid(f"no key file at {path}", field="destroy_data_key")
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.write(os.urandom(max(size, 64)))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
    log.warning("lockdown: the data key file %s was destroyed", path)
    return str(path)


async def start(
    session: AsyncSession, settings: Settings, *, keep: Staff | None,
    destroy_data_key: bool = False, confirmation: str | None = None,
) -> LockdownDone:
    """Revokes, disables, hides; with destroy_data_key (and the exact confirmation) the key too."""
    if destroy_data_key and confirmation != CONFIRMATION:
        raise Invalid(f'destroying the data key needs confirm: "{CONFIRMATION}"',
                      field="confirm")
    now = utcnow()
    revoked = await session.execute(
        update(StaffToken).where(StaffToken.revoked_at.is_(None)).values(revoked_at=now))
    disable = update(Staff).where(Staff.is_active.is_(True))
    if keep is not None:
        disable = disable.where(Staff.id != keep.id)
    disabled = await session.execute(disable.values(is_active=False, updated_at=now))
    if not await is_active(session):
        session.add(Lockdown(active=True, started_at=now,
                             started_by_id=keep.id if keep else None))
    done = LockdownDone(revoked.rowcount, disabled.rowcount)  # type: ignore[attr-defined]
    await session.flush()
    if destroy_data_key:
        done.key_file_destroyed = destroy_key_file(settings)
    log.warning("lockdown started: %d tokens revoked, %d accounts disabled",
                done.tokens_revoked, done.accounts_disabled)
    return done


async def lift(session: AsyncSession) -> bool:
    """Shows cases again (accounts stay disabled: an admin enables them one by one)."""
    result = await session.execute(
        update(Lockdown).where(Lockdown.active.is_(True)).values(active=False, lifted_at=utcnow()))
    log.warning("lockdown lifted")
    return bool(result.rowcount)  # type: ignore[attr-defined]
