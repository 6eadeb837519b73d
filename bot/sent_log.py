"""The bot's messages to workers' chats, remembered for the 48 hours /forget can delete them.

Telegram lets a bot delete its own messages for 48 hours only.

A Bot API request wrapper: after a send method answers, the chat id and message id are noted in
memory (never on disk as they are), and written in batches (encrypted with the worker's key,
under the worker's pseudonym, only when the chat belongs to a worker Sathi knows): at the end of
an intake or delivery pass, and otherwise within FLUSH_SECONDS, in a transaction of their own
(one query finds the workers, one statement writes the batch). An update's transaction never
writes them: that cost two statements per update. A /forget sees them anyway: it also takes
the notes of its chat not written yet (`unwritten`), which are then never written, since their
worker is gone. Retention deletes them after 48 hours. A note not written when the process dies
is lost: /forget then cannot delete that message (the worker is told to delete old messages
themselves anyway).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.request import SathiRequest
from sathi.crypto import Sealed
from sathi.db import utcnow, write_turn
from sathi.models import Member
from sathi.models_privacy import BotMessage
from sathi.sealing import member_key_name
from sathi.services.members import member_key

log = logging.getLogger(__name__)

_SENDS = ("sendMessage", "sendVoice", "sendAudio", "sendPhoto", "sendVideo", "sendDocument")
FLUSH_SECONDS = 0.5

Note = tuple[int, int, datetime]  # chat id, message id, when sent


class RecordingRequest(SathiRequest):
    """Sathi's requests (a 502 told apart), plus a note of each message sent to a worker."""

    def __init__(self, sessionmaker: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sessionmaker = sessionmaker
        self._notes: list[Note] = []
        self._writing: list[Note] = []  # taken by a flush that has not committed yet
        self._flusher: asyncio.Task[None] | None = None

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any):  # noqa: ANN201
        """Sends, then notes what was sent (a failure to note never fails the send)."""
        code, payload = await super().do_request(url, method, *args, **kwargs)
        if code == 200 and url.rsplit("/", 1)[-1] in _SENDS:
            try:
                self._note(payload)
            except Exception as exc:  # noqa: BLE001 - recording is best effort
                log.warning("could not note a sent message: %s", type(exc).__name__)
        return code, payload

    def _note(self, payload: bytes) -> None:
        result = json.loads(payload).get("result")
        if not isinstance(result, dict):
            return
        chat = result.get("chat") or {}
        if chat.get("type") != "private" or not isinstance(result.get("message_id"), int):
            return
        self._notes.append((int(chat["id"]), result["message_id"], utcnow()))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon())

    def unwritten(self, chat_id: int) -> list[Note]:
        """The chat's notes not in the database yet (pending, or in a flush not committed)."""
        return [note for note in (*self._writing, *self._notes) if note[0] == chat_id]

    async def flush(self) -> None:
        """Writes the pending notes in a transaction of their own."""
        notes, self._notes = self._notes, []
        if not notes:
            return
        self._writing.extend(notes)
        try:
            engine = self._sessionmaker.kw["bind"]
            async with write_turn(engine), self._sessionmaker.begin() as session:
                if engine.dialect.name == "sqlite":  # a writer from the start, as in a take
                    table = BotMessage.__table__
                    await session.execute(
                        update(table).where(table.c.id == -1).values(id=table.c.id))
                await write(session, notes)
        except Exception as exc:  # noqa: BLE001 - recording is best effort
            log.warning("could not note %d sent message(s): %s", len(notes), type(exc).__name__)
        finally:
            for note in notes:
                self._writing.remove(note)

    async def _flush_soon(self) -> None:
        await asyncio.sleep(FLUSH_SECONDS)
        await self.flush()

    async def shutdown(self) -> None:
        """Writes what is still noted, then closes the connections."""
        if self._flusher is not None and not self._flusher.done():
            self._flusher.cancel()
        await self.flush()
        await super().shutdown()


async def write(session: AsyncSession, notes: list[Note]) -> None:
    """The notes of workers' chats as BotMessage rows (one query finds the workers)."""
    keys = {chat: member_key(chat) for chat in {chat for chat, _m, _at in notes}}
    known = set(await session.scalars(
        select(Member.telegram_key).where(Member.telegram_key.in_(set(keys.values())))
    ))
    rows = [  # sealed here, as sathi/sealing.py seals BotMessage objects
        {"telegram_key": keys[chat], "sent_at": at,
         "message_ref": Sealed(f"{chat}:{message_id}", member_key_name(keys[chat]))}
        for chat, message_id, at in notes if keys[chat] in known
    ]
    if rows:  # one executemany, no ids read back
        await session.execute(insert(BotMessage.__table__), rows)


def recorder(bot: Any) -> RecordingRequest | None:
    """The bot's recording request, if it has one (`sathi chat` and tests may not)."""
    request = getattr(bot, "request", None)
    return request if isinstance(request, RecordingRequest) else None
