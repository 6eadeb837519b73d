"""Inline keyboards, built from plain values; callback data is "<area>:<action>[:<arg>]".

The data carries ids only (a language code, a category, an article slug, a case id), never
text the worker wrote, and fits Telegram's 64-byte limit.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.labels import CATEGORY_ICONS, CATEGORY_NAMES, COUNTRY_FLAGS, COUNTRY_NOTES
from sathi.i18n import Translator

LANGUAGE = "lang"
MENU = "menu"
CATEGORY = "cat"
ARTICLE = "art"
VOLUNTEER = "esc"
CASE = "case"
FEEDBACK = "fb"

# Actions: OPEN edits the message with the pressed button, BACK sends a new message below an
# article (keeping the article readable), CHOOSE/SHOW/KOREAN act on the argument.
OPEN = "open"
BACK = "back"
CHOOSE = "choose"
SHOW = "show"
KOREAN = "ko"
MORE = "more"  # one section of an article (arg "<slug>:<number>")
COUNTRY = "country"  # one country's notes of an article (arg "<slug>:<country>")
# Talking to a volunteer: OFFER explains and asks, AGREE/CANCEL answer (the arg is the slug of
# the article the worker came from). Cases: LIST, CLOSE asks, CLOSE_CONFIRMED closes, RATE
# (arg "<case id>:<1-5>").
OFFER = "offer"
AGREE = "agree"
CANCEL = "cancel"
# From a crisis or danger answer: URGENT explains and asks, AGREE_NOW opens an urgent case at once.
URGENT = "urgent"
AGREE_NOW = "agreenow"
LIST = "list"
CLOSE = "close"
CLOSE_CONFIRMED = "closeok"
RATE = "rate"
REOPEN = "reopen"
# The worker's erase (/forget): ASK explains and asks once, CONFIRM erases.
FORGET = "forget"
FORGET_ASK = "ask"
FORGET_CONFIRM = "yes"
RATINGS = range(1, 6)
# Under an article: was it helpful (arg: the slug)?
HELPFUL = "up"
UNHELPFUL = "down"

MAX_DATA_BYTES = 64
CHECK = "✓"


def callback_data(area: str, action: str, arg: str | None = None) -> str:
    """Joins the parts; raises ValueError when Telegram would refuse the result."""
    data = f"{area}:{action}" if arg is None else f"{area}:{action}:{arg}"
    if len(data.encode("utf-8")) > MAX_DATA_BYTES:
        raise ValueError(f"callback data over {MAX_DATA_BYTES} bytes: {data!r}")
    return data


def parse_data(data: str | None) -> tuple[str, str, str | None]:
    """Splits callback data into (area, action, arg); missing parts are empty or None."""
    area, _, rest = (data or "").partition(":")
    action, _, arg = rest.partition(":")
    return area, action, arg or None


# Buttons are frozen: the same label and data make the same button for every worker, built
# once (PTB's objects are costly to build; a menu or an answer list is several per reply).
@functools.lru_cache(maxsize=4096)
def _button(label: str, area: str, action: str, arg: str | None = None) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=callback_data(area, action, arg))


def _icon(icon: str, label: str) -> str:
    """An icon before a translated label (icons are not words, so they stay out of catalogs)."""
    return f"{icon} {label}"


def languages(choices: Sequence[tuple[str, str]], marked: str | None) -> InlineKeyboardMarkup:
    """One button per language by its own name; the marked one first, with a check mark."""
    ordered = sorted(choices, key=lambda choice: choice[0] != marked)
    rows = [
        [_button(f"{CHECK} {name}" if code == marked else name, LANGUAGE, CHOOSE, code)]
        for code, name in ordered
    ]
    return InlineKeyboardMarkup(rows)


def switch_language(code: str, t: Translator) -> InlineKeyboardMarkup:
    """One tap to keep the language the worker wrote in (labelled in that language)."""
    # Translators: a button that makes this language the worker's language.
    label = _icon("🌐", t.gettext("Yes, use {language}", language=t.native_name))
    return InlineKeyboardMarkup([[_button(label, LANGUAGE, CHOOSE, code)]])


def category_label(category: str, t: Translator) -> str:
    """A category's icon and translated name (the slug if a new category has no name yet)."""
    name = t.gettext(CATEGORY_NAMES[category]) if category in CATEGORY_NAMES else category
    icon = CATEGORY_ICONS.get(category)
    return f"{icon} {name}" if icon else name


def _optional_arg(area: str, action: str, arg: str | None) -> str:
    """Callback data with the argument if it fits, without it otherwise."""
    try:
        return callback_data(area, action, arg)
    except ValueError:
        return callback_data(area, action)


def _talk_button(t: Translator, slug: str | None = None) -> InlineKeyboardButton:
    # Translators: a button that starts writing to a person from the workers' union.
    label = _icon("🙋", t.gettext("Talk to a volunteer"))
    return InlineKeyboardButton(label, callback_data=_optional_arg(VOLUNTEER, OFFER, slug))


def main_menu(categories: Sequence[str], t: Translator) -> InlineKeyboardMarkup:
    """The categories, a volunteer, deleting one's data, then a way to change the language."""
    rows = [[_button(category_label(cat, t), CATEGORY, OPEN, cat)] for cat in categories]
    rows.append([_talk_button(t)])
    # Translators: a main-menu button: erase everything Sathi keeps about the worker.
    rows.append([_button(_icon("🗑", t.gettext("Delete my data")), FORGET, FORGET_ASK)])
    # Translators: a button on the main menu that shows the list of languages again.
    rows.append([_button(_icon("🌐", t.gettext("Language")), LANGUAGE, OPEN)])
    return InlineKeyboardMarkup(rows)


def topics(articles: Sequence[tuple[str, str]], t: Translator) -> InlineKeyboardMarkup:
    """One button per (slug, title), then back to the menu."""
    rows = [[_button(title, ARTICLE, SHOW, slug)] for slug, title in articles]
    rows.append([_button(_icon("⬅️", t.gettext("Main menu")), MENU, OPEN)])
    return InlineKeyboardMarkup(rows)


def answers(articles: Sequence[tuple[str, str]], t: Translator) -> InlineKeyboardMarkup:
    """Search results as buttons, then the menu (below a reply, so the menu is sent anew)."""
    rows = [[_button(title, ARTICLE, SHOW, slug)] for slug, title in articles]
    rows.append([_button(_icon("🏠", t.gettext("Main menu")), MENU, BACK)])
    return InlineKeyboardMarkup(rows)


def article(
    slug: str, category: str, t: Translator, *, korean: bool,
    sections: Sequence[tuple[int, str]] = (), countries: Sequence[str] = (),
) -> InlineKeyboardMarkup:
    """Under an article: more sections, country notes, Korean (if it helps), volunteer, back."""
    rows = []
    for number, heading in sections:
        data = callback_data(ARTICLE, MORE, f"{slug}:{number}")
        rows.append([InlineKeyboardButton(_icon("➕", heading[:60]), callback_data=data)])
    for country in countries:
        label = _icon(COUNTRY_FLAGS[country], country_label(country, t))
        rows.append([_button(label, ARTICLE, COUNTRY, f"{slug}:{country}")])
    if korean:
        # Translators: a button under an article; it sends the Korean version, for the worker to
        # show to a Korean employer or official.
        rows.append([_button(_icon("🇰🇷", t.gettext("Show in Korean")), ARTICLE, KOREAN, slug)])
    rows.append([_talk_button(t, slug)])
    rows.append([
        _button(_icon("⬅️", t.gettext("Back to topics")), CATEGORY, BACK, category),
        _button(_icon("🏠", t.gettext("Main menu")), MENU, BACK),
    ])
    return InlineKeyboardMarkup(rows)


def country_label(country: str, t: Translator) -> str:
    """'For workers from Nepal', in the reader's language."""
    return t.gettext(COUNTRY_NOTES[country])


def with_feedback(markup: InlineKeyboardMarkup, slug: str) -> InlineKeyboardMarkup:
    """The article's keyboard with 👍 / 👎 as its first row (left off if the slug is too long)."""
    try:
        row = [_button("👍", FEEDBACK, HELPFUL, slug), _button("👎", FEEDBACK, UNHELPFUL, slug)]
    except ValueError:
        return markup
    return InlineKeyboardMarkup([row, *markup.inline_keyboard])


def menu_button(t: Translator) -> InlineKeyboardMarkup:
    """Just the way to the main menu."""
    return InlineKeyboardMarkup([[_button(_icon("🏠", t.gettext("Main menu")), MENU, BACK)]])


def talk(t: Translator) -> InlineKeyboardMarkup:
    """A volunteer, or the main menu."""
    return InlineKeyboardMarkup([
        [_talk_button(t)], [_button(_icon("🏠", t.gettext("Main menu")), MENU, BACK)],
    ])


VOICE_NOTE = "voice"  # the arg of OFFER/AGREE when the worker's voice note opens the case
NEW_CASE = "new"  # the arg of OFFER when the worker has a case open and wants another
ADD = "add"  # to the worker's open case (arg: its id)


def add_or_new(case_id: int, reference: str, t: Translator) -> InlineKeyboardMarkup:
    """With a case open: add to it, or open a new case (then the consent step as usual)."""
    return InlineKeyboardMarkup([
        # Translators: {reference} is a case number such as K7MP2QX.
        [_button(_icon("➕", t.gettext("Add to case {reference}", reference=reference)),
                 VOLUNTEER, ADD, str(case_id))],
        [_button(_icon("🆕", t.gettext("New case")), VOLUNTEER, OFFER, NEW_CASE)],
    ])


def send_voice(t: Translator) -> InlineKeyboardMarkup:
    """Send the voice note just received to a volunteer."""
    # Translators: a button under the bot's answer to a voice message.
    label = _icon("🎤", t.gettext("Send it to a volunteer"))
    return InlineKeyboardMarkup([[_button(label, VOLUNTEER, OFFER, VOICE_NOTE)]])


def urgent_talk(slug: str | None, t: Translator) -> InlineKeyboardMarkup:
    """Under a crisis or danger answer: one tap to a volunteer, for an urgent case."""
    # Translators: a button under the emergency numbers; it opens an urgent case with a person
    # from the workers' union.
    label = _icon("🙋", t.gettext("Talk to a volunteer now"))
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(label, callback_data=_optional_arg(VOLUNTEER, URGENT, slug))]
    ])


def consent(slug: str | None, t: Translator, *, urgent: bool = False) -> InlineKeyboardMarkup:
    """Agree to share the messages with volunteers, or not (urgent: the case opens at once)."""
    agree = AGREE_NOW if urgent else AGREE
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(
            _icon("✅", t.gettext("I agree")), callback_data=_optional_arg(VOLUNTEER, agree, slug)
        ),
        _button(_icon("✖️", t.gettext("Cancel")), VOLUNTEER, CANCEL),
    ]])


def describing(t: Translator) -> InlineKeyboardMarkup:
    """While the worker describes the problem: a way back out."""
    return InlineKeyboardMarkup([[_button(_icon("✖️", t.gettext("Cancel")), VOLUNTEER, CANCEL)]])


def open_cases(references: Sequence[tuple[int, str]], t: Translator) -> InlineKeyboardMarkup:
    """One close button per (case id, reference), then the main menu."""
    rows = [
        # Translators: {reference} is a case number such as K7MP2QX.
        [_button(_icon("🔒", t.gettext("Close case {reference}", reference=reference)),
                 CASE, CLOSE, str(case_id))]
        for case_id, reference in references
    ]
    rows.append([_button(_icon("🏠", t.gettext("Main menu")), MENU, BACK)])
    return InlineKeyboardMarkup(rows)


def confirm_forget(t: Translator) -> InlineKeyboardMarkup:
    """Delete everything, or keep it (back to the menu)."""
    return InlineKeyboardMarkup([
        # Translators: the button that erases everything Sathi keeps about the worker.
        [_button("🗑 " + t.gettext("Yes, delete everything"), FORGET, FORGET_CONFIRM)],
        [_button(t.gettext("No, keep it"), MENU, OPEN)],
    ])


def confirm_close(case_id: int, t: Translator) -> InlineKeyboardMarkup:
    """Close for good, or keep the case open (back to the list)."""
    return InlineKeyboardMarkup([
        [_button(t.gettext("Yes, close it"), CASE, CLOSE_CONFIRMED, str(case_id))],
        [_button(t.gettext("No, keep it open"), CASE, LIST)],
    ])


def resolved(case_id: int, t: Translator) -> InlineKeyboardMarkup:
    """Solved (close the case, then rate), or not solved (back to the volunteer)."""
    return InlineKeyboardMarkup([
        [_button(_icon("✅", t.gettext("Yes, it is solved")), CASE, CLOSE_CONFIRMED,
                 str(case_id))],
        [_button(_icon("↩️", t.gettext("No, it is not solved")), CASE, REOPEN, str(case_id))],
    ])


def rating(case_id: int) -> InlineKeyboardMarkup:
    """1 to 5 stars for the help received (numbers need no translation)."""
    return InlineKeyboardMarkup([[
        _button(f"{n} ⭐", CASE, RATE, f"{case_id}:{n}") for n in RATINGS
    ]])
