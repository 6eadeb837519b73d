"""Every update is stored before it is acknowledged, then processed from the database.

Polling (bot/polling.py) and the webhook (bot/webhook.py) call `store`, which commits, and
only then acknowledge the update to Telegram (the next getUpdates offset, or the HTTP 200). A
redelivered update_id is ignored by the store, so it is never processed twice.

`run` processes the stored updates, also those left over from before a restart, chats side by
side and each chat's updates in update_id order. Each update goes to its chat's lane (a chat's
queue in memory, at most MAX_IN_FLIGHT updates in all) with one attempt counted and committed
first: while `run` keeps up, `store` hands the new updates to their lanes itself, their attempt
counted in the store's own commit (no query reads them back, nothing is decrypted). What it
cannot hand over (no room, a chat whose failed update waits, updates left from before a
restart) is a backlog, which `run` takes: one query takes up to BATCH pending updates and the
same commit counts their attempts; `store` hands over again once a look at everything pending
found no more than it took. A lane starts its chat's update k+1 only after update k is
committed and its replies are sent, in order, so a chat paced by Telegram (about a message a
second) waits for its own replies and holds no other chat. An update's database-free work
(triage, language guess, search: bot/prepare.py) is done first, outside any transaction; then
it gets one transaction (bot/work.py) that begins by marking it processed, holds every
handler's changes, and commits before any reply is sent. So a crash before the commit leaves
the update unprocessed, to be processed again; a crash after the commit can only lose the bot's
reply to it, never the worker's message, and never makes it count twice. A crash costs each
update taken and not yet done one attempt.

Writers: on SQLite, which has one writer, the transactions of the lanes, of `store` and of the
take run one at a time (sathi.db.write_turn, an asyncio lock), while the replies of every lane
go out concurrently. On PostgreSQL up to PG_SLOTS lanes hold a transaction at once. With
several instances on one PostgreSQL database, two may take the same chat's updates: each walks
them in order, and mark_processed's row lock makes one wait while the other processes an
update and then skip it, so a chat's updates still commit in order (their replies may
interleave when two instances serve one chat in the same second).

A failing update is rolled back; its chat's lane stops there and its later updates wait (their
attempts are given back), so the chat's order holds and other chats go on. It is tried again
after RETRY_SECONDS (by the next `process_pending` pass in tests), up to MAX_ATTEMPTS, then
logged and left for inspection, and the chat goes on with its next update. An update that
cannot even be parsed (Telegram sent something PTB does not understand) is set aside for
inspection at once, logged by its id only, and the chat's next update goes on.
Payloads are stored encrypted and without names, usernames, phone numbers or coordinates
(`minimised`), and purged a day after processing: they hold workers' words.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import RUNTIME_KEY
from bot.deps import deliver
from bot.pause import pause
from bot.prepare import prepare
from bot.ratelimit import RateLimiter
from bot.sent_log import recorder
from bot.work import UpdateWork, bound
from knowledge.memo import remembering
from sathi.crypto import current_vault
from sathi.db import utcnow, write_turn
from sathi.runtime import Runtime
from sathi.sealing import sender_key_name
from sathi.services import inbound

log = logging.getLogger(__name__)

BATCH = 200  # stored updates taken by one query
MAX_IN_FLIGHT = 1000  # taken and not yet done, in all lanes
PG_SLOTS = 4  # processing transactions at once on PostgreSQL (each holds a pooled connection)
RETRY_SECONDS = 5.0  # a failed update is tried again after this
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


@dataclass
class _Taken:
    """A stored update taken for processing: its JSON (None if unreadable) and its attempt."""

    update_id: int
    data: dict[str, Any] | None
    attempt: int


def _chat_of(data: dict[str, Any] | None, update_id: int) -> object:
    """The lane of an update: its chat (else its sender); an update of neither has its own."""
    for value in (data or {}).values():
        if not isinstance(value, dict):
            continue
        message = value.get("message") if "chat" not in value else value
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return chat["id"]
        sender = value.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return sender["id"]
    return ("update", update_id)


async def _make_sender_keys(updates: Iterable[dict[str, Any]]) -> None:
    """Makes the keys of new senders in a thread, in one commit, before their updates are sealed.

    Made while sealing, each would be a write of the key store that holds the event loop.
    """
    keys = current_vault().keys
    names = keys.missing(name for data in updates if (name := sender_key_name(data)))
    if names:
        await asyncio.to_thread(keys.create, names)


def _parsed(payload: str) -> dict[str, Any] | None:
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


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
        engine = self.runtime.engine
        self._writing = write_turn(engine)  # SQLite: one writer; PostgreSQL: no wait
        self._slots = (self._writing if engine.dialect.name == "sqlite"
                       else asyncio.Semaphore(PG_SLOTS))
        self._lanes: dict[object, list[_Taken]] = {}
        self._tasks: dict[object, asyncio.Task[None]] = {}
        self._in_flight: set[int] = set()
        self._resting: dict[object, float] = {}  # chat -> when its failed update is due again
        self._highest: int | None = None  # the highest update id taken
        self._running = False  # `run` is on: `store` may hand updates to their lanes
        self._backlog = True  # the database may hold pending updates that no lane holds
        self._stopping = False

    async def store(self, updates: Sequence[dict[str, Any]]) -> int:
        """Stores updates (Telegram's JSON, minimised) and commits; returns how many were new.

        While `run` keeps up, the new ones go straight to their lanes, their attempt counted
        in this commit; the rest are left for `run` to take.
        """
        kept = [(int(data["update_id"]), minimised(data)) for data in updates]
        await _make_sender_keys(data for _, data in kept)
        handing = self._handing(kept)
        rows = [(update_id, json.dumps(data, ensure_ascii=False)) for update_id, data in kept]
        self._in_flight.update(handing)  # before the commit: a take never takes them too
        try:
            async with self._writing, self.runtime.sessionmaker.begin() as session:
                new = await inbound.store_updates(session, rows, now=self.clock(),
                                                  taken=handing.keys())
        except BaseException:
            self._in_flight.difference_update(handing)
            raise
        fresh = set(new)
        first = dict(reversed(kept))  # a batch holding one update twice: its first copy, as stored
        behind: list[_Taken] = []  # their chat's update failed during the commit: after it
        for update_id, chat in handing.items():
            if update_id not in fresh:  # stored before: a take or another store has it
                self._in_flight.discard(update_id)
            elif chat in self._resting:
                behind.append(_Taken(update_id, first[update_id], 1))
            else:
                self._enqueue(chat, _Taken(update_id, first[update_id], 1))
        if behind:
            await self._give_back(behind)
        if len(fresh) > len(handing.keys() & fresh):
            self._backlog = True
            self._wake.set()
        return len(fresh)

    def _handing(self, kept: list[tuple[int, dict[str, Any]]]) -> dict[int, object]:
        """The updates `store` may hand to their lanes (update id -> chat), in order.

        None while `run` is off, stopping or behind; a chat whose failed update waits keeps
        its new ones in the database, behind it; and no more than there is room for.
        """
        if not self._running or self._stopping or self._backlog:
            return {}
        room = MAX_IN_FLIGHT - len(self._in_flight)
        handing: dict[int, object] = {}
        for update_id, data in kept:
            chat = _chat_of(data, update_id)
            if update_id in self._in_flight or update_id in handing or chat in self._resting:
                continue
            if len(handing) == room:
                break  # this one and the later ones wait in the database, in order
            handing[update_id] = chat
        return handing

    async def run(self, stop: asyncio.Event) -> None:
        """Processes stored updates until stop: at once, when woken by `store`, and regularly.

        Most takes look only past the highest update taken; every RETRY_SECONDS one looks at
        everything pending (failed updates due again, updates stored out of order).
        """
        look_back_at = 0.0
        self._running = True
        try:
            while not stop.is_set():
                self._wake.clear()
                full = time.monotonic() >= look_back_at
                taken = 0
                try:
                    await self.purge_if_due()
                    if full or self._backlog:
                        taken = await self._take(full=full, honour_rest=True)
                    if full:
                        look_back_at = time.monotonic() + self.retry_seconds
                except Exception:  # noqa: BLE001 - e.g. the database is away: try again later
                    log.exception("taking stored updates failed")
                if taken < BATCH:  # the replies' notes are written by their recorder's timer
                    wait = max(0.0, min(self.retry_seconds, look_back_at - time.monotonic()))
                    await pause(stop, wait, self._wake)
        finally:
            self._running = False
            self._stopping = True  # each lane finishes the update in hand
            await self._drain()
            await self._flush_sent_log()

    async def process_pending(self) -> int:
        """One pass over what is pending; returns how many updates it took.

        It takes up to BATCH updates, processes them chats side by side, and returns once each
        lane is done. A failed update is tried again by the next pass.
        """
        taken = await self._take(full=True, honour_rest=False)
        await self._drain()
        await self._flush_sent_log()
        return taken

    async def _take(self, *, full: bool, honour_rest: bool) -> int:
        """Takes pending updates into their chats' lanes (one query, one commit).

        Starts the lanes that were idle; a chat whose failed update rests (`run`) is left for
        later, and a take that looks only forward leaves such a chat alone altogether.
        """
        room = min(BATCH, MAX_IN_FLIGHT - len(self._in_flight))
        if room <= 0:
            return 0
        now = time.monotonic()
        taken: list[tuple[object, _Taken]] = []
        limit = room + (len(self._in_flight) if full else 0)
        async with self._writing, self.runtime.sessionmaker.begin() as session:
            await inbound.begin_taking(session)
            rows = await inbound.pending(
                session, limit=limit, max_attempts=self.max_attempts,
                after=None if full else self._highest,
            )
            for row in rows:
                if row.update_id in self._in_flight:
                    continue
                data = _parsed(row.payload)
                chat = _chat_of(data, row.update_id)
                due = self._resting.get(chat)
                if due is not None and ((honour_rest and due > now) or not full):
                    continue  # its failed update first, and only when due
                self._resting.pop(chat, None)
                taken.append((chat, _Taken(row.update_id, data, row.attempts + 1)))
                if len(taken) == room:
                    break
            await inbound.count_attempts(session, update_ids=[t.update_id for _, t in taken])
        if full and len(rows) < limit and len(taken) < room:
            self._backlog = False  # everything pending is in a lane, or waits for its chat
        for chat, item in taken:
            self._enqueue(chat, item)
        return len(taken)

    def _enqueue(self, chat: object, item: _Taken) -> None:
        """Queues a taken update (its attempt committed) in its chat's lane; starts the lane."""
        self._in_flight.add(item.update_id)
        self._highest = max(self._highest or item.update_id, item.update_id)
        self._lanes.setdefault(chat, []).append(item)
        if chat not in self._tasks:
            self._tasks[chat] = asyncio.create_task(self._lane(chat))

    async def _lane(self, chat: object) -> None:
        """Processes one chat's taken updates in order, each committed and answered first.

        After a failure the rest wait (their attempts given back).
        """
        queue = self._lanes[chat]
        try:
            while queue and not self._stopping:
                item = queue[0]
                try:
                    done = await self._process(item)
                except Exception:  # noqa: BLE001 - e.g. the database went away: later
                    log.exception("update %s could not be processed", item.update_id)
                    done = False
                finally:
                    queue.pop(0)
                    self._in_flight.discard(item.update_id)
                if not done:
                    self._resting[chat] = time.monotonic() + self.retry_seconds
                    break
        finally:
            untried, queue[:] = list(queue), []
            del self._lanes[chat], self._tasks[chat]
            if untried:
                await self._give_back(untried)
            if len(self._in_flight) < MAX_IN_FLIGHT - BATCH:
                self._wake.set()  # room for more

    async def _give_back(self, untried: list[_Taken]) -> None:
        ids = [item.update_id for item in untried]
        try:
            async with self._writing, self.runtime.sessionmaker.begin() as session:
                await inbound.count_attempts(session, update_ids=ids, by=-1)
        except Exception:  # noqa: BLE001 - they keep the attempt: no harm but one attempt
            log.exception("could not give back the attempts of %d updates", len(ids))
        finally:
            self._in_flight.difference_update(ids)

    async def _drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def _flush_sent_log(self) -> None:
        sent_log = recorder(self.application.bot)
        if sent_log is not None:
            await sent_log.flush()

    async def _process(self, item: _Taken) -> bool:
        """Handles one update in one transaction, then sends its replies; False if it failed."""
        update_id = item.update_id
        try:
            if item.data is None:
                raise ValueError("not a JSON object")
            update = Update.de_json(item.data, self.application.bot)
        except Exception as exc:  # noqa: BLE001 - not an update PTB can read: never retried
            await self._set_aside(update_id, exc)
            return True
        try:
            with remembering():
                prepare(update, self.runtime.knowledge.current)  # while another lane writes
                async with self._slots:
                    async with self.runtime.sessionmaker() as session, session.begin():
                        now = self.clock()
                        if not await inbound.mark_processed(session, update_id=update_id,
                                                            now=now):
                            return True  # another instance processed it meanwhile
                        work = UpdateWork(session, attempt=item.attempt)
                        with bound(work):
                            await self.application.process_update(update)
                        if work.failed:
                            raise _HandlerFailed
        except Exception as exc:  # noqa: BLE001 - the update stays stored and is tried again
            self._failed(update_id, item.attempt, exc)
            return item.attempt >= self.max_attempts  # given up: the chat goes on
        try:
            await deliver(self.application.bot, update, work.outgoing, self.limiter)
        except TelegramError as exc:  # e.g. the worker blocked the bot meanwhile
            log.warning("update %s: reply not sent: %s", update_id, type(exc).__name__)
        return True

    async def _set_aside(self, update_id: int, exc: Exception) -> None:
        """Keeps an unparseable update for inspection (never its content in the log)."""
        async with self._writing, self.runtime.sessionmaker.begin() as session:
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
        async with self._writing, self.runtime.sessionmaker.begin() as session:
            processed = await inbound.purge_processed(session, before=now - KEEP_PROCESSED)
            abandoned = await inbound.purge_abandoned(
                session, before=now - KEEP_ABANDONED, max_attempts=self.max_attempts
            )
        self._purged_at = now
        if processed or abandoned:
            log.info("purged %d processed and %d abandoned updates", processed, abandoned)
