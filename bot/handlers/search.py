"""Free text outside a case: answered from the knowledge base in the worker's language.

The worker's language is searched first, then the language the message is written in: a
worker whose phone is in English may type Banglish. Found in another language we speak, the
answer comes in that language with a one-tap offer to switch. One hit opens the article itself;
a greeting gets a greeting and the menu, not "no answer".
"""

from bot import guidance, keyboards, render
from bot.context import SathiContext
from bot.handlers.articles import reply_article
from bot.handlers.language import language_choices
from bot.handlers.menu import main_menu
from sathi.db import utcnow


def offer_language(context: SathiContext) -> None:
    """A worker with no choice and a phone language we do not speak is asked once."""
    member = context.member
    if member.locale is not None or member.language_asked_at is not None:
        return
    if context.phone_locale is not None:
        return  # we speak their phone's language: no need to ask
    member.language_asked_at = utcnow()
    catalogs = context.runtime.catalogs
    context.reply(render.language_prompt(catalogs),
                  keyboards.languages(language_choices(catalogs), None))


def greet(context: SathiContext) -> None:
    """Hello back, in the worker's language, with the menu."""
    text, markup = main_menu(context)
    hello = render.plain(context.t.gettext("Hello! I am Sathi, an automatic helper."))
    context.reply(f"{hello}\n\n{text}", markup)


def answer_question(context: SathiContext, question: str, *, quiet: bool = False) -> bool:
    """The article (one hit), the top matches as buttons, or 'no answer yet'; False if none.

    `quiet`: below an emergency answer, nothing is said when nothing matches.
    """
    kb, own = context.kb, context.locale
    if guidance.is_small_talk(kb, question, own):
        if not quiet:
            greet(context)
            offer_language(context)
        return True  # small talk is answered, not a gap in the guide
    lang, found = guidance.answers_across(kb, question, own)
    switch = lang != own and lang in context.runtime.catalogs.available and bool(found)
    if switch:
        context.locale = lang  # answered in the language the worker wrote in
    t = context.t
    if found:
        _show(context, found)
    elif quiet:
        return False
    else:
        menu_text, markup = main_menu(context)
        sorry = render.plain(t.gettext("I don't have an answer to that yet."))
        context.reply(f"{sorry}\n\n{menu_text}", markup)
    if switch:
        # Translators: {language} is the name of this language in itself, e.g. "বাংলা".
        offer = t.gettext("Use {language} from now on?", language=t.native_name)
        context.reply(render.plain(offer), keyboards.switch_language(lang, t))
        context.locale = own
    else:
        offer_language(context)
    return bool(found)


def answer_if_found(context: SathiContext, question: str) -> bool:
    """Inside a case: the article(s) for a question, or nothing (the volunteer reads it)."""
    kb, own = context.kb, context.locale
    if guidance.is_small_talk(kb, question, own):
        return False
    articles = guidance.answers(kb, question, own)
    if not articles:
        return False
    _show(context, articles)
    return True


def _show(context: SathiContext, found: list) -> None:
    """One article opens at once; several are offered as buttons."""
    if len(found) == 1:
        reply_article(context, found[0])
        return
    t = context.t
    # Translators: {n} is a number; the topics follow as buttons.
    text = t.ngettext(
        "I found {n} topic for your question:", "I found {n} topics for your question:",
        len(found),
    )
    markup = keyboards.answers([(article.slug, article.title) for article in found], t)
    context.reply(render.plain(text), markup)
