"""Canned replies: prepared answers per language that volunteers send as they are."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.db import utcnow
from sathi.errors import Invalid, NotAllowed, NotFound
from sathi.models import CannedReply, Staff
from sathi.services import access
from sathi.services.staff import LANGUAGE

MAX_BODY = 4096  # a canned reply is sent as one Telegram message


def _check(staff: Staff, lang: str) -> None:
    if not LANGUAGE.match(lang):
        raise Invalid(f"{lang!r} is not a language code such as ne, bn, tl", field="lang")
    if not access.handles_language(staff, lang):
        raise NotAllowed(f"you do not handle {lang}")


async def create_canned_reply(
    session: AsyncSession, *, staff: Staff, lang: str, title: str, body: str
) -> CannedReply:
    """Adds a canned reply in a language the staff member handles."""
    access.require_case_worker(staff)
    _check(staff, lang)
    if not title.strip() or not body.strip():
        raise Invalid("a canned reply needs a title and a body", field="body")
    if len(body) > MAX_BODY:
        raise Invalid(f"at most {MAX_BODY} characters", field="body")
    now = utcnow()
    reply = CannedReply(
        lang=lang, title=title.strip(), body=body, created_by_id=staff.id, created_at=now,
        updated_at=now,
    )
    session.add(reply)
    await session.flush()
    return reply


async def list_canned_replies(
    session: AsyncSession, *, staff: Staff, lang: str | None = None
) -> list[CannedReply]:
    """The canned replies in the staff member's languages (or one of them), by title."""
    access.require_case_worker(staff)
    query = select(CannedReply).order_by(CannedReply.lang, CannedReply.title, CannedReply.id)
    languages = access.visible_languages(staff)
    if languages is not None:
        query = query.where(CannedReply.lang.in_(languages))
    if lang is not None:
        query = query.where(CannedReply.lang == lang)
    return list(await session.scalars(query))


async def get_canned_reply(session: AsyncSession, *, staff: Staff, reply_id: int) -> CannedReply:
    """One canned reply; NotFound if missing or in a language the staff member does not handle."""
    access.require_case_worker(staff)
    reply = await session.get(CannedReply, reply_id)
    if reply is None or not access.handles_language(staff, reply.lang):
        raise NotFound(f"canned reply {reply_id} not found")
    return reply


async def update_canned_reply(
    session: AsyncSession, *, staff: Staff, reply_id: int, title: str | None = None,
    body: str | None = None,
) -> CannedReply:
    """Changes the title or the body of a canned reply."""
    reply = await get_canned_reply(session, staff=staff, reply_id=reply_id)
    if title is not None:
        if not title.strip():
            raise Invalid("must not be blank", field="title")
        reply.title = title.strip()
    if body is not None:
        if not body.strip():
            raise Invalid("must not be blank", field="body")
        reply.body = body
    reply.updated_at = utcnow()
    return reply


async def delete_canned_reply(session: AsyncSession, *, staff: Staff, reply_id: int) -> None:
    """Removes a canned reply (replies already sent keep their text)."""
    reply = await get_canned_reply(session, staff=staff, reply_id=reply_id)
    await session.delete(reply)
