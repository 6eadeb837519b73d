"""A worker's way to a volunteer: consent, the description that opens a case, later messages.

"Agreed, waiting for the description" lives on the member row (pending_case_at and
pending_case_topic), never in process memory: any bot instance, or one restarted in between,
continues the conversation. Called by the bot; the case work itself is in worker_cases.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.db import utcnow
from sathi.enums import OPEN_STATUSES, CaseEventKind, CaseStatus, MessageKind
from sathi.errors import InvalidTransition
from sathi.models import Case, CaseEvent, Member
from sathi.services import case_replies, members, worker_cases

# A worker who agreed and then went quiet should not open a case with a question days later.
PENDING_FOR = timedelta(hours=2)
# After a volunteer closes a case, the worker's messages get a note that no volunteer reads them.
CLOSED_NOTE_FOR = timedelta(days=7)


class Route(StrEnum):
    """Where a worker's message went."""

    opened = "opened"  # it opened a case (the worker had agreed)
    added = "added"  # it joined the worker's open case
    closed = "closed"  # not stored: the worker's case is closed; the bot offers a new one
    none = "none"  # no case involved: the bot answers as usual


@dataclass(frozen=True)
class WorkerMessage:
    """What the worker sent: text, or a Telegram file id (never the file) with a caption.

    replying_to: the Telegram id of the message the worker replied to, if they used Reply.
    """

    kind: MessageKind
    text: str | None = None
    file_id: str | None = None
    replying_to: int | None = None


@dataclass(frozen=True)
class Receipt:
    """The route a message took, and the case concerned."""

    route: Route
    case: Case | None = None


@dataclass(frozen=True)
class Cases:
    """A member's cases that route their messages: the open ones, one closed lately."""

    open: list[Case]  # oldest first
    closed: Case | None  # the latest closed by a volunteer within CLOSED_NOTE_FOR


def is_pending(member: Member, now: datetime | None = None) -> bool:
    """True while the member's agreement to talk to a volunteer is fresh."""
    since = member.pending_case_at
    return since is not None and (now or utcnow()) - since < PENDING_FOR


async def agree(
    session: AsyncSession, *, member: Member, topic: str | None = None,
    now: datetime | None = None,
) -> Member:
    """The worker agreed to share their messages: their next message opens a case."""
    member.pending_case_at = now or utcnow()
    member.pending_case_topic = topic
    return member


async def open_urgent(
    session: AsyncSession, *, member: Member, lang: str, topic: str | None = None,
    volunteer_chat_id: int | None = None,
) -> Case:
    """Opens an urgent case at once: the worker agreed from a crisis or danger answer.

    The volunteers are told before the worker writes; the worker's next messages join it.
    """
    await cancel(session, member=member)
    return await worker_cases.open_case(
        session, member=member, lang=lang, consent=True, topic=topic, urgent=True,
        volunteer_chat_id=volunteer_chat_id,
    )


async def cancel(session: AsyncSession, *, member: Member) -> Member:
    """The worker changed their mind before describing the problem."""
    member.pending_case_at = None
    member.pending_case_topic = None
    return member


async def receive(
    session: AsyncSession,
    *,
    member: Member,
    message: WorkerMessage,
    lang: str,
    guess_topic: Callable[[str], str | None] | None = None,
    volunteer_chat_id: int | None = None,
    now: datetime | None = None,
    cases: Cases | None = None,
) -> Receipt:
    """Routes a worker's message: a new case after consent, else their open case, else nothing.

    A Telegram reply to a volunteer's message of case X goes to case X (a resolved case reopens;
    a closed one is said to be closed). Otherwise, with several open cases the message joins
    the one with the latest activity (most likely the one a volunteer just answered).
    `guess_topic` names a topic from the first text when the worker did not come from an
    article. `cases`: the member's cases as `member_with_cases` read them in this transaction
    (read here otherwise).

    Raises:
        Invalid: the message is empty or a file message has no file id.

    """
    now = now or utcnow()
    if is_pending(member, now):
        topic = member.pending_case_topic
        if topic is None and guess_topic is not None and message.text:
            topic = guess_topic(message.text)
        consent_at = member.pending_case_at
        await cancel(session, member=member)
        case = await worker_cases.open_case(
            session, member=member, lang=lang, consent=True, consent_at=consent_at, topic=topic,
            kind=message.kind, text=message.text, file_id=message.file_id,
            volunteer_chat_id=volunteer_chat_id,
        )
        return Receipt(Route.opened, case)
    if member.pending_case_at is not None:
        await cancel(session, member=member)  # expired
    replied = None
    if message.replying_to is not None:
        replied = await case_replies.case_replied_to(
            session, member=member, telegram_message_id=message.replying_to
        )
    if cases is None:
        cases = await cases_of(session, member=member, now=now)
    open_cases, closed = cases.open, cases.closed
    if replied is not None and replied.status == CaseStatus.closed:
        return Receipt(Route.closed, replied)
    if replied is not None or open_cases:
        latest = replied or max(open_cases, key=lambda case: (case.updated_at, case.id))
        try:
            case = await worker_cases.add_worker_message(
                session, member=member, case_id=latest.id, kind=message.kind, text=message.text,
                file_id=message.file_id, volunteer_chat_id=volunteer_chat_id,
            )
        except InvalidTransition:  # closed by a volunteer a moment ago
            return Receipt(Route.closed, latest)
        return Receipt(Route.added, case)
    return Receipt(Route.closed, closed) if closed is not None else Receipt(Route.none)


def _routing() -> ColumnElement[bool]:
    """A case that is open, or closed by a volunteer since :since.

    A worker who closed a case themselves knows it is closed.
    """
    by_worker = select(CaseEvent.id).where(
        CaseEvent.case_id == Case.id, CaseEvent.kind == CaseEventKind.closed_by_worker
    )
    return or_(
        Case.status.in_(OPEN_STATUSES),
        and_(Case.status == CaseStatus.closed, Case.closed_at >= bindparam("since"),
             ~by_worker.exists()),
    )


# Built once: on the path of every update, building the statement cost more than running it.
_CASES_OF = select(Case).where(Case.member_id == bindparam("member_id"), _routing())
_MEMBER_WITH_CASES = (
    select(Member, Case)
    .outerjoin(Case, and_(Case.member_id == Member.id, _routing()))
    .where(Member.telegram_key == bindparam("key"))
)


def _sorted(found: list[Case]) -> Cases:
    closed = max((case for case in found if case.status == CaseStatus.closed),
                 key=lambda case: (case.closed_at, case.id), default=None)
    open_cases = [case for case in found if case.status in OPEN_STATUSES]
    return Cases(sorted(open_cases, key=lambda case: (case.created_at, case.id)), closed)


async def cases_of(
    session: AsyncSession, *, member: Member, now: datetime | None = None
) -> Cases:
    """The member's open cases, and their case closed lately by a volunteer, in one query."""
    since = (now or utcnow()) - CLOSED_NOTE_FOR
    return _sorted(list(await session.scalars(
        _CASES_OF, {"member_id": member.id, "since": since}
    )))


async def member_with_cases(
    session: AsyncSession, *, telegram_user_id: int, chat_id: int, now: datetime | None = None
) -> tuple[Member, Cases]:
    """The member (created on first contact) and their `cases_of`, in one query.

    Every update of a worker needs the member, and most of them a text that needs the cases.
    """
    since = (now or utcnow()) - CLOSED_NOTE_FOR
    rows = (await session.execute(
        _MEMBER_WITH_CASES, {"key": members.member_key(telegram_user_id), "since": since}
    )).all()
    member = await members.seen(session, rows[0][0] if rows else None,
                                telegram_user_id=telegram_user_id, chat_id=chat_id)
    return member, _sorted([case for _member, case in rows if case is not None])
