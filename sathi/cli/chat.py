"""`sathi chat [--lang L]`: talk to the bot in a terminal, no Telegram account or token needed.

The same Application and handlers as `sathi run`; only the Bot API is answered in-process
(bot/terminal.py). On an empty database the article files are imported first, so a fresh
clone can try it at once.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
from collections.abc import AsyncIterator
from typing import TextIO

from telegram import Update

from bot.app import build_application
from bot.terminal import (
    FAKE_TOKEN,
    TERMINAL_USER_ID,
    TerminalRequest,
    button_update,
    message_update,
)
from knowledge.facts import load_facts
from knowledge.loader import ArticleError, load_articles
from knowledge.topics import load_topics
from sathi.runtime import Runtime, open_runtime
from sathi.services import articles, members
from sathi.settings import Settings

_USER = {"id": TERMINAL_USER_ID, "is_bot": False, "first_name": "You"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the sub-command."""
    parser = subparsers.add_parser("chat", help="talk to the bot in this terminal")
    parser.add_argument("--lang", help="start in this language (a catalog code: en, ne, ...)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Runs the conversation until Ctrl-D or Ctrl-C."""
    try:
        return asyncio.run(chat(settings, lang=args.lang, stdin=sys.stdin, out=sys.stdout))
    except KeyboardInterrupt:
        print(file=sys.stdout)
        return 0


async def chat(settings: Settings, *, lang: str | None, stdin: TextIO, out: TextIO) -> int:
    """Opens the runtime, makes sure there are articles, and talks."""
    if lang is not None and lang not in settings.languages:
        print(f"sathi: --lang must be one of {', '.join(settings.languages)}", file=sys.stderr)
        return 2
    runtime = await open_runtime(settings)
    try:
        if not await _ensure_articles(runtime, out):
            return 1
        await converse(runtime, lang=lang, stdin=stdin, out=out)
        return 0
    finally:
        await runtime.close()


async def _ensure_articles(runtime: Runtime, out: TextIO) -> bool:
    """Imports the article files into an empty database (the bot serves the database)."""
    async with runtime.sessionmaker() as session:
        count = (await articles.content_stamp(session))[0]
    if count != "0":
        return True
    settings = runtime.settings
    try:
        found = load_articles(
            settings.knowledge_dir, load_topics(settings.topics_file), settings.languages
        )
    except ArticleError as exc:
        print(f"sathi: the article files have {len(exc.problems)} problem(s); "
              "see `sathi knowledge check`", file=sys.stderr)
        return False
    async with runtime.sessionmaker.begin() as session:
        report = await articles.import_articles(
            session, found, facts=load_facts(settings.facts_file)
        )
    await runtime.knowledge.refresh()
    print(f"(the database had no articles: imported {report.added} from "
          f"{settings.knowledge_dir})", file=out)
    return True


async def converse(runtime: Runtime, *, lang: str | None, stdin: TextIO, out: TextIO) -> None:
    """Feeds each typed line to the bot as a Telegram update; a number presses a button."""
    request = TerminalRequest(out)
    application = build_application(runtime, token=FAKE_TOKEN, request=request)
    if lang:
        await _preset_language(runtime, lang)
    print("Type a message, or the number of a button. Ctrl-D ends.", file=out)
    update_ids = iter(range(1, 10**9))
    async with application:
        first = "/menu" if lang else "/start"
        await _process(application, message_update(next(update_ids), _USER, first))
        async for line in _lines(stdin):
            button = request.press(int(line)) if line.isdigit() else None
            if button is not None:
                update = button_update(next(update_ids), _USER, button)
            else:
                update = message_update(next(update_ids), _USER, line)
            await _process(application, update)


async def _process(application, update: dict) -> None:  # type: ignore[no-untyped-def]
    await application.process_update(Update.de_json(update, application.bot))


async def _preset_language(runtime: Runtime, lang: str) -> None:
    async with runtime.sessionmaker.begin() as session:
        member = await members.get_or_create_member(
            session, telegram_user_id=TERMINAL_USER_ID, chat_id=TERMINAL_USER_ID
        )
        await members.set_locale(session, member=member, locale=lang)


async def _lines(stdin: TextIO) -> AsyncIterator[str]:
    """Non-empty lines from stdin, read in a daemon thread so Ctrl-C is never stuck in a read."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        try:
            for raw in stdin:
                loop.call_soon_threadsafe(queue.put_nowait, raw)
            loop.call_soon_threadsafe(queue.put_nowait, None)
        except RuntimeError:  # the loop closed first (Ctrl-C): nobody is listening any more
            return

    threading.Thread(target=read, name="sathi-chat-stdin", daemon=True).start()
    while (raw := await queue.get()) is not None:
        if raw.strip():
            yield raw.strip()
