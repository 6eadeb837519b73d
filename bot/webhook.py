"""Webhook mode: Telegram posts updates to the admin API's own server.

Only requests carrying the secret given to setWebhook are accepted (compared in constant time);
anyone else who finds the URL gets 403 and cannot inject updates.
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request, Response
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_router(application: Application, secret: str) -> APIRouter:
    """A router with the one route Telegram posts to."""
    router = APIRouter(include_in_schema=False)
    expected = secret.encode("utf-8")

    @router.post(WEBHOOK_PATH)
    async def receive_update(request: Request) -> Response:
        """Queues the update for the application; answers at once so Telegram does not retry."""
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(given, expected):
            return Response(status_code=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except (ValueError, KeyError, TypeError):  # not an update Telegram would send
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response(status_code=200)

    return router
