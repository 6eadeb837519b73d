"""Both doors (admin API, webhook): a body size limit, and headers keeping cases out of caches.

MAX_BODY is 1 MiB: Telegram's largest update (a 4096-character text or a 1024-character caption
with entities, a replied-to message, a keyboard) is tens of kilobytes, and the API's largest
input (a reply or note of at most a few thousand characters) smaller still. A longer body is
answered 413 without being read further, whether or not it declared its Content-Length.
"""

from __future__ import annotations

import json
from typing import Any

MAX_BODY = 1024 * 1024
# The rest of an oversized body is read and thrown away (so the client gets its 413 instead of a
# reset connection), up to this much; beyond it the connection is simply closed.
MAX_DRAIN = 64 * 1024 * 1024
HEADERS = [(b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]


def _error(status: int, code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "fields": []}}).encode()


class Hardening:
    """ASGI middleware: 413 for oversized bodies, no-store and nosniff on every answer."""

    def __init__(self, app: Any, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:  # noqa: D102
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await self._drain(receive, 0)
            await self._too_large(send)
            return
        # The whole body is read first (at most max_body bytes), then handed to the app.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.max_body:
                await self._drain(receive, seen)
                await self._too_large(send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()  # the disconnect, when it comes

        async def secured_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", [])
                           if h[0].lower() not in {name for name, _ in HEADERS}]
                message = {**message, "headers": headers + HEADERS}
            await send(message)

        await self.app(scope, replay, secured_send)

    async def _drain(self, receive: Any, seen: int) -> None:
        """Reads the rest of the body without keeping it (bounded by MAX_DRAIN)."""
        while seen <= MAX_DRAIN:
            message = await receive()
            if message["type"] != "http.request":
                return
            seen += len(message.get("body", b""))
            if not message.get("more_body", False):
                return

    async def _too_large(self, send: Any) -> None:
        body = _error(413, "payload_too_large", f"the body is over {self.max_body} bytes")
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"), *HEADERS]})
        await send({"type": "http.response.body", "body": body})
