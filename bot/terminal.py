"""`sathi chat`: the real bot, with its Bot API calls answered in-process and shown in a terminal.

TerminalRequest stands where HTTP would be: sendMessage prints the text (MarkdownV2 made
readable again) and numbers the buttons, so a typed number can press one.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from dataclasses import dataclass
from typing import Any, TextIO

from telegram.request import BaseRequest, RequestData

FAKE_TOKEN = "1000000:terminal-chat-token-not-a-real-bot-xx"
BOT_USER = {"id": 1000000, "is_bot": True, "first_name": "Sathi", "username": "sathi_bot"}
TERMINAL_USER_ID = 1  # the one person at the keyboard, stored under a pseudonym like anyone

_ESCAPED = re.compile(r"\\(.)")
_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(((?:\\.|[^)\\])*)\)")
_MARKUP = re.compile(r"(?<!\\)(\|\||__|[*_~])")


def readable(markdown_v2: str) -> str:
    """MarkdownV2 as plain text: markup dropped, escapes undone, links as 'text (url)'."""
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", markdown_v2)
    text = _MARKUP.sub("", text)
    return _ESCAPED.sub(r"\1", text)


@dataclass(frozen=True)
class Button:
    """A button on screen: its label, its callback data and the message it sits under."""

    label: str
    data: str
    message_id: int


class TerminalRequest(BaseRequest):
    """Answers Bot API methods in-process and prints what the bot sends."""

    def __init__(self, out: TextIO, chat_id: int = TERMINAL_USER_ID) -> None:
        self.out = out
        self.chat_id = chat_id
        self.buttons: list[Button] = []
        self._message_ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        """Nothing to wait for."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Answers one Bot API method as Telegram would, in Telegram's JSON."""
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        result = self._answer(name, params)
        return 200, json.dumps({"ok": True, "result": result}).encode("utf-8")

    def _answer(self, name: str, params: dict[str, Any]) -> object:
        if name == "getMe":
            return BOT_USER
        if name == "sendMessage":
            return self._show(next(self._message_ids), params)
        if name == "editMessageText":
            return self._show(int(params["message_id"]), params)
        if name == "editMessageReplyMarkup":
            message_id = int(params["message_id"])
            self.buttons = [b for b in self.buttons if b.message_id != message_id]
            return self._message(message_id, "")
        return True  # answerCallbackQuery, setMyCommands, sendChatAction, ...

    def _show(self, message_id: int, params: dict[str, Any]) -> dict[str, Any]:
        text = readable(str(params.get("text", "")))
        print(f"\n{text}", file=self.out)
        markup = params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        if rows:
            self.buttons = [
                Button(button["text"], button.get("callback_data", ""), message_id)
                for row in rows for button in row
            ]
            for number, button in enumerate(self.buttons, 1):
                print(f"  [{number}] {button.label}", file=self.out)
        self.out.flush()
        return self._message(message_id, str(params.get("text", "")))

    def _message(self, message_id: int, text: str) -> dict[str, Any]:
        return {
            "message_id": message_id, "date": int(time.time()), "text": text,
            "chat": {"id": self.chat_id, "type": "private"}, "from": BOT_USER,
        }

    def press(self, number: int) -> Button | None:
        """The button shown with this number, if there is one."""
        return self.buttons[number - 1] if 1 <= number <= len(self.buttons) else None


def message_update(update_id: int, user: dict[str, Any], text: str) -> dict[str, Any]:
    """A private text message from the person at the terminal, as Telegram would send it."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 100000 + update_id, "date": int(time.time()), "text": text,
            "chat": {"id": user["id"], "type": "private"}, "from": user,
            **({"entities": [{"type": "bot_command", "offset": 0,
                              "length": len(text.split()[0])}]} if text.startswith("/") else {}),
        },
    }


def button_update(update_id: int, user: dict[str, Any], button: Button) -> dict[str, Any]:
    """A press of one of the bot's buttons."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id), "from": user, "chat_instance": "terminal", "data": button.data,
            "message": {
                "message_id": button.message_id, "date": int(time.time()), "text": "",
                "chat": {"id": user["id"], "type": "private"}, "from": BOT_USER,
            },
        },
    }
