"""What a handler sees besides the update: the runtime, the member, their language, the replies.

Nothing here outlives the update: the language lives in the database (Member.locale) and the
replies are sent by bot.deps once the transaction has committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardMarkup
from telegram.ext import CallbackContext, ExtBot

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from knowledge.search import KnowledgeBase
    from sathi.i18n import Translator
    from sathi.models import Member
    from sathi.runtime import Runtime
    from sathi.services.escalation import Cases

RUNTIME_KEY = "runtime"


class Delivery(Enum):
    """How a reply reaches the worker."""

    SEND = "send"  # new message(s)
    REPLACE = "replace"  # edit the message whose button was pressed (send when there is none)
    DETACH = "detach"  # take the buttons off the message whose button was pressed


@dataclass(frozen=True)
class Outgoing:
    """One reply: MarkdownV2 chunks, with the keyboard under the last one."""

    delivery: Delivery
    chunks: tuple[str, ...] = ()
    markup: InlineKeyboardMarkup | None = None


_Data = dict[Any, Any]


class SathiContext(CallbackContext[ExtBot[None], _Data, _Data, _Data]):
    """PTB's context plus Sathi's runtime and the per-update state set by deps.with_member."""

    def __init__(self, application: Any, chat_id: int | None = None, user_id: int | None = None):
        super().__init__(application, chat_id, user_id)
        self.session: AsyncSession | None = None
        self.member: Member | None = None
        self.cases: Cases | None = None  # the member's open and lately closed cases
        self.locale: str = ""
        self.phone_locale: str | None = None  # Telegram's language_code, if we speak it
        self.outbox: list[Outgoing] = []

    @property
    def runtime(self) -> Runtime:
        """The runtime the application was built with."""
        return self.application.bot_data[RUNTIME_KEY]

    @property
    def kb(self) -> KnowledgeBase:
        """The current knowledge base (swapped by the runtime's refresh, never mutated)."""
        return self.runtime.knowledge.current

    @property
    def t(self) -> Translator:
        """The translator for the worker's language."""
        return self.runtime.catalogs.get(self.locale)

    def reply(self, chunks: str | list[str], markup: InlineKeyboardMarkup | None = None) -> None:
        """Queues new message(s); the keyboard goes under the last one."""
        self._queue(Delivery.SEND, chunks, markup)

    def replace(self, chunks: str | list[str], markup: InlineKeyboardMarkup | None = None) -> None:
        """Queues an edit of the message whose button was pressed (a new message otherwise)."""
        self._queue(Delivery.REPLACE, chunks, markup)

    def show(
        self, chunks: str | list[str], markup: InlineKeyboardMarkup | None, *, in_place: bool
    ) -> None:
        """Navigation: edits the pressed message in place, or sends below it.

        Below an article the article stays readable; only its old buttons are taken off.
        """
        if in_place:
            self.replace(chunks, markup)
        else:
            self.detach()
            self.reply(chunks, markup)

    def detach(self) -> None:
        """Queues taking the old buttons off the message whose button was pressed."""
        self.outbox.append(Outgoing(Delivery.DETACH))

    def _queue(
        self, delivery: Delivery, chunks: str | list[str], markup: InlineKeyboardMarkup | None
    ) -> None:
        texts = (chunks,) if isinstance(chunks, str) else tuple(chunks)
        self.outbox.append(Outgoing(delivery, texts, markup))
