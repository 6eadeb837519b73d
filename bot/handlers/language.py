"""Choosing the language: stored in Member.locale, so it survives restarts."""

from telegram import Update

from bot import keyboards, render
from bot.context import SathiContext
from bot.deps import with_member
from bot.handlers.menu import main_menu
from sathi.i18n import Catalogs
from sathi.services import members


def language_choices(catalogs: Catalogs) -> list[tuple[str, str]]:
    """(code, own name) for every language with a catalog: a new catalog is a new choice."""
    return [(code, catalogs.get(code).native_name) for code in catalogs.available]


@with_member
async def ask_language(update: Update, context: SathiContext) -> None:
    """/language or the 🌐 button: the languages again, the current one marked."""
    catalogs = context.runtime.catalogs
    markup = keyboards.languages(language_choices(catalogs), context.member.locale)
    context.replace(render.language_prompt(catalogs), markup)


@with_member
async def choose_language(update: Update, context: SathiContext) -> None:
    """Stores the chosen language, confirms it and shows the menu in it."""
    _area, _action, code = keyboards.parse_data(update.callback_query.data)
    catalogs = context.runtime.catalogs
    if code not in catalogs.available:  # a button from before a language was removed
        markup = keyboards.languages(language_choices(catalogs), context.member.locale)
        context.replace(render.language_prompt(catalogs), markup)
        return
    await members.set_locale(context.session, member=context.member, locale=code)
    context.locale = code
    t = context.t
    context.replace(render.plain(f"{keyboards.CHECK} {t.native_name}"))
    text, markup = main_menu(context)
    welcome = t.gettext(
        "Welcome to Sathi. I am an automatic helper, not a person. I give information for "
        "migrant workers in Korea: pay, visa, safety and your rights."
    )
    context.reply(f"{render.plain(welcome)}\n\n{text}", markup)
