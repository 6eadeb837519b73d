"""Webhook mode: Telegram posts updates to the admin API's own server.

Only requests carrying the secret given to setWebhook are accepted (compared in constant time);
anyone else who finds the URL gets 403 and cannot inject updates. An accepted update is stored
and committed before the 200 goes out (the 200 is Telegram's acknowledgement); the intake
processes it right after. If storing fails Telegram gets an error and sends the update again;
a second delivery of a stored update is answered 200 and not processed again.
"""

from __future__ import annotations

import hmac
import json
import logging

from fastapi import APIRouter, Request, Response
from telegram import Update

from bot.intake import Intake

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_address(base: str) -> str:
    """SATHI_WEBHOOK_URL is the admin API's public address; the route is ours to add."""
    return base if base.endswith(WEBHOOK_PATH) else f"{base}{WEBHOOK_PATH}"


MAX_DEPTH = 24  # Telegram's deepest real update (a reply to a message with a keyboard) is ~10
MAX_UPDATE_ID = 2**63 - 1  # what the database's BIGINT holds


def _too_deep(value: object) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


def parse_update(body: bytes) -> dict | None:
    """The update as a dict, or None for anything Telegram would not send.

    Not JSON, not an object, nested deeper than MAX_DEPTH, or an update_id that is not an
    integer in 0..2^63-1.
    """
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or _too_deep(data):
        return None
    update_id = data.get("update_id")
    if type(update_id) is not int or not 0 <= update_id <= MAX_UPDATE_ID:
        return None
    return data


def webhook_router(intake: Intake, secret: str) -> APIRouter:
    """A router with the one route Telegram posts to."""
    router = APIRouter(include_in_schema=False)
    expected = secret.encode("utf-8")

    @router.post(WEBHOOK_PATH)
    async def receive_update(request: Request) -> Response:
        """Stores the update, commits, and only then says 200."""
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(given, expected):
            return Response(status_code=403)
        data = parse_update(await request.body())
        if data is None:
            return Response(status_code=400)  # nothing stored
        try:
            Update.de_json(data, intake.application.bot)  # refuses what Telegram would not send
        except Exception:  # noqa: BLE001 - anything PTB cannot read is a bad request, not a 500
            return Response(status_code=400)
        update_id = data["update_id"]
        new = await intake.store([data])
        if not new:
            log.info("update %s was delivered again: already stored", update_id)
        return Response(status_code=200)

    return router
