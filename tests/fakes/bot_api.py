"""A fake Telegram Bot API over real HTTP on 127.0.0.1, for driving the real PTB Application.

Records every call as (method, params); answers like Telegram (message ids increase); refuses
MarkdownV2 that Telegram would refuse, and texts over 4096 characters; serves queued updates to
getUpdates for polling tests; answers scripted failures (`fail_next`: 500, 429 with
retry_after, 403, ...) and late answers (`delay_next`: the call arrives, the answer comes after
the client gave up) for delivery tests.

Knobs for fault tests: `faults(rate=..., error_after_rate=...)` answers a share of sending calls
with a 502 from a "proxy" before Telegram sees them (not carried out), and another share is
carried out, recorded as delivered, and still answered 500 (Telegram can do that); `flood(...)`
limits each chat like Telegram (a token bucket: `per_second` with `burst`), answering 429 with
retry_after. Both draw from a seeded random generator, so a test run is repeatable.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.markdown_v2 import MarkdownV2Error, plain_text

BOT = {"id": 4242, "is_bot": True, "first_name": "Sathi", "username": "sathi_test_bot",
       "can_join_groups": False, "can_read_all_group_messages": False,
       "supports_inline_queries": False}
MAX_TEXT = 4096
_INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id"}
# Methods whose answer is just `true`; anything the fake does not know is a 404, as on Telegram.
_TRUE_METHODS = {"answerCallbackQuery", "sendChatAction", "setMyCommands", "deleteMyCommands",
                 "deleteWebhook", "setWebhook", "deleteMessage", "deleteMessages"}
# Methods that send a file by file id: they answer with a message, like sendMessage.
_FILE_METHODS = {"sendVoice", "sendAudio", "sendPhoto", "sendVideo", "sendDocument"}
# Calls that put a message in a chat: what faults and flood limits apply to.
_SENDING = {"sendMessage", *_FILE_METHODS}


@dataclass
class Faults:
    """Random failures of sending calls.

    `rate`: a 502 before processing; `error_after_rate`: a 500 after the message was delivered.
    """

    rate: float = 0.0
    error_after_rate: float = 0.0


@dataclass
class Flood:
    """Telegram's per-chat limit: `per_second` messages a second, bursts of `burst`."""

    per_second: float = 1.0
    burst: int = 3
    retry_after: float = 1.0


@dataclass
class Scripted:
    """The next answer to one method: an error (status > 0), or a normal answer after a delay."""

    status: int = 0
    description: str = ""
    retry_after: float | None = None
    delay: float = 0.0


@dataclass
class Call:
    """One Bot API request as the fake server received it, its status and message id."""

    method: str
    params: dict[str, Any]
    message_id: int | None = None
    status: int | None = None

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
        self.script: dict[str, list[Scripted]] = {}
        self.groups: set[int] = set()  # chats getChat finds (the bot is a member)
        self._message_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._faults = Faults()
        self._flood: Flood | None = None
        self._buckets: dict[Any, tuple[float, float]] = {}  # chat -> (tokens, at)
        self.random = random.Random(13)
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

    def fail_next(
        self, method: str, status: int, description: str = "", retry_after: int | None = None
    ) -> None:
        """The next call of `method` gets this error (429 with retry_after: flood control)."""
        text = description or {403: "Forbidden: bot was blocked by the user",
                               429: "Too Many Requests"}.get(status, "Internal Server Error")
        self.script.setdefault(method, []).append(Scripted(status, text, retry_after))

    def faults(self, rate: float = 0.0, error_after_rate: float = 0.0, seed: int = 13) -> None:
        """From now on: `rate` of sending calls get a proxy's 502 (not carried out), and
        `error_after_rate` are carried out (delivered) and answered 500 all the same."""
        self._faults = Faults(rate, error_after_rate)
        self.random.seed(seed)

    def flood(self, per_second: float = 1.0, burst: int = 3, retry_after: float = 1.0) -> None:
        """From now on each chat may receive `per_second` messages (bursts of `burst`); more
        is answered 429 with retry_after (Telegram gives whole seconds; tests may use less)."""
        self._flood = Flood(per_second, burst, retry_after)
        self._buckets.clear()

    def delay_next(self, method: str, seconds: float) -> None:
        """The next call of `method` arrives, and is answered only after `seconds`."""
        self.script.setdefault(method, []).append(Scripted(delay=seconds))

    def delivered(self, chat_id: int, method: str = "sendMessage") -> list[Call]:
        """Calls of a method to one chat that Telegram accepted (answered 200)."""
        return [c for c in self.sent(method) if c.params.get("chat_id") == chat_id
                and c.status == 200]

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
        response = await self._answer(method, params)
        call.status = response.status_code
        if response.status_code == 200 and method in _SENDING and self._faults.error_after_rate:
            if self.random.random() < self._faults.error_after_rate:
                call.message_id = json.loads(response.body)["result"]["message_id"]
                call.status = 200  # carried out: the user has it
                return JSONResponse({"ok": False, "error_code": 500,
                                     "description": "Internal Server Error"}, 500)
        if method in ("sendMessage", "editMessageText") and response.status_code == 200:
            call.message_id = json.loads(response.body)["result"]["message_id"]
        return response

    async def _answer(self, method: str, params: dict[str, Any]) -> Response:
        scripted = self.script.get(method, [])
        if scripted:
            step = scripted.pop(0)
            await asyncio.sleep(step.delay)
            if step.status:
                return _error(step)
        if method in _SENDING:
            refused = self._refused(params)
            if refused is not None:
                return refused
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            if method in _TRUE_METHODS:
                return _ok(True)
            if method in _FILE_METHODS:
                return _ok(self._message(next(self._message_ids), params))
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return await handler(params)

    def _refused(self, params: dict[str, Any]) -> Response | None:
        """A 502 from the proxy (random faults), or a 429 over the chat's flood limit."""
        if self._faults.rate and self.random.random() < self._faults.rate:
            return Response("<html><body><h1>502 Bad Gateway</h1></body></html>", 502,
                            media_type="text/html")
        if self._flood is None:
            return None
        flood, chat, now = self._flood, params.get("chat_id"), time.monotonic()
        tokens, at = self._buckets.get(chat, (float(flood.burst), now))
        tokens = min(float(flood.burst), tokens + (now - at) * flood.per_second)
        if tokens < 1:
            self._buckets[chat] = (tokens, now)
            return _error(Scripted(429, "Too Many Requests: retry later",
                                   flood.retry_after))  # type: ignore[arg-type]
        self._buckets[chat] = (tokens - 1, now)
        return None

    async def _m_getMe(self, params: dict[str, Any]) -> JSONResponse:
        return _ok(BOT)

    async def _m_getChat(self, params: dict[str, Any]) -> JSONResponse:
        chat_id = int(params["chat_id"])
        if chat_id not in self.groups:
            return _bad("Bad Request: chat not found")
        return _ok({"id": chat_id, "type": "supergroup", "title": "Volunteers",
                    "accent_color_id": 0, "max_reaction_count": 11})

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


def _error(step: Scripted) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": step.status,
                            "description": step.description}
    if step.retry_after is not None:
        body["parameters"] = {"retry_after": step.retry_after}
    return JSONResponse(body, step.status)


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
