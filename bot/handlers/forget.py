"""/forget (also /delete, /stop) and the menu's "Delete my data": one confirmation, then gone.

Everything Sathi holds about the worker is deleted and the keys of their cases destroyed
(sathi/services/erasure.py); the bot's own messages in the chat that Telegram still lets it
delete (sent in the last 48 hours) are deleted; the worker is told what could not be deleted.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import event
from telegram import Update
from telegram.error import TelegramError

from bot import keyboards, render
from bot.context import SathiContext
from bot.deps import with_member
from bot.sent_log import recorder
from sathi.db import utcnow
from sathi.services import erasure

log = logging.getLogger(__name__)

FORGET, ASK, CONFIRM = keyboards.FORGET, keyboards.FORGET_ASK, keyboards.FORGET_CONFIRM
DELETABLE_FOR = timedelta(hours=47, minutes=50)  # Telegram: 48 hours, with a margin
BATCH = 100  # deleteMessages takes at most 100 ids


@with_member
async def ask(update: Update, context: SathiContext) -> None:
    """Says what will be deleted and asks once."""
    t = context.t
    context.show(render.lines(
        t.gettext("Delete everything Sathi keeps about you?"),
        t.gettext(
            "Your cases with the volunteers, your messages to them and their answers, your "
            "language and your chat number will be deleted, and they cannot be brought back. "
            "The volunteers will only see that a case was deleted by you."
        ),
    ), keyboards.confirm_forget(t), in_place=update.callback_query is not None)


@with_member
async def confirm(update: Update, context: SathiContext) -> None:
    """Erases, deletes the bot's recent messages, and says what is left."""
    t = context.t
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None and context.session is not None
    session = context.session
    erased = await erasure.erase_member(session, member=context.member,
                                        telegram_user_id=user.id)
    # The keys go only once the deletion has committed: a rolled-back erase stays readable
    # and is simply tried again.
    event.listen(session.sync_session, "after_commit",
                 lambda _session: erased.destroy_keys(), once=True)
    sent_log = recorder(context.bot)  # the latest messages, not in the database yet
    unwritten = sent_log.unwritten(chat.id) if sent_log is not None else []
    cutoff = utcnow() - DELETABLE_FOR
    recent = sorted({m for c, m, sent in [*erased.bot_messages, *unwritten]
                     if c == chat.id and sent > cutoff})
    older = sum(1 for _c, _m, sent in erased.bot_messages if sent <= cutoff)
    deleted = 0
    for start in range(0, len(recent), BATCH):
        try:
            await context.bot.delete_messages(chat.id, recent[start:start + BATCH])
            deleted += len(recent[start:start + BATCH])
        except TelegramError as exc:
            log.warning("could not delete the bot's messages: %s", type(exc).__name__)
    lines = [
        t.gettext("Done. Sathi has deleted everything it kept about you."),
        t.gettext("Sathi also deleted {count} of its messages in this chat.", count=deleted),
    ]
    if older or deleted < len(recent):
        lines.append(t.gettext(
            "Messages older than 48 hours cannot be deleted by the bot: please delete them "
            "yourself (press and hold a message, then Delete)."
        ))
    lines.append(t.gettext(
        "What is on your own phone stays there: the messages you sent and the files. To remove "
        "them, delete this chat in Telegram (and choose to delete it for the bot too)."
    ))
    context.outbox = []  # nothing else from this update: the worker is gone
    context.reply(render.lines(*lines))
