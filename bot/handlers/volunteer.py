"""Talking to a volunteer: say who reads what and for how long, ask for consent, wait.

The agreement is stored on the member (sathi.services.escalation), so the worker's next
message opens the case whichever instance receives it.
"""

from telegram import Update

from bot import guidance, keyboards, render
from bot.context import SathiContext
from bot.deps import with_member
from bot.handlers.menu import main_menu
from bot.handlers.messages import to_case
from sathi.enums import MessageKind
from sathi.services import escalation, worker_cases
from sathi.services.escalation import WorkerMessage


def _slug(update: Update) -> str | None:
    _area, _action, slug = keyboards.parse_data(update.callback_query.data)
    return slug


def _urgent(update: Update) -> bool:
    _area, action, _slug = keyboards.parse_data(update.callback_query.data)
    return action == keyboards.URGENT


@with_member
async def offer_volunteer(update: Update, context: SathiContext) -> None:
    """Who will read the messages, what is kept and for how long; then agree or cancel.

    With a case open, the worker is asked first: add to that case, or open a new one (not
    when they asked for a volunteer now, from an emergency answer).
    """
    t = context.t
    arg = _slug(update)
    open_cases = await worker_cases.open_cases_for_member(context.session, member=context.member)
    if open_cases and arg != keyboards.NEW_CASE and not _urgent(update):
        latest = max(open_cases, key=lambda case: (case.updated_at, case.id))
        text = t.gettext(
            "You have an open case {reference}. Add your message to it, or open a new case?",
            reference=latest.reference,
        )
        context.show(render.plain(text), keyboards.add_or_new(latest.id, latest.reference, t),
                     in_place=False)
        return
    text = render.lines(
        t.gettext(
            "You can write to a volunteer of the workers' union. Only union volunteers who "
            "speak your language, and the union staff who run Sathi, can read your messages. "
            "They are people, not an automatic helper."
        ),
        t.gettext(
            "Sathi keeps your messages locked with encryption. Voice messages, photos and files "
            "stay on Telegram; Sathi keeps only a locked link to them. Sathi does not keep your "
            "name or your phone number."
        ),
        t.gettext(
            # Translators: {days} and {member_days} are numbers of days.
            "Sathi deletes your messages {days} days after your case is closed, and everything "
            "about you after {member_days} days without a message from you. You can delete "
            "everything yourself at any time with /forget.",
            days=context.runtime.settings.retention_case_days,
            member_days=context.runtime.settings.retention_member_days,
        ),
        t.gettext("Do you agree that union volunteers read your messages?"),
    )
    slug = None if arg == keyboards.NEW_CASE else arg
    markup = keyboards.consent(slug, t, urgent=_urgent(update))
    context.show(text, markup, in_place=False)


@with_member
async def agree_to_share(update: Update, context: SathiContext) -> None:
    """Remembers the consent (and the article the worker came from) and asks for the problem."""
    slug = _slug(update)
    known = slug is not None and guidance.article_in(context.kb, slug, guidance.SOURCE_LANG)
    await escalation.agree(context.session, member=context.member, topic=slug if known else None)
    t = context.t
    context.detach()  # the consent text stays readable above, without its buttons
    voice = context.member.pending_voice_file_id
    if slug == keyboards.VOICE_NOTE and voice:
        context.member.pending_voice_file_id = None
        await to_case(context, WorkerMessage(MessageKind.voice, file_id=voice))  # opens the case
        return
    context.reply(render.lines(
        t.gettext(
            "Thank you. Now tell the volunteer about your problem, in your own language. You "
            "can write, or send a voice message, photos or documents."
        ),
        t.gettext("Your first message opens your case."),
    ), keyboards.describing(t))


@with_member
async def open_urgent_case(update: Update, context: SathiContext) -> None:
    """From a crisis or danger answer: the worker agreed, so an urgent case opens at once."""
    slug = _slug(update)
    known = slug is not None and guidance.article_in(context.kb, slug, guidance.SOURCE_LANG)
    case = await escalation.open_urgent(
        context.session, member=context.member, lang=context.locale,
        topic=slug if known else None,
        volunteer_chat_id=context.runtime.settings.volunteer_chat_id,
    )
    t = context.t
    context.detach()
    context.reply(render.lines(
        # Translators: {reference} is a case number such as K7MP2QX.
        t.gettext("Your case {reference} is open and marked urgent: volunteers read urgent cases "
                  "first.", reference=case.reference),
        t.gettext("Write here what is happening, in your own language. Every message you send "
                  "here goes to your case."),
        t.gettext("If your life is in danger right now, call 119 (ambulance) or 112 (police)."),
    ), keyboards.menu_button(t))


@with_member
async def cancel_talk(update: Update, context: SathiContext) -> None:
    """Forgets the consent; nothing went to a volunteer."""
    await escalation.cancel(context.session, member=context.member)
    context.member.pending_voice_file_id = None
    text, markup = main_menu(context)
    cancelled = render.plain(context.t.gettext("Cancelled. Nothing was sent to a volunteer."))
    context.replace(f"{cancelled}\n\n{text}", markup)


@with_member
async def add_to_case(update: Update, context: SathiContext) -> None:
    """The worker keeps to their open case: the voice note offered joins it, or they write."""
    case_id = _slug(update)
    open_cases = await worker_cases.open_cases_for_member(context.session, member=context.member)
    case = next((case for case in open_cases if str(case.id) == case_id), None)
    t = context.t
    if case is None:
        context.replace(render.plain(t.gettext("This case is no longer available.")),
                        keyboards.talk(t))
        return
    context.detach()
    voice = context.member.pending_voice_file_id
    if voice:
        context.member.pending_voice_file_id = None
        await to_case(context, WorkerMessage(MessageKind.voice, file_id=voice))
        return
    context.reply(render.plain(t.gettext(
        "Write your message here: it goes to your case {reference}.", reference=case.reference
    )), keyboards.menu_button(t))
