"""Builds the PTB Application around a runtime: one per process, no persistence.

The application holds the runtime in bot_data (shared services, not worker data); everything
about a worker lives in the database and every button carries the ids it needs. It has no
Updater: PTB's acknowledges updates before handlers run, so Sathi's intake (bot/intake.py)
stores each update first and feeds it to `process_update` itself.
"""

from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest

from bot.context import RUNTIME_KEY, SathiContext
from bot.handlers import register
from bot.labels import COMMANDS
from bot.request import SathiRequest
from bot.sent_log import RecordingRequest
from sathi.runtime import Runtime

log = logging.getLogger(__name__)


def build_application(
    runtime: Runtime,
    *,
    token: str | None = None,
    request: BaseRequest | None = None,
) -> Application:
    """The bot for this runtime.

    Args:
        runtime: what the handlers use (database, catalogs, knowledge).
        token: overrides the configured token (`sathi chat` uses a fixed fake one).
        request: answers Bot API calls instead of HTTP (`sathi chat`, in-process).

    """
    settings = runtime.settings
    secret = settings.telegram_token.get_secret_value() if settings.telegram_token else None
    builder = (
        ApplicationBuilder()
        .token(token or secret or "")
        .base_url(settings.bot_base_url)
        .base_file_url(settings.bot_file_url)
        .context_types(ContextTypes(context=SathiContext))
        .updater(None)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:  # bot/request.py; the bot's messages to workers noted for /forget
        builder = builder.request(
            RecordingRequest(runtime.sessionmaker, connection_pool_size=256)
        ).get_updates_request(SathiRequest())
    application = builder.build()
    application.bot_data[RUNTIME_KEY] = runtime
    register(application)
    return application


async def announce_commands(application: Application) -> None:
    """Sets the command menu in every language (Telegram picks by the user's app language)."""
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    catalogs = runtime.catalogs
    try:
        for code in [None, *catalogs.available]:
            t = catalogs.get(code)
            commands = [BotCommand(name, t.gettext(text)) for name, text in COMMANDS.items()]
            await application.bot.set_my_commands(commands, language_code=code)
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)
