"""The main menu: the categories of topics, in the worker's language."""

from telegram import InlineKeyboardMarkup, Update

from bot import guidance, keyboards, render
from bot.context import SathiContext
from bot.deps import with_member


def main_menu(context: SathiContext) -> tuple[str, InlineKeyboardMarkup]:
    """The menu text and keyboard for the current worker (used after other answers too)."""
    t = context.t
    topics = guidance.topic_map(context.runtime.settings.topics_file)
    categories = guidance.categories(topics, context.kb)
    text = t.gettext(
        "What do you need help with? Choose a topic, or write your question in your own words."
    )
    return render.plain(text), keyboards.main_menu(categories, t)


@with_member
async def show_menu(update: Update, context: SathiContext) -> None:
    """/menu, or a menu button (in place from a topic list, below an article)."""
    text, markup = main_menu(context)
    _area, action, _arg = keyboards.parse_data(
        update.callback_query.data if update.callback_query else None
    )
    context.show(text, markup, in_place=action != keyboards.BACK)
