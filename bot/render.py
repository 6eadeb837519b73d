"""Everything the bot says, as Telegram MarkdownV2 that Telegram will accept.

Articles are Markdown written by people; telegramify-markdown turns them into text plus
entities, and the text is escaped only when it is turned back into MarkdownV2. Translated
interface text and anything a worker wrote are plain text, escaped the same way, so no
character can break the markup. Long texts are split at line ends under Telegram's limit.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import telegramify_markdown
from telegram.helpers import escape_markdown
from telegramify_markdown import MessageEntity, RenderConfig, split_markdownv2, utf16_len

from knowledge.models import Article
from sathi.i18n import Catalogs, Translator

MAX_MESSAGE = 4096  # Telegram's limit; we apply it to the MarkdownV2 source, which is longer


def _config() -> RenderConfig:
    config = RenderConfig.isolated()
    config.markdown_symbol.heading_level_1 = ""
    config.markdown_symbol.heading_level_2 = ""
    config.markdown_symbol.heading_level_3 = ""
    config.markdown_symbol.unordered_list_item = "•"
    return config


_CONFIG = _config()


@dataclass
class Doc:
    """Plain text with entities, built piece by piece and rendered once."""

    text: str = ""
    entities: list[MessageEntity] = field(default_factory=list)

    def add(self, text: str, style: str | None = None) -> Doc:
        """Appends plain text, optionally in one style ('bold', 'italic')."""
        if style and text:
            self.entities.append(MessageEntity(style, utf16_len(self.text), utf16_len(text)))
        self.text += text
        return self

    def add_markdown(self, markdown: str) -> Doc:
        """Appends Markdown written by an author (articles)."""
        text, entities = telegramify_markdown.convert(markdown, config=_CONFIG)
        text = text.rstrip()
        offset = utf16_len(self.text)
        end = utf16_len(text)
        for entity in entities:
            length = min(entity.length, end - entity.offset)
            if length > 0:
                moved = entity.copy_with(offset=entity.offset + offset, length=length)
                self.entities.append(moved)
        self.text += text
        return self

    def messages(self) -> list[str]:
        """The MarkdownV2 messages, each within Telegram's limit."""
        return split_markdownv2(self.text, self.entities, MAX_MESSAGE)


def plain(text: str) -> str:
    """Plain text (a translation, or the worker's own words) as one MarkdownV2 message."""
    return escape_markdown(text, version=2)


def lines(*texts: str) -> str:
    """Several plain paragraphs as one MarkdownV2 message."""
    return "\n\n".join(plain(text) for text in texts if text)


def article(article: Article, *, note: str | None = None) -> list[str]:
    """An article: bold title, body, and an italic note under it (draft or not translated)."""
    doc = Doc().add(article.title, "bold").add("\n\n").add_markdown(article.body)
    if note:
        doc.add("\n\n").add(note, "italic")
    return doc.messages()


def phone_article(article: Article, first: str, *, note: str | None = None) -> list[str]:
    """What is shown of an article first (bot.sections): bold title, lead and first steps."""
    return list(_phone_article(article, first, note))


# The same for every worker who reads the article in that language: rendered once, not per
# update (telegramify-markdown's conversion was most of the CPU of showing an article). Article
# texts only, never a worker's words; bounded, and an article changed by a reload is a new key.
@functools.lru_cache(maxsize=1024)
def _phone_article(article: Article, first: str, note: str | None) -> tuple[str, ...]:
    doc = Doc().add(article.title, "bold").add("\n\n").add_markdown(first)
    if note:
        doc.add("\n\n").add(note, "italic")
    return tuple(doc.messages())


def section(title: str, heading: str, markdown: str) -> list[str]:
    """One section behind a 'More' button, under the article's title and its own heading."""
    doc = Doc().add(title, "italic").add("\n").add(heading, "bold").add("\n\n")
    return doc.add_markdown(markdown).messages()


def korean_card(title: str, text: str, based_on: str, sources: tuple[str, ...]) -> list[str]:
    """A card to show an employer: plain text, with the sources it rests on."""
    doc = Doc().add(title, "bold").add("\n\n").add(text)
    if sources:
        doc.add("\n\n").add(based_on, "italic").add("\n" + "\n".join(sources))
    return doc.messages()


def article_note(article: Article, t: Translator, *, source_lang: str) -> str | None:
    """Why a worker should read this article with care, in their language (None if no reason)."""
    if article.lang != t.locale:
        return t.gettext("This topic is not translated into your language yet.")
    if article.notice:  # e.g. a stale translation: its English original changed since
        return article.notice
    if article.review == "draft" and article.lang != source_lang:
        # Translators: "native speaker" means a native speaker of this catalog's language.
        return t.gettext("A native speaker has not checked this translation yet.")
    return None


def language_prompt(catalogs: Catalogs) -> str:
    """'Choose your language' in every language we have, one per line."""
    return "\n".join(
        plain(catalogs.get(code).gettext("Choose your language:")) for code in catalogs.available
    )
