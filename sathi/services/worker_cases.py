"""A worker's side of their cases (the bot, led there by escalation.py).

open_case, add_worker_message, open_cases_for_member, find_case_for_member,
close_case_by_worker, reopen_case_by_worker, rate_case, case_languages. The rules of a change
(status, reopen, urgency, the audit trail) are case_state's; the volunteers' side is
volunteer_cases.py.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.db import utcnow
from sathi.enums import (
    FILE_KINDS,
    OPEN_STATUSES,
    CaseEventKind,
    CaseStatus,
    MessageDirection,
    MessageKind,
    Urgency,
)
from sathi.errors import Invalid, InvalidTransition, NotAllowed, NotFound
from sathi.models import Case, CaseMessage, Member
from sathi.sealing import fresh_case_key
from sathi.services import case_state, notices
from sathi.services.references import normalize_reference, unique_reference
from sathi.services.urgency import is_emergency


def _check_content(kind: MessageKind, text: str | None, file_id: str | None) -> None:
    if kind == MessageKind.article:
        raise Invalid("workers do not send articles", field="kind")
    if kind == MessageKind.text and not (text and text.strip()):
        raise Invalid("a text message needs text", field="text")
    if kind in FILE_KINDS and not file_id:
        raise Invalid(f"a {kind} message needs its Telegram file id", field="file_id")


def _worker_message(
    case: Case, kind: MessageKind, text: str | None, file_id: str | None
) -> CaseMessage:
    return CaseMessage(
        case_id=case.id, direction=MessageDirection.inbound, kind=kind, text=text or None,
        file_id=file_id, created_at=utcnow(),
    )


@case_state.one_writer
async def open_case(
    session: AsyncSession,
    *,
    member: Member,
    lang: str,
    consent: bool,
    topic: str | None = None,
    kind: MessageKind | None = None,
    text: str | None = None,
    file_id: str | None = None,
    urgent: bool = False,
    volunteer_chat_id: int | None = None,
    consent_at: datetime | None = None,
) -> Case:
    """Opens a case for the member, optionally with their first message.

    The case is urgent when `urgent` is set or the text has an emergency word; volunteers get a
    notice in their group (reference, language, topic, urgency only) when a chat id is given.
    `consent_at` is when the worker agreed, if earlier than now (the bot asks first).

    Raises:
        NotAllowed: the worker has not agreed to share their messages with volunteers.
        Invalid: the message is empty or a file message has no file id.

    """
    if consent is not True:
        raise NotAllowed("the worker must agree before their messages go to a volunteer")
    if kind is not None:
        _check_content(kind, text, file_id)
    now = utcnow()
    emergency = urgent or is_emergency(text)
    case = Case(
        reference=await unique_reference(session), member_id=member.id, lang=lang, topic=topic,
        urgency=Urgency.urgent if emergency else Urgency.normal, status=CaseStatus.new,
        consent_at=consent_at or now, created_at=now, updated_at=now,
    )
    session.add(case)
    await session.flush()
    await fresh_case_key(case)
    case_state.record(session, case, CaseEventKind.opened, now=now)
    if kind is not None:
        session.add(_worker_message(case, kind, text, file_id))
        case.last_worker_message_at = now
    await notices.notify_volunteers(
        session, case=case, reason="urgent" if emergency else "new", chat_id=volunteer_chat_id
    )
    return await case_state.reload(session, case)


async def _member_case(session: AsyncSession, member: Member, case_id: int) -> Case:
    case = await case_state.load_case(session, case_id, for_update=True)
    if case is None or case.member_id != member.id:
        raise NotFound(f"case {case_id} not found")
    return case


@case_state.one_writer
async def add_worker_message(
    session: AsyncSession,
    *,
    member: Member,
    case_id: int,
    kind: MessageKind,
    text: str | None = None,
    file_id: str | None = None,
    volunteer_chat_id: int | None = None,
) -> Case:
    """Adds a worker's message to their open case.

    A case waiting for the worker goes back to its volunteer; a resolved case reopens; emergency
    words make a normal case urgent (and send a notice when a chat id is given).

    Raises:
        NotFound: not this member's case.
        InvalidTransition: the case is closed (the bot offers a new one).

    """
    _check_content(kind, text, file_id)
    case = await _member_case(session, member, case_id)
    if case.status not in OPEN_STATUSES:
        raise InvalidTransition(f"case {case.reference} is closed")
    now = utcnow()
    session.add(_worker_message(case, kind, text, file_id))
    case_state.worker_wrote(session, case, now=now)
    if case.urgency != Urgency.urgent and is_emergency(text):
        case_state.set_urgency(session, case, Urgency.urgent)
        await notices.notify_volunteers(
            session, case=case, reason="urgent", chat_id=volunteer_chat_id
        )
    return await case_state.reload(session, case)


async def open_cases_for_member(session: AsyncSession, *, member: Member) -> list[Case]:
    """The member's cases that are not closed, oldest first (for /cases)."""
    query = (
        select(Case)
        .where(Case.member_id == member.id, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.created_at, Case.id)
    )
    return list(await session.scalars(query))


async def case_languages(session: AsyncSession, *, case_ids: Iterable[int]) -> dict[int, str]:
    """The language of each case: the bot speaks to the worker in it about the case."""
    ids = set(case_ids)
    if not ids:
        return {}
    rows = await session.execute(select(Case.id, Case.lang).where(Case.id.in_(ids)))
    return {case_id: lang for case_id, lang in rows}


async def find_case_for_member(session: AsyncSession, *, member: Member, reference: str) -> Case:
    """The member's case with the reference they typed; NotFound otherwise."""
    code = normalize_reference(reference)
    case = None
    if code is not None:
        case = await session.scalar(
            select(Case).where(Case.reference == code, Case.member_id == member.id)
        )
    if case is None:
        raise NotFound("no case with this reference")
    return case


@case_state.one_writer
async def close_case_by_worker(session: AsyncSession, *, member: Member, case_id: int) -> Case:
    """The worker closes their case; InvalidTransition if it is closed already."""
    case = await _member_case(session, member, case_id)
    if case.status == CaseStatus.closed:
        raise InvalidTransition(f"case {case.reference} is already closed")
    now = utcnow()
    case_state.record(session, case, CaseEventKind.closed_by_worker, now=now)
    case_state.move(session, case, CaseStatus.closed, now=now)
    return await case_state.reload(session, case)


@case_state.one_writer
async def reopen_case_by_worker(session: AsyncSession, *, member: Member, case_id: int) -> Case:
    """The worker says a resolved case is not solved: back to its volunteer."""
    case = await _member_case(session, member, case_id)
    if case.status != CaseStatus.resolved:
        raise InvalidTransition(f"case {case.reference} is not resolved")
    case_state.reopen(session, case)
    return await case_state.reload(session, case)


@case_state.one_writer
async def rate_case(
    session: AsyncSession, *, member: Member, case_id: int, rating: int,
    comment: str | None = None,
) -> Case:
    """The worker rates the help (1-5) once the case is resolved or closed."""
    if not 1 <= rating <= 5:
        raise Invalid("must be from 1 to 5", field="rating")
    case = await _member_case(session, member, case_id)
    case_state.rate(session, case, rating, comment)
    return await case_state.reload(session, case)
