"""Messages to send, written in the caller's transaction; the bot's delivery loop sends them.

The loop, one pass:

1. In a short transaction, `claim_due(session, now=...)` and commit: each claimed item is now
   `sending` with a fresh `lease_token` and a lease, so no other instance takes it.
2. Outside any transaction, send each item (`item.kind`, `item.chat_id`, `item.payload`).
3. In a new transaction per item, record the outcome with its lease token:
   `mark_delivered` (sent), `mark_retry` (not sent: network error before the request went out,
   429 with retry_after, 5xx), `mark_failed` (will never work: 400), `mark_worker_blocked` (403),
   `mark_uncertain` (timed out after sending: it may have arrived, so it is not resent blindly).
4. Now and then, and at start-up, `recover_stuck(session, now=...)` for items whose sender died.

A delivery problem of a message to a worker is written on the case (an event) and shown on the
message, so a volunteer can resend or dismiss it through the admin API.
"""

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from sathi.crypto import current_vault
from sathi.db import utcnow
from sathi.enums import DELIVERY_PROBLEMS, CaseEventKind, OutboxKind, OutboxStatus
from sathi.errors import Conflict, InvalidTransition, NotFound
from sathi.models import OutboxItem
from sathi.services import case_replies, case_state

MAX_ATTEMPTS = 8
LEASE_SECONDS = 60
_ERROR_LENGTH = 200


def backoff_seconds(attempts: int) -> int:
    """Wait before the next try: 5 s, 10 s, 20 s ... at most an hour."""
    return min(5 * 2 ** max(attempts - 1, 0), 3600)


async def enqueue(
    session: AsyncSession,
    *,
    kind: OutboxKind,
    chat_id: int | str,
    payload: dict[str, Any],
    case_id: int | None = None,
    message_id: int | None = None,
    now: datetime | None = None,
) -> OutboxItem:
    """Adds an item to send, in the caller's transaction: it exists only if the change commits."""
    now = now or utcnow()
    item = OutboxItem(
        kind=kind, status=OutboxStatus.pending, chat_id=str(chat_id),
        chat_key=current_vault().pseudonym("outbox-chat", str(chat_id)),
        payload_text=json.dumps(payload, ensure_ascii=False), case_id=case_id,
        message_id=message_id, attempts=0, not_before=now, created_at=now, updated_at=now,
    )
    session.add(item)
    await session.flush()
    return item


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int = 20, lease_seconds: int = LEASE_SECONDS
) -> list[OutboxItem]:
    """Takes up to limit due items for sending, oldest first; commit before sending.

    The switch to `sending` is a conditional UPDATE (... AND status = 'pending'), so an item is
    claimed once even when two loops race. On PostgreSQL the due rows are first locked with
    FOR UPDATE SKIP LOCKED, so concurrent loops take different items; on SQLite the claim first
    takes the database's write lock, so loops take turns.
    The items share this claim's lease token.

    A chat's items go out in order: an item is not due while an earlier item to the same chat
    is being sent or waits for a later moment (after a 429 or a failed attempt).
    """
    earlier = aliased(OutboxItem)
    blocked = (
        select(earlier.id)
        .where(
            earlier.chat_key == OutboxItem.chat_key, earlier.id < OutboxItem.id,
            or_(
                earlier.status == OutboxStatus.sending,
                (earlier.status == OutboxStatus.pending) & (earlier.not_before > now),
            ),
        )
        .exists()
    )
    due = (
        select(OutboxItem.id)
        .where(OutboxItem.status == OutboxStatus.pending, OutboxItem.not_before <= now, ~blocked)
        .order_by(OutboxItem.id)
        .limit(limit)
    )
    # Materialised first: as an UPDATE subquery the database may re-run it while the UPDATE
    # changes rows (PostgreSQL passing the limit, SQLite seeing its own claims as "sending").
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    else:  # SQLite: take the write lock first, so loops take turns on the whole claim
        await session.execute(
            update(OutboxItem).where(OutboxItem.id == 0).values(id=OutboxItem.id)
            .execution_options(synchronize_session=False)
        )
    locked = list(await session.scalars(due))
    if not locked:
        return []
    target = OutboxItem.id.in_(locked)
    claimed = await session.scalars(
        update(OutboxItem)
        .where(target, OutboxItem.status == OutboxStatus.pending)
        .values(
            status=OutboxStatus.sending, attempts=OutboxItem.attempts + 1,
            lease_token=uuid.uuid4().hex, lease_until=now + timedelta(seconds=lease_seconds),
            updated_at=now,
        )
        .returning(OutboxItem.id)
        .execution_options(synchronize_session=False)
    )
    ids = list(claimed)
    if not ids:
        return []
    items = await session.scalars(
        select(OutboxItem)
        .where(OutboxItem.id.in_(ids))
        .order_by(OutboxItem.id)
        .execution_options(populate_existing=True)
    )
    return list(items)


async def _leased(
    session: AsyncSession, item_id: int, lease_token: str, *, also: tuple[OutboxStatus, ...] = ()
) -> OutboxItem:
    item = await session.get(OutboxItem, item_id, with_for_update=True, populate_existing=True)
    if item is None:
        raise NotFound(f"outbox item {item_id} not found")
    if item.lease_token != lease_token or item.status not in (OutboxStatus.sending, *also):
        raise Conflict(f"outbox item {item_id} is no longer held by this sender")
    return item


def _finish(item: OutboxItem, status: OutboxStatus, now: datetime, error: str | None) -> None:
    item.status = status
    item.lease_until = None
    item.updated_at = now
    if error is not None:
        item.last_error = error[:_ERROR_LENGTH]


async def _record_on_case(
    session: AsyncSession, item: OutboxItem, kind: CaseEventKind, now: datetime,
    actor_id: int | None = None, *, worker_blocked: bool = False,
) -> None:
    """Writes a delivery problem on the case (only for messages to the worker)."""
    if item.case_id is None or item.message_id is None:
        return
    await case_state.record_delivery(
        session, case_id=item.case_id, message_id=item.message_id, kind=kind, now=now,
        actor_id=actor_id, worker_blocked=worker_blocked,
    )


async def mark_delivered(
    session: AsyncSession, *, item_id: int, lease_token: str, now: datetime,
    telegram_message_ids: Sequence[int] = (),
) -> OutboxItem:
    """The send succeeded (also accepted after recovery marked it uncertain: now we know).

    telegram_message_ids: what Telegram numbered the messages of a reply to a worker, or of
    the question whether their resolved case is solved; a worker's Telegram reply to one of
    them then goes to the item's case.
    """
    item = await _leased(session, item_id, lease_token, also=(OutboxStatus.uncertain,))
    _finish(item, OutboxStatus.delivered, now, None)
    item.delivered_at = now
    item.lease_token = None
    in_workers_chat = item.message_id is not None or item.kind == OutboxKind.resolved
    if item.case_id is not None and in_workers_chat:
        case_replies.remember(session, case_id=item.case_id, telegram_ids=telegram_message_ids)
    return item


async def mark_retry(
    session: AsyncSession,
    *,
    item_id: int,
    lease_token: str,
    now: datetime,
    error: str,
    after_seconds: float | None = None,
    retry_after: float | None = None,
    attempted: bool = True,
) -> OutboxItem:
    """The send did not happen; try again later.

    After Telegram's retry_after exactly (a 429), after `after_seconds`, or after the backoff.

    An item held back (an earlier item to its chat could not go) was not attempted, and a 429 is
    Telegram saying "later", not a failure: neither counts as an attempt. After MAX_ATTEMPTS
    counted attempts the item fails for good instead of being retried forever.
    """
    item = await _leased(session, item_id, lease_token)
    if not attempted or retry_after is not None:
        item.attempts = max(item.attempts - 1, 0)  # claim_due counted it
    elif item.attempts >= MAX_ATTEMPTS:
        return await _fail(session, item, now, f"gave up after {item.attempts} attempts: {error}")
    if retry_after is not None:
        wait = retry_after
    else:
        wait = backoff_seconds(item.attempts) if after_seconds is None else after_seconds
    _finish(item, OutboxStatus.pending, now, error if attempted else None)
    item.lease_token = None
    item.not_before = now + timedelta(seconds=wait)
    return item


async def _fail(session: AsyncSession, item: OutboxItem, now: datetime, error: str) -> OutboxItem:
    _finish(item, OutboxStatus.failed, now, error)
    await _record_on_case(session, item, CaseEventKind.delivery_failed, now)
    return item


async def mark_failed(
    session: AsyncSession, *, item_id: int, lease_token: str, now: datetime, error: str
) -> OutboxItem:
    """The send can never succeed as it is (e.g. 400 Bad Request); a volunteer is told."""
    item = await _leased(session, item_id, lease_token)
    return await _fail(session, item, now, error)


async def mark_uncertain(
    session: AsyncSession, *, item_id: int, lease_token: str, now: datetime, error: str
) -> OutboxItem:
    """The send timed out after the request went out: it may or may not have arrived.

    It is not resent blindly: the case shows "delivery uncertain" and a volunteer resends or
    dismisses it.
    """
    item = await _leased(session, item_id, lease_token)
    _finish(item, OutboxStatus.uncertain, now, error)
    await _record_on_case(session, item, CaseEventKind.delivery_uncertain, now)
    return item


async def mark_worker_blocked(
    session: AsyncSession, *, item_id: int, lease_token: str, now: datetime, error: str
) -> OutboxItem:
    """Telegram said 403 (the worker blocked the bot): recorded on the case, not retried."""
    item = await _leased(session, item_id, lease_token)
    _finish(item, OutboxStatus.blocked, now, error)
    await _record_on_case(session, item, CaseEventKind.worker_blocked, now, worker_blocked=True)
    return item


async def recover_stuck(session: AsyncSession, *, now: datetime) -> list[OutboxItem]:
    """Items left in `sending` by a crashed sender, once their lease ran out.

    A message to a worker becomes uncertain (it may have gone out before the crash); a notice to
    the volunteer group or a file for a volunteer is simply queued again (a repeat is harmless).
    """
    stuck = await session.scalars(
        select(OutboxItem)
        .where(OutboxItem.status == OutboxStatus.sending, OutboxItem.lease_until < now)
        .order_by(OutboxItem.id)
        .with_for_update()
    )
    recovered = list(stuck)
    for item in recovered:
        if item.message_id is None:
            _finish(item, OutboxStatus.pending, now, "sender stopped while sending")
            item.lease_token = None
            item.not_before = now
        else:
            _finish(item, OutboxStatus.uncertain, now, "sender stopped while sending")
            await _record_on_case(session, item, CaseEventKind.delivery_uncertain, now)
    return recovered


async def requeue(
    session: AsyncSession, *, item: OutboxItem, actor_id: int, now: datetime | None = None
) -> OutboxItem:
    """A volunteer chose to send a failed, uncertain or blocked message again."""
    if item.status not in DELIVERY_PROBLEMS:
        raise InvalidTransition(f"the message is {item.status}; only failed, uncertain or "
                                "blocked messages can be resent")
    now = now or utcnow()
    _finish(item, OutboxStatus.pending, now, None)
    item.lease_token = None
    item.not_before = now
    item.attempts = 0
    await _record_on_case(session, item, CaseEventKind.delivery_resent, now, actor_id)
    return item


async def dismiss(
    session: AsyncSession, *, item: OutboxItem, actor_id: int, now: datetime | None = None
) -> OutboxItem:
    """A volunteer decided a failed, uncertain or blocked message needs nothing more."""
    if item.status not in DELIVERY_PROBLEMS:
        raise InvalidTransition(f"the message is {item.status}; only failed, uncertain or "
                                "blocked messages can be dismissed")
    now = now or utcnow()
    _finish(item, OutboxStatus.dismissed, now, None)
    item.lease_token = None
    await _record_on_case(session, item, CaseEventKind.delivery_dismissed, now, actor_id)
    return item
