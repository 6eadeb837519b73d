"""What the bot asks of the knowledge base: topic lists, articles with a fallback, topics.

Pure functions over KnowledgeBase and plain values (no telegram imports), so they are tested
without a bot and `sathi chat` shares them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from knowledge.models import Article
from knowledge.search import KnowledgeBase
from knowledge.topics import load_topics

# English is the source language: every slug has it, other languages are translations of it.
SOURCE_LANG = "en"
KOREAN = "ko"
SEARCH_LIMIT = 4


@cache
def topic_map(topics_file: Path) -> dict[str, str]:
    """Slug -> category, in the union's order (read once per file)."""
    return load_topics(topics_file)


def categories(topics: dict[str, str], kb: KnowledgeBase) -> list[str]:
    """Categories in topics.tsv order that have at least one article."""
    seen: list[str] = []
    for slug, category in topics.items():
        if category not in seen and article_in(kb, slug, SOURCE_LANG) is not None:
            seen.append(category)
    return seen


def article_in(kb: KnowledgeBase, slug: str, lang: str) -> Article | None:
    """The article in the worker's language, else the English original, else None."""
    return kb.get(slug, lang) or kb.get(slug, SOURCE_LANG)


def topics_in(
    topics: dict[str, str], kb: KnowledgeBase, category: str, lang: str
) -> list[Article]:
    """The category's articles in topics.tsv order, each in the worker's language if it has one."""
    found = (article_in(kb, slug, lang) for slug, cat in topics.items() if cat == category)
    return [article for article in found if article is not None]


def answers(kb: KnowledgeBase, question: str, lang: str) -> list[Article]:
    """The best articles for a question, in the worker's language where translated."""
    hits = kb.search(question, lang, limit=SEARCH_LIMIT)
    found = (article_in(kb, hit.slug, lang) for hit in hits)
    return [article for article in found if article is not None]


def answers_across(kb: KnowledgeBase, question: str, lang: str) -> tuple[str, list[Article]]:
    """(language, articles): the worker's language first, else the one the message is in."""
    found_in, hits = kb.search_across(question, lang, limit=SEARCH_LIMIT)
    found = (article_in(kb, hit.slug, found_in) for hit in hits)
    return found_in, [article for article in found if article is not None]


def is_small_talk(kb: KnowledgeBase, text: str, lang: str) -> bool:
    """A greeting or small talk ('namaste', 'salamat po'), in either language of the worker."""
    return kb.is_small_talk(text, lang) or kb.is_small_talk(text)


def best_topic(kb: KnowledgeBase, text: str, lang: str) -> str | None:
    """The slug that best matches a worker's first words to a volunteer: the case's topic."""
    hits = kb.search(text, lang, limit=1)
    return hits[0].slug if hits else None


def korean_version(kb: KnowledgeBase, slug: str) -> Article | None:
    """The Korean article, to show an employer or an official."""
    return kb.get(slug, KOREAN)


def language_of(kb: KnowledgeBase, available: list[str], text: str | None) -> str | None:
    """The language a worker wrote in, if the knowledge base can tell and we speak it."""
    if not text:
        return None
    detected = kb.detect_language(text)
    return detected if detected in available else None
