"""The rules every case change follows: allowed transitions, the audit trail, whole-case loads."""

import functools
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import ParamSpec, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from sathi.db import utcnow
from sathi.enums import CaseEventKind, CaseStatus
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
    session: AsyncSession, case_id: int, *, for_update: bool = False
) -> Case | None:
    """A case with its whole thread, messages' delivery, notes and events, fresh.

    Three statements: the case joined to its messages and their deliveries, then its notes and
    its events (each a collection of its own: joining them too would multiply the rows). Not the
    assignee's account: nothing shows more of it than assignee_id.
    """
    query = (
        select(Case)
        .where(Case.id == case_id)
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


def _goes_back(current: CaseStatus, target: CaseStatus, reopening: bool) -> bool:
    """Out of resolved or closed into an active status: only reopen() may."""
    return current not in ACTIVE and target in ACTIVE and not reopening


def require_active(case: Case, action: str) -> None:
    """Raises InvalidTransition unless volunteers are still talking with the worker."""
    if case.status not in ACTIVE:
        raise InvalidTransition(f"cannot {action} a {case.status} case; reopen it first")
