"""What a worker sends: to their case when they are talking to a volunteer, else to the bot.

Text, voice notes, audio, photos, videos and documents can go to a case; files stay on
Telegram and only their file ids are kept. Stickers, contacts and locations never do.
"""

from telegram import Message, Update

from bot import guidance, keyboards, render
from bot.context import SathiContext
from bot.deps import with_member
from bot.handlers.media import answer_media, offer_voice
from bot.handlers.search import answer_if_found, answer_question
from knowledge.triage import Level, triage
from sathi.enums import MessageKind
from sathi.models import Case
from sathi.services import escalation, gaps
from sathi.services.escalation import Receipt, Route, WorkerMessage

SPOKEN = (MessageKind.voice, MessageKind.audio)


def worker_message(message: Message) -> WorkerMessage | None:
    """The part of a Telegram message a case can hold, or None (stickers, contacts, ...)."""
    replying_to = message.reply_to_message.message_id if message.reply_to_message else None
    if message.text:
        return WorkerMessage(MessageKind.text, text=message.text, replying_to=replying_to)
    if message.animation:  # a GIF also arrives as a document; it is not evidence
        return None
    files = (
        (MessageKind.voice, message.voice),
        (MessageKind.audio, message.audio),
        (MessageKind.video, message.video or message.video_note),
        (MessageKind.document, message.document),
        (MessageKind.photo, message.photo[-1] if message.photo else None),  # the largest size
    )
    for kind, media in files:
        if media is not None:
            return WorkerMessage(kind, text=message.caption, file_id=media.file_id,
                                 replying_to=replying_to)
    return None


async def to_case(
    context: SathiContext, message: WorkerMessage, *, quiet: bool = False
) -> Receipt:
    """Hands the message to the escalation service and says where it went."""
    kb, lang = context.kb, context.locale
    receipt = await escalation.receive(
        context.session, member=context.member, message=message, lang=lang,
        guess_topic=lambda text: guidance.best_topic(kb, text, lang),
        volunteer_chat_id=context.runtime.settings.volunteer_chat_id, cases=context.cases,
    )
    context.cases = None  # they may have changed
    if receipt.route is Route.opened:
        _opened(context, receipt.case)
    elif receipt.route is Route.added and not quiet:
        _added(context, receipt.case, also=False)
    return receipt


def _added(context: SathiContext, case: Case, *, also: bool) -> None:
    t = context.t
    if also:
        # Translators: {reference} is a case number such as K7MP2QX.
        text = t.gettext("Your message was also added to your case {reference}.",
                         reference=case.reference)
    else:
        # Translators: {reference} is a case number such as K7MP2QX.
        text = t.gettext("Added to your case {reference}.", reference=case.reference)
    context.reply(render.plain(text))


def _opened(context: SathiContext, case: Case) -> None:
    t = context.t
    context.reply(render.lines(
        # Translators: {reference} is a case number such as K7MP2QX.
        t.gettext("Thank you. Your case number is {reference}.", reference=case.reference),
        t.gettext(
            "A union volunteer who speaks your language will read your message. Volunteers are "
            "people and are not always online, so an answer can take a few days. Urgent cases "
            "are read first."
        ),
        t.gettext("In danger? Call 112 for the police, 119 for fire and ambulance."),
        t.gettext(
            "You can send more messages, voice messages or photos here: they are added to your "
            "case. /cases shows your cases."
        ),
    ), keyboards.menu_button(t))


def _closed(context: SathiContext, case: Case) -> None:
    """The worker wrote after a volunteer closed their case: nobody reads it; offer a new one."""
    text = context.t.gettext(
        "Your case {reference} is closed, so no volunteer will read this message. To talk to a "
        "volunteer again, press the button.", reference=case.reference,
    )
    context.reply(render.plain(text), keyboards.talk(context.t))


@with_member
async def receive_text(update: Update, context: SathiContext) -> None:
    """Text (also edited): for the worker's case, or a question for the knowledge base."""
    found = worker_message(update.effective_message)
    text = (found.text if found else None) or ""
    receipt = await to_case(context, found or WorkerMessage(MessageKind.text, text=text),
                            quiet=True)
    if receipt.route is Route.opened:
        return
    alert = triage(text)
    if receipt.route is Route.added:
        # A question in an open case is still answered (not below a crisis answer); the
        # volunteer sees it too.
        searched = alert is None or alert.level is Level.danger
        _added(context, receipt.case, also=searched and answer_if_found(context, text))
        return
    if alert is None:
        if not answer_question(context, text):  # counted for editors, scrubbed, no identity
            await gaps.record_miss(context.session, lang=context.locale, question=text)
    elif alert.level is Level.danger:  # below the danger answer: articles, if any match
        answer_question(context, text, quiet=True)
    if receipt.route is Route.closed:
        _closed(context, receipt.case)


@with_member
async def receive_media(update: Update, context: SathiContext) -> None:
    """A voice note, photo or file for the worker's case; otherwise a kind answer."""
    message = update.effective_message
    found = worker_message(message)
    receipt = await to_case(context, found) if found else Receipt(Route.none)
    if receipt.route is Route.closed:
        _closed(context, receipt.case)
    elif receipt.route is Route.none and found is not None and found.kind in SPOKEN:
        # Many workers speak more easily than they write: a volunteer can listen.
        context.member.pending_voice_file_id = found.file_id
        offer_voice(context)
    elif receipt.route is Route.none:
        answer_media(context, message)
