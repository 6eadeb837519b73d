"""The delivery loop: sends what the outbox holds, outside any transaction, and records it.

One pass: claim due items and commit (sathi/outbox.py), send each one with the rate limiter,
then record the outcome with the item's lease token:

- sent: delivered;
- not sent (429 with retry_after, a proxy's 502, a network error before the request went out):
  retried later, after exactly Telegram's retry_after for a 429 (which is not counted as an
  attempt), with backoff otherwise; the batch's later items to the same chat are put back
  unsent and uncounted, and `claim_due` takes no item while an earlier one to its chat waits,
  so replies keep their order in every chat and other chats go on;
- timed out after the request went out, another 5xx (Telegram may have carried the call out),
  or part of a long message went out: uncertain for a message to a worker, never resent
  blindly; the case shows it and a volunteer resends or dismisses it;
- 403 (the worker blocked the bot): blocked, written on the case;
- 400 and anything that can never work: failed, written on the case.

Items left in `sending` by a process that died are recovered at start and every minute. Replies
written while the bot was down are simply due when it starts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import Bot
from telegram.error import TelegramError

from bot.outcomes import DELIVERED, Outcome, classify
from bot.outgoing import Undeliverable, render_item
from bot.pause import pause
from bot.ratelimit import RateLimiter
from bot.sent_log import recorder
from sathi import outbox
from sathi.db import utcnow
from sathi.enums import OutboxKind, OutboxStatus
from sathi.errors import Conflict, NotFound
from sathi.models import OutboxItem
from sathi.runtime import Runtime
from sathi.services import worker_cases

log = logging.getLogger(__name__)

BATCH = 10  # at one message a second per chat, a batch is sent well within its lease
IDLE_SECONDS = 1.0
RECOVER_EVERY = float(outbox.LEASE_SECONDS)


@dataclass(frozen=True)
class Claimed:
    """What the loop needs of a claimed item once the claiming transaction has ended."""

    id: int
    lease_token: str
    kind: OutboxKind
    chat_id: int
    payload: dict[str, Any]
    lang: str | None
    for_worker: bool
    attempts: int = 1


class DeliveryLoop:
    """Sends due outbox items with the application's bot until stopped."""

    def __init__(
        self,
        runtime: Runtime,
        bot: Bot,
        *,
        limiter: RateLimiter | None = None,
        clock: Callable[[], datetime] = utcnow,
        send_timeout: float | None = None,
        batch: int = BATCH,
        idle_seconds: float = IDLE_SECONDS,
        backoff: Callable[[int], float] = outbox.backoff_seconds,
    ) -> None:
        self.runtime = runtime
        self.bot = bot
        self.limiter = limiter or RateLimiter()
        self.clock = clock
        self.send_timeout = send_timeout
        self.batch = batch
        self.idle_seconds = idle_seconds
        self.backoff = backoff

    async def run(self, stop: asyncio.Event) -> None:
        """Recovers stuck items, then delivers until stop (finishing the item in hand)."""
        recovered_at = -RECOVER_EVERY
        while not stop.is_set():
            try:
                if time.monotonic() - recovered_at >= RECOVER_EVERY:
                    await self.recover()
                    recovered_at = time.monotonic()
                handled = await self.run_once()
            except Exception:  # noqa: BLE001 - e.g. the database is away: try again later
                log.exception("delivery pass failed")
                handled = 0
            if handled < self.batch:
                await pause(stop, self.idle_seconds)

    async def recover(self) -> int:
        """Items whose sender died while sending: uncertain for workers, queued again otherwise."""
        async with self.runtime.sessionmaker.begin() as session:
            items = await outbox.recover_stuck(session, now=self.clock())
        if items:
            log.warning("recovered %d outbox item(s) left in sending", len(items))
        return len(items)

    async def run_once(self) -> int:
        """One pass: claim, send, record; returns how many items were claimed."""
        async with self.runtime.sessionmaker.begin() as session:
            items = await outbox.claim_due(session, now=self.clock(), limit=self.batch)
            langs = await worker_cases.case_languages(
                session, case_ids=[item.case_id for item in items if item.case_id is not None]
            )
            claimed = [
                Claimed(
                    item.id, str(item.lease_token), item.kind, int(item.chat_id), item.payload,
                    langs.get(item.case_id) if item.case_id is not None else None,
                    item.message_id is not None, item.attempts,
                )
                for item in items
            ]
        # After a send that did not go, later items to that chat wait as long (so replies keep
        # their order); other chats go on.
        held: dict[int, datetime] = {}
        for item in claimed:
            until = held.get(item.chat_id)
            if until is not None:
                await self._record(item, Outcome("retry", "held back", until=until),
                                   attempted=False)
                continue
            telegram_ids: list[int] = []
            outcome = await self._send(item, telegram_ids)
            recorded = await self._record(item, outcome, telegram_ids=telegram_ids)
            if recorded is not None and recorded.status == OutboxStatus.pending:
                held[item.chat_id] = recorded.not_before
        sent_log = recorder(self.bot)
        if claimed and sent_log is not None:
            await sent_log.flush()  # the pass's messages, noted for /forget in one transaction
        return len(claimed)

    async def _send(self, item: Claimed, telegram_ids: list[int]) -> Outcome:
        """Sends the item's calls; the ids Telegram gave the messages go into telegram_ids."""
        sent = 0
        timeouts = {} if self.send_timeout is None else {"read_timeout": self.send_timeout}
        try:
            calls = render_item(
                item.kind, item.payload, lang=item.lang, catalogs=self.runtime.catalogs,
                kb=self.runtime.knowledge.current,
                volunteer_lang=self.runtime.settings.volunteer_language,
            )
            for call in calls:
                await self.limiter.wait(item.chat_id)
                method = getattr(self.bot, call.method)
                message = await method(chat_id=item.chat_id, **timeouts, **call.kwargs)
                sent += 1
                if isinstance(getattr(message, "message_id", None), int):
                    telegram_ids.append(message.message_id)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a recorded outcome
            outcome = classify(exc, for_worker=item.for_worker, partly_sent=sent > 0)
            if not isinstance(exc, TelegramError | Undeliverable):
                log.exception("outbox item %s: unexpected error", item.id)
            log.info("outbox item %s: %s (%s)", item.id, outcome.status, type(exc).__name__)
            return outcome
        return DELIVERED

    async def _record(
        self, item: Claimed, outcome: Outcome, *, attempted: bool = True,
        telegram_ids: list[int] | None = None,
    ) -> OutboxItem | None:
        """Writes the outcome with the item's lease; None if another sender took it over."""
        now = self.clock()
        held = {"item_id": item.id, "lease_token": item.lease_token, "now": now}
        error = str(outcome.error)
        if outcome.until is not None:
            after: float | None = max((outcome.until - now).total_seconds(), 0)
        else:
            after = None
        try:
            async with self.runtime.sessionmaker.begin() as session:
                if outcome.status == "delivered":
                    return await outbox.mark_delivered(
                        session, **held, telegram_message_ids=telegram_ids or ()
                    )
                if outcome.status == "retry":
                    if after is None and outcome.retry_after is None:
                        after = self.backoff(item.attempts)
                    return await outbox.mark_retry(
                        session, **held, error=error, retry_after=outcome.retry_after,
                        after_seconds=after, attempted=attempted,
                    )
                if outcome.status == "uncertain":
                    return await outbox.mark_uncertain(session, **held, error=error)
                if outcome.status == "blocked":
                    return await outbox.mark_worker_blocked(session, **held, error=error)
                return await outbox.mark_failed(session, **held, error=error)
        except (Conflict, NotFound):
            log.warning("outbox item %s: lease lost before recording %s", item.id, outcome.status)
            return None
