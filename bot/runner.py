"""The bot's part of `sathi run`: the application, the intake, polling or webhook, delivery.

Three background tasks share one event loop with the admin API: the intake processes stored
updates, the delivery loop sends the outbox, and in polling mode the poller fetches updates (in
webhook mode the admin API's route receives them). Stopping lets each finish what it holds.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import Application

from bot.app import announce_commands, build_application
from bot.delivery import DeliveryLoop
from bot.intake import Intake
from bot.polling import Poller
from bot.ratelimit import RateLimiter
from bot.webhook import webhook_address
from sathi.runtime import Runtime

log = logging.getLogger(__name__)

STOP_SECONDS = 10.0


async def check_volunteer_chat(runtime: Runtime, bot: Bot) -> str:
    """Asks Telegram whether the bot can reach SATHI_VOLUNTEER_CHAT_ID; a WARNING if not.

    A wrong id or a group the bot was removed from otherwise shows only as failed notices.
    """
    chat_id = runtime.settings.volunteer_chat_id
    if chat_id is None:
        runtime.volunteer_chat = "not set"
        return runtime.volunteer_chat
    try:
        await bot.get_chat(chat_id)
    except TelegramError as exc:
        runtime.volunteer_chat = "unreachable"
        log.warning(
            "SATHI_VOLUNTEER_CHAT_ID %s: the bot cannot reach this chat (%s: %s); notices of new "
            "and urgent cases will not arrive. Add the bot to the volunteers' group and check "
            "the id.", chat_id, type(exc).__name__, exc,
        )
    else:
        runtime.volunteer_chat = "ok"
    return runtime.volunteer_chat


class BotRunner:
    """Starts and stops the bot's tasks for one runtime."""

    def __init__(self, runtime: Runtime, application: Application | None = None) -> None:
        self.runtime = runtime
        self.application = application or build_application(runtime)
        # One pace for the bot's answers and the outbox alike; an answer of up to 3 messages
        # goes out at once, as Telegram allows.
        limiter = RateLimiter(
            per_second=runtime.settings.telegram_messages_per_second, chat_burst=3
        )
        self.intake = Intake(self.application, limiter=limiter)
        self.delivery = DeliveryLoop(runtime, self.application.bot, limiter=limiter)
        webhook = runtime.settings.webhook_url is not None
        self.poller = None if webhook else Poller(self.application.bot, self.intake)
        self.tasks: list[asyncio.Task[None]] = []
        self._stop = asyncio.Event()

    async def start(self) -> None:
        """Checks the token, sets the command menu and the update source, starts the tasks."""
        settings = self.runtime.settings
        await self.application.initialize()
        await announce_commands(self.application)
        await check_volunteer_chat(self.runtime, self.application.bot)
        if settings.webhook_url:
            secret = settings.webhook_secret.get_secret_value()  # type: ignore[union-attr]
            url = webhook_address(settings.webhook_url)
            await self.application.bot.set_webhook(url, secret_token=secret)
            log.info("bot receives updates at %s", url)
        else:
            await self.application.bot.delete_webhook()
            log.info("bot is polling Telegram for updates")
        loops = {"intake": self.intake.run, "delivery": self.delivery.run}
        if self.poller is not None:
            loops["polling"] = self.poller.run
        self.tasks = [
            asyncio.create_task(run(self._stop), name=name) for name, run in loops.items()
        ]

    async def stop(self) -> None:
        """Lets the tasks finish what they hold (cancels them after STOP_SECONDS), then closes."""
        self._stop.set()
        if self.tasks:
            done, pending = await asyncio.wait(self.tasks, timeout=STOP_SECONDS)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    log.error("bot task %s failed", task.get_name(), exc_info=task.exception())
        await self.application.shutdown()
