"""A bare python-telegram-bot echo bot: the baseline of benchmarks/bot_bench.py.

Usage: python benchmarks/echo_bot.py API_ROOT TOKEN

One Application polling `API_ROOT/bot<TOKEN>/getUpdates`, one MessageHandler that replies with
the message's text. Stops on SIGINT or SIGTERM.
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def main() -> int:
    root, token = sys.argv[1], sys.argv[2]
    application = (
        Application.builder().token(token).base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot").build()
    )
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
