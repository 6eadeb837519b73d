"""A fake Telegram Bot API over real HTTP on 127.0.0.1, for driving the real PTB Application.

Records every call as (method, params); answers like Telegram (message ids increase); refuses
MarkdownV2 that Telegram would refuse, and texts over 4096 characters; serves queued updates to
getUpdates for polling tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.markdown_v2 import MarkdownV2Error, plain_text

BOT = {"id": 4242, "is_bot": True, "first_name": "Sathi", "username": "sathi_test_bot",
       "can_join_groups": False, "can_read_all_group_messages": False,
       "supports_inline_queries": False}
MAX_TEXT = 4096
_INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id"}
# Methods whose answer is just `true`; anything the fake does not know is a 404, as on Telegram.
_TRUE_METHODS = {"answerCallbackQuery", "sendChatAction", "setMyCommands", "deleteMyCommands",
                 "deleteWebhook", "setWebhook"}


@dataclass
class Call:
    """One Bot API request as the fake server received it (and the message id it answered)."""

    method: str
    params: dict[str, Any]
    message_id: int | None = None

    @property
    def text(self) -> str:
        """The message text as a user would read it (markup removed)."""
        raw = str(self.params.get("text", ""))
        if self.params.get("parse_mode") == "MarkdownV2":
            return plain_text(raw)
        return raw

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of the inline keyboard, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [
            (button["text"], button.get("callback_data", ""))
            for row in markup.get("inline_keyboard", []) for button in row
        ]


def _decode(form: dict[str, str]) -> dict[str, Any]:
    """PTB sends form fields, JSON-encoding everything that is not a string."""
    params: dict[str, Any] = {}
    for key, value in form.items():
        if key in _INT_PARAMS and value.lstrip("-").isdigit():
            params[key] = int(value)
        elif value[:1] in "{[" or value in ("true", "false"):
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        else:
            params[key] = value
    return params


class FakeBotApi:
    """The server: start() inside a test's event loop, stop() at the end."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self._message_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = Starlette(routes=[
            Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
        ])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="off")
        self._server = _QuietServer(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Serves until stop()."""
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Stops serving."""
        self._server.should_exit = True
        if self._task is not None:
            await self._task

    def queue_update(self, update: dict[str, Any]) -> None:
        """An update for the next getUpdates."""
        self.updates.append(update)
        self._new_update.set()

    def sent(self, method: str = "sendMessage") -> list[Call]:
        """The recorded calls of one method, in order."""
        return [call for call in self.calls if call.method == method]

    def messages(self) -> list[Call]:
        """What the user sees arrive: sendMessage and editMessageText calls."""
        return [c for c in self.calls if c.method in ("sendMessage", "editMessageText")]

    def clear(self) -> None:
        """Forgets the recorded calls (between steps of a conversation)."""
        self.calls.clear()

    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        form = await request.form()
        params = _decode({key: str(value) for key, value in form.items()})
        call = Call(method, params)
        self.calls.append(call)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            if method in _TRUE_METHODS:
                return _ok(True)
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        response = await handler(params)
        if method in ("sendMessage", "editMessageText") and response.status_code == 200:
            call.message_id = json.loads(response.body)["result"]["message_id"]
        return response

    async def _m_getMe(self, params: dict[str, Any]) -> JSONResponse:
        return _ok(BOT)

    async def _m_sendMessage(self, params: dict[str, Any]) -> JSONResponse:
        problem = _check_text(params)
        if problem:
            return _bad(problem)
        return _ok(self._message(next(self._message_ids), params))

    async def _m_editMessageText(self, params: dict[str, Any]) -> JSONResponse:
        problem = _check_text(params)
        if problem:
            return _bad(problem)
        return _ok(self._message(int(params["message_id"]), params))

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> JSONResponse:
        return _ok(self._message(int(params["message_id"]), params))

    async def _m_getUpdates(self, params: dict[str, Any]) -> JSONResponse:
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                wait = min(float(params.get("timeout") or 0), 0.2)
                await asyncio.wait_for(self._new_update.wait(), wait)
        return _ok(list(self.updates))

    def _message(self, message_id: int, params: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": message_id, "date": int(time.time()), "from": BOT,
            "chat": {"id": params.get("chat_id", 0), "type": "private"},
            "text": str(params.get("text", "")) or "…",
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message


def _check_text(params: dict[str, Any]) -> str | None:
    text = str(params.get("text", ""))
    if not text.strip():
        return "Bad Request: message text is empty"
    if params.get("parse_mode") == "MarkdownV2":
        try:
            text = plain_text(text)
        except MarkdownV2Error as exc:
            return f"Bad Request: can't parse entities: {exc}"
    if len(str(params.get("text", ""))) > MAX_TEXT:
        return "Bad Request: message is too long"
    return None


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _bad(description: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error_code": 400, "description": description}, 400)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _QuietServer(uvicorn.Server):
    """No signal handlers: the test's event loop owns the process."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
