"""The one owner of case changes: transitions (reopen included), urgency, the audit trail.

Delivery events and whole-case loads are here too. The worker and volunteer services, and the
outbox, change a case only through here.
"""

import functools
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import ParamSpec, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from sathi.db import utcnow
from sathi.enums import CaseEventKind, CaseStatus, Urgency
from sathi.errors import Conflict, InvalidTransition
from sathi.models import Case, CaseEvent, CaseMessage, Staff

# new -> assigned -> waiting_for_worker -> resolved -> closed; reopen() goes back from the end
# (to the assignee, or to new) and is the only way back from resolved or closed.
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.new: frozenset({CaseStatus.assigned, CaseStatus.resolved, CaseStatus.closed}),
    CaseStatus.assigned: frozenset({
        CaseStatus.new, CaseStatus.waiting_for_worker, CaseStatus.resolved, CaseStatus.closed,
    }),
    CaseStatus.waiting_for_worker: frozenset({
        CaseStatus.new, CaseStatus.assigned, CaseStatus.resolved, CaseStatus.closed,
    }),
    CaseStatus.resolved: frozenset({CaseStatus.closed, CaseStatus.new, CaseStatus.assigned}),
    CaseStatus.closed: frozenset({CaseStatus.new, CaseStatus.assigned}),
}

# Statuses in which volunteers talk with the worker; resolved and closed cases must be reopened.
ACTIVE = (CaseStatus.new, CaseStatus.assigned, CaseStatus.waiting_for_worker)

# A write that changes nothing: it makes SQLite begin the transaction and take its write lock.
_CASES = Case.__table__
_TAKE_WRITE_LOCK = update(_CASES).where(_CASES.c.id == 0).values(id=_CASES.c.id)

P = ParamSpec("P")
T = TypeVar("T")


def one_writer(service: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Serialises writers of a case, and turns a race lost all the same into Conflict.

    PostgreSQL serialises case changes with FOR UPDATE (load_case). SQLite ignores that, and
    reads outside a write transaction, so a volunteer's reply could read a case, see the bot
    write into it meanwhile, and lose on the version column (Case.version) with a 409 for a race
    they did not cause. So on SQLite the service first takes the database's write lock (waiting
    for the other writer's commit, under the busy timeout), and reads what it changes after it.
    """

    @functools.wraps(service)
    async def guarded(*args: P.args, **kwargs: P.kwargs) -> T:
        session = kwargs.get("session", args[0] if args else None)
        if isinstance(session, AsyncSession) and session.get_bind().dialect.name == "sqlite":
            await session.execute(_TAKE_WRITE_LOCK)
        try:
            return await service(*args, **kwargs)
        except StaleDataError:
            raise Conflict(
                "the case was changed by someone else at the same moment; reload it and retry"
            ) from None

    return guarded


async def load_case(
    session: AsyncSession, case_id: int | None = None, *, reference: str | None = None,
    for_update: bool = False,
) -> Case | None:
    """A case (by id, or by its normalised reference) with its whole thread, fresh.

    Three statements: the case joined to its messages and their deliveries, then its notes and
    its events (each a collection of its own: joining them too would multiply the rows). Not the
    assignee's account: nothing shows more of it than assignee_id. By reference it is the same
    three, not a lookup of the id first.
    """
    found = Case.id == case_id if reference is None else Case.reference == reference
    query = (
        select(Case)
        .where(found)
        .options(
            joinedload(Case.messages).joinedload(CaseMessage.delivery),
            selectinload(Case.notes),
            selectinload(Case.events),
        )
        .execution_options(populate_existing=True)
    )
    if for_update:
        # Two volunteers acting on one case at once are serialised here (PostgreSQL; SQLite
        # serialises writers anyway).
        query = query.with_for_update(of=Case)
    return (await session.scalars(query)).unique().first()


def record(
    session: AsyncSession,
    case: Case,
    kind: CaseEventKind,
    *,
    actor: Staff | None = None,
    detail: str | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """Adds an audit event (never message text) and touches the case."""
    now = now or utcnow()
    event = CaseEvent(
        case_id=case.id, kind=kind, actor_id=actor.id if actor else None, detail=detail,
        created_at=now,
    )
    session.add(event)
    case.updated_at = now
    return event


def move(
    session: AsyncSession,
    case: Case,
    target: CaseStatus,
    *,
    actor: Staff | None = None,
    now: datetime | None = None,
    reopening: bool = False,
) -> None:
    """Changes the status along TRANSITIONS and records it; InvalidTransition otherwise.

    Out of resolved or closed only reopen() moves a case; its event is `reopened`.
    """
    if target == case.status:
        return
    if target not in TRANSITIONS[case.status] or _goes_back(case.status, target, reopening):
        raise InvalidTransition(f"a {case.status} case cannot become {target}")
    now = now or utcnow()
    kind = CaseEventKind.reopened if reopening else CaseEventKind.status_changed
    record(session, case, kind, actor=actor, detail=f"{case.status}->{target}", now=now)
    case.status = target
    if target == CaseStatus.resolved:
        case.resolved_at = now
    if target == CaseStatus.closed:
        case.closed_at = now


def reopen(
    session: AsyncSession, case: Case, *, actor: Staff | None = None, now: datetime | None = None
) -> None:
    """Brings a resolved or closed case back to its assignee (or to new), along TRANSITIONS."""
    if case.status not in (CaseStatus.resolved, CaseStatus.closed):
        raise InvalidTransition(f"a {case.status} case is open already")
    target = CaseStatus.assigned if case.assignee_id is not None else CaseStatus.new
    move(session, case, target, actor=actor, now=now, reopening=True)
    case.resolved_at = None
    case.closed_at = None


def worker_wrote(session: AsyncSession, case: Case, *, now: datetime | None = None) -> None:
    """The worker's message joined the case: it goes back to its volunteer, or reopens.

    A case waiting for the worker goes back to its assignee; a resolved case reopens.
    """
    now = now or utcnow()
    case.last_worker_message_at = now
    case.worker_blocked_at = None
    record(session, case, CaseEventKind.worker_message, now=now)
    if case.status == CaseStatus.waiting_for_worker:
        move(session, case, CaseStatus.assigned, now=now)
    elif case.status == CaseStatus.resolved:
        reopen(session, case, now=now)


def take(session: AsyncSession, case: Case, assignee: Staff, *, actor: Staff) -> None:
    """The case is now the assignee's; a new case becomes assigned."""
    case.assignee_id = assignee.id
    if case.status == CaseStatus.new:
        move(session, case, CaseStatus.assigned, actor=actor)


def release(session: AsyncSession, case: Case, *, actor: Staff) -> None:
    """The case goes back to the queue as new, without an assignee."""
    case.assignee_id = None
    move(session, case, CaseStatus.new, actor=actor)


def rate(session: AsyncSession, case: Case, rating: int, comment: str | None) -> None:
    """The worker's rating, once the case is resolved or closed."""
    if case.status not in (CaseStatus.resolved, CaseStatus.closed):
        raise InvalidTransition("a case can be rated once it is resolved or closed")
    case.rating = rating
    case.rating_comment = comment or None
    record(session, case, CaseEventKind.rated, detail=str(rating))


def mark_erased(session: AsyncSession, case: Case, *, kind: CaseEventKind, now: datetime) -> None:
    """The case's words are gone: closed (with no status event), no rating, marked erased."""
    case.rating_comment = None
    case.rating = None
    if case.status != CaseStatus.closed:
        case.status = CaseStatus.closed
        case.closed_at = now
    case.erased_at = now
    record(session, case, kind, now=now)


async def reload(session: AsyncSession, case: Case) -> Case:
    """Flushes the changes and loads the case whole again, as the services return it."""
    await session.flush()
    loaded = await load_case(session, case.id)
    assert loaded is not None
    return loaded


def _goes_back(current: CaseStatus, target: CaseStatus, reopening: bool) -> bool:
    """Out of resolved or closed into an active status: only reopen() may."""
    return current not in ACTIVE and target in ACTIVE and not reopening


def require_active(case: Case, action: str) -> None:
    """Raises InvalidTransition unless volunteers are still talking with the worker."""
    if case.status not in ACTIVE:
        raise InvalidTransition(f"cannot {action} a {case.status} case; reopen it first")


def set_urgency(
    session: AsyncSession, case: Case, level: Urgency, *, actor: Staff | None = None
) -> None:
    """Changes the urgency (no-op when unchanged) and records it."""
    if case.urgency == level:
        return
    record(session, case, CaseEventKind.urgency_changed, actor=actor,
           detail=f"{case.urgency}->{level}")
    case.urgency = level


async def record_delivery(
    session: AsyncSession, *, case_id: int, message_id: int, kind: CaseEventKind,
    now: datetime, actor_id: int | None = None, worker_blocked: bool = False,
) -> None:
    """A delivery event of a message to the worker (failed, uncertain, blocked, resent...).

    Written by the delivery loop outside the case's writers: the case row is touched with a
    plain UPDATE (no version bump), so a volunteer editing the case meanwhile does not conflict.
    """
    session.add(CaseEvent(
        case_id=case_id, kind=kind, actor_id=actor_id, detail=f"message {message_id}",
        created_at=now,
    ))
    values: dict[str, datetime] = {"updated_at": now}
    if worker_blocked:
        values["worker_blocked_at"] = now
    await session.execute(
        update(Case).where(Case.id == case_id).values(**values)
        .execution_options(synchronize_session=False)
    )
