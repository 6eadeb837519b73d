"""When a handler fails: log which update and what went wrong, then apologise to the worker.

Only the update id and the exception are logged, never the update or what the worker wrote.
A stored update that failed is rolled back and tried again by the intake; the worker hears
the apology once, on the first attempt.
"""

import logging

from telegram import Update
from telegram.constants import ChatType, ParseMode

from bot import render
from bot.context import SathiContext
from bot.work import current
from sathi.services import members

log = logging.getLogger(__name__)


async def apologise(update: object, context: SathiContext) -> None:
    """Logs the failure and says sorry in the member's language (in private chats only)."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    work = current()
    if work is not None:
        work.failed = True
        if work.attempt > 1:
            return
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE or update.effective_user is None:
        return
    try:
        locale = await _locale(update, context)
        text = context.runtime.catalogs.get(locale).gettext(
            "Sorry, something went wrong on my side. Please try again in a moment."
        )
        await context.bot.send_message(
            update.effective_chat.id, render.plain(text), parse_mode=ParseMode.MARKDOWN_V2
        )
    except Exception as exc:  # noqa: BLE001 - the error handler itself must never fail
        log.error("update %s: could not apologise: %s", update_id, type(exc).__name__)


async def _locale(update: Update, context: SathiContext) -> str | None:
    """The member's language from a fresh session (the failed one was rolled back)."""
    catalogs = context.runtime.catalogs
    async with context.runtime.sessionmaker() as session:
        member = await members.find_member(session, telegram_user_id=update.effective_user.id)
    if member is not None and member.locale:
        return member.locale
    return catalogs.normalize(update.effective_user.language_code)
