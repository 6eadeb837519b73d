"""The volunteers' side of cases (the admin API): find, take, answer, move along.

list_cases, get_case, get_case_by_reference, claim_case, assign_case, unassign_case,
reply_to_case, send_article, add_note, change_status, reopen_case, set_urgency. The rules of a
change (status, reopen, urgency, the audit trail) are case_state's; anything said to the worker
goes to the outbox in the same transaction. The worker's side is worker_cases.py.
"""

import json
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sathi import outbox
from sathi.db import utcnow
from sathi.enums import (
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
from sathi.services import access, case_list, case_state
from sathi.services.case_list import CasePage
from sathi.services.references import normalize_reference

MAX_TEXT = 4096  # Telegram's limit for one message


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
    case = await case_state.load_case(session, reference=code) if code else None
    if case is None:
        raise NotFound(f"no case {reference}")
    return access.ensure_visible(staff, case, case.id)


async def get_case(session: AsyncSession, *, staff: Staff, case_id: int) -> Case:
    """A case with its whole thread; NotFound if the staff member may not see it."""
    access.require_case_worker(staff)
    case = await case_state.load_case(session, case_id)
    return access.ensure_visible(staff, case, case_id)


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
    case_state.take(session, case, staff, actor=staff)
    return await case_state.reload(session, case)


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
    case_state.take(session, case, assignee, actor=staff)
    return await case_state.reload(session, case)


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
    case_state.release(session, case, actor=staff)
    return await case_state.reload(session, case)


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
        case_state.take(session, case, staff, actor=staff)
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
    return await case_state.reload(session, case)


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
    return await case_state.reload(session, case)


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
    return await case_state.reload(session, case)


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
    return await case_state.reload(session, case)


async def _ask_worker_if_solved(session: AsyncSession, case: Case) -> None:
    """The worker hears that their case was resolved, and says whether it is solved."""
    member = await session.get(Member, case.member_id)
    assert member is not None
    await outbox.enqueue(
        session, kind=OutboxKind.resolved, chat_id=member.chat_id, case_id=case.id,
        payload={"reference": case.reference, "case_id": case.id},
    )


@case_state.one_writer
async def reopen_case(session: AsyncSession, *, staff: Staff, case_id: int) -> Case:
    """Brings a resolved or closed case back (to its assignee, or to new)."""
    case = await _staff_case(session, staff, case_id)
    if case.erased_at is not None:
        raise InvalidTransition("the worker erased this case: there is no one to answer")
    if case.status not in (CaseStatus.resolved, CaseStatus.closed):
        raise InvalidTransition(f"a {case.status} case is open already")
    case_state.reopen(session, case, actor=staff)
    return await case_state.reload(session, case)


@case_state.one_writer
async def set_urgency(
    session: AsyncSession, *, staff: Staff, case_id: int, urgency: Urgency
) -> Case:
    """A volunteer marks a case urgent or normal."""
    case = await _staff_case(session, staff, case_id)
    case_state.set_urgency(session, case, urgency, actor=staff)
    return await case_state.reload(session, case)
