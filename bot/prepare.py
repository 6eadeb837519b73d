"""The database-free work of an update, done before its transaction opens.

On SQLite the lanes' transactions take turns (sathi.db.write_turn), and while one waits on the
database the event loop has little else to do. The triage, language guess and search of a
worker's text need no database: a lane does them first, in its update's memo
(knowledge/memo.py), while another lane's transaction is at the database, and the handlers find
the answers there. Nothing is decided here: a handler that asks something else (the worker's
chosen language, when they write in another) works it out itself.
"""

from __future__ import annotations

from telegram import Update

from knowledge.search import KnowledgeBase
from knowledge.triage import triage


def prepare(update: Update, kb: KnowledgeBase) -> None:
    """Works out, into the current memo, what the handlers will ask about the update's text."""
    message = update.message or update.edited_message  # a pressed button carries no new words
    text = (message.text or message.caption) if message else None
    if not text or text.lstrip().startswith("/"):
        return
    triage(text)
    if kb.languages:
        kb.search(text, kb.detect_language(text))
