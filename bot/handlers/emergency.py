"""Crisis and danger first: the right numbers before anything else (knowledge.triage decides).

Registered in an earlier group than the normal answer, so both run and this one comes first.
After a crisis answer the normal answer adds no search results (bot/handlers/messages.py).
"""

from telegram import Update

from bot import alerts, keyboards
from bot.context import SathiContext
from bot.deps import with_member
from knowledge.triage import triage
from sathi.services import escalation


@with_member
async def warn_emergency(update: Update, context: SathiContext) -> None:
    """Sends the crisis or danger answer, with a one-tap volunteer unless a case is open."""
    message = update.effective_message
    alert = triage(message.text or message.caption)
    if alert is None:
        return
    member = context.member
    cases = context.cases or await escalation.cases_of(context.session, member=member)
    in_case = escalation.is_pending(member) or bool(cases.open)
    markup = None if in_case else keyboards.urgent_talk(alerts.topic_of(alert), context.t)
    context.reply(alerts.answer(alert, context.t), markup)
