"""Voice notes, photos, stickers, files and the rest outside a case: a kind answer, not silence."""

from telegram import InlineKeyboardMarkup, Message

from bot import keyboards, render
from bot.context import SathiContext
from bot.handlers.menu import main_menu
from bot.handlers.search import offer_language
from sathi.i18n import N_

VOICE = N_(
    "I cannot listen to voice messages or watch videos yet. Please write your question in "
    "a few words, in any language, or choose a topic."
)
FILE = N_(
    "I cannot read photos or files yet. Please write your question in a few words, or choose a "
    "topic. Do not send photos of your passport or ID card here."
)
STICKER = N_("I am here to help. Write your question in a few words, or choose a topic.")
PERSONAL = N_(
    "I do not need your phone number or your location. Please do not send them. Write your "
    "question in a few words, or choose a topic."
)


def _note(message: Message) -> str:
    """Which answer fits what was sent."""
    if message.voice or message.audio or message.video_note or message.video:
        return VOICE
    if message.photo or message.document or message.animation:
        return FILE
    if message.contact or message.location or message.venue:
        return PERSONAL
    return STICKER


VOICE_OFFER = N_(
    "I cannot listen to voice messages, but a union volunteer can. Press the button to send "
    "this voice message to a volunteer, or choose a topic."
)


def offer_voice(context: SathiContext) -> None:
    """A voice note outside a case: one tap sends it to a volunteer (after consent)."""
    t = context.t
    text, menu = main_menu(context)
    rows = [*keyboards.send_voice(t).inline_keyboard, *menu.inline_keyboard]
    note = render.plain(t.gettext(VOICE_OFFER))
    context.reply(f"{note}\n\n{text}", InlineKeyboardMarkup(rows))
    offer_language(context)


def answer_media(context: SathiContext, message: Message) -> None:
    """Says what Sathi cannot do yet, and shows the menu (which offers a volunteer)."""
    note = render.plain(context.t.gettext(_note(message)))
    text, markup = main_menu(context)
    context.reply(f"{note}\n\n{text}", markup)
    offer_language(context)
