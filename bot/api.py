"""Bot API calls whose answer nobody reads, made straight through the bot's request.

PTB's send_message and edit_message_* build a Message (with its chat, user and entities) from
every answer; an update's replies never look at it, and building it cost about as much CPU as
the rest of PTB's share of a send. These calls encode their parameters as PTB does and go
through the same request (bot.request: the 502 told apart, the sent log noting chat and
message id from the raw answer, TelegramError such as RetryAfter raised as by PTB's methods),
and return the answer's raw `result`.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def call(bot: Bot, method: str, **params: Any) -> Any:
    """One Bot API method with its parameters (None left out, as PTB does)."""
    data = RequestData([RequestParameter.from_input(key, value)
                        for key, value in params.items() if value is not None])
    return await bot.request.post(f"{bot.base_url}/{method}", data)


async def send_text(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Any:
    """A MarkdownV2 message without link previews, with the keyboard if any."""
    return await call(bot, "sendMessage", chat_id=chat_id, text=text,
                      parse_mode=ParseMode.MARKDOWN_V2, reply_markup=markup,
                      link_preview_options=_NO_PREVIEW)


async def edit_text(
    bot: Bot, chat_id: int, message_id: int, text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Any:
    """The message's MarkdownV2 text and keyboard replaced."""
    return await call(bot, "editMessageText", chat_id=chat_id, message_id=message_id, text=text,
                      parse_mode=ParseMode.MARKDOWN_V2, reply_markup=markup,
                      link_preview_options=_NO_PREVIEW)


async def drop_markup(bot: Bot, chat_id: int, message_id: int) -> Any:
    """The message's buttons taken off."""
    return await call(bot, "editMessageReplyMarkup", chat_id=chat_id, message_id=message_id)
