"""Workers as the database knows them: a pseudonym, an encrypted chat id and a language."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.crypto import current_vault
from sathi.db import utcnow
from sathi.models import Member


def member_key(telegram_user_id: int) -> str:
    """The pseudonym under which a Telegram user is stored."""
    return current_vault().pseudonym("telegram-user", telegram_user_id)


async def find_member(session: AsyncSession, *, telegram_user_id: int) -> Member | None:
    """The member for a Telegram user, if they wrote before."""
    key = member_key(telegram_user_id)
    return await session.scalar(select(Member).where(Member.telegram_key == key))


async def get_or_create_member(
    session: AsyncSession, *, telegram_user_id: int, chat_id: int
) -> Member:
    """The member for a Telegram user, created on first contact; keeps the chat id current."""
    member = await find_member(session, telegram_user_id=telegram_user_id)
    return await seen(session, member, telegram_user_id=telegram_user_id, chat_id=chat_id)


async def seen(
    session: AsyncSession, member: Member | None, *, telegram_user_id: int, chat_id: int
) -> Member:
    """The member who just wrote (created if None), with their chat id and day current.

    Nothing is written when both are as stored: the day is kept to the day, so a worker's
    second message of a day changes nothing.
    """
    today = day_of(utcnow())
    if member is None:
        member = Member(telegram_key=member_key(telegram_user_id), chat_id=str(chat_id),
                        created_at=today, last_seen_at=today)
        session.add(member)
        await session.flush()
    elif member.chat_id != str(chat_id):
        member.chat_id = str(chat_id)
    if member.last_seen_at != today:
        member.last_seen_at = today
    return member


def day_of(moment: datetime) -> datetime:
    """The day of a moment (UTC midnight): a member's times are kept to the day.

    Retention counts days, nothing needs the hour a worker wrote, and a seized database should
    not show it.
    """
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


async def set_locale(session: AsyncSession, *, member: Member, locale: str) -> Member:
    """Stores the language the member chose."""
    member.locale = locale
    return member


async def forget_member(session: AsyncSession, *, member: Member) -> None:
    """Deletes everything stored about a member."""
    await session.delete(member)
