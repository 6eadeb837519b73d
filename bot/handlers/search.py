"""Free text outside a case: answered from the knowledge base in the worker's language."""

from bot import guidance, keyboards, render
from bot.context import SathiContext
from bot.handlers.menu import main_menu


def offer_language(context: SathiContext) -> None:
    """A worker who never chose a language is answered in a guess, and told how to choose."""
    if context.member.locale is None:
        context.reply(render.plain(context.t.gettext("To choose your language, send /language")))


def answer_question(context: SathiContext, question: str, *, quiet: bool = False) -> None:
    """Top matches as buttons, or an honest 'no answer yet' with the menu (and a volunteer).

    `quiet`: below an emergency answer, nothing is said when nothing matches.
    """
    t = context.t
    found = guidance.answers(context.kb, question, context.locale)
    if found:
        # Translators: {n} is a number; the topics follow as buttons.
        text = t.ngettext(
            "I found {n} topic for your question:", "I found {n} topics for your question:",
            len(found),
        )
        markup = keyboards.answers([(article.slug, article.title) for article in found], t)
        context.reply(render.plain(text), markup)
    elif quiet:
        return
    else:
        menu_text, markup = main_menu(context)
        sorry = render.plain(t.gettext("I don't have an answer to that yet."))
        context.reply(f"{sorry}\n\n{menu_text}", markup)
    offer_language(context)
