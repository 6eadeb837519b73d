"""Webhook mode: Telegram posts updates to the admin API's own server.

Only requests carrying the secret given to setWebhook are accepted (compared in constant time);
anyone else who finds the URL gets 403 and cannot inject updates. An accepted update is stored
and committed before the 200 goes out (the 200 is Telegram's acknowledgement); the intake
processes it right after. If storing fails Telegram gets an error and sends the update again;
a second delivery of a stored update is answered 200 and not processed again.
"""

from __future__ import annotations

import hmac
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
        try:
            data = await request.json()
            Update.de_json(data, intake.application.bot)  # refuses what Telegram would not send
            update_id = int(data["update_id"])
        except (ValueError, KeyError, TypeError):
            return Response(status_code=400)
        new = await intake.store([data])
        if not new:
            log.info("update %s was delivered again: already stored", update_id)
        return Response(status_code=200)

    return router
