"""Who read which case and when: an access log with no case content (admins list it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.db import utcnow
from sathi.models import Staff
from sathi.models_privacy import CaseAccess


def record(session: AsyncSession, *, staff: Staff, case_id: int, action: str) -> None:
    """Adds an entry in the request's transaction (kept only if the request succeeds)."""
    session.add(CaseAccess(case_id=case_id, staff_id=staff.id, action=action[:32], at=utcnow()))


async def entries(
    session: AsyncSession, *, case_id: int | None = None, staff_id: int | None = None,
    since: datetime | None = None, limit: int = 100, offset: int = 0,
) -> list[CaseAccess]:
    """Newest first, filtered."""
    query = select(CaseAccess).order_by(CaseAccess.id.desc()).limit(limit).offset(offset)
    if case_id is not None:
        query = query.where(CaseAccess.case_id == case_id)
    if staff_id is not None:
        query = query.where(CaseAccess.staff_id == staff_id)
    if since is not None:
        query = query.where(CaseAccess.at >= since)
    return list(await session.scalars(query))


async def last_seen(
    session: AsyncSession, *, staff_id: int, case_ids: list[int]
) -> dict[int, datetime]:
    """When this staff member last opened or acted on each case (for the console's unread mark)."""
    if not case_ids:
        return {}
    query = (
        select(CaseAccess.case_id, func.max(CaseAccess.at))
        .where(CaseAccess.staff_id == staff_id, CaseAccess.case_id.in_(case_ids))
        .group_by(CaseAccess.case_id)
    )
    return {case_id: at for case_id, at in await session.execute(query)}
