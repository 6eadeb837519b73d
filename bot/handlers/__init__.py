"""Every handler, in order, in explicit groups.

Group ALERTS runs first: a message that triage finds to be a crisis or a danger gets the right
numbers, and the update then goes on to group MAIN (after a crisis, MAIN adds no search
answer). Only private chats are answered:
in a group a worker's words would be seen by others, and the bot would answer people who
did not ask it.

Edited messages are answered again, as new questions: a worker who edits usually corrects a
question that found nothing, and silence after a correction looks like a broken bot; a
duplicate answer costs little. Edited media are not answered twice. While the worker talks to
a volunteer, an edited text joins the case again, so the volunteer sees the correction.
"""

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import keyboards
from bot.handlers import (
    articles,
    cases,
    commands,
    emergency,
    errors,
    forget,
    language,
    menu,
    messages,
    start,
    volunteer,
)

ALERTS = 0
MAIN = 1

PRIVATE = filters.ChatType.PRIVATE
WORDS = PRIVATE & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND
QUESTIONS = PRIVATE & filters.TEXT & ~filters.COMMAND  # new and edited messages
MEDIA = PRIVATE & filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL


def _pattern(area: str, *actions: str) -> str:
    return rf"^{area}:({'|'.join(actions)})(:|$)"


def register(app: Application) -> None:
    """Adds every handler to the application."""
    app.add_handler(MessageHandler(WORDS, emergency.warn_emergency), group=ALERTS)

    for name, callback in (
        ("start", start.start),
        ("language", language.ask_language),
        ("menu", menu.show_menu),
        ("help", commands.show_help),
        ("privacy", commands.show_privacy),
        ("cases", cases.list_cases),
        ("forget", forget.ask),
        ("delete", forget.ask),
        ("stop", forget.ask),
    ):
        app.add_handler(CommandHandler(name, callback, filters=PRIVATE), group=MAIN)
    # A command Sathi does not know gets the help rather than silence.
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, commands.show_help), group=MAIN)

    k = keyboards
    callbacks = [
        (_pattern(k.LANGUAGE, k.CHOOSE), language.choose_language),
        (_pattern(k.LANGUAGE, k.OPEN), language.ask_language),
        (_pattern(k.MENU, k.OPEN, k.BACK), menu.show_menu),
        (_pattern(k.CATEGORY, k.OPEN, k.BACK), articles.show_topics),
        (_pattern(k.ARTICLE, k.SHOW), articles.show_article),
        (_pattern(k.ARTICLE, k.KOREAN), articles.show_in_korean),
        (_pattern(k.FEEDBACK, k.HELPFUL, k.UNHELPFUL), articles.rate_article),
        (_pattern(k.ARTICLE, k.MORE), articles.show_section),
        (_pattern(k.ARTICLE, k.COUNTRY), articles.show_country_notes),
        (_pattern(k.VOLUNTEER, k.OFFER), volunteer.offer_volunteer),
        (_pattern(k.VOLUNTEER, k.URGENT), volunteer.offer_volunteer),
        (_pattern(k.VOLUNTEER, k.AGREE), volunteer.agree_to_share),
        (_pattern(k.VOLUNTEER, k.AGREE_NOW), volunteer.open_urgent_case),
        (_pattern(k.VOLUNTEER, k.CANCEL), volunteer.cancel_talk),
        (_pattern(k.VOLUNTEER, k.ADD), volunteer.add_to_case),
        (_pattern(k.CASE, k.LIST), cases.list_cases),
        (_pattern(k.CASE, k.CLOSE), cases.ask_to_close),
        (_pattern(k.CASE, k.CLOSE_CONFIRMED), cases.close_case),
        (_pattern(k.CASE, k.RATE), cases.rate_help),
        (_pattern(k.CASE, k.REOPEN), cases.reopen_case),
        (_pattern(k.FORGET, k.FORGET_ASK), forget.ask),
        (_pattern(k.FORGET, k.FORGET_CONFIRM), forget.confirm),
    ]
    for pattern, callback in callbacks:
        app.add_handler(CallbackQueryHandler(callback, pattern=pattern), group=MAIN)
    # Buttons from an older version of the bot: show the menu rather than nothing.
    app.add_handler(CallbackQueryHandler(menu.show_menu), group=MAIN)

    # A worker's own words and files: to their case with a volunteer, or answered by the bot.
    app.add_handler(MessageHandler(QUESTIONS, messages.receive_text), group=MAIN)
    app.add_handler(MessageHandler(MEDIA, messages.receive_media), group=MAIN)

    app.add_error_handler(errors.apologise)
