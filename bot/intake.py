"""Every update is stored before it is acknowledged, then processed from the database.

Polling (bot/polling.py) and the webhook (bot/webhook.py) call `store`, which commits, and
only then acknowledge the update to Telegram (the next getUpdates offset, or the HTTP 200). A
redelivered update_id is ignored by the store, so it is never processed twice.

`run` processes the stored updates in update_id order, also those left over from before a
restart. Each update gets one transaction (bot/work.py) that begins by marking it processed
(which, on PostgreSQL, also locks it against a second instance), holds every handler's
changes, and commits before any reply is sent. So a crash before the commit leaves the update
unprocessed, to be processed again; a crash after the commit can only lose the bot's reply to
it, never the worker's message, and never makes it count twice. A failing update is rolled back
and tried again on later passes, up to MAX_ATTEMPTS, then logged and left for inspection. An
update that cannot even be parsed (Telegram sent something PTB does not understand) is set aside
for inspection at once, logged by its id only, and the next update goes on.
Payloads are stored encrypted and without names, usernames, phone numbers or coordinates
(`minimised`), and purged a day after processing: they hold workers' words.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import RUNTIME_KEY
from bot.deps import deliver
from bot.pause import pause
from bot.ratelimit import RateLimiter
from bot.work import UpdateWork, bound
from sathi.db import utcnow
from sathi.runtime import Runtime
from sathi.services import inbound

log = logging.getLogger(__name__)

BATCH = 50
RETRY_SECONDS = 5.0  # a failed update is tried again on the next pass, at the latest after this
PURGE_EVERY = timedelta(hours=1)
KEEP_PROCESSED = timedelta(days=1)
KEEP_ABANDONED = timedelta(days=7)


_NAMES = ("first_name", "last_name", "username")


def minimised(value: Any) -> Any:
    """The update JSON without what Sathi promises not to keep: names, phones, places.

    The handlers need ids, language codes and what was sent, never who the sender is called.
    PTB requires a first name for users and contacts, so it becomes empty.
    """
    if isinstance(value, list):
        return [minimised(item) for item in value]
    if not isinstance(value, dict):
        return value
    found = {key: minimised(item) for key, item in value.items() if key not in _NAMES}
    if "is_bot" in value or "phone_number" in value:  # a user, or a shared contact
        found["first_name"] = ""
    if "phone_number" in value:
        found["phone_number"] = ""
    if "latitude" in value:
        found.update(latitude=0.0, longitude=0.0)
    return found


class _HandlerFailed(Exception):
    """A handler raised; the error handler has logged it already."""


class Intake:
    """Stores updates, and processes the stored ones through the application."""

    def __init__(
        self,
        application: Application,
        *,
        max_attempts: int = inbound.MAX_ATTEMPTS,
        retry_seconds: float = RETRY_SECONDS,
        clock: Callable[[], datetime] = utcnow,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.application = application
        self.limiter = limiter  # shared with the delivery loop, so answers keep Telegram's pace
        self.runtime: Runtime = application.bot_data[RUNTIME_KEY]
        self.max_attempts = max_attempts
        self.retry_seconds = retry_seconds
        self.clock = clock
        self._wake = asyncio.Event()
        self._purged_at: datetime | None = None

    async def store(self, updates: Sequence[dict[str, Any]]) -> int:
        """Stores updates (Telegram's JSON, minimised) and commits; returns how many were new."""
        new = 0
        async with self.runtime.sessionmaker.begin() as session:
            for data in updates:
                payload = json.dumps(minimised(data), ensure_ascii=False)
                if await inbound.store_update(
                    session, update_id=int(data["update_id"]), payload=payload, now=self.clock()
                ):
                    new += 1
        if new:
            self._wake.set()
        return new

    async def run(self, stop: asyncio.Event) -> None:
        """Processes stored updates until stop: at once, when woken by `store`, and regularly."""
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.purge_if_due()
                fetched = await self.process_pending()
            except Exception:  # noqa: BLE001 - e.g. the database is away: try again later
                log.exception("processing stored updates failed")
                fetched = 0
            if fetched < BATCH:
                await pause(stop, self.retry_seconds, self._wake)

    async def process_pending(self) -> int:
        """Processes up to BATCH stored updates in order; returns how many were taken.

        One at a time, each counted as an attempt just before it is tried (a crash costs no
        other update an attempt); a failed update is tried again on the next pass.
        """
        taken, after = 0, None
        while taken < BATCH:
            async with self.runtime.sessionmaker.begin() as session:
                rows = await inbound.next_unprocessed(
                    session, limit=1, max_attempts=self.max_attempts, after=after
                )
                if not rows:
                    break
                update_id, payload, attempt = rows[0].update_id, rows[0].payload, rows[0].attempts
            await self._process(update_id, payload, attempt)
            taken, after = taken + 1, update_id
        return taken

    async def _process(self, update_id: int, payload: str, attempt: int) -> None:
        """Handles one update in one transaction, then sends its replies."""
        try:
            update = Update.de_json(json.loads(payload), self.application.bot)
        except Exception as exc:  # noqa: BLE001 - not an update PTB can read: never retried
            await self._set_aside(update_id, exc)
            return
        try:
            async with self.runtime.sessionmaker() as session, session.begin():
                now = self.clock()
                if not await inbound.mark_processed(session, update_id=update_id, now=now):
                    return  # another instance processed it meanwhile
                work = UpdateWork(session, attempt=attempt)
                with bound(work):
                    await self.application.process_update(update)
                if work.failed:
                    raise _HandlerFailed
        except Exception as exc:  # noqa: BLE001 - the update stays stored and is tried again
            self._failed(update_id, attempt, exc)
            return
        try:
            await deliver(self.application.bot, update, work.outgoing, self.limiter)
        except TelegramError as exc:  # e.g. the worker blocked the bot meanwhile
            log.warning("update %s: reply not sent: %s", update_id, type(exc).__name__)

    async def _set_aside(self, update_id: int, exc: Exception) -> None:
        """Keeps an unparseable update for inspection (never its content in the log)."""
        async with self.runtime.sessionmaker.begin() as session:
            await inbound.set_aside(session, update_id=update_id, max_attempts=self.max_attempts)
        log.error("update %s cannot be parsed (%s): skipped, kept for inspection", update_id,
                  type(exc).__name__)

    def _failed(self, update_id: int, attempt: int, exc: Exception) -> None:
        details = None if isinstance(exc, _HandlerFailed) else exc
        if attempt >= self.max_attempts:
            log.error("update %s failed %d times: given up, kept for inspection", update_id,
                      attempt, exc_info=details)
        else:
            log.warning("update %s failed (attempt %d of %d): will try again", update_id,
                        attempt, self.max_attempts, exc_info=details)

    async def purge_if_due(self) -> None:
        """Deletes old processed (and long abandoned) updates, at start-up and then hourly."""
        now = self.clock()
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
            return
        async with self.runtime.sessionmaker.begin() as session:
            processed = await inbound.purge_processed(session, before=now - KEEP_PROCESSED)
            abandoned = await inbound.purge_abandoned(
                session, before=now - KEEP_ABANDONED, max_attempts=self.max_attempts
            )
        self._purged_at = now
        if processed or abandoned:
            log.info("purged %d processed and %d abandoned updates", processed, abandoned)
