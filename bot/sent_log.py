"""The bot's messages to workers' chats, remembered for the 48 hours /forget can delete them.

Telegram lets a bot delete its own messages for 48 hours only.

A Bot API request wrapper: after a send method answers, the chat id and message id are stored
(encrypted with the worker's key, under the worker's pseudonym), only when the chat belongs to a
worker Sathi knows. Retention deletes them after 48 hours.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import select

from bot.request import SathiRequest
from sathi.models import Member
from sathi.models_privacy import BotMessage
from sathi.services.members import member_key

log = logging.getLogger(__name__)

_SENDS = ("sendMessage", "sendVoice", "sendAudio", "sendPhoto", "sendVideo", "sendDocument")


class RecordingRequest(SathiRequest):
    """Sathi's requests (a 502 told apart), plus a note of each message sent to a worker."""

    def __init__(self, sessionmaker: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sessionmaker = sessionmaker

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any):  # noqa: ANN201
        """Sends, then records what was sent (a failure to record never fails the send)."""
        code, payload = await super().do_request(url, method, *args, **kwargs)
        if code == 200 and url.rsplit("/", 1)[-1] in _SENDS:
            try:
                await self._record(payload)
            except Exception as exc:  # noqa: BLE001 - recording is best effort
                log.warning("could not note a sent message: %s", type(exc).__name__)
        return code, payload

    async def _record(self, payload: bytes) -> None:
        result = json.loads(payload).get("result")
        if not isinstance(result, dict):
            return
        chat = result.get("chat") or {}
        if chat.get("type") != "private" or not isinstance(result.get("message_id"), int):
            return
        key = member_key(int(chat["id"]))
        async with self._sessionmaker.begin() as session:
            if await session.scalar(select(Member.id).where(Member.telegram_key == key)) is None:
                return
            session.add(BotMessage(telegram_key=key,
                                   message_ref=f"{chat['id']}:{result['message_id']}"))
