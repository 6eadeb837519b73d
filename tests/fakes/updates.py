"""Telegram Update JSON, as Telegram would send it, for feeding the real Application."""

from __future__ import annotations

import itertools
import time
from typing import Any

_ids = itertools.count(1000)

USER_ID = 5_550_123_987
CHAT_ID = USER_ID  # in a private chat the chat id is the user id
FIRST_NAME = "Amrita-Tq9"


def user(user_id: int = USER_ID, language_code: str | None = None) -> dict[str, Any]:
    """A Telegram user; language_code is what their app is set to."""
    found: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": FIRST_NAME}
    if language_code:
        found["language_code"] = language_code
    return found


def _message(
    *,
    user_id: int = USER_ID,
    chat: dict[str, Any] | None = None,
    language_code: str | None = None,
    **content: Any,
) -> dict[str, Any]:
    return {
        "message_id": next(_ids), "date": int(time.time()),
        "chat": chat or {"id": user_id, "type": "private", "first_name": FIRST_NAME},
        "from": user(user_id, language_code),
        **content,
    }


def _update(**kind: Any) -> dict[str, Any]:
    return {"update_id": next(_ids), **kind}


def text(words: str, **options: Any) -> dict[str, Any]:
    """A text message (a command if it starts with /)."""
    content: dict[str, Any] = {"text": words}
    if words.startswith("/"):
        command = words.split()[0]
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return _update(message=_message(**options, **content))


def reply(words: str, to_message_id: int, **options: Any) -> dict[str, Any]:
    """A text message sent with Telegram's Reply on one of the bot's messages."""
    user_id = options.get("user_id", USER_ID)
    replied = {
        "message_id": to_message_id, "date": int(time.time()), "text": "…",
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": 4242, "is_bot": True, "first_name": "Sathi"},
    }
    return text(words, reply_to_message=replied, **options)


def command(name: str, **options: Any) -> dict[str, Any]:
    """/name."""
    return text(f"/{name}", **options)


def button(data: str, message_id: int, *, user_id: int = USER_ID,
           language_code: str | None = None) -> dict[str, Any]:
    """A press of an inline button under one of the bot's messages."""
    return _update(callback_query={
        "id": str(next(_ids)), "from": user(user_id, language_code), "chat_instance": "42",
        "data": data,
        "message": {
            "message_id": message_id, "date": int(time.time()), "text": "…",
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": 4242, "is_bot": True, "first_name": "Sathi"},
        },
    })


def voice(**options: Any) -> dict[str, Any]:
    """A voice note."""
    return _update(message=_message(**options, voice={
        "file_id": "voice-1", "file_unique_id": "v1", "duration": 7, "mime_type": "audio/ogg",
    }))


def photo(caption: str | None = None, **options: Any) -> dict[str, Any]:
    """A photo, optionally with a caption."""
    extra = {"caption": caption} if caption else {}
    return _update(message=_message(**options, **extra, photo=[
        {"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90},
    ]))


def sticker(**options: Any) -> dict[str, Any]:
    """A sticker."""
    return _update(message=_message(**options, sticker={
        "file_id": "sticker-1", "file_unique_id": "s1", "type": "regular", "width": 512,
        "height": 512, "is_animated": False, "is_video": False, "emoji": "🙏",
    }))


def document(**options: Any) -> dict[str, Any]:
    """A file."""
    return _update(message=_message(**options, document={
        "file_id": "doc-1", "file_unique_id": "d1", "file_name": "contract.pdf",
        "mime_type": "application/pdf",
    }))


def contact(**options: Any) -> dict[str, Any]:
    """A shared phone contact."""
    return _update(message=_message(**options, contact={
        "phone_number": "+821012345678", "first_name": "Worker",
    }))


def edited(words: str, **options: Any) -> dict[str, Any]:
    """A text message the worker edited after sending."""
    message = _message(**options, text=words)
    message["edit_date"] = int(time.time())
    return _update(edited_message=message)


def group_text(words: str, **options: Any) -> dict[str, Any]:
    """A message in a group the bot is in."""
    group = {"id": -100_200_300, "type": "supergroup", "title": "Workers"}
    return _update(message=_message(chat=group, **options, text=words))
