"""Cases: a worker asks for a volunteer, volunteers answer. Called by the bot and the admin API.

Worker side (bot, led there by escalation.py): open_case, add_worker_message,
open_cases_for_member, find_case_for_member, close_case_by_worker, rate_case, case_languages.
Volunteer side (API): list_cases, get_case, claim_case, assign_case, unassign_case,
reply_to_case, send_article, add_note, change_status, reopen_case, set_urgency. Every change
writes a CaseEvent; anything said to the worker goes to the outbox in the same transaction.
"""

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sathi import outbox
from sathi.db import utcnow
from sathi.enums import (
    FILE_KINDS,
    OPEN_STATUSES,
    CaseEventKind,
    CaseStatus,
    MessageDirection,
    MessageKind,
    OutboxKind,
    Role,
    Urgency,
)
from sathi.errors import Invalid, InvalidTransition, NotAllowed, NotFound
from sathi.models import Article, CannedReply, Case, CaseMessage, CaseNote, Member, Staff
from sathi.services import access, case_list, case_state, notices
from sathi.services.case_list import CasePage
from sathi.services.references import normalize_reference, unique_reference
from sathi.services.urgency import is_emergency

MAX_TEXT = 4096  # Telegram's limit for one message


# ---------------------------------------------------------------- worker side (the bot)


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
    case_state.record(session, case, CaseEventKind.opened, now=now)
    if kind is not None:
        session.add(_worker_message(case, kind, text, file_id))
        case.last_worker_message_at = now
    await notices.notify_volunteers(
        session, case=case, reason="urgent" if emergency else "new", chat_id=volunteer_chat_id
    )
    return await _reload(session, case)


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
    case.last_worker_message_at = now
    case.worker_blocked_at = None
    case_state.record(session, case, CaseEventKind.worker_message, now=now)
    if case.status == CaseStatus.waiting_for_worker:
        case_state.move(session, case, CaseStatus.assigned, now=now)
    elif case.status == CaseStatus.resolved:
        _reopen(session, case, None)
    if case.urgency != Urgency.urgent and is_emergency(text):
        _set_urgency(session, case, Urgency.urgent, None)
        await notices.notify_volunteers(
            session, case=case, reason="urgent", chat_id=volunteer_chat_id
        )
    return await _reload(session, case)


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
    return await _reload(session, case)


@case_state.one_writer
async def rate_case(
    session: AsyncSession, *, member: Member, case_id: int, rating: int,
    comment: str | None = None,
) -> Case:
    """The worker rates the help (1-5) once the case is resolved or closed."""
    if not 1 <= rating <= 5:
        raise Invalid("must be from 1 to 5", field="rating")
    case = await _member_case(session, member, case_id)
    if case.status not in (CaseStatus.resolved, CaseStatus.closed):
        raise InvalidTransition("a case can be rated once it is resolved or closed")
    case.rating = rating
    case.rating_comment = comment or None
    case_state.record(session, case, CaseEventKind.rated, detail=str(rating))
    return await _reload(session, case)


# ---------------------------------------------------------------- volunteer side (the API)


async def _reload(session: AsyncSession, case: Case) -> Case:
    await session.flush()
    loaded = await case_state.load_case(session, case.id)
    assert loaded is not None
    return loaded


async def _staff_case(session: AsyncSession, staff: Staff, case_id: int) -> Case:
    access.require_case_worker(staff)
    case = await case_state.load_case(session, case_id, for_update=True)
    return access.ensure_visible(staff, case, case_id)


async def list_cases(
    session: AsyncSession,
    *,
    staff: Staff,
    status: list[CaseStatus] | None = None,
    lang: str | None = None,
    urgency: Urgency | None = None,
    topic: str | None = None,
    assignee: int | Literal["me", "none"] | None = None,
    reference: str | None = None,
    limit: int = 50,
    offset: int = 0,
    cursor: str | None = None,
) -> CasePage:
    """The cases a staff member may see, filtered, urgent first and then oldest first.

    Args:
        session: the request's session.
        staff: who is asking; volunteers see their languages only.
        status: any of these statuses (all but closed when empty).
        reference: one case by its reference (as a worker reads it out).
        lang: one case language.
        urgency: one urgency.
        topic: one topic slug.
        assignee: a staff id, "me", or "none" for unassigned cases.
        limit: page size.
        offset: cases to skip (exact, but costs a walk over them: page deep with cursor).
        cursor: the next_cursor of the previous page (keyset paging; see case_list).

    Raises:
        Invalid: the cursor is not one this list gave out (or comes with an offset).

    """
    access.require_case_worker(staff)
    conditions = []
    languages = access.visible_languages(staff)
    if languages is not None:
        conditions.append(Case.lang.in_(languages))
    statuses = set(status or ())
    if not statuses and reference is None:
        statuses = set(CaseStatus) - {CaseStatus.closed}
    if statuses and statuses != set(CaseStatus):  # every status: no condition to check
        conditions.append(Case.status.in_(sorted(statuses)))
    if reference is not None:
        reference = normalize_reference(reference) or reference
        conditions.append(Case.reference == reference)
    if lang is not None:
        conditions.append(Case.lang == lang)
    if urgency is not None:
        conditions.append(Case.urgency == urgency)
    if topic is not None:
        conditions.append(Case.topic == topic)
    if assignee == "me":
        assignee = staff.id
    if assignee == "none":
        conditions.append(Case.assignee_id.is_(None))
    elif assignee is not None:
        conditions.append(Case.assignee_id == assignee)
    filters = json.dumps([languages, sorted(statuses), reference, lang, urgency, topic, assignee])
    return await case_list.page(
        session, conditions, filters=filters, limit=limit, offset=offset, cursor=cursor
    )


async def get_case_by_reference(session: AsyncSession, *, staff: Staff, reference: str) -> Case:
    """A case by the reference in the group's notice; NotFound if not visible or no such case."""
    access.require_case_worker(staff)
    code = normalize_reference(reference)
    case_id = await session.scalar(select(Case.id).where(Case.reference == code)) if code else None
    if case_id is None:
        raise NotFound(f"no case {reference}")
    return await get_case(session, staff=staff, case_id=case_id)


async def get_case(session: AsyncSession, *, staff: Staff, case_id: int) -> Case:
    """A case with its whole thread; NotFound if the staff member may not see it."""
    access.require_case_worker(staff)
    case = await case_state.load_case(session, case_id)
    return access.ensure_visible(staff, case, case_id)


def _take(session: AsyncSession, case: Case, assignee: Staff, actor: Staff) -> None:
    case.assignee_id = assignee.id
    if case.status == CaseStatus.new:
        case_state.move(session, case, CaseStatus.assigned, actor=actor)


@case_state.one_writer
async def claim_case(session: AsyncSession, *, staff: Staff, case_id: int) -> Case:
    """The volunteer takes an unassigned case; InvalidTransition if someone holds it."""
    case = await _staff_case(session, staff, case_id)
    case_state.require_active(case, "claim")
    if case.assignee_id == staff.id:
        raise InvalidTransition("you already hold this case")
    if case.assignee_id is not None:
        raise InvalidTransition("someone else holds this case; ask them or an admin to hand over")
    case_state.record(session, case, CaseEventKind.claimed, actor=staff)
    _take(session, case, staff, staff)
    return await _reload(session, case)


@case_state.one_writer
async def assign_case(
    session: AsyncSession, *, staff: Staff, case_id: int, assignee_id: int
) -> Case:
    """Hands the case to a volunteer who handles its language, or to an admin.

    Raises:
        Invalid: the assignee does not exist, is inactive or does not handle the language.

    """
    case = await _staff_case(session, staff, case_id)
    case_state.require_active(case, "assign")
    assignee = await session.get(Staff, assignee_id)
    if (
        assignee is None
        or not assignee.is_active
        or assignee.role not in (Role.volunteer, Role.admin)
        or not access.handles_language(assignee, case.lang)
    ):
        raise Invalid(f"no active volunteer or admin with id {assignee_id} handles {case.lang}",
                      field="assignee_id")
    if case.assignee_id == assignee.id:
        raise InvalidTransition("the case is already assigned to them")
    case_state.record(session, case, CaseEventKind.assigned, actor=staff,
                      detail=f"to {assignee.id}")
    _take(session, case, assignee, staff)
    return await _reload(session, case)


@case_state.one_writer
async def unassign_case(session: AsyncSession, *, staff: Staff, case_id: int) -> Case:
    """The assignee (or an admin) gives the case back to the queue as new."""
    case = await _staff_case(session, staff, case_id)
    case_state.require_active(case, "unassign")
    if case.assignee_id is None:
        raise InvalidTransition("the case is not assigned")
    if case.assignee_id != staff.id and staff.role != Role.admin:
        raise NotAllowed("only the assignee or an admin can unassign a case")
    case_state.record(session, case, CaseEventKind.unassigned, actor=staff,
                      detail=f"from {case.assignee_id}")
    case.assignee_id = None
    case_state.move(session, case, CaseStatus.new, actor=staff)
    return await _reload(session, case)


async def _say_to_worker(
    session: AsyncSession, case: Case, staff: Staff, message: CaseMessage,
    kind: OutboxKind, payload: dict[str, object],
) -> None:
    """Stores the message, queues it in the same transaction, and hands the turn to the worker."""
    session.add(message)
    await session.flush()
    member = await session.get(Member, case.member_id)
    assert member is not None  # the foreign key cascades: no case outlives its member
    await outbox.enqueue(
        session, kind=kind, chat_id=member.chat_id, payload=payload, case_id=case.id,
        message_id=message.id,
    )
    if case.assignee_id is None:
        case_state.record(session, case, CaseEventKind.claimed, actor=staff)
        _take(session, case, staff, staff)
    case_state.move(session, case, CaseStatus.waiting_for_worker, actor=staff)


@case_state.one_writer
async def reply_to_case(
    session: AsyncSession,
    *,
    staff: Staff,
    case_id: int,
    text: str | None = None,
    canned_reply_id: int | None = None,
) -> Case:
    """Sends a reply (own text or a canned reply in the case's language) to the worker.

    The reply is stored encrypted and put in the outbox in this same transaction; the worker
    sees it as from a union volunteer, with the volunteer's public name only if they set one.
    An unassigned case is claimed by the replier; the case then waits for the worker.

    Raises:
        Invalid: no text, or the canned reply is missing or in another language.
        InvalidTransition: the case is resolved or closed.

    """
    case = await _staff_case(session, staff, case_id)
    case_state.require_active(case, "reply to")
    access.require_may_reply(staff, case)
    if canned_reply_id is not None:
        canned = await session.get(CannedReply, canned_reply_id)
        if canned is None or canned.lang != case.lang:
            raise Invalid(f"no {case.lang} canned reply with id {canned_reply_id}",
                          field="canned_reply_id")
        text = canned.body
    if not text or not text.strip():
        raise Invalid("a reply needs text", field="text")
    if len(text) > MAX_TEXT:
        raise Invalid(f"at most {MAX_TEXT} characters", field="text")
    message = CaseMessage(
        case_id=case.id, direction=MessageDirection.outbound, kind=MessageKind.text, text=text,
        author_id=staff.id, created_at=utcnow(),
    )
    payload = {"text": text, "signature": staff.public_name, "reference": case.reference}
    await _say_to_worker(session, case, staff, message, OutboxKind.text, payload)
    case_state.record(session, case, CaseEventKind.replied, actor=staff,
                      detail=f"message {message.id}")
    return await _reload(session, case)


@case_state.one_writer
async def send_article(session: AsyncSession, *, staff: Staff, case_id: int, slug: str) -> Case:
    """Sends an article to the worker in the case's language (the bot renders it).

    Raises:
        Invalid: there is no such article in the case's language.

    """
    case = await _staff_case(session, staff, case_id)
    case_state.require_active(case, "send an article in")
    access.require_may_reply(staff, case)
    article = await session.scalar(
        select(Article).where(Article.slug == slug, Article.lang == case.lang)
    )
    if article is None:
        raise Invalid(f"no {case.lang} version of article {slug!r}", field="slug")
    message = CaseMessage(
        case_id=case.id, direction=MessageDirection.outbound, kind=MessageKind.article,
        text=article.title, article_slug=slug, author_id=staff.id, created_at=utcnow(),
    )
    payload = {"slug": slug, "lang": case.lang, "reference": case.reference}
    await _say_to_worker(session, case, staff, message, OutboxKind.article, payload)
    case_state.record(session, case, CaseEventKind.article_sent, actor=staff, detail=slug)
    return await _reload(session, case)


@case_state.one_writer
async def add_note(session: AsyncSession, *, staff: Staff, case_id: int, text: str) -> Case:
    """Adds an internal note (encrypted, never sent to the worker); allowed in any status."""
    case = await _staff_case(session, staff, case_id)
    if not text.strip():
        raise Invalid("a note needs text", field="text")
    note = CaseNote(case_id=case.id, author_id=staff.id, text=text, created_at=utcnow())
    session.add(note)
    await session.flush()
    case_state.record(session, case, CaseEventKind.note_added, actor=staff,
                      detail=f"note {note.id}")
    return await _reload(session, case)


@case_state.one_writer
async def change_status(
    session: AsyncSession, *, staff: Staff, case_id: int, status: CaseStatus
) -> Case:
    """Moves the case along new -> assigned -> waiting_for_worker -> resolved -> closed.

    Raises:
        InvalidTransition: the move is not allowed from the current status (`new` is reached by
            unassigning, `assigned` needs an assignee, going back needs reopen).

    """
    case = await _staff_case(session, staff, case_id)
    if status == CaseStatus.new and case.status != CaseStatus.new:
        raise InvalidTransition("unassign the case to put it back to new")
    if status in (CaseStatus.assigned, CaseStatus.waiting_for_worker) and case.assignee_id is None:
        raise InvalidTransition("assign the case first")
    resolving = status == CaseStatus.resolved and case.status != CaseStatus.resolved
    case_state.move(session, case, status, actor=staff)
    if resolving:
        await _ask_worker_if_solved(session, case)
    return await _reload(session, case)


async def _ask_worker_if_solved(session: AsyncSession, case: Case) -> None:
    """The worker hears that their case was resolved, and says whether it is solved."""
    member = await session.get(Member, case.member_id)
    assert member is not None
    await outbox.enqueue(
        session, kind=OutboxKind.resolved, chat_id=member.chat_id, case_id=case.id,
        payload={"reference": case.reference, "case_id": case.id},
    )


@case_state.one_writer
async def reopen_case_by_worker(session: AsyncSession, *, member: Member, case_id: int) -> Case:
    """The worker says a resolved case is not solved: back to its volunteer."""
    case = await _member_case(session, member, case_id)
    if case.status != CaseStatus.resolved:
        raise InvalidTransition(f"case {case.reference} is not resolved")
    _reopen(session, case, None)
    return await _reload(session, case)


def _reopen(session: AsyncSession, case: Case, actor: Staff | None) -> None:
    case_state.reopen(session, case, actor=actor)


@case_state.one_writer
async def reopen_case(session: AsyncSession, *, staff: Staff, case_id: int) -> Case:
    """Brings a resolved or closed case back (to its assignee, or to new)."""
    case = await _staff_case(session, staff, case_id)
    if case.erased_at is not None:
        raise InvalidTransition("the worker erased this case: there is no one to answer")
    if case.status not in (CaseStatus.resolved, CaseStatus.closed):
        raise InvalidTransition(f"a {case.status} case is open already")
    _reopen(session, case, staff)
    return await _reload(session, case)


def _set_urgency(session: AsyncSession, case: Case, level: Urgency, actor: Staff | None) -> None:
    case_state.record(session, case, CaseEventKind.urgency_changed, actor=actor,
                      detail=f"{case.urgency}->{level}")
    case.urgency = level


@case_state.one_writer
async def set_urgency(
    session: AsyncSession, *, staff: Staff, case_id: int, urgency: Urgency
) -> Case:
    """A volunteer marks a case urgent or normal."""
    case = await _staff_case(session, staff, case_id)
    if case.urgency != urgency:
        _set_urgency(session, case, urgency, staff)
    return await _reload(session, case)
