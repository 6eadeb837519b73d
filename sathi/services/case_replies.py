"""Which case a volunteer's message in the worker's chat belongs to, by its Telegram message id.

A worker's Telegram reply to such a message goes to that case, not to the newest one. Only the
message id is kept (the case names the chat); the rows go with the case's content (erasure).
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.models import Case, CaseReply, Member


def remember(session: AsyncSession, *, case_id: int, telegram_ids: Iterable[int]) -> None:
    """Keeps the Telegram message ids of one delivered reply, in the caller's transaction."""
    session.add_all(
        CaseReply(case_id=case_id, telegram_message_id=message_id) for message_id in telegram_ids
    )


async def case_replied_to(
    session: AsyncSession, *, member: Member, telegram_message_id: int
) -> Case | None:
    """The member's case whose volunteer message they replied to in Telegram, if any."""
    return await session.scalar(
        select(Case)
        .join(CaseReply, CaseReply.case_id == Case.id)
        .where(Case.member_id == member.id, CaseReply.telegram_message_id == telegram_message_id)
        .order_by(CaseReply.id.desc())
        .limit(1)
    )
