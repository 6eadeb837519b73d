"""Danger first: a message with an alert word gets the emergency numbers before anything else.

Registered in an earlier group than the normal answer, so both run and this one comes first.
"""

from telegram import Update

from bot import guidance, render
from bot.context import SathiContext
from bot.deps import with_member


@with_member
async def warn_emergency(update: Update, context: SathiContext) -> None:
    """Sends the emergency-contacts lead in the worker's language when the text calls for it."""
    message = update.effective_message
    lead = guidance.alert_lead(context.kb, message.text or message.caption, context.locale)
    if lead:
        context.reply(render.emergency(lead, context.t))
