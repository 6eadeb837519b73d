"""The unit of work of one stored update: one transaction for every handler it reaches.

The intake (bot/intake.py) opens the transaction, marks the update processed in it, and lets
the application dispatch the update; bot.deps.with_member then uses this transaction instead of
opening its own, and queues its replies here. The intake commits (handlers' changes and the
"processed" mark together) and only then sends the replies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.context import Outgoing
    from sathi.models import Member
    from sathi.services.escalation import Cases

_current: ContextVar[UpdateWork | None] = ContextVar("sathi_update_work", default=None)


@dataclass
class UpdateWork:
    """The transaction of one update, its queued replies, and whether a handler failed."""

    session: AsyncSession
    attempt: int = 1
    outgoing: list[Outgoing] = field(default_factory=list)
    failed: bool = False
    member: Member | None = None  # loaded by the first handler, reused by the next ones
    cases: Cases | None = None  # loaded with the member, until a handler routes a message


def current() -> UpdateWork | None:
    """The unit of work of the update being processed, if the intake is processing one."""
    return _current.get()


@contextmanager
def bound(work: UpdateWork) -> Iterator[UpdateWork]:
    """Makes `work` current while the application dispatches the update (handlers block)."""
    token = _current.set(work)
    try:
        yield work
    finally:
        _current.reset(token)
