"""/start: the first thing a worker sees is the choice of language, by each language's own name."""

from telegram import Update

from bot import keyboards, render
from bot.context import SathiContext
from bot.deps import with_member
from bot.handlers.language import language_choices


@with_member
async def start(update: Update, context: SathiContext) -> None:
    """Offers the languages; the one already chosen, or the phone's, is marked and first."""
    catalogs = context.runtime.catalogs
    user = update.effective_user
    marked = context.member.locale or catalogs.normalize(user.language_code if user else None)
    context.reply(
        render.language_prompt(catalogs),
        keyboards.languages(language_choices(catalogs), marked),
    )
